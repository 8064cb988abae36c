"""Two survey answers recorded for the same moment (a form re-sent, a score corrected the same
day): the customer's latest satisfaction is the one recorded last, every time.

Found at a million customers: two stores of the same data gave one customer a satisfaction
of 3 then 2 (5-point equivalent), so the matrix cell and the plan changed by one row."""

import pandas as pd

from tests.cli import ok_json


def _files(folder):
    """Twenty customers who each bought twice and answered two surveys stamped with the same
    minute: first 2 of 5, then, recorded after it, 9 of 10."""
    ids = [f"S{n:03d}" for n in range(20)]
    orders = pd.DataFrame([{"customer_id": c, "date": d, "amount": "25.00"}
                           for c in ids for d in ("2025-01-10", "2025-03-10")])
    contacts = pd.DataFrame([row for c in ids for row in (
        {"customer_id": c, "date": "2025-03-20 10:30", "kind": "survey", "satisfaction": 2, "scale": 5},
        {"customer_id": c, "date": "2025-03-20 10:30", "kind": "survey", "satisfaction": 9, "scale": 10},
    )])
    orders.to_csv(folder / "orders.csv", index=False)
    contacts.to_csv(folder / "surveys.csv", index=False)
    return ids


def test_the_survey_recorded_last_is_the_customers_satisfaction_whatever_the_engine_reads_first(tmp_path, capsys):
    ids = _files(tmp_path)
    db = tmp_path / "shop.duckdb"
    ok_json(capsys, "ingest", tmp_path / "orders.csv", "--db", db, "--json")
    done = ok_json(capsys, "ingest", tmp_path / "surveys.csv", "--db", db, "--table", "interactions", "--json")
    assert done["rows"] == 40 and done["skipped"] == 0, done
    for cid in ids:
        profile = ok_json(capsys, "customer", cid, "--db", db, "--json")["profile"]
        assert profile["satisfaction_5"] == 4.5, (cid, profile["satisfaction_5"])  # 9 of 10, not 2 of 5
