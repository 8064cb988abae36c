"""The CLI starts fast (issue 15 §2): `--help` and every form of `log` run without loading the
heavy libraries (pandas, NumPy, Ibis, scikit-learn, plotly...), which take seconds to import on
a busy machine. Pinned by what the process imported, not by timing: each command runs in a
process of its own, as a person types it, and reports the modules it loaded when it ends.
The contacts it recorded are read back from the workspace file with DuckDB directly."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "ibis", "sklearn", "plotly", "pyarrow", "scipy", "streamlit")

# `python -m analysis ARGS...`, then the heavy modules loaded by the end written to $MODULES_OUT.
RUNNER = """
import json, os, sys
from analysis.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
finally:
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(os.environ["HEAVY"])))
    with open(os.environ["MODULES_OUT"], "w") as f:
        json.dump(heavy, f)
sys.exit(code)
"""


def cli(tmp_path, *argv):
    """(completed process, heavy modules it loaded) of ``python -m analysis *argv``."""
    out = tmp_path / "modules.json"
    env = {**__import__("os").environ, "MODULES_OUT": str(out), "HEAVY": json.dumps(HEAVY)}
    done = subprocess.run([sys.executable, "-c", RUNNER, *map(str, argv)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    return done, json.loads(out.read_text())


def logged_as_typed(tmp_path, db: str, forms: list, before: dt.datetime) -> None:
    """Each ``(argv, expected columns)`` of ``forms`` logged by ``python -m analysis log`` in a
    process of its own, which loads no heavy library and says what it recorded; the row is
    then read back from the file: the customer, kind and channel as typed, and ``expected``
    (a contact logged without a date is dated now, to the second)."""
    with duckdb.connect(db, read_only=True) as con:
        first = con.execute('SELECT max("interaction_id") FROM "interactions"').fetchone()[0]
    for i, (argv, expected) in enumerate(forms):
        done, heavy = cli(tmp_path, "log", *argv[:1], "--db", db, *argv[1:])
        assert done.returncode == 0, (argv, done.stderr)
        assert heavy == [], (argv, heavy)
        new_id = first + 1 + i
        if "--json" in argv:
            assert json.loads(done.stdout) == {"interaction_id": new_id, "customer_id": argv[0]}
        elif "zh" in argv:
            assert str(new_id) in done.stdout and argv[0] in done.stdout and "recorded" not in done.stdout
        else:
            assert done.stdout == f"recorded interaction {new_id} for customer {argv[0]}\n"
        with duckdb.connect(db, read_only=True) as con:
            row = con.execute('SELECT * FROM "interactions" WHERE "interaction_id" = ?', [new_id]).fetchone()
            names = [c[0] for c in con.execute('SELECT * FROM "interactions" LIMIT 0').description]
        stored = dict(zip(names, row))
        assert stored["customer_id"] == argv[0] and stored["kind"] == argv[argv.index("--kind") + 1]
        assert stored["channel"] == argv[argv.index("--channel") + 1] and stored["recorded_by"] == "cli"
        for column in ("satisfaction", "scale", "outcome", "note", "answers_action", "import_id"):
            assert stored[column] == expected.get(column), (argv, column, stored[column])
        if "occurred_at" in expected:
            assert stored["occurred_at"] == expected["occurred_at"]
        else:  # logged now, to the second
            assert before <= stored["occurred_at"] <= dt.datetime.now()
            assert stored["occurred_at"].microsecond == 0


def test_help_loads_no_heavy_library(tmp_path):
    for argv in (["--help"], ["log", "--help"], ["--lang", "zh", "--help"]):
        done, heavy = cli(tmp_path, *argv)
        assert done.returncode == 0, done.stderr
        assert "usage:" in done.stdout or "用法" in done.stdout
        assert heavy == [], (argv, heavy)


def test_every_form_of_log_records_the_contact_without_heavy_libraries(demo_copy, tmp_path):
    """A manager logs the day's contacts one command at a time, every flag of `log` used once;
    each command answers without loading pandas & co., and each row is in the file as typed."""
    db = str(demo_copy)
    before = dt.datetime.now().replace(microsecond=0)
    forms = [
        (["C00042", "--kind", "contact", "--channel", "phone"], {}),
        (["C00042", "--kind", "complaint", "--channel", "email", "--date", "2026-06-29", "--note", "Toner leaked",
          "--json"], {"occurred_at": dt.datetime(2026, 6, 29), "note": "Toner leaked"}),
        (["C00017", "--kind", "survey", "--channel", "web", "--date", "2026-06-30 14:30", "--satisfaction", "8",
          "--scale", "10", "--json"], {"occurred_at": dt.datetime(2026, 6, 30, 14, 30), "satisfaction": 8.0,
                                       "scale": 10.0}),
        (["C00017", "--kind", "survey", "--channel", "email", "--satisfaction", "4", "--lang", "zh"],
         {"satisfaction": 4.0, "scale": 5.0}),
        (["C00042", "--kind", "contact", "--channel", "phone", "--outcome", "Not_Interested", "--answers",
          "win_back", "--date", "2026-06-30T09:15:00+02:00", "--json"],
         {"occurred_at": dt.datetime(2026, 6, 30, 7, 15), "outcome": "not interested", "answers_action": "win_back"}),
    ]
    logged_as_typed(tmp_path, db, forms, before)


@pytest.mark.parametrize("argv, words", [
    (["NOPE", "--kind", "contact", "--channel", "phone"], "not in this workspace"),
    (["C00042", "--kind", "contact", "--channel", "pigeon"], "channel"),
    (["C00042", "--kind", "contact", "--channel", "phone", "--date", "2026-13-01"], "is not a date"),
])
def test_a_refused_log_is_one_error_line_writes_nothing_and_stays_light(demo_copy, tmp_path, argv, words):
    db = str(demo_copy)
    with duckdb.connect(db, read_only=True) as con:
        count = con.execute('SELECT count(*) FROM "interactions"').fetchone()[0]
    done, heavy = cli(tmp_path, "log", *argv[:1], "--db", db, *argv[1:])
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error:") and len(done.stderr.splitlines()) == 1 and words in done.stderr
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute('SELECT count(*) FROM "interactions"').fetchone()[0] == count
    if words != "is not a date":  # a date in no ISO form is read by pandas, to say what is wrong
        assert heavy == [], (argv, heavy)
