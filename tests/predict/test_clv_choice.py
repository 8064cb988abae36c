"""`report --clv-model` (issue 17): `auto` fits every candidate on the history up to a cut-off,
scores it on the purchases after it, and uses the one with the lowest mean absolute error; the
CLV page shows the candidates' table. Checked against a calibration/holdout split and an NBD fit
written out here with pandas and SciPy."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.i18n import DASH
from tests.pagetest import open_page
from tests.predict.test_clv_fallback import END, _nbd_mle, shop  # noqa: F401 (the fixture)
from tests.predict_data import summarise


def _clv(capsys, db, *extra) -> dict:
    assert main(["report", "--db", str(db), "--json", *extra]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "clv" not in report["messages"]
    return report["clv"]


def test_auto_scores_each_candidate_on_the_last_third_of_a_short_year(shop, capsys):  # noqa: F811
    db, lines = shop
    clv = _clv(capsys, db)
    first = lines["date"].min()
    hold_days = min(182, (END - first).days // 3)  # a third of the history, at most 26 weeks
    cut = END - pd.Timedelta(days=hold_days)
    assert clv["selection"] == {"asked": "auto", "rule": "lowest_holdout_mae",
                                "calibration_end": cut.date().isoformat(), "holdout_weeks": hold_days / 7}
    assert [c["model"] for c in clv["candidates"]] == ["nbd", "bgnbd", "mbgnbd", "paretonbd"]
    nbd = clv["candidates"][0]
    # nobody looks lapsed: every model with dropout is refused, NBD is used
    assert all(c["params"] is None and c["holdout_mae"] is None for c in clv["candidates"][1:])
    assert clv["model"] == "nbd" and clv["note"].startswith("nobody in this history looks lapsed")

    split = summarise(lines, cut, END)
    x, T = split["x"].to_numpy(), split["T"].to_numpy()
    r, alpha = _nbd_mle(x, T)
    assert nbd["params"]["r"] == pytest.approx(r, rel=1e-3)
    assert nbd["params"]["alpha"] == pytest.approx(alpha, rel=1e-3)
    predicted = (hold_days / 7) * (r + x) / (alpha + T)
    assert nbd["holdout_mae"] == pytest.approx(np.mean(np.abs(split["holdout"].to_numpy() - predicted)), rel=1e-4)


def test_a_model_asked_for_is_used_and_its_refusal_falls_back_to_nbd(shop, capsys):  # noqa: F811
    db, _ = shop
    clv = _clv(capsys, db, "--clv-model", "nbd")
    assert clv["model"] == "nbd" and clv["selection"]["asked"] == "nbd"
    assert [c["model"] for c in clv["candidates"]] == ["nbd"] and clv["candidates"][0]["holdout_mae"] is None
    assert clv["candidates"][0]["params"] == clv["model_params"]
    asked = _clv(capsys, db, "--clv-model", "paretonbd")  # its dropout runs off: NBD, said so
    assert asked["model"] == "nbd" and asked["note"].startswith("nobody in this history looks lapsed")
    with pytest.raises(SystemExit) as refused:
        main(["report", "--db", str(db), "--json", "--clv-model", "gompertz"])
    assert refused.value.code == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_on_the_demo_auto_keeps_bgnbd_and_the_page_shows_the_candidates(demo_copy, capsys):
    clv = _clv(capsys, demo_copy)
    by_model = {c["model"]: c for c in clv["candidates"]}
    assert set(by_model) == {"nbd", "bgnbd", "mbgnbd", "paretonbd"}
    best = min(c["holdout_mae"] for c in clv["candidates"])
    assert clv["model"] == "bgnbd" and by_model["bgnbd"]["holdout_mae"] == best
    assert clv["bgnbd"] == clv["model_params"] and clv["note"] is None
    assert set(by_model["paretonbd"]["params"]) == {"r", "alpha", "s", "beta"}
    assert set(by_model["nbd"]["params"]) == {"r", "alpha"}

    at = open_page(demo_copy, "clv")
    table = at.table[0].value
    assert list(table.index) == ["NBD", "BG/NBD", "MBG/NBD", "Pareto/NBD"]
    assert table.loc["BG/NBD", "Used"] == "Yes" and (table["Used"] == "Yes").sum() == 1
    assert table.loc["NBD", "Mean error per customer, holdout"] == f"{by_model['nbd']['holdout_mae']:,.3f}"
    assert DASH not in set(table["Log-likelihood"])
    assert any("closest to what each customer actually bought" in c.value for c in at.caption)
    chinese = open_page(demo_copy, "clv", params={"lang": "zh"})
    assert "采用" in chinese.table[0].value.columns
