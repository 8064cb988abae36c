"""Data: import spreadsheets into a workspace, and see what the workspace holds."""

import streamlit as st

from analysis import i18n
from analysis.errors import UserError
from analysis.i18n import t
from analysis.ingest import ingest_plans
from analysis.store import creating, list_workspaces, workspace_path
from ui import auth, cached, importing, sidebar, workspace

st.title("📥 " + t("Data"))
st.write(t(
    "Bring in your customer data: purchases, the customer list, and contacts, complaints and "
    "surveys. CSV, TSV, TXT, Excel (.xlsx) and Parquet files in English or Chinese work; the "
    "columns are recognised automatically and you can correct the mapping before importing."
))

counts = cached.table_counts()
st.subheader(t("Workspace “{name}”", name=sidebar.workspace_name()))
c = st.columns(4)
c[0].metric(t("Listed customers"), i18n.number(counts["customers"]))
c[1].metric(t("Purchase lines"), i18n.number(counts["transactions"]))
c[2].metric(t("Contacts & surveys"), i18n.number(counts["interactions"]))
c[3].metric(t("Imported files"), i18n.number(counts["imports"]))
importing.currency_picker(workspace.current())

st.subheader(t("Import files"))
NEW, EXISTING = "new", "existing"
MODES = {NEW: i18n.N_("A new workspace"), EXISTING: i18n.N_("An existing workspace")}
mode = st.radio(
    t("Import into"), list(MODES), horizontal=True, key="data_mode", format_func=lambda m: t(MODES[m]),
    help=t("Uploads never go into the demo or any other workspace unless you choose it here."),
)
existing = list_workspaces(workspace.folder())
if mode == NEW:
    target_name = st.text_input(t("Name of the new workspace"), key="data_new_name", placeholder=t("e.g. acme-2026"))
else:
    here = sidebar.workspace_name()  # by default, the workspace being viewed
    target_name = st.selectbox(t("Workspace"), existing, index=existing.index(here) if here in existing else 0,
                               key=workspace.scoped("data_existing")) if existing else None

uploads = st.file_uploader(
    t("Files"), type=["csv", "tsv", "txt", "xlsx", "parquet"], accept_multiple_files=True, key="data_upload",
    help=t("Files up to {mb} MB each.", mb=auth.upload_limit_mb()), on_change=importing.forget_result,
)
plans, data_by_file = [], {}
for f_i, upload in enumerate(uploads or []):
    data = upload.getvalue()
    data_by_file[upload.name] = data
    try:
        file_plans = importing.plans_for(upload.name, data, target_name if mode != NEW else None)
    except UserError as exc:
        st.error(importing.message_markdown(str(exc)))
        continue
    for s_i, plan in enumerate(file_plans):
        label = upload.name + (t(" · sheet “{sheet}”", sheet=plan.sheet) if plan.sheet else "")
        with st.expander(label, expanded=True):
            plans.append(importing.edit_plan(plan, prefix=f"map_{f_i}_{s_i}"))

skip_invalid = st.checkbox(
    t("Skip invalid rows (import the valid ones and list the rest)"), key="data_skip_invalid",
    help=t("Off: a file with any invalid row is refused whole, and nothing is imported."),
)
allow_future = st.checkbox(
    t("Allow dates after today"), key="data_allow_future",
    help=t("Off: a row dated after the day of import is invalid (usually a typing error, and it would move "
           "the as-of date of every page)."),
)
if st.button(t("Import"), type="primary", key="data_import", disabled=not plans):
    try:
        if not target_name or not target_name.strip():
            raise UserError(t("Give the new workspace a name first."))
        path = workspace_path(target_name, workspace.folder())
        if mode == NEW and path.exists():
            raise UserError(t("A workspace called “{name}” already exists: choose “An existing workspace” to add to it.",
                              name=target_name))
        if mode == NEW:
            with creating(path) as ws:
                result = ingest_plans(ws, plans, data_by_file, skip_invalid=skip_invalid,
                                      allow_future_dates=allow_future, app=True)
        else:
            result = ingest_plans(workspace.open_named(target_name), plans, data_by_file, skip_invalid=skip_invalid,
                                  allow_future_dates=allow_future, app=True)
    except (UserError, ValueError) as exc:
        importing.forget_result()
        st.error(importing.message_markdown(str(exc)))
    else:
        workspace.switch_to(path)
        st.session_state["data_last_result"] = result.summary()
        st.session_state["data_prepare_scores"] = str(path)
        st.rerun()

if st.session_state.get("data_last_result"):
    st.success(importing.message_markdown("\n".join(st.session_state["data_last_result"])))
# After an import, the imported workspace's scores, stored, under a progress bar (only for it:
# a switch to another workspace meanwhile drops the request).
if st.session_state.pop("data_prepare_scores", None) == str(workspace.current_path()):
    cached.prepare_scores(sidebar.as_of(), sidebar.settings(), sidebar.action_settings())
    cached.first_screens_ready(sidebar.as_of(), sidebar.settings())  # Overview and Cohorts read them next time
