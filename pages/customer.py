"""Customer 360: who the customer is, everything that happened, and what to do next."""

import hashlib

import streamlit as st

from analysis import customer, i18n, interactions, timeline
from analysis.charts.timeline import timeline_figure
from analysis.errors import UserError
from analysis.i18n import t
from ui import cached, labels, lists, presenting, show, sidebar, workspace

as_of, settings = sidebar.as_of(), sidebar.settings()

st.title("👤 " + t("Customer"))
st.write(t(
    "Everything about one customer in one place: who they are, what they are worth, every purchase, "
    "contact, complaint and survey, and the next actions suggested for them. Record each contact "
    "here: it appears on the timeline at once and the suggestions learn from it."
))

query = st.text_input(t("Search by customer id or name"), key="cu_search", bind="query-params",
                      placeholder=t("e.g. C00042 or Harbor; leave empty to pick from the biggest customers"))
scores = cached.scores(as_of, settings)
try:
    if query.strip():
        matches = cached.on_tables(customer.search, query, 50)
    else:  # a shared link (?customer=C00042) opens on its customer, else the biggest come first
        matches = customer.with_customer(cached.from_scores(customer.biggest, as_of, settings, 50), scores.frame,
                                         st.query_params.get("customer"))
except UserError as exc:
    st.info(str(exc))
    st.stop()
if matches.empty:
    st.info(t("No customer id or name contains “{query}”.", query=show.escape_markdown(query)))
    st.stop()
masking = presenting.masking()
masker = cached.masker(as_of, settings) if masking else None
names = dict(zip(matches["customer_id"], matches["name"].fillna("")))
# one picker per search text: a picker whose options change under the same key keeps
# showing its old choice in the browser
cid = st.selectbox(t("Customer"), list(matches["customer_id"]), key=f"cu_id_{hashlib.sha1(query.encode()).hexdigest()[:10]}",
                   format_func=lambda c: masker.label(c) if masking else f"{c} — {names[c]}" if names.get(c) else c)
st.query_params["customer"] = cid  # the link to this view opens this customer

try:
    profile = cached.on_tables(timeline.customer_profile, cid, as_of, settings.window_months)
except UserError as exc:
    st.error(str(exc))
    st.stop()
row = customer.apply_filters(scores.frame, {"customer_id": [cid]})
labels_row = row.iloc[0] if len(row) else None

if masking:  # presenting: the label instead of the name, no id, e-mail or phone
    st.markdown("## " + masker.label(cid))
    st.text("  ·  ".join(str(v) for v in (profile.get("region"), profile.get("industry"), profile.get("channel")) if v))
else:
    st.markdown("## " + show.escape_markdown(profile.get("name") or cid))
    st.text("  ·  ".join(str(v) for v in (cid, profile.get("region"), profile.get("industry"),
                                          profile.get("channel"), profile.get("email"), profile.get("phone")) if v))

m = st.columns(6)
m[0].metric(t("Revenue (all time)"), show.money(profile["revenue"], settings.currency))
m[1].metric(t("Last {months} months", months=settings.window_months),
            show.money(profile["revenue_window"], settings.currency))
m[2].metric(t("Orders"), i18n.number(profile["orders"]))
m[3].metric(t("Last purchase"), i18n.date(profile["last_purchase"]) if profile.get("last_purchase") else t("never"))
m[4].metric(t("Usually buys every"),
            t("{days} days", days=i18n.number(profile["usual_gap_days"])) if profile.get("usual_gap_days") else "–")
m[5].metric(t("Satisfaction (of 5)"),
            i18n.number(profile["satisfaction_5"], 1) if profile.get("satisfaction_5") is not None else t("no survey"))

