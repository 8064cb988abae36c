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
