"""`make bench`: wall time and peak memory of the product's steps against the obvious
alternative, measured in the same run, written to benchmarks/RESULTS.md.

    python benchmarks/run.py [--customers 1000000] [--lines 10000000] [--out benchmarks/RESULTS.md]
    python benchmarks/run.py --quick            # 20,000 customers / 200,000 lines

Every step runs in a fresh Python process; its peak memory is that process's maximum
resident set size (``os.wait4`` rusage, so steps do not mask each other). Steps:

1. import: ``python -m analysis ingest transactions.csv --db W`` against DuckDB's own
   ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` of the same file (whole process
   wall time for both, Python start-up included). Target <= 1.5x, peak < 2 GB.
2. report: :func:`analysis.report.build_report` (every key of ``report --json``) against
   benchmarks/pandas_pipeline.py on DataFrames already in memory (CSV reading excluded
   from the ratio, shown apart). Target >= 5x faster, peak < 2 GB.
3. clusters: :func:`analysis.differentiate.clusters.cluster_report` against pandas + scikit-learn KMeans.
4. CLV: :func:`analysis.predict.clv_data.clv_report` against ``lifetimes`` on the same
   transactions, and the model fit alone on simulated customers (benchmarks/bench_clv.py).
5. pages: first the scores are stored in the workspace, as the app does after an import
   (:func:`analysis.scores.score_customers` with the app's default settings, each stage
   timed); then every file in pages/ through ``AppTest``: loading the app on its default
   page, the first run of the page on a cold process, then a second run of the same AppTest
   (what any click costs). Targets: app load < 3 s, first render < 5 s, second run < 1 s.
6. CLI start: whole-process wall time of ``python -m analysis --help`` and of ``log`` (three
   runs each, the best kept). Target < 1 s.
7. actions: the whole suggested-action plan from the workspace with its stored scores
   (:func:`analysis.customize.plan.action_list` without a limit: every reason written, what
   ``actions --limit 0 --json`` and ``export`` need), and its first 1,000 rows (what the
   Action plan page shows). Target < 10 s, peak < 2 GB (issue 15).
8. wallet: every customer's wallet from the workspace
   (:func:`analysis.differentiate.headroom.customer_wallets`: inputs built in the engine from
   the workspace's tables, the model fitted on a sample, applied in the engine; the check on
   given wallets included). Target < 10 s (issue 18).
9. pipeline: whole-process ``python -m analysis ingest`` of the three CSVs into a new
   workspace plus ``python -m analysis report --json``, against
   ``python benchmarks/pandas_pipeline.py`` (reading its CSVs included) on the same files.
   Target <= 0.25x (issue 15). Skipped, saying so, when ``lifetimes`` is not installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

GB = 2**30


# -- workers: each runs in its own process -------------------------------------------------
def _tables(db: str):
    from analysis.store import Workspace

    return Workspace(db, read_only=True).tables()


def work_duckdb_import(spec: dict) -> dict:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(spec["db"])
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [spec["csv"]])
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - start, "rows": rows}


def _stage_clock(start: float):
    """(progress callback, stages): the callback records when each stage began; ``stages(end)``
    gives {stage: seconds}."""
    began: list[tuple[str, float]] = []

    def tell(stage, done):
        began.append((stage, time.perf_counter() - start))

    def stages(end: float) -> dict:
        ends = [t for _, t in began[1:]] + [end]
        return {name: round(e - b, 2) for (name, b), e in zip(began, ends)}

    return tell, stages


def work_report(spec: dict) -> dict:
    from analysis.report import build_report

    start = time.perf_counter()
    tell, stages = _stage_clock(start)
    report = build_report(_tables(spec["db"]), progress=tell)
    seconds = time.perf_counter() - start
    from analysis.cli import strict_json

    Path(spec["save"]).write_text(strict_json(report, indent=1))
    return {"seconds": seconds, "messages": report.get("messages"), "stages": stages(seconds)}


def work_actions(spec: dict) -> dict:
    """The suggested-action plan from the workspace as the `actions` command gives it, its scores
    and the plan read from storage when stored: every row with its reason (``limit`` None), or
    the first ``limit`` rows."""
    from analysis.customize.stored_plan import action_list
    from analysis.scores import score_customers
    from analysis.settings import ReportSettings
    from analysis.store import Workspace

    start, cpu = time.perf_counter(), time.process_time()
    with Workspace(spec["db"], read_only=True) as ws:
        scores = score_customers(ws, None, ReportSettings())
        read = time.perf_counter() - start
        frame = action_list(ws, as_of=scores.as_of, limit=spec["limit"], scores=scores)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "scores_seconds": read, "rows": len(frame), "customers": int(frame["customer_id"].nunique()),
            "with_reason": int(frame["reason"].notna().sum())}


def work_wallet(spec: dict) -> dict:
    """Every customer's wallet from the workspace, as the scores and the report compute it;
    bringing the rows to pandas timed apart."""
    from analysis.differentiate.headroom import customer_wallets
    from analysis.identify.facts import resolve_as_of

    tables = _tables(spec["db"])
    start, cpu = time.perf_counter(), time.process_time()
    wallets = customer_wallets(tables, resolve_as_of(tables))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    rows = len(wallets.frame())
    check = wallets.holdout
    return {"seconds": seconds, "cpu_seconds": cpu, "frame_seconds": time.perf_counter() - start,
            "result": {"customers": rows, "given": wallets.given, "estimated": wallets.estimated,
                       "trained_on": wallets.trained_on,
                       "holdout_customers": getattr(check, "customers", None) if check is not None else None}}


def work_clusters(spec: dict) -> dict:
    from analysis.differentiate.clusters import cluster_report

    start = time.perf_counter()
    out = cluster_report(_tables(spec["db"]))
    return {"seconds": time.perf_counter() - start, "result": out}


def work_clv(spec: dict) -> dict:
    from analysis.predict.clv_data import clv_report
    from analysis.identify.facts import resolve_as_of

    start = time.perf_counter()
    tables = _tables(spec["db"])
    out = clv_report(tables.transactions, resolve_as_of(tables))
    return {"seconds": time.perf_counter() - start,
            "result": {k: out[k] for k in ("bgnbd", "gamma_gamma", "n_customers", "n_repeat")}}


def _pandas_loaded(spec: dict):
    import pandas_pipeline as pp

    start = time.perf_counter()
    data = pp.load(spec["folder"])
    return pp, data, time.perf_counter() - start


def work_pandas_report(spec: dict) -> dict:
    pp, data, load = _pandas_loaded(spec)
    start = time.perf_counter()
    report = pp.full_report(data)
    seconds = time.perf_counter() - start
    Path(spec["save"]).write_text(json.dumps(report, default=str, indent=1))
    return {"seconds": seconds, "load_seconds": load}


def work_pandas_clusters(spec: dict) -> dict:
    pp, data, load = _pandas_loaded(spec)
    start = time.perf_counter()
    tx = data["transactions"]
    as_of = tx["date"].max()
    facts = pp.customer_facts(tx, data["customers"], data["interactions"], as_of)
    out = pp.clusters(pp.cluster_features(tx, facts, as_of))
    return {"seconds": time.perf_counter() - start, "load_seconds": load, "result": out}


def work_pandas_clv(spec: dict) -> dict:
    pp, data, load = _pandas_loaded(spec)
    start = time.perf_counter()
    tx = data["transactions"]
    out, _ = pp.clv(tx, tx["date"].max())
    if out is None:
        raise SystemExit("lifetimes is not installed")
    return {"seconds": time.perf_counter() - start, "load_seconds": load,
            "result": {k: out[k] for k in ("bgnbd", "gamma_gamma", "n_customers", "n_repeat")}}


def work_paretonbd_fit(spec: dict) -> dict:
    """Pareto/NBD fit alone on simulated customers (issue 17 §2): ours on every customer's
    row, lifetimes' ParetoNBDFitter on the distinct histories with their counts as weights
    (its fastest use; per customer, as its documentation fits, it is ~10x slower still:
    bench_clv.py). Both log-likelihoods are evaluated with the same function."""
    import warnings

    import numpy as np

    from analysis.predict.paretonbd import paretonbd_loglik
    from bench_clv import distinct_histories, simulate_paretonbd

    x, t_x, T = simulate_paretonbd(spec["n"], 1)
    start = time.perf_counter()
    if spec["impl"] == "ours":
        from analysis.predict.paretonbd import ParetoNBDModel

        params = dict(ParetoNBDModel().fit(x, t_x, T).params_)
    else:
        import pandas as pd
        from lifetimes import ParetoNBDFitter

        hx, htx, hT, counts = distinct_histories(x, t_x, T)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = ParetoNBDFitter().fit(pd.Series(hx), pd.Series(htx), pd.Series(hT), weights=pd.Series(counts))
        params = {k: float(fitted.params_[k]) for k in ("r", "alpha", "s", "beta")}
    seconds = time.perf_counter() - start
    loglik = float(paretonbd_loglik(tuple(params[k] for k in ("r", "alpha", "s", "beta")), x, t_x, T))
    return {"seconds": seconds, "result": {**{k: float(np.round(v, 4)) for k, v in params.items()}, "loglik": loglik}}


def work_clv_fit(spec: dict) -> dict:
    """BG/NBD + Gamma-Gamma fit alone on simulated customers (bench_clv's simulation)."""
    import warnings

    import numpy as np

    from bench_clv import simulate

    x, t_x, T, spend = simulate(spec["n"], 1)
    repeat = (x > 0) & (spend > 0)
    start = time.perf_counter()
    if spec["impl"] == "ours":
        from analysis.predict.bgnbd import BetaGeoModel
        from analysis.predict.gamma_gamma import GammaGammaModel

        bg = BetaGeoModel().fit(x, t_x, T)
        gg = GammaGammaModel().fit(x[repeat], spend[repeat])
        params = {**bg.params_, **gg.params_}
    else:
        import pandas as pd
        from lifetimes import BetaGeoFitter, GammaGammaFitter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bg = BetaGeoFitter().fit(pd.Series(x), pd.Series(t_x), pd.Series(T))
            gg = GammaGammaFitter().fit(pd.Series(x[repeat]), pd.Series(spend[repeat]))
        params = {**bg.params_.to_dict(), **gg.params_.to_dict()}
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "result": {k: float(np.round(v, 4)) for k, v in params.items()}}


