"""One-to-One: the app's entry. Page config, language, access, navigation and the shared sidebar.

Run with `make run`, or `streamlit run app.py -- --db PATH` to open a given workspace.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# This app declares its pages with st.navigation below; Streamlit's legacy `pages/` mode must
# never run a page file on its own (see ui/__init__.py for the case of a page URL on a fresh server).
PagesManager.uses_pages_directory = False

from analysis.i18n import t  # noqa: E402  (after the line above, on purpose)
from analysis.store import WorkspaceBusy  # noqa: E402
from ui import auth, lang, presenting, sidebar, workspace  # noqa: E402

st.set_page_config(page_title="One-to-One", page_icon="🎯", layout="wide")
lang.choose()  # first: the language of everything below, the login screen included
auth.gate()  # protected access: stops here, before any page, unless this session may see data


def pages() -> dict:
    """The navigation in the current language."""
    return {
        t("Identify"): [
            st.Page("pages/overview.py", title=t("Overview"), icon="🏠", default=True),
            st.Page("pages/data.py", title=t("Data"), icon="📥"),
            st.Page("pages/cohorts.py", title=t("Cohorts"), icon="🗓️"),
        ],
        t("Differentiate"): [
            st.Page("pages/pyramid.py", title=t("Customer pyramid"), icon="🔺"),
            st.Page("pages/value.py", title=t("MVC, MCC and BZ"), icon="💎"),
            st.Page("pages/matrix.py", title=t("Satisfaction by volume"), icon="🧭"),
            st.Page("pages/segments.py", title=t("Segments"), icon="🧩"),
            st.Page("pages/clusters.py", title=t("Clusters and personas"), icon="🫧"),
        ],
        t("Predict"): [
            st.Page("pages/clv.py", title=t("Lifetime value"), icon="📈"),
        ],
        t("Interact & customize"): [
            st.Page("pages/customer.py", title=t("Customer"), icon="👤"),
            st.Page("pages/actions.py", title=t("Action plan"), icon="✅"),
            st.Page("pages/campaigns.py", title=t("Campaigns"), icon="🎯"),
        ],
        t("Workshop"): [
            st.Page("pages/present.py", title=t("Workshop"), icon="🎤"),
        ],
    }


present = presenting.active()
navigation = st.navigation(pages(), expanded=True)  # every page listed, none folded under "View more"
lang.keep_in_url()  # after the password screen, the address keeps ?lang=
if present and navigation.url_path == "":  # the presenter's first page is the story (its slide 1 is the overview)
    st.switch_page("pages/present.py")
try:
    sidebar.render()
    presenting.decorate(present)
    navigation.run()
except WorkspaceBusy as busy:  # another program holds the workspace file: say so, look again
    workspace.busy(busy)
