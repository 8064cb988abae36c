"""A list of customers any page can show: a table with plain headers, a count, and CSV and
Excel downloads (formula-safe, see :mod:`analysis.export`); a click on a row opens that
customer on the Customer page. Also :func:`follow_click`, a selectbox that jumps to what the
user clicked in a chart, and :func:`open_customer`.

    customer_list(frame, key="pyr_list", file_stem="pyramid-top")
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from analysis import i18n
from analysis.export import to_csv_bytes, to_xlsx_bytes
from analysis.i18n import N_, t, tn
from analysis.money import in_currency, whole
from ui import cached, labels, presenting, show, sidebar

# Column -> plain header. Anything not listed keeps its own name.
HEADERS = {
    "customer_id": N_("Customer"), "name": N_("Name"), "tier": N_("Pyramid tier"), "previous_tier": N_("Tier one window ago"),
    "cell": N_("Matrix cell"), "abcd": N_("Class"), "strategy": N_("Strategy"), "rfm_segment": N_("RFM segment"),
    "r": N_("R"), "f": N_("F"), "m": N_("M"), "cluster_name": N_("Persona"), "region": N_("Region"), "industry": N_("Industry"),
    "channel": N_("Channel"), "revenue_window": N_("Revenue in window"), "revenue_prev_window": N_("Revenue, window before"),
    "revenue": N_("Revenue, all time"), "orders": N_("Orders"), "last_purchase": N_("Last purchase"),
    "recency_days": N_("Days since last purchase"), "profit": N_("Profit in window"), "potential": N_("Potential"),
    "gap": N_("Room to grow"), "share_of_wallet": N_("Share of wallet"), "wallet": N_("Wallet estimate"),
    "cost_to_serve": N_("Cost to serve"), "reason": N_("Why"), "satisfaction_5": N_("Satisfaction (of 5)"),
    "complaints": N_("Complaints"), "change": N_("Change"), "change_pct": N_("Change %"), "direction": N_("Direction"), "score": N_("Look-alike score"),
    "similar_because": N_("Similar because"), "clv": N_("Customer lifetime value"), "p_alive": N_("Chance still active"),
    "title": N_("Action"), "priority": N_("Priority"), "due": N_("Due"), "open_since": N_("Open since"),
    "top_action": N_("Top action"),
    "top_action_reason": N_("Why this action"), "expected_next_purchase": N_("Expected next purchase"),
    "clv_note": N_("What the model says"), "time": N_("Time"), "kind": N_("Kind"), "amount": N_("Amount"),
    "category": N_("Category"), "product": N_("Product"), "satisfaction": N_("Satisfaction"), "outcome": N_("Outcome"),
    "note": N_("Note"),
    "main_category": N_("Main category"), "order_size": N_("Order size"),
    "wallet_estimate": N_("Wallet"), "headroom": N_("Still to win"), "wallet_basis": N_("Wallet from"),
    "response": N_("Responded (1 = yes)"), "value": N_("Response value"),
}
DEFAULT_COLUMNS = [
    "customer_id", "name", "tier", "revenue_window", "revenue", "orders", "last_purchase",
    "region", "industry", "channel", "cell", "rfm_segment", "cluster_name",
]
MONEY = {"revenue_window", "revenue_prev_window", "revenue", "profit", "potential", "gap", "wallet",
         "cost_to_serve", "change", "clv", "wallet_estimate", "headroom"}
# Columns of amounts: their header names the workspace's currency ("Revenue in window (¥)").
AMOUNTS = MONEY | {"amount", "value"}
SHARES = {"share_of_wallet", "change_pct", "p_alive"}
DATES = {"last_purchase", "open_since", "due", "expected_next_purchase"}
# Rows shown in a list's table; the CSV and Excel downloads hold every row.
MAX_SHOWN = 1000
OPEN = "_open_customer"  # session key: the customer a click asked the Customer page to show


def table(frame: pd.DataFrame, columns: Sequence[str] | None = None, currency: str = "") -> pd.DataFrame:
    """The columns to show (those of ``columns`` or :data:`DEFAULT_COLUMNS` that exist), with
    money rounded to whole units (half up) and plain headers; amounts' headers name ``currency``
    (the symbol, ``settings.currency``)."""
    wanted = [c for c in (columns or DEFAULT_COLUMNS) if c in frame.columns]
    out = labels.for_people(frame[wanted].reset_index(drop=True))
    for col in wanted:
        if col in MONEY:
            out[col] = whole(pd.to_numeric(out[col], errors="coerce"))
        elif col in DATES:  # a missing date is an empty cell, never "None"
            out[col] = pd.to_datetime(out[col].astype(object), errors="coerce")
    return out.rename(columns={c: header(c, currency) for c in wanted})


def header(column: str, currency: str = "") -> str:
    """The plain header of a column in the current language (its own name when not listed);
    an amount's says its currency (``currency``, the symbol): "Revenue, all time (£)"."""
    text = t(HEADERS[column]) if column in HEADERS else column
    return in_currency(text, currency) if column in AMOUNTS else text


