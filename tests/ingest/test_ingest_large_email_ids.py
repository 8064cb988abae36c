"""A shop whose customers are known by their e-mail: the same shopper types it with capitals
on one order and without on the next. A small export counts one customer (import keeps an
e-mail id lower-cased, README import rules); a large export (DuckDB's reader, above
``reading.LARGE_FILE``) must count the same customers with the same revenue, on each of its
ways: plain rows, rows with ids that are not ASCII, and a file with hand-written amounts."""

import json
import random
import unicodedata
from decimal import Decimal

import pytest

from analysis import cli
from analysis.ingest import reading

ASCII = ["Ann@X.com", "ann@x.com", "ANN@x.COM", "bob@mail.com", "Bob@Mail.com", "C0001", "c0001"]
WIDE = ["Zoë@Shop.CN", "zoë@shop.cn", "ＢＯＢ@ｍａｉｌ.com"]  # not ASCII: normalised in Python
# C0001 and c0001 are no e-mails: two customers, as typed


def _kept(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    return text.lower() if "@" in text else text


def _export(path, odd: bool, shoppers: list[str]) -> dict[str, Decimal]:
    """The export's lines, and each customer's revenue as import should key it (worked out
    here from the rows, not by the code under test)."""
    rng = random.Random(7)
    lines, revenue = ["Customer,Order ID,Order Date,Amount\n"], {}
    for i in range(3000):
        raw = shoppers[i % len(shoppers)] if i < 90 else f"c{rng.randrange(400):04d}@shop.example"
        value = Decimal(rng.randrange(100, 90_000)) / 100
        amount = f'"${value:,.2f}"' if odd and i % 29 == 3 else f"{value:.2f}"
        lines.append(f'{raw},O{i:05d},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{amount}\n')
        revenue[_kept(raw)] = revenue.get(_kept(raw), Decimal(0)) + value
    path.write_text("".join(lines), encoding="utf-8")
    return revenue


@pytest.mark.parametrize("odd, shoppers", [(False, ASCII), (True, ASCII), (False, ASCII + WIDE), (True, ASCII + WIDE)],
                         ids=["plain", "hand-written amounts", "wide ids", "wide ids, hand-written amounts"])
def test_a_large_export_counts_a_shopper_typing_their_email_in_capitals_once(tmp_path, monkeypatch, capsys, odd,
                                                                              shoppers):
    path = tmp_path / "orders.csv"
    revenue = _export(path, odd, shoppers)
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)  # DuckDB's reader takes the file
    db = str(tmp_path / "shop.duckdb")
    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "--db", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kpis"]["buyers"] == len(revenue)
    assert Decimal(str(report["revenue"])) == sum(revenue.values())
    wide = ("zoë@shop.cn", "ZOË@shop.cn") if WIDE[0] in shoppers else ()
    for typed in ("ANN@X.COM", "bob@mail.com", "C0001", "c0001", *wide):
        assert cli.main(["customer", typed, "--db", db, "--json"]) == 0
        profile = json.loads(capsys.readouterr().out)["profile"]
        assert Decimal(str(profile["revenue"])).quantize(Decimal("0.01")) == revenue[_kept(typed)], typed
