"""Actions: the action plan across all customers, filterable and exportable."""

import streamlit as st

from analysis import customer
from analysis.charts.actions import action_counts_chart
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()

st.title("✅ Action plan")
st.write(
    "The next best action for each customer, from the playbook: treat each satisfaction-by-volume "
    "cell as it deserves, win back customers who are overdue, follow up open complaints, offer "
    "what similar customers buy, review customers who cost more than they bring, and thank the "
    "best. Each reason carries the numbers behind it. Narrow the list, then export it for your "
    "CRM or e-mail tool."
)

everything = cached.actions(as_of, settings, sidebar.action_settings())
options = customer.filter_options(everything)
LABELS = {"tier": "Pyramid tier", "cell": "Matrix cell", "cluster_name": "Persona", "rfm_segment": "RFM segment",
          "region": "Region", "action": "Action"}
cols = st.columns(3)
filters = {}
for i, (name, label) in enumerate(LABELS.items()):
    filters[name] = cols[i % 3].multiselect(label, options.get(name, []), key=f"ac_{name}", placeholder="All")
found = customer.apply_filters(everything, filters)

counts = customer.count_by_action(found)
m = st.columns(3)
m[0].metric("Suggested actions", f"{len(found):,}")
m[1].metric("Customers", f"{found['customer_id'].nunique():,}")
m[2].metric("Kinds of action", f"{len(counts):,}")
if found.empty:
    st.info("No suggested action matches these filters.")
else:
    show.chart(action_counts_chart(counts), key="ac_counts")
    st.subheader("Highest priority first")
    lists.customer_list(
        found, key="ac_list", file_stem=f"actions-{as_of:%Y%m%d}",
        columns=["priority", "customer_id", "name", "title", "reason", "due", "channel", "tier", "cell",
                 "cluster_name", "rfm_segment", "region"],
    )
