"""Plotly figure builders: a DataFrame in, a figure out, no streamlit. One module per domain.

Numbers on axes and in hovers go through :func:`number_axis` and :func:`hover_numbers`, so
amounts carry the workspace's currency symbol and, in Chinese, big numbers read in 万 and 亿
(plotly's own ticks say 20k, 1M). Each chart builder takes ``currency``, the symbol
(``SegmentSettings.currency``; empty when the currency is unknown).

Data is text in charts too: plotly.js renders a subset of HTML in every string it draws
(``<b>``, ``<i>``, ``<br>``, and ``<a href>`` becomes a live link) in axis labels, legends,
hovers, titles and annotations. Every string that comes from a user's data (names, regions,
categories, products, persona and rule names, notes) goes through :func:`escape` before it
reaches a figure; keys a click sends back travel raw in ``customdata``.
"""

import html
import math
from typing import Any, Iterable

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


def month_ticks(months: Iterable[str], most: int = 12) -> dict:
    """Keyword arguments for ``fig.update_xaxes`` on an axis of monthly bars (``months`` as
    "2024-05", one per bar): a tick on a month, labelled as a month in the current language
    ("May 2024" / "2024年5月"), on every bar or every 2, 3, 6 or 12 months so that at most
    ``most`` are written. Left to itself plotly puts a date axis' ticks every two weeks or on
    uneven days under a few monthly bars."""
    from analysis.i18n import month

    months = list(months)
    step = next((s for s in (1, 2, 3, 6, 12) if math.ceil(len(months) / s) <= most), math.ceil(len(months) / most))
    shown = months[::step]
    return {"tickmode": "array", "tickvals": shown, "ticktext": [month(f"{m}-01") for m in shown]}


def _nice_step(span: float, ticks: int = 6) -> float:
    """1, 2, 2.5 or 5 times a power of ten: about ``span / ticks``."""
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))


def _decimals(values: list[float]) -> int:
    """The fewest decimals (up to 3) that write every value exactly: 1, 1.5, 2.5 -> 1."""
    return next((d for d in range(4) if all(abs(round(v, d) - v) < 1e-6 for v in values)), 3)


def wan_ticks(values: Iterable[float], currency: str = "", whole: bool = False) -> tuple[list[float], list[str]]:
    """(tick values, tick labels) for an axis showing ``values`` (and 0), written the Chinese
    way: every label of an axis in one unit, 万 (10^4) or 亿 (10^8) once the largest tick
    reaches it (0, ¥0.5万, ¥1万, ¥1.5万), plain grouped digits below (0, 2,000, 4,000).
    ``whole``: counts, ticks a whole number apart."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    if whole:
        step = max(1.0, round(step))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    ticks = [round(k * step, 9) for k in range(first, last + 1)]
    biggest = max(abs(v) for v in ticks)
    unit, suffix = (1e8, "亿") if biggest >= 1e8 else (1e4, "万") if biggest >= 1e4 else (1.0, "")
    digits = _decimals([v / unit for v in ticks])
    labels = []
    for v in ticks:
        if v == 0:
            labels.append(f"{currency}0")
            continue
        shown = f"{abs(v) / unit:,.{digits}f}"
        shown = shown.rstrip("0").rstrip(".") if "." in shown else shown  # 1万, not 1.0万
        labels.append(f"{'-' if v < 0 else ''}{currency}{shown}{suffix}")
    return ticks, labels


def number_axis(values: Iterable[float], currency: str = "", whole: bool = False) -> dict:
    """Keyword arguments for ``fig.update_xaxes`` / ``update_yaxes`` on an axis of amounts
    (``currency`` their symbol) or counts (no symbol). English keeps plotly's ticks with the
    symbol before them ($20k); Chinese gets :func:`wan_ticks` (¥2万), which plotly cannot
    write. ``values`` are the numbers the axis shows; ``whole`` for counts."""
    from analysis.i18n import language

    symbol = (currency or "").strip()
    if language() != "zh":
        return {"tickprefix": symbol} if symbol else {}
    ticks, labels = wan_ticks(values, symbol, whole)
    return {"tickmode": "array", "tickvals": ticks, "ticktext": labels}


def hover_numbers(values: Iterable[float], currency: str = "") -> list[str]:
    """Amounts (with ``currency``) or counts as a hover shows them: in full in English
    ($13,768), in the axis' Chinese form in Chinese (¥1.4万, :func:`analysis.i18n.compact`)."""
    from analysis import i18n

    symbol = (currency or "").strip()
    if i18n.language() == "zh":
        return [i18n.compact(v, symbol) for v in values]
    return [i18n.money(v, symbol) for v in values]


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
