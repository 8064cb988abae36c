"""The workspace: one DuckDB file holding a company's customers, purchases and contacts.

This module is the one gateway to the database. Every SQL string in the project is
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

Tables and columns are documented in ``data/README.md``; ``tests/test_docs.py`` fails when
a column below is missing there.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from analysis.errors import UserError
from analysis.i18n import t
from analysis.money import SCALE

# Amounts are stored exactly, to the cent (see analysis.money): sums over them are exact and
# the same on every run, whatever the order DuckDB's threads add them in. Written without a
# space so that ``type.split()[0]`` (how import casts a value to a column's type) is the type.
MONEY_TYPE = f"DECIMAL(18,{SCALE})"

# Column name -> DuckDB type, per table. Order is the order of the table.
SCHEMA: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "VARCHAR NOT NULL PRIMARY KEY",
        "name": "VARCHAR",
        "region": "VARCHAR",
        "industry": "VARCHAR",
        "channel": "VARCHAR",
        "signup_date": "DATE",
        "wallet": MONEY_TYPE,
        "email": "VARCHAR",
        "phone": "VARCHAR",
        "import_id": "BIGINT",
    },
    "transactions": {
        "order_id": "VARCHAR",
        "customer_id": "VARCHAR NOT NULL",
        "date": "DATE NOT NULL",
        "amount": MONEY_TYPE + " NOT NULL",
        "quantity": "DOUBLE",
        "product": "VARCHAR",
        "category": "VARCHAR",
        "import_id": "BIGINT",
    },
    "interactions": {
        "interaction_id": "BIGINT NOT NULL PRIMARY KEY",
        "customer_id": "VARCHAR NOT NULL",
        "occurred_at": "TIMESTAMP NOT NULL",
        "channel": "VARCHAR",
        "kind": "VARCHAR NOT NULL",
        "satisfaction": "DOUBLE",
        "scale": "DOUBLE",
        "outcome": "VARCHAR",
        "note": "VARCHAR",
        "answers_action": "VARCHAR",
        "recorded_by": "VARCHAR",
        "import_id": "BIGINT",
    },
    "imports": {
        "import_id": "BIGINT NOT NULL PRIMARY KEY",
        "file_name": "VARCHAR NOT NULL",
        "sheet": "VARCHAR",
        "content_hash": "VARCHAR NOT NULL",
        "target_table": "VARCHAR NOT NULL",
        "rows": "BIGINT NOT NULL",
        "skipped_rows": "BIGINT NOT NULL",
        "imported_at": "TIMESTAMP NOT NULL",
    },
    # Column mappings the user confirmed, remembered by the file's header signature.
    "mappings": {
        "header_signature": "VARCHAR NOT NULL PRIMARY KEY",
        "target_table": "VARCHAR NOT NULL",
        "mapping_json": "VARCHAR NOT NULL",
        "saved_at": "TIMESTAMP NOT NULL",
    },
    # Key/value settings and texts kept with the workspace (workshop worksheet, thresholds).
    "notes": {
        "key": "VARCHAR NOT NULL PRIMARY KEY",
        "value": "VARCHAR",
        "saved_at": "TIMESTAMP NOT NULL",
    },
    # Stored analysis results (e.g. the per-customer scores), one or more tables each.
    "results": {
        "result_key": "VARCHAR NOT NULL PRIMARY KEY",
        "kind": "VARCHAR NOT NULL",
        "tables_json": "VARCHAR NOT NULL",
        "meta_json": "VARCHAR NOT NULL",
        "saved_at": "TIMESTAMP NOT NULL",
    },
}

# Purchases without a customer id (guest checkouts): the transactions' columns but the customer,
# so that no per-customer figure can count them; the Overview says how much they are.
SCHEMA["guest_purchases"] = {c: kind for c, kind in SCHEMA["transactions"].items() if c != "customer_id"}
# Orders that are not among the purchases: from files that list orders without amounts (Olist's
# orders file) and the orders of purchase files that are not revenue (cancelled, unpaid...). Order
# items, reviews and returns that name only the order are linked to the customer through them.
SCHEMA["orders"] = {
    "order_id": "VARCHAR NOT NULL PRIMARY KEY",
    "customer_id": "VARCHAR",
    "date": "DATE",
    "status": "VARCHAR",
    "import_id": "BIGINT",
}
# Several accounts of one person (an e-commerce export's per-order customer id and its unique
# customer id): every row of an account is the person's (analysis.ingest.identity).
SCHEMA["accounts"] = {
    "account_id": "VARCHAR NOT NULL PRIMARY KEY",
    "customer_id": "VARCHAR NOT NULL",
    "import_id": "BIGINT",
}

# Campaigns with a control group (analysis.interact.campaigns.workspace); SQL in analysis/store_campaigns.py.
SCHEMA["campaigns"] = {
    "campaign_id": "BIGINT NOT NULL PRIMARY KEY",
    "name": "VARCHAR NOT NULL UNIQUE",
    "action": "VARCHAR",
    "channel": "VARCHAR",
    "start_date": "DATE",
    "holdout": "DOUBLE",
    "seed": "BIGINT",
    "window_days": "INTEGER",
    "source": "VARCHAR NOT NULL",
    "control_arm": "VARCHAR NOT NULL",
    "filters_json": "VARCHAR",
    "file_name": "VARCHAR",
    "created_at": "TIMESTAMP NOT NULL",
}
SCHEMA["campaign_members"] = {
    "campaign_id": "BIGINT NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "customer_id": "VARCHAR",
    "arm": "VARCHAR NOT NULL",
    "stratum": "VARCHAR",
    "response": "INTEGER",
    "value": MONEY_TYPE,
    "features_json": "VARCHAR",
}

DATA_TABLES = ("customers", "transactions", "interactions")
# (table, column) of every amount of money: stored as MONEY_TYPE.
MONEY_COLUMNS = tuple((table, column) for table, columns in SCHEMA.items()
                      for column, kind in columns.items() if kind.startswith(MONEY_TYPE))
# The notes key under which the workspace's currency (ISO code) is kept.
CURRENCY_NOTE = "currency"
# Stored results kept per kind (several as-of dates or settings); older ones are dropped.
RESULTS_KEPT = 6
# How long an open waits for another program that holds the file (see the module docstring).
BUSY_WAIT_SECONDS = 5.0
# How long the app keeps its read-only connection after the last read: clicks in a row reuse it,
# and an idle app leaves the file free for the command line's writers.
IDLE_CLOSE_SECONDS = 1.0
# Stored results are a cache: the app does not wait long to write them.
RESULT_WRITE_WAIT_SECONDS = 0.5


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


def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB SQL. The only way identifiers enter SQL."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"not a valid identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def _ddl(table: str) -> str:
    cols = ", ".join(f"{quote_ident(c)} {t}" for c, t in SCHEMA[table].items())
    return f"CREATE TABLE IF NOT EXISTS {quote_ident(table)} ({cols})"


def column_names(table: str) -> list[str]:
    return list(SCHEMA[table])


@dataclass(frozen=True)
class Tables:
    """The three data tables as Ibis expressions, on whichever backend holds them."""

    customers: Any
    transactions: Any
    interactions: Any
    # Set by :meth:`pinned`: per-customer tables already computed, by what they are of.
    memo: dict | None = field(default=None, compare=False, repr=False)

    def pinned(self) -> "Tables":
        """These tables with a memo: the per-customer facts that many figures share
        (:func:`analysis.features.customer_facts`, ``service_facts``) are computed once,
        kept in memory, and every later expression on the returned object reads them.
        For one report or scoring run, over data that does not change meanwhile."""
        return replace(self, memo={})

    def remember(self, key: tuple, build) -> Any:
        """``build()`` executed once when pinned, the plain expression otherwise. DuckDB's
        result is kept in memory; on another engine (Spark) it is cached in the engine, so
        the per-customer rows never come to the driver."""
        if self.memo is None:
            return build()
        if key not in self.memo:
            self.memo[key] = materialize(build())
        return self.memo[key]


def materialize(expr) -> Any:
    """``expr`` computed once, as a table later expressions read instead of computing it
    again. On DuckDB the result is kept in this process as Arrow (a per-customer table of a
    million rows is tens of megabytes; DuckDB scans it in place); on another engine (Spark)
    it is cached in the engine, so the rows never come to the driver."""
    import ibis

    if ibis.get_backend(expr).name == "duckdb":
        return ibis.memtable(expr.to_pyarrow())
    return expr.cache()


def to_frame(expr) -> pd.DataFrame:
    """An Ibis table expression executed into pandas: the one place where results leave the
    engine. Money is summed exactly there (DECIMAL); here decimal columns become float64, what
    pandas, NumPy, the models and the charts compute with (NumPy cannot do arithmetic on
    Python ``Decimal`` objects). A decimal with two places converts to the nearest float, so
    the figure is the same on every run; round it to the cent to show it."""
    exact = {name: "float64" for name, kind in expr.schema().items() if kind.is_decimal()}
    return (expr.cast(exact) if exact else expr).to_pandas()


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


class Workspace:
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
                cur.execute(_ddl(table))
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

    # -- stored results ---------------------------------------------------------------
    @staticmethod
    def result_key(kind: str, **parts: Any) -> str:
        """A stable key for a result of ``kind`` computed from ``parts`` (versions, dates,
        settings; anything with a stable ``str``)."""
        text = json.dumps([kind, parts], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def save_result(self, kind: str, key: str, frames: dict[str, pd.DataFrame], meta: dict) -> bool:
        """Store ``frames`` (one table each) and ``meta`` (JSON) under ``key``, all or
        nothing; the oldest results of ``kind`` beyond :data:`RESULTS_KEPT` are dropped.
        Column dtypes are kept in the meta so :meth:`load_result` gives the same frames.
        Returns False (and stores nothing) on a read-only workspace."""
        if self.read_only:
            return False
        with self.transaction() as cur:
            self._write_result(cur, kind, key, frames, meta)
        return True

    @staticmethod
    def _write_result(cur: duckdb.DuckDBPyConnection, kind: str, key: str, frames: dict[str, pd.DataFrame],
                      meta: dict) -> None:
        """:meth:`save_result`'s writes, inside an open transaction."""
        names = {part: f"result_{key}_{part}" for part in frames}
        dtypes = {part: {str(c): str(t) for c, t in f.dtypes.items()} for part, f in frames.items()}
        record = json.dumps({"meta": meta, "dtypes": dtypes})
        view = f"_result_{threading.get_ident()}"
        for part, frame in frames.items():
            cur.register(view, frame)
            try:
                cur.execute(f"CREATE OR REPLACE TABLE {quote_ident(names[part])} AS "
                            f"SELECT * FROM {quote_ident(view)}")
            finally:
                cur.unregister(view)
        cur.execute('INSERT OR REPLACE INTO "results" VALUES (?, ?, ?, ?, now())',
                    [key, kind, json.dumps(names), record])
        old = cur.execute(
            'SELECT "result_key", "tables_json" FROM "results" WHERE "kind" = ? '
            'ORDER BY "saved_at" DESC, "result_key" OFFSET ?', [kind, RESULTS_KEPT]).fetchall()
        for old_key, tables in old:
            for name in json.loads(tables).values():
                cur.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
            cur.execute('DELETE FROM "results" WHERE "result_key" = ?', [old_key])

    def load_result(self, key: str) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """(frames, meta) stored under ``key``, or None when there is none."""
        try:
            with self.reading():
                row = self.cursor().execute(
                    'SELECT "tables_json", "meta_json" FROM "results" WHERE "result_key" = ?', [key]).fetchone()
                if row is None:
                    return None
                record = json.loads(row[1])
                frames = {}
                for part, name in json.loads(row[0]).items():
                    # Through Arrow: several times faster than .df() for text columns.
                    frame = self.cursor().sql(f"SELECT * FROM {quote_ident(name)}").to_arrow_table().to_pandas()
                    wanted = record["dtypes"][part]
                    frames[part] = frame.astype({c: t for c, t in wanted.items() if str(frame[c].dtype) != t})
        except duckdb.CatalogException:  # an older read-only workspace, a table dropped by hand
            return None
        return frames, record["meta"]

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
                    cur.execute(_ddl(table))
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


_SHARED: dict[str, SharedWorkspace] = {}
_SHARED_LOCK = threading.Lock()


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


def _release_shared(path: Path) -> None:
    """Before this process opens ``path`` another way, let its shared workspace, if idle, close."""
    ws = _SHARED.get(str(path.resolve()))
    if ws is not None:
        ws.release()


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


DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "data" / "workspaces"
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
