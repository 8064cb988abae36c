"""The language switch (issue 6 §3): English or Simplified Chinese for the whole app.

Drawn first in the sidebar, before the access gate, so even the login screen follows it. The
choice lives in the URL (``?lang=zh``, bound with Streamlit's ``bind="query-params"``), so a
shared link opens in the same language. Without one, the browser's language decides
(``st.context.locale``: a Chinese browser opens in Chinese). The label is bilingual, so a user
who landed in the other language still finds the switch.
"""

from __future__ import annotations

import streamlit as st

from analysis import i18n

KEY = "lang"


def browser_language() -> str:
    try:
        return i18n.normalise(st.context.locale)
    except Exception:  # no browser (AppTest, bare mode): English  # noqa: BLE001
        return i18n.DEFAULT


def choose() -> str:
    """Draw the switch, make its value the language of this run and return it."""
    codes = list(i18n.LANGUAGES)
    code = st.sidebar.selectbox(
        i18n.t("Language · 语言"), codes, index=codes.index(browser_language()), key=KEY,
        format_func=i18n.LANGUAGES.get, bind="query-params",
    )
    return i18n.set_language(code)