if labels_row is not None:
    c = st.columns(4)
    c[0].metric(t("Pyramid tier"), labels.tier(labels_row["tier"]),
                help=t("Previous window: {tier}", tier=labels.tier(labels_row["previous_tier"])))
    c[1].metric(t("Matrix cell (volume / satisfaction)"), labels.cell(labels_row["cell"]) or "–",
                help=labels_row["strategy"] or None)
    c[2].metric(t("RFM segment"), labels.segment(labels_row["rfm_segment"]) if labels_row["rfm_segment"] else "–")
    c[3].metric(t("Cluster"), labels_row["cluster_name"] or "–")
    p = st.columns(4)
    p[0].metric(t("P(alive)"), show.share(labels_row["p_alive"]))
    p[1].metric(t("Expected next purchase"), i18n.date(labels_row["expected_next_purchase"]))
    p[2].metric(t("CLV, next {months} months", months=settings.horizon_months), show.money(labels_row["clv"], settings.currency))
    groups = [g for g, flag in (("MVC", "is_mvc"), ("MCC", "is_mcc"), ("BZ", "is_bz")) if labels_row[flag]]
    p[3].metric(t("Value group"), ", ".join(groups) or "–")
    for flag, reason in (("is_mvc", "reason_mvc"), ("is_mcc", "reason_mcc"), ("is_bz", "reason_bz")):
        if labels_row[flag] and labels_row[reason]:
            st.caption(f"{flag[3:].upper()}: {labels_row[reason]}")
    if isinstance(labels_row["clv_note"], str):
        st.caption(labels_row["clv_note"])

st.subheader(t("Timeline"))
events = cached.on_tables(timeline.customer_events, cid, as_of, settings.currency)
if masking:
    events = masker.mask_frame(events)
kinds = sorted(set(events["kind"]))
shown_kinds = st.multiselect(t("Show only"), kinds, key="cu_kinds", placeholder=t("All kinds of event"),
                             format_func=timeline.kind_label)
shown = timeline.of_kinds(events, shown_kinds)
if shown.empty:
    st.info(t("Nothing to show for this customer up to the as-of date."))
else:
    show.chart(timeline_figure(shown), key="cu_timeline")
    with st.expander(t("All {count} events as a table", count=i18n.number(len(shown)))):
        st.dataframe(lists.table(shown, ["time", "kind", "channel", "amount", "category", "product",
                                         "satisfaction", "outcome", "note"], settings.currency),
                     hide_index=True, width="stretch")

st.subheader(t("Suggested next actions"))
suggested = customer.apply_filters(cached.actions(as_of, settings, sidebar.action_settings()), {"customer_id": [cid]})
if suggested.empty:
    st.info(t("Nothing to suggest right now: no rule of the playbook applies, or the contact limit is reached."))
else:
    st.dataframe(lists.table(suggested, ["priority", "title", "reason", "due", "channel"]),
                 hide_index=True, width="stretch", key="cu_actions")

st.subheader(t("Record a contact"))
with st.form("cu_record", clear_on_submit=True):
    f = st.columns(4)
    when = f[0].date_input(t("Date"), value=as_of, key="cu_rec_date", format="YYYY-MM-DD",
                           help=t("Defaults to the as-of date, so the contact counts in the figures shown."))
    kind = f[1].selectbox(t("Kind"), interactions.KINDS, key="cu_rec_kind", format_func=interactions.kind_label)
    channel = f[2].selectbox(t("Channel"), interactions.CHANNELS, key="cu_rec_channel",
                             format_func=interactions.channel_label)
    outcome = f[3].selectbox(t("Outcome"), ["", *interactions.OUTCOMES], key="cu_rec_outcome",
                             format_func=interactions.outcome_label)
    g = st.columns(3)
    answers = g[0].selectbox(t("Answers suggested action"), ["", *suggested["action"].unique()], key="cu_rec_answers",
                             format_func=lambda a: dict(zip(suggested["action"], suggested["title"])).get(a, "—"))
    score = g[1].selectbox(t("Satisfaction (1-5, optional)"), ["", 1, 2, 3, 4, 5], key="cu_rec_score")
    note = g[2].text_input(t("Note"), key="cu_rec_note", max_chars=interactions.NOTE_MAX_CHARS)
    if st.form_submit_button(t("Save contact"), type="primary", key="cu_rec_save"):
        try:
            interactions.record_interaction(
                workspace.current(), cid, kind=kind, channel=channel, date=when,
                satisfaction=score or None, scale=5 if score else None, outcome=outcome or None,
                note=note or None, answers_action=answers or None, recorded_by="app",
            )
        except UserError as exc:
            st.error(str(exc))
        else:
            st.session_state["cu_saved"] = t("Saved: {kind} by {channel} on {date}.", kind=interactions.kind_label(kind),
                                             channel=interactions.channel_label(channel), date=i18n.date(when))
            st.rerun()
if st.session_state.get("cu_saved"):
    st.success(st.session_state.pop("cu_saved"))
