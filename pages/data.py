"""Data: import spreadsheets into a workspace, and see what the workspace holds."""

import streamlit as st

from analysis.errors import UserError
from analysis.ingest import ingest_plans
from analysis.store import creating, list_workspaces, workspace_path
from ui import auth, cached, importing, sidebar, workspace

st.title("📥 Data")
st.write(
    "Bring in your customer data: purchases, the customer list, and contacts, complaints and "
    "surveys. CSV, TSV, TXT, Excel (.xlsx) and Parquet files in English or Chinese work; the "
    "columns are recognised automatically and you can correct the mapping before importing."
)

counts = cached.table_counts()
st.subheader(f"Workspace “{sidebar.workspace_name()}”")
c = st.columns(4)
c[0].metric("Listed customers", f"{counts['customers']:,}")
c[1].metric("Purchase lines", f"{counts['transactions']:,}")
c[2].metric("Contacts & surveys", f"{counts['interactions']:,}")
c[3].metric("Imported files", f"{counts['imports']:,}")

st.subheader("Import files")
mode = st.radio(
    "Import into", ["A new workspace", "An existing workspace"], horizontal=True, key="data_mode",
    help="Uploads never go into the demo or any other workspace unless you choose it here.",
)
existing = list_workspaces(workspace.folder())
if mode == "A new workspace":
    target_name = st.text_input("Name of the new workspace", key="data_new_name", placeholder="e.g. acme-2026")
else:
    target_name = st.selectbox("Workspace", existing, key="data_existing") if existing else None

uploads = st.file_uploader(
    "Files", type=["csv", "tsv", "txt", "xlsx", "parquet"], accept_multiple_files=True, key="data_upload",
    help=f"Files up to {auth.upload_limit_mb()} MB each.",
)
plans, data_by_file = [], {}
for f_i, upload in enumerate(uploads or []):
    data = upload.getvalue()
    data_by_file[upload.name] = data
    try:
        file_plans = importing.plans_for(upload.name, data, target_name if mode != "A new workspace" else None)
    except UserError as exc:
        st.error(str(exc))
        continue
    for s_i, plan in enumerate(file_plans):
        label = upload.name + (f" · sheet “{plan.sheet}”" if plan.sheet else "")
        with st.expander(label, expanded=True):
            plans.append(importing.edit_plan(plan, prefix=f"map_{f_i}_{s_i}"))

skip_invalid = st.checkbox(
    "Skip invalid rows (import the valid ones and list the rest)", key="data_skip_invalid",
    help="Off: a file with any invalid row is refused whole, and nothing is imported.",
)
if st.button("Import", type="primary", key="data_import", disabled=not plans):
    try:
        if not target_name or not target_name.strip():
            raise UserError("Give the new workspace a name first.")
        path = workspace_path(target_name, workspace.folder())
        if mode == "A new workspace" and path.exists():
            raise UserError(f"A workspace called “{target_name}” already exists: choose “An existing workspace” to add to it.")
        if mode == "A new workspace":
            with creating(path) as ws:
                result = ingest_plans(ws, plans, data_by_file, skip_invalid=skip_invalid)
        else:
            result = ingest_plans(workspace.open_named(target_name), plans, data_by_file, skip_invalid=skip_invalid)
    except (UserError, ValueError) as exc:
        st.error(str(exc))
    else:
        workspace.switch_to(path)
        st.session_state["data_last_result"] = result.summary()
        st.rerun()

if st.session_state.get("data_last_result"):
    st.success("\n\n".join(st.session_state["data_last_result"]))
