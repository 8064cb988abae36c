"""RFM segments, attitude change and the ideal customer profile (Differentiate)."""

import streamlit as st

from analysis import differentiate, icp, rfm, segments
from analysis.charts import differentiate as dcharts
from analysis.charts import segments as charts
from analysis.customer import apply_filters
from analysis.errors import UserError
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
s = settings.segments

st.title("🧩 Segments")
st.markdown(
    "Three ways to find groups worth a campaign. **RFM** (Hughes) scores every buyer 1 to 5 on how "
    "**r**ecently and how **f**requently they bought and how much **m**oney they spent (5 = best fifth), and "
    "names the R × F combinations: *champions* to reward, *at risk* and *cannot lose them* to win back before "
    "they go. **Rising and falling** customers changed their spending a lot since the window before: a falling "
    "customer is a warning to act on now. The **ideal customer profile** shows what your best customers have "
    "in common, and which prospects and small customers look like them: those are the ones to approach next."
)
st.caption(f"As of {as_of:%Y-%m-%d}; activity window {s.window_months} months.")

RULE_LABELS = {"r_min": "R from", "r_max": "R to", "f_min": "F from", "f_max": "F to"}
frame = cached.scores(as_of, settings).frame
rfm_tab, change_tab, icp_tab = st.tabs(["RFM segments", "Rising and falling", "Ideal customer profile"])

with rfm_tab:
    if frame["r"].notna().sum() == 0:
        st.info("No purchases yet: import transactions to score customers by RFM.")
    else:
        with st.expander("The rules (first match wins; edit the score ranges or names to try your own)"):
            edited = st.data_editor(
                rfm.segment_rules(), key="rfm_rules", hide_index=True, width="stretch", num_rows="dynamic",
                column_config={
                    "segment": st.column_config.TextColumn("Segment", required=True),
                    **{c: st.column_config.NumberColumn(label, min_value=1, max_value=5, step=1, required=True)
                       for c, label in RULE_LABELS.items()},
                    "description": st.column_config.TextColumn("What it means and what to do"),
                },
            )
        rules = None
        try:
            rules = differentiate.rules_from_table(edited)
        except UserError as exc:
            st.warning(f"{exc} Using the built-in rules meanwhile.")
        scored = cached.from_scores(differentiate.segment_by_rules, as_of, settings, rules)
        counts = differentiate.counts_by_rules(scored, rules)
        left, right = st.columns(2)
        with left:
            show.chart(charts.rfm_heatmap(rfm.rf_grid(scored)), key="rfm_grid")
        with right:
            segment_event = show.chart(dcharts.segment_chart(counts), key="rfm_counts", selectable=True)
        st.dataframe(
            counts.assign(revenue=lambda d: d["revenue"].round(0)).rename(columns={
                "segment": "Segment", "customers": "Customers", "revenue": "Revenue, all time",
                "customer_share": "Share of buyers", "description": "What it means and what to do"}),
            hide_index=True, width="stretch",
            column_config={"Revenue, all time": st.column_config.NumberColumn(format="localized"),
                           "Share of buyers": st.column_config.NumberColumn(format="percent")},
        )
        st.markdown("**Customers in a segment**")
        seg_counts = dict(zip(counts["segment"], counts["customers"]))
        names = [n for n in counts["segment"] if n != "(no rule)"]
        segment = lists.follow_click("Segment", names, key="rfm_segment",
                                     clicked=show.selected_customdata(segment_event),
                                     format_func=lambda n: f"{n} ({seg_counts.get(n, 0):,})",
                                     help="Or click a bar of the segment chart.")
        lists.customer_list(
            apply_filters(scored, {"rfm_segment": [segment]}), key="rfm_list",
            file_stem=f"rfm-{segment.replace(' ', '-')}",
            columns=["customer_id", "name", "rfm_segment", "r", "f", "m", "recency_days", "orders", "revenue",
                     "tier", "region"],
        )

with change_tab, show.explained():
    st.markdown(
        f"Customers who bought in the window before and whose revenue in the last {s.window_months} months moved "
        f"by at least {s.change_pct:.0%} and at least {s.currency}{s.change_amount:,.0f}. Call the falling "
        "ones to learn why; thank the rising ones and ask what else they need."
    )
    change = cached.on_tables(segments.attitude_change, as_of, s)
    falling = change[change["direction"] == "falling"]
    rising = change[change["direction"] == "rising"]
    cols = st.columns(2)
    cols[0].metric("Falling customers", f"{len(falling):,}")
    cols[1].metric("Rising customers", f"{len(rising):,}")
    columns = ["customer_id", "name", "revenue_prev_window", "revenue_window", "change", "change_pct"]
    fall_tab, rise_tab = st.tabs([f"Falling ({len(falling):,})", f"Rising ({len(rising):,})"])
    with fall_tab:
        lists.customer_list(falling, key="chg_falling", file_stem="falling-customers", columns=columns)
    with rise_tab:
        lists.customer_list(rising, key="chg_rising", file_stem="rising-customers", columns=columns)

with icp_tab, show.explained():
    profile = cached.on_tables(icp.ideal_customer_profile, as_of, s)
    st.markdown(
        f"The top {s.icp_share:.0%} of active customers by revenue ({profile.top_customers:,} customers) "
        f"against the other {profile.rest_customers:,} active customers. A lift of ×2 means a value is twice as "
        "common among the top customers: look for more customers like that."
    )
    if not {"region", "industry", "channel"} & set(differentiate.known_attributes(profile.lifts)):
        st.info("No region, industry or channel is known (no customer list imported): the profile uses what "
                "customers buy and how big their orders are.")
    show.chart(dcharts.lift_chart(profile.lifts), key="icp_lifts")
    st.markdown("**Prospects and small customers who look most like the top customers**")
    st.caption(profile.explanation)
    lists.customer_list(profile.candidates, key="icp_list", file_stem="look-alikes",
                        columns=["customer_id", "name", "tier", "score", "similar_because"])
