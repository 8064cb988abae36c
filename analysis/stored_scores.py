"""The stored scores read in DuckDB (:mod:`analysis.scores` stores them): the first rows of a
list, one group's members, a few customers' columns, the CLV totals, and the models' figures
stored beside them, so that a page shows a million scored customers' lists and models without
reading every row into pandas or fitting a model again (issue 15 §2). Each gives what the
whole-frame computation gives (same rows, same order, same figures), or None when the scores
are not stored (the caller then computes them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

import pandas as pd

from analysis.identify.facts import resolve_as_of
from analysis.scores import (
    _NOTE_INPUTS, Scores, check_key, _keys, _model_key, _with_text, stored_columns, stored_messages, stored_table,
)
from analysis.settings import ReportSettings
from analysis.store import Workspace


@dataclasses.dataclass
class StoredScores:
    """The stored scores as an engine table (:func:`stored_table`) with what is needed to
    write the text of the rows read from it: a page asks DuckDB for its counts and its first
    rows, and only those rows get their reasons, strategies, notes and persona names
    (:func:`_with_text`), instead of reading and writing every customer of the workspace.
    Valid inside the read of the workspace it was made in."""

    table: Any
    as_of: dt.date
    settings: ReportSettings
    messages: dict[str, str]
    wallet: dict | None
    clusters: dict[str, pd.DataFrame]
    dtypes: dict[str, str]

    def rows(self, expr: Any, limit: int | None = None) -> pd.DataFrame:
        """The rows of ``expr`` (a filter or ordering of :attr:`table`, every column), at most
        ``limit``, typed and worded as :func:`score_customers`' frame holds them."""
        return self.scored(expr, limit).frame

    def first_rows(self, exprs: dict[str, Any], limit: int) -> dict[str, pd.DataFrame]:
        """The first ``limit`` rows of each of ``exprs`` (filters and orderings of :attr:`table`,
        no column of their own), as :meth:`rows` gives them, read together: each list's ids
        are found on its ordering columns alone, then every row is read in one pass, since a
        read of a thousand rows scattered over a million costs a scan of every column."""
        ids = {name: expr.limit(limit).select("customer_id").to_pandas()["customer_id"].tolist()
               for name, expr in exprs.items()}
        wanted = sorted(set().union(*ids.values()))
        found = self.rows(self.table.filter(self.table.customer_id.isin(wanted)) if wanted else self.table, len(wanted))
        found = found.set_index("customer_id", drop=False)
        return {name: found.loc[ids[name]].reset_index(drop=True) for name in exprs}

    def numbers(self, expr: Any, limit: int | None = None) -> pd.DataFrame:
        """The rows of ``expr`` typed as :meth:`rows` gives them, without their text (a chart's points)."""
        frame = (expr if limit is None else expr.limit(limit)).to_pandas()
        return frame.astype({c: t for c, t in self.dtypes.items() if c in frame and str(frame[c].dtype) != t})

    def scores(self) -> Scores:
        """A :class:`Scores` without rows: the personas, messages and wallet summary."""
        return self.scored(self.table, 0)

    def scored(self, expr: Any, limit: int | None = None) -> Scores:
        """The :class:`Scores` of the rows of ``expr`` (at most ``limit``), their text written."""
        return _with_text(self.numbers(expr, limit).reset_index(drop=True), self.clusters, self.messages,
                          self.as_of, self.settings, self.wallet)


def read_stored(ws: Workspace, as_of: Any = None,
                settings: ReportSettings = ReportSettings()) -> StoredScores | None:
    """:class:`StoredScores` of ``ws`` as of ``as_of`` with ``settings``; None when the scores
    are not stored (then :func:`analysis.scores.score_customers` computes them). Reads the meta and the
    small cluster profiles, not the per-customer rows."""
    as_of = resolve_as_of(ws.tables(), as_of)
    clv_key, key = _keys(ws, as_of, settings)
    table = ws.result_table(key, "frame")
    clv = ws.load_result(clv_key, parts=())
    stored = ws.load_result(key, parts=("profiles", "zscores"))
    template = ws.load_result_rows(key, "frame", "customer_id", None)  # no row: the stored dtypes
    if table is None or clv is None or stored is None or template is None:
        return None
    frames, meta = stored
    return StoredScores(table=table, as_of=as_of, settings=settings,
                        messages=stored_messages(clv[1], meta), wallet=meta.get("wallet"),
                        clusters=frames, dtypes={c: str(t) for c, t in template.dtypes.items()})


