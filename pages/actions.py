"""Actions: the action plan across all customers, filterable and exportable."""

import streamlit as st

from analysis import i18n
from analysis.i18n import N_, t
from analysis.charts.actions import action_counts_chart
from ui import cached, labels, lists, show, sidebar

as_of, settings = show.opening("✅", t("Action plan"), t(
    "The next best action for each customer, from the playbook: treat each satisfaction-by-volume "
    "cell as it deserves, win back customers who are overdue, follow up open complaints, offer "
    "what similar customers buy, review customers who cost more than they bring, and thank the "
    "best. Each reason carries the numbers behind it. Narrow the list, then export it for your "
    "CRM or e-mail tool."
))

action_settings = sidebar.action_settings()
options = cached.of_actions("filter_options", as_of, settings, action_settings)
titles = cached.of_actions("action_titles", as_of, settings, action_settings)
LABELS = {"tier": N_("Pyramid tier"), "cell": N_("Matrix cell"), "cluster_name": N_("Persona"),
          "rfm_segment": N_("RFM segment"), "region": N_("Region"), "action": N_("Action")}
cols = st.columns(3)
filters = {}
shown_as = {**labels.COLUMNS, "action": lambda a: titles.get(a, a)}
for i, (name, label) in enumerate(LABELS.items()):  # each filter is kept in the URL (?ac_tier=top...)
    filters[name] = cols[i % 3].multiselect(t(label), options.get(name, []), key=f"ac_{name}", placeholder=t("All"),
                                            format_func=shown_as.get(name, str), bind="query-params")
summary = cached.of_actions("summary", as_of, settings, action_settings, filters)
# the reasons are written for the rows shown only; a download writes every row's when asked
first = cached.of_actions("page", as_of, settings, action_settings, filters, lists.MAX_SHOWN)

counts = summary["counts"]
m = st.columns(3)
m[0].metric(t("Suggested actions"), i18n.number(summary["actions"]))
m[1].metric(t("Customers"), i18n.number(summary["customers"]))
m[2].metric(t("Kinds of action"), i18n.number(len(counts)))
if not summary["actions"]:
    st.info(t("No suggested action matches these filters."))
else:
    show.chart(action_counts_chart(counts), key="ac_counts")
    st.subheader(t("Highest priority first, then the longest open"))
    lists.customer_list(
        first, key="ac_list", file_stem=f"actions-{as_of:%Y%m%d}", rows="actions",
        sized=(summary["actions"], summary["customers"]),
        whole=lambda: cached.every_action(as_of, settings, action_settings, filters),
        columns=["priority", "customer_id", "name", "title", "reason", "open_since", "due", "channel", "tier",
                 "cell", "cluster_name", "rfm_segment", "region"],
    )
