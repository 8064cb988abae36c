"""Workspaces at the edges of what import accepts, each written as files and imported through
the real import (the CLI's ``ingest``), for tests/test_edges_*.py.

Each edge is a :class:`Edge`: its name, the files a manager would export (rows as lists, the
first one the header), the ingest flags it needs, and the ids a test opens one at a time.
:func:`build` writes the files and imports them into ``<folder>/<name>.duckdb``.

Import as ``from tests import edges``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from analysis.cli import main

PURCHASES = ["customer_id", "order_id", "date", "amount", "category"]
CUSTOMERS = ["customer_id", "name", "region", "industry", "channel", "signup_date"]
CONTACTS = ["customer_id", "date", "channel", "kind", "satisfaction", "scale", "outcome", "note"]
TOMORROW = dt.date.today() + dt.timedelta(days=1)
NEXT_YEAR = dt.date.today() + dt.timedelta(days=365)

# ids people type: leading zeros, formulas, HTML, Unicode, emoji, spaces inside, very long
ODD_IDS = ("007", "7", "=1+1", "@SUM(A1)", "<script>alert(1)</script>", "Zoë Müller", "客户一号", "🦄",
           "A B", "L" * 120)


@dataclass(frozen=True)
class Edge:
    name: str
    files: dict[str, list[list]]  # file name -> rows (header first)
    flags: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # customers a test opens alone
    notes: dict = field(default_factory=dict)


def _purchases(rows: list[tuple]) -> list[list]:
    return [PURCHASES] + [list(r) for r in rows]


def _history(cid: str, first: dt.date, years: int, every_days: int, amount: str) -> list[tuple]:
    out, day, n = [], first, 0
    end = first + dt.timedelta(days=365 * years)
    while day <= end:
        n += 1
        out.append((cid, f"{cid}-{n}", day.isoformat(), amount, "Tools" if n % 2 else "Paper"))
        day += dt.timedelta(days=every_days)
    return out


def edges() -> list[Edge]:
    """Every edge workspace, smallest first."""
    one_time = [(f"O{n:02d}", f"o{n}", (dt.date(2024, 1, 1) + dt.timedelta(days=3 * n)).isoformat(),
                 f"{10 + n}.00", "Tools") for n in range(40)]
    odd = [(cid, f"x{n}", (dt.date(2024, 1, 5) + dt.timedelta(days=7 * n)).isoformat(), f"{25 + n}.50",
            "<b>Cat</b>" if n % 2 else "=HYPERLINK(\"x\")") for n, cid in enumerate(ODD_IDS)]
    odd += [(cid, f"y{n}", (dt.date(2024, 3, 1) + dt.timedelta(days=5 * n)).isoformat(), f"{40 + n}.00", "Tools")
            for n, cid in enumerate(ODD_IDS[::2])]
    return [
        Edge("one_purchase", {"p.csv": _purchases([("C1", "o1", "2024-05-01", "12.34", "Tools")])}, ids=("C1",)),
        Edge("twins", {"p.csv": _purchases([("T1", "a1", "2024-05-01", "50.00", "Tools"),
                                            ("T1", "a2", "2024-06-01", "50.00", "Tools"),
                                            ("T2", "b1", "2024-05-01", "50.00", "Tools"),
                                            ("T2", "b2", "2024-06-01", "50.00", "Tools")])}, ids=("T1", "T2")),
        Edge("one_time_buyers", {"p.csv": _purchases(one_time)}, ids=("O00", "O39")),
        Edge("net_zero", {"p.csv": _purchases([("N1", "n1", "2024-04-01", "80.00", "Tools"),
                                               ("N1", "n2", "2024-04-20", "-80.00", "Tools"),
                                               ("N2", "m1", "2024-04-05", "-15.00", "Paper"),
                                               ("B1", "b1", "2024-04-10", "99.00", "Paper"),
                                               ("B1", "b2", "2024-05-10", "101.00", "Paper")])},
             ids=("N1", "N2", "B1")),
        Edge("extreme_amounts", {"p.csv": _purchases([("S1", "s1", "2024-02-01", "0.01", "Tools"),
                                                      ("S1", "s2", "2024-03-01", "0.01", "Tools"),
                                                      ("R1", "r1", "2024-02-10", "99999999.99", "Paper"),
                                                      ("R1", "r2", "2024-03-10", "99999999.99", "Paper"),
                                                      ("M1", "m1", "2024-02-20", "100.00", "Tools")])},
             ids=("S1", "R1")),
        Edge("dates_far_apart", {"p.csv": _purchases([("E1", "e1", "1970-01-01", "10.00", "Tools"),
                                                      ("E1", "e2", "2024-05-01", "20.00", "Tools"),
                                                      ("F1", "f1", TOMORROW.isoformat(), "30.00", "Paper"),
                                                      ("F1", "f2", NEXT_YEAR.isoformat(), "40.00", "Paper")])},
             flags=("--allow-future-dates",), ids=("E1", "F1")),
        Edge("before_signup", {
            "c.csv": [CUSTOMERS, ["P1", "Early Bird", "North", "Retail", "online", "2024-06-01"],
                      ["P2", "Late", "South", "Retail", "direct", "2023-01-01"]],
            "p.csv": _purchases([("P1", "q1", "2024-01-15", "70.00", "Tools"),
                                 ("P1", "q2", "2024-07-15", "30.00", "Tools"),
                                 ("P2", "q3", "2024-02-01", "55.00", "Paper")])}, ids=("P1",)),
        Edge("twenty_years", {"p.csv": _purchases(_history("H1", dt.date(2004, 6, 1), 20, 61, "120.00")
                                                  + _history("H2", dt.date(2014, 6, 1), 10, 45, "80.00")
                                                  + _history("H3", dt.date(2023, 6, 1), 1, 30, "35.00"))},
             ids=("H1", "H3")),
        Edge("prospects_only", {"i.csv": [CONTACTS, ["Q1", "2024-05-01", "email", "contact", "", "", "", "hello"],
                                          ["Q2", "2024-05-03", "phone", "survey", "4", "5", "", ""]]},
             ids=("Q1",)),
        Edge("list_only", {"c.csv": [CUSTOMERS, ["L1", "Listed One", "North", "Retail", "online", "2024-01-01"],
                                     ["L2", "Listed Two", "South", "Trade", "direct", "2024-02-01"]]},
             ids=("L1",)),
        Edge("list_without_buyers", {
            "c.csv": [CUSTOMERS, ["K1", "Kay", "North", "Retail", "online", "2024-01-01"],
                      ["K2", "Kim", "South", "Retail", "online", "2024-01-01"]],
            "p.csv": _purchases([("U1", "u1", "2024-03-01", "60.00", "Tools"),
                                 ("U1", "u2", "2024-04-01", "40.00", "Tools")])}, ids=("K1", "U1")),
        Edge("one_end_of_scale", {
            "p.csv": _purchases([(f"V{n}", f"v{n}", f"2024-0{1 + n % 6}-1{n % 9}", f"{30 + 5 * n}.00", "Tools")
                                 for n in range(8)]),
            "i.csv": [CONTACTS] + [[f"V{n}", "2024-06-20", "email", "survey", "1", "5", "", ""] for n in range(8)]},
             ids=("V0",)),
        Edge("odd_ids", {"c.csv": [CUSTOMERS] + [[cid, f"{cid} name " + "n" * 200, "<script>x</script>", "=1+1",
                                                  "@SUM(A1)", "2023-01-01"] for cid in ODD_IDS],
                         "p.csv": _purchases(odd)}, ids=ODD_IDS),
    ]


def write(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def build(edge: Edge, folder: Path) -> Path:
    """``edge``'s files written in ``folder``/<name>/ and imported into ``folder``/<name>.duckdb."""
    folder = Path(folder)
    src = folder / edge.name
    src.mkdir(parents=True, exist_ok=True)
    files = [write(src / name, rows) for name, rows in edge.files.items()]
    db = folder / f"{edge.name}.duckdb"
    code = main(["ingest", *map(str, files), "--db", str(db), *edge.flags])
    assert code == 0, f"{edge.name}: import refused"
    return db


def kept(cid: str) -> str:
    """The id as the README says import keeps it, for the ids of :data:`ODD_IDS` and the
    edges' plain ids: an id with ``@`` in lower case, every other as written."""
    return cid.lower() if "@" in cid else cid


def purchase_rows(edge: Edge) -> list[dict]:
    """The edge's purchase lines as dicts (customer_id as kept, date, amount as Decimal)."""
    from decimal import Decimal

    out = []
    for rows in edge.files.values():
        if rows[0] == PURCHASES:
            out += [{"customer_id": kept(r[0]), "date": dt.date.fromisoformat(r[2]), "amount": Decimal(r[3])}
                    for r in rows[1:]]
    return out


def everyone(edge: Edge) -> set[str]:
    """Every customer id of the edge's files (the customer list, purchases and contacts), as kept."""
    return {kept(r[0]) for rows in edge.files.values() for r in rows[1:]}


def days(edge: Edge) -> list[dt.date]:
    """Every purchase and contact day of the edge's files."""
    return [dt.date.fromisoformat(r[2] if rows[0] == PURCHASES else r[1]) for rows in edge.files.values()
            if rows[0] in (PURCHASES, CONTACTS) for r in rows[1:]]
