import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import i18n, store
from analysis.store import (SCHEMA, Workspace, WorkspaceBusy, creating, list_workspaces, quote_ident, shared,
                            workspace_path)


def test_quote_ident_escapes_quotes():
    assert quote_ident("amount") == '"amount"'
    assert quote_ident('we"ird') == '"we""ird"'
    with pytest.raises(ValueError):
        quote_ident("")


def test_schema_created(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        for table, columns in SCHEMA.items():
            got = list(ws.query(f"SELECT * FROM {quote_ident(table)} LIMIT 0").columns)
            assert got == list(columns)


def test_transaction_is_all_or_nothing(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")
    frame = pd.DataFrame({"customer_id": ["a"], "date": [pd.Timestamp("2024-01-01")], "amount": [5.0]})
    with pytest.raises(RuntimeError):
        with ws.transaction() as cur:
            ws.append(cur, "transactions", frame)
            raise RuntimeError("boom")
    assert ws.count("transactions") == 0
    with ws.transaction() as cur:
        ws.append(cur, "transactions", frame)
    assert ws.count("transactions") == 1


def test_data_version_changes_on_write(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")
    before = ws.data_version()
    with ws.transaction() as cur:
        ws.append(cur, "customers", pd.DataFrame({"customer_id": ["a"], "name": ["A"]}))
    assert ws.data_version() != before


def test_values_are_bound_not_interpolated(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")
    ws.set_note("k", "'); DROP TABLE customers; --")
    assert ws.get_note("k") == "'); DROP TABLE customers; --"
    assert ws.count("customers") == 0


def test_concurrent_writers_are_serialised(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")

    def add(i):
        with ws.transaction() as cur:
            new = ws.next_id(cur, "imports", "import_id")
            cur.execute(
                'INSERT INTO "imports" VALUES (?, ?, NULL, ?, ?, 0, 0, now())', [new, f"f{i}", "h", "transactions"]
            )

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ws.query('SELECT import_id FROM "imports"').import_id) == list(range(1, 9))


def test_creating_removes_a_new_file_when_the_operation_fails(tmp_path):
    path = tmp_path / "new.duckdb"
    with pytest.raises(RuntimeError):
        with creating(path):
            raise RuntimeError("failed import")
    assert not path.exists()
    with creating(path):
        pass
    assert path.exists()


def test_workspace_names(tmp_path):
    assert workspace_path("acme 2026", tmp_path).name == "acme 2026.duckdb"
    assert workspace_path("客户数据", tmp_path).name == "客户数据.duckdb"
    with pytest.raises(ValueError):
        workspace_path("../escape", tmp_path)
    Workspace(tmp_path / "b.duckdb").close()
    Workspace(tmp_path / "a.duckdb").close()
    assert list_workspaces(tmp_path) == ["a", "b"]


def test_user_visible_messages_in_chinese(tmp_path):
    with i18n.using("zh"), pytest.raises(ValueError) as err:
        workspace_path("../escape", tmp_path)
    assert str(err.value) == "工作区名称 '../escape' 只能包含字母、数字、空格、“-”和“_”"
    Workspace(tmp_path / "r.duckdb").close()
    with Workspace(tmp_path / "r.duckdb", read_only=True) as ws:
        with i18n.using("zh"), pytest.raises(PermissionError, match="以只读方式打开"):
            with ws.transaction():
                pass
        with pytest.raises(PermissionError, match="is open read-only"):
            ws.execute("SELECT 1")


def _result_frame():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "tier": ["top", None, "small"],
        "r": pd.array([5, pd.NA, 1], dtype="Int64"),
        "is_mvc": [True, False, False],
        "clv": [1.5, float("nan"), 0.0],
        "next": pd.to_datetime(["2024-01-02", None, "2024-03-01"]),
    })


def test_results_round_trip_with_column_types(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")
    key = ws.result_key("scores", as_of="2024-01-01", version="1-2")
    assert key == ws.result_key("scores", version="1-2", as_of="2024-01-01")  # order-free
    assert ws.load_result(key) is None
    frame = _result_frame()
    assert ws.save_result("scores", key, {"frame": frame}, {"messages": {"clv": "too few"}})
    frames, meta = ws.load_result(key)
    pd.testing.assert_frame_equal(frames["frame"], frame)
    assert meta == {"messages": {"clv": "too few"}}
    ws.close()
    with Workspace(tmp_path / "w.duckdb", read_only=True) as ro:  # another process, read-only
        assert ro.load_result(key)[1] == meta
        assert not ro.save_result("scores", "other", {"frame": frame}, {})


def test_results_keep_only_the_newest_of_each_kind(tmp_path):
    from analysis.store import RESULTS_KEPT

    ws = Workspace(tmp_path / "w.duckdb")
    keys = [ws.result_key("clv", n=n) for n in range(RESULTS_KEPT + 2)]
    for key in keys:
        ws.save_result("clv", key, {"clv": _result_frame()}, {})
    ws.save_result("scores", "s1", {"frame": _result_frame()}, {})
    assert [ws.load_result(k) is None for k in keys] == [True, True] + [False] * RESULTS_KEPT
    assert ws.load_result("s1") is not None
    names = ws.query("SELECT table_name FROM information_schema.tables")["table_name"]
    assert names.str.startswith("result_").sum() == RESULTS_KEPT + 1


def test_version_at_ignores_contacts_after_the_date(tmp_path):
    import datetime as dt

    ws = Workspace(tmp_path / "w.duckdb")
    day = dt.date(2024, 1, 31)
    before = ws.version_at(day)
    with ws.transaction() as cur:
        ws.append(cur, "interactions", pd.DataFrame({
            "interaction_id": [1], "customer_id": ["a"], "kind": ["contact"],
            "occurred_at": [pd.Timestamp("2024-02-01 09:00")]}))
    assert ws.version_at(day) == before
    with ws.transaction() as cur:
        ws.append(cur, "interactions", pd.DataFrame({
            "interaction_id": [2], "customer_id": ["a"], "kind": ["contact"],
            "occurred_at": [pd.Timestamp("2024-01-31 23:00")]}))
    after = ws.version_at(day)
    assert after["contacts"] != before["contacts"]
    assert {k: after[k] for k in ("purchases", "customers")} == {k: before[k] for k in ("purchases", "customers")}


# -- sharing a workspace between the app and the command line (issue 12 §4) -----------------
ROOT = Path(__file__).resolve().parents[2]


def cli(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m analysis ARGV`` in a process of its own, as a person types it."""
    return subprocess.run([sys.executable, "-m", "analysis", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


class Holder:
    """Another program holding a workspace open (read-write, as the CLI's writers do) until
    :meth:`release`."""

    def __init__(self, path: Path, read_only: bool = False):
        code = ("import sys; from analysis.store import Workspace; "
                f"ws = Workspace({str(path)!r}, read_only={read_only}); print('open', flush=True); sys.stdin.readline()")
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.proc.stdout.readline().strip() == "open"

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.wait(timeout=30) == 0


def test_the_cli_reads_and_writes_beside_an_app_that_has_the_workspace_open(demo_copy):
    """The app's SharedWorkspace keeps no connection between operations: while it is open (and
    has just read), `report` and `customer` read the file, and `log` records a contact."""
    app = shared(demo_copy)
    with app.reading():
        customers = app.tables().customers.count().execute()
    assert app.count("transactions") > 0  # the app has just read: its read-only connection is open
    report = cli("report", "--db", str(demo_copy), "--json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["customers"] == customers
    logged = cli("log", "C00042", "--db", str(demo_copy), "--kind", "complaint", "--channel", "phone",
                 "--date", "2026-06-30", "--note", "parcel crushed", "--json")
    assert logged.returncode == 0, logged.stderr
    new_id = json.loads(logged.stdout)["interaction_id"]
    # the app sees the contact on its next read
    assert app.scalar('SELECT "note" FROM "interactions" WHERE "interaction_id" = ?', [new_id]) == "parcel crushed"


def test_a_cli_writer_holding_the_file_makes_the_app_wait_then_say_busy(demo_copy, monkeypatch):
    app = shared(demo_copy)
    version = app.data_version()
    holder = Holder(demo_copy)
    try:
        monkeypatch.setattr(store.workspace, "BUSY_WAIT_SECONDS", 0.5)
        with pytest.raises(WorkspaceBusy) as busy:
            app.data_version()
        assert busy.value.path == demo_copy
        with pytest.raises(WorkspaceBusy):  # a write changes nothing
            with app.transaction(wait=0.5) as cur:
                cur.execute('DELETE FROM "customers"')
        # the CLI's other commands say so on one line and exit 2, readers and writers alike
        for argv in (["report", "--db", str(demo_copy), "--json"],
                     ["log", "C00042", "--db", str(demo_copy), "--kind", "call", "--channel", "phone"]):
            done = cli(*argv)
            assert done.returncode == 2, done.stderr
            assert done.stderr.startswith("error: workspace ") and len(done.stderr.strip().splitlines()) == 1
            assert "is in use by another program" in done.stderr and "Traceback" not in done.stderr
    finally:
        holder.release()
    assert app.data_version() == version
    assert app.count("customers") == 6000


def test_the_app_writes_wait_for_its_reads_and_stored_results_are_kept(tmp_path):
    """A save_result inside a read is written when the read ends; a transaction waits for the
    reads in progress in other threads; a write inside a read is a mistake that is refused."""
    app = shared(tmp_path / "w.duckdb")
    frame = _result_frame()
    with app.reading():
        assert app.save_result("scores", "k1", {"frame": frame}, {"n": 1})
        with pytest.raises(RuntimeError):
            app.execute('DELETE FROM "notes"')
    assert app.load_result("k1")[1] == {"n": 1}
    order = []
    inside, done = threading.Event(), threading.Event()

    def reader():
        with app.reading():
            inside.set()
            done.wait(5)
            order.append("read")

    thread = threading.Thread(target=reader)
    thread.start()
    inside.wait(5)
    threading.Timer(0.3, done.set).start()
    app.set_note("k", "v")
    order.append("write")
    thread.join()
    assert order == ["read", "write"] and app.get_note("k") == "v"
    time.sleep(store.IDLE_CLOSE_SECONDS + 0.5)  # idle: the file is free for other programs
    with Workspace(tmp_path / "w.duckdb", wait=0) as ws:
        assert ws.get_note("k") == "v"