def open_customer(customer_id: str) -> None:
    """Go to the Customer page on ``customer_id`` (a click on a list's row or a chart's dot).
    Handed over in the session, not in the search box, so a masked view never shows the id."""
    st.session_state[OPEN] = str(customer_id)
    st.switch_page("pages/customer.py")


def opened_customer() -> str | None:
    """The customer :func:`open_customer` asked the Customer page to show, once."""
    return st.session_state.pop(OPEN, None)


def count_line(frame: pd.DataFrame, rows: str = "customers", sized: tuple[int, int] | None = None) -> str:
    """"1,234 customers", or for a list of actions (``rows="actions"``) "7,669 actions for
    4,716 customers": a list says what its rows are. ``sized``: (rows, distinct customers) of
    the whole list when ``frame`` holds only its first rows."""
    n = len(frame) if sized is None else sized[0]
    customers = tn("{count} customer", "{count} customers", n, count=i18n.number(n))
    if rows != "actions":
        return customers
    people = (int(frame["customer_id"].nunique()) if n else 0) if sized is None else sized[1]
    return tn("{count} action for {customers}", "{count} actions for {customers}", n, count=i18n.number(n),
              customers=tn("{count} customer", "{count} customers", people, count=i18n.number(people)))


def column_config(shown: pd.DataFrame, currency: str = "") -> dict[str, Any]:
    """How Streamlit shows the columns of a :func:`table` (made with ``currency``): money
    grouped, shares as percent, dates as dates."""
    config: dict[str, Any] = {}
    for col in shown.columns:
        source = next((c for c in HEADERS if header(c, currency) == col), col)
        if source in MONEY:
            config[col] = st.column_config.NumberColumn(format="localized")
        elif source in SHARES:
            config[col] = st.column_config.NumberColumn(format="percent")
        elif source in DATES:
            config[col] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


def show_table(frame: pd.DataFrame, columns: Sequence[str], key: str | None = None, currency: str = "") -> None:
    """A small table of :func:`table` (no count, downloads or click), e.g. one customer's events;
    amounts' headers name ``currency``."""
    shown = table(frame, columns, currency)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config(shown, currency), key=key,
                 placeholder=i18n.DASH)


