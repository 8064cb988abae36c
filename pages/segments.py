"""RFM segments, attitude change and the ideal customer profile (Differentiate)."""

import streamlit as st

from analysis import i18n
from analysis.differentiate import icp, rfm, views
from analysis.charts import differentiate as dcharts
from analysis.charts import segments as charts
from analysis.errors import UserError
from analysis.i18n import N_, t
from analysis.money import in_currency, whole
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
show.whole_tiles()
s = settings.segments
revenue_col = in_currency(t("Revenue, all time"), s.currency)  # money columns say their currency

st.title("🧩 " + t("Segments"))
st.markdown(t(
    "Three ways to find groups worth a campaign. **RFM** (Hughes) scores every buyer 1 to 5 on how "
    "**r**ecently and how **f**requently they bought and how much **m**oney they spent (5 = best fifth), and "
    "names the R × F combinations: *champions* to reward, *at risk* and *cannot lose them* to win back before "
    "they go. **Rising and falling** customers changed their spending a lot since the window before: a falling "
    "customer is a warning to act on now. The **ideal customer profile** shows what your best customers have "
    "in common, and which prospects and small customers look like them: those are the ones to approach next."
))
st.caption(t("As of {date}; activity window {months} months.", date=i18n.date(as_of), months=s.window_months))

RULE_LABELS = {"r_min": N_("R from"), "r_max": N_("R to"), "f_min": N_("F from"), "f_max": N_("F to")}
# Each tab runs only when it is open (the ideal customer profile groups every purchase line
# by category): the page opens on the RFM segments, counted from the stored scores.
rfm_tab, change_tab, icp_tab = st.tabs([t("RFM segments"), t("Rising and falling"), t("Ideal customer profile")],
                                       key="seg_tab", on_change="rerun")

with rfm_tab:
    if rfm_tab.open and not cached.rfm_figures(as_of, settings, None)["has_rfm"]:
        st.info(t("No purchases yet: import transactions to score customers by RFM."))
    elif rfm_tab.open:
        with st.expander(t("The rules (first match wins; edit the score ranges or names to try your own)")):
            edited = st.data_editor(
                rfm.segment_rules(), key="rfm_rules", hide_index=True, width="stretch", num_rows="dynamic",
                column_config={
                    "segment": st.column_config.TextColumn(t("Segment"), required=True),
                    **{c: st.column_config.NumberColumn(t(label), min_value=1, max_value=5, step=1, required=True)
                       for c, label in RULE_LABELS.items()},
                    "description": st.column_config.TextColumn(t("What it means and what to do")),
                },
            )
        rules = None
        try:
            rules = views.rules_from_table(edited)
        except UserError as exc:
            st.warning(t("{problem} Using the built-in rules meanwhile.", problem=exc))
        summary = cached.rfm_figures(as_of, settings, rules)["summary"]
        counts, grid = summary["counts"], summary["grid"]
        left, right = st.columns(2)
        with left:
            cell_event = show.chart(dcharts.clickable_rfm(grid), key="rfm_grid", selectable=True)
            cell_counts = views.rf_cell_counts(grid)
            rf_cell = lists.follow_click(
                t("Customers in an R × F cell"), list(cell_counts), key="rfm_cell", index=None,
                clicked=show.selected_customdata(cell_event), placeholder=t("Click a cell or pick one"),
                format_func=lambda c: t("R {r} · F {f} ({count} customers)", r=c.split("/")[0], f=c.split("/")[1],
                                        count=i18n.number(cell_counts[c])))
        with right:
            segment_event = show.chart(dcharts.segment_chart(counts), key="rfm_counts", selectable=True)
        if rf_cell:
            members = cached.stored_list("rules_cell", as_of, settings, rules, rf_cell)
            lists.customer_list(members["rows"], key="rfm_cell_list", whole=members["whole"],
                                sized=(members["count"], members["count"]),
                                file_stem=f"rfm-R{rf_cell.replace('/', '-F')}",
                                columns=["customer_id", "name", "rfm_segment", "r", "f", "m", "recency_days",
                                         "orders", "revenue", "tier", "region"])
        st.dataframe(
            counts.assign(revenue=lambda d: whole(d["revenue"]), segment=counts["segment"].map(rfm.segment_label))
            .rename(columns={
                "segment": t("Segment"), "customers": t("Customers"), "revenue": revenue_col,
                "customer_share": t("Share of buyers"), "description": t("What it means and what to do")}),
            hide_index=True, width="stretch",
            column_config={revenue_col: st.column_config.NumberColumn(format="localized"),
                           t("Share of buyers"): st.column_config.NumberColumn(format="percent")},
        )
        st.markdown("**" + t("Customers in a segment") + "**")
        seg_counts = dict(zip(counts["segment"], counts["customers"]))
        names = [n for n in counts["segment"] if n != rfm.NO_RULE]
        segment = lists.follow_click(t("Segment"), names, key="rfm_segment",
                                     clicked=show.selected_customdata(segment_event),
                                     format_func=lambda n: f"{rfm.segment_label(n)} ({i18n.number(seg_counts.get(n, 0))})",
                                     help=t("Or click a bar of the segment chart."))
        members = cached.stored_list("rules_segment", as_of, settings, rules, segment)
        lists.customer_list(
            members["rows"], key="rfm_list", whole=members["whole"], sized=(members["count"], members["count"]),
            file_stem=f"rfm-{segment.replace(' ', '-')}",
            columns=["customer_id", "name", "rfm_segment", "r", "f", "m", "recency_days", "orders", "revenue",
                     "tier", "region"],
        )