def work_page(spec: dict) -> dict:
    """A page's first render on a fresh process (``spec``: db, page, timeout; ``tab``: a tab
    opened after it, ``{"key", "label"}``, timed as ``tab_seconds``), then a second run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=spec["timeout"])
    at.session_state["workspace_path"] = spec["db"]
    start = time.perf_counter()
    at.run()  # the app loads on its default page first, as in a browser
    shell = time.perf_counter() - start
    start = time.perf_counter()
    at.switch_page(spec["page"]).run()
    first = time.perf_counter() - start
    errors = [str(e.value) for e in at.exception]
    found = {}
    if spec.get("tab"):  # {"key": the tabs' key, "label": the tab}: opened after the first render
        at.session_state[spec["tab"]["key"]] = spec["tab"]["label"]
        start = time.perf_counter()
        at.run()
        found["tab_seconds"] = time.perf_counter() - start
        errors += [str(e.value) for e in at.exception]
    start = time.perf_counter()
    at.run()  # a second interaction on the same session
    second = time.perf_counter() - start
    errors += [str(e.value) for e in at.exception]
    return {"seconds": first, "second_seconds": second, "app_load_seconds": shell, **found, "errors": errors[:3]}


def work_store_scores(spec: dict) -> dict:
    """The scores stored in the workspace with the app's default settings, then the Overview's
    figures and the cohorts, the action plan's history inputs and the action plan (what the
    Data page does after an import), with the time each stage began."""
    from analysis.customize.history import action_inputs
    from analysis.customize.stored_plan import store as store_plan
    from analysis.identify import first_screen
    from analysis.scores import score_customers, stored_table
    from analysis.settings import ActionSettings, ReportSettings
    from analysis.store import Workspace

    stages: list[tuple[str, float]] = []
    start = time.perf_counter()
    settings = ReportSettings()
    with Workspace(spec["db"]) as ws:
        score_customers(ws, None, settings, progress=lambda stage, done: stages.append(
            (stage, time.perf_counter() - start)))
        stages.append(("Overview and cohorts", time.perf_counter() - start))  # as the Data page does next
        first_screen.prepare(ws, None, settings.window_months, lambda: stored_table(ws, None, settings))
        stages.append(("Contacts, complaints and purchase gaps", time.perf_counter() - start))
        action_inputs(ws, None, ActionSettings())  # the action plan's history inputs, as the Data page next
        stages.append(("The action plan", time.perf_counter() - start))
        store_plan(ws, None, settings, ActionSettings())  # and last the plan itself
    seconds = time.perf_counter() - start
    ends = [t for _, t in stages[1:]] + [seconds]
    return {"seconds": seconds, "stages": {name: round(end - began, 2) for (name, began), end in zip(stages, ends)}}


def cli_start(work: Path, db: Path, timeout: float) -> dict:
    """Best of three whole-process runs of ``--help`` and of ``log`` (on a copy of the workspace)."""
    py = sys.executable
    copy = work / "cli_start.duckdb"
    shutil.copy(db, copy)
    customer = subprocess.run([py, "-c", "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True)"
                               ".execute('SELECT min(customer_id) FROM transactions').fetchone()[0])", str(copy)],
                              capture_output=True, text=True, cwd=ROOT).stdout.strip()
    runs = {"--help": [py, "-m", "analysis", "--help"],
            "log": [py, "-m", "analysis", "log", customer, "--db", str(copy), "--kind", "contact", "--channel",
                    "phone"]}
    out = {}
    for name, cmd in runs.items():
        walls = [measure(cmd, work, f"cli_{name.strip('-')}_{i}", timeout) for i in range(3)]
        out[name] = {"wall": min(m["wall"] for m in walls), "cpu": min(m["cpu"] for m in walls),
                     "peak_gib": min(m["peak_gib"] for m in walls),
                     "error": next((m["error"] for m in walls if m.get("error")), None)}
        print(f"  cli {name}: best {out[name]['wall']:.2f} s of 3", flush=True)
    copy.unlink(missing_ok=True)
    return out


# -- measuring -----------------------------------------------------------------------------
def measure(cmd: list[str], work: Path, name: str, timeout: float) -> dict:
    """Run ``cmd`` in a fresh process; wall time, peak RSS (GiB) and exit status."""
    out, err = work / f"{name}.out", work / f"{name}.err"
    with open(out, "wb") as fo, open(err, "wb") as fe:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fo, stderr=fe)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    result = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_gib": usage.ru_maxrss * 1024 / GB,
              "rc": proc.returncode}
    if proc.returncode != 0:
        tail = err.read_text(errors="replace").strip().splitlines()[-3:]
        result["error"] = " / ".join(tail) or f"exit {proc.returncode}"
    return result


def run_worker(step: str, spec: dict, work: Path, name: str, timeout: float) -> dict:
    spec_path, result_path = work / f"{name}.spec.json", work / f"{name}.result.json"
    spec_path.write_text(json.dumps(spec))
    result_path.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", step, str(spec_path), str(result_path)]
    m = measure(cmd, work, name, timeout)
    if result_path.exists():
        m.update(json.loads(result_path.read_text()))
    print(f"  {name}: {_fmt_s(m.get('seconds', m['wall']))}, peak {m['peak_gib']:.2f} GiB"
          + (f"  FAILED: {m['error']}" if m.get("error") else ""), flush=True)
    return m


# -- report ---------------------------------------------------------------------------------
def _fmt_s(seconds) -> str:
    return "n/a" if seconds is None else f"{seconds:,.2f} s"


def _gib(m: dict | None) -> str:
    return "n/a" if not m else f"{m['peak_gib']:.2f} GiB"


def work_machine(spec: dict) -> dict:
    return machine()


def work_cli(spec: dict) -> dict:
    """``python -m analysis ARGS`` in this process (so its own peak memory is known)."""
    from analysis.cli import main as cli_main

    start = time.perf_counter()
    rc = cli_main(spec["argv"])
    if rc:
        raise SystemExit(f"python -m analysis {' '.join(spec['argv'])} exited {rc}")
    return {"cli_seconds": time.perf_counter() - start}


def own_peak_gib() -> float | None:
    """This process's peak resident set size (VmHWM). Unlike ``ru_maxrss`` seen by the
    parent, it starts afresh at exec, so the parent's own memory does not leak into it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / GB
    except OSError:
        pass
    return None


