"""The workspace: one DuckDB file holding a company's customers, purchases and contacts.

This package is the one gateway to the database. Every SQL string in the project is
written here or passed through :meth:`Workspace.execute` / :meth:`Workspace.query`, with
values bound as ``?`` parameters and identifiers quoted by :func:`quote_ident`.
Analysis code does not write SQL: it asks :meth:`Workspace.tables` for Ibis tables, so
the same expressions run on DuckDB (embedded default) or on Spark.

Sharing a workspace between the app and the command line. DuckDB lets one process at a
time open a file read-write, and while it does no other process may open the file at all,
not even read-only; any number of processes may read it together. So nobody keeps a file
open for writing longer than one write:

- The app holds a :class:`SharedWorkspace`: no connection between operations. Reading takes
  a read-only connection, shared by the app's sessions and closed again
  :data:`IDLE_CLOSE_SECONDS` after the last read; a write (an import, a recorded contact,
  the worksheet, stored results) waits for the reads in progress, opens the file read-write
  for that one transaction and closes it.
- The CLI's readers (``report``, ``customer``, ``actions``, ``export``) open the file
  read-only: they work while the app is open, and use stored results without storing new
  ones. Its writers (``ingest``, ``log``, ``demo``) open it read-write.
- Whoever finds the file held by another program tries again for :data:`BUSY_WAIT_SECONDS`
  and then gives up with :class:`WorkspaceBusy`, a user error: the CLI prints one
  ``error: workspace ... is in use by another program ...`` line and exits 2, the app says
  so in plain words and tries again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import duckdb

from analysis.errors import UserError
from analysis.i18n import t
from analysis.store.engine import Tables
from analysis.store.names import check_file_name
from analysis.store.results import StoredResults
from analysis.store.schema import DATA_TABLES, MONEY_COLUMNS, MONEY_TYPE, SCHEMA, CURRENCY_NOTE, ddl, quote_ident

if TYPE_CHECKING:  # pandas is imported where frames are built: the CLI's `log` starts without it
    import pandas as pd

# How long an open waits for another program that holds the file (see the module docstring).
BUSY_WAIT_SECONDS = 5.0


class WorkspaceBusy(UserError):
    """Another program holds the workspace file (DuckDB's file lock); try again later."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__(t("workspace {path} is in use by another program (the app saving a change, or another "
                           "command); try again when it has finished", path=self.path))


