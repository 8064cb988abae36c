"""The shared customer-list widget and the click-following selectbox (ui/lists.py)."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import lists


def test_table_picks_existing_columns_rounds_money_and_uses_plain_headers():
    frame = pd.DataFrame({"customer_id": ["a"], "name": ["=cmd"], "revenue_window": [12.6], "other": [1]})
    out = lists.table(frame, ["customer_id", "name", "revenue_window", "missing"])
    assert list(out.columns) == ["Customer", "Name", "Revenue in window"]
    assert out["Revenue in window"].item() == 13.0


def _list_app():
    import pandas as pd
    import streamlit as st

    from ui import lists

    n = st.session_state.get("n", 3)
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "name": ["**bold**"] * n,
                          "tier": ["top"] * n})
    lists.customer_list(frame, key="t", file_stem="x")


def test_customer_list_shows_count_table_and_downloads():
    at = AppTest.from_function(_list_app)
    at.session_state["n"] = 3
    at.run()
    assert not at.exception
    assert any(m.value == "**3 customers**" for m in at.markdown)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Customer", "Name", "Pyramid tier"]
    assert len(table) == 3 and table["Name"].iloc[0] == "**bold**"  # user text stays data
    assert len(at.get("download_button")) == 2  # CSV and Excel


def test_a_long_list_shows_its_first_rows_and_says_so():
    at = AppTest.from_function(_list_app)
    at.session_state["n"] = lists.MAX_SHOWN + 5
    at.run()
    assert any(m.value == f"**{lists.MAX_SHOWN + 5:,} customers**" for m in at.markdown)
    assert len(at.dataframe[0].value) == lists.MAX_SHOWN
    assert any("downloads have them all" in c.value for c in at.caption)


def test_customer_list_empty_and_single():
    at = AppTest.from_function(_list_app)
    at.session_state["n"] = 1
    at.run()
    assert any(m.value == "**1 customer**" for m in at.markdown)


def _click_app():
    import streamlit as st

    from ui import lists

    clicked = st.session_state.get("clicked", [])
    st.session_state["picked"] = lists.follow_click("Tier", ["a", "b", "c"], key="pick", clicked=clicked)


def test_follow_click_jumps_to_a_new_click_then_keeps_the_users_choice():
    at = AppTest.from_function(_click_app)
    at.run()
    assert at.session_state["picked"] == "a"
    at.session_state["clicked"] = ["c"]
    at.run()
    assert at.selectbox(key="pick").value == "c"
    at.selectbox(key="pick").set_value("b").run()  # same old click: the user's choice stands
    assert at.selectbox(key="pick").value == "b"
    at.session_state["clicked"] = ["zzz"]  # not an option: ignored
    at.run()
    assert at.selectbox(key="pick").value == "b"


def _first_rows_app():
    import pandas as pd
    import streamlit as st

    from ui import lists

    def whole():
        st.session_state["built"] = st.session_state.get("built", 0) + 1
        return pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "action": ["x", "y", "x", "x"]})

    first = pd.DataFrame({"customer_id": ["a", "a"], "action": ["x", "y"]})
    lists.customer_list(first, key="t", file_stem="x", rows="actions", sized=(4, 3), whole=whole)


def test_a_list_given_its_first_rows_counts_the_whole_and_builds_it_only_for_a_download():
    at = AppTest.from_function(_first_rows_app)
    at.run()
    assert not at.exception
    assert any(m.value == "**4 actions for 3 customers**" for m in at.markdown)
    assert len(at.dataframe[0].value) == 2
    assert "built" not in at.session_state  # no download asked: the whole list was never built
