"""The sidebar every page shares: workspace, as-of date and activity window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from analysis.actions import ActionSettings
from analysis.report import ReportSettings
from analysis.segment_settings import SegmentSettings
from ui import cached, workspace


def render() -> None:
    with st.sidebar:
        options = workspace.choices()
        names = list(options)
        st.selectbox(
            "Workspace", names, index=names.index(workspace.current_path().stem), key="sb_workspace",
            on_change=lambda: workspace.switch_to(options[st.session_state["sb_workspace"]]),
            help="Each workspace is one company's data. Import new data on the Data page.",
        )
        last = cached.last_purchase_date()
        st.date_input(
            "As of", value=last, key="sb_as_of", format="YYYY-MM-DD",
            help="Figures count purchases on or before this date. Default: the last purchase.",
        )
        st.slider(
            "Activity window (months)", 3, 36, 12, key="sb_window",
            help="A customer is active with a purchase in this many months before the as-of date.",
        )
        with st.expander("Thresholds and costs"):
            d = SegmentSettings()
            st.number_input("Gross margin on net revenue", 0.0, 1.0, d.margin, 0.05, key="sb_margin")
            st.number_input("Cost per contact", 0.0, value=d.cost_per_contact, step=5.0, key="sb_cost_contact")
            st.number_input("Cost per complaint", 0.0, value=d.cost_per_complaint, step=5.0, key="sb_cost_complaint")
            st.number_input("Cost per refund", 0.0, value=d.cost_per_refund, step=5.0, key="sb_cost_refund")
            st.number_input("MVC: top share by profit", 0.01, 0.9, d.mvc_share, 0.05, key="sb_mvc_share")
            st.number_input("MCC: top share by growth gap", 0.01, 0.9, d.mcc_share, 0.05, key="sb_mcc_share")
            st.number_input("High satisfaction from (of 5)", 1.0, 5.0, d.satisfaction_high, 0.5, key="sb_sat_high")
            st.number_input("Low satisfaction up to (of 5)", 0.0, 5.0, d.satisfaction_low, 0.5, key="sb_sat_low")
            a = ActionSettings()
            st.number_input("Suggested contacts per customer, at most", 1, 20, a.fatigue_cap, key="sb_fatigue_cap",
                            help="Contact fatigue: no more suggested contacts than this per period, counting contacts already made.")
            st.number_input("… per this many days", 1, 365, a.fatigue_days, key="sb_fatigue_days")
            st.number_input("Days before a refused offer is suggested again", 0, 730, a.cooloff_days, key="sb_cooloff")


def as_of() -> dt.date:
    value = st.session_state.get("sb_as_of")
    if value is None:
        value = cached.last_purchase_date()
    return value


# sidebar key -> SegmentSettings field
_SEGMENT_KEYS = {
    "sb_window": "window_months", "sb_margin": "margin", "sb_cost_contact": "cost_per_contact",
    "sb_cost_complaint": "cost_per_complaint", "sb_cost_refund": "cost_per_refund",
    "sb_mvc_share": "mvc_share", "sb_mcc_share": "mcc_share",
    "sb_sat_high": "satisfaction_high", "sb_sat_low": "satisfaction_low",
}


def settings() -> ReportSettings:
    """The settings the sidebar describes (defaults for any widget not drawn yet)."""
    given = {field: st.session_state[key] for key, field in _SEGMENT_KEYS.items() if key in st.session_state}
    if "window_months" in given:
        given["window_months"] = int(given["window_months"])
    try:
        segments = SegmentSettings(**given)
    except ValueError as exc:  # e.g. low satisfaction above high: explain, keep the defaults
        st.sidebar.warning(str(exc))
        segments = SegmentSettings()
    return ReportSettings(segments=segments)


def action_settings() -> ActionSettings:
    """The playbook's settings from the sidebar (defaults for widgets not drawn yet)."""
    given = {field: int(st.session_state[key]) for key, field in
             (("sb_fatigue_cap", "fatigue_cap"), ("sb_fatigue_days", "fatigue_days"), ("sb_cooloff", "cooloff_days"))
             if key in st.session_state}
    return ActionSettings(window_months=settings().window_months, **given)


def workspace_name() -> str:
    return Path(workspace.current_path()).stem
