"""The customers a new campaign is made of, without writing a reason for each (issue 15 §2).

A campaign made from the action plan's filters holds the customers
:func:`analysis.customize.plan.export_list` lists for them, in its order (the scores', by
customer id): with an ``action`` filter, the customers with that suggestion; the other
filters on the customers' facts. Making it needs their ids and the facts a campaign keeps
(:data:`~.workspace.FEATURES`, the strata among them), not the top action written out in
words for each of a million customers:

- :func:`select` reads those few columns of every customer from the stored scores (numbers
  and codes, the persona's name written from its code) and picks the rows in pandas with the
  filters' own code (:func:`~analysis.identify.customers.apply_filters`); the action filter
  asks the plan for the customers with those actions (in the engine when the plan is stored:
  :class:`~analysis.customize.stored_plan.StoredPlan`), nothing is written.
- :func:`export_rows` gives :data:`~analysis.customize.plan.EXPORT_COLUMNS` of the customers
  asked for only (the rows a page shows, or every target when a download asks): their names,
  segments and regions read for them alone, and the top action's title and reason written
  for them alone (:meth:`~analysis.customize.plan.Plan.tops`: those customers' first rows).

Without stored scores (a read-only workspace, bare tables) both read the computed frame
instead; the customers and figures are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from analysis.store import Workspace

if TYPE_CHECKING:  # what reads the plan and the scores is imported at first use (see .workspace)
    from analysis.customize.plan import Plan
    from analysis.customize.stored_plan import StoredPlan
    from analysis.scores import Scores

# The facts a campaign keeps per member (columns of the per-customer scores frame); the
# strata of its control group (tier, cell) are among them.
FEATURES = ("recency_days", "orders", "revenue", "tier", "cell", "cluster_name", "satisfaction_5")
# Written from the stored cluster code: the persona's name in the current language.
_WORDED = {"cluster_name": "cluster"}


def _isin(values: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    """``values.isin(wanted)`` (texts) as a mask, by Arrow's hash lookup: pandas' own walks
    ``wanted`` in Python, seconds for the hundreds of thousands of ids of a selection."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(values.astype("str")), value_set=pa.array(pd.Series(wanted, dtype="str")))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _stored(columns: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(_WORDED.get(c, c) for c in columns))


def _worded(frame: pd.DataFrame, columns: Sequence[str], scores: Scores) -> pd.DataFrame:
    """``frame`` (stored columns) with ``columns`` in that order, the persona's name written
    from the stored cluster code as the scores frame writes it (personas in code order)."""
    if "cluster_name" in columns and "cluster_name" not in frame:
        names = np.array([None] + [p["name"] for p in scores.personas], dtype=object)
        codes = frame["cluster"].fillna(-1).to_numpy(int) + 1 if "cluster" in frame else np.zeros(len(frame), int)
        frame = frame.assign(cluster_name=names[codes].tolist())
    return frame[[c for c in columns if c in frame]]


def _every(ws: Any, scores: Scores, columns: Sequence[str], settings) -> pd.DataFrame:
    """``columns`` of every customer, in the scores' order: the stored columns alone when
    the scores are stored, else the computed frame's."""
    from analysis.scores import stored_columns

    found = stored_columns(ws, _stored(columns), scores.as_of, settings) if isinstance(ws, Workspace) else None
    if found is None:
        return scores.frame[[c for c in columns if c in scores.frame]].reset_index(drop=True)
    return _worded(found, columns, scores)


def _of(ws: Any, scores: Scores, ids: Sequence[str], columns: Sequence[str], settings) -> pd.DataFrame:
    """``columns`` of the customers ``ids`` (any order, one row each), read for them alone."""
    from analysis.stored_scores import stored_of

    found = stored_of(ws, list(ids), _stored(columns), scores.as_of, settings) if isinstance(ws, Workspace) else None
    if found is None:
        frame = scores.frame
        return frame.loc[_isin(frame["customer_id"], ids), [c for c in columns if c in frame]]
    return _worded(found, columns, scores)


def customer_facts(ws: Any, scores: Scores, settings) -> pd.DataFrame:
    """customer_id (as text) and :data:`FEATURES` of every customer, in the scores' order:
    what :func:`select` picks from, read once for any filters of the pickers."""
    frame = _every(ws, scores, ["customer_id", *FEATURES], settings)
    return frame.assign(customer_id=frame["customer_id"].astype("str"))


def select(ws: Any, plan: Plan | StoredPlan, scores: Scores, filters: dict | None, settings,
           facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """customer_id, :data:`FEATURES` and the filtered columns of the customers ``filters``
    select (as :func:`~analysis.customize.plan.export_list` lists them, in its order), from
    the plan's rows and ``scores`` (the same as-of date and settings), or from ``facts``
    (:func:`customer_facts`) when it holds the filtered columns. No text is written but the
    personas' names."""
    from analysis.identify.customers import FILTER_COLUMNS, apply_filters

    filters = {k: v for k, v in (filters or {}).items() if v}
    wanted = filters.pop("action", None)
    columns = list(dict.fromkeys(["customer_id", *FEATURES, *[FILTER_COLUMNS[k] for k in filters]]))
    if facts is None or not set(columns) <= set(facts.columns):
        facts = _every(ws, scores, columns, settings)
        facts = facts.assign(customer_id=facts["customer_id"].astype("str"))
    frame = facts
    if wanted:  # the customers with one of these suggestions
        frame = frame[_isin(frame["customer_id"], plan.customers_with([str(a) for a in wanted]))]
    return apply_filters(frame, filters).reset_index(drop=True)


def export_rows(ws: Any, plan: Plan | StoredPlan, scores: Scores, ids: Sequence[str], filters: dict | None,
                settings) -> pd.DataFrame:
    """:data:`~analysis.customize.plan.EXPORT_COLUMNS` of the customers ``ids``, in that
    order, as :func:`~analysis.customize.plan.export_list` writes them (the top action among
    the ``action`` filter's when there is one; none for a customer without a suggestion):
    read and written for these customers only."""
    from analysis.customize.plan import EXPORT_COLUMNS

    ids = pd.Series(ids, dtype="str").reset_index(drop=True)
    facts = [c for c in EXPORT_COLUMNS if c not in ("top_action", "top_action_reason")]
    found = _of(ws, scores, ids.unique().tolist(), facts, settings)
    found = found.assign(customer_id=found["customer_id"].astype(str))
    wanted = (filters or {}).get("action")
    top = plan.tops(ids.unique().tolist(), list(wanted or []))
    top = top[["customer_id", "title", "reason"]].rename(columns={"title": "top_action", "reason": "top_action_reason"})
    out = pd.DataFrame({"customer_id": ids}).merge(found, on="customer_id", how="left")
    out = out.merge(top.assign(customer_id=top["customer_id"].astype(str)), on="customer_id", how="left")
    return out[EXPORT_COLUMNS]


def filter_choices(plan: Plan | StoredPlan, keys: Sequence[str] | None = None
                   ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(the pickers' options, {action: its title}) of the plan, as
    :func:`~analysis.customize.plan.filter_options` and
    :func:`~analysis.customize.plan.action_titles` give them over the titled plan: the
    options (of the filters ``keys`` only, when given) from the plan's rows, the title of
    each action written for its first row only (:meth:`~analysis.customize.plan.Plan.options`,
    :meth:`~analysis.customize.plan.Plan.titles`)."""
    return plan.options(keys), plan.titles()
