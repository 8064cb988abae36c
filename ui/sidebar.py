"""The sidebar every page shares: workspace, as-of date, activity window, thresholds.

Shareable views (issue 6 §4): each of these widgets is bound to the URL
(``bind="query-params"``; the widget key is the parameter name), so a link such as
``/pyramid?workspace=acme&as_of=2024-06-30&window=6&lang=zh`` opens the same view. A value
equal to its default is left out of the URL. Page-level filters (the action plan's filters,
the customer on the customer page, the workshop slide) are bound the same way on their pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from analysis import money
from analysis.actions import ActionSettings
from analysis.i18n import t
from analysis.money import in_currency
from analysis.report import ReportSettings
from analysis.segment_settings import SegmentSettings
from ui import cached, presenting, workspace

URL = "query-params"


def render() -> None:
    with st.sidebar:
        options = workspace.choices()
        names = list(options)
        if (pending := workspace.take_switch()) in names:
            st.session_state["workspace"] = pending
        chosen = st.selectbox(
            t("Workspace"), names, index=names.index(workspace.current_path().stem), key="workspace", bind=URL,
            help=t("Each workspace is one company's data. Import new data on the Data page."),
        )
        if options[chosen] != str(workspace.current_path()):  # picked here, or given by a link
            workspace.switch_to(options[chosen])
        last = cached.last_purchase_date()
        st.date_input(
            t("As of"), value=last, key="as_of", format="YYYY-MM-DD", bind=URL,
            help=t("Figures count purchases on or before this date. Default: the last purchase."),
        )
        st.slider(
            t("Activity window (months)"), 3, 36, 12, key="window", bind=URL,
            help=t("A customer is active with a purchase in this many months before the as-of date."),
        )
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


def as_of() -> dt.date:
    value = st.session_state.get("as_of")
    if value is None:
        value = cached.last_purchase_date()
    return value


# sidebar key -> SegmentSettings field
_SEGMENT_KEYS = {
    "window": "window_months", "margin": "margin", "cost_contact": "cost_per_contact",
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
    if "window_months" in given:
        given["window_months"] = int(given["window_months"])
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
