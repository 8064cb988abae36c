"""Which workspace the app is on, and its :class:`~analysis.store.SharedWorkspace`.

The as-of date and activity window belong to the workspace being viewed: a switch to another
workspace (the sidebar's picker, or the switch after an import) forgets the ones chosen for
the previous workspace, and every widget keyed with :func:`scoped` starts afresh.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from analysis.i18n import t
from analysis.store import DEMO_NAME, SharedWorkspace, WorkspaceBusy, list_workspaces, shared, workspace_path

KEY = "workspace_path"
HOME = "_workspace_home"  # the workspace the session started on: the picker's default, not in the URL
VIEW = "_workspace_view"  # how many times the session switched workspace: widgets of a view are keyed by it
AS_OF = "_as_of_chosen"  # the as-of date chosen for this workspace (None: its default)
WINDOW = "_window_chosen"  # the activity window chosen for this workspace (None: the default)


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


def _open(path: str) -> SharedWorkspace:
    """The process's one :class:`~analysis.store.SharedWorkspace` for ``path``: it holds no
    connection between operations, so the command line can use the file meanwhile."""
    return shared(path)


def current_path() -> Path:
    if KEY not in st.session_state:
        st.session_state[KEY] = str(default_path())
    return Path(st.session_state[KEY])


def home_path() -> Path:
    """The workspace this session started on (before any link or switch)."""
    if HOME not in st.session_state:
        st.session_state[HOME] = str(current_path())
    return Path(st.session_state[HOME])


def by_path(path: str | Path) -> SharedWorkspace:
    return _open(str(path))


def current() -> SharedWorkspace:
    """The workspace this session is on."""
    return _open(str(current_path()))


def switch_to(path: str | Path) -> None:
    """Put this session on another workspace, with that workspace's default as-of date and
    window; widgets keyed with :func:`scoped` start afresh. A page calls ``st.rerun()`` after."""
    home_path()
    st.session_state[KEY] = str(path)
    st.session_state[VIEW] = view() + 1
    st.session_state.pop(AS_OF, None)
    st.session_state.pop(WINDOW, None)


def view() -> int:
    return st.session_state.get(VIEW, 0)


def scoped(key: str) -> str:
    """A widget key that is new after each switch of workspace, so the widget starts from the
    default it is given (a widget's remembered value would otherwise outlive the switch)."""
    return f"{key}@{view()}"


def choices() -> dict[str, str]:
    """Workspace name -> path: those beside the current one, and the current and the home
    one even when they live elsewhere."""
    found = {name: str(Path(folder()) / f"{name}.duckdb") for name in list_workspaces(folder())}
    for here in (current_path(), home_path()):
        found.setdefault(here.stem, str(here))
    return dict(sorted(found.items()))


def open_named(name: str) -> SharedWorkspace:
    """Open (creating if needed) the workspace called ``name`` in the workspaces folder."""
    return _open(str(workspace_path(name, folder())))


def open_existing(name: str) -> SharedWorkspace | None:
    """The workspace called ``name`` if it exists, else None (nothing is created)."""
    path = workspace_path(name, folder())
    return _open(str(path)) if path.exists() else None


BUSY_RETRY_SECONDS = 3


def busy(exc: WorkspaceBusy) -> None:
    """What the app shows while another program holds the workspace file (a command-line
    import, say): a plain message; it looks again every few seconds and carries on once the
    file is free."""
    st.warning(t("The workspace “{name}” is in use by another program on this computer (an import or a contact "
                 "recorded from the command line, for instance). The page comes back as soon as it has finished.",
                 name=exc.path.stem))
    _look_again(str(exc.path))


@st.fragment(run_every=BUSY_RETRY_SECONDS)
def _look_again(path: str) -> None:
    if shared(path).ready():
        st.rerun()