def connect(path: str | Path, read_only: bool, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``path``, trying again for ``wait`` seconds while another program
    holds the file; then :class:`WorkspaceBusy`. In this process, a file already open the other
    way (read-only / read-write) is shared that way when it allows the request: DuckDB opens one
    file one way per process. ``wait`` defaults to :data:`BUSY_WAIT_SECONDS`."""
    deadline = time.monotonic() + (BUSY_WAIT_SECONDS if wait is None else wait)
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise
            if read_only:  # open read-write by another part of this process: read through it
                try:
                    return duckdb.connect(str(path), read_only=False)
                except duckdb.ConnectionException:
                    pass
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
        if time.monotonic() >= deadline:
            raise WorkspaceBusy(path) from None
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.25)


@contextlib.contextmanager
def _all_or_nothing(cur: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on ``cur``: committed when the block ends, rolled back if it fails."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    else:
        cur.execute("COMMIT")


class Workspace(StoredResults):
    """One workspace file, held open from creation to :meth:`close` (the command line, tests,
    a script). Safe to share between threads: every call takes a cursor of its own, and
    writes are serialised by a lock. Opening waits up to ``wait`` seconds for another program
    that holds the file, then raises :class:`WorkspaceBusy`. The app uses
    :class:`SharedWorkspace`, which holds no connection between operations."""

    def __init__(self, path: str | Path, read_only: bool = False, wait: float | None = None):
        self.path = Path(path)
        self.read_only = read_only
        check_file_name(self.path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        _release_shared(self.path)
        self._con = connect(self.path, read_only=read_only, wait=wait)
        self._write_lock = threading.RLock()
        self._local = threading.local()  # one Ibis backend (and cursor) per thread
        self._stale_money: list[tuple[str, str]] | None = None  # read-only: DOUBLE amounts to convert
        self._generation = 0  # which connection the thread's Ibis backend must be on
        if not read_only:
            self.create_schema()

    # -- connection -----------------------------------------------------------------
    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    @contextlib.contextmanager
    def reading(self) -> Iterator["Workspace"]:
        """A block that reads (Ibis tables from :meth:`tables` included). This workspace is
        open for its whole life, so there is nothing to do; see :meth:`SharedWorkspace.reading`."""
        yield self

    def create_schema(self) -> None:
        with self._write_lock:
            cur = self.cursor()
            for table in SCHEMA:
                cur.execute(ddl(table))
        self._store_money_exactly()

    def _column_types(self) -> dict[tuple[str, str], str]:
        rows = self.cursor().execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main'").fetchall()
        return {(table, column): kind for table, column, kind in rows}

    def _inexact_money(self) -> list[tuple[str, str]]:
        """Money columns still stored as DOUBLE (a workspace from before exact amounts)."""
        types = self._column_types()
        return [key for key in MONEY_COLUMNS if types.get(key, MONEY_TYPE) != MONEY_TYPE]

    def _store_money_exactly(self) -> None:
        """Convert the DOUBLE amount columns of a workspace written by an earlier version to
        :data:`MONEY_TYPE`, each value rounded to the cent, in one transaction. Refused (a
        :class:`~analysis.errors.UserError` naming the column, how many values and one of
        them; the file unchanged) when a value cannot be kept to the cent: 10^16 or more,
        infinite or not a number."""
        with self.reading():
            stale = self._inexact_money()
        if not stale:
            return
        with self.transaction() as cur:
            for table, column in stale:
                self._refuse_inexact(cur, table, column)
                cur.execute(f"ALTER TABLE {quote_ident(table)} ALTER COLUMN {quote_ident(column)} TYPE {MONEY_TYPE}")

    def _refuse_inexact(self, cur: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
        """A :class:`~analysis.errors.UserError` (naming the column, how many values and one of
        them) when a DOUBLE money column holds a value that cannot be kept to the cent."""
        from analysis.errors import UserError
        from analysis.money import MAX_ABS_AMOUNT

        col, tab = quote_ident(column), quote_ident(table)
        bad, example = cur.execute(
            f"SELECT count(*), any_value({col}) FROM {tab} WHERE NOT (abs({col}) < ?)",
            [float(MAX_ABS_AMOUNT)]).fetchone()
        if bad:
            raise UserError(t(
                "workspace {path} was written by an earlier version and cannot be opened: {count} "
                "values of {table}.{column} are too large to keep to the cent (e.g. {value}; amounts "
                "must be below 10^16). Import its files again into a new workspace.",
                path=self.path, count=bad, table=table, column=column, value=example))

    # -- reading ----------------------------------------------------------------------
    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters and return a DataFrame."""
        with self.reading():
            return self.cursor().execute(sql, params or []).df()

    def scalar(self, sql: str, params: list | tuple | None = None) -> Any:
        with self.reading():
            row = self.cursor().execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {quote_ident(table)}"))

    def data_version(self) -> str:
        """A stamp that changes whenever the data changes (an import, a recorded contact, a
        customer update): caches of analysis results are keyed by it."""
        with self.reading():
            row = self.cursor().execute(
                'SELECT (SELECT coalesce(max("import_id"), 0) FROM "imports"),'
                ' (SELECT count(*) FROM "transactions"),'
                ' (SELECT coalesce(max("interaction_id"), 0) FROM "interactions"),'
                ' (SELECT count(*) FROM "customers")'
            ).fetchone()
        return "-".join(str(v) for v in row)

    def date_bounds(self) -> list:
        """[first purchase day, last purchase day, first contact, last contact] (None for an
        empty table): what ``analysis.identify.facts.span_of`` makes the data's date range of.
        Plain DuckDB (each is a column's minimum or maximum), so that the app's first screen
        needs no Ibis backend."""
        with self.reading():
            return list(self.cursor().execute(
                'SELECT (SELECT min("date") FROM "transactions"), (SELECT max("date") FROM "transactions"),'
                ' (SELECT min("occurred_at") FROM "interactions"), (SELECT max("occurred_at") FROM "interactions")'
            ).fetchone())

    def version_at(self, as_of: dt.date) -> dict[str, str]:
        """What figures as of a date depend on, part by part: ``purchases`` (the purchase
        imports), ``customers`` (the customer-list imports and updates) and ``contacts``
        (contacts up to the end of ``as_of``). A contact recorded later leaves all three
        unchanged; one inside the period changes ``contacts`` only."""
        end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
        with self.reading():
            row = self.cursor().execute(
                'SELECT (SELECT coalesce(max("import_id"), 0) FROM "imports" WHERE "target_table" = \'transactions\'),'
                ' (SELECT count(*) FROM "transactions"),'
                ' (SELECT coalesce(max("import_id"), 0) FROM "imports" WHERE "target_table" = \'customers\'),'
                ' (SELECT count(*) FROM "customers"),'
                ' (SELECT count(*) FROM "interactions" WHERE "occurred_at" < ?),'
                ' (SELECT coalesce(max("interaction_id"), 0) FROM "interactions" WHERE "occurred_at" < ?)',
                [end, end],
            ).fetchone()
        return {"purchases": f"{row[0]}-{row[1]}", "customers": f"{row[2]}-{row[3]}",
                "contacts": f"{row[4]}-{row[5]}"}

    @property
    def ibis(self):
        """An Ibis DuckDB backend over this workspace's connection, one per thread: DuckDB
        cursors must not be shared between threads (Streamlit runs each session in its own)."""
        generation, backend = getattr(self._local, "ibis", (None, None))
        if backend is None or generation != self._generation:
            import ibis

            backend = ibis.duckdb.from_connection(self.cursor())
            self._local.ibis = (self._generation, backend)
        return backend

    def tables(self) -> Tables:
        """The data tables as Ibis tables. Amounts are exact decimals; a workspace from an
        earlier version opened read-only (so not converted, see :meth:`create_schema`) has
        its DOUBLE amounts read as decimals, rounded to the cent, the same figures."""
        con = self.ibis
        tables = {t: con.table(t) for t in DATA_TABLES}
        if self.read_only:
            if self._stale_money is None:
                stale = self._inexact_money()
                for table, column in stale:  # what a conversion would refuse, reading refuses too
                    self._refuse_inexact(self.cursor(), table, column)
                self._stale_money = stale
            for table, column in self._stale_money:
                if table not in tables:  # e.g. guest_purchases: not one of the data tables
                    continue
                tables[table] = tables[table].mutate(**{column: tables[table][column].cast(MONEY_TYPE.lower())})
        return Tables(*(tables[t] for t in DATA_TABLES))

    # -- writing ----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: the block's writes land together or not at all."""
        if self.read_only:
            raise PermissionError(t("workspace {path} is open read-only", path=self.path))
        with self._write_lock, _all_or_nothing(self.cursor()) as cur:
            yield cur

    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        with self.transaction() as cur:
            cur.execute(sql, params or [])

    def next_id(self, cur: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
        """Next integer id for ``table.column``; call inside :meth:`transaction`."""
        rows = cur.execute(
            f"SELECT coalesce(max({quote_ident(column)}), 0) + 1 FROM {quote_ident(table)}"
        ).fetchall()  # fetchall: a half-read result blocks `register` on this cursor
        return int(rows[0][0])

    def append(self, cur: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
        """Insert a DataFrame's rows into ``table`` (columns matched by name); call inside
        :meth:`transaction`. Missing columns are NULL. Returns the number of rows."""
        cols = [c for c in SCHEMA[table] if c in frame.columns]
        unknown = set(frame.columns) - set(SCHEMA[table])
        if unknown:
            raise ValueError(f"unknown columns for {table}: {sorted(unknown)}")
        view = f"_append_{threading.get_ident()}"
        cur.register(view, frame[cols])
        try:
            col_sql = ", ".join(quote_ident(c) for c in cols)
            cur.execute(
                f"INSERT INTO {quote_ident(table)} ({col_sql}) SELECT {col_sql} FROM {quote_ident(view)}"
            )
        finally:
            cur.unregister(view)
        return len(frame)

    # -- notes (small key/value texts kept with the workspace) --------------------------
    def get_note(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar('SELECT "value" FROM "notes" WHERE "key" = ?', [key])
        return default if value is None else value

    def set_note(self, key: str, value: str, cur: duckdb.DuckDBPyConnection | None = None) -> None:
        """Keep ``value`` under ``key``; with ``cur``, inside that open :meth:`transaction`."""
        sql = 'INSERT OR REPLACE INTO "notes" ("key", "value", "saved_at") VALUES (?, ?, now())'
        if cur is None:
            self.execute(sql, [key, value])
        else:
            cur.execute(sql, [key, value])

    def keep_first_note(self, key: str, value: str) -> str:
        """The note under ``key``; when there is none yet, ``value`` is stored and returned.
        One transaction: of two sessions asking at once, both get the first one's value."""
        with self.transaction() as cur:
            row = cur.execute('SELECT "value" FROM "notes" WHERE "key" = ?', [key]).fetchone()
            if row and row[0]:
                return row[0]
            self.set_note(key, value, cur)
            return value

    # -- currency (see analysis.money) --------------------------------------------------
    def currency(self) -> str | None:
        """The workspace's currency as an ISO 4217 code (``"CNY"``), or None when no import
        has told it and nobody has set it."""
        return self.get_note(CURRENCY_NOTE)

    def set_currency(self, code: str, cur: duckdb.DuckDBPyConnection | None = None) -> None:
        """Set the workspace's currency (an ISO code from :data:`analysis.money.SYMBOLS`)."""
        from analysis.money import SYMBOLS

        if code not in SYMBOLS:
            raise ValueError(f"unknown currency code: {code!r}")
        self.set_note(CURRENCY_NOTE, code, cur)


# The one SharedWorkspace per file of this process (analysis.store.shared.shared).
_SHARED: dict[str, "SharedWorkspace"] = {}
_SHARED_LOCK = threading.Lock()


def _release_shared(path: Path) -> None:
    """Before this process opens ``path`` another way, let its shared workspace, if idle, close."""
    ws = _SHARED.get(str(path.resolve()))
    if ws is not None:
        ws.release()


def read_even_if_closed(ws: Workspace, read: Any) -> Any:
    """``read(ws)``; when ``ws`` was closed since (a value made later from a workspace the
    caller has closed: a frame or a masker made when first used), ``read`` of the same file
    opened again read-only for the read alone."""
    try:
        with ws.reading():  # a shared workspace's connection is open for the read only
            return read(ws)
    except duckdb.ConnectionException:
        with Workspace(ws.path, read_only=True) as again:
            return read(again)


def open_workspace(path: str | Path, read_only: bool = False) -> Workspace:
    return Workspace(path, read_only=read_only)


@contextlib.contextmanager
def creating(path: str | Path) -> Iterator[Workspace]:
    """Open ``path`` for one operation. If this call created the file and the operation
    fails, the file is removed again: a failed import into a new workspace leaves nothing."""
    path = Path(path)
    check_file_name(path)
    existed = path.exists()
    ws = Workspace(path)
    try:
        yield ws
    except BaseException:
        ws.close()
        if not existed:
            for leftover in (path, Path(str(path) + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    ws.close()
