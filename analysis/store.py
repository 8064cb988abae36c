"""The workspace: one DuckDB file holding a company's customers, purchases and contacts.

This module is the one gateway to the database. Every SQL string in the project is
written here or passed through :meth:`Workspace.execute` / :meth:`Workspace.query`, with
values bound as ``?`` parameters and identifiers quoted by :func:`quote_ident`.
Analysis code does not write SQL: it asks :meth:`Workspace.tables` for Ibis tables, so
the same expressions run on DuckDB (embedded default) or on Spark.

Tables and columns are documented in ``data/README.md``; ``tests/test_docs.py`` fails when
a column below is missing there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

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

DATA_TABLES = ("customers", "transactions", "interactions")
# (table, column) of every amount of money: stored as MONEY_TYPE.
MONEY_COLUMNS = tuple((table, column) for table, columns in SCHEMA.items()
                      for column, kind in columns.items() if kind.startswith(MONEY_TYPE))
# The notes key under which the workspace's currency (ISO code) is kept.
CURRENCY_NOTE = "currency"
# Stored results kept per kind (several as-of dates or settings); older ones are dropped.
RESULTS_KEPT = 6


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


class Workspace:
    """One workspace file. Safe to share between threads (one Streamlit server, many users):
    every call takes a cursor of its own, and writes are serialised by a lock."""

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(self.path), read_only=read_only)
        self._write_lock = threading.RLock()
        self._local = threading.local()  # one Ibis backend (and cursor) per thread
        self._stale_money: list[tuple[str, str]] | None = None  # read-only: DOUBLE amounts to convert
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
        stale = self._inexact_money()
        if not stale:
            return
        from analysis.errors import UserError
        from analysis.money import MAX_ABS_AMOUNT

        with self.transaction() as cur:
            for table, column in stale:
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
                cur.execute(f"ALTER TABLE {tab} ALTER COLUMN {col} TYPE {MONEY_TYPE}")

    # -- reading ----------------------------------------------------------------------
    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters and return a DataFrame."""
        return self.cursor().execute(sql, params or []).df()

    def scalar(self, sql: str, params: list | tuple | None = None) -> Any:
        row = self.cursor().execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {quote_ident(table)}"))

    def data_version(self) -> str:
        """A stamp that changes whenever the data changes (an import, a recorded contact, a
        customer update): caches of analysis results are keyed by it."""
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
        names = {part: f"result_{key}_{part}" for part in frames}
        dtypes = {part: {str(c): str(t) for c, t in f.dtypes.items()} for part, f in frames.items()}
        record = json.dumps({"meta": meta, "dtypes": dtypes})
        view = f"_result_{threading.get_ident()}"
        with self.transaction() as cur:
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
        return True

    def load_result(self, key: str) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """(frames, meta) stored under ``key``, or None when there is none."""
        try:
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
        backend = getattr(self._local, "ibis", None)
        if backend is None:
            import ibis

            backend = self._local.ibis = ibis.duckdb.from_connection(self.cursor())
        return backend

    def tables(self) -> Tables:
        """The data tables as Ibis tables. Amounts are exact decimals; a workspace from an
        earlier version opened read-only (so not converted, see :meth:`create_schema`) has
        its DOUBLE amounts read as decimals, rounded to the cent, the same figures."""
        con = self.ibis
        tables = {t: con.table(t) for t in DATA_TABLES}
        if self.read_only:
            if self._stale_money is None:
                self._stale_money = self._inexact_money()
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
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")

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


def open_workspace(path: str | Path, read_only: bool = False) -> Workspace:
    return Workspace(path, read_only=read_only)


@contextlib.contextmanager
def creating(path: str | Path) -> Iterator[Workspace]:
    """Open ``path`` for one operation. If this call created the file and the operation
    fails, the file is removed again: a failed import into a new workspace leaves nothing."""
    path = Path(path)
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


def workspace_path(name: str, folder: str | Path = DEFAULT_FOLDER) -> Path:
    """Path of the workspace called ``name``: letters, digits, CJK, space, - and _ only."""
    clean = name.strip()
    if not clean or any(not (ch.isalnum() or ch in " -_") for ch in clean):
        raise ValueError(t(
            "workspace name {name!r} may only contain letters, digits, spaces, '-' and '_'", name=name
        ))
    return Path(folder) / f"{clean}.duckdb"


def list_workspaces(folder: str | Path = DEFAULT_FOLDER) -> list[str]:
    folder = Path(folder)
    if not folder.exists():
        return []
    return sorted(p.stem for p in folder.glob("*.duckdb"))
