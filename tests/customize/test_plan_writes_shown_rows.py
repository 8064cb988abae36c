"""A manager whose workspace's scores are stored (the app was opened once) asks the command
line for the top five suggested actions, then for the whole plan to load into the CRM. The
plan runs on the stored numbers in the engine: the per-customer frame with its words (MVC
reasons, cell strategies, CLV notes, for every customer) is never made, and the suggestions'
texts are written for the rows returned only. The figures in the reasons are checked against
the raw purchase lines."""

from __future__ import annotations

import json
import re

import duckdb
import pandas as pd

from analysis import scores as scoring
from analysis.cli import main
from analysis.customize import writing
from analysis.settings import ReportSettings, SegmentSettings
from analysis.store import Workspace


def cli_json(capsys, *argv):
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def raw_purchase_days(db, as_of) -> pd.DataFrame:
    """customer_id, day: each customer's distinct purchase days up to the as-of date, read
    straight from the purchase lines."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute('SELECT DISTINCT "customer_id", CAST("date" AS DATE) AS day FROM "transactions" '
                           'WHERE "date" <= ?', [as_of]).df()


def test_top_five_and_the_whole_plan_write_the_texts_of_their_rows_only(demo_copy, capsys, monkeypatch):
    with Workspace(demo_copy) as ws:  # the app opened once: the scores are stored
        as_of = scoring.score_customers(ws, settings=ReportSettings(SegmentSettings(currency="$"))).as_of

    written, framed = [], []
    real_write, real_text = writing.write, scoring._with_text

    def counting_write(rows, found, *args, **kwargs):
        written.append((len(rows), set(found["customer_id"].astype(str))))
        return real_write(rows, found, *args, **kwargs)

    def counting_text(frame, *args, **kwargs):
        framed.append(len(frame))
        return real_text(frame, *args, **kwargs)

    monkeypatch.setattr(writing, "write", counting_write)
    monkeypatch.setattr(scoring, "_with_text", counting_text)

    top = cli_json(capsys, "actions", "--db", str(demo_copy), "--limit", "5", "--json")
    assert len(top) == 5
    assert framed == [], "the words of every customer's scores were written for five suggestions"
    assert sum(n for n, _ in written) == 5  # five rows' texts, from those customers' rows only
    assert set().union(*(ids for _, ids in written)) == {a["customer_id"] for a in top}

    written.clear()
    whole = cli_json(capsys, "actions", "--db", str(demo_copy), "--limit", "0", "--json")  # every row
    assert framed == []
    assert sum(n for n, _ in written) == len(whole) > 5000
    assert all(a["reason"] for a in whole)
    assert [(a["customer_id"], a["action"]) for a in whole[:5]] == [(a["customer_id"], a["action"]) for a in top]

    # the figures of every win-back reason, from the raw purchase lines
    days = raw_purchase_days(demo_copy, as_of)
    last = days.groupby("customer_id")["day"].max()
    gaps = days.sort_values("day").groupby("customer_id")["day"].agg(
        lambda d: pd.Series(d).diff().dt.days.median() if len(d) >= 3 else None)
    checked = 0
    for a in whole:
        if a["action"] != "win_back" or a["kind"] != "retention":  # not a campaign's persuadable
            continue
        found = re.match(r"Last bought (\d+) days ago; (?:usually buys every (\d+) days)?", a["reason"])
        assert found, a["reason"]
        assert int(found.group(1)) == (as_of - last[a["customer_id"]].date()).days, a
        if found.group(2):
            assert int(found.group(2)) == round(gaps[a["customer_id"]]), a
        checked += 1
    assert checked > 100
