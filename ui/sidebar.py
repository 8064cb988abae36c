"""The sidebar every page shares: workspace, as-of date, activity window, thresholds.

Shareable views (issue 6 §4): the sidebar's choices are kept in the URL, so a link such as
``/pyramid?workspace=acme&as_of=2024-06-30&window=6&lang=zh`` opens the same view. A value
equal to its default is left out of the URL. The thresholds are bound to the URL by Streamlit
(``bind="query-params"``; the widget key is the parameter name), as are the pages' main
filters (the action plan's filters, the customer on the customer page, the workshop slide).

The workspace, its as-of date and its window are not: they belong together (issue 12 §1). A
switch of workspace (the picker, or the switch after an import) puts the new workspace's own
defaults in place unless a link gave them, and a link's as-of date outside the workspace's data
is refused with a message. Their widgets are keyed per workspace view
(:func:`ui.workspace.scoped`) and given their value each run; this module reads the link on a
session's first run and writes the URL. (Setting a bound widget's value through
``st.session_state`` before the widget is drawn is what Streamlit warns about, and the picker
then bounced back to the previous workspace on every second choice.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from analysis import i18n, money
from analysis.i18n import t
from analysis.money import in_currency
from analysis.settings import DEFAULT_WINDOW_MONTHS, ActionSettings, ReportSettings, SegmentSettings
from ui import cached, presenting, workspace

URL = "query-params"
SEEN = "_sidebar_seen"  # the session's first run has read the link
NOTES = "_sidebar_notes"  # (workspace view, messages about the link) shown until the next switch
WINDOW_RANGE = (3, 36)


def render() -> None:
    if not st.session_state.get(SEEN):
        _read_link()
        st.session_state[SEEN] = True
    with st.sidebar:
        options = workspace.choices()
        names = list(options)
        here = workspace.current_path()
        chosen = st.selectbox(
            t("Workspace"), names, index=names.index(here.stem), key=workspace.scoped("workspace"),
            help=t("Each workspace is one company's data. Import new data on the Data page."),
        )
        if options[chosen] != str(here):
            workspace.switch_to(options[chosen])
            st.rerun()
        span, default = cached.data_range(), cached.default_as_of()
        day = st.date_input(
            t("As of"), value=as_of(), min_value=span[0] if span else None, max_value=span[1] if span else None,
            key=workspace.scoped(f"as_of:{default}"), format="YYYY-MM-DD",
            help=t("Figures count purchases and contacts on or before this date. Default: the last day of any "
                   "purchase or contact."),
        )
        st.session_state[workspace.AS_OF] = day if day not in (None, default) else None
        months = st.slider(
            t("Activity window (months)"), *WINDOW_RANGE, window(), key=workspace.scoped("window"),
            help=t("A customer is active with a purchase in this many months before the as-of date."),
        )
        st.session_state[workspace.WINDOW] = months if months != DEFAULT_WINDOW_MONTHS else None
        presenting.mask_switch()
        with st.expander(t("Thresholds and costs")):
            d = SegmentSettings()
            cur = currency()  # costs are in the workspace's currency
            st.number_input(t("Gross margin on net revenue"), 0.0, 1.0, d.margin, 0.05, key="margin", bind=URL)
            st.number_input(in_currency(t("Cost per contact"), cur), 0.0, value=d.cost_per_contact, step=5.0,
                            key="cost_contact", bind=URL)
            st.number_input(in_currency(t("Cost per complaint"), cur), 0.0, value=d.cost_per_complaint, step=5.0,
                            key="cost_complaint", bind=URL)
            st.number_input(in_currency(t("Cost per refund"), cur), 0.0, value=d.cost_per_refund, step=5.0,
                            key="cost_refund", bind=URL)
            st.number_input(t("MVC: top share by profit"), 0.01, 0.9, d.mvc_share, 0.05, key="mvc", bind=URL)
            st.number_input(t("MCC: top share by growth gap"), 0.01, 0.9, d.mcc_share, 0.05, key="mcc", bind=URL)
            st.number_input(t("High satisfaction from (of 5)"), 1.0, 5.0, d.satisfaction_high, 0.5, key="sat_high",
                            bind=URL)
            st.number_input(t("Low satisfaction up to (of 5)"), 0.0, 5.0, d.satisfaction_low, 0.5, key="sat_low",
                            bind=URL)
            a = ActionSettings()
            st.number_input(t("Suggested contacts per customer, at most"), 1, 20, a.fatigue_cap, key="fatigue_cap",
                            bind=URL, help=t("Contact fatigue: no more suggested contacts than this per period, "
                                             "counting contacts already made."))
            st.number_input(t("… per this many days"), 1, 365, a.fatigue_days, key="fatigue_days", bind=URL)
            st.number_input(t("Days before a refused offer is suggested again"), 0, 730, a.cooloff_days, key="cooloff",
                            bind=URL)
    _write_link()
    shown, notes = st.session_state.get(NOTES, (None, []))
    for note in notes if shown == workspace.view() else []:
        st.warning(note)


def _read_link() -> None:
    """A session's first run: the workspace, as-of date and window the link gives, each checked
    against what this workspace holds; a refused value is named and the default applies."""
    link, notes = st.query_params, []
    if (name := link.get("workspace")) is not None:
        options = workspace.choices()
        if name in options:
            workspace.switch_to(options[name])
        else:
            notes.append(t("The link's workspace “{name}” does not exist here; showing “{home}”.", name=name,
                           home=workspace.current_path().stem))
    if (given := link.get("as_of")) is not None:
        span, default = cached.data_range(), cached.default_as_of()
        try:
            day = dt.date.fromisoformat(given)
        except ValueError:
            notes.append(t("The link's as-of date “{value}” is not a date (YYYY-MM-DD); showing as of {default}.",
                           value=given, default=i18n.date(default)))
        else:
            if span and not span[0] <= day <= span[1]:
                notes.append(t("The link's as-of date {day} is outside this workspace's data ({first} to {last}); "
                               "showing as of {default}.", day=i18n.date(day), first=i18n.date(span[0]),
                               last=i18n.date(span[1]), default=i18n.date(default)))
            elif day != default:
                st.session_state[workspace.AS_OF] = day
    if (given := link.get("window")) is not None:
        low, high = WINDOW_RANGE
        if given.isdigit() and low <= int(given) <= high:
            st.session_state[workspace.WINDOW] = int(given)
        else:
            notes.append(t("The link's activity window “{value}” is not a whole number of months from {low} to "
                           "{high}; showing {default} months.", value=given, low=low, high=high,
                           default=DEFAULT_WINDOW_MONTHS))
    st.session_state[NOTES] = (workspace.view(), notes)


def _write_link() -> None:
    """Keep the workspace, as-of date and window in the URL (defaults left out), so a reload
    or a shared link opens the same view."""
    here = workspace.current_path()
    chosen, months = st.session_state.get(workspace.AS_OF), st.session_state.get(workspace.WINDOW)
    values = {
        "workspace": None if here == workspace.home_path() else here.stem,
        "as_of": chosen.isoformat() if chosen else None,
        "window": str(months) if months else None,
    }
    for key, value in values.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def as_of() -> dt.date:
    """The as-of date of this view: the one chosen for this workspace if it is a date of its
    data, else the workspace's default (:func:`ui.cached.default_as_of`)."""
    value = st.session_state.get(workspace.AS_OF)
    span = cached.data_range()
    if value is None or (span and not span[0] <= value <= span[1]):
        return cached.default_as_of()
    return value


