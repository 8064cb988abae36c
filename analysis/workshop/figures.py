"""The workshop story's figures (issue 6): :func:`story_data` computes the data of every
slide and of the worksheet once, as picklable frames and dicts with the reasons of what the
data cannot support; :mod:`analysis.workshop.story` turns them into slides.

On a workspace whose scores are stored, every figure is asked of what is stored (issue 15 §2:
the first render of the Workshop page of a million customers reads a few hundred numbers, the
scatter's points and the lifetime values, never every customer's row): the Overview's stored
figures (:func:`analysis.identify.first_screen.stored_figures`), counts and sums over the
stored scores in the engine (:mod:`analysis.differentiate.stored_views`), the personas of the
stored cluster profiles, the action plan counted without writing a reason, from the plan
stored in the workspace when it is (:meth:`analysis.customize.stored_plan.StoredPlan.summary`),
and the masked labels of the customers shown ranked from the stored ids alone
(:func:`analysis.masking.engine_masker`). Otherwise (bare tables, or scores that could not be
stored) the scores' frame gives the same figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

import pandas as pd

from analysis.customize.actions import ActionSettings
from analysis.customize import stored_plan
from analysis.customize.plan import plan_rows
from analysis.differentiate import matrix as matrix_mod
from analysis.differentiate import pyramid, stored_views
from analysis.differentiate.views import scatter_sample
from analysis.errors import NotEnoughData, UserError
from analysis.i18n import t
from analysis.identify import first_screen, overview
from analysis.identify.customers import source_tables
from analysis.identify.facts import resolve_as_of
from analysis.masking import Masker, engine_masker
from analysis.scores import Scores, attempt, score_customers, stored_table
from analysis.settings import ReportSettings
from analysis.store import Tables, Workspace, read_even_if_closed
from analysis.stored_scores import StoredScores, read_stored

SCATTER_POINTS = 1500  # enough to see the shape; keeps the exported file light


@dataclasses.dataclass
class StoryData:
    """Everything the slides and the worksheet show, computed once. ``parts[key]`` holds a
    slide's data; ``reasons[key]`` says why a slide's data is missing. ``customer_ids``: every
    customer, whose keyed-hash order numbers the masked labels; or, read from the stored
    scores, None and ``masker(secret)`` gives the labels of the customers the slides show
    (:func:`analysis.masking.engine_masker`: the same labels, without reading every id)."""

    as_of: dt.date
    settings: ReportSettings
    customer_ids: list[str] | None
    parts: dict[str, Any]
    reasons: dict[str, str]
    masker: Callable[[str | None], Masker] | None = None


def _value_part(plotted: pd.DataFrame, buyers: int, counts: dict[str, int]) -> dict:
    if not buyers:
        raise NotEnoughData(t("No purchases yet: import transactions to see who is valuable, growable or below zero."))
    cols = ["customer_id", "name", "revenue_window", "potential", "profit", "gap", "is_mvc", "is_mcc", "is_bz"]
    return {"plotted": plotted[[c for c in cols if c in plotted]].reset_index(drop=True),
            "buyers": buyers, "counts": counts}


def _value_of_frame(frame: pd.DataFrame) -> dict:
    plotted, buyers = scatter_sample(frame, max_points=SCATTER_POINTS)
    return _value_part(plotted, buyers, {g: int(frame[c].fillna(False).astype(bool).sum()) for g, c in
                                         (("MVC", "is_mvc"), ("MCC", "is_mcc"), ("BZ", "is_bz"))})


def _clv_part(messages: dict[str, str], values: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The customers' lifetime values (a ``clv`` column, no missing value) for the CLV slide."""
    if "clv" in messages:
        raise NotEnoughData(messages["clv"])
    clv = values()
    if clv.empty:
        raise NotEnoughData(t("No customer has a lifetime value yet: the purchase model needs repeat buyers."))
    return clv.reset_index(drop=True)


