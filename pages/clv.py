"""Customer lifetime value: who will still buy, how much, and how well the model predicts."""

import datetime as dt

import streamlit as st

from analysis import i18n, scores
from analysis.i18n import t
from analysis.charts import churn as churn_charts
from analysis.charts import clv as charts
from analysis.predict import choose
from analysis.predict.fit import CHECK_WEEKS
from ui import cached, lists, show

as_of, settings = show.opening("📈", t("Lifetime value"), t(
    "Past revenue says what a customer has been worth; lifetime value says what they are likely "
    "to be worth. The purchase model (BG/NBD, Fader, Hardie & Lee 2005) learns from each "
    "customer's number of repeat purchases, how recently they bought and how long they have been "
    "a customer: someone who bought often and recently is probably still a customer, someone who "
    "bought often and then stopped probably is not. The spend model (Gamma-Gamma) estimates what "
    "each purchase will be worth. Together they give the probability the customer is still active "
    "(P(alive)), the purchases to expect, and the margin they will bring, discounted to today."
))
c1, c2 = st.columns(2)
horizon = c1.slider(t("Horizon (months)"), 3, 36, settings.horizon_months, key="clv_horizon", bind="query-params")
discount = c2.number_input(t("Annual discount rate"), 0.0, 0.5, settings.annual_discount, 0.01, key="clv_discount",
                           bind="query-params")

used_model = "bgnbd"  # the holdout check's model, when the lifetime value cannot be computed
with show.explained():
    summary, outlook = cached.clv_page(as_of, settings, horizon, discount)
    used_model = summary["model"]
    m = st.columns(4)
    m[0].metric(t("Customers modelled"), i18n.number(summary["n_customers"]))
    m[1].metric(t("Repeat buyers"), i18n.number(summary["n_repeat"]))
    m[2].metric(t("Total CLV, next {months} months", months=horizon), show.money(summary["total_clv"], settings.currency),
                help=t("Margin {margin} of expected revenue, discounted at {discount} a year.",
                       margin=i18n.percent(settings.margin), discount=i18n.percent(discount)))
    m[3].metric(t("Average CLV"), show.money(summary["mean_clv"], settings.currency))
    if summary["note"]:  # the purchase model without dropout (NBD) answered: say why
        st.info(t("The purchase model used is NBD: {note}.", note=summary["note"]))
    for note in summary["notes"]:
        st.caption(note)
    with st.expander(t("Model parameters")):
        st.json({t("{model} (weeks)", model=choose.MODEL_NAMES[summary["model"]]): summary["model_params"],
                 "Gamma-Gamma": summary["gamma_gamma"]})
    st.subheader(t("Which purchase model?"))
    st.caption(choose.selection_words(summary["selection"]))
    st.table(choose.candidates_table(summary["candidates"], summary["model"]))

    has_p_alive = bool(outlook["p_alive"].notna().any())  # absent when nobody looks lapsed
    left, right = st.columns(2) if has_p_alive else (st.container(), None)
    with left:
        show.chart(charts.clv_distribution(outlook, settings.currency), key="clv_dist")
    if has_p_alive:
        with right:
            show.chart(charts.p_alive_by_recency(outlook), key="clv_alive")

    st.subheader(t("Top customers by lifetime value"))
    lists.customer_list(cached.stored_list("top_by_clv", as_of, settings, first=50)["rows"], key="clv_top",
                        file_stem="top-clv", columns=scores.LIST_COLUMNS)
    if has_p_alive:
        st.subheader(t("Most likely lost: repeat customers with the lowest P(alive)"))
        lists.customer_list(cached.stored_list("likely_lost", as_of, settings, first=50)["rows"], key="clv_lost",
                            file_stem="likely-lost", columns=scores.LIST_COLUMNS)

st.subheader(t("Does the model predict well? Check it on your own history"))
st.write(t(
    "Fit the model on purchases up to a calibration date, predict the period after it, and compare "
    "with what customers actually did. The baseline assumes each customer keeps buying at their "
    "calibration rate."
))
default_cut = as_of - dt.timedelta(weeks=CHECK_WEEKS)  # the check stored with the scores
cut = st.date_input(t("Calibration ends on"), value=default_cut, max_value=as_of - dt.timedelta(days=7),
                    key="clv_holdout", format="YYYY-MM-DD")
with show.explained():
    result, churn = cached.clv_check(cut, as_of, used_model, settings)
    e = result.errors
    v = st.columns(3)
    v[0].metric(t("Mean error per customer, model"), i18n.number(e["model"]["mae"], 2))
    v[1].metric(t("Mean error per customer, baseline"), i18n.number(e["baseline"]["mae"], 2))
    v[2].metric(t("Model better than baseline"), t("Yes") if result.model_beats_baseline else t("No"))
    left, right = st.columns(2)
    with left:
        show.chart(charts.tracking_chart(result.tracking, result.calibration_end), key="clv_tracking")
    with right:
        show.chart(charts.conditional_expectations_chart(result.conditional), key="clv_conditional")
    st.write(t("Who will buy nothing in the {days} days after {date}? Scored on what customers then did "
               "(0 is a perfect forecast, lower is better): the model {model}, the rule \"no purchase in the "
               "last 90 days means gone\" {naive}.", days=round(churn.horizon * 7), date=cut.isoformat(),
               model=i18n.number(churn.brier, 3), naive=i18n.number(churn.naive_brier, 3)))
    show.chart(churn_charts.reliability_chart(churn.reliability), key="clv_reliability")
