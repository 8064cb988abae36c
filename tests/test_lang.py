"""The language switch (ui/lang.py) through AppTest: ``?lang=zh`` turns every page Chinese.

Each page is opened in Chinese on the demo company, and every heading, caption, text, metric
label, button and widget label on it is checked for English sentences: three English words in
a row fail (names from the data are allowed, see ``_english``).
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetest import APP, open_page

PAGES = ["overview", "data", "pyramid", "value", "matrix", "segments", "clusters", "clv", "customer", "actions",
         "present"]
CJK = re.compile(r"[\u3400-\u9fff]")
# Three words of Latin letters in a row is an English phrase; data values (names, products,
# categories of the demo company) are dropped first.
PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?:[ -][A-Za-z][a-z]+){2,}\b")


def open_in(db, page: str, lang: str) -> AppTest:
    return open_page(db, None if page == "overview" else page, timeout=180, params={"lang": lang})


def visible_texts(at: AppTest) -> list[str]:
    texts = [e.value for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success",
                                  "error") for e in getattr(at, kind)]
    texts += [m.label for m in at.metric]
    texts += [b.label for b in at.button]
    for kind in ("selectbox", "multiselect", "slider", "number_input", "text_input", "date_input", "toggle",
                 "checkbox", "radio", "text_area"):
        texts += [w.label for w in getattr(at, kind)]
    texts += [tab.label for tab in at.tabs]
    return [str(t) for t in texts if t]


def _english(texts: list[str], allowed: set[str]) -> list[str]:
    found = []
    for text in texts:
        if text.startswith("<style"):
            continue
        for phrase in PHRASE.findall(text):
            if not any(phrase in a or a in phrase for a in allowed):
                found.append(f"{phrase!r} in {text[:80]!r}")
    return found


@pytest.fixture(scope="module")
def lang_db(demo_db, tmp_path_factory):
    """One private copy of the demo for this module: the app stores its scores in the workspace
    it opens, and the session's demo file is shared with tests that open it read-only."""
    import shutil

    target = tmp_path_factory.mktemp("lang") / "demo.duckdb"
    shutil.copy(demo_db, target)
    return target


@pytest.fixture(scope="module")
def data_words(demo_db) -> set[str]:
    """Names, products, categories, regions and personas' category words of the demo: data, not UI."""
    from analysis.store import Workspace

    with Workspace(demo_db, read_only=True) as ws:
        words = set()
        for sql in ('SELECT DISTINCT "name" FROM "customers"', 'SELECT DISTINCT "product" FROM "transactions"',
                    'SELECT DISTINCT "category" FROM "transactions"', 'SELECT DISTINCT "region" FROM "customers"',
                    'SELECT DISTINCT "industry" FROM "customers"'):
            words |= {str(v) for v in ws.query(sql).iloc[:, 0].dropna()}
    return words | {"Northwind Office Supply", "Gamma-Gamma", "Fader, Hardie", "Peppers & Rogers"}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_in_chinese(lang_db, data_words, page):
    at = open_in(lang_db, page, "zh")
    texts = visible_texts(at)
    assert texts, "nothing on the page"
    assert any(CJK.search(t) for t in texts)
    english = _english(texts, data_words)
    assert not english, f"{len(english)} English phrases on the {page} page in Chinese:\n" + "\n".join(english[:30])


def test_english_by_default_and_the_switch_is_bilingual(lang_db):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["workspace_path"] = str(lang_db)
    at.run()
    assert not at.exception, at.exception
    switch = at.selectbox(key="lang")
    assert switch.value == "en" and "语言" in switch.label and "Language" in switch.label
    assert at.title[0].value.endswith("Overview")
    switch.set_value("zh").run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("概览")
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"
