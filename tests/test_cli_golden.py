"""The command line's contract, pinned: every command's flags and the key sets of its JSON.

Automation outside this repository calls `python -m analysis ...` with these flags and reads
these keys, so a renamed flag or key is a broken promise even when every other test passes.
The golden files in tests/golden/ hold what the contract is; this test compares the running
code with them:

- ``cli_flags.json``: per command, its positional arguments and option strings;
- ``cli_json.json``: per command run on the demo company, the shape of its ``--json`` output
  (a dict's keys, recursively; a list's elements merged into one shape).

Adding a flag or a key is allowed: regenerate the files with
``ONE_TO_ONE_GOLDEN=write python -m pytest tests/test_cli_golden.py`` and commit them with the
change, so the addition is seen in review. Removing or renaming one fails here first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import build_parser

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[1]
WRITE = os.environ.get("ONE_TO_ONE_GOLDEN") == "write"


def flags() -> dict[str, dict[str, list[str]]]:
    """Per command: its positional arguments and its option strings (sorted)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = {}
    for name, command in sorted(sub.choices.items()):
        positional = [a.dest for a in command._actions if not a.option_strings]
        options = sorted(s for a in command._actions for s in a.option_strings if s not in ("-h", "--help"))
        out[name] = {"positional": positional, "options": options}
    return out


def shape(value):
    """The key structure of a JSON value: dicts by their keys, lists by their elements' shape
    merged, anything else as its JSON type name (null counts as any type)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged = None
        for item in value:
            merged = merge(merged, shape(item))
        return [merged] if merged is not None else []
    return "value"


def merge(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a.get(k), b.get(k)) for k in sorted(set(a) | set(b))}
    if isinstance(a, list) and isinstance(b, list):
        return [merge(a[0] if a else None, b[0] if b else None)] if (a or b) else []
    if isinstance(a, (dict, list)):
        return a
    return b


def cli(*args: str, cwd: Path) -> dict | list:
    done = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=cwd, capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "ONE_TO_ONE_LANG": "en"}, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def check(name: str, found) -> None:
    path = GOLDEN / name
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert found == golden, f"the CLI contract in {path.name} changed; see this test's docstring"


def test_every_command_keeps_its_flags():
    check("cli_flags.json", flags())


def test_every_json_output_keeps_its_keys(demo_copy, tmp_path):
    db = str(demo_copy)
    report = cli("report", "--db", db, "--json", "--holdout", "2025-12-31", cwd=tmp_path)
    top = cli("actions", "--db", db, "--json", "--limit", "20", cwd=tmp_path)
    customer_id = top[0]["customer_id"]
    customer = cli("customer", customer_id, "--db", db, "--json", cwd=tmp_path)
    logged = cli("log", customer_id, "--db", db, "--kind", "complaint", "--channel", "phone",
                 "--note", "late delivery", "--json", cwd=tmp_path)
    sales = tmp_path / "sales.csv"
    sales.write_text("customer_id,date,amount\nN1,2024-01-05,10.50\nN2,2024-02-01,20\n", encoding="utf-8")
    ingested = cli("ingest", str(sales), "--db", str(tmp_path / "new.duckdb"), "--json", cwd=tmp_path)
    demo = cli("demo", "--db", str(tmp_path / "small.duckdb"), "--customers", "300", "--json", cwd=tmp_path)
    check("cli_json.json", {
        "report": shape(report), "actions": shape(top), "customer": shape(customer), "log": shape(logged),
        "ingest": shape(ingested), "demo": shape(demo),
    })


@pytest.mark.parametrize("value", [{"a": 1, "b": [{"c": 1}, {"d": None}]}])
def test_shape_merges_list_elements(value):
    assert shape(value) == {"a": "value", "b": [{"c": "value", "d": "value"}]}
