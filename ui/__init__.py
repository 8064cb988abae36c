"""Streamlit glue shared by the pages: workspace choice, cached analysis calls, sidebar,
chart display. Pages call these and `analysis`; nothing here computes analysis itself."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Streamlit treats an app with a `pages/` folder as a legacy multipage app until the main
# script has run once in the process. If a fresh server's first request is a page URL (a
# shared link to /customer, say), it runs pages/customer.py on its own, without app.py's
# navigation and sidebar. app.py switches the legacy mode off before importing `ui`, so the
# flag is still set here only when a page file runs without app.py: then switch it off and
# rerun through app.py, which opens the requested page.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()
