"""Overview: the business at a glance (Identify)."""

import streamlit as st

from analysis import i18n
from analysis.identify import customers, overview
from analysis.i18n import t
from analysis.charts import overview as charts
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
show.whole_tiles()
window = settings.window_months

st.title("🏠 " + t("Overview"))
show.demo_notice()
st.caption(t("Workspace “{name}” as of {date}; active = bought in the last {months} months.",
             name=sidebar.workspace_name(), date=i18n.date(as_of), months=window))

k = cached.kpis(as_of, window, settings)
cols = st.columns([1, 1, 1.6, 1, 1])  # revenue: room for a large amount with its currency
cols[0].metric(t("Customers"), i18n.number(k["customers"]),
               help=t("Listed in the customer list, or seen in purchases or contacts."))
cols[1].metric(t("Active customers"), i18n.number(k["active_customers"]),
               help=t("Bought in the last {months} months.", months=window))
cols[2].metric(t("Revenue"), show.money(k["revenue"], settings.currency),
               help=t("Net of refunds, all purchases up to the as-of date."))
cols[3].metric(t("Average order value"), show.money(k["average_order_value"], settings.currency))
cols[4].metric(t("Repeat rate"), show.share(k["repeat_rate"]), help=t("Share of buyers with two or more orders."))
if guests := cached.guest_purchases(as_of):
    st.caption(t("{share} of purchase lines ({lines}), {revenue} of revenue, have no customer id (guest checkouts): "
                 "they are left out of every figure on this page.", share=show.share(guests["share"]),
                 lines=i18n.number(guests["lines"]), revenue=show.money(guests["revenue"], settings.currency)))

left, right = st.columns(2)
with left, show.explained():
    curve, top20, gini = cached.pareto(as_of, window, settings)
    st.subheader(overview.pareto_sentence(top20))
    show.chart(charts.lorenz_chart(curve, top20, gini), key="ov_pareto")
month = None
with right, show.explained():
    st.subheader(t("Revenue by month"))
    monthly = cached.revenue_by_month(as_of, window, settings)
    month_event = show.chart(charts.revenue_by_month_chart(monthly, settings.currency, title=None), key="ov_months",
                             selectable=True)
    buyers = dict(zip(overview.month_keys(monthly), monthly["customers"]))
    month = lists.follow_click(t("Who bought in a month"), list(reversed(buyers)), key="ov_month",
                               clicked=show.selected_customdata(month_event), index=None,
                               placeholder=t("Click a bar or pick a month"),
                               format_func=lambda m: t("{month} ({count} buyers)", month=i18n.month(f"{m}-01"),
                                                       count=i18n.number(buyers[m])))
if month:
    ids = cached.month_buyers(as_of, month)
    st.markdown("**" + t("Customers who bought in {month}", month=i18n.month(f"{month}-01")) + "**")
    buyers_in_month = customers.apply_filters(cached.scores(as_of, settings).frame, {"customer_id": ids})
    lists.customer_list(customers.ranked(buyers_in_month),
                        key="ov_list_month", file_stem=f"customers-{month}")

st.subheader(t("Where customers are, what trade they are in, what they buy"))
st.caption(t("Click a bar to list its customers."))
tabs = st.tabs([t("Region"), t("Industry"), t("Channel"), t("Product category")])
for tab, by in zip(tabs, overview.BREAKDOWNS):
    with tab, show.explained():
        figure = charts.breakdown_chart(cached.breakdown(as_of, by, window, settings), by, settings.currency)
        clicked = show.selected_customdata(show.chart(figure, key=f"ov_by_{by}", selectable=True))
        if clicked:
            if by == "category":
                ids = cached.category_buyers(as_of, clicked[0], window)
                chosen = customers.apply_filters(cached.scores(as_of, settings).frame, {"customer_id": ids})
            else:
                chosen = customers.apply_filters(cached.scores(as_of, settings).frame, {by: [clicked[0]]})
            st.text(f"{lists.header(by)}: {clicked[0]}")
            lists.customer_list(customers.ranked(chosen), key=f"ov_list_{by}", file_stem=f"customers-{by}")