def _actions_part(summary: Callable[[], dict]) -> dict:
    """The action plan in figures (:func:`analysis.customize.plan.plan_summary`, from
    ``summary()``): counting needs no reason written."""
    found = summary()
    if not found["actions"]:
        raise NotEnoughData(t("No suggested action yet: the playbook needs customers with purchases or contacts."))
    return found


def _coverage(frame: pd.DataFrame) -> dict:
    """How well the interactions cover the customers (for the worksheet's interact step);
    :func:`analysis.differentiate.stored_views.coverage` counts the same in the engine."""
    return {
        "customers": len(frame),
        "contacted": int((frame["contacts"].fillna(0) > 0).sum()),
        "contacts": int(frame["contacts"].fillna(0).sum()),
        "complaints": int(frame["complaints"].fillna(0).sum()),
        "surveyed": int(frame["satisfaction_5"].notna().sum()),
    }


def _learned_part(source: Workspace | Tables, as_of: dt.date) -> list[dict]:
    """Every campaign measured by ``as_of`` (its response window ended), oldest first, with
    its measurement (:func:`analysis.interact.campaigns.workspace.measure`): what the
    "What we learned" slide says. Bare tables hold no campaigns."""
    from analysis.interact.campaigns import workspace as campaigns

    listed = campaigns.list_campaigns(source) if isinstance(source, Workspace) else []
    found = []
    for c in reversed(listed):
        try:
            result = campaigns.measure(source, c["name"])
        except UserError:  # groups that cannot be compared teach nothing
            continue
        if result.get("complete") is False or (result.get("window_end") and result["window_end"] > as_of.isoformat()):
            continue
        found.append({"name": c["name"], "action": c["action"], "start": c["start"], "result": result})
    if not found:
        raise NotEnoughData(t("No campaign has been measured yet: make one with a control group on the Campaigns "
                              "page; once its response window has passed, what it taught appears here."))
    return found


def _overview_figure(found: dict, name: str) -> Any:
    """Figure ``name`` of the Overview's stored figures (its NotEnoughData raised)."""
    if isinstance(found[name], NotEnoughData):
        raise found[name]
    return found[name]


def story_data(source: Workspace | Tables, as_of: Any = None, settings: ReportSettings = ReportSettings(),
               action_settings: ActionSettings | None = None, scores: Scores | None = None,
               summary: Callable[[], dict] | None = None) -> StoryData:
    """The data of every slide as of a date. Parts the data cannot support are None, with
    their plain reason in ``reasons``; nothing here raises NotEnoughData. On a Workspace the
    action plan learns from its campaigns and the last slide tells what they taught.

    On a Workspace whose scores are stored, every figure is asked of what is stored
    (:func:`_stored_parts`): no customer's row is read into pandas but the scatter's points
    and the lifetime values. Else the scores' frame is read. ``summary()``: the plan's counts
    (:meth:`analysis.customize.plan.Plan.summary`) when the caller keeps them (the app's
    Action plan page shares them, asked of the plan stored in the workspace)."""
    tables = source_tables(source)
    as_of = resolve_as_of(tables, as_of)
    action_settings = action_settings or ActionSettings(window_months=settings.window_months)
    stored = read_stored(source, as_of, settings) if isinstance(source, Workspace) else None

    def plan_summary() -> dict:
        found = stored_plan.read(source, as_of, settings, action_settings, scores) \
            if isinstance(source, Workspace) else None
        return (found or plan_rows(source, as_of, settings, action_settings, scores=scores)).summary()

    summary = summary or plan_summary
    reasons: dict[str, str] = {}
    if stored is not None:
        parts, personas, messages = _stored_parts(source, stored, as_of, settings, reasons)
        ids, masker = None, _engine_masker(source, as_of, settings, parts)
    else:
        scores = scores or score_customers(tables, as_of, settings)
        parts, personas, messages = _frame_parts(tables, scores, as_of, settings, reasons)
        ids, masker = list(scores.frame["customer_id"].astype(str)), None
    parts["clusters"] = personas or None
    parts["actions"] = attempt(reasons, "actions", lambda: _actions_part(summary))
    parts["learned"] = attempt(reasons, "learned", lambda: _learned_part(source, as_of))
    if not personas:
        reasons["clusters"] = messages.get("clusters", t("Not enough buyers to find groups of customers yet."))
    return StoryData(as_of=as_of, settings=settings, customer_ids=ids, parts=parts, reasons=reasons, masker=masker)


