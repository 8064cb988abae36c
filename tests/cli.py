"""The CLI run inside the test process, as a person types it (``python -m analysis ...``).

``run`` gives (exit code, stdout, stderr); ``ok_json`` the JSON a command printed, failing
the test with the command's stderr when it did not succeed; ``run_json`` adds ``--json``
to the arguments first. Arguments may be paths or numbers: they are passed as text.
``import_shop`` saves a shop's orders as a CSV file and imports it, as its owner would.
"""

import json
from pathlib import Path

import pandas as pd

from analysis.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok_json(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


def run_json(capsys, *argv):
    return ok_json(capsys, *argv, "--json")


def import_shop(capsys, folder: Path, orders: pd.DataFrame) -> Path:
    """The workspace ``folder``/shop.duckdb, made by ``ingest`` of ``orders`` saved as orders.csv."""
    src, db = folder / "orders.csv", folder / "shop.duckdb"
    orders.to_csv(src, index=False)
    ok_json(capsys, "ingest", src, "--db", db, "--json")
    return db
