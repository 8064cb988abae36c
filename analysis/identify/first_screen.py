"""The Overview's figures, the app's first screen, kept in the workspace (issue 15 §2: the
app's first screen under 3 s at a million customers).

What the Overview shows as of a date over an activity window: the headline figures
(:func:`~analysis.identify.overview.kpis`), the concentration of revenue
(:func:`~analysis.identify.overview.pareto`), revenue by month, and revenue by region, industry,
channel and product category. :func:`figures` computes them in one computation: the
per-customer ones from the per-customer facts, read from the scores stored in the workspace
when the caller hands them over (:func:`~analysis.identify.facts.with_stored_facts`; else
grouped once from the purchase lines), revenue by month and by category from the purchase
lines. :func:`stored_figures` keeps them in the workspace as one small result (kind
``overview``, keyed by what figures as of the date depend on, ``Workspace.version_at``, with the
date and the window), so a later process (the app opened again, another session) reads a few
hundred numbers instead of grouping ten million purchase lines. The figures are the same
either way, to the cent.

A figure the data cannot give (no region in the customer list, say) is kept as the English
text of its reason and comes back as :class:`~analysis.errors.NotEnoughData` in the reader's
language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pandas as pd

from analysis import i18n
from analysis.errors import NotEnoughData
from analysis.identify import overview
from analysis.identify.facts import resolve_as_of, to_date, with_stored_facts
from analysis.store import Tables

KIND = "overview"
FORMAT = 1  # changes when what is stored changes: older stored figures are then computed again
#: the figures of :func:`figures`, by name
NAMES = ("kpis", "pareto", "months", *overview.BREAKDOWNS)


def figures(tables: Tables, as_of: dt.date, window_months: int, stored_scores: Any = None) -> dict[str, Any]:
    """``{name: figure}`` for every name of :data:`NAMES`: ``kpis`` a dict, ``pareto`` (curve,
    top 20% share, Gini), ``months`` revenue by month, and one breakdown frame per attribute;
    a figure the data cannot give is its :class:`NotEnoughData`. ``stored_scores``: the stored
    per-customer scores as of ``as_of`` over this window (an Ibis table), or None."""
    if stored_scores is not None:
        tables = with_stored_facts(tables, stored_scores, as_of, window_months)
    else:
        tables = tables.pinned()  # the facts are grouped once, at their first use
    computations: dict[str, Callable[[], Any]] = {
        "kpis": lambda: overview.kpis(tables, as_of, window_months),
        **{by: (lambda by=by: overview.breakdown(tables, as_of, by, window_months)) for by in overview.BREAKDOWNS},
        "pareto": lambda: overview.pareto(tables, as_of, window_months),
        "months": lambda: overview.revenue_by_month(tables, as_of),
    }
    found: dict[str, Any] = {}
    for name, compute in computations.items():
        try:
            found[name] = compute()
        except NotEnoughData as exc:
            found[name] = exc
    return found


def result_key(ws, as_of: dt.date, window_months: int) -> str:
    """The key of the stored figures as of ``as_of`` over ``window_months``."""
    return ws.result_key(KIND, format=FORMAT, as_of=as_of.isoformat(), window=int(window_months),
                         **ws.version_at(as_of))


def stored_figures(ws, as_of: Any, window_months: int,
                   stored_scores: Callable[[], Any] | None = None) -> dict[str, Any]:
    """:func:`figures` read from the workspace ``ws``, computed and stored there when they are
    not yet (nothing is stored on a workspace open read-only). ``stored_scores()``, asked only
    when they must be computed, gives the stored per-customer scores or None."""
    with ws.reading():
        as_of = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())  # read stored: no Ibis backend

        def compute() -> tuple[dict, dict]:
            scores = stored_scores() if stored_scores is not None else None
            with i18n.using(i18n.DEFAULT):  # reasons kept in English, shown in the reader's language
                return _as_result(figures(ws.tables(), as_of, window_months, scores))

        frames, meta = ws.stored_result(KIND, result_key(ws, as_of, window_months), compute)
    return _from_result(frames, meta)


def prepare(ws, as_of: Any, window_months: int, stored_scores: Callable[[], Any] | None = None) -> None:
    """What an import stores besides the scores (the Data page, then ``benchmarks/run.py``):
    the Overview's figures (:func:`stored_figures`) and the cohorts
    (:func:`analysis.identify.cohorts.stored_cohorts`), so the app opened next reads them."""
    from analysis.identify.cohorts import stored_cohorts

    stored_figures(ws, as_of, window_months, stored_scores)
    try:
        stored_cohorts(ws, as_of)
    except NotEnoughData:  # nobody has bought yet: nothing to keep
        pass


def _as_result(found: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], dict]:
    """(frames, meta) to store: the tables as frames, the headline figures, the Pareto
    shares and the reasons of the figures missing as JSON."""
    frames: dict[str, pd.DataFrame] = {}
    meta: dict[str, Any] = {"missing": {}}
    for name, value in found.items():
        if isinstance(value, NotEnoughData):
            meta["missing"][name] = str(value)
        elif name == "kpis":
            meta["kpis"] = value
        elif name == "pareto":
            curve, top20, gini = value
            frames["pareto"] = curve
            meta["pareto"] = [top20, gini]
        elif name == "months":
            frames["months"] = value.assign(month=[d.isoformat() for d in value["month"]])
        else:
            frames[name] = value
    return frames, meta


def _from_result(frames: dict[str, pd.DataFrame], meta: dict) -> dict[str, Any]:
    """What :func:`figures` gives, from what :func:`_as_result` stored."""
    found: dict[str, Any] = {name: NotEnoughData(i18n.translated(reason)) for name, reason in meta["missing"].items()}
    if "kpis" in meta:
        found["kpis"] = dict(meta["kpis"])
    if "pareto" in frames:
        top20, gini = meta["pareto"]
        found["pareto"] = (frames["pareto"].reset_index(drop=True), float(top20), float(gini))
    if "months" in frames:
        months = frames["months"].reset_index(drop=True)
        found["months"] = months.assign(month=[dt.date.fromisoformat(str(m)) for m in months["month"]])
    for by in overview.BREAKDOWNS:
        if by in frames:
            found[by] = frames[by].reset_index(drop=True)
    return found
