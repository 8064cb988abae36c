"""Scores are computed and stored right after an import, under a progress bar that names
each stage (issue 15 §2), so no page computes them silently later."""

import csv
import io
import random
from decimal import Decimal

from analysis.store import Workspace
from tests.pagetest import open_page


def _sales_csv(n_customers: int = 60, seed: int = 7) -> tuple[bytes, dict[str, Decimal]]:
    """A shop's export (order number, customer, date, amount) and each customer's total."""
    rng = random.Random(seed)
    out, totals = io.StringIO(), {}
    writer = csv.writer(out)
    writer.writerow(["Order", "Customer", "Date", "Amount"])
    order = 1000
    for c in range(n_customers):
        cid = f"K{c:03d}"
        for _ in range(rng.randint(1, 5)):
            order += 1
            amount = Decimal(rng.randint(500, 50000)) / 100
            writer.writerow([order, cid, f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{amount}"])
            totals[cid] = totals.get(cid, Decimal(0)) + amount
    return out.getvalue().encode(), totals


def test_an_import_stores_the_scores_with_their_stages_shown(demo_copy, monkeypatch):
    from ui.cached import scoring  # where the scores' computation calls the engine

    heard: list[tuple[str, float]] = []
    calls: list[bool] = []  # one per scoring, whether it had a progress bar
    score = scoring.score_customers

    def listening(*args, progress=None, **kwargs):
        calls.append(progress is not None)

        def report(stage, done):
            heard.append((stage, done))
            if progress is not None:
                progress(stage, done)
        return score(*args, progress=report if progress is not None else None, **kwargs)

    monkeypatch.setattr(scoring, "score_customers", listening)
    data, totals = _sales_csv()
    at = open_page(demo_copy, "data")
    at.text_input(key="data_new_name").set_value("shop").run()
    at.file_uploader(key="data_upload").set_value(("orders.csv", data, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception

    stages = [stage for stage, _ in heard]
    assert stages == ["Fitting the purchase and spend models (lifetime value)", "Estimating wallets",
                      "Per-customer facts, tiers, matrix cells and RFM segments", "Finding clusters and personas",
                      "Storing the scores in the workspace", "Scores ready"]
    shares = [done for _, done in heard]
    assert shares == sorted(shares) and shares[0] == 0 and shares[-1] == 1

    with Workspace(demo_copy.parent / "shop.duckdb", read_only=True) as ws:  # stored: what the pages read
        keys = [k for (k,) in ws.cursor().execute("SELECT result_key FROM results WHERE kind = 'scores'").fetchall()]
        assert len(keys) == 1
        frame = ws.load_result(keys[0])[0]["frame"]
    revenue = dict(zip(frame["customer_id"], frame["revenue"]))
    assert set(revenue) == set(totals)
    assert all(round(Decimal(str(revenue[c])), 2) == totals[c] for c in totals)

    assert calls == [True]
    at.switch_page("pages/pyramid.py").run()  # a page after the import: nothing computed again
    at.switch_page("pages/value.py").run()
    assert not at.exception, at.exception
    assert calls == [True]
