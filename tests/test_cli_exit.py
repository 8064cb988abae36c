"""A consultant builds the demo workspace from the command line, asks for the report as JSON,
then mistypes the workspace's path. Each command is a process of its own. Once a command has
returned, ``python -m analysis`` flushes its output, runs the exit handlers and ends without the
interpreter's teardown of every loaded module (analysis/__main__.py): the JSON is whole and
strict, the figures right, the exit codes as the CLI contract says, the exit handlers ran, and
no object was finalised by a teardown, and cyclic garbage was collected after 50,000 new
objects, not Python's 700 (a `sitecustomize` put on the path records all three)."""

import json
import os
import subprocess
import sys

import duckdb

from tests.test_cli_startup import ROOT

RECORDER = """
import atexit, os

_LOG = os.environ["EXIT_LOG"]


def _write(what, _open=open, _log=_LOG):  # bound now: a teardown may have cleared the module's names
    with _open(_log, "a") as f:
        f.write(what + "\\n")


class _TornDown:
    def __del__(self, _write=_write):
        _write("teardown")


_kept = _TornDown()  # freed only when the interpreter tears its modules down
atexit.register(_write, "exit handlers")
atexit.register(lambda: _write(f"cycles collected after {__import__('gc').get_threshold()[0]} new objects"))
"""


GOOD_END = ["cycles collected after 50000 new objects", "exit handlers"]  # handlers run last first


def run(tmp_path, *argv):
    """(completed ``python -m analysis *argv``, what the recorder saw) in a fresh process."""
    log = tmp_path / "exit.log"
    log.unlink(missing_ok=True)
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(RECORDER)
    env = {**os.environ, "EXIT_LOG": str(log),
           "PYTHONPATH": os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "analysis", *map(str, argv)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env=env)
    return done, log.read_text().splitlines() if log.exists() else []


def test_commands_end_without_teardown_after_writing_everything(tmp_path):
    db = tmp_path / "demo.duckdb"
    made, seen = run(tmp_path, "demo", "--db", db, "--customers", "300", "--seed", "3", "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["customers"] == 300
    assert seen == GOOD_END

    shown, seen = run(tmp_path, "report", "--db", db, "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)  # whole: the last key is there
    assert list(report)[-1] == "messages"
    with duckdb.connect(str(db), read_only=True) as con:
        total, orders = con.execute("SELECT sum(amount), count(*) FROM transactions WHERE date <= ?",
                                    [report["as_of"]]).fetchone()
    assert report["revenue"] == round(float(total), 2) and report["transactions"] == orders
    assert seen == GOOD_END

    wrong, seen = run(tmp_path, "report", "--db", tmp_path / "nowhere.duckdb", "--json")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("error: ") and wrong.stderr.count("\n") == 1
    assert seen == GOOD_END
