"""`log` starts fast in its other forms too (issue 15 §2 "The CLI starts fast"): a sales
manager types the day's contacts as they come to mind, dates the way people write them
("31 May 2026", "06/29/2026 2:30pm", "29.06.2026") and one contact answering the campaign
action the uplift model suggested (`--answers persuadable`). Each command runs in a process
of its own and loads none of the heavy libraries; each row is in the workspace file as typed,
read back with DuckDB directly. Forms only pandas reads ("today", a month without its day)
still work, through pandas."""

import datetime as dt
import json
import subprocess
import sys

import duckdb
import pytest

from tests.test_cli_startup import ROOT, cli, logged_as_typed


def test_contacts_dated_as_people_write_them_and_a_learned_action_answered_load_no_heavy_library(demo_copy,
                                                                                                     tmp_path):
    db = str(demo_copy)
    before = dt.datetime.now().replace(microsecond=0)
    forms = [
        (["C00042", "--kind", "contact", "--channel", "phone", "--date", "31 May 2026"],
         {"occurred_at": dt.datetime(2026, 5, 31)}),
        (["C00042", "--kind", "complaint", "--channel", "email", "--date", "06/29/2026 2:30pm", "--note", "Late"],
         {"occurred_at": dt.datetime(2026, 6, 29, 14, 30), "note": "Late"}),
        (["C00017", "--kind", "survey", "--channel", "web", "--date", "29.06.2026", "--satisfaction", "4"],
         {"occurred_at": dt.datetime(2026, 6, 29), "satisfaction": 4.0, "scale": 5.0}),
        (["C00017", "--kind", "contact", "--channel", "email", "--date", "Jun 30, 2026 09:15 +0200",
          "--outcome", "accepted", "--answers", "persuadable", "--json"],
         {"occurred_at": dt.datetime(2026, 6, 30, 7, 15), "outcome": "accepted", "answers_action": "persuadable"}),
        (["C00042", "--kind", "contact", "--channel", "phone", "--answers", "persuadable"],
         {"answers_action": "persuadable"}),
    ]
    logged_as_typed(tmp_path, db, forms, before)

    # Forms only pandas reads still work (through pandas), and a non-date is refused in one line.
    done, _ = cli(tmp_path, "log", "C00042", "--db", db, "--kind", "contact", "--channel", "phone",
                  "--date", "today")
    assert done.returncode == 0, done.stderr
    with duckdb.connect(db, read_only=True) as con:
        when = con.execute('SELECT max("occurred_at") FROM "interactions"').fetchone()[0]
    assert dt.datetime.now() - when < dt.timedelta(minutes=10)
    done, _ = cli(tmp_path, "log", "C00042", "--db", db, "--kind", "contact", "--channel", "phone",
                  "--date", "the day after the fair")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:") and "the day after the fair" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_every_built_in_action_is_known_to_log_without_the_rules_modules():
    """The actions `log --answers` knows without importing the rules are every built-in rule
    (a fresh process, so no test's custom rule is registered)."""
    code = ("import json; from analysis.customize import actions; from analysis.customize.rules import RULES; "
            "from analysis.customize.catalog import _BUILTIN_TEXTS; "
            "from analysis.interact.contacts import LEARNED_ACTIONS; "
            "print(json.dumps([sorted(RULES), sorted(_BUILTIN_TEXTS), sorted(LEARNED_ACTIONS)]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rules, texts, learned = map(set, json.loads(done.stdout))
    assert learned <= rules
    assert rules <= texts | learned, rules - texts - learned


WRITTEN = ["31 May 2026", "May 31st, 2026", "MAY 31 2026", "Friday 29 May 2026", "31/05/2026", "05/31/2026 2:30 PM",
           "31.5.26", "5.31.2026", "1/2/3", "99-12-31", "24-05-31", "20260531 1430", "2026/5/31 14:30:15.5",
           "12:30 31/05/2026", "31/05/2026 12:30 +05:30", "Fri, 29 May 2026 10:00:00 GMT"]
# pandas decides these: its own words, a missing part, an unknown zone, no date at all
PANDAS_ONLY = ["today", "2026-05", "May 2026", "T14:30", "31 May 2026 25:00", "2026-05-31 14:30 CET", "1717113600"]


@pytest.mark.parametrize("text", WRITTEN + PANDAS_ONLY)
def test_a_date_read_without_pandas_is_the_moment_pandas_reads(text):
    import pandas as pd

    from analysis.interact.contacts import _written_moment

    mine = _written_moment(text)
    if text in PANDAS_ONLY:
        assert mine is None
    else:
        stamp = pd.Timestamp(text)
        assert mine == (stamp.tz_convert(None) if stamp.tzinfo else stamp).to_pydatetime()