def stored_clv_figures(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> dict | None:
    """The CLV fit's figures stored with the scores (:func:`analysis.predict.clv_data.fit_figures`), None when
    not stored."""
    as_of = resolve_as_of(ws.tables(), as_of)
    found = ws.load_result(_model_key(ws, as_of, settings, "clv_model"))
    return None if found is None else found[1]["figures"]


def stored_clusters(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> Any:
    """(the clusters' figures, the projection points) stored with the scores
    (:func:`analysis.differentiate.clusters.stored.from_record`), None when not stored."""
    from analysis.differentiate.clusters.stored import from_record

    as_of = resolve_as_of(ws.tables(), as_of)
    found = ws.load_result(_model_key(ws, as_of, settings, "clusters_model"))
    return None if found is None else from_record(*found, settings.currency)


def stored_clv_totals(ws: Workspace, as_of: Any = None,
                      settings: ReportSettings = ReportSettings()) -> pd.Series | None:
    """:func:`analysis.predict.clv_data.clv_totals` over the stored outlook (the settings'
    horizon, margin and discount), counted in DuckDB; None when not stored."""
    from analysis.predict.clv_data import clv_totals

    table = stored_table(ws, as_of, settings)
    if table is None or _NOTE_INPUTS["T"] not in table.columns:
        return None
    scored = table.filter(table[_NOTE_INPUTS["T"]].notnull())
    return clv_totals(scored.select(frequency=scored[_NOTE_INPUTS["frequency"]],
                                    nonpositive_spend=scored[_NOTE_INPUTS["nonpositive_spend"]], clv=scored.clv))


def stored_outlook(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> pd.DataFrame | None:
    """The columns of :func:`outlook` the CLV page's charts read (customer_id, frequency,
    recency, T in weeks, p_alive, clv), at the settings' horizon, from the stored scores (a
    few numeric columns, not the text); None when not stored."""
    columns = ["customer_id", *_NOTE_INPUTS.values(), "p_alive", "clv"]
    found = stored_columns(ws, columns, as_of, settings)
    if found is None or _NOTE_INPUTS["T"] not in found:
        return None
    found = found[found[_NOTE_INPUTS["T"]].notna()].sort_values("customer_id", ignore_index=True)
    return pd.DataFrame({
        "customer_id": found["customer_id"].astype(str).to_numpy(),
        "frequency": found[_NOTE_INPUTS["frequency"]].to_numpy("int64"),
        "recency": found[_NOTE_INPUTS["recency"]].to_numpy(float),
        "T": found[_NOTE_INPUTS["T"]].to_numpy(float),
        "p_alive": found["p_alive"].to_numpy(float),
        "clv": found["clv"].to_numpy(float),
    })


def _in_order(table: Any, order: tuple[str, ...], ascending: tuple[bool, ...]) -> Any:
    """``table`` ordered by ``order`` (missing values last), then customer id."""
    import ibis

    return table.order_by([ibis.asc(c, nulls_first=False) if up else ibis.desc(c, nulls_first=False)
                           for c, up in zip(order, ascending or (False,) * len(order))] + [ibis.asc("customer_id")])


def stored_rows(ws: Workspace, as_of: Any, settings: ReportSettings, where: Callable[[Any], Any] | None = None,
                order: tuple[str, ...] = (), ascending: tuple[bool, ...] = (), limit: int | None = None,
                ) -> tuple[Scores, int] | None:
    """(the :class:`Scores` of the stored customers that ``where(table)`` (an Ibis condition
    on the stored table) keeps, ordered by ``order`` (then customer id; missing values last), at most ``limit`` of them,
    their text written as :func:`score_customers` writes it; how many match in all). The
    filter, the order and the count run in DuckDB: the first rows of a million read alone.
    None when the scores are not stored."""
    stored = read_stored(ws, as_of, settings)
    if stored is None:
        return None
    table = stored.table if where is None else stored.table.filter(where(stored.table))
    count = int(table.count().to_pyarrow().as_py())
    return stored.scored(_in_order(table, order, ascending), limit), count


# The first customers of a list picked from the stored table, in the order of their pandas
# twins (:func:`analysis.scores.top_by_clv`, :func:`analysis.scores.likely_lost`,
# :func:`analysis.identify.customers.biggest`); ``ui.cached.stored_list`` reads them as it reads
# the Differentiate pages' lists.
def clv_list(t: Any) -> Any:
    """The customers with a predicted CLV, the highest first."""
    return _in_order(t.filter(t.clv.notnull()), ("clv",), ())


def lost_list(t: Any, min_orders: int = 2) -> Any:
    """Repeat customers with a P(alive), the lowest first, the most revenue first among equals."""
    return _in_order(t.filter((t.orders >= min_orders) & t.p_alive.notnull()), ("p_alive", "revenue"), (True, False))


def biggest_list(t: Any) -> Any:
    """Every customer, the most revenue in the window first (then all time)."""
    return _in_order(t, ("revenue_window", "revenue"), ())


def stored_of(ws: Workspace, customer_ids: list[str], columns: list[str], as_of: Any = None,
              settings: ReportSettings = ReportSettings()) -> pd.DataFrame | None:
    """The stored ``columns`` (with customer_id; numbers and codes, no text) of the customers
    ``customer_ids``, joined in DuckDB: a campaign's few thousand members are read, not a
    million customers. None when the scores are not stored."""
    import ibis

    table = stored_table(ws, as_of, settings)
    if table is None:
        return None
    wanted = ibis.memtable(pd.DataFrame({"customer_id": pd.Series(customer_ids, dtype=str).unique()}))
    picked = table.select("customer_id", *[c for c in columns if c != "customer_id"])
    return picked.semi_join(wanted, "customer_id").to_pyarrow().to_pandas()


def stored_check(ws: Workspace, as_of: Any, settings: ReportSettings, calibration_end: Any, model: str,
                 compute: Callable[[], tuple[dict, dict]]) -> tuple[dict, dict]:
    """(frames, meta) of the CLV page's holdout and churn checks on this split and purchase
    model (:func:`analysis.predict.fit.check_record`), stored beside the scores' CLV outlook
    (the same purchases, as-of date and settings): ``compute()`` gives them the first time."""
    as_of = resolve_as_of(ws.tables(), as_of)
    return ws.stored_result("clv_check", check_key(ws, as_of, settings, calibration_end, model), compute)
