"""The app's first screen (issue 15 §2: under 3 s): a manager opens the app on a workspace and
reads the Overview; the figures are right and nothing the first screen does not need is
loaded (SciPy and scikit-learn take seconds to import; they wait for the page that needs them).

Run in a fresh interpreter: the test process itself has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]

OPEN_FIRST_SCREEN = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=300)
at.session_state["workspace_path"] = sys.argv[2]
at.run()
print(json.dumps({
    "errors": [str(e.value) for e in at.exception],
    "title": at.title[0].value if at.title else None,
    "metrics": {m.label: m.value for m in at.metric},
    "loaded": sorted(m for m in ("sklearn", "scipy", "jinja2", "kaleido", "pyspark") if m in sys.modules),
}))
"""


def open_first_screen(db: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", OPEN_FIRST_SCREEN, str(ROOT / "app.py"), str(db)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def digits(text: str) -> int:
    return int("".join(c for c in text if c.isdigit()))


def test_first_screen_shows_the_overview_without_loading_the_models(demo_copy):
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the figures from the raw rows
        customers = con.execute("SELECT count(*) FROM (SELECT customer_id FROM customers UNION "
                            "SELECT customer_id FROM transactions WHERE customer_id IS NOT NULL "
                            "UNION SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL)").fetchone()[0]
        revenue = con.execute("SELECT sum(amount) FROM transactions WHERE customer_id IS NOT NULL").fetchone()[0]
    shown = open_first_screen(demo_copy)
    assert shown["errors"] == []
    assert shown["title"].endswith("Overview")
    assert digits(shown["metrics"]["Customers"]) == customers
    assert digits(shown["metrics"]["Revenue"]) == int(Decimal(revenue).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # the first screen waits for none of the models' libraries
    assert shown["loaded"] == []


def test_first_screen_computes_the_customer_facts_once(demo_copy, monkeypatch):
    """The headline figures and the region, industry and channel breakdowns read one
    computation of the per-customer facts (each used to compute them again: seconds apiece
    for a million customers); the breakdowns' figures are those of the raw rows."""
    from analysis.identify import facts
    from tests.pagetest import open_page

    built = []
    original = facts._customer_facts
    monkeypatch.setattr(facts, "_customer_facts", lambda *a, **k: built.append(a[1:]) or original(*a, **k))
    at = open_page(demo_copy)
    assert len(built) == 1, built
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # customers per region, from the raw rows
        regions = dict(con.execute(
            "SELECT coalesce(c.region, '(unknown)'), count(*) FROM (SELECT customer_id FROM customers UNION "
            "SELECT customer_id FROM transactions WHERE customer_id IS NOT NULL UNION "
            "SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL) u "
            "LEFT JOIN customers c USING (customer_id) GROUP BY 1").fetchall())
    bars = [json.loads(c.proto.spec)["data"][0].get("customdata") or [] for c in at.get("plotly_chart")]
    by_region = next(b for b in bars if b and {row[0] for row in b} == set(regions))
    assert {row[0]: row[1] for row in by_region} == regions
