"""Overview: the business at a glance (Identify)."""

import streamlit as st

from analysis import customer, overview
from analysis.charts import overview as charts
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
window = settings.window_months

st.title("🏠 Overview")
st.caption(f"Workspace “{sidebar.workspace_name()}” as of {as_of:%Y-%m-%d}; active = bought in the last {window} months.")

k = cached.on_tables(overview.kpis, as_of, window)
cols = st.columns(5)
cols[0].metric("Customers", f"{k['customers']:,}", help="Listed in the customer list, or seen in purchases or contacts.")
cols[1].metric("Active customers", f"{k['active_customers']:,}", help=f"Bought in the last {window} months.")
cols[2].metric("Revenue", show.money(k["revenue"]), help="Net of refunds, all purchases up to the as-of date.")
cols[3].metric("Average order value", show.money(k["average_order_value"]))
cols[4].metric("Repeat rate", show.share(k["repeat_rate"]), help="Share of buyers with two or more orders.")

left, right = st.columns(2)
with left, show.explained():
    curve, top20, gini = cached.on_tables(overview.pareto, as_of, window)
    st.subheader(overview.pareto_sentence(top20))
    show.chart(charts.lorenz_chart(curve, top20, gini), key="ov_pareto")
month = None
with right, show.explained():
    st.subheader("Revenue by month")
    monthly = cached.on_tables(overview.revenue_by_month, as_of)
    month_event = show.chart(charts.revenue_by_month_chart(monthly, title=None), key="ov_months", selectable=True)
    buyers = dict(zip(overview.month_keys(monthly), monthly["customers"]))
    month = lists.follow_click("Who bought in a month", list(reversed(buyers)), key="ov_month",
                               clicked=show.selected_customdata(month_event), index=None,
                               placeholder="Click a bar or pick a month",
                               format_func=lambda m: f"{m} ({buyers[m]:,} buyers)")
if month:
    ids = cached.on_tables(overview.month_buyers, as_of, month)
    st.markdown(f"**Customers who bought in {month}**")
    lists.customer_list(customer.apply_filters(cached.scores(as_of, settings).frame, {"customer_id": ids}),
                        key="ov_list_month", file_stem=f"customers-{month}")

st.subheader("Where customers are, what trade they are in, what they buy")
st.caption("Click a bar to list its customers.")
tabs = st.tabs(["Region", "Industry", "Channel", "Product category"])
for tab, by in zip(tabs, overview.BREAKDOWNS):
    with tab, show.explained():
        figure = charts.breakdown_chart(cached.on_tables(overview.breakdown, as_of, by, window), by)
        clicked = show.selected_customdata(show.chart(figure, key=f"ov_by_{by}", selectable=True))
        if clicked:
            if by == "category":
                ids = cached.on_tables(overview.category_buyers, as_of, clicked[0], window)
                chosen = customer.apply_filters(cached.scores(as_of, settings).frame, {"customer_id": ids})
            else:
                chosen = customer.apply_filters(cached.scores(as_of, settings).frame, {by: [clicked[0]]})
            st.text(f"{by.capitalize()}: {clicked[0]}")
            lists.customer_list(chosen, key=f"ov_list_{by}", file_stem=f"customers-{by}")
