"""Where the engine meets the data: the data tables as Ibis expressions (:class:`Tables`),
results kept in memory or in the engine (:func:`materialize`), results leaving the engine
(:func:`to_frame`), and the fixed sample of customers that model fitting brings to the driver
(:func:`hash_sample`). The same expressions run on DuckDB (embedded default) and on Spark.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where frames are built: the CLI's `log` starts without it
    import pandas as pd


@dataclass(frozen=True)
class Tables:
    """The three data tables as Ibis expressions, on whichever backend holds them."""

    customers: Any
    transactions: Any
    interactions: Any
    # Set by :meth:`pinned`: the shared intermediates of one computation, by what they are of.
    memo: dict | None = field(default=None, compare=False, repr=False)

    def pinned(self) -> "Tables":
        """These tables for one computation (a report, a scoring run) that materializes its
        shared intermediates: the per-customer facts that many of its figures read
        (:func:`analysis.identify.facts.customer_facts`, ``service_facts``) are computed once,
        at their first use, and every later expression on the returned object reads them.

        Not a cache: nothing outlives the computation. The caller asks for it explicitly
        (``tables.pinned()`` at the start of ``build_report`` and ``score_customers``), the
        materialized tables live in the returned object only, and they are dropped with it;
        the data cannot change meanwhile (one read, see analysis.store.shared). Plain
        ``Tables`` (no ``pinned()``) build every expression afresh. Caches that span
        computations (data versions, sessions) live in ``ui/cached/`` and in the stored
        results (:mod:`analysis.store.results`)."""
        return replace(self, memo={})

    def knowing(self, key: tuple, table: Any) -> "Tables":
        """These tables pinned (:meth:`pinned`), with the shared intermediate ``key`` already
        at hand as ``table`` (say, the per-customer facts read from the scores stored in the
        workspace): what this computation would have materialized, it reads there instead."""
        return replace(self, memo={**(self.memo or {}), key: table})

    def knows(self, key: tuple) -> bool:
        """Whether the shared intermediate ``key`` is at hand in this computation (materialized
        or given by :meth:`knowing`), so reading it costs a scan of its rows alone."""
        return self.memo is not None and key in self.memo

    def remember(self, key: tuple, build) -> Any:
        """The shared intermediate ``key`` of this computation: ``build()`` materialized at its
        first use when pinned (:meth:`pinned`), the plain expression otherwise. DuckDB's
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

    backend = ibis.get_backend(expr)
    if backend.name == "duckdb":
        return ibis.memtable(expr.to_pyarrow())
    # Ibis's PySpark cache does not register the in-memory tables an expression reads
    # (e.g. a lookup table joined in); executing does, so register them first.
    backend._run_pre_execute_hooks(expr)
    return expr.cache()


def local_tables(frames: dict[str, Any]) -> dict[str, Any]:
    """Frames (pandas or Arrow) as Ibis tables of one private in-memory DuckDB database, so
    that engine expressions also run on rows a caller holds in memory (a test, one
    customer's rows). Private: no other thread or caller shares its connection."""
    import duckdb
    import ibis
    import pyarrow as pa

    raw = duckdb.connect()
    for name, frame in frames.items():
        raw.register(name, frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False))
    con = ibis.duckdb.from_connection(raw)
    return {name: con.table(name) for name in frames}


def to_frame(expr) -> pd.DataFrame:
    """An Ibis table expression executed into pandas: the one place where results leave the
    engine. Money is summed exactly there (DECIMAL); here decimal columns become float64, what
    pandas, NumPy, the models and the charts compute with (NumPy cannot do arithmetic on
    Python ``Decimal`` objects). A decimal with two places converts to the nearest float, so
    the figure is the same on every run; round it to the cent to show it."""
    exact = {name: "float64" for name, kind in expr.schema().items() if kind.is_decimal()}
    expr = expr.cast(exact) if exact else expr
    if not _bound(expr):
        # Only in-memory tables (materialize's, memtables): Ibis would run them on its one
        # default DuckDB connection, which refuses a second thread (two sessions of the app
        # at once), so each thread runs them on an in-memory DuckDB of its own.
        return _thread_duckdb().to_pandas(expr)
    return expr.to_pandas()


_THREAD = threading.local()


def _thread_duckdb():
    """This thread's in-memory DuckDB (an Ibis backend), made on first use and closed with
    the thread."""
    con = getattr(_THREAD, "duckdb", None)
    if con is None:
        import ibis

        con = _THREAD.duckdb = ibis.duckdb.connect()
    return con


def _bound(expr) -> bool:
    """Whether ``expr`` reads a table of a backend (a workspace, Spark), not memory alone."""
    from ibis.common.exceptions import IbisError

    try:
        expr._find_backend(use_default=False)
    except IbisError:
        return False
    return True


# Model fitting brings per-customer rows to the driver. Above this many customers only a
# sample of them comes back (:func:`hash_sample`); scoring still covers every customer in
# the engine. Read at call time, so a test can lower it.
LOCAL_ROWS = 200_000
_HASH_DIGITS = 8  # hex digits of md5(customer_id) that decide the sample


def local_limit(limit: int | None = None) -> int:
    """``limit``, or :data:`LOCAL_ROWS` when None."""
    return LOCAL_ROWS if limit is None else int(limit)


def hash_sample(table, n: int, size: int):
    """``table`` itself when ``n`` rows fit in ``size``; else the rows whose customer_id
    hashes below ``size / n`` of the hash range: about ``size`` rows. The hash is the first
    hex digits of md5(customer_id), compared as text (fixed-width lower-case hex sorts like
    the number), so DuckDB and Spark keep exactly the same customers, and a customer's
    membership never depends on the others."""
    if n <= size:
        return table
    cut = format(int(size / n * 16**_HASH_DIGITS), f"0{_HASH_DIGITS}x")
    return table.filter(table.customer_id.cast("string").hexdigest("md5").substr(0, _HASH_DIGITS) < cut)
