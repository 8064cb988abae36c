"""Most valuable, most growable and below-zero customers (Differentiate)."""

import streamlit as st

from analysis import differentiate
from analysis.charts import segments as charts
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
s = settings.segments
cur = s.currency

st.title("💎 Most valuable, most growable, below zero")
st.markdown(
    "Peppers & Rogers sort customers by **actual value** (what they bring now) and **potential value** (what "
    "they could bring). **Most valuable customers (MVC)** bring the most profit today: keep them. **Most "
    "growable customers (MCC)** have the biggest gap between what they could spend and what they spend: "
    "grow them, e.g. by selling them more of what they buy elsewhere. **Below-zero customers (BZ)** cost "
    "more to serve than they earn you: serve them more cheaply (self-service, fewer visits) or charge for the "
    "service. The margin and the unit costs come from *Thresholds and costs* in the sidebar."
)
st.caption(
    f"As of {as_of:%Y-%m-%d}; last {s.window_months} months. Profit = {s.margin:.0%} margin on net revenue − "
    f"{cur}{s.cost_per_contact:,.0f} per contact − {cur}{s.cost_per_complaint:,.0f} per complaint − "
    f"{cur}{s.cost_per_refund:,.0f} per refund. MVC: top {s.mvc_share:.0%} by profit; MCC: top "
    f"{s.mcc_share:.0%} by room to grow."
)

scores = cached.scores(as_of, settings)
groups = {g: cached.from_scores(differentiate.value_group, as_of, settings, g) for g in differentiate.GROUPS}
wallet = cached.from_scores(differentiate.wallet_summary, as_of, settings)

cols = st.columns(4)
cols[0].metric("Most valuable (MVC)", f"{len(groups['MVC']):,}", help="Highest profit in the window.")
cols[1].metric("Most growable (MCC)", f"{len(groups['MCC']):,}", help="Largest gap between potential and actual.")
cols[2].metric("Below zero (BZ)", f"{len(groups['BZ']):,}", help="Cost to serve above their margin.")
cols[3].metric(
    "Median share of wallet", show.share(wallet["median_share"]),
    help=f"Among the {wallet['customers']:,} customers with a wallet estimate (what they could spend in total "
         "on what you sell), the share they spend with you.",
)
if "clv" in scores.messages:
    st.info("Potential comes from each customer's trend and wallet estimate (the purchase model could not be "
            "fitted: " + scores.messages["clv"] + ")")
else:
    st.caption("Potential: the revenue the purchase model (BG/NBD and Gamma-Gamma) expects from each customer "
               "over the next window; where it cannot tell, the customer's trend or wallet estimate.")

plotted, buyers = cached.from_scores(differentiate.scatter_sample, as_of, settings)
if not buyers:
    st.info("No purchases yet: import transactions to see who is valuable, growable or below zero.")
else:
    picked = show.selected_customdata(show.chart(charts.value_scatter(plotted, cur), key="val_scatter", selectable=True))
    if picked:  # a click on a dot opens that customer's page
        st.session_state["cu_search"] = str(picked[0])
        st.switch_page("pages/customer.py")
    st.caption("Each dot is a customer: right = more revenue now, up = more potential. Dots above the dotted "
               "line could spend more than they do; click one to open the customer."
               + (f" Showing {len(plotted):,} of {buyers:,} buyers: every MVC, MCC and BZ customer first, "
                  "then a fixed sample of the others." if len(plotted) < buyers else ""))

    st.subheader("Who is in each group, and why")
    common = ["customer_id", "name", "reason", "profit", "revenue_window", "potential", "gap"]
    if wallet["customers"]:
        common += ["share_of_wallet"]
    tabs = st.tabs([f"MVC ({len(groups['MVC']):,})", f"MCC ({len(groups['MCC']):,})", f"BZ ({len(groups['BZ']):,})"])
    extra = {"MVC": ["tier", "region"], "MCC": ["tier", "region"], "BZ": ["cost_to_serve", "tier", "region"]}
    for tab, group in zip(tabs, differentiate.GROUPS):
        with tab:
            lists.customer_list(groups[group], key=f"val_{group.lower()}", file_stem=f"{group.lower()}-customers",
                                columns=common + extra[group])
