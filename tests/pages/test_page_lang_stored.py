"""One workspace, read in each viewer's language: what the step after an import stores in words
(why a model could not be fitted, why a figure is missing) reads in the language of whoever
opens the page, not in the language of the import (analysis.i18n.translated)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal

from tests.pagetest import import_files, open_page

# Latin words a Chinese page may rightly show: abbreviations the literature keeps.
KEPT = {"CLV", "RFM", "MVC", "MCC", "BZ", "BG", "NBD", "Gamma", "Gini", "ID", "CSV", "HTML", "PNG"}


def _one_time_buyers() -> bytes:
    """A shop's first orders: 24 customers who each bought once (no repeat buyer, so no
    purchase model can be fitted and the scores are stored with its reason), amounts with cents."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Customer", "Order", "Date", "Amount"])
    for n in range(24):
        day = dt.date(2024, 1, 3) + dt.timedelta(days=11 * n)
        w.writerow([f"K{n:03d}", f"A{1000 + n}", day.isoformat(), f"{17 + 13 * n}.{(7 * n) % 100:02d}"])
    return out.getvalue().encode()


def _english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in KEPT]


def test_a_chinese_colleague_reads_the_worksheet_of_a_workspace_imported_in_english(demo_copy):
    orders = _one_time_buyers()
    rows = list(csv.DictReader(io.StringIO(orders.decode())))
    customers = len({r["Customer"] for r in rows})
    revenue = sum(Decimal(r["Amount"]) for r in rows).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    import_files(demo_copy, "shop", [("orders.csv", orders)])  # the import, in English: scores stored
    shop = demo_copy.parent / "shop.duckdb"

    english = open_page(shop, "present")
    facts_en = [x.value for x in english.text if x.value.startswith("• ")]
    # the purchase model's reason, stored with the scores in the words of the import
    assert f"• only {customers} customers; at least 50 are needed to fit the purchase model" in facts_en

    at = open_page(shop, "present", params={"lang": "zh"})
    facts = [x.value for x in at.text if x.value.startswith("• ")]
    assert facts and len(facts) == len(facts_en)
    assert f"{customers:,}" in facts[0] and f"{revenue:,}" in facts[1], facts[:2]
    reason = facts[facts_en.index(f"• only {customers} customers; at least 50 are needed to fit the purchase model")]
    assert re.search(rf"\b{customers}\b", reason) and "50" in reason and re.search(r"[\u4e00-\u9fff]", reason)
    leftover = {f: _english_words(f) for f in facts if _english_words(f)}
    assert not leftover, leftover
    headlines = [x.value for x in at.text if not x.value.startswith("• ")]
    assert not [h for h in headlines if _english_words(h)], headlines
