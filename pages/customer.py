"""Customer 360: who the customer is, everything that happened, and what to do next."""

import hashlib

import streamlit as st

from analysis import i18n
from analysis.differentiate import headroom
from analysis.identify import customers
from analysis.interact import contacts, timeline
from analysis.charts.timeline import timeline_figure
from analysis.errors import UserError
from analysis.i18n import t
from ui import cached, labels, lists, presenting, show, sidebar, workspace

as_of, settings, action_settings = sidebar.as_of(), sidebar.settings(), sidebar.action_settings()

show.whole_tiles()

st.title("👤 " + t("Customer"))
st.write(t(
    "Everything about one customer in one place: who they are, what they are worth, every purchase, "
    "contact, complaint and survey, and the next actions suggested for them. Record each contact "
    "here: it appears on the timeline at once and the suggestions learn from it."
))

opened = lists.opened_customer()  # a click on a row of a list or a dot of a chart
if opened is not None:
    st.session_state["cu_search"] = ""
query = st.text_input(t("Search by customer id, name or e-mail"), key="cu_search", bind="query-params",
                      placeholder=t("e.g. C00042 or Harbor; leave empty to pick from the biggest customers"))
try:
    if query.strip():
        matches = cached.customer_search(query, 50, as_of, settings)
    else:  # a shared link (?customer=C00042) or a click opens on its customer, else the biggest come first
        linked = opened or st.query_params.get("customer")
        matches = cached.biggest_customers(as_of, settings, 50)
        if linked:
            matches = customers.with_customer(matches, cached.customer_row(linked, as_of, settings), linked)
except UserError as exc:
    st.info(str(exc))
    st.stop()
if matches.empty:
    st.info(t("No customer id, name or e-mail contains “{query}”.", query=show.escape_markdown(query)))
    st.stop()
masking = presenting.masking()
masker = cached.masker(as_of, settings) if masking else None
names = dict(zip(matches["customer_id"], matches["name"].fillna("")))
# one picker per search text: a picker whose options change under the same key keeps
# showing its old choice in the browser
picker = f"cu_id_{hashlib.sha1(query.encode()).hexdigest()[:10]}"
if opened is not None and opened in names:
    st.session_state[picker] = opened
cid = st.selectbox(t("Customer"), list(matches["customer_id"]), key=picker,
                   format_func=lambda c: masker.label(c) if masking else f"{c} — {names[c]}" if names.get(c) else c)
st.query_params["customer"] = cid  # the link to this view opens this customer

try:
    profile = cached.customer_profile(cid, as_of, settings, action_settings)
except UserError as exc:
    st.error(str(exc))
    st.stop()
row = cached.customer_row(cid, as_of, settings)
labels_row = row.iloc[0] if len(row) else None


def known(value) -> bool:
    """A value to show (not None, NaN or empty): a missing one reads "–", never "nan"."""
    return value is not None and value == value and value != ""


def fact(value, shown=str) -> str:
    return shown(value) if known(value) else i18n.DASH


if masking:  # presenting: the label instead of the name, no id, e-mail or phone
    st.markdown("## " + masker.label(cid))
    st.text("  ·  ".join(str(v) for v in (profile.get("region"), profile.get("industry"), profile.get("channel")) if v))
else:
    st.markdown("## " + show.escape_markdown(profile.get("name") or cid))
    st.text("  ·  ".join(str(v) for v in (cid, profile.get("region"), profile.get("industry"),
                                          profile.get("channel"), profile.get("email"), profile.get("phone")) if v))

with st.container(key="cu_tiles"):
    money = st.columns(4)
    money[0].metric(t("Revenue (all time)"), show.money(profile["revenue"], settings.currency))
    money[1].metric(t("Last {months} months", months=settings.window_months), show.money(profile["revenue_window"], settings.currency))
    money[2].metric(t("Orders"), i18n.number(profile["orders"]))
    money[3].metric(t("CLV, next {months} months", months=settings.horizon_months),
                    show.money(labels_row["clv"] if labels_row is not None else None, settings.currency),
                    help=t("The margin the purchase model expects from this customer, discounted to today."))
    rhythm = st.columns(4)
    rhythm[0].metric(t("Last purchase"), i18n.date(profile["last_purchase"]) if profile.get("last_purchase")
                     else t("never"))
    rhythm[1].metric(t("Buys every"), t("{days} days", days=i18n.number(profile["usual_gap_days"]))
                     if known(profile.get("usual_gap_days")) else i18n.DASH,
                     help=t("The purchase cycle: the median number of days between purchase days (needs three "
                            "purchase days). Win-back suggestions compare the days since the last purchase with it."))
    rhythm[2].metric(t("Expected next purchase"),
                     i18n.date(labels_row["expected_next_purchase"]) if labels_row is not None else i18n.DASH)
    rhythm[3].metric(t("P(alive)"), show.share(labels_row["p_alive"]) if labels_row is not None else i18n.DASH,
                     help=t("The chance the customer is still a customer, from the purchase model."))
    if labels_row is not None:
        stand = st.columns(4)
        stand[0].metric(t("Pyramid tier"), labels.tier(labels_row["tier"]),
                        help=t("Previous window: {tier}", tier=fact(labels_row["previous_tier"], labels.tier)))
        stand[1].metric(t("Satisfaction (of 5)"), i18n.number(profile["satisfaction_5"], 1)
                        if known(profile.get("satisfaction_5")) else t("no survey"))
        groups = [g for g, flag in (("MVC", "is_mvc"), ("MCC", "is_mcc"), ("BZ", "is_bz")) if labels_row[flag]]
        stand[2].metric(t("Value group"), ", ".join(groups) or i18n.DASH)
        stand[3].metric(t("RFM segment"), fact(labels_row["rfm_segment"], labels.segment))

