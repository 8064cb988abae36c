"""Workspace names and their files: a workspace called "shop" is ``shop.duckdb`` in a folder."""

from __future__ import annotations

from pathlib import Path

from analysis.errors import UserError
from analysis.i18n import t

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "data" / "workspaces"
DEMO_NAME = "demo"


# A workspace's name is its file's name (plus ".duckdb", and ".wal" while DuckDB writes): at most
# MAX_NAME_CHARS characters, and MAX_NAME_BYTES bytes in UTF-8 (a Chinese character takes 3, a
# rare one 4), so the file name stays within the 255 bytes most file systems allow.
MAX_NAME_CHARS = 64
MAX_NAME_BYTES = 200
MAX_FILE_NAME_BYTES = 255
_SUFFIXES_BYTES = len(".wal")


def _shortened(text: str, keep: int = 24) -> str:
    return text if len(text) <= keep else text[:keep] + "…"


def workspace_path(name: str, folder: str | Path = DEFAULT_FOLDER) -> Path:
    """Path of the workspace called ``name``: letters, digits, CJK, space, - and _ only, at
    most :data:`MAX_NAME_CHARS` characters (:data:`MAX_NAME_BYTES` bytes)."""
    clean = name.strip()
    if not clean or any(not (ch.isalnum() or ch in " -_") for ch in clean):
        raise ValueError(t("workspace name {name!r} may only contain letters, digits, spaces, '-' and '_'",
                           name=_shortened(name)))
    if len(clean) > MAX_NAME_CHARS or len(clean.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(t("workspace name “{name}” is {n} characters long; a name may have at most {limit}",
                           name=_shortened(clean), n=len(clean), limit=MAX_NAME_CHARS))
    return Path(folder) / f"{clean}.duckdb"


def check_file_name(path: str | Path) -> None:
    """A user error when ``path``'s file name is longer than a file system allows (rather than
    the operating system's error with the whole path)."""
    name = Path(path).name
    size = len(name.encode("utf-8")) + _SUFFIXES_BYTES
    if size > MAX_FILE_NAME_BYTES:
        raise UserError(t("workspace file name “{name}” is too long: {n} bytes, where a file name may have at "
                          "most {limit}; choose a shorter name", name=_shortened(name), n=size,
                          limit=MAX_FILE_NAME_BYTES))


def list_workspaces(folder: str | Path = DEFAULT_FOLDER) -> list[str]:
    folder = Path(folder)
    if not folder.exists():
        return []
    return sorted(p.stem for p in folder.glob("*.duckdb"))
