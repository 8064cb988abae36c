"""Identify: the caches of the Overview and Cohorts pages (per data version).

The Overview's figures are one computation kept in the workspace
(:func:`analysis.identify.first_screen.stored_figures`), the cohorts too
(:func:`analysis.identify.cohorts.stored_cohorts`); the lists behind a click (a month's or a
category's buyers, a cohort cell's customers) are read when asked for.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pandas as pd
import streamlit as st

from analysis import scores as scores_module
from analysis.errors import NotEnoughData
from analysis.identify import cohorts as cohorts_module
from analysis.identify import first_screen, overview
from ui import workspace
from ui.cached.core import _figure, _tables, _view, key


# -- Overview and Cohorts (per data version) --------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=32)
def _first_screen(path: str, version: str, as_of: dt.date, window: int, settings) -> dict:
    """Every figure of the Overview (:func:`analysis.identify.first_screen.stored_figures`):
    read from the workspace when stored there, else computed (the per-customer figures from
    the scores stored for ``settings``, when they are) and stored. Keyed by the settings
    only because they name the stored scores that may serve; the figures do not depend on
    them."""
    ws = workspace.by_path(path)
    return first_screen.stored_figures(
        ws, as_of, window, stored_scores=lambda: None if settings is None else scores_module.stored_table(
            ws, as_of, settings))


def first_screens_ready(as_of: dt.date, settings) -> None:
    """The Overview's figures and the cohorts computed and stored (after an import, with the
    scores: the next time the app opens, its first screen and the Cohorts page read them)."""
    _view(_first_screen, *key(), as_of, settings.window_months, settings)
    with contextlib.suppress(NotEnoughData):
        _view(_cohorts, *key(), as_of)


def kpis(as_of: dt.date, window: int, settings=None) -> dict:
    """The Overview's headline figures (:func:`analysis.identify.overview.kpis`). ``settings``:
    the sidebar's, whose stored scores may serve (see :func:`_first_screen`)."""
    return _figure(_first_screen, "kpis", *key(), as_of, int(window), settings)


@st.cache_data(show_spinner=False, max_entries=32)
def _guest_purchases(path: str, version: str, as_of: dt.date) -> dict | None:
    ws = workspace.by_path(path)
    with ws.reading():
        return overview.guest_purchases(ws, as_of)


def guest_purchases(as_of: dt.date) -> dict | None:
    """Purchases without a customer (:func:`analysis.identify.overview.guest_purchases`)."""
    return _guest_purchases(*key(), as_of)


def pareto(as_of: dt.date, window: int, settings=None) -> tuple[pd.DataFrame, float, float]:
    """(80/20 curve, top 20% share, Gini) (:func:`analysis.identify.overview.pareto`)."""
    return _figure(_first_screen, "pareto", *key(), as_of, int(window), settings)


def revenue_by_month(as_of: dt.date, window: int, settings=None) -> pd.DataFrame:
    """Revenue, orders and buyers per month (:func:`analysis.identify.overview.revenue_by_month`;
    it does not depend on the window, the Overview's other figures do)."""
    return _figure(_first_screen, "months", *key(), as_of, int(window), settings)


@st.cache_resource(show_spinner=False, max_entries=32)
def _month_buyers(path: str, version: str, as_of: dt.date, month: str) -> list[str]:
    with _tables(path) as tables:
        return overview.month_buyers(tables, as_of, month)


def month_buyers(as_of: dt.date, month: str) -> list[str]:
    """Ids of the customers who bought in ``month`` ("2024-05")."""
    return _view(_month_buyers, *key(), as_of, month)


def breakdown(as_of: dt.date, by: str, window: int, settings=None) -> pd.DataFrame:
    """Revenue and customers by region, industry, channel or category."""
    if by not in overview.BREAKDOWNS:
        raise ValueError(f"breakdown by must be one of {', '.join(overview.BREAKDOWNS)}, not {by!r}")
    return _figure(_first_screen, by, *key(), as_of, int(window), settings)


@st.cache_resource(show_spinner=False, max_entries=32)
def _category_buyers(path: str, version: str, as_of: dt.date, category: str, window: int) -> list[str]:
    with _tables(path) as tables:
        return overview.category_buyers(tables, as_of, category, window)


def category_buyers(as_of: dt.date, category: str, window: int) -> list[str]:
    """Ids of the customers who bought in ``category`` in the window."""
    return _view(_category_buyers, *key(), as_of, category, window)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cohorts(path: str, version: str, as_of: dt.date):
    return cohorts_module.stored_cohorts(workspace.by_path(path), as_of)


def cohorts(as_of: dt.date):
    """The retention triangle (:func:`analysis.identify.cohorts.cohorts`)."""
    return _view(_cohorts, *key(), as_of)


@st.cache_resource(show_spinner=False, max_entries=32)
def _cohort_customers(path: str, version: str, as_of: dt.date, month: str, offset: int) -> list[str]:
    with _tables(path) as tables:
        return cohorts_module.cell_customers(tables, as_of, month, offset)


def cohort_customers(as_of: dt.date, month: str, offset: int) -> list[str]:
    """Ids of cohort ``month``'s customers who bought ``offset`` months later."""
    return _view(_cohort_customers, *key(), as_of, month, int(offset))
