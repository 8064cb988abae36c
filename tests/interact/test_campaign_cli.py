"""A marketing manager's campaign from the command line: create it from the actions filters,
download the list, record contacts, measure it; and an experiment done elsewhere imported and
measured. Figures are checked against the workspace's own rows read directly, not through the
code under test."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.cli import main
from analysis.interact.campaigns.measure import measure_campaign
from tests.cli import run, run_json
from tests.conftest import shared_dataset

START = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("camp") / "demo.duckdb"
    assert main(["demo", "--db", str(path)]) == 0
    return path


def rows(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def test_create_download_log_and_measure_a_win_back_campaign(demo_db, tmp_path, capsys):
    db = str(tmp_path / "ws.duckdb")
    with open(demo_db, "rb") as src, open(db, "wb") as dst:
        dst.write(src.read())
    out = tmp_path / "targets.csv"
    made = run_json(capsys, "campaign", "create", "Spring win-back", "--db", db, "--action", "win_back",
                    "--seed", "11", "--start", START.isoformat(), "--as-of", "2026-05-31", "--out", str(out))
    # The customers with a win-back suggestion, as the actions command lists them.
    listed = run_json(capsys, "actions", "--db", db, "--action", "win_back", "--as-of", "2026-05-31",
                      "--limit", "100000")
    wanted = sorted({r["customer_id"] for r in listed})
    assert made["customers"] == len(wanted)
    assert made["control"] == round(len(wanted) * 0.1) and made["target"] == len(wanted) - made["control"]
    members = rows(db, 'SELECT customer_id, arm FROM campaign_members JOIN campaigns USING (campaign_id) '
                       'WHERE name = ?', [made["name"]])
    assert sorted(members["customer_id"]) == wanted
    control = set(members.loc[members["arm"] == "control", "customer_id"])
    # The downloaded list: every targeted customer once, nobody from the control group.
    downloaded = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(downloaded) == made["target"] and not set(downloaded["customer_id"]) & control
    assert set(downloaded["customer_id"]) == set(wanted) - control
    assert made["minimum_detectable_effect"] is not None and 0 < made["minimum_detectable_effect"] < 1

    # Same seed, same groups: the draw is reproducible.
    again = run_json(capsys, "campaign", "create", "Spring win-back bis", "--db", db, "--action", "win_back",
                     "--seed", "11", "--start", START.isoformat(), "--as-of", "2026-05-31")
    twin = rows(db, 'SELECT customer_id, arm FROM campaign_members m JOIN campaigns c USING (campaign_id) '
                    'WHERE c.name = ?', [again["name"]])
    assert set(twin.loc[twin["arm"] == "control", "customer_id"]) == control

    # The name is taken: one error line, exit 2, nothing stored.
    code, _, err = run(capsys, "campaign", "create", "Spring win-back", "--db", db, "--action", "win_back")
    assert code == 2 and err.startswith("error:") and err.count("\n") == 1 and "Spring win-back" in err
    # A list file that is neither CSV nor Excel: refused before anything is stored.
    code, _, err = run(capsys, "campaign", "create", "To a text file", "--db", db, "--tier", "top", "--out",
                       str(tmp_path / "list.txt"))
    assert code == 2 and "list.txt" in err and err.count("\n") == 1
    names = [c["name"] for c in run_json(capsys, "campaign", "list", "--db", db)]
    assert names[:2] == ["Spring win-back bis", "Spring win-back"] and len(names) == 4  # and the demo's two

    # A contact with a targeted customer answers the campaign's action (no --answers given).
    someone = sorted(set(wanted) - control)[0]
    run_json(capsys, "log", someone, "--db", db, "--kind", "contact", "--channel", "phone", "--date", "2026-06-10",
             "--outcome", "done")
    answered = rows(db, "SELECT answers_action FROM interactions WHERE customer_id = ? ORDER BY interaction_id "
                        "DESC LIMIT 1", [someone])
    assert answered["answers_action"].tolist() == ["win_back"]
    # A contact outside the campaign's window, or with a customer of its control group, answers nothing.
    outsider = sorted(control)[0]
    run_json(capsys, "log", outsider, "--db", db, "--kind", "contact", "--channel", "phone", "--date", "2026-06-11")
    run_json(capsys, "log", someone, "--db", db, "--kind", "contact", "--channel", "phone", "--date", "2026-05-30")
    later = rows(db, "SELECT customer_id, answers_action FROM interactions ORDER BY interaction_id DESC LIMIT 2")
    assert later["answers_action"].isna().all()
    # ... so the learning of the rules drops the win-back the customer has had.
    after = run_json(capsys, "actions", "--db", db, "--action", "win_back", "--limit", "100000")
    assert someone not in {r["customer_id"] for r in after}

    # Measured: a purchase in the 30 days from the start, or the recorded "done".
    measured = run_json(capsys, "campaign", "measure", "Spring win-back", "--db", db)
    bought = rows(db, 'SELECT m.customer_id, m.arm, coalesce(sum(t.amount) FILTER (WHERE t.date >= ? AND t.date < ?), 0) '
                      'AS value, count(t.amount) FILTER (WHERE t.date >= ? AND t.date < ? AND t.amount > 0) AS n '
                      'FROM campaign_members m JOIN campaigns c USING (campaign_id) LEFT JOIN transactions t '
                      'ON t.customer_id = m.customer_id WHERE c.name = ? GROUP BY ALL',
                  [START, START + dt.timedelta(days=30)] * 2 + ["Spring win-back"])
    bought["response"] = (bought["n"] > 0) | (bought["customer_id"] == someone)
    assert measured["control"] == "control"
    for entry in measured["arms"]:
        group = bought[bought["arm"] == entry["arm"]]
        assert entry["customers"] == len(group)
        assert entry["responders"] == int(group["response"].sum())
        assert entry["value_per_customer"] == pytest.approx(float(group["value"].astype(float).mean()), abs=1e-9)
    assert measured["arms"][0]["vs_control"] is None
    vs = measured["arms"][1]["vs_control"]
    assert set(vs) >= {"rate_diff", "rate_diff_ci", "p_value", "value_diff", "value_diff_ci", "incremental_value"}
    assert measured["verdict"]["code"] in ("worked", "inconclusive", "backfired") and measured["verdict"]["text"]


def test_an_imported_experiment_gives_hillstroms_published_figures(demo_db, tmp_path, capsys):
    path = shared_dataset("hillstrom.csv")
    db = str(tmp_path / "ws.duckdb")
    with open(demo_db, "rb") as src, open(db, "wb") as dst:
        dst.write(src.read())
    made = run_json(capsys, "campaign", "import", str(path), "--db", db, "--name", "Hillstrom", "--arm", "segment",
                    "--control", "No E-Mail", "--response", "conversion", "--value", "spend")
    assert made["customers"] == 64000
    measured = run_json(capsys, "campaign", "measure", "Hillstrom", "--db", db)
    arms = {a["arm"]: a for a in measured["arms"]}
    assert round(100 * arms["Mens E-Mail"]["response_rate"], 3) == 1.253
    assert round(100 * arms["No E-Mail"]["response_rate"], 3) == 0.573
    assert round(arms["Mens E-Mail"]["vs_control"]["value_diff"], 3) == 0.770
    # The spend interval equals Welch's test on the raw file, read here with pandas.
    raw = pd.read_csv(path)
    for name in ("Mens E-Mail", "Womens E-Mail"):
        welch = stats.ttest_ind(raw.loc[raw["segment"] == name, "spend"], raw.loc[raw["segment"] == "No E-Mail",
                                "spend"], equal_var=False)
        ci = welch.confidence_interval(0.95)
        assert [round(v, 3) for v in arms[name]["vs_control"]["value_diff_ci"]] == [round(ci.low, 3),
                                                                                     round(ci.high, 3)]
    # Stored and read back, the figures are those of the file itself.
    direct = measure_campaign(raw, control="No E-Mail", name="Hillstrom", arm_column="segment",
                              response_column="conversion", value_column="spend")
    for mine, theirs in zip(sorted(measured["arms"], key=lambda a: a["arm"]),
                            sorted(direct["arms"], key=lambda a: a["arm"])):
        assert mine["responders"] == theirs["responders"] and mine["customers"] == theirs["customers"]
        assert mine["value_per_customer"] == pytest.approx(theirs["value_per_customer"], abs=1e-9)
    assert measured["verdict"]["code"] == "worked"

    # Only the men's e-mail against no e-mail.
    one = run_json(capsys, "campaign", "measure", "Hillstrom", "--db", db, "--arm", "Mens E-Mail")
    assert [a["arm"] for a in one["arms"]] == ["No E-Mail", "Mens E-Mail"]

    # The uplift of the women's e-mail on visits, learned from the file's other columns.
    lifted = run_json(capsys, "campaign", "uplift", "Hillstrom", "--db", db, "--arm", "Womens E-Mail",
                      "--response", "visit", "--seed", "42")
    assert (lifted["train_customers"], lifted["test_customers"]) == (21346, 21347)
    assert lifted["uplift_at"]["0.3"] > 0.066  # scikit-uplift's published example
    assert lifted["qini"] > 0 and lifted["qini_ci"][0] > 0
    assert sum(lifted["groups"].values()) == 21387 + 21306


def test_a_bad_experiment_file_is_refused_naming_row_column_and_value(demo_db, tmp_path, capsys):
    db = str(tmp_path / "ws.duckdb")
    with open(demo_db, "rb") as src, open(db, "wb") as dst:
        dst.write(src.read())
    bad = tmp_path / "试验.csv"
    bad.write_text("客户,组,回应,金额\nA1,邮件,1,10.5\nA2,无,0,0\nA3,邮件,也许,3\n", encoding="gbk")
    code, _, err = run(capsys, "campaign", "import", str(bad), "--db", db, "--name", "试验", "--arm", "组",
                       "--control", "无", "--response", "回应", "--value", "金额", "--customer", "客户")
    assert code == 2 and err.startswith("error:") and err.count("\n") == 1
    assert "试验.csv" in err and "row 4" in err and "回应" in err and "也许" in err
    assert "试验" not in {c["name"] for c in run_json(capsys, "campaign", "list", "--db", db)}
    # Fixed, it imports; a measure with a missing group is said in words.
    bad.write_text("客户,组,回应,金额\nA1,邮件,1,10.5\nA2,无,0,0\nA3,邮件,0,3\n", encoding="gbk")
    made = run_json(capsys, "campaign", "import", str(bad), "--db", db, "--name", "试验", "--arm", "组",
                    "--control", "无", "--response", "回应", "--value", "金额", "--customer", "客户")
    assert made["arms"] == {"无": 1, "邮件": 2}
    measured = run_json(capsys, "campaign", "measure", "试验", "--db", db)
    assert [(a["arm"], a["responders"]) for a in measured["arms"]] == [("无", 0), ("邮件", 1)]
    code, _, err = run(capsys, "campaign", "measure", "nothing", "--db", db)
    assert code == 2 and "nothing" in err and err.count("\n") == 1
