"""One-to-One: the app's entry. Page config, navigation and the shared sidebar.

Run with `make run`, or `streamlit run app.py -- --db PATH` to open a given workspace.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# This app declares its pages with st.navigation below; Streamlit's legacy `pages/` mode must
# never run a page file on its own (see ui/__init__.py for the case of a page URL on a fresh server).
PagesManager.uses_pages_directory = False

from ui import auth, sidebar  # noqa: E402  (after the line above, on purpose)

st.set_page_config(page_title="One-to-One", page_icon="🎯", layout="wide")
auth.gate()  # protected access: stops here, before any page, unless this session may see data

PAGES = {
    "Identify": [
        st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
        st.Page("pages/data.py", title="Data", icon="📥"),
    ],
    "Differentiate": [
        st.Page("pages/pyramid.py", title="Customer pyramid", icon="🔺"),
        st.Page("pages/value.py", title="MVC, MCC and BZ", icon="💎"),
        st.Page("pages/matrix.py", title="Satisfaction by volume", icon="🧭"),
        st.Page("pages/segments.py", title="Segments", icon="🧩"),
        st.Page("pages/clusters.py", title="Clusters and personas", icon="🫧"),
    ],
    "Predict": [
        st.Page("pages/clv.py", title="Lifetime value", icon="📈"),
    ],
    "Interact & customize": [
        st.Page("pages/customer.py", title="Customer", icon="👤"),
        st.Page("pages/actions.py", title="Action plan", icon="✅"),
    ],
    "Workshop": [
        st.Page("pages/present.py", title="Workshop", icon="🎤"),
    ],
}

navigation = st.navigation(PAGES)
sidebar.render()
navigation.run()
