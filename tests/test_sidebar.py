"""Shareable views (issue 6 §4, ui/sidebar.py): the workspace, the as-of date, the window, the
thresholds and the pages' main filters come from the URL, so a link opens the same view."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from tests.builders import buyers, make_workspace
from tests.pagetest import open_page


def open_url(db, page: str | None, **params) -> AppTest:
    """The app opened from a link with these query parameters."""
    return open_page(db, page, timeout=180, params=params)


def test_as_of_window_and_thresholds_come_from_the_link(demo_copy):
    at = open_url(demo_copy, "value", as_of="2025-12-31", window="6", margin="0.4")
    assert at.date_input(key="as_of").value == dt.date(2025, 12, 31)
    assert at.slider(key="window").value == 6
    assert at.number_input(key="margin").value == 0.4
    caption = at.caption[0].value
    assert caption.startswith("As of 31 Dec 2025; last 6 months.") and "40% margin" in caption


def test_the_workspace_comes_from_the_link(demo_copy):
    make_workspace(demo_copy.parent, transactions=buyers([100, 50, 20], date="2024-03-01"), name="tiny.duckdb").close()
    at = open_url(demo_copy, "data", workspace="tiny")
    assert at.selectbox(key="workspace").value == "tiny"
    assert at.session_state["workspace_path"] == str(demo_copy.parent / "tiny.duckdb")
    assert {m.label: m.value for m in at.metric}["Purchase lines"] == "3"
    assert at.date_input(key="as_of").value == dt.date(2024, 3, 1)  # that workspace's own last purchase


def test_the_action_plan_filters_and_the_customer_come_from_the_link(demo_copy):
    at = open_url(demo_copy, "actions", ac_tier="top")
    assert at.multiselect(key="ac_tier").value == ["top"]
    assert set(at.dataframe[0].value["Pyramid tier"]) == {"top"}
    at = open_url(demo_copy, "customer", customer="C00042")
    assert at.markdown and [sb.value for sb in at.selectbox if sb.label == "Customer"] == ["C00042"]


def test_a_link_without_parameters_gives_the_defaults(demo_copy):
    at = open_url(demo_copy, "pyramid")
    assert at.slider(key="window").value == 12
    assert at.number_input(key="margin").value == 0.3
    assert "window" not in at.query_params and "margin" not in at.query_params