with change_tab, show.explained():
    if change_tab.open:
        st.markdown(t(
            "Customers who bought in the window before and whose revenue in the last {months} months moved "
            "by at least {pct} and at least {amount}. Call the falling ones to learn why; thank the rising ones and "
            "ask what else they need.", months=s.window_months, pct=i18n.percent(s.change_pct),
            amount=i18n.money(s.change_amount, s.currency),
        ))
        change = cached.attitude_lists(as_of, settings)
        falling, rising = change["falling"], change["rising"]
        cols = st.columns(2)
        cols[0].metric(t("Falling customers"), i18n.number(falling["count"]))
        cols[1].metric(t("Rising customers"), i18n.number(rising["count"]))
        columns = ["customer_id", "name", "revenue_prev_window", "revenue_window", "change", "change_pct"]
        fall_tab, rise_tab = st.tabs([t("Falling ({count})", count=i18n.number(falling["count"])),
                                      t("Rising ({count})", count=i18n.number(rising["count"]))])
        for tab, found, name in ((fall_tab, falling, "falling"), (rise_tab, rising, "rising")):
            with tab:
                lists.customer_list(found["rows"], key=f"chg_{name}", file_stem=f"{name}-customers", columns=columns,
                                    whole=found["whole"], sized=(found["count"], found["count"]))

with icp_tab, show.explained():
    if icp_tab.open:
        profile = cached.ideal_customer_profile(as_of, settings)
        st.markdown(t(
            "The top {share} of active customers by revenue ({top} customers) against the other {rest} active "
            "customers. A lift of ×2 means a value is twice as common among the top customers: look for more "
            "customers like that.", share=i18n.percent(s.icp_share), top=i18n.number(profile.top_customers),
            rest=i18n.number(profile.rest_customers),
        ))
        if not {"region", "industry", "channel"} & set(views.known_attributes(profile.lifts)):
            st.info(t("No region, industry or channel is known (no customer list imported): the profile uses what "
                      "customers buy and how big their orders are."))
        lift_event = show.chart(dcharts.lift_chart(profile.lifts), key="icp_lifts", selectable=True)
        bars = views.lift_bars(profile.lifts)
        trait = lists.follow_click(t("Top customers with"), list(bars), key="icp_trait", index=None,
                                   clicked=show.selected_customdata(lift_event), format_func=bars.get,
                                   placeholder=t("Click a bar or pick a value"))
        if trait:
            lists.customer_list(icp.top_customers_with(profile, trait), key="icp_top_list",
                                file_stem=f"top-customers-{trait.replace('=', '-').replace(' ', '-')}",
                                columns=["customer_id", "name", "tier", "revenue_window", *icp.ATTRIBUTES])
        st.markdown("**" + t("Prospects and small customers who look most like the top customers") + "**")
        st.caption(profile.explanation)
        lists.customer_list(profile.candidates, key="icp_list", file_stem="look-alikes",
                            columns=["customer_id", "name", "tier", "score", "similar_because"])
