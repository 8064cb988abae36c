"""Most valuable, most growable and below-zero customers (Differentiate)."""

import streamlit as st

from analysis import i18n
from analysis.differentiate import headroom, views
from analysis.i18n import t
from analysis.charts import segments as charts
from ui import cached, lists, presenting, show, sidebar

as_of, settings = show.opening("💎", t("Most valuable, most growable, below zero"), t(
    "Peppers & Rogers sort customers by **actual value** (what they bring now) and **potential value** (what "
    "they could bring). **Most valuable customers (MVC)** bring the most profit today: keep them. **Most "
    "growable customers (MCC)** have the biggest gap between what they could spend and what they spend: "
    "grow them, e.g. by selling them more of what they buy elsewhere. **Below-zero customers (BZ)** cost "
    "more to serve than they earn you: serve them more cheaply (self-service, fewer visits) or charge for the "
    "service. The margin and the unit costs come from *Thresholds and costs* in the sidebar."
))
s = settings.segments
cur = s.currency
st.caption(t(
    "As of {date}; last {months} months. Profit = {margin} margin on net revenue − {contact} per contact − "
    "{complaint} per complaint − {refund} per refund. MVC: top {mvc} by profit; MCC: top {mcc} by room to grow.",
    date=i18n.date(as_of), months=s.window_months, margin=i18n.percent(s.margin),
    contact=i18n.money(s.cost_per_contact, cur), complaint=i18n.money(s.cost_per_complaint, cur),
    refund=i18n.money(s.cost_per_refund, cur), mvc=i18n.percent(s.mvc_share), mcc=i18n.percent(s.mcc_share),
))

figures = cached.value_figures(as_of, settings)  # counts and first rows from the stored scores
scores, sizes, wallet = figures["scores"], figures["counts"], figures["wallet"]

cols = st.columns(4)
cols[0].metric(t("Most valuable (MVC)"), i18n.number(sizes["MVC"]), help=t("Highest profit in the window."))
cols[1].metric(t("Most growable (MCC)"), i18n.number(sizes["MCC"]),
               help=t("Largest gap between potential and actual."))
cols[2].metric(t("Below zero (BZ)"), i18n.number(sizes["BZ"]), help=t("Cost to serve above their margin."))
cols[3].metric(
    t("Median share of wallet"), show.share(wallet["median_share"]),
    help=t("Among the {count} customers with a wallet estimate (what they could spend in total on what you sell), "
           "the share they spend with you.", count=i18n.number(wallet["customers"])),
)
if "clv" in scores.messages:
    st.info(t("Potential comes from each customer's trend and wallet estimate (the purchase model could not be "
              "fitted: {reason})", reason=scores.messages["clv"]))
else:
    st.caption(t("Potential: the revenue the purchase model (BG/NBD and Gamma-Gamma) expects from each customer "
                 "over the next window; where it cannot tell, the customer's trend or wallet estimate."))

plotted, buyers = figures["scatter"]
if not buyers:
    st.info(t("No purchases yet: import transactions to see who is valuable, growable or below zero."))
else:
    masker = cached.masker(as_of, settings) if presenting.masking() else None
    shown = masker.mask_frame(plotted) if masker else plotted
    picked = show.selected_customdata(show.chart(charts.value_scatter(shown, cur), key="val_scatter", selectable=True))
    if picked:  # a click on a dot opens that customer's page
        lists.open_customer(masker.customer_id(picked[0]) if masker else str(picked[0]))
    st.caption(t("Each dot is a customer: right = more revenue now, up = more potential. Dots above the dotted "
                 "line could spend more than they do; click one to open the customer.")
               + (t(" Showing {shown} of {buyers} buyers: every MVC, MCC and BZ customer first, then a fixed sample "
                    "of the others.", shown=i18n.number(len(plotted)), buyers=i18n.number(buyers))
                  if len(plotted) < buyers else ""))

    st.subheader(t("Who is in each group, and why"))
    common = ["customer_id", "name", "reason", "profit", "revenue_window", "potential", "gap"]
    if wallet["customers"]:
        common += ["share_of_wallet"]
    tabs = st.tabs([f"{g} ({i18n.number(sizes[g])})" for g in views.GROUPS] + [t("Headroom")])
    extra = {"MVC": ["tier", "region"], "MCC": ["tier", "region"], "BZ": ["cost_to_serve", "tier", "region"]}
    for tab, group in zip(tabs, views.GROUPS):
        with tab:
            members = figures["groups"][group]
            lists.customer_list(members["rows"], key=f"val_{group.lower()}", file_stem=f"{group.lower()}-customers",
                                columns=common + extra[group], whole=members["whole"],
                                sized=(members["count"], members["count"]))
    with tabs[-1]:  # the revenue still to win, customer by customer, with how good the wallets are
        st.caption(t("Each customer's wallet is what they spend a year on what you sell, with you and with others: "
                     "given in your customer list, else estimated from similar customers. Still to win = wallet − "
                     "revenue of the last 12 months."))
        if scores.wallet is None:
            st.info(t("No wallet could be estimated: {reason}", reason=scores.messages.get("wallet", "")))
        else:
            st.info(headroom.accuracy_text(scores.wallet))
            lists.customer_list(figures["headroom"], key="val_headroom", file_stem="headroom-customers",
                                columns=headroom.RANKING_COLUMNS)
