"""The whole action plan from the command line, written out as it is read (issue 15 §2: every
action at a million customers under 2 GB): a shop owner imports their order export with
``ingest``, prints every suggested action with ``actions --limit 0 --json`` (and as a table),
and pipes it into ``head``. The rows are written a slice at a time, the first bytes before
the last slice is read, and the output is the one the whole list written in one piece gives,
byte for byte; the figures in the rows are recomputed here from the raw file."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import i18n, money
from analysis.commands import stream
from analysis.commands.options import strict_json
from analysis.customize import runner, stored_plan
from analysis.scores import score_customers
from analysis.settings import ActionSettings, ReportSettings, SegmentSettings
from analysis.store import Workspace
from tests.cli import ok_json, run
from tests.test_cli_startup import ROOT

SEED = 20261208


def shop(folder, n: int):
    """The order export of ``n`` customers (every 15-60 days for a while, some stopped long
    ago), saved as orders.csv; the orders as a frame."""
    rng = np.random.default_rng(SEED + n)
    print("seed", SEED + n)
    orders = []
    for i in range(n):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 90)))
        stop = dt.date(2025, 12, 31) - dt.timedelta(days=int(rng.integers(0, 500)))
        step = int(rng.integers(15, 61))
        k = 0
        while day <= stop:
            orders.append({"order_id": f"O{i:04d}-{k}", "customer_id": f"K{i:04d}", "order_date": day.isoformat(),
                           "amount": f"{float(rng.uniform(10, 400)):.2f}"})
            day += dt.timedelta(days=step + int(rng.integers(-5, 6)))
            k += 1
    orders.append({"order_id": "O-last", "customer_id": "K9999", "order_date": "2025-12-31", "amount": "25.00"})
    frame = pd.DataFrame(orders)
    frame.to_csv(folder / "orders.csv", index=False)
    return frame


def cli(*argv, pipe: str = "") -> subprocess.CompletedProcess:
    """``python -m analysis *argv`` as a person types it (``pipe``: a shell command it is piped into)."""
    command = [sys.executable, "-m", "analysis", *map(str, argv)]
    if pipe:
        return subprocess.run(" ".join(map(str, command)) + " | " + pipe, shell=True, cwd=ROOT, capture_output=True,
                              timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_shop_prints_its_whole_plan_as_json_and_pipes_it_into_head(tmp_path):
    orders = shop(tmp_path, 300)
    db = tmp_path / "shop.duckdb"
    done = cli("ingest", tmp_path / "orders.csv", "--db", db, "--json")
    assert done.returncode == 0, done.stderr.decode()

    whole = cli("actions", "--db", db, "--limit", "0", "--json")
    assert whole.returncode == 0 and whole.stderr == b"", whole.stderr.decode()
    rows = json.loads(whole.stdout)  # strict JSON, whole
    assert len(whole.stdout) > 2 * 65_536  # more than a pipe holds: `head` closes it mid-way
    # the figures from the raw rows: each row a customer of the file, listed under their own
    # id; no customer has an action twice; the plan's order is by priority
    ids = set(orders["customer_id"])
    assert {r["customer_id"] for r in rows} <= ids
    pairs = [(r["customer_id"], r["action"]) for r in rows]
    assert len(pairs) == len(set(pairs)) > 100
    assert [r["priority"] for r in rows] == sorted((r["priority"] for r in rows), reverse=True)
    # days since each customer's last purchase, as the win-back reasons say it
    as_of = pd.Timestamp(orders["order_date"].max())
    last = (as_of - pd.to_datetime(orders.groupby("customer_id")["order_date"].max())).dt.days
    told = [r for r in rows if r["action"] == "win_back"]
    assert told
    for r in told:
        assert r["reason"].startswith(f"Last bought {last[r['customer_id']]} days ago;"), r

    cut = cli("actions", "--db", db, "--limit", "0", "--json", pipe="head -c 100")
    assert cut.stdout == whole.stdout[:100]
    assert cut.stderr == b""  # no traceback of a closed pipe


def _expected(db, lang: str, filters: dict | None = None):
    """(JSON, table) of the whole plan as the command wrote it before it was streamed: the
    list in one piece, ``_print_json(frame.to_dict(orient="records"))`` and ``frame.to_string``."""
    with i18n.using(lang), Workspace(db, read_only=True) as ws:
        settings = ReportSettings(segments=SegmentSettings(currency=money.symbol(ws.currency())))
        actions = ActionSettings(window_months=settings.window_months, currency=settings.currency)
        frame = stored_plan.action_list(ws, None, filters, None, settings, actions)
    return strict_json(frame.to_dict(orient="records"), indent=2) + "\n", frame.to_string(index=False) + "\n"


@pytest.mark.parametrize("slice_rows, json_rows, text_rows", [(3, 2, 2), (4, 3, 1), (5, 10 ** 6, 7)])
def test_the_whole_plan_is_written_slice_by_slice_as_in_one_piece(tmp_path, capsys, monkeypatch, slice_rows,
                                                                  json_rows, text_rows):
    """The stored plan (as the app stores it after an import) and the one worked out (another
    language: not stored) are written a few rows at a time, the first before the last slice is
    read, and the bytes are those of the list in one piece, in English and Chinese, whole and
    filtered."""
    shop(tmp_path, 12)
    capsys.readouterr()  # the seed printed
    db = tmp_path / "shop.duckdb"
    ok_json(capsys, "ingest", tmp_path / "orders.csv", "--db", db, "--json")
    with Workspace(db) as ws:  # what the Data page's step after an import stores
        settings = ReportSettings(segments=SegmentSettings(currency=money.symbol(ws.currency())))
        actions = ActionSettings(window_months=settings.window_months, currency=settings.currency)
        score_customers(ws, None, settings)
        assert stored_plan.store(ws, None, settings, actions)
    monkeypatch.setattr(stored_plan, "SLICE_ROWS", 10 ** 6)
    action = json.loads(_expected(db, "en")[0])[0]["action"]
    cases = [("en", []), ("zh", []), ("en", ["--action", action])]
    expected = {(lang, tuple(more)): _expected(db, lang, {"action": more[1:]} if more else None)
                for lang, more in cases}
    assert len(json.loads(expected["en", ()][0])) >= 10

    events: list[str] = []
    real_render = runner.render

    def render(rows, *args, **kwargs):
        events.append("read")
        return real_render(rows, *args, **kwargs)

    class Out:
        def write(self, text):
            events.append("write")
            return real.write(text)

    real = sys.stdout
    monkeypatch.setattr(runner, "render", render)
    monkeypatch.setattr(stored_plan, "SLICE_ROWS", slice_rows)
    monkeypatch.setattr(stream, "JSON_ROWS", json_rows)
    monkeypatch.setattr(stream, "TEXT_ROWS", text_rows)
    for lang, more in cases:
        for form in (["--json"], []):
            events.clear()
            with monkeypatch.context() as m:
                real = sys.stdout
                m.setattr(sys, "stdout", Out())
                code, out, err = run(capsys, "actions", "--db", db, "--limit", "0", "--lang", lang, *more, *form)
            assert code == 0, err
            assert out == expected[lang, tuple(more)][0 if form else 1], (lang, more, form)
            if lang == "en" and form:  # the stored plan: a slice read, written, then the next
                assert events.count("read") > 2 and events.index("write") < len(events) - events[::-1].index("read")


def test_a_table_written_in_pieces_is_the_table_of_the_whole():
    """Texts with tabs and line breaks, missing values, Chinese, long and negative numbers,
    days and missing days: each column as wide as its widest value in any piece."""
    import io

    whole = pd.DataFrame({
        "customer_id": pd.Series(["a", "bb\tb", None, "客户一", "e\nf", "g", "h"], dtype="str"),
        "priority": [1, -20, 300, 4, 5, 123456789, 7],
        "due": [dt.date(2025, 1, 2), None, dt.date(2025, 1, 3), None, None, dt.date(2026, 12, 7), None],
        "reason": pd.Series(["x" * 40, "", "y", None, "中文的理由", "z", "w"], dtype="str"),
        "a_long_column_name": pd.Series(["1", "2", "3", "4", "5", "6", "7"], dtype="str"),
    })
    for cut in ([7], [1, 6], [2, 2, 3], [3, 4]):
        at = np.cumsum([0, *cut])
        pieces = [whole.iloc[a:b] for a, b in zip(at[:-1], at[1:])]
        out = io.StringIO()
        assert stream.text_rows(iter(pieces), out)
        assert out.getvalue() == whole.to_string(index=False) + "\n", cut
    assert not stream.text_rows(iter([whole.iloc[:0]]), io.StringIO())
    floats = io.StringIO()  # digits chosen over the whole column: written in one piece
    assert stream.text_rows(iter([pd.DataFrame({"x": [1.5]}), pd.DataFrame({"x": [2.25]})]), floats)
    assert floats.getvalue() == pd.DataFrame({"x": [1.5, 2.25]}).to_string(index=False) + "\n"


def test_rows_written_column_by_column_are_the_records_strict_json_writes():
    """Every kind of value a plan's row holds (texts with quotes, escapes, control characters
    and Chinese; missing texts; whole numbers; days and missing days; flags; decimals, an
    infinite one) written as ``strict_json`` writes the records, in any number of pieces."""
    import io

    whole = pd.DataFrame({
        "customer_id": pd.Series(['a"b', "c\\d", "\x01\n\t", None, "客户 😀", "%s %d", "", "z"], dtype="str"),
        "priority": np.array([1, -2, 3, 10 ** 12, 5, 6, 7, 8], dtype=np.int64),
        "due": [dt.date(2025, 1, 2), None, dt.date(2025, 1, 3), None, None, dt.date(2026, 12, 7), None, None],
        "flag": [True, False, True, True, False, False, True, False],
        "share": [0.1, 1 / 3, float("inf"), float("nan"), -0.0, 1e300, 2.5, 7.0],
        "note": ["x", 1, 2.5, None, True, dt.date(2024, 1, 1), "y", float("nan")],
        "%s key \"quoted\"": pd.Series(list("abcdefgh"), dtype="str"),
    })
    expected = strict_json(whole.to_dict(orient="records"), indent=2) + "\n"
    for size in (1, 3, 8):
        out = io.StringIO()
        stream.json_rows((whole.iloc[a:a + size] for a in range(0, len(whole), size)), out)
        assert out.getvalue() == expected, size
        assert stream._objects(whole.iloc[:size]) is not None  # written column by column
    out = io.StringIO()
    stream.json_rows(iter([whole.iloc[:0]]), out)
    assert out.getvalue() == "[]\n" == strict_json([], indent=2) + "\n"
