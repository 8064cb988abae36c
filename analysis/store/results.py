"""Stored analysis results: frames and their meta kept in the workspace under a key (the
``results`` table and one table per frame), so that a figure computed once is read back
later, by the app or the command line, as long as the data it depends on has not changed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import TYPE_CHECKING, Any

import duckdb

from analysis.store.schema import quote_ident

if TYPE_CHECKING:  # pandas is imported where frames are built: the CLI's `log` starts without it
    import pandas as pd

# Stored results kept per kind (several as-of dates or settings); older ones are dropped.
RESULTS_KEPT = 6
# Stored results are a cache: the app does not wait long to write them.
RESULT_WRITE_WAIT_SECONDS = 0.5


class StoredResults:
    """The stored-results methods of a workspace (mixed into :class:`~analysis.store.Workspace`),
    which gives ``read_only``, ``reading()``, ``cursor()`` and ``transaction()``."""

    @staticmethod
    def result_key(kind: str, **parts: Any) -> str:
        """A stable key for a result of ``kind`` computed from ``parts`` (versions, dates,
        settings; anything with a stable ``str``)."""
        text = json.dumps([kind, parts], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def stored_result(self, kind: str, key: str, compute) -> tuple[dict[str, pd.DataFrame], dict]:
        """(frames, meta) stored under ``key``; when missing, ``compute()`` gives them and
        they are stored as ``kind`` (:meth:`save_result`)."""
        found = self.load_result(key)
        if found is not None:
            return found
        frames, meta = compute()
        self.save_result(kind, key, frames, meta)
        return frames, meta

    def save_result(self, kind: str, key: str, frames: dict[str, pd.DataFrame], meta: dict) -> bool:
        """Store ``frames`` (one table each: pandas frames or Arrow tables) and ``meta`` (JSON) under ``key``, all or
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
        # an Arrow table (a result too big for pandas, such as the action plan's rows) keeps its own types
        dtypes = {part: {str(c): str(t) for c, t in f.dtypes.items()} for part, f in frames.items()
                  if hasattr(f, "dtypes")}
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

    def has_result(self, key: str) -> bool:
        """Whether a result is stored under ``key`` (without reading its frames)."""
        try:
            with self.reading():
                return self.cursor().execute(
                    'SELECT count(*) FROM "results" WHERE "result_key" = ?', [key]).fetchone()[0] > 0
        except duckdb.CatalogException:  # an older read-only workspace without the table
            return False

    def load_result(self, key: str, parts: Any = None) -> tuple[dict[str, pd.DataFrame], dict] | None:
        """(frames, meta) stored under ``key``, or None when there is none; ``parts`` (names),
        when given, are the only frames read (``()``: the meta alone)."""
        try:
            with self.reading():
                row = self.cursor().execute(
                    'SELECT "tables_json", "meta_json" FROM "results" WHERE "result_key" = ?', [key]).fetchone()
                if row is None:
                    return None
                record = json.loads(row[1])
                frames = {}
                for part, name in json.loads(row[0]).items():
                    if parts is not None and part not in parts:
                        continue
                    # Through Arrow: several times faster than .df() for text columns.
                    frame = self.cursor().sql(f"SELECT * FROM {quote_ident(name)}").to_arrow_table().to_pandas()
                    wanted = record["dtypes"].get(part, {})
                    frames[part] = frame.astype({c: t for c, t in wanted.items() if str(frame[c].dtype) != t})
        except duckdb.CatalogException:  # an older read-only workspace, a table dropped by hand
            return None
        return frames, record["meta"]

    def result_table(self, key: str, part: str) -> Any:
        """The frame ``part`` stored under ``key`` as an Ibis table on this workspace's
        connection, or None when nothing is stored there: aggregates and filters over a
        stored frame (a page's counts over a million scored customers) then run in DuckDB
        and only their answer leaves it. Its columns are as stored (numbers and codes; a
        frame's pandas dtypes are applied by :meth:`load_result` only)."""
        try:
            with self.reading():
                row = self.cursor().execute(
                    'SELECT "tables_json" FROM "results" WHERE "result_key" = ?', [key]).fetchone()
        except duckdb.CatalogException:
            return None
        if row is None or part not in json.loads(row[0]):
            return None
        return self.ibis.table(json.loads(row[0])[part])

    def load_result_rows(self, key: str, part: str, column: str | None, value: Any = None,
                         columns: Any = None, order: Any = None, limit: int | None = None) -> pd.DataFrame | None:
        """The rows of the frame ``part`` stored under ``key`` whose ``column`` equals
        ``value`` (the filter runs in DuckDB, so one customer's rows of a million are read
        alone; ``column=None``: every row), typed as :meth:`load_result` types them; only
        ``columns`` (names) when given; in ``order`` ((column, ascending) pairs, missing
        values last) and at most ``limit`` of them when given (a list's first rows, read with
        no engine expression compiled); None when nothing is stored there."""
        try:
            with self.reading():
                row = self.cursor().execute(
                    'SELECT "tables_json", "meta_json" FROM "results" WHERE "result_key" = ?', [key]).fetchone()
                if row is None or part not in json.loads(row[0]):
                    return None
                name = json.loads(row[0])[part]
                picked = "*" if columns is None else ", ".join(quote_ident(c) for c in columns)
                where = "" if column is None else f" WHERE {quote_ident(column)} = $1"
                if order:
                    where += " ORDER BY " + ", ".join(f"{quote_ident(c)} {'ASC' if up else 'DESC'} NULLS LAST"
                                                      for c, up in order)
                if limit is not None:
                    where += f" LIMIT {int(limit)}"
                frame = self.cursor().sql(f"SELECT {picked} FROM {quote_ident(name)}{where}",
                                          params=None if column is None else [value]).to_arrow_table().to_pandas()
        except duckdb.CatalogException:
            return None
        wanted = json.loads(row[1])["dtypes"].get(part, {})
        return frame.astype({c: t for c, t in wanted.items() if c in frame and str(frame[c].dtype) != t})

