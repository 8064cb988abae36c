"""Widgets for the import flow: the proposed mapping of one sheet, editable; the workspace's currency."""

from __future__ import annotations

import dataclasses

import streamlit as st

from analysis import i18n, money, vocabulary
from analysis.i18n import N_, t
from analysis.ingest import FIELDS, SheetPlan, orders, plan_file
from analysis.ingest.reading import delimiter_name
from analysis.ingest.values import as_text
from analysis.store import Workspace
from ui import show, workspace

NOT_USED = "— not used —"  # option values; shown through OPTION_LABELS
SKIP = "— skip this sheet —"
COMPUTED = "= quantity × unit price"  # the amount computed from the line's unit price (analysis.ingest.orders)
OPTION_LABELS = {
    NOT_USED: N_("— not used —"), SKIP: N_("— skip this sheet —"),
    COMPUTED: N_("= quantity × unit price (less the line discount)"),
    "transactions": N_("Purchases (transactions)"),
    "customers": N_("Customer list"),
    "interactions": N_("Contacts, complaints and surveys (interactions)"),
    "orders": N_("Order list (which customer placed which order)"),
}


def _label(option: str) -> str:
    return t(OPTION_LABELS[option]) if option in OPTION_LABELS else option


def field_label(table: str, field: str) -> str:
    """What the mapping step calls a field, in the page's language (a contact's channel is not a
    sales channel)."""
    return vocabulary.label("import_field", "contact_channel" if (table, field) == ("interactions", "channel")
                            else field)


def currency_picker(ws: Workspace) -> None:
    """The workspace's currency: shown, and changed when the user picks another (every page's
    amounts then carry its symbol). When no import has told it, a hint asks to choose it."""
    key = "data_currency"
    st.session_state[key] = ws.currency()  # the workspace's, also after switching workspaces

    def change() -> None:
        if st.session_state[key]:
            ws.set_currency(st.session_state[key])

    picker, hint = st.columns([1, 2], vertical_alignment="bottom")
    picker.selectbox(
        t("Currency of the amounts"), list(money.SYMBOLS), index=None, key=key, on_change=change,
        format_func=lambda code: f"{code} ({money.symbol(code).strip()})", placeholder=t("Not known yet"),
        help=t("Every figure, chart, list and download shows this currency's sign. Import detects it from the "
               "signs and codes in the amounts; change it here if it is wrong. Amounts are never converted."),
    )
    if ws.currency() is None:
        hint.info(t("This workspace's currency is not known, so amounts are shown without a currency sign. "
                    "Choose it here."))


def plans_for(file_name: str, data: bytes, target: str | None) -> list[SheetPlan]:
    """:func:`_plans_for` with a spinner while a big file is read."""
    with st.spinner(t("Reading the file…")):
        return _plans_for(file_name, data, target, i18n.language())


@st.cache_data(show_spinner=False, max_entries=16)
def _plans_for(file_name: str, data: bytes, target: str | None, language: str) -> list[SheetPlan]:
    """The proposed plans of an uploaded file. Mappings remembered by an existing target
    workspace for the same headers are reused."""
    ws = workspace.open_existing(target) if target else None
    return plan_file(file_name, data, ws=ws)


def edit_plan(plan: SheetPlan, prefix: str) -> SheetPlan:
    """Show the plan's target table, its field -> column mapping and a preview; return the
    plan as the user left it."""
    tables = [SKIP, *FIELDS]
    chosen = st.selectbox(
        t("Import this sheet as"), tables,
        index=tables.index(plan.table) if plan.table in tables else 0,
        format_func=_label, key=f"{prefix}_table",
    )
    table = None if chosen == SKIP else chosen
    if plan.looks_like:
        st.info(plan.looks_like)
    mapping: dict[str, str] = {}
    if table:
        columns = [NOT_USED, *plan.columns]
        cols = st.columns(4)
        for i, field in enumerate(FIELDS[table]):
            options = [NOT_USED, COMPUTED, *plan.columns] if (table, field) == ("transactions", "amount") else columns
            current = plan.mapping.get(field) if table == plan.table else None
            if current is None and field == "amount" and "unit_price" in plan.mapping and table == plan.table:
                current = COMPUTED
            picked = cols[i % 4].selectbox(
                field_label(table, field), options, index=options.index(current) if current in options else 0,
                key=f"{prefix}_{table}_{field}", format_func=_label,
            )
            if picked not in (NOT_USED, COMPUTED):
                mapping[field] = picked
    elif plan.reason:
        st.info(plan.reason)
    st.caption(
        t("{rows} data rows · header on line {line}", rows=i18n.number(plan.n_rows), line=plan.header_line)
        + (t(" · encoding {encoding}", encoding=plan.encoding) if plan.encoding else "")
        + (t(" · separated by {delimiter}", delimiter=delimiter_name(plan.delimiter)) if plan.delimiter else "")
        + (t(" · mapping remembered from an earlier import") if plan.remembered else "")
    )
    preview = _as_shown(plan.preview)
    computed = orders.preview_amounts(preview, mapping) if table == "transactions" else None
    if computed is not None:
        preview = preview.copy()
        preview.insert(0, t("amount = quantity × unit price"), computed.map(lambda v: i18n.number(v, 2)))
    st.dataframe(preview, hide_index=True, width="stretch")
    return dataclasses.replace(plan, table=table, mapping=mapping)


def _as_shown(preview):
    """The preview's columns that mix kinds of cell (a workbook's dates written as date cells,
    serial numbers and text) as the text of each cell, so the table is drawn as read instead of
    failing Arrow's conversion (Streamlit then logs a traceback and guesses the fix)."""
    mixed = [c for c in preview.columns if preview[c].dtype == object
             and preview[c].dropna().map(type).nunique() > 1]
    return preview.assign(**{c: as_text(preview[c]) for c in mixed}) if mixed else preview


def message_markdown(text: str) -> str:
    """An import message (an error or the summary) as Markdown a user reads line by line: each
    indented line (a problem, a detail) is a bullet of its own, every other line a paragraph;
    the text (cell values from the file) is escaped, never interpreted."""
    out, last_bullet = "", None
    for line in text.splitlines():
        if not line.strip():
            continue
        item = show.escape_markdown(line.strip())
        bullet = line[:1].isspace()
        if bullet:
            item = "  " * ((len(line) - len(line.lstrip()) - 1) // 2) + "- " + item
        if last_bullet is not None:
            out += "\n" if bullet and last_bullet else "\n\n"
        out, last_bullet = out + item, bullet
    return out


def forget_result() -> None:
    """Clear the last import's success message (a new file chosen, a new import failed)."""
    st.session_state.pop("data_last_result", None)
