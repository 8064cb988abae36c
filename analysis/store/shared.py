"""The workspace of a long-running process shared with other programs (the app): no
connection between operations; see :mod:`analysis.store.workspace` for why."""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

from analysis.store.results import RESULT_WRITE_WAIT_SECONDS
from analysis.store.schema import SCHEMA, ddl
from analysis.store.workspace import _SHARED, _SHARED_LOCK, Workspace, WorkspaceBusy, _all_or_nothing, connect

if TYPE_CHECKING:  # pandas is imported where frames are built: the CLI's `log` starts without it
    import pandas as pd

# How long the app keeps its read-only connection after the last read: clicks in a row reuse it,
# and an idle app leaves the file free for the command line's writers.
IDLE_CLOSE_SECONDS = 1.0


class SharedWorkspace(Workspace):
    """A workspace for a long-running process shared with other programs (the app): no
    connection between operations (see the module docstring).

    Reads happen inside :meth:`reading` (the read methods take it themselves; a block that
    uses :meth:`tables` takes it around the whole block): one read-only connection serves
    every thread, and is closed :data:`IDLE_CLOSE_SECONDS` after the last read. A
    :meth:`transaction` waits for the reads in progress, holds the file read-write for that
    transaction alone, and readers wait for it meanwhile; its own thread reads through it.
    :meth:`save_result` inside a read is written when that read ends. Use :func:`shared`
    for the one instance per file of this process."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.read_only = False
        self._con: duckdb.DuckDBPyConnection | None = None
        self._generation = 0
        self._state = threading.Condition()
        self._readers = 0  # threads inside reading()
        self._writer: int | None = None  # the thread inside transaction()
        self._idle_since: float | None = None
        self._closer: threading.Thread | None = None
        self._write_lock = threading.RLock()
        self._local = threading.local()  # per thread: reading depth, Ibis backend, results to store
        if not self._has_schema():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.transaction() as cur:
                for table in SCHEMA:
                    cur.execute(ddl(table))
        self._stale_money = None
        self._store_money_exactly()  # a workspace from before exact amounts: converted once

    def _has_schema(self) -> bool:
        if not self.path.exists():
            return False
        with self.reading():
            names = {r[0] for r in self.cursor().execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        return set(SCHEMA) <= names

    # -- connection ---------------------------------------------------------------------
    def _mine(self) -> bool:
        return self._writer == threading.get_ident()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        if not (getattr(self._local, "depth", 0) or self._mine()) or self._con is None:
            raise RuntimeError("read a SharedWorkspace inside `with ws.reading():`")
        return self._con.cursor()

    @contextlib.contextmanager
    def reading(self) -> Iterator["SharedWorkspace"]:
        """A block that reads: the read-only connection is open until it ends (blocks nest)."""
        local = self._local
        if getattr(local, "depth", 0) or self._mine():
            local.depth = getattr(local, "depth", 0) + 1
            try:
                yield self
            finally:
                local.depth -= 1
            return
        with self._state:
            while self._writer is not None:
                self._state.wait()
            if self._con is None:
                self._con = connect(self.path, read_only=True)
                self._generation += 1
            self._readers += 1
            self._idle_since = None
        local.depth = 1
        try:
            yield self
        finally:
            local.depth = 0
            with self._state:
                self._readers -= 1
                if self._readers == 0:
                    self._idle_since = time.monotonic()
                    self._state.notify_all()
                    self._close_later()
            self._store_pending()

    def _close_later(self) -> None:
        """Close the read-only connection once nobody read for IDLE_CLOSE_SECONDS (one thread
        per idle period; call with the state lock held)."""
        if self._closer is not None and self._closer.is_alive():
            return

        def close_when_idle() -> None:
            while True:
                with self._state:
                    if self._idle_since is None or self._con is None:
                        return
                    left = self._idle_since + IDLE_CLOSE_SECONDS - time.monotonic()
                    if left <= 0 and self._readers == 0 and self._writer is None:
                        self._disconnect()
                        return
                time.sleep(max(left, 0.05))

        self._closer = threading.Thread(target=close_when_idle, name=f"close {self.path.name}", daemon=True)
        self._closer.start()

    def _disconnect(self) -> None:
        """Close the connection (call with the state lock held, nobody reading or writing)."""
        if self._con is not None:
            self._con.close()
            self._con = None
            self._generation += 1
        self._idle_since = None

    def ready(self) -> bool:
        """True when the file can be read now: no other program holds it."""
        with self._state:
            if self._con is not None or self._writer is not None:
                return True
            try:
                self._con = connect(self.path, read_only=True, wait=0.0)
            except WorkspaceBusy:
                return False
            self._generation += 1
            self._idle_since = time.monotonic()
            self._close_later()
            return True

    def release(self) -> bool:
        """Close the connection now if nobody is reading or writing; True when the file is free."""
        with self._state:
            if self._readers or self._writer is not None:
                return False
            self._disconnect()
            return True

    def close(self) -> None:
        self.release()

    # -- writing --------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing, with the file open read-write for this transaction alone."""
        if self._mine():
            raise RuntimeError("a SharedWorkspace transaction cannot be nested")
        if getattr(self._local, "depth", 0):
            raise RuntimeError("a SharedWorkspace cannot write inside `reading()`; write after it")
        with self._write_lock:
            with self._state:
                self._writer = threading.get_ident()
                try:
                    while self._readers:
                        self._state.wait()
                    self._disconnect()
                    self._con = connect(self.path, read_only=False, wait=wait)
                    self._generation += 1
                except BaseException:
                    self._writer = None
                    self._state.notify_all()
                    raise
            try:
                with _all_or_nothing(self._con.cursor()) as cur:
                    yield cur
            finally:
                with self._state:
                    self._disconnect()  # the file is free for other programs again
                    self._writer = None
                    self._state.notify_all()

    def save_result(self, kind: str, key: str, frames: dict[str, pd.DataFrame], meta: dict) -> bool:
        """As :meth:`Workspace.save_result`; inside a read it is written when the read ends.
        Stored results are a cache: when another program holds the file, they are not stored."""
        if getattr(self._local, "depth", 0) and not self._mine():
            pending = getattr(self._local, "pending", None)
            if pending is None:
                pending = self._local.pending = []
            pending.append((kind, key, frames, meta))
            return True
        try:
            return self._store(kind, key, frames, meta)
        except WorkspaceBusy:
            return False

    def _store(self, kind: str, key: str, frames: dict[str, pd.DataFrame], meta: dict) -> bool:
        with self.transaction(wait=RESULT_WRITE_WAIT_SECONDS) as cur:
            self._write_result(cur, kind, key, frames, meta)
        return True

    def _store_pending(self) -> None:
        pending, self._local.pending = getattr(self._local, "pending", None), None
        for item in pending or []:
            try:
                self._store(*item)
            except WorkspaceBusy:
                return


def shared(path: str | Path) -> SharedWorkspace:
    """The one :class:`SharedWorkspace` of this process for ``path``."""
    key = str(Path(path).resolve())
    with _SHARED_LOCK:
        ws = _SHARED.get(key)
        if ws is None:
            ws = _SHARED[key] = SharedWorkspace(path)
        return ws


@atexit.register
def _close_shared() -> None:
    for ws in list(_SHARED.values()):
        ws.release()
