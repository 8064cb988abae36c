"""Which workspace the app is on, and the one shared connection per workspace file."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from analysis.store import DEMO_NAME, Workspace, list_workspaces, workspace_path

KEY = "workspace_path"
NEXT = "_workspace_next"


def _db_from_argv(argv: list[str]) -> Path | None:
    """`streamlit run app.py -- --db PATH` passes `--db PATH` to the script."""
    for i, arg in enumerate(argv):
        if arg == "--db" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--db="):
            return Path(arg.split("=", 1)[1])
    return None


def default_path() -> Path:
    return _db_from_argv(sys.argv[1:]) or workspace_path(DEMO_NAME)


def folder() -> Path:
    """Workspaces live beside the one this session is on (default data/workspaces/)."""
    return current_path().parent


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Workspace:
    return Workspace(path)


def current_path() -> Path:
    if KEY not in st.session_state:
        st.session_state[KEY] = str(default_path())
    return Path(st.session_state[KEY])


def by_path(path: str | Path) -> Workspace:
    return _open(str(path))


def current() -> Workspace:
    """The workspace this session is on (one shared, thread-safe connection per file)."""
    return _open(str(current_path()))


def switch_to(path: str | Path) -> None:
    """Put this session on another workspace; widgets tied to the old one start afresh."""
    st.session_state[KEY] = str(path)
    st.session_state[NEXT] = Path(path).stem  # the sidebar's picker shows it from the next run on
    st.session_state.pop("as_of", None)  # the sidebar's as-of date: the new workspace's own default


def take_switch() -> str | None:
    """The workspace name a :func:`switch_to` asked the sidebar's picker to show, once."""
    return st.session_state.pop(NEXT, None)


def choices() -> dict[str, str]:
    """Workspace name -> path, the current one included even when it lives elsewhere."""
    found = {name: str(Path(folder()) / f"{name}.duckdb") for name in list_workspaces(folder())}
    here = current_path()
    found.setdefault(here.stem, str(here))
    return dict(sorted(found.items()))


def open_named(name: str) -> Workspace:
    """Open (creating if needed) the workspace called ``name`` in the workspaces folder."""
    return _open(str(workspace_path(name, folder())))


def open_existing(name: str) -> Workspace | None:
    """The workspace called ``name`` if it exists, else None (nothing is created)."""
    path = workspace_path(name, folder())
    return _open(str(path)) if path.exists() else None
