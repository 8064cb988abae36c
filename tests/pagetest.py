"""Open the real app in AppTest on a given workspace and page (shared by the page tests)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(db: Path, page: str | None = None, timeout: float = 120, params: dict | None = None,
              **state) -> AppTest:
    """The app on workspace ``db``, switched to ``pages/<page>.py``; fails on any exception.
    ``params`` are the link's query parameters (``{"lang": "zh"}``), ``state`` session values."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["workspace_path"] = str(db)
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
    return at
