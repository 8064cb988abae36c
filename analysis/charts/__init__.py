"""Plotly figure builders: a DataFrame in, a figure out, no streamlit. One module per domain.

Data is text in charts too: plotly.js renders a subset of HTML in every string it draws
(``<b>``, ``<i>``, ``<br>``, and ``<a href>`` becomes a live link) in axis labels, legends,
hovers, titles and annotations. Every string that comes from a user's data (names, regions,
categories, products, persona and rule names, notes) goes through :func:`escape` before it
reaches a figure; keys a click sends back travel raw in ``customdata``.
"""

import html
import math
from typing import Any

import pandas as pd

# One colour per pyramid tier, shared by every chart that shows tiers.
TIER_COLORS = {
    "top": "#1b4f72",
    "big": "#2874a6",
    "medium": "#5dade2",
    "small": "#aed6f1",
    "inactive": "#b2babb",
    "prospect": "#f5b041",
    "suspect": "#fad7a0",
}

_DAY_MS = 86_400_000


def date_ticks() -> dict:
    """Keyword arguments for ``fig.update_xaxes`` on a date axis so its ticks read in the current
    language: plotly writes English month names ("Jan 2024"); in Chinese the ticks become
    2024年1月 (and 1月15日 when zoomed to days, 2024年 when zoomed out to years)."""
    from analysis.i18n import language

    if language() != "zh":
        return {}
    return {"tickformatstops": [
        {"dtickrange": [None, 28 * _DAY_MS], "value": "%-m月%-d日\n%Y年"},
        {"dtickrange": [28 * _DAY_MS, 365 * _DAY_MS], "value": "%Y年%-m月"},
        {"dtickrange": [365 * _DAY_MS, None], "value": "%Y年"},
    ]}


def escape(value: Any, limit: int | None = None) -> str:
    """Data made literal for plotly: ``<``, ``>`` and ``&`` escaped (so ``<a href=...>`` shows as
    typed and is never a link), a missing value empty. With ``limit``, text longer than that
    many characters is cut to ``limit - 1`` and "…" (before escaping, so no entity is cut),
    for axis labels and legends that a 300-character product name would otherwise crowd out."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: max(1, limit - 1)].rstrip() + "…"
    return html.escape(text, quote=False)


def escape_all(values, limit: int | None = None) -> list[str]:
    """:func:`escape` for each of ``values`` (an axis's categories, a legend), cut to ``limit``
    only where that keeps different values apart: plotly draws equal category labels as one."""
    values = list(values)
    short = [escape(v, limit) for v in values]
    seen: dict[str, set] = {}
    for value, label in zip(values, short):
        seen.setdefault(label, set()).add(str(value))
    return [label if len(seen[label]) == 1 else escape(value) for value, label in zip(values, short)]
