"""Never empty-handed (issue 17): a shop's busy year, where nobody looks lapsed, imported and
reported through the CLI and opened in the app. BG/NBD's dropout runs to the boundary, so the
no-dropout model (NBD) gives the expected purchases and the CLV, the note says why in both
languages, and P(alive) is absent (never a made-up 100%) on every page and command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import gammaln

from analysis.cli import main
from analysis.i18n import DASH
from tests.pagetest import open_page
from tests.predict_data import busy_shop_lines, summarise

NOTE_EN = ("nobody in this history looks lapsed, so everyone is treated as active; "
           "P(alive) cannot be estimated yet")
NOTE_ZH = "这段历史中没有客户看起来已流失，因此所有客户都按活跃处理；仍活跃概率暂时无法估计"
END = pd.Timestamp("2023-12-31")


def _shop_lines() -> pd.DataFrame:
    """The busy year, each customer with their own average spend (Gamma-Gamma: p 4, q 3, gamma 30)."""
    lines = busy_shop_lines()
    rng = np.random.default_rng(1)
    nu = rng.gamma(3.0, 1.0 / 30.0, lines["customer_id"].nunique())
    lines["amount"] = np.round(rng.gamma(4.0, 1.0 / nu[lines["customer_id"].to_numpy()]), 2)
    return lines


def _json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(workspace path, purchase lines): the CSV a user's shop exports, imported with `ingest`."""
    folder = tmp_path_factory.mktemp("busy")
    lines = _shop_lines()
    out = lines.assign(date=lines["date"].dt.strftime("%Y-%m-%d"))
    out.to_csv(folder / "shop.csv", index=False)
    db = folder / "shop.duckdb"
    assert main(["ingest", str(folder / "shop.csv"), "--db", str(db)]) == 0
    return db, lines


def _nbd_mle(x: np.ndarray, T: np.ndarray) -> tuple[float, float]:
    """NBD maximum likelihood written out here (Morrison & Schmittlein 1988), independently."""
    def negll(log_p):
        r, a = np.exp(log_p)
        return -np.sum(gammaln(r + x) - gammaln(r) + r * np.log(a) - (r + x) * np.log(a + T))
    res = minimize(negll, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 4000})
    return tuple(np.exp(res.x))


def test_report_answers_with_nbd_and_says_why_in_both_languages(shop, capsys):
    db, lines = shop
    report = _json(capsys, "report", "--db", str(db), "--json")
    clv = report["clv"]
    assert "clv" not in report["messages"]
    assert clv["model"] == "nbd"
    assert clv["note"] == NOTE_EN
    assert clv["bgnbd"] is None and clv["bgnbd_loglik"] is None  # BG/NBD could not be fitted
    assert set(clv["gamma_gamma"]) == {"p", "q", "gamma"}

    summary = summarise(lines, END, END)
    assert clv["n_customers"] == len(summary) == 3600
    assert clv["n_repeat"] == int((summary["x"] > 0).sum())
    r, alpha = _nbd_mle(summary["x"].to_numpy(), summary["T"].to_numpy())
    assert clv["model_params"]["r"] == pytest.approx(r, rel=1e-3)
    assert clv["model_params"]["alpha"] == pytest.approx(alpha, rel=1e-3)
    assert clv["total_clv"] > 0
    assert "P(alive) = 100%" not in " ".join(clv["notes"])
    # the MCC potential comes from the same model: some customers have one
    assert report["value_groups"] is not None

    chinese = _json(capsys, "report", "--db", str(db), "--json", "--lang", "zh")
    assert chinese["clv"]["note"] == NOTE_ZH
    assert chinese["clv"]["total_clv"] == clv["total_clv"]


def test_customer_actions_and_export_cope_without_p_alive(shop, capsys, tmp_path):
    db, lines = shop
    summary = summarise(lines, END, END)
    cid = summary.index[summary["x"] >= 3][0]
    shown = _json(capsys, "customer", str(cid), "--db", str(db), "--json")["profile"]
    assert shown["p_alive"] is None  # unknown, not 100%
    report = _json(capsys, "report", "--db", str(db), "--json")
    r, alpha = (report["clv"]["model_params"][k] for k in ("r", "alpha"))
    x, T = summary.loc[cid, "x"], summary.loc[cid, "T"]
    # NBD's expected waiting time to an even chance of the next purchase, in days, from the as-of date
    wait_days = 7 * (alpha + T) * np.expm1(np.log(2.0) / (r + x))
    expected = END + pd.Timedelta(days=int(np.ceil(wait_days)))
    assert pd.Timestamp(shown["expected_next_purchase"]) == expected
    assert "treated as active" in shown["clv_note"] and "%" not in shown["clv_note"]

    actions = _json(capsys, "actions", "--db", str(db), "--json")
    assert actions and all("P(alive)" not in a["reason"] for a in actions)
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "all.csv")]) == 0
    exported = pd.read_csv(tmp_path / "all.csv")
    assert len(exported) == 3600


def test_pages_render_the_nbd_answer_without_p_alive(shop):
    db, lines = shop
    at = open_page(db, "clv")
    assert any(NOTE_EN in i.value and "NBD" in i.value for i in at.info)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("still active" in title for title in titles)  # no P(alive) chart made of nothing
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers modelled"] == "3,600"
    assert metrics["Model better than baseline"] in {"Yes", "No"}  # the holdout check answers too
    assert len(at.dataframe) == 1  # top by CLV; no "most likely lost" list without P(alive)

    chinese = open_page(db, "clv", params={"lang": "zh"})
    assert any(NOTE_ZH in i.value for i in chinese.info)

    page = open_page(db, "customer")
    page.text_input(key="cu_search").set_value("7").run()
    assert not page.exception, page.exception
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["P(alive)"] == DASH  # unknown, not 100%
