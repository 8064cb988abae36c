"""A manager imports her shop's orders and her service desk's contacts on the Data page: the
step after the import stores the action plan's history inputs with the scores (issue 15 §1),
before any plan is asked for; the Action plan page then reads them, and its figures for
complaints match the contacts she imported."""

from __future__ import annotations

import csv
import io
import random

from analysis.store import Workspace
from tests.pagetest import import_files


def _files(seed: int = 11) -> tuple[bytes, bytes, set[str]]:
    """(orders CSV, contacts CSV, the customers whose latest complaint is still open)."""
    rng = random.Random(seed)
    orders, contacts = io.StringIO(), io.StringIO()
    o, c = csv.writer(orders), csv.writer(contacts)
    o.writerow(["Order", "Customer", "Date", "Amount"])
    c.writerow(["Customer", "Date", "Type", "Outcome"])
    order, still_open = 5000, set()
    for n in range(50):
        cid = f"S{n:03d}"
        for _ in range(rng.randint(1, 6)):
            order += 1
            o.writerow([order, cid, f"2025-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                        f"{rng.randint(900, 90000) / 100:.2f}"])
        if n % 3 == 0:  # a complaint in December; every other one resolved a week later
            c.writerow([cid, f"2025-12-{1 + n % 10:02d}", "complaint", ""])
            if n % 2 == 0:
                c.writerow([cid, f"2025-12-{8 + n % 10:02d}", "resolution", "resolved"])
            else:
                still_open.add(cid)
    return orders.getvalue().encode(), contacts.getvalue().encode(), still_open


def _digits(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def test_an_import_stores_the_history_inputs_and_the_plan_counts_open_complaints(demo_copy):
    orders, contacts, still_open = _files()
    at = import_files(demo_copy, "desk", [("orders.csv", orders), ("contacts.csv", contacts)])

    db = demo_copy.parent / "desk.duckdb"
    with Workspace(db, read_only=True) as ws:  # stored before any plan is asked for
        kinds = {k for (k,) in ws.cursor().execute("SELECT DISTINCT kind FROM results").fetchall()}
        assert {"scores", "action_inputs"} <= kinds
        stored = ws.cursor().execute("SELECT count(*) FROM results").fetchone()[0]
        contacts_kept = ws.cursor().execute("SELECT count(*) FROM interactions").fetchone()[0]
    assert contacts_kept == contacts.count(b"\n") - 1

    at.switch_page("pages/actions.py").run()
    assert not at.exception, at.exception
    at.multiselect(key="ac_action").set_value(["complaint_follow_up"]).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    # one follow-up per customer whose complaint no later resolution closed, counted from her file
    assert _digits(metrics["Suggested actions"]) == len(still_open)
    assert _digits(metrics["Customers"]) == len(still_open)
    table = at.dataframe[-1].value
    assert set(table["Customer"]) == still_open
    with Workspace(db, read_only=True) as ws:  # the plan read the stored inputs: none computed again
        kinds_after = [k for (k,) in ws.cursor().execute(
            "SELECT kind FROM results WHERE kind = 'action_inputs'").fetchall()]
    assert len(kinds_after) == 1
    assert stored >= 2
