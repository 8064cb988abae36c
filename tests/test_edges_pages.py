"""Every page on workspaces at the edges of what import accepts (tests/edges.py), in English
and in Chinese, with the sidebar's widgets at their ends.

A manager imports the edge's files with ``ingest``, opens the app on it and goes through every
page (one session, as a person clicks through the menu), then sets the as-of date to the
data's first day and the activity window to its shortest and longest: no exception, no "nan",
"None", "inf" or "NaT" anywhere on screen (texts, tiles, tables), and the Overview's tiles are
the figures counted here from the files' rows (customers, revenue in whole units, rounded half
up as the README says)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from analysis import i18n
from tests import edges
from tests.pagetest import open_page

EDGES = {e.name: e for e in edges.edges()}
PAGES = ("overview", "data", "cohorts", "pyramid", "value", "matrix", "segments", "clusters", "clv", "customer",
         "actions", "campaigns", "present")
SHOWN_WRONG = re.compile(r"(?<![A-Za-z])(nan|NaN|None|inf|Infinity|NaT|<NA>)(?![A-Za-z])")
# both languages on the odd ids; the other edges alternate, so each language meets half of them
LANGS = [(name, lang) for i, name in enumerate(EDGES)
         for lang in (("en", "zh") if name == "odd_ids" else (("en", "zh")[i % 2],))]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workspaces")
    return {name: edges.build(edge, folder) for name, edge in EDGES.items()}


def on_screen(at) -> list[str]:
    """What the page shows in words: texts, alerts, tiles and every table cell."""
    found = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "info", "warning", "error",
                 "success"):
        found += [str(el.value) for el in at.get(kind)]
    found += [f"{el.label}: {el.value} {el.delta or ''}" for el in at.get("metric")]
    for el in at.get("dataframe"):
        found.append(el.value.astype(str).to_csv(index=False))
    return found


def assert_clean(at, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    for text in on_screen(at):
        wrong = SHOWN_WRONG.search(text)
        assert not wrong, (where, text[max(0, wrong.start() - 120):wrong.end() + 40])


def whole_units(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"


@pytest.mark.parametrize("name,lang", LANGS)
def test_every_page_copes_with_the_edge(built, name, lang):
    edge, db = EDGES[name], built[name]
    with i18n.using(lang):  # AppTest formats the pickers' options in the test's own language
        walk(edge, open_page(db, "overview", params={"lang": lang}))


def walk(edge, at) -> None:
    assert_clean(at, "overview")
    tiles = {m.label: m.value for m in at.get("metric")}
    assert tiles[i18n.t("Customers")] == f"{len(edges.everyone(edge)):,}"
    revenue = sum((r["amount"] for r in edges.purchase_rows(edge)), Decimal("0"))
    assert tiles[i18n.t("Revenue")].endswith(whole_units(revenue)), tiles
    for page in PAGES[1:]:
        at.switch_page(f"pages/{page}.py").run()
        assert_clean(at, page)
    days = edges.days(edge)
    if days:
        at.switch_page("pages/pyramid.py").run()
        day = next(w for w in at.sidebar.date_input)
        day.set_value(min(days)).run()
        assert_clean(at, f"pyramid as of {min(days)}")
        for months in (3, 36):
            at.sidebar.slider[0].set_value(months).run()
            assert_clean(at, f"pyramid, window {months}")
