"""A list of customers any page can show: a table with plain headers, a count, and CSV and
Excel downloads (formula-safe, see :mod:`analysis.export`). Also :func:`follow_click`, a
selectbox that jumps to what the user clicked in a chart.

    customer_list(frame, key="pyr_list", file_stem="pyramid-top")
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from analysis.export import to_csv_bytes, to_xlsx_bytes

# Column -> plain header. Anything not listed keeps its own name.
HEADERS = {
    "customer_id": "Customer", "name": "Name", "tier": "Pyramid tier", "previous_tier": "Tier one window ago",
    "cell": "Matrix cell", "abcd": "Class", "strategy": "Strategy", "rfm_segment": "RFM segment",
    "r": "R", "f": "F", "m": "M", "cluster_name": "Persona", "region": "Region", "industry": "Industry",
    "channel": "Channel", "revenue_window": "Revenue in window", "revenue_prev_window": "Revenue, window before",
    "revenue": "Revenue, all time", "orders": "Orders", "last_purchase": "Last purchase",
    "recency_days": "Days since last purchase", "profit": "Profit in window", "potential": "Potential",
    "gap": "Room to grow", "share_of_wallet": "Share of wallet", "wallet": "Wallet estimate",
    "cost_to_serve": "Cost to serve", "reason": "Why", "satisfaction_5": "Satisfaction (of 5)",
    "complaints": "Complaints", "change": "Change", "change_pct": "Change %", "direction": "Direction", "score": "Look-alike score",
    "similar_because": "Similar because", "clv": "Customer lifetime value", "p_alive": "Chance still active",
    "title": "Action", "priority": "Priority", "due": "Due", "top_action": "Top action",
    "top_action_reason": "Why this action", "expected_next_purchase": "Expected next purchase",
    "clv_note": "What the model says",
}
DEFAULT_COLUMNS = [
    "customer_id", "name", "tier", "revenue_window", "revenue", "orders", "last_purchase",
    "region", "industry", "channel", "cell", "rfm_segment", "cluster_name",
]
MONEY = {"revenue_window", "revenue_prev_window", "revenue", "profit", "potential", "gap", "wallet",
         "cost_to_serve", "change", "clv"}
SHARES = {"share_of_wallet", "change_pct", "p_alive"}
# Rows shown in a list's table; the CSV and Excel downloads hold every row.
MAX_SHOWN = 1000


def table(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The columns to show (those of ``columns`` or :data:`DEFAULT_COLUMNS` that exist), with
    money rounded to whole units and plain headers."""
    wanted = [c for c in (columns or DEFAULT_COLUMNS) if c in frame.columns]
    out = frame[wanted].reset_index(drop=True).copy()
    for col in wanted:
        if col in MONEY:
            out[col] = pd.to_numeric(out[col], errors="coerce").round(0)
    return out.rename(columns={c: HEADERS.get(c, c) for c in wanted})


def customer_list(frame: pd.DataFrame, key: str, file_stem: str, columns: Sequence[str] | None = None,
                  height: int | None = None) -> pd.DataFrame:
    """Show customers in a table with a count and CSV / Excel downloads; returns what is shown.

    ``key`` prefixes the widget keys (``<key>_table``, ``<key>_csv``, ``<key>_xlsx``);
    ``file_stem`` names the downloaded files. Names are shown as data, never as Markdown."""
    shown = table(frame, columns)
    n = len(shown)
    count, csv_col, xlsx_col = st.columns([3, 1, 1], vertical_alignment="center")
    count.markdown(f"**{n:,} customer{'s' if n != 1 else ''}**")
    csv_col.download_button(
        "⬇️ CSV", data=lambda: to_csv_bytes(shown), file_name=f"{file_stem}.csv", mime="text/csv",
        key=f"{key}_csv", on_click="ignore", disabled=n == 0, width="stretch",
    )
    xlsx_col.download_button(
        "⬇️ Excel", data=lambda: to_xlsx_bytes(shown, sheet_name="customers"), file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", disabled=n == 0, width="stretch",
    )
    if n > MAX_SHOWN:  # a browser table of tens of thousands of rows is slow to send and to read
        st.caption(f"Showing the first {MAX_SHOWN:,} of {n:,}; the downloads have them all.")
    config: dict[str, Any] = {}
    for col in shown.columns:
        source = next((c for c, h in HEADERS.items() if h == col), col)
        if source in MONEY:
            config[col] = st.column_config.NumberColumn(format="localized")
        elif source in SHARES:
            config[col] = st.column_config.NumberColumn(format="percent")
        elif source == "last_purchase":
            config[col] = st.column_config.DateColumn(format="YYYY-MM-DD")
    st.dataframe(shown.head(MAX_SHOWN), hide_index=True, width="stretch", column_config=config,
                 height=height or ("auto" if n <= 10 else 380))
    return shown


def follow_click(label: str, options: Sequence, key: str, clicked: Sequence, format_func: Callable = str,
                 **kwargs) -> Any:
    """A selectbox over ``options`` that jumps to the first of ``clicked`` (chart points the
    user has just clicked) when that click is new; otherwise it keeps the user's choice.
    The keyboard-friendly way to pick the same thing as the chart."""
    options = list(options)
    seen_key = f"_{key}_last_click"
    now = next((c for c in clicked if c in options), None)
    if now is not None and now != st.session_state.get(seen_key):
        st.session_state[key] = now
    st.session_state[seen_key] = now
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    return st.selectbox(label, options, key=key, format_func=format_func, **kwargs)