def _frame_parts(tables: Tables, scores: Scores, as_of: dt.date, settings: ReportSettings,
                 reasons: dict[str, str]) -> tuple[dict, list[dict], dict[str, str]]:
    """(parts, personas, messages) from the scores' frame and the workspace's tables."""
    s, w = settings.segments, settings.window_months
    frame = scores.frame
    parts: dict[str, Any] = {
        "kpis": overview.kpis(tables, as_of, w),
        "monthly": attempt(reasons, "overview", lambda: overview.revenue_by_month(tables, as_of)),
        "pareto": attempt(reasons, "pareto", lambda: overview.pareto(tables, as_of, w)),
        "pyramid": attempt(reasons, "pyramid", lambda: pyramid.pyramid(tables, as_of, s)),
        "value": attempt(reasons, "value", lambda: _value_of_frame(frame)),
        "matrix": attempt(reasons, "matrix", lambda: matrix_mod.satisfaction_matrix(tables, as_of, s)),
        "clv": attempt(reasons, "clv", lambda: _clv_part(scores.messages,
                                                         lambda: frame[["customer_id", "clv"]].dropna())),
        "coverage": _coverage(frame),
    }
    return parts, scores.personas, scores.messages


def _stored_parts(ws: Workspace, stored: StoredScores, as_of: dt.date, settings: ReportSettings,
                  reasons: dict[str, str]) -> tuple[dict, list[dict], dict[str, str]]:
    """(parts, personas, messages) from what is stored: the Overview's figures
    (:func:`analysis.identify.first_screen.stored_figures`), counts and sums over the stored
    scores in the engine (:mod:`analysis.differentiate.stored_views`), the scatter's points and
    the personas of the stored cluster profiles. The same figures as :func:`_frame_parts`."""
    t_ = stored.table
    first = first_screen.stored_figures(ws, as_of, settings.window_months, lambda: t_)

    def value() -> dict:
        sample, buyers = stored_views.scatter_sample(t_, max_points=SCATTER_POINTS)
        return _value_part(stored.numbers(sample), buyers, stored_views.value_counts(t_))

    parts: dict[str, Any] = {
        "kpis": _overview_figure(first, "kpis"),
        "monthly": attempt(reasons, "overview", lambda: _overview_figure(first, "months")),
        "pareto": attempt(reasons, "pareto", lambda: _overview_figure(first, "pareto")),
        "pyramid": attempt(reasons, "pyramid", lambda: stored_views.pyramid_layers(t_)),
        "value": attempt(reasons, "value", value),
        "matrix": attempt(reasons, "matrix", lambda: stored_views.satisfaction_matrix(t_)),
        "clv": attempt(reasons, "clv", lambda: _clv_part(stored.messages, lambda: stored_views.clv_values(t_))),
        "coverage": stored_views.coverage(t_),
    }
    return parts, stored.scores().personas, stored.messages


def _engine_masker(ws: Workspace, as_of: dt.date, settings: ReportSettings,
                   parts: dict) -> Callable[[str | None], Masker]:
    """``masker(secret)``: the labels of the customers the slides show (the scatter's points),
    numbered among every stored customer from the stored ids alone (:func:`analysis.masking.engine_masker`)."""
    shown = [] if parts["value"] is None else list(parts["value"]["plotted"]["customer_id"].astype(str))

    def label(w: Workspace, secret: str | None) -> Masker:
        table = stored_table(w, as_of, settings)
        if table is None:  # the stored scores were replaced since: number every customer's id
            return Masker(score_customers(w, as_of, settings).frame["customer_id"].astype(str).tolist(), secret)
        return engine_masker(table, secret, shown)

    def masker(secret: str | None) -> Masker:  # the slides may be made after ws was closed
        return read_even_if_closed(ws, lambda w: label(w, secret))

    return masker