def customer_list(frame: pd.DataFrame, key: str, file_stem: str, columns: Sequence[str] | None = None,
                  height: int | None = None, rows: str = "customers",
                  whole: Callable[[], pd.DataFrame] | None = None,
                  sized: tuple[int, int] | None = None) -> pd.DataFrame:
    """Show customers in a table with a count and CSV / Excel downloads; returns the rows
    shown (at most :data:`MAX_SHOWN`, with plain headers). A click on a row opens that
    customer (:func:`open_customer`).

    ``key`` prefixes the widget keys (``<key>_table``, ``<key>_csv``, ``<key>_xlsx``);
    ``file_stem`` names the downloaded files; ``rows="actions"`` when a row is a suggested
    action rather than a customer (the count then says both). Names are shown as data, never
    as Markdown. Only the rows shown are put into words on each run; a download does the same
    to every row when it is asked for (a list can hold a million customers).

    A list too long to build at all passes its first rows as ``frame`` (at least
    :data:`MAX_SHOWN` of them, or all), ``sized`` = (rows, distinct customers) of the whole
    list and ``whole``, which builds every row: it is called only when a download is asked for."""
    everything = whole if whole is not None else (lambda: frame)
    settings = sidebar.settings()
    masker = cached.masker(sidebar.as_of(), settings) if presenting.masking() else None

    def for_people(rows: pd.DataFrame) -> pd.DataFrame:  # also run later, by a download
        return table(masker.mask_frame(rows) if masker is not None else rows, columns, settings.currency)

    n = len(frame) if sized is None else sized[0]
    count, csv_col, xlsx_col = st.columns([3, 1, 1], vertical_alignment="center")
    count.markdown("**" + count_line(frame, rows, sized) + "**")
    csv_col.download_button(
        t("⬇️ CSV"), data=show.in_this_language(lambda: to_csv_bytes(for_people(everything()))),
        file_name=f"{file_stem}.csv", mime="text/csv",
        key=f"{key}_csv", on_click="ignore", disabled=n == 0, width="stretch",
    )
    xlsx_col.download_button(
        t("⬇️ Excel"), data=show.in_this_language(lambda: to_xlsx_bytes(for_people(everything()), sheet_name="customers")),
        file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", disabled=n == 0, width="stretch",
    )
    if n > MAX_SHOWN:  # a browser table of tens of thousands of rows is slow to send and to read
        st.caption(t("Showing the first {shown} of {count}; the downloads have them all.",
                     shown=i18n.number(MAX_SHOWN), count=i18n.number(n)))
    first = frame.head(MAX_SHOWN)
    shown = for_people(first)
    config = column_config(shown, settings.currency)
    if "customer_id" not in first:
        st.dataframe(shown, hide_index=True, width="stretch", column_config=config, placeholder=i18n.DASH,
                     height=height or ("auto" if n <= 10 else 380))
        return shown
    st.caption(t("Click a row to open that customer."))
    event = st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=f"{key}_table",
                         placeholder=i18n.DASH,  # a missing value reads "–", never "None" or "nan"
                         height=height or ("auto" if n <= 10 else 380), on_select="rerun",
                         selection_mode="single-row")
    picked = [int(r) for r in ((event or {}).get("selection") or {}).get("rows") or [] if int(r) < len(first)]
    seen = f"_{key}_opened"
    if picked and picked != st.session_state.get(seen):  # a new click, not a selection left from before
        st.session_state[seen] = picked
        open_customer(first["customer_id"].iloc[picked[0]])
    st.session_state[seen] = picked
    return shown


def follow_click(label: str, options: Sequence, key: str, clicked: Sequence, format_func: Callable = str,
                 default: Any = None, **kwargs) -> Any:
    """A selectbox over ``options`` that jumps to the first of ``clicked`` (chart points the
    user has just clicked) when that click is new; otherwise it keeps the user's choice.
    The keyboard-friendly way to pick the same thing as the chart. ``default`` (one of the
    options) is what it shows before the user picks anything, e.g. where to start."""
    options = list(options)
    seen_key = f"_{key}_last_click"
    now = next((c for c in clicked if c in options), None)
    if now is not None and now != st.session_state.get(seen_key):
        st.session_state[key] = now
    st.session_state[seen_key] = now
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
        if default in options:  # through the session state: an index= next to it would warn
            st.session_state[key] = default
    return st.selectbox(label, options, key=key, format_func=format_func, **kwargs)
