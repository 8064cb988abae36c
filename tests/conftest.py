"""Shared fixtures: real-data location, a demo workspace built once, Streamlit cache hygiene,
and the browser set-up (system Chromium driven by Playwright, the app on a free port)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"
CHROMIUM = "/usr/bin/chromium"


def shared_dataset(name: str) -> Path:
    """A file from ../shared/datasets, or skip the test when it is absent."""
    path = SHARED_DATASETS / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(autouse=True)
def _every_run_goes_through_app_py(monkeypatch):
    """AppTest resets `PagesManager.uses_pages_directory` before each run, so from the second
    run on Streamlit would run pages/<page>.py on its own (legacy `pages/` mode), skipping
    app.py, its sidebar and the access gate. A served app clears the flag once per process in
    app.py; do the same after each reset so every AppTest run is a real app run."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _served_on_localhost():
    """The app's default (.streamlit/config.toml) is to listen on localhost only; pin it for
    AppTest whatever folder pytest runs from, so the access gate sees a local server."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", before or "localhost")
    yield
    config.set_option("server.address", before)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_* are process-wide: no test may see another test's entries."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture(scope="session")
def _demo_as_built(tmp_path_factory) -> Path:
    """The demo company as `demo` builds it, once per test run, never opened again: the
    source of every copy, so no test sees results another test stored."""
    from analysis.demo import build_demo
    from analysis.store import Workspace

    path = tmp_path_factory.mktemp("demo_as_built") / "demo.duckdb"
    with Workspace(path) as ws:
        build_demo(ws)
    return path


@pytest.fixture(scope="session")
def demo_db(_demo_as_built, tmp_path_factory) -> Path:
    """The demo company in a workspaces folder of its own, shared by the tests of a run
    (results a page stores in it stay for the later tests that read it)."""
    path = tmp_path_factory.mktemp("workspaces") / "demo.duckdb"
    shutil.copy(_demo_as_built, path)
    return path


@pytest.fixture()
def demo_copy(_demo_as_built, tmp_path) -> Path:
    """A private copy of the demo workspace as built (no stored results: a test that counts
    model fits or engine queries starts from what a fresh import gives), for tests that
    write to it."""
    folder = tmp_path / "workspaces"
    folder.mkdir()
    target = folder / "demo.duckdb"
    shutil.copy(_demo_as_built, target)
    return target


# -- browser -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium; Playwright's own browsers are never downloaded."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, db: Path, *options: str):
    """Serve the real app on localhost over workspace ``db`` (extra Streamlit ``options``, e.g.
    ``--secrets.files``), logging to ``folder/server.log``; yields {"url", "db", "folder", "log"}
    and stops the server afterwards. A generator for fixtures."""
    port = _free_port()
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
         "--logger.messageFormat", "%(asctime)s %(levelname)s %(name)s: %(message)s", *options,
         "--", "--db", str(db)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError(f"the app did not start; see {folder / 'server.log'}")
    yield {"url": url, "db": db, "folder": folder, "log": folder / "server.log"}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def app_server(demo_db, tmp_path_factory):
    """The real app served on localhost over a copy of the demo workspace; yields its URL."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    yield from serve(folder, db)


# What the served app must never log while a browser test runs: a warning or an error from
# Streamlit (its lines carry the level, see `--logger.messageFormat` above) or any traceback.
SERVER_LOG_PROBLEM = re.compile(r"Traceback|Exception|Warning|\b(WARNING|ERROR|CRITICAL)\b")


@pytest.fixture(autouse=True)
def _server_log_stays_clean(request):
    """A browser test fails when the app it drove logged a warning, an exception or a
    traceback meanwhile (the part of server.log written during the test)."""
    if "app_server" not in request.fixturenames:
        yield
        return
    log = request.getfixturevalue("app_server")["log"]
    start = log.stat().st_size
    yield
    with open(log, "rb") as f:
        f.seek(start)
        written = f.read().decode("utf-8", errors="replace")
    problems = [line for line in written.splitlines() if SERVER_LOG_PROBLEM.search(line)]
    if problems:
        pytest.fail("the app logged while this test ran:\n" + written[-4000:], pytrace=False)


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture()
def screenshot(page, request):
    """Save a full-page screenshot under test-artifacts/ (for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