def machine() -> dict:
    import duckdb
    import pandas as pd

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import lifetimes
        lt = lifetimes.__version__
    except ImportError:
        lt = "not installed"
    import sklearn

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / GB, 1),
            "os": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__, "lifetimes": lt,
            "load": os.getloadavg()}


def _ok(m: dict | None) -> bool:
    return bool(m) and not m.get("error")


def comparison_row(step, ours, alt, alt_name, ratio_kind, target, extra=""):
    """A row: step, ours, alternative, ratio, peak ours, peak alt, target, met."""
    t_ours = ours.get("seconds", ours.get("wall")) if _ok(ours) else None
    t_alt = alt.get("seconds", alt.get("wall")) if _ok(alt) else None
    ratio, met = None, "n/a"
    if t_ours and t_alt:
        ratio = t_ours / t_alt if ratio_kind == "slower" else t_alt / t_ours
    if ratio is not None and target:
        limit, mem_ok = target
        meets_time = ratio <= limit if ratio_kind == "slower" else ratio >= limit
        met = "yes" if meets_time and ours["peak_gib"] < 2 else "**no**"
    ratio_txt = "n/a" if ratio is None else (f"{ratio:.2f}x slower" if ratio_kind == "slower" else f"{ratio:.1f}x faster")
    if ratio is not None and ratio_kind == "faster" and ratio < 1:
        ratio_txt = f"{1 / ratio:.1f}x slower"
    target_txt = "-" if not target else (f"<= {target[0]}x, peak < 2 GB" if ratio_kind == "slower"
                                         else f">= {target[0]}x faster, peak < 2 GB")
    ours_txt = _fmt_s(t_ours) if _ok(ours) else f"failed: {ours.get('error', '')[:120]}"
    alt_txt = (_fmt_s(t_alt) + extra) if _ok(alt) else (
        f"failed: {alt.get('error', '')[:120]}" if alt else "not run")
    return f"| {step} | {ours_txt} | {alt_name}: {alt_txt} | {ratio_txt} | {_gib(ours)} | {_gib(alt)} | {target_txt} | {met} |"