if labels_row is not None:  # longer words as lines, never cut
    st.text(t("Matrix cell (volume / satisfaction): {cell}", cell=fact(labels_row["cell"], labels.cell))
            + (f" — {labels_row['strategy']}" if known(labels_row["strategy"]) else ""))
    st.text(t("Cluster: {name}", name=fact(labels_row["cluster_name"])))  # persona names carry data: text
    for flag, reason in (("is_mvc", "reason_mvc"), ("is_mcc", "reason_mcc"), ("is_bz", "reason_bz")):
        if labels_row[flag] and known(labels_row[reason]):
            st.caption(f"{flag[3:].upper()}: {labels_row[reason]}")
    if known(labels_row["clv_note"]):
        st.caption(labels_row["clv_note"])
    if known(labels_row.get("wallet_estimate")):  # peer groups carry data (industries, regions): text
        st.text(headroom.wallet_line(labels_row, settings.currency))

st.subheader(t("Timeline"))
events = cached.customer_events(cid, as_of, settings.currency)
if masking:
    events = masker.mask_frame(events)
kinds = sorted(set(events["kind"]))
shown_kinds = st.multiselect(t("Show only"), kinds, key="cu_kinds", placeholder=t("All kinds of event"),
                             format_func=timeline.event_type_label)
shown = timeline.of_kinds(events, shown_kinds)
if shown.empty:
    st.info(t("Nothing to show for this customer up to the as-of date."))
else:
    show.chart(timeline_figure(shown), key="cu_timeline")
    with st.expander(t("All {count} events as a table", count=i18n.number(len(shown)))):
        lists.show_table(shown, ["time", "kind", "channel", "amount", "category", "product", "satisfaction",
                                 "outcome", "note"], currency=settings.currency)

st.subheader(t("Suggested next actions"))
suggested = cached.customer_suggestions(cid, as_of, settings, action_settings)
if suggested.empty:
    st.info(t("Nothing to suggest right now: no rule of the playbook applies, or the contact limit is reached."))
else:
    lists.show_table(suggested, ["priority", "title", "reason", "open_since", "due", "channel"], key="cu_actions")

complaints = cached.open_complaints(cid, as_of, action_settings)
if len(complaints):  # the one way to close a complaint in the app
    st.subheader(t("Open complaints"))
    listed = complaints.rename(columns={"occurred_at": "time"})
    lists.show_table(masker.mask_frame(listed) if masking else listed, ["time", "channel", "note"],
                     key="cu_complaints")
    with st.form("cu_close", clear_on_submit=True):
        c = st.columns([1, 1, 2])
        closed_on = c[0].date_input(t("Resolved on"), value=as_of, key="cu_close_date", format="YYYY-MM-DD")
        close_channel = c[1].selectbox(t("Channel"), contacts.CHANNELS, key="cu_close_channel",
                                       format_func=contacts.contact_channel_label)
        close_note = c[2].text_input(t("What was done"), key="cu_close_note", max_chars=contacts.NOTE_MAX_CHARS)
        if st.form_submit_button(t("Mark resolved"), type="primary", key="cu_close_save"):
            try:
                contacts.close_complaints(workspace.current(), cid, complaints["occurred_at"].max(), closed_on,
                                              channel=close_channel, note=close_note or None)
            except UserError as exc:
                st.error(str(exc))
            else:
                st.session_state["cu_saved"] = t("Complaint resolved on {date}.", date=i18n.date(closed_on))
                st.rerun()

st.subheader(t("Record a contact"))
with st.form("cu_record", clear_on_submit=True):
    f = st.columns(4)
    when = f[0].date_input(t("Date"), value=as_of, key="cu_rec_date", format="YYYY-MM-DD",
                           help=t("Defaults to the as-of date, so the contact counts in the figures shown."))
    kind = f[1].selectbox(t("Kind"), contacts.FORM_KINDS, key="cu_rec_kind", format_func=contacts.contact_kind_label,
                          help=t("To close a complaint, use “Mark resolved” above it."))
    channel = f[2].selectbox(t("Channel"), contacts.CHANNELS, key="cu_rec_channel",
                             format_func=contacts.contact_channel_label)
    outcome = f[3].selectbox(t("Outcome"), ["", *contacts.FORM_OUTCOMES], key="cu_rec_outcome",
                             format_func=contacts.outcome_label)
    g = st.columns(3)
    answers = g[0].selectbox(t("Answers suggested action"), ["", *suggested["action"].unique()], key="cu_rec_answers",
                             format_func=lambda a: dict(zip(suggested["action"], suggested["title"])).get(a, "—"))
    score = g[1].selectbox(t("Satisfaction (1-5, optional)"), ["", 1, 2, 3, 4, 5], key="cu_rec_score")
    note = g[2].text_input(t("Note"), key="cu_rec_note", max_chars=contacts.NOTE_MAX_CHARS)
    if st.form_submit_button(t("Save contact"), type="primary", key="cu_rec_save"):
        try:
            contacts.record_interaction(
                workspace.current(), cid, kind=kind, channel=channel, date=when,
                satisfaction=score or None, scale=5 if score else None, outcome=outcome or None,
                note=note or None, answers_action=answers or None, recorded_by="app",
            )
        except UserError as exc:
            st.error(str(exc))
        else:
            st.session_state["cu_saved"] = t("Saved: {kind} by {channel} on {date}.",
                                             kind=contacts.contact_kind_label(kind),
                                             channel=contacts.contact_channel_label(channel), date=i18n.date(when))
            st.rerun()
if st.session_state.get("cu_saved"):
    st.success(st.session_state.pop("cu_saved"))
