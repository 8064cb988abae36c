"""The demo company's two past campaigns, measured through the command line as a user would:
one worked, one did not; the figures recomputed here from the workspace's own purchases."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from analysis.cli import main
from tests.interact.counting import responders_by_group


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    paths = [folder / "a.duckdb", folder / "b.duckdb"]
    for path in paths:
        assert main(["demo", "--db", str(path)]) == 0
    return paths


def measured(capsys, db, name):
    capsys.readouterr()
    assert main(["campaign", "measure", name, "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_demo_has_a_campaign_that_worked_and_one_that_did_not(demo, capsys):
    db = demo[0]
    capsys.readouterr()
    assert main(["campaign", "list", "--db", str(db), "--json"]) == 0
    listed = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"Spring win-back e-mail", "Spring catalogue e-mail"}
    for c in listed.values():
        assert c["control_customers"] == round(c["customers"] * 0.1) and c["start"] == "2026-03-02"

    worked = measured(capsys, db, "Spring win-back e-mail")
    counted = responders_by_group(db, "Spring win-back e-mail")
    for arm in worked["arms"]:
        assert (arm["customers"], arm["responders"]) == counted[arm["arm"]]
    (n0, x0), (n1, x1) = counted["control"], counted["target"]
    assert worked["arms"][1]["vs_control"]["rate_diff"] == pytest.approx(x1 / n1 - x0 / n0)
    assert worked["verdict"]["code"] == "worked" and worked["verdict"]["rate_diff_ci"][0] > 0
    assert worked["verdict"]["text"].startswith("worked: +")

    flat = measured(capsys, db, "Spring catalogue e-mail")
    counted = responders_by_group(db, "Spring catalogue e-mail")
    assert {a["arm"]: (a["customers"], a["responders"]) for a in flat["arms"]} == counted
    lo, hi = flat["verdict"]["rate_diff_ci"]
    assert flat["verdict"]["code"] == "inconclusive" and lo < 0 < hi
    assert "includes zero" in flat["verdict"]["text"]

    # In Chinese, the same verdict in words.
    capsys.readouterr()
    assert main(["campaign", "measure", "Spring catalogue e-mail", "--db", str(db), "--lang", "zh"]) == 0
    assert "尚无定论" in capsys.readouterr().out


def test_the_demo_campaigns_are_the_same_for_the_same_seed(demo):
    got = []
    for db in demo:
        with duckdb.connect(str(db), read_only=True) as con:
            got.append(con.execute('SELECT c.name, m.customer_id, m.arm, m.features_json FROM campaign_members m '
                                   'JOIN campaigns c USING (campaign_id) ORDER BY 1, 2').fetchall())
            got.append(con.execute("SELECT count(*), sum(amount) FROM transactions WHERE date >= ?",
                                   [dt.date(2026, 3, 2)]).fetchall())
    assert got[0] == got[2] and got[1] == got[3]
