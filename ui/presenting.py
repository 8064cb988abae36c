"""Presentation mode (issue 6 §1): the app as a presenter's view for a room.

``?mode=present`` in the URL (or the *Presentation mode* switch on the Workshop page) turns it
on for every page: the Workshop story becomes the default page, the sidebar is hidden, type is
larger, and customer names, contact details and notes are masked everywhere ("Customer 0042",
the same label for the same customer on every page, chart, table and export). Outside
presentation mode, the sidebar's *Mask customer names* switch masks them the same way, for a
consultant who shows the desk view to a room.
"""

from __future__ import annotations

import streamlit as st

from analysis.i18n import t

MODE, PRESENT = "mode", "present"
MASK_KEY = "sb_mask"

# Our own static CSS (never data): larger type everywhere; no sidebar while presenting.
_LARGE_TYPE = """<style>
html { font-size: 19px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
</style>"""


_STATE = "presenting"


def active() -> bool:
    """Whether this run is in presentation mode: ``?mode=present`` in the URL when the session
    started or since, or the switch on the Workshop page. Kept in the session (and put back in
    the URL on every run), so moving to another page stays in presentation mode."""
    if MODE in st.query_params:
        st.session_state[_STATE] = st.query_params.get(MODE) == PRESENT
    on = bool(st.session_state.get(_STATE, False))
    if on:
        st.query_params[MODE] = PRESENT
    return on


def set_active(on: bool) -> None:
    """Switch presentation mode on or off (the URL follows, so a link opens the same view)."""
    st.session_state[_STATE] = on
    if on:
        st.query_params[MODE] = PRESENT
    elif MODE in st.query_params:
        del st.query_params[MODE]


def masking() -> bool:
    """Whether customer names are masked on this run: always while presenting, else as the
    sidebar's switch says."""
    return active() or bool(st.session_state.get(MASK_KEY, False))


def mask_switch() -> None:
    """The sidebar's *Mask customer names* switch (on and fixed while presenting)."""
    st.toggle(t("Mask customer names"), key=MASK_KEY, disabled=active(),
              help=t("Show every customer as “Customer 0042” (the same label everywhere) and hide e-mails, "
                     "phones and notes, on every page and in downloads. Always on in presentation mode."))


def decorate(present: bool) -> None:
    """Large type and no sidebar while presenting."""
    if present:
        st.markdown(_LARGE_TYPE, unsafe_allow_html=True)

