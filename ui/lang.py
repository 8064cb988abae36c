"""The language switch (issue 6 §3): English or Simplified Chinese for the whole app.

Drawn first in the sidebar, before the access gate, so even the login screen follows it. The
choice lives in the URL (``?lang=zh``), so a shared link opens in the same language; without
one, the browser's language decides (``st.context.locale``: a Chinese browser opens in
Chinese). The label is bilingual, so a user who landed in the other language still finds the
switch. (Not Streamlit's ``bind="query-params"``: with a ``format_func`` it would put the
shown text, "简体中文", in the URL.)
"""

from __future__ import annotations

import streamlit as st

from analysis import i18n

KEY = "lang"
CHOSEN = "_lang_chosen"  # the language the user chose, kept apart from the switch's own state


def browser_language() -> str:
    try:
        return i18n.normalise(st.context.locale)
    except Exception:  # no browser (AppTest, bare mode): English  # noqa: BLE001
        return i18n.DEFAULT


def _chosen() -> None:
    st.session_state[CHOSEN] = st.session_state[KEY]


def choose() -> str:
    """Draw the switch, make its value the language of this run and return it."""
    if CHOSEN not in st.session_state:  # a session's first run: the link's language, else the browser's
        st.session_state[CHOSEN] = i18n.normalise(st.query_params.get(KEY) or browser_language())
    if st.session_state.get(KEY) != st.session_state[CHOSEN]:
        # Not the user (their change goes through _chosen first): Streamlit reset the switch,
        # as it does when the password screen gives way to the pages. Put their language back.
        st.session_state[KEY] = st.session_state[CHOSEN]
    code = st.sidebar.selectbox(i18n.t("Language · 语言"), list(i18n.LANGUAGES), key=KEY,
                                format_func=i18n.LANGUAGES.get, on_change=_chosen)
    if code != i18n.DEFAULT:
        st.query_params[KEY] = code
    elif KEY in st.query_params:
        del st.query_params[KEY]
    return i18n.set_language(code)


def keep_in_url() -> None:
    """Write the language into the address again once the navigation is drawn: a change of
    page (the password screen giving way to the pages) clears the query parameters
    :func:`choose` wrote earlier in the same run."""
    code = st.session_state.get(CHOSEN, i18n.DEFAULT)
    if code != i18n.DEFAULT and st.query_params.get(KEY) != code:
        st.query_params[KEY] = code
