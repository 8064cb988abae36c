"""Plotly figure builders: a DataFrame in, a figure out, no streamlit. One module per domain."""

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
