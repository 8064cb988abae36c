"""Fitting the lifetime-value models for a workspace, with the purchase model chosen by its
out-of-time error (issue 17: ``report --clv-model``).

``auto`` (the default) sets the last part of the history aside: the holdout is a third of
the history from the first purchase to the as-of date, at most 26 weeks. Every candidate of
:mod:`analysis.predict.selection` is fitted once on the calibration split (on the distinct
histories with their customer counts, aggregated in the engine: exact, and small at any size)
and scored by its mean absolute error on the holdout; only the winner is then refitted on
the whole history (:func:`analysis.predict.clv_data.fit_clv`).

Decision, a history too short for a cut-off (a holdout under :data:`MIN_HOLDOUT_DAYS`, i.e.
less than 12 weeks of purchases): nothing out of time tells the models apart, so, as
:mod:`.selection` decides, the candidates are fitted on the whole history and the simplest one
that fits is used (NBD, which claims no P(alive) it could not check). When no candidate fits
on the calibration split (it holds fewer customers), the whole history decides as ``bgnbd``
does (BG/NBD, or NBD when nobody looks lapsed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import ibis
from ibis import _

from analysis.predict.clv_data import clv_report, fit_clv
from analysis.predict.holdout import HoldoutResult, holdout_validation
from analysis.predict.prep import TIME_UNITS, _as_date, _purchase_days, summary_table
from analysis.predict.calibration import NAIVE_WINDOW_DAYS, ChurnCheck, churn_check
from analysis.predict.choose import NO_DROPOUT_NOTE, ModelChoice, fit_with_fallback
from analysis.predict.selection import MODELS, select_model

AUTO = "auto"
#: the values of ``report --clv-model``
CHOICES = (AUTO, "bgnbd", "mbgnbd", "paretonbd", "nbd")
MAX_HOLDOUT_DAYS = 182
#: the CLV page's default check: the model fitted on purchases up to this many weeks before the as-of date
CHECK_WEEKS = 26
MIN_HOLDOUT_DAYS = 28


def calibration_end(transactions, as_of) -> dt.date | None:
    """The cut-off of ``auto``'s holdout (see the module docstring); None when too short."""
    end = _as_date(as_of)
    first = transactions.filter(transactions.date <= end).date.min().execute()
    if first is None or first != first:  # no purchase yet (None or NaT)
        return None
    days = min(MAX_HOLDOUT_DAYS, (end - _as_date(first)).days // 3)
    return None if days < MIN_HOLDOUT_DAYS else end - dt.timedelta(days=days)


def _histories(transactions, cal_end: dt.date, end: dt.date):
    """Distinct (frequency, recency_days, T_days, holdout purchase days) of the customers who
    bought by ``cal_end``, with their ``customers`` count (pandas)."""
    cal = summary_table(transactions, cal_end)
    later = (_purchase_days(transactions, end, after=cal_end).filter(_.is_purchase)
             .group_by("customer_id").aggregate(n=_.count()))
    rows = cal.left_join(later, "customer_id").select(
        "frequency", "recency_days", "T_days", holdout=ibis.coalesce(_.n, 0))
    keys = ["frequency", "recency_days", "T_days", "holdout"]
    return rows.group_by(keys).aggregate(customers=_.count()).to_pandas().sort_values(keys, ignore_index=True)


def choose_model(transactions, as_of) -> ModelChoice:
    """``auto``'s choice: the candidates fitted on the calibration split and scored on the
    holdout, or on the whole history without a holdout when it is too short."""
    end = _as_date(as_of)
    cut = calibration_end(transactions, end)
    unit = TIME_UNITS["week"]
    h = _histories(transactions, end if cut is None else cut, end)
    x, t_x, T = h["frequency"].to_numpy(float), h["recency_days"].to_numpy(float) / unit, h["T_days"].to_numpy(float) / unit
    w = h["customers"].to_numpy(float)
    if cut is None:
        return ModelChoice(AUTO, select_model(x, t_x, T, weights=w))
    weeks = (end - cut).days / unit
    selection = select_model(x, t_x, T, h["holdout"].to_numpy(float), weeks, weights=w)
    return ModelChoice(AUTO, selection, cut, weeks)


def fit_workspace_clv(transactions, as_of, model: str = AUTO, max_local: int | None = None):
    """:func:`analysis.predict.clv_data.fit_clv` with the purchase model ``model`` (one of
    :data:`CHOICES`); the fit's ``selection`` says how it was chosen."""
    if model not in CHOICES:
        raise ValueError(f"model must be one of {CHOICES}, not {model!r}")
    choice = choose_model(transactions, as_of) if model == AUTO else ModelChoice(model)
    key = model if model != AUTO else (choice.selection.model or "bgnbd")
    fit = fit_clv(transactions, as_of, max_local, purchase_model=key)
    fit.selection = choice
    if fit.model == "nbd" and choice.selection is not None and not all(
            c.dropout_identified for c in choice.selection.candidates):
        fit.note = NO_DROPOUT_NOTE  # chosen because the models with dropout found nobody lapsing
    return fit


def workspace_clv_report(tables, as_of, horizon_months: int = 12, margin: float = 0.3,
                         annual_discount: float = 0.10, model: str = AUTO) -> dict:
    """:func:`analysis.predict.clv_data.clv_report` on a workspace's purchases, the model chosen as
    ``model`` says (no holdout check)."""
    fit = fit_workspace_clv(tables.transactions, as_of, model)
    return clv_report(tables.transactions, as_of, horizon_months=horizon_months, margin=margin,
                      annual_discount=annual_discount, fitted=fit)


def workspace_validation(tables, calibration_end: dt.date, holdout_end: dt.date, model: str = "bgnbd"):
    """:func:`analysis.predict.holdout.holdout_validation` of the purchase model ``model`` (a key of
    :data:`MODELS`; NBD when its dropout is not identified on the calibration period)."""
    return holdout_validation(tables.transactions, calibration_end, holdout_end, model=MODELS[model]())


def churn_on_split(transactions, calibration_end, as_of, model: str = "bgnbd"):
    """Issue 17's churn check (:func:`analysis.predict.calibration.churn_check`): the purchase
    model ``model`` (NBD when its dropout is not identified) fitted on the purchases up to
    ``calibration_end``, its P(no purchase in the next 90 days) against who in fact bought
    nothing in the 90 days after it (fewer when ``as_of`` comes sooner), with the naive rule
    "no purchase in the last 90 days" beside it. Customers are weighted rows of distinct
    histories, so it costs the same at any size."""
    cut, end = _as_date(calibration_end), _as_date(as_of)
    later = min(end, cut + dt.timedelta(days=NAIVE_WINDOW_DAYS))
    h = _histories(transactions, cut, later)
    unit = TIME_UNITS["week"]
    x, t_x, T = h["frequency"].to_numpy(float), h["recency_days"].to_numpy(float) / unit, h["T_days"].to_numpy(float) / unit
    w = h["customers"].to_numpy(float)
    fitted, _note = fit_with_fallback(MODELS[model](), x, t_x, T, w)
    return churn_check(fitted, (later - cut).days / unit, x, t_x, T, h["holdout"].to_numpy(float), unit, weights=w)


def workspace_churn(tables, calibration_end: dt.date, as_of: dt.date, model: str = "bgnbd"):
    """:func:`churn_on_split` on a workspace's purchases."""
    return churn_on_split(tables.transactions, calibration_end, as_of, model)


def check_record(result, churn) -> tuple[dict, dict]:
    """(frames, meta) of a holdout check (:func:`workspace_validation`) and its churn check
    (:func:`workspace_churn`) on the same split, to store beside the scores: the CLV page's
    check at its default split is then read, not refitted (:func:`check_from_record`)."""
    frames = {"tracking": result.tracking, "conditional": result.conditional, "reliability": churn.reliability}
    holdout = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)
               if f.name not in ("tracking", "conditional", "model")}
    holdout["calibration_end"] = result.calibration_end.isoformat()
    holdout["holdout_end"] = result.holdout_end.isoformat()
    churned = {f.name: getattr(churn, f.name) for f in dataclasses.fields(churn) if f.name != "reliability"}
    # numpy numbers as plain ones (the meta is stored as JSON)
    return frames, json.loads(json.dumps({"holdout": holdout, "churn": churned}, default=lambda v: v.item()))


def check_from_record(frames: dict, meta: dict):
    """(HoldoutResult, ChurnCheck) from :func:`check_record`'s (frames, meta); the holdout
    result keeps no fitted model."""
    holdout = dict(meta["holdout"])
    holdout["calibration_end"] = dt.date.fromisoformat(holdout["calibration_end"])
    holdout["holdout_end"] = dt.date.fromisoformat(holdout["holdout_end"])
    result = HoldoutResult(**holdout, tracking=frames["tracking"], conditional=frames["conditional"])
    return result, ChurnCheck(**meta["churn"], reliability=frames["reliability"])
