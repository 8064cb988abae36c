"""Display helpers shared by pages: plain-language gaps, charts, money and shares."""

from __future__ import annotations

import contextlib

import streamlit as st

from analysis import i18n
from analysis.errors import NotEnoughData
from analysis.i18n import t


# Our own static CSS (never data): a tile's value wraps onto a second line instead of being
# cut ("25 Jun …", "31,022,…"), and a little smaller type leaves room for long figures.
_WHOLE_TILES = """<style>
[data-testid="stMetricValue"] { font-size: 1.8rem; }
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere; }
</style>"""


def whole_tiles() -> None:
    """Let every tile (st.metric) of this page show its whole value, however narrow the column."""
    st.markdown(_WHOLE_TILES, unsafe_allow_html=True)


def opening(icon: str, title: str, intro, *, tiles: bool = True) -> tuple:
    """A page's first lines: (as-of date, settings) from the sidebar, then its title and its
    introduction (markdown, or a function of the settings giving it when it quotes one), both
    already in the reader's language; ``tiles``: let the page's tiles show their whole value
    (:func:`whole_tiles`)."""
    from ui import sidebar

    as_of, settings = sidebar.as_of(), sidebar.settings()
    if tiles:
        whole_tiles()
    st.title(f"{icon} {title}")
    st.markdown(intro(settings) if callable(intro) else intro)
    return as_of, settings


def demo_notice() -> None:
    """On a first screen (the Overview, the presenter's story): when the workspace is the demo
    company, say so before any figure is read as real."""
    from analysis import demo
    from ui import cached

    if cached.demo():
        st.info(t("**This is a demo company.** {company} and its customers, purchases and contacts are invented, "
                  "to try the app. Import your own data on the Data page.", company=demo.DEMO_COMPANY), icon="🧪")


@contextlib.contextmanager
def explained():
    """Run a block; if the data cannot support it, say why in plain words and go on."""
    try:
        yield
    except NotEnoughData as exc:
        st.info(str(exc))


def chart(fig, key: str, selectable: bool = False):
    """Draw a plotly figure; with ``selectable`` a click returns the selection event."""
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    if selectable:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", config=config)
    st.plotly_chart(fig, key=key, config=config)
    return None


def selected_customdata(event) -> list:
    """The customdata of the points the user clicked in a selectable chart."""
    if not event:
        return []
    points = (event.get("selection") or {}).get("points") or []
    out = []
    for p in points:
        cd = p.get("customdata")
        if isinstance(cd, list) and cd:
            cd = cd[0]
        if cd is not None:
            out.append(cd)
    return out


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~:$&")


def escape_markdown(text: str) -> str:
    """User text made literal inside our Markdown: every character Markdown, Streamlit's
    directives (:red[...]), LaTeX ($) or HTML (<, &) could act on is backslash-escaped."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


def in_this_language(fn):
    """``fn`` wrapped to run in this run's language. A download's ``data=`` callable runs
    later, when the file is asked for, outside the run that set the language."""
    language = i18n.language()

    def run():
        with i18n.using(language):
            return fn()

    return run


def money(value: float | None, currency: str = "") -> str:
    """A whole amount with the workspace's currency symbol (``settings.currency``), grouped
    as the language groups it: ``¥13,768``; a dash when missing."""
    return i18n.money(value, currency)


def share(value: float | None) -> str:
    return i18n.percent(value)
