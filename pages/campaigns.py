"""Campaigns: a customer list with a random control group, measured honestly afterwards."""

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import i18n
from analysis.customize import plan
from analysis.charts.campaigns import profit_chart, qini_chart, response_chart
from analysis.errors import UserError
from analysis.i18n import N_, t
from analysis.interact.campaigns import workspace as campaigns
from ui import cached, labels, lists, show, sidebar, workspace

as_of, settings = sidebar.as_of(), sidebar.settings()
action_settings = sidebar.action_settings()
show.whole_tiles()

st.title("🎯 " + t("Campaigns"))
st.write(t(
    "Does an action work? Send it to a list of customers but hold a random control group back: "
    "afterwards, the difference between the two groups is what the campaign changed. Make a campaign "
    "from any filter of the action plan, download its list (without the control group), and come back "
    "to measure it: a response is a purchase within the window from its start, or a contact answering "
    "its action with a positive outcome."
))

# -- the list -------------------------------------------------------------------------------------
ws = workspace.current()
found = campaigns.list_campaigns(ws)
if not found:
    st.info(t("No campaign yet: make the first one below."))
rows = []
for c in found:
    try:
        words = campaigns.verdict_words(cached.campaign_measure(c["name"]), settings.currency)
    except UserError as exc:
        words = str(exc)
    rows.append({"name": c["name"], "start": c["start"], "customers": c["customers"],
                 "control_customers": c["control_customers"], "verdict": words})
if rows:
    table = pd.DataFrame(rows)
    st.dataframe(table.rename(columns={"name": t("Campaign"), "start": t("Start"), "customers": t("Customers"),
                                       "control_customers": t("Control group"), "verdict": t("Verdict")}),
                 hide_index=True, width="stretch", key="cp_table", placeholder=i18n.DASH)

    # -- one campaign ---------------------------------------------------------------------------
    names = [c["name"] for c in found]
    if st.session_state.get("cp_pick") not in names:
        st.session_state["cp_pick"] = st.session_state.get("cp_created") if st.session_state.get(
            "cp_created") in names else names[0]
    name = st.selectbox(t("Campaign to look at"), names, key="cp_pick")
    result = None
    try:
        result = cached.campaign_measure(name)
    except UserError as exc:
        st.info(str(exc))
    if result is not None:
        verdict = result["verdict"]
        st.subheader(campaigns.verdict_words(result, settings.currency))
        m = st.columns(3)
        m[0].metric(t("Difference in response rate"), f"{100 * verdict['rate_diff']:+.1f} " + t("points"))
        m[1].metric(t("p-value"), f"{verdict['p_value']:.3f}")
        if verdict.get("incremental_value") is not None:
            ci = verdict.get("incremental_value_ci") or [None, None]
            m[2].metric(t("Incremental revenue (estimate)"), show.money(verdict["incremental_value"], settings.currency),
                        help=t("95% interval: {lo} to {hi}", lo=show.money(ci[0], settings.currency),
                               hi=show.money(ci[1], settings.currency)))
        st.caption(t("The verdict is read from the 95% interval of the difference in response rate: "
                     "“worked” only when the whole interval is above zero."))
        rates = campaigns.group_rates(result)
        event = show.chart(response_chart(rates), key="cp_rates", selectable=True)
        arm = lists.follow_click(t("Customers of the group"), rates["arm"].tolist(), key="cp_group",
                                 clicked=show.selected_customdata(event), format_func=labels.arm)
        lists.customer_list(cached.campaign_members_named(name, arm, as_of, settings),
                            key="cp_members", file_stem=f"campaign-{arm}",
                            columns=["customer_id", "name", "tier", "response", "value"])

        with st.expander(t("Whom does it move? The uplift model")):
            treated = [a for a in rates["arm"] if a != result["control"]]
            uplift_arm = st.selectbox(t("Group"), treated, key="cp_uplift_arm")
            with show.explained():
                evaluation = cached.campaign_uplift(name, uplift_arm)
                x, q = evaluation.qini_curve()
                st.plotly_chart(qini_chart(x, q), key="cp_qini")
                st.caption(t("Qini coefficient {qini:.3f} (95% interval {lo:.3f} to {hi:.3f}); above zero means "
                             "the model ranks customers better than chance.", qini=evaluation.qini,
                             lo=evaluation.qini_ci[0], hi=evaluation.qini_ci[1]))
                cost, margin = settings.segments.cost_per_contact, settings.margin
                st.markdown("**" + t("What contacting would earn") + "**")
                st.caption(t("Incremental profit of contacting the top share of this list ranked by the model, by "
                             "lifetime value (as known the day before the start) or everyone alike, for a contact "
                             "cost of {cost} and a margin of {margin:.0%} on the extra revenue (the sidebar's "
                             "settings), measured on the customers the model did not learn from.",
                             cost=show.money(cost, settings.currency), margin=margin))
                table = cached.campaign_profit(name, uplift_arm, cost, margin, settings)
                st.plotly_chart(profit_chart(table, settings.currency), key="cp_profit")

