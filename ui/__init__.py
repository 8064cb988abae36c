"""Streamlit glue shared by the pages: workspace choice, cached analysis calls, sidebar,
chart display. Pages call these and `analysis`; nothing here computes analysis itself."""
