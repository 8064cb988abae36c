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


def sidebar_widget(at: AppTest, kind: str, label: str):
    """The sidebar's widget of this kind and label (the workspace's widgets have keys of their
    own per workspace view, see ui.workspace.scoped)."""
    return next(w for w in getattr(at.sidebar, kind) if w.label == label)


def shown(at: AppTest) -> tuple:
    """(workspace, as-of date, window) as the sidebar shows them."""
    return (sidebar_widget(at, "selectbox", "Workspace").value, sidebar_widget(at, "date_input", "As of").value,
            sidebar_widget(at, "slider", "Activity window (months)").value)


def test_as_of_window_and_thresholds_come_from_the_link(demo_copy):
    at = open_url(demo_copy, "value", as_of="2025-12-31", window="6", margin="0.4")
    assert shown(at)[1:] == (dt.date(2025, 12, 31), 6)
    assert at.number_input(key="margin").value == 0.4
    caption = at.caption[0].value
    assert caption.startswith("As of 31 Dec 2025; last 6 months.") and "40% margin" in caption


def test_the_workspace_comes_from_the_link(demo_copy):
    make_workspace(demo_copy.parent, transactions=buyers([100, 50, 20], date="2024-03-01"), name="tiny.duckdb").close()
    at = open_url(demo_copy, "data", workspace="tiny")
    assert shown(at)[0] == "tiny"
    assert at.session_state["workspace_path"] == str(demo_copy.parent / "tiny.duckdb")
    assert {m.label: m.value for m in at.metric}["Purchase lines"] == "3"
    assert shown(at)[1] == dt.date(2024, 3, 1)  # that workspace's own last purchase


def test_the_action_plan_filters_and_the_customer_come_from_the_link(demo_copy):
    at = open_url(demo_copy, "actions", ac_tier="top")
    assert at.multiselect(key="ac_tier").value == ["top"]
    assert set(at.dataframe[0].value["Pyramid tier"]) == {"top"}
    at = open_url(demo_copy, "customer", customer="C00042")
    assert at.markdown and [sb.value for sb in at.selectbox if sb.label == "Customer"] == ["C00042"]


def test_a_link_without_parameters_gives_the_defaults(demo_copy):
    at = open_url(demo_copy, "pyramid")
    assert shown(at)[2] == 12
    assert at.number_input(key="margin").value == 0.3
    assert not {"workspace", "as_of", "window", "margin"} & set(at.query_params)


def tiny_workspaces(folder):
    """Two small workspaces beside the demo: tiny (last purchase 1 Mar 2024), small (1 Mar 2023)."""
    make_workspace(folder, transactions=buyers([100, 50, 20], date="2024-03-01"), name="tiny.duckdb").close()
    make_workspace(folder, transactions=buyers([10, 5], date="2023-03-01"), name="small.duckdb").close()


def test_the_picker_selects_what_is_picked_with_that_workspace_s_own_as_of_and_window(demo_copy):
    """Issue 12 §1: every pick lands (it bounced back on every second one), and the as-of date and
    window chosen for one workspace never carry over to the next."""
    tiny_workspaces(demo_copy.parent)
    at = open_url(demo_copy, "overview", as_of="2025-12-31", window="6")
    assert shown(at) == ("demo", dt.date(2025, 12, 31), 6)
    demo_last = dt.date(2026, 6, 30)
    for name, last in [("tiny", dt.date(2024, 3, 1)), ("demo", demo_last), ("small", dt.date(2023, 3, 1)),
                       ("tiny", dt.date(2024, 3, 1)), ("demo", demo_last)]:
        sidebar_widget(at, "selectbox", "Workspace").select(name).run()
        assert not at.exception, at.exception
        assert shown(at) == (name, last, 12), name
        assert f"Workspace “{name}” as of {last.day} {last:%b %Y}" in at.caption[0].value
        assert dict(at.query_params).get("workspace") == (None if name == "demo" else name)
        assert "as_of" not in at.query_params and "window" not in at.query_params
    # a date chosen in the sidebar is kept in the URL, and forgotten on the next switch
    sidebar_widget(at, "date_input", "As of").set_value(dt.date(2026, 1, 31)).run()
    assert at.query_params["as_of"] == "2026-01-31" and "as of 31 Jan 2026" in at.caption[0].value
    sidebar_widget(at, "selectbox", "Workspace").select("tiny").run()
    assert shown(at) == ("tiny", dt.date(2024, 3, 1), 12)


def test_a_link_s_as_of_outside_the_workspace_s_data_is_refused_with_a_message(demo_copy):
    tiny_workspaces(demo_copy.parent)
    at = open_url(demo_copy, "overview", workspace="tiny", as_of="2025-12-31")
    assert shown(at)[:2] == ("tiny", dt.date(2024, 3, 1))
    assert [w.value for w in at.warning] == [
        "The link's as-of date 31 Dec 2025 is outside this workspace's data (1 Mar 2024 to 1 Mar 2024); "
        "showing as of 1 Mar 2024."]
    assert "as of 1 Mar 2024" in at.caption[0].value
    at = open_url(demo_copy, "overview", as_of="2024-13-45", window="99")
    assert shown(at) == ("demo", dt.date(2026, 6, 30), 12)
    assert len(at.warning) == 2 and "“2024-13-45” is not a date" in at.warning[0].value
    assert "“99” is not a whole number of months" in at.warning[1].value
