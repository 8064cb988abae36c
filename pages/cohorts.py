"""Cohorts: customers grouped by the month of their first purchase, and how many buy again (Identify)."""

import streamlit as st

from analysis import i18n
from analysis.identify import customers
from analysis.i18n import t
from analysis.charts import cohorts as charts
from analysis.identify import cohorts
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()


def cell_words(key: str) -> str:
    month, offset = key.split("/")
    return t("{cohort}, month {n}", cohort=i18n.month(f"{month}-01"), n=offset)


st.title("🗓️ " + t("Cohorts"))
st.write(t(
    "Customers who first bought in the same month form a cohort. Each row follows one cohort: the share "
    "of its customers who bought again one month later, two months later, and so on. A cohort that keeps "
    "buying is a relationship that works; a row that fades fast says when to step in. Compare rows to see "
    "whether newer customers stay better or worse than older ones."))
st.caption(t("As of {date}. Only months complete by then are shown, so a month still under way never reads "
             "as a drop.", date=i18n.date(as_of)))

with show.explained():
    c = cached.cohorts(as_of)
    event = show.chart(charts.retention_heatmap(c), key="co_triangle", selectable=True)
    chosen = lists.follow_click(t("Customers of one cell"), cohorts.cells_shown(c), key="co_cell",
                                clicked=show.selected_customdata(event), index=None,
                                placeholder=t("Click a cell or pick a cohort and month"), format_func=cell_words)
    if chosen:
        month, offset = chosen.split("/")
        ids = cached.cohort_customers(as_of, month, int(offset))
        st.markdown("**" + t("First bought in {cohort}, bought in month {n}: {count}",
                             cohort=i18n.month(f"{month}-01"), n=offset,
                             count=i18n.tn("{n:,} customer", "{n:,} customers", len(ids))) + "**")
        members = customers.apply_filters(cached.scores(as_of, settings).frame, {"customer_id": ids})
        lists.customer_list(customers.ranked(members), key="co_list", file_stem=f"cohort-{month}-month-{offset}")
    left, right = st.columns(2)
    with left:
        show.chart(charts.average_curve_chart(c), key="co_average")
    with right:
        show.chart(charts.revenue_chart(c, settings.currency), key="co_revenue")
