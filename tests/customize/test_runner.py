"""The runner in the engine with a customers table that is only in the engine (as on Spark):
a Python rule's ``when`` written as an Ibis condition pulls only its candidates, and an engine
rule's priority rounds halves to even as Python's ``round`` does."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from analysis.customize import runner
from analysis.customize.actions import ActionSettings, CustomerContext, Suggestion, rule, unregister

AS_OF = dt.date(2024, 7, 3)


def engine_only(frame: pd.DataFrame) -> runner.Customers:
    return runner.Customers(ibis.memtable(frame))


def test_a_python_rule_sees_only_the_rows_its_ibis_condition_picks():
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(10)], "visits": range(10),
                          "name": [f"N{i}" for i in range(10)]})
    seen = []

    @rule(id="frequent_visitor", kind="custom", title="Say hello", reason="{visits} visits",
          when=lambda t: t.visits >= 7)
    def frequent(c: CustomerContext) -> list[Suggestion]:
        seen.append(c.customer_id)
        return [c.suggestion("frequent_visitor", 10 + c.visits, due_days=3, channel="email")]

    try:
        customers = engine_only(frame)
        rows = runner.plan(customers, None, AS_OF, ActionSettings(), ["frequent_visitor"]).to_pandas()
        out = runner.render(rows, customers, AS_OF, ActionSettings())
    finally:
        unregister("frequent_visitor")
    assert sorted(seen) == ["c7", "c8", "c9"]
    assert list(out["customer_id"]) == ["c9", "c8", "c7"] and list(out["priority"]) == [19, 18, 17]
    assert list(out["reason"]) == ["9 visits", "8 visits", "7 visits"]
    assert list(out["due"]) == [AS_OF + dt.timedelta(days=3)] * 3 and list(out["name"]) == ["N9", "N8", "N7"]


def test_engine_priorities_round_halves_to_even_like_python():
    scores = [0.5, 1.5, 2.5, 44.5, 45.5, 45.49999, 99.5, 100.5, -3.2, 130.0, 61.2]
    frame = pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(len(scores))], "score": scores})

    @rule(id="scored", kind="custom", title="Scored", reason="{score}", condition=lambda t: t.score.notnull(),
          priority=lambda t: t.score, due_days=1, channel="email", capped=False)
    def scored(c: CustomerContext) -> dict:
        return {}

    try:
        rows = runner.plan(engine_only(frame), None, AS_OF, ActionSettings(), ["scored"]).to_pandas()
    finally:
        unregister("scored")
    got = dict(zip(rows["customer_id"], rows["priority"]))
    assert got == {f"c{i:02d}": int(max(0, min(100, round(s)))) for i, s in enumerate(scores)}
