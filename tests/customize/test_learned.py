"""The action plan learns from the demo's measured campaigns, as a user meets it: `demo`, then
`actions --json`. The lesson's interval is recomputed here from the workspace's own rows
(Wilson/Newcombe written out below), and the persuadables' predicted lift from an uplift model
fitted here with scikit-learn directly on the campaign's stored members."""

from __future__ import annotations

import json
import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from analysis.cli import main
from tests.interact.counting import newcombe, responders_by_group

WIN_BACK, CATALOGUE = "Spring win-back e-mail", "Spring catalogue e-mail"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = tmp_path_factory.mktemp("learned") / "demo.duckdb"
    assert main(["demo", "--db", str(db)]) == 0
    return db


def cli_json(capsys, *argv):
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_a_campaign_that_did_not_beat_its_control_group_lowers_its_action(demo, capsys):
    counted = responders_by_group(demo, CATALOGUE)
    (n0, x0), (n1, x1) = counted["control"], counted["target"]
    lo, hi = newcombe(x1, n1, x0, n0)
    assert lo < 0 < hi  # the catalogue e-mail did not beat its control group
    expected = f"did not beat its control group ({100 * lo:+.1f} to {100 * hi:+.1f} points): priority lowered."
    found = cli_json(capsys, "actions", "--db", str(demo), "--action", "cross_sell", "--json")
    assert found and all(a["reason"].endswith(expected) and CATALOGUE in a["reason"] for a in found)
    # The priority is the playbook's (30 + 30 x confidence) less 20 points.
    for a in found[:20]:
        confidence = int(re.match(r"(\d+)% of customers", a["reason"]).group(1)) / 100
        assert abs(a["priority"] - (round(30 + 30 * confidence) - 20)) <= 1
    # The win-back worked: its suggestions are not lowered.
    for a in cli_json(capsys, "actions", "--db", str(demo), "--action", "win_back", "--json"):
        assert "priority lowered" not in a["reason"]

    # In Chinese, the same lesson.
    zh = cli_json(capsys, "actions", "--db", str(demo), "--action", "cross_sell", "--json", "--lang", "zh")
    assert f"{100 * lo:+.1f}" in zh[0]["reason"] and "优先级" in zh[0]["reason"]


def independent_persuadables(db) -> pd.DataFrame:
    """Two gradient-boosted classifiers on the win-back campaign's members (treated, control),
    then today's customers scored: persuadable = likely to respond (at or above the members'
    response rate) only if contacted."""
    from analysis.scores import score_customers
    from analysis.store import Workspace

    with duckdb.connect(str(db), read_only=True) as con:
        members = con.execute(
            "SELECT m.customer_id, m.arm, m.features_json, EXISTS (SELECT 1 FROM transactions t WHERE "
            "t.customer_id = m.customer_id AND t.amount > 0 AND t.date >= c.start_date AND "
            "t.date < c.start_date + INTERVAL 30 DAY) AS responded FROM campaign_members m JOIN campaigns c "
            "USING (campaign_id) WHERE c.name = ? ORDER BY m.row_number", [WIN_BACK]).df()
    columns = ["recency_days", "orders", "revenue", "tier", "cell", "satisfaction_5"]
    X = pd.DataFrame([json.loads(f) for f in members["features_json"]])[columns]
    with Workspace(str(db), read_only=True) as ws:
        today = score_customers(ws).frame
    cats = {c: sorted(X[c].dropna().astype(str).unique()) for c in ("tier", "cell")}

    def encode(frame):
        out = frame[columns].copy()
        for c, values in cats.items():
            out[c] = pd.Categorical(out[c].astype("string"), categories=values)
        for c in ("recency_days", "orders", "revenue", "satisfaction_5"):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
        return out

    y = members["responded"].astype(int).to_numpy()
    treated = (members["arm"] != "control").to_numpy()
    model = lambda: HistGradientBoostingClassifier(  # noqa: E731
        max_depth=2, learning_rate=0.05, max_iter=100, early_stopping=False, categorical_features="from_dtype",
        random_state=0)
    p_t = model().fit(encode(X)[treated], y[treated]).predict_proba(encode(today))[:, 1]
    p_c = model().fit(encode(X)[~treated], y[~treated]).predict_proba(encode(today))[:, 1]
    rate = y.mean()
    chosen = (p_t >= rate) & (p_c < rate) & (p_t > p_c)
    return pd.DataFrame({"customer_id": today["customer_id"].astype(str)[chosen], "lift": (p_t - p_c)[chosen]})


def test_persuadables_of_the_campaign_that_worked_get_its_action(demo, capsys):
    counted = responders_by_group(demo, WIN_BACK)
    (n0, x0), (n1, x1) = counted["control"], counted["target"]
    assert newcombe(x1, n1, x0, n0)[0] > 0  # the win-back worked
    found = cli_json(capsys, "actions", "--db", str(demo), "--action", "win_back", "--json")
    learned = [a for a in found if a["reason"].startswith(f"In the “{WIN_BACK}” test")]
    assert len(learned) >= 20
    expected = independent_persuadables(demo).set_index("customer_id")["lift"]
    for a in learned:
        points = float(re.search(r"answered ([0-9.]+) points more often", a["reason"]).group(1))
        assert a["customer_id"] in expected.index
        assert points == pytest.approx(100 * expected[a["customer_id"]], abs=0.051)
        assert a["priority"] == round(75 + min(20.0, points)) or abs(a["priority"] - (75 + min(20, points))) <= 1
        assert a["channel"] == "email" and a["action"] == "win_back"
    # The customer's page says the same (customer --json).
    one = learned[0]["customer_id"]
    detail = cli_json(capsys, "customer", one, "--db", str(demo), "--json")
    assert any(a["reason"] == learned[0]["reason"] for a in detail["actions"])


def test_the_learning_is_stored_once_per_data_version(demo):
    from analysis.customize import learned
    from analysis.scores import score_customers
    from analysis.store import Workspace

    def stored():
        with duckdb.connect(str(demo), read_only=True) as con:
            return con.execute("SELECT count(*) FROM results WHERE kind = 'learning'").fetchone()[0]

    with Workspace(str(demo)) as ws:
        scores = score_customers(ws)
        first = learned.learning(ws, scores.as_of, scores.frame)
    kinds = stored()
    with Workspace(str(demo)) as ws:
        again = learned.learning(ws, scores.as_of, scores.frame)
    assert stored() == kinds >= 1
    pd.testing.assert_frame_equal(first.persuadables, again.persuadables)
    pd.testing.assert_frame_equal(first.lessons, again.lessons)
    assert list(first.lessons["verdict"]) == ["inconclusive", "worked"]
    assert np.isfinite(first.persuadables["learned_lift"]).all()
