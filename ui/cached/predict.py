"""Predict: the caches of the CLV page (summary, outlook, holdout and churn checks).

Every figure scores the one kept fit (:func:`ui.cached.scoring._clv_fit`), or, once the
scores are stored, reads the model's figures and the checks stored beside them: a process
that opens the page fits nothing.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import scores as scores_module
from analysis import stored_scores
from ui import workspace
from ui.cached.core import _of_tables, _view, key, key_at
from ui.cached.scoring import _clv_fit, _scores_ready
from ui.later import later

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
clv_data = later("analysis.predict.clv_data")
clv_fits = later("analysis.predict.fit")


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_summary(path: str, version: str, as_of: dt.date, horizon_months: int, margin: float,
                 annual_discount: float, model: str) -> dict:
    ws = workspace.by_path(path)
    with ws.reading():
        return clv_data.clv_report(ws.tables().transactions, as_of, horizon_months=horizon_months, margin=margin,
                                   annual_discount=annual_discount, fitted=_clv_fit(ws, path, as_of, model))


def clv_summary(as_of: dt.date, horizon_months: int, margin: float, annual_discount: float, model: str) -> dict:
    """The CLV model's summary (the model chosen, parameters, counts, totals, notes) at a
    horizon, margin and discount, from the one kept fit."""
    return _view(_clv_summary, *key_at(as_of), as_of, int(horizon_months), float(margin),
                 float(annual_discount), str(model))


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_outlook(path: str, version: str, as_of: dt.date, settings, horizon_months: int) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return scores_module.outlook(_clv_fit(ws, path, as_of, settings.clv_model), settings, horizon_months)


def clv_outlook(as_of: dt.date, settings, horizon_months: int) -> pd.DataFrame:
    """Every customer's CLV outlook over ``horizon_months`` (with notes), from the one kept fit."""
    return _view(_clv_outlook, *key_at(as_of), as_of, settings, int(horizon_months))


_clv_validation = _of_tables("_clv_validation", clv_fits.workspace_validation)
_clv_churn = _of_tables("_clv_churn", clv_fits.workspace_churn)


def clv_validation(calibration_end: dt.date, as_of: dt.date, model: str):
    """The holdout check of purchase model ``model`` calibrated up to ``calibration_end``."""
    return _view(_clv_validation, *key(), calibration_end, as_of, model)


def clv_churn(calibration_end: dt.date, as_of: dt.date, model: str):
    """The churn check (reliability, Brier) of purchase model ``model`` on that split."""
    return _view(_clv_churn, *key(), calibration_end, as_of, model)


# -- what the CLV page shows, read from the model's figures stored with the scores -----------


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_page(path: str, version: str, as_of: dt.date, settings, horizon_months: int,
              annual_discount: float) -> tuple[dict, pd.DataFrame] | None:
    """(summary, outlook) of the CLV page at the settings' horizon and discount from the
    scores and the model's figures stored in the workspace (no fit); the figures are stored
    now from the kept fit when the scores were stored before them. None when the scores are
    not stored or the page asks for another horizon or discount."""
    if (horizon_months, annual_discount) != (settings.horizon_months, settings.annual_discount):
        return None
    ws = workspace.by_path(path)
    with ws.reading():
        if not scores_module.is_stored(ws, as_of, settings):
            return None
        totals = stored_scores.stored_clv_totals(ws, as_of, settings)
        outlook = stored_scores.stored_outlook(ws, as_of, settings)
        if totals is None or outlook is None:
            return None
        figures = stored_scores.stored_clv_figures(ws, as_of, settings)
        if figures is None:  # scores stored before the model's figures were kept with them
            fit = _clv_fit(ws, path, as_of, settings.clv_model)
            scores_module.store_models(ws, as_of, settings, clv=fit)
            figures = clv_data.fit_figures(fit)
        summary = clv_data.summary_report(figures, totals, horizon_months, settings.margin, annual_discount)
        return summary, outlook


def clv_page(as_of: dt.date, settings, horizon_months: int, annual_discount: float) -> tuple[dict, pd.DataFrame]:
    """(:func:`clv_summary`, :func:`clv_outlook`) of the CLV page: read from the workspace's
    stored scores and model figures at the settings' horizon and discount (a process that
    opens the page fits nothing), else from the kept fit."""
    _scores_ready(as_of, settings)
    path, version = key_at(as_of)
    found = _view(_clv_page, path, version, as_of, settings, int(horizon_months), float(annual_discount))
    if found is not None:
        return found
    return (clv_summary(as_of, horizon_months, settings.margin, annual_discount, settings.clv_model),
            clv_outlook(as_of, settings, horizon_months))


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_check(path: str, version: str, calibration_end: dt.date, as_of: dt.date, model: str, settings) -> tuple:
    """(holdout check, churn check) stored beside the scores (computed and stored the first
    time), or computed here when the scores are not stored (then not kept in the workspace)."""
    ws = workspace.by_path(path)
    with ws.reading():
        if scores_module.is_stored(ws, as_of, settings):
            def compute() -> tuple[dict, dict]:
                tables = ws.tables()
                return clv_fits.check_record(clv_fits.workspace_validation(tables, calibration_end, as_of, model),
                                             clv_fits.workspace_churn(tables, calibration_end, as_of, model))
            return clv_fits.check_from_record(*stored_scores.stored_check(
                ws, as_of, settings, calibration_end, model, compute))
        tables = ws.tables()
        return (clv_fits.workspace_validation(tables, calibration_end, as_of, model),
                clv_fits.workspace_churn(tables, calibration_end, as_of, model))


def clv_check(calibration_end: dt.date, as_of: dt.date, model: str, settings) -> tuple:
    """(:func:`clv_validation`, :func:`clv_churn`) of the purchase model ``model`` on this
    split, stored with the workspace's scores: a later process reads them instead of fitting
    the model on the calibration period again."""
    return _view(_clv_check, *key_at(as_of), calibration_end, as_of, str(model), settings)
