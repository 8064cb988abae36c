"""One-to-One: the app's entry. Page config, navigation and the shared sidebar.

Run with `make run`, or `streamlit run app.py -- --db PATH` to open a given workspace.
"""

import streamlit as st

from ui import sidebar

st.set_page_config(page_title="One-to-One", page_icon="🎯", layout="wide")

PAGES = {
    "Identify": [
        st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
        st.Page("pages/data.py", title="Data", icon="📥"),
    ],
}

navigation = st.navigation(PAGES)
sidebar.render()
navigation.run()