# -- a new campaign -------------------------------------------------------------------------------
st.header(t("New campaign"))
options, titles = cached.of_actions("campaign_choices", as_of, settings, action_settings, cached.CAMPAIGN_FILTERS)
LABELS = {"tier": N_("Pyramid tier"), "cell": N_("Matrix cell"), "action": N_("Action")}
shown_as = {**labels.COLUMNS, "action": lambda a: titles.get(a, a)}
cols = st.columns(3)
filters = {key: cols[i].multiselect(t(label), options.get(key, []), key=f"cp_{key}", placeholder=t("All"),
                                    format_func=shown_as.get(key, str)) for i, (key, label) in enumerate(LABELS.items())}
listed = cached.campaign_selection(as_of, filters, settings, action_settings)
c1, c2, c3 = st.columns(3)
holdout = c1.slider(t("Control group share"), 0.05, 0.5, 0.1, 0.05, key="cp_holdout")
start = c2.date_input(t("Start"), value=dt.date.today(), key="cp_start")
window = c3.number_input(t("Response window (days)"), 1, 3650, campaigns.DEFAULT_WINDOW_DAYS, key="cp_window")
if listed.empty:
    st.info(t("No customer matches these filters."))
else:
    lift = st.number_input(t("Lift you hope to detect (points)"), 0.1, 50.0, 5.0, 0.5, key="cp_lift")
    planned = cached.campaign_plan(as_of, filters, settings, action_settings, holdout, int(window), lift / 100)
    st.markdown("**" + show.escape_markdown(campaigns.planned_words(planned)) + "**")
    if planned["control_share_needed"] is not None:
        st.caption(t("To detect a lift of {lift:.1f} points, hold out at least {share:.0%} of the list.", lift=lift,
                     share=planned["control_share_needed"]))
    elif planned["minimum_detectable_effect"] is not None:
        st.caption(t("Even a 50/50 split of this list cannot detect a lift of {lift:.1f} points.", lift=lift))
    name_in = st.text_input(t("Campaign name"), key="cp_name")
    if st.button(t("Create the campaign"), key="cp_create", type="primary"):
        actions = filters.get("action") or []
        try:
            with st.spinner(t("Computing…")):
                made = campaigns.create_campaign(
                    ws, name_in, listed, start, holdout=holdout, action=actions[0] if len(actions) == 1 else None,
                    window_days=int(window), filters=filters)
        except UserError as exc:
            st.error(str(exc))
        else:
            st.session_state["cp_created"] = made["name"]
            st.session_state.pop("cp_pick", None)
            st.rerun()
    created = st.session_state.get("cp_created")
    if created in [c["name"] for c in found]:
        st.success(t("Campaign “{name}” is stored. Download the list of customers to contact; the control group "
                     "is not in it.", name=show.escape_markdown(created)))
        # the first rows' top actions are written now, every target's when a download asks
        first, targeted, everyone = cached.campaign_targets(created, as_of, filters, settings, action_settings,
                                                            lists.MAX_SHOWN)
        lists.customer_list(first, key="cp_targets", file_stem="campaign-targets", columns=plan.EXPORT_COLUMNS,
                            whole=everyone, sized=(targeted, targeted))
