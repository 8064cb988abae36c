import threading

import pandas as pd
import pytest

from analysis import i18n
from analysis.store import SCHEMA, Workspace, creating, list_workspaces, quote_ident, workspace_path


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
