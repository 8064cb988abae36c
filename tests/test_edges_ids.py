"""Ids typed as the file wrote them find their customer (tests/edges.py's odd ids).

Import keeps an id holding ``@`` in lower case (an e-mail used as the id compares without
case) and every id in Unicode NFKC form without invisible characters; a manager who then types
the id as the file has it (``customer @SUM(A1)``, ``log Ｃ００１``) must reach the same customer."""

from __future__ import annotations

from decimal import Decimal

from tests import edges
from tests.cli import ok_json, run

ROWS = [("@SUM(A1)", "o1", "2024-03-01", "40.25", "Tools"), ("@SUM(A1)", "o2", "2024-04-01", "9.75", "Paper"),
        ("Ann.Lee@Example.com", "o3", "2024-04-02", "15.00", "Tools"), ("C001", "o4", "2024-04-03", "7.00", "Tools")]


def test_an_id_typed_as_the_file_wrote_it_finds_its_customer(tmp_path, capsys):
    db = edges.build(edges.Edge("typed_ids", {"p.csv": [edges.PURCHASES] + [list(r) for r in ROWS]}), tmp_path)
    capsys.readouterr()
    for typed in ("@SUM(A1)", "Ann.Lee@Example.com", "Ｃ００１"):
        mine = [r for r in ROWS if edges_id(r[0]) == edges_id(typed)]
        detail = ok_json(capsys, "customer", typed, "--db", db, "--json")
        assert Decimal(str(detail["profile"]["revenue"])) == sum(Decimal(r[3]) for r in mine), typed
        assert detail["profile"]["orders"] == len(mine)
    logged = ok_json(capsys, "log", "@SUM(A1)", "--db", db, "--kind", "contact", "--channel", "phone",
                     "--date", "2024-04-05", "--note", "called", "--json")
    assert logged["customer_id"] == "@sum(a1)"
    detail = ok_json(capsys, "customer", "@SUM(A1)", "--db", db, "--json")
    assert [e for e in detail["events"] if e.get("kind") == "contact"], detail["events"]
    code, out, err = run(capsys, "customer", "@SUM(B2)", "--db", db, "--json")  # a wrong id is still refused
    assert code == 2 and err.startswith("error:") and out == ""


def edges_id(text: str) -> str:
    """The id as the test expects import to keep it: full-width letters and digits as ASCII,
    an id with @ in lower case (written out here, not by calling the code under test)."""
    plain = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return plain.lower() if "@" in plain else plain

