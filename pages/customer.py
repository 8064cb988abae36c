"""Customer 360: who the customer is, everything that happened, and what to do next."""

import hashlib

import streamlit as st

from analysis import customer, interactions, timeline
from analysis.charts.timeline import timeline_figure
from analysis.errors import UserError
from ui import cached, show, sidebar, workspace

as_of, settings = sidebar.as_of(), sidebar.settings()

st.title("👤 Customer")
st.write(
    "Everything about one customer in one place: who they are, what they are worth, every purchase, "
    "contact, complaint and survey, and the next actions suggested for them. Record each contact "
    "here: it appears on the timeline at once and the suggestions learn from it."
)

query = st.text_input("Search by customer id or name", key="cu_search",
                      placeholder="e.g. C00042 or Harbor; leave empty to pick from the biggest customers")
scores = cached.scores(as_of, settings)
try:
    matches = cached.on_tables(customer.search, query, 50) if query.strip() else cached.from_scores(customer.biggest, as_of, settings, 50)
except UserError as exc:
    st.info(str(exc))
    st.stop()
if matches.empty:
    st.info(f"No customer id or name contains “{show.escape_markdown(query)}”.")
    st.stop()
labels = dict(zip(matches["customer_id"], matches["name"].fillna("")))
# one picker per search text: a picker whose options change under the same key keeps
# showing its old choice in the browser
cid = st.selectbox("Customer", list(matches["customer_id"]), key=f"cu_id_{hashlib.sha1(query.encode()).hexdigest()[:10]}",
                   format_func=lambda c: f"{c} — {labels[c]}" if labels.get(c) else c)

try:
    profile = cached.on_tables(timeline.customer_profile, cid, as_of, settings.window_months)
except UserError as exc:
    st.error(str(exc))
    st.stop()
row = customer.apply_filters(scores.frame, {"customer_id": [cid]})
labels_row = row.iloc[0] if len(row) else None

st.markdown("## " + show.escape_markdown(profile.get("name") or cid))
st.text("  ·  ".join(str(v) for v in (cid, profile.get("region"), profile.get("industry"),
                                      profile.get("channel"), profile.get("email"), profile.get("phone")) if v))

m = st.columns(6)
m[0].metric("Revenue (all time)", show.money(profile["revenue"]))
m[1].metric(f"Last {settings.window_months} months", show.money(profile["revenue_window"]))
m[2].metric("Orders", f"{profile['orders']:,}")
m[3].metric("Last purchase", f"{profile['last_purchase']:%Y-%m-%d}" if profile.get("last_purchase") else "never")
m[4].metric("Usually buys every", f"{profile['usual_gap_days']:.0f} days" if profile.get("usual_gap_days") else "–")
m[5].metric("Satisfaction (of 5)", f"{profile['satisfaction_5']:.1f}" if profile.get("satisfaction_5") is not None else "no survey")

if labels_row is not None:
    c = st.columns(4)
    c[0].metric("Pyramid tier", labels_row["tier"], help=f"Previous window: {labels_row['previous_tier']}")
    c[1].metric("Matrix cell (volume / satisfaction)", labels_row["cell"] or "–", help=labels_row["strategy"] or None)
    c[2].metric("RFM segment", labels_row["rfm_segment"] or "–")
    c[3].metric("Cluster", labels_row["cluster_name"] or "–")
    p = st.columns(4)
    p[0].metric("P(alive)", show.share(labels_row["p_alive"]) if labels_row["p_alive"] == labels_row["p_alive"] else "–")
    nxt = labels_row["expected_next_purchase"]
    p[1].metric("Expected next purchase", f"{nxt:%Y-%m-%d}" if nxt == nxt and nxt is not None else "–")
    p[2].metric(f"CLV, next {settings.horizon_months} months", show.money(labels_row["clv"]) if labels_row["clv"] == labels_row["clv"] else "–")
    groups = [g for g, flag in (("MVC", "is_mvc"), ("MCC", "is_mcc"), ("BZ", "is_bz")) if labels_row[flag]]
    p[3].metric("Value group", ", ".join(groups) or "–")
    for flag, reason in (("is_mvc", "reason_mvc"), ("is_mcc", "reason_mcc"), ("is_bz", "reason_bz")):
        if labels_row[flag] and labels_row[reason]:
            st.caption(f"{flag[3:].upper()}: {labels_row[reason]}")
    if isinstance(labels_row["clv_note"], str):
        st.caption(labels_row["clv_note"])

st.subheader("Timeline")
events = cached.on_tables(timeline.customer_events, cid, as_of)
kinds = sorted(set(events["kind"]))
shown_kinds = st.multiselect("Show only", kinds, key="cu_kinds", placeholder="All kinds of event")
shown = timeline.of_kinds(events, shown_kinds)
if shown.empty:
    st.info("Nothing to show for this customer up to the as-of date.")
else:
    show.chart(timeline_figure(shown), key="cu_timeline")
    with st.expander(f"All {len(shown):,} events as a table"):
        st.dataframe(shown[["time", "kind", "channel", "amount", "category", "product", "satisfaction", "outcome", "note"]],
                     hide_index=True, width="stretch")

st.subheader("Suggested next actions")
suggested = customer.apply_filters(cached.actions(as_of, settings, sidebar.action_settings()), {"customer_id": [cid]})
if suggested.empty:
    st.info("Nothing to suggest right now: no rule of the playbook applies, or the contact limit is reached.")
else:
    st.dataframe(suggested[["priority", "title", "reason", "due", "channel"]], hide_index=True, width="stretch",
                 key="cu_actions")

st.subheader("Record a contact")
with st.form("cu_record", clear_on_submit=True):
    f = st.columns(4)
    when = f[0].date_input("Date", value=as_of, key="cu_rec_date", format="YYYY-MM-DD",
                           help="Defaults to the as-of date, so the contact counts in the figures shown.")
    kind = f[1].selectbox("Kind", interactions.KINDS, key="cu_rec_kind")
    channel = f[2].selectbox("Channel", interactions.CHANNELS, key="cu_rec_channel")
    outcome = f[3].selectbox("Outcome", ["", *interactions.OUTCOMES], key="cu_rec_outcome")
    g = st.columns(3)
    answers = g[0].selectbox("Answers suggested action", ["", *suggested["action"].unique()], key="cu_rec_answers",
                             format_func=lambda a: dict(zip(suggested["action"], suggested["title"])).get(a, "—"))
    score = g[1].selectbox("Satisfaction (1-5, optional)", ["", 1, 2, 3, 4, 5], key="cu_rec_score")
    note = g[2].text_input("Note", key="cu_rec_note", max_chars=interactions.NOTE_MAX_CHARS)
    if st.form_submit_button("Save contact", type="primary", key="cu_rec_save"):
        try:
            interactions.record_interaction(
                workspace.current(), cid, kind=kind, channel=channel, date=when,
                satisfaction=score or None, scale=5 if score else None, outcome=outcome or None,
                note=note or None, answers_action=answers or None, recorded_by="app",
            )
        except UserError as exc:
            st.error(str(exc))
        else:
            st.session_state["cu_saved"] = f"Saved: {kind} by {channel} on {when:%Y-%m-%d}."
            st.rerun()
if st.session_state.get("cu_saved"):
    st.success(st.session_state.pop("cu_saved"))
