"""Benchmark: the action plan's history inputs (issue 15 section 1), in the engine against the
pandas path they replace, in the same run.

    python benchmarks/bench_actions.py [--n 200000] [--lines N] [--work DIR] [--old-rev REV] [--no-check]

Generates a company with benchmarks/generate.py (``--n`` customers, ``--lines`` purchase lines,
ten per customer by default), imports it with ``python -m analysis ingest``, then times in
fresh processes (wall time and peak memory of each, as benchmarks/run.py measures them):

- ``pandas``: the path before this change (``--old-rev``, the commit before the history inputs
  moved to the engine; its ``customize/inputs.py`` and ``crosssell.py`` are read from git):
  every purchase and contact copied into pandas, the co-purchase model
  fitted and the inputs computed there (``prepare``);
- ``engine``: :func:`analysis.customize.history.action_inputs` on the workspace's tables
  (inputs, latest answers and cross-sell rules computed by DuckDB);
- ``stored``: the same on the workspace, first call (computed and stored) and a second call
  (read back), in one process;
- ``one``: one customer's inputs with the cross-sell rules kept (the Customer page).

With the check on (default), the pandas and engine inputs joined to every customer must be
equal, column for column. Run by hand, not by ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import measure, own_peak_gib  # noqa: E402

# The last commit whose action inputs were computed in pandas.
OLD_REV = "f9fb144"


def _ids(ws):
    import pandas as pd

    return pd.DataFrame({"customer_id": ws.tables().customers.select("customer_id").to_pandas()["customer_id"].astype(str)})


def _save(frame, path: str | None) -> None:
    if path:
        frame.sort_values("customer_id").reset_index(drop=True).to_pickle(path)


def work_pandas(spec: dict) -> dict:
    sys.path.insert(0, spec["old_dir"])
    import old_inputs  # noqa: E402  (the pandas inputs of OLD_REV)
    from old_crosssell import CoPurchaseModel  # noqa: E402

    from analysis.identify.facts import interactions_until, purchases, resolve_as_of
    from analysis.settings import ActionSettings
    from analysis.store import Workspace, to_frame

    with Workspace(spec["db"], read_only=True) as ws:
        scores = _ids(ws)
        tables = ws.tables()
        as_of = resolve_as_of(tables)
        s = ActionSettings()
        start = time.perf_counter()
        # every purchase and contact copied into pandas, as the earlier runner read them
        interactions = interactions_until(tables, as_of).to_pandas()
        transactions = to_frame(purchases(tables, as_of).select("customer_id", "date", "amount", "category", "order_id"))
        model = CoPurchaseModel(s.crosssell_min_customers, s.crosssell_min_confidence, s.crosssell_min_lift).fit(transactions)
        frame = old_inputs.prepare(scores, interactions, transactions, as_of, s, model)
        answers = old_inputs.latest_answers(old_inputs.interactions_as_of(interactions, as_of))
        seconds = time.perf_counter() - start
    _save(frame, spec.get("save"))
    return {"seconds": seconds, "answers": len(answers), "peak_own_gib": own_peak_gib()}


def work_engine(spec: dict) -> dict:
    from analysis.customize import history, inputs
    from analysis.store import Workspace

    with Workspace(spec["db"], read_only=True) as ws:
        scores = _ids(ws)
        start = time.perf_counter()
        found = history.action_inputs(ws.tables())
        seconds = time.perf_counter() - start
        frame = inputs.prepare(scores, None, None, found.as_of, inputs=found.frame)
    _save(frame, spec.get("save"))
    return {"seconds": seconds, "customers_with_history": len(found.frame), "answers": len(found.answers),
            "rules": len(found.rules), "peak_own_gib": own_peak_gib()}


def work_stored(spec: dict) -> dict:
    from analysis.customize import history
    from analysis.store import Workspace

    with Workspace(spec["db"]) as ws:
        start = time.perf_counter()
        history.action_inputs(ws)
        first = time.perf_counter() - start
        start = time.perf_counter()
        history.action_inputs(ws)
        second = time.perf_counter() - start
    return {"seconds": first, "read_back_seconds": second, "peak_own_gib": own_peak_gib()}


def work_one(spec: dict) -> dict:
    from analysis.customize import history
    from analysis.identify.facts import resolve_as_of
    from analysis.store import Workspace

    with Workspace(spec["db"], read_only=True) as ws:
        tables = ws.tables()
        as_of = resolve_as_of(tables)
        rules = history.crosssell_rules(tables, as_of)
        cid = tables.transactions.customer_id.max().to_pyarrow().as_py()
        start = time.perf_counter()
        one = history.inputs_frame(history.history_inputs(tables, as_of, customer_id=cid, rules=rules))
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(one), "peak_own_gib": own_peak_gib()}


WORKERS = {"pandas": work_pandas, "engine": work_engine, "stored": work_stored, "one": work_one}


def old_modules(rev: str, folder: Path) -> Path:
    """``customize/inputs.py`` and ``crosssell.py`` of ``rev`` as importable modules."""
    folder.mkdir(parents=True, exist_ok=True)
    show = lambda p: subprocess.run(["git", "show", f"{rev}:{p}"], cwd=ROOT, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout
    (folder / "old_crosssell.py").write_text(show("analysis/customize/crosssell.py"))
    (folder / "old_inputs.py").write_text(show("analysis/customize/inputs.py").replace(
        "from analysis.customize.crosssell import CoPurchaseModel", "from old_crosssell import CoPurchaseModel"))
    return folder


def run_worker(name: str, spec: dict, work: Path, timeout: float = 3600) -> dict:
    spec_path, result_path = work / f"{name}.spec.json", work / f"{name}.result.json"
    spec_path.write_text(json.dumps(spec))
    result_path.unlink(missing_ok=True)
    m = measure([sys.executable, __file__, "--worker", name, str(spec_path), str(result_path)], work, name, timeout)
    if result_path.exists():
        m.update(json.loads(result_path.read_text()))
    if m.get("error"):
        raise SystemExit(f"{name} failed: {m['error']}")
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="customers")
    parser.add_argument("--lines", type=int, default=None, help="purchase lines (default 10 per customer)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the data (default: a temporary one)")
    parser.add_argument("--old-rev", default=OLD_REV)
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("NAME", "SPEC", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, spec, result = args.worker
        Path(result).write_text(json.dumps(WORKERS[name](json.loads(Path(spec).read_text())), default=str))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="bench_actions_"))
    work.mkdir(parents=True, exist_ok=True)
    lines = args.lines or 10 * args.n
    data, db = work / "data", work / "workspace.duckdb"
    if not db.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(data),
                        "--customers", str(args.n), "--lines", str(lines)], check=True)
        subprocess.run([sys.executable, "-m", "analysis", "ingest", str(data / "transactions.csv"), "--db", str(db)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "analysis", "ingest", str(data / "customers.csv"),
                        str(data / "interactions.csv"), "--db", str(db)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    old_dir = old_modules(args.old_rev, work / "old")
    check = not args.no_check
    results = {
        "pandas": run_worker("pandas", {"db": str(db), "old_dir": str(old_dir),
                                        "save": str(work / "pandas.pkl") if check else None}, work),
        "engine": run_worker("engine", {"db": str(db), "save": str(work / "engine.pkl") if check else None}, work),
        "one": run_worker("one", {"db": str(db)}, work),
    }
    stored_db = work / "stored.duckdb"
    shutil.copy(db, stored_db)
    results["stored"] = run_worker("stored", {"db": str(stored_db)}, work)
    stored_db.unlink()

    p, e = results["pandas"], results["engine"]
    print(f"history inputs of {args.n:,} customers / {lines:,} lines (old rev {args.old_rev}):")
    for name, m in results.items():
        extra = f", read back {m['read_back_seconds']:.2f} s" if "read_back_seconds" in m else ""
        print(f"  {name:7s} {m['seconds']:8.2f} s{extra}   process {m['wall']:7.2f} s, peak {m['peak_gib']:.2f} GiB")
    print(f"  engine / pandas: time {e['seconds'] / p['seconds']:.2f}x, process {e['wall'] / p['wall']:.2f}x, "
          f"peak memory {e['peak_gib'] / p['peak_gib']:.2f}x")
    if check:
        import pandas as pd

        old, new = pd.read_pickle(work / "pandas.pkl"), pd.read_pickle(work / "engine.pkl")
        pd.testing.assert_frame_equal(old, new, check_dtype=False)
        assert p["answers"] == e["answers"]
        print(f"  check: the {len(old):,} customers' inputs are equal (pandas vs engine)")


if __name__ == "__main__":
    main()
