"""Widgets for the import flow: the proposed mapping of one sheet, editable."""

from __future__ import annotations

import dataclasses

import streamlit as st

from analysis.ingest import FIELDS, SheetPlan, plan_file
from ui import workspace

NOT_USED = "— not used —"
SKIP = "— skip this sheet —"
TABLE_LABELS = {
    "transactions": "Purchases (transactions)",
    "customers": "Customer list",
    "interactions": "Contacts, complaints and surveys (interactions)",
}


@st.cache_data(show_spinner="Reading the file…", max_entries=16)
def plans_for(file_name: str, data: bytes, target: str | None) -> list[SheetPlan]:
    """The proposed plans of an uploaded file. Mappings remembered by an existing target
    workspace for the same headers are reused."""
    ws = workspace.open_existing(target) if target else None
    return plan_file(file_name, data, ws=ws)


def edit_plan(plan: SheetPlan, prefix: str) -> SheetPlan:
    """Show the plan's target table, its field -> column mapping and a preview; return the
    plan as the user left it."""
    tables = [SKIP, *FIELDS]
    chosen = st.selectbox(
        "Import this sheet as", tables,
        index=tables.index(plan.table) if plan.table in tables else 0,
        format_func=lambda t: TABLE_LABELS.get(t, t), key=f"{prefix}_table",
    )
    table = None if chosen == SKIP else chosen
    mapping: dict[str, str] = {}
    if table:
        columns = [NOT_USED, *plan.columns]
        cols = st.columns(4)
        for i, field in enumerate(FIELDS[table]):
            current = plan.mapping.get(field) if table == plan.table else None
            picked = cols[i % 4].selectbox(
                field, columns, index=columns.index(current) if current in columns else 0,
                key=f"{prefix}_{table}_{field}",
            )
            if picked != NOT_USED:
                mapping[field] = picked
    elif plan.reason:
        st.info(plan.reason)
    st.caption(
        f"{plan.n_rows:,} data rows · header on line {plan.header_line}"
        + (f" · encoding {plan.encoding}" if plan.encoding else "")
        + (f" · separated by {plan.delimiter}" if plan.delimiter else "")
        + (" · mapping remembered from an earlier import" if plan.remembered else "")
    )
    st.dataframe(plan.preview, hide_index=True, width="stretch")
    return dataclasses.replace(plan, table=table, mapping=mapping)
