"""Every command on workspaces at the edges of what import accepts (tests/edges.py: one
purchase, twins, one-time buyers, net zero, 0.01 and 99,999,999.99, 1970 and next year, a
purchase before sign-up, twenty years, prospects only, a customer list only, odd ids ...).

A manager imports the edge's files with ``ingest`` and runs ``report``, ``report --as-of`` the
first and the last day, ``actions``, ``customer ID`` for the edge's customers, ``export`` and
``campaign list``: each succeeds, prints strict JSON (no NaN or Infinity) with no "nan" or
"inf" in it, and its figures are the ones counted here from the files' rows (customers,
purchase lines, revenue to the cent, one customer's revenue and orders)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pandas as pd
import pytest

from tests import edges
from tests.cli import run

EDGES = {e.name: e for e in edges.edges()}
FIRST_DAY = ("one_purchase", "dates_far_apart", "twenty_years", "before_signup")
WORDS = re.compile(r'(?<![A-Za-z])(nan|NaN|inf|Infinity|NaT)(?![A-Za-z])')


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edges")
    return {name: edges.build(edge, folder) for name, edge in EDGES.items()}


def strict(out: str):
    def refuse(constant):
        raise AssertionError(f"not JSON: {constant}")

    assert not WORDS.search(out), WORDS.search(out)
    return json.loads(out, parse_constant=refuse)


def command(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, (argv, err[-2000:])
    return strict(out)


def cents(value) -> Decimal:
    assert value is not None, "an amount is null"
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("name", list(EDGES))
def test_every_command_copes_and_counts_from_the_rows(built, capsys, name):
    edge, db = EDGES[name], built[name]
    capsys.readouterr()
    rows, days = edges.purchase_rows(edge), edges.days(edge)
    report = command(capsys, "report", "--db", db, "--json")
    assert report["customers"] == len(edges.everyone(edge))
    assert report["transactions"] == len(rows)
    assert cents(report["revenue"]) == sum((r["amount"] for r in rows), Decimal("0.00"))
    assert report["as_of"] == (max(days) if days else dt.date.today()).isoformat()
    if name in FIRST_DAY:  # the as-of date at the data's first day (the last is the default)
        first = command(capsys, "report", "--db", db, "--as-of", min(days).isoformat(), "--json")
        assert cents(first["revenue"]) == sum((r["amount"] for r in rows if r["date"] == min(days)), Decimal("0.00"))
        listed = {edges.kept(r[0]) for rows_ in edge.files.values() if rows_[0] == edges.CUSTOMERS for r in rows_[1:]}
        assert first["customers"] == len(listed | {r["customer_id"] for r in rows if r["date"] == min(days)})
    command(capsys, "actions", "--db", db, "--json")
    for cid in edge.ids:
        detail = command(capsys, "customer", cid, "--db", db, "--json")
        mine = [r for r in rows if r["customer_id"] == edges.kept(cid)]
        assert detail["profile"]["customer_id"] == edges.kept(cid)
        assert cents(detail["profile"]["revenue"] or 0) == sum((r["amount"] for r in mine), Decimal("0.00")), cid
    out = db.with_suffix(".csv")
    code, _, err = run(capsys, "export", "--db", db, "--out", out)
    assert code == 0, err
    exported = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(exported) == report["customers"]
    assert command(capsys, "campaign", "list", "--db", db, "--json") == []
