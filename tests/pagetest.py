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


def import_files(db: Path, name: str, files: list[tuple[str, bytes]]) -> AppTest:
    """A manager on the Data page of the app opened on ``db`` imports ``files`` (name, CSV
    bytes) into a new workspace ``name``; fails on any exception. The app is left on it."""
    at = open_page(db, "data")
    at.text_input(key="data_new_name").set_value(name).run()
    at.file_uploader(key="data_upload").set_value([(f, data, "text/csv") for f, data in files]).run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    return at


def in_fresh_process(steps: str, db: Path, *args: str) -> dict:
    """Run ``steps`` (Python) in a new interpreter where ``at`` is the app opened on ``db``
    (AppTest, first screen run) and ``args`` its further arguments; ``steps`` sets ``result``
    (JSON-ready), which is returned. For what the test process cannot show: which modules a
    page imports, what a first render computes."""
    import json
    import subprocess
    import sys

    code = ("import json, sys\nfrom streamlit.testing.v1 import AppTest\n"
            "at = AppTest.from_file(sys.argv[1], default_timeout=300)\n"
            "at.session_state['workspace_path'] = sys.argv[2]\nargs = sys.argv[3:]\nat.run()\n"
            + steps + "\nprint(json.dumps(result))\n")
    done = subprocess.run([sys.executable, "-c", code, APP, str(db), *args], capture_output=True, text=True,
                          cwd=Path(APP).parent, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