def write_results(path: Path, args, info: dict, r: dict, sizes: dict, started: dt.datetime) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py --customers {args.customers} --lines {args.lines}` "
        f"on {started:%Y-%m-%d %H:%M} ({(dt.datetime.now() - started).total_seconds() / 60:.0f} min run).",
        "",
        f"- Data: {args.customers:,} listed customers, {args.lines:,} purchase lines "
        f"({sizes.get('transactions', 0) / 2**20:,.0f} MiB CSV), {sizes.get('interactions_rows', 0):,} contacts; "
        f"synthetic, heavy-tailed (benchmarks/generate.py, seed {args.seed}).",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB RAM, {info['os']}; "
        f"load average at the start {info['load'][0]:.1f}.",
        f"- Software: Python {info['python']}, DuckDB {info['duckdb']}, pandas {info['pandas']}, "
        f"scikit-learn {info['scikit-learn']}, lifetimes {info['lifetimes']}.",
        "- Each step ran in a fresh process; peak memory is that process's peak resident set size "
        "(VmHWM, read by the process itself at the end).",
        "- The machine is shared and noisy (other jobs run on the same 2 cores), so absolute times move "
        "between runs; every ratio compares two measurements taken in the same run, minutes apart.",
        "",
        "## Product against the obvious alternative",
        "",
        "| step | ours | alternative | ratio | peak (ours) | peak (alt.) | target | met? |",
        "|---|---:|---|---:|---:|---:|---|---|",
    ]
    lines.append(comparison_row("1. import transactions CSV (whole process)", r["import_ours"], r["import_duckdb"],
                                "DuckDB read_csv", "slower", (1.5, 2)))
    compared = [
        ("2. full report (every key of report --json)", "report_ours", "report_pandas",
         "pandas+sklearn+lifetimes", (5, 2)),
        ("3. clustering (features, k by silhouette)", "clusters_ours", "clusters_pandas", "pandas+KMeans", None),
        ("4a. CLV from the transactions (prep + BG/NBD + Gamma-Gamma + scoring)", "clv_ours", "clv_lifetimes",
         "pandas+lifetimes", None),
    ]
    for title, ours_key, alt_key, alt_name, target in compared:
        if ours_key not in r:
            continue
        alt = r.get(alt_key, {})
        extra = f" (+ {alt['load_seconds']:.1f} s CSV read)" if _ok(alt) and "load_seconds" in alt else ""
        lines.append(comparison_row(title, r[ours_key], alt, alt_name, "faster", target, extra))
    if "clv_fit_ours" in r:
        lines.append(comparison_row(f"4b. CLV model fit alone, {args.clv_fit_customers:,} simulated customers",
                                    r["clv_fit_ours"], r.get("clv_fit_lifetimes", {}), "lifetimes", "faster",
                                    (20, 2)))
    if "paretonbd_fit_ours" in r:
        lines.append(comparison_row(f"4c. Pareto/NBD fit alone, {args.clv_fit_customers:,} simulated customers",
                                    r["paretonbd_fit_ours"], r.get("paretonbd_fit_lifetimes", {}),
                                    "lifetimes (distinct histories as weights)", "faster", (20, 2)))
    lines += [
        "",
        "Ratios: import = ours / DuckDB (lower is better); the others = alternative / ours. The "
        "alternatives' CSV reading is excluded from their time (the product reads its workspace, "
        "which the import step already paid for) and shown in brackets. `met?` also requires our peak "
        "memory under 2 GB.",
        "",
        "Set-up, not compared: " + ", ".join(
            f"{k} {_fmt_s(r[k]['wall'])} (peak {_gib(r[k])})" for k in ("generate", "import_rest") if k in r) + ".",
        "",
        "## Pages (AppTest, first render on a cold process, then a second run of the same session)",
        "",
        "| page | app load (default page) | first render | second run | peak | target: second run < 1 s | errors |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    stored = r.get("store_scores")
    if stored:
        lines.insert(len(lines) - 2, f"Scores stored first (as after an import): {_fmt_s(stored.get('seconds'))}, "
                     f"peak {_gib(stored)}; by stage: "
                     + "; ".join(f"{k} {v:.2f} s" for k, v in (stored.get("stages") or {}).items()) + ".")
        lines.insert(len(lines) - 2, "")
    pages = r.get("pages", {})
    if not pages:
        lines.append("| (not run, or no page files) | | | | | | |")
    for page, m in pages.items():
        if not _ok(m) and "seconds" not in m:
            lines.append(f"| {page} | | failed: {m.get('error', '')[:120]} | | {_gib(m)} | n/a | |")
            continue
        met = "yes" if m["second_seconds"] < 1 and not m.get("errors") else "**no**"
        errs = "; ".join(m.get("errors") or [])[:160] or "none"
        lines.append(f"| {page} | {_fmt_s(m.get('app_load_seconds'))} | {_fmt_s(m['seconds'])} | "
                     f"{_fmt_s(m['second_seconds'])} | {_gib(m)} | {met} | {errs} |")
    if r.get("cli_start"):
        lines += ["", "## CLI start (whole process, best of 3; target < 1 s)", "",
                  "| command | wall | CPU | peak | met? |", "|---|---:|---:|---:|---|"]
        for name, m in r["cli_start"].items():
            met = "failed: " + m["error"] if m.get("error") else ("yes" if m["wall"] < 1 else "**no**")
            lines.append(f"| `python -m analysis {name}` | {_fmt_s(m['wall'])} | {_fmt_s(m.get('cpu'))} | {_gib(m)} | "
                         f"{met} |")
    lines += targets_table(args, r)
    lines += ["", "## Details", ""]
    for key in ("clusters_ours", "clusters_pandas", "clv_ours", "clv_lifetimes", "clv_fit_ours", "clv_fit_lifetimes",
                "paretonbd_fit_ours", "paretonbd_fit_lifetimes"):
        if r.get(key, {}).get("result"):
            lines.append(f"- {key}: `{json.dumps(r[key]['result'])}`")
    if r.get("report_ours", {}).get("stages"):
        lines.append("- report_ours by stage: " + "; ".join(
            f"{k} {v:.2f} s" for k, v in r["report_ours"]["stages"].items()))
    for key in ("actions_plan", "actions_top"):
        if _ok(r.get(key)):
            m = r[key]
            lines.append(f"- {key}: {m['rows']:,} rows for {m['customers']:,} customers, {m['with_reason']:,} with "
                         f"their reason; stored scores read in {m['scores_seconds']:.2f} s")
    if (r.get("pipeline") or {}).get("report", {}).get("stages"):
        lines.append("- pipeline report --json by stage: " + "; ".join(
            f"{k} {v:.2f} s" for k, v in r["pipeline"]["report"]["stages"].items()))
    if _ok(r.get("wallet")):
        lines.append(f"- wallet: `{json.dumps(r['wallet']['result'])}`; to pandas {r['wallet']['frame_seconds']:.2f} s "
                     "(apart, not in the time)")
    if r.get("report_ours", {}).get("messages"):
        lines.append(f"- report messages: `{json.dumps(r['report_ours']['messages'])}`")
    lines += [f"- {k}: {v}" for k, v in r.get("agreement", {}).items()]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


def progress_stages(err: Path, wall: float) -> dict:
    """{stage: seconds} from a command's ``--progress`` lines (``[ 40%  3.1 s] stage``); the
    time before the first line (Python start-up, imports, opening the workspace) is
    ``start-up``, counted from the process's wall time."""
    import re

    began = [(m.group(2), float(m.group(1))) for m in
             (re.match(r"\[\s*\d+%\s+([\d.]+) s\] (.*)", line) for line in err.read_text().splitlines()) if m]
    if not began:
        return {}
    total = began[-1][1]
    stages = {"start-up (interpreter, imports, workspace)": round(wall - total, 2)}
    for (name, start), (_, end) in zip(began, began[1:]):
        stages[name] = round(end - start, 2)
    return stages


def targets_table(args, r: dict) -> list[str]:
    """The targets of issues 15 and 18 measured in this run: one row each, with ``met?``.
    Their sizes are 1,000,000 customers / 10,000,000 lines (the pipeline: 200,000 / 565,000);
    at another size the row says so."""
    size = f"{args.customers:,} customers / {args.lines:,} lines"
    rows = []

    def row(what, m, seconds, target, met, note=""):
        if not m or m.get("error"):
            rows.append(f"| {what} | failed: {(m or {}).get('error', 'not run')[:120]} | | | {target} | no |")
            return
        cpu = m.get("cpu_seconds", m.get("cpu"))
        rows.append(f"| {what} | {_fmt_s(seconds)} | {_fmt_s(cpu)} | {_gib(m)} | {target} | "
                    f"{'yes' if met else '**no**'}{note} |")

    at_size = "" if (args.customers, args.lines) == (1_000_000, 10_000_000) else " (target set at 1M / 10M)"
    for key, what in (("actions_plan", "whole action plan, every reason written"),
                      ("actions_top", "the Action plan page's first 1,000 rows")):
        if key in r:
            m = r[key]
            row(what, m, m.get("seconds"), "< 10 s, peak < 2 GB",
                _ok(m) and m["seconds"] < 10 and m["peak_gib"] < 2, at_size)
    if "wallet" in r:
        m = r["wallet"]
        row("every customer's wallet from the workspace", m, m.get("seconds"), "< 10 s", _ok(m) and m["seconds"] < 10,
            at_size)
    p = r.get("pipeline")
    if p and p.get("skipped"):
        rows.append(f"| whole-process ingest + report --json against pandas + scikit-learn + lifetimes | skipped: "
                    f"{p['skipped']} | | | <= 0.25x | n/a |")
    elif p:
        ours, alt = p.get("ours"), p.get("pandas")
        if _ok(ours) and _ok(alt):
            ratio = ours["wall"] / alt["wall"]
            note = "" if (args.customers, args.lines) == (200_000, 565_000) else " (target set at 200k / 565k)"
            rows.append(
                f"| whole-process ingest ({_fmt_s(p['ingest']['wall'])}) + report --json ({_fmt_s(p['report']['wall'])}) "
                f"against pandas + scikit-learn + lifetimes, CSVs read included ({_fmt_s(alt['wall'])}, CPU "
                f"{_fmt_s(alt['cpu'])}, peak {_gib(alt)}) | {_fmt_s(ours['wall'])} = {ratio:.2f}x | "
                f"{_fmt_s(ours['cpu'])} = {ours['cpu'] / alt['cpu']:.2f}x | {_gib(ours)} | <= 0.25x | "
                f"{'yes' if ratio <= 0.25 else '**no**'}{note} |")
        else:
            failed = next((m for m in (p.get("ingest"), p.get("report"), alt) if m and m.get("error")), {})
            rows.append(f"| whole-process ingest + report --json against pandas | failed: "
                        f"{failed.get('error', '')[:120]} | | | <= 0.25x | no |")
    if not rows:
        return []
    return ["", f"## Targets of issues 15 and 18 ({size})", "",
            "Each a fresh process; the pipeline row compares whole processes (start-up, imports and CSV "
            "reading included), wall and CPU time, ours / theirs.", "",
            "| what | wall | CPU | peak | target | met? |", "|---|---:|---:|---:|---|---|", *rows]


def agreement(ours_path: Path, pandas_path: Path) -> dict:
    """A sanity check that both sides computed the same figures (not a test)."""
    try:
        ours, alt = json.loads(ours_path.read_text()), json.loads(pandas_path.read_text())
    except (OSError, ValueError):
        return {}
    out = {}
    for key in ("customers", "transactions", "revenue"):
        out[key] = "same" if ours.get(key) == alt.get(key) else f"ours {ours.get(key)} vs pandas {alt.get(key)}"
    tiers_o = {p["tier"]: p["customers"] for p in ours.get("pyramid") or []}
    tiers_a = {p["tier"]: p["customers"] for p in alt.get("pyramid") or []}
    out["pyramid counts"] = "same" if tiers_o == tiers_a else f"ours {tiers_o} vs pandas {tiers_a}"
    out["rfm segment counts"] = "same" if ours.get("rfm_segments") == alt.get("rfm_segments") else "differ"
    po, pa_ = ours.get("pareto") or {}, alt.get("pareto") or {}
    same = all(abs((po.get(k) or 0) - (pa_.get(k) or 0)) < 1e-9 for k in ("top20_revenue_share", "gini"))
    out["pareto"] = "same" if same else f"ours {po} vs pandas {pa_}"
    out["value groups (MCC potential comes from each side's CLV model)"] = \
        f"ours {ours.get('value_groups')} vs pandas {alt.get('value_groups')}"
    return out


STEPS = ("report", "clusters", "clv", "clv_fit", "paretonbd", "pages", "cli", "actions", "wallet", "pipeline")


def pipeline(work: Path, data: Path, timeout: float, lifetimes: str) -> dict:
    """Whole processes on the same three CSVs: ``ingest`` into a new workspace then ``report
    --json`` (ours), against ``pandas_pipeline.py`` reading them and computing every figure."""
    if lifetimes == "not installed":
        print("  pipeline: skipped (lifetimes is not installed; `make bench-deps` installs it)", flush=True)
        return {"skipped": "lifetimes is not installed"}
    py, db = sys.executable, work / "pipeline.duckdb"
    db.unlink(missing_ok=True)
    files = [str(data / f"{name}.csv") for name in ("customers", "transactions", "interactions")]
    out = {"ingest": measure([py, "-m", "analysis", "ingest", *files, "--db", str(db), "--json"], work,
                             "pipeline_ingest", timeout)}
    if not out["ingest"].get("error"):
        out["report"] = measure([py, "-m", "analysis", "report", "--db", str(db), "--json", "--progress", "--lang",
                                 "en"], work, "pipeline_report", timeout)
        out["report"]["stages"] = progress_stages(work / "pipeline_report.err", out["report"]["wall"])
    out["pandas"] = measure([py, str(ROOT / "benchmarks" / "pandas_pipeline.py"), str(data)], work,
                            "pipeline_pandas", timeout)
    parts = [out.get("ingest"), out.get("report")]
    if all(_ok(m) for m in parts):
        out["ours"] = {"wall": sum(m["wall"] for m in parts), "cpu": sum(m["cpu"] for m in parts),
                       "peak_gib": max(m["peak_gib"] for m in parts)}
    for name, m in out.items():
        print(f"  pipeline {name}: {_fmt_s(m.get('wall'))} (CPU {_fmt_s(m.get('cpu'))}), peak {m['peak_gib']:.2f} GiB"
              + (f"  FAILED: {m['error']}" if m.get("error") else ""), flush=True)
    db.unlink(missing_ok=True)
    return out
WORKERS = {name[5:]: fn for name, fn in globals().items() if name.startswith("work_")}


# -- main -----------------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 customers and 200,000 lines")
    parser.add_argument("--clv-fit-customers", type=int, default=None,
                        help="simulated customers for the CLV fit-only step (default: --customers)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--work", default=None, help="folder for the data and workspaces (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS),
                        help="which comparisons to run after the import (default: all)")
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--pages", nargs="+", metavar="NAME", help="only these pages (e.g. data overview)")
    parser.add_argument("--no-peers", action="store_true", help="skip the lifetimes-based steps")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step")
    parser.add_argument("--worker", nargs=3, metavar=("STEP", "SPEC", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        step, spec, result = args.worker
        out = WORKERS[step](json.loads(Path(spec).read_text()))
        peak = own_peak_gib()
        if peak is not None:
            out["peak_gib"] = peak
        Path(result).write_text(json.dumps(out, default=str))
        return out

    if args.quick:
        args.customers, args.lines = 20_000, 200_000
    if args.clv_fit_customers is None:
        args.clv_fit_customers = args.customers
    started = dt.datetime.now()
    work = Path(args.work or tempfile.mkdtemp(prefix="one2one-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    py = sys.executable
    r: dict = {}
    print(f"benchmark: {args.customers:,} customers, {args.lines:,} lines; work folder {work}", flush=True)

    try:
        info = run_worker("machine", {}, work, "machine", args.timeout)
        r["generate"] = measure([py, str(ROOT / "benchmarks" / "generate.py"), str(data), "--customers",
                                 str(args.customers), "--lines", str(args.lines), "--seed", str(args.seed)],
                                work, "generate", args.timeout)
        if r["generate"].get("error"):
            raise SystemExit(f"generating the data failed: {r['generate']['error']}")
        tx = data / "transactions.csv"
        sizes = {"transactions": tx.stat().st_size,
                 "interactions_rows": sum(1 for _ in open(data / "interactions.csv")) - 1}
        print(f"  generate: {_fmt_s(r['generate']['wall'])}", flush=True)
        os.sync()  # the generated files on disk first: otherwise the first import timed pays for the flush

        db = work / "workspace.duckdb"
        ref = work / "duckdb_only.duckdb"
        for p in (db, ref):
            p.unlink(missing_ok=True)
        # Both imports are compared as whole processes (start-up, imports, reading, writing).
        r["import_ours"] = run_worker("cli", {"argv": ["ingest", str(tx), "--db", str(db)]}, work,
                                      "import_ours", args.timeout)
        r["import_duckdb"] = run_worker("duckdb_import", {"db": str(ref), "csv": str(tx)}, work,
                                        "import_duckdb", args.timeout)
        r["import_duckdb"]["inner_seconds"] = r["import_duckdb"].pop("seconds", None)
        ref.unlink(missing_ok=True)
        r["import_rest"] = run_worker("cli", {"argv": ["ingest", str(data / "customers.csv"),
                                                       str(data / "interactions.csv"), "--db", str(db)]},
                                      work, "import_rest", args.timeout)
        if r["import_ours"].get("error") or r["import_rest"].get("error"):
            raise SystemExit("the import failed; see " + str(work / "import_ours.err"))

        spec = {"db": str(db), "folder": str(data)}
        steps = set(args.steps)
        if args.no_pages:
            steps.discard("pages")
        if "report" in steps:
            r["report_ours"] = run_worker("report", {**spec, "save": str(work / "report_ours.json")}, work,
                                      "report_ours", args.timeout)
            r["report_pandas"] = run_worker("pandas_report", {**spec, "save": str(work / "report_pandas.json")},
                                            work, "report_pandas", args.timeout)
            r["agreement"] = agreement(work / "report_ours.json", work / "report_pandas.json")
        if "clusters" in steps:
            r["clusters_ours"] = run_worker("clusters", spec, work, "clusters_ours", args.timeout)
            r["clusters_pandas"] = run_worker("pandas_clusters", spec, work, "clusters_pandas", args.timeout)
        if "clv" in steps:
            r["clv_ours"] = run_worker("clv", spec, work, "clv_ours", args.timeout)
            if not args.no_peers:
                r["clv_lifetimes"] = run_worker("pandas_clv", spec, work, "clv_lifetimes", args.timeout)
        if "clv_fit" in steps:
            r["clv_fit_ours"] = run_worker("clv_fit", {"n": args.clv_fit_customers, "impl": "ours"}, work,
                                           "clv_fit_ours", args.timeout)
            if not args.no_peers:
                r["clv_fit_lifetimes"] = run_worker("clv_fit", {"n": args.clv_fit_customers, "impl": "lifetimes"},
                                                    work, "clv_fit_lifetimes", args.timeout)
        if "paretonbd" in steps:
            r["paretonbd_fit_ours"] = run_worker("paretonbd_fit", {"n": args.clv_fit_customers, "impl": "ours"}, work,
                                                 "paretonbd_fit_ours", args.timeout)
            if not args.no_peers:
                r["paretonbd_fit_lifetimes"] = run_worker(
                    "paretonbd_fit", {"n": args.clv_fit_customers, "impl": "lifetimes"}, work,
                    "paretonbd_fit_lifetimes", args.timeout)
        r["pages"] = {}
        if "pages" in steps:
            r["store_scores"] = run_worker("store_scores", spec, work, "store_scores", args.timeout)
            for page in sorted((ROOT / "pages").glob("*.py")):
                if args.pages and page.stem not in args.pages:
                    continue
                rel = f"pages/{page.name}"
                r["pages"][rel] = run_worker("page", {"db": str(db), "page": rel, "timeout": args.timeout}, work,
                                             f"page_{page.stem}", args.timeout)
        if "cli" in steps:
            r["cli_start"] = cli_start(work, db, args.timeout)
        if "actions" in steps:
            if "store_scores" not in r:  # the plan reads the stored scores, as the app and the CLI do
                r["store_scores"] = run_worker("store_scores", spec, work, "store_scores", args.timeout)
            r["actions_plan"] = run_worker("actions", {**spec, "limit": None}, work, "actions_plan", args.timeout)
            r["actions_top"] = run_worker("actions", {**spec, "limit": 1000}, work, "actions_top", args.timeout)
        if "wallet" in steps:
            r["wallet"] = run_worker("wallet", spec, work, "wallet", args.timeout)
        if "pipeline" in steps:
            if args.no_peers:
                r["pipeline"] = {"skipped": "--no-peers"}
            else:
                r["pipeline"] = pipeline(work, data, args.timeout, info.get("lifetimes", "not installed"))
        text = write_results(Path(args.out), args, info, r, sizes, started)
        print("\n" + text)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return r


if __name__ == "__main__":
    main()