def window() -> int:
    """The activity window of this view, in months."""
    return st.session_state.get(workspace.WINDOW) or DEFAULT_WINDOW_MONTHS


# sidebar key -> SegmentSettings field
_SEGMENT_KEYS = {
    "margin": "margin", "cost_contact": "cost_per_contact",
    "cost_complaint": "cost_per_complaint", "cost_refund": "cost_per_refund",
    "mvc": "mvc_share", "mcc": "mcc_share", "sat_high": "satisfaction_high", "sat_low": "satisfaction_low",
}
_ACTION_KEYS = {"fatigue_cap": "fatigue_cap", "fatigue_days": "fatigue_days", "cooloff": "cooloff_days"}


def currency() -> str:
    """The symbol of the workspace's currency ("¥"; empty when unknown), read from the
    workspace on every run: changing it on the Data page changes every page's figures and,
    through the settings, every cache key that depends on it. No workspace file yet: none."""
    if not workspace.current_path().exists():  # reading it would create it
        return ""
    return money.symbol(workspace.current().currency())


def settings() -> ReportSettings:
    """The settings the sidebar describes (defaults for any widget not drawn yet), in the
    workspace's currency."""
    given = {field: st.session_state[key] for key, field in _SEGMENT_KEYS.items() if key in st.session_state}
    given["window_months"] = window()
    cur = currency()
    try:
        segments = SegmentSettings(**given, currency=cur)
    except ValueError as exc:  # e.g. low satisfaction above high: explain, keep the defaults
        st.sidebar.warning(str(exc))
        segments = SegmentSettings(currency=cur)
    return ReportSettings(segments=segments)


def action_settings() -> ActionSettings:
    """The playbook's settings from the sidebar (defaults for widgets not drawn yet)."""
    given = {field: int(st.session_state[key]) for key, field in _ACTION_KEYS.items() if key in st.session_state}
    report = settings()
    return ActionSettings(window_months=report.window_months, currency=report.currency, **given)


def workspace_name() -> str:
    return Path(workspace.current_path()).stem
