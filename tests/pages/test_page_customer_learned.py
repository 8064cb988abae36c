"""The Customer page of a persuadable customer without every customer's facts (issue 15 §1:
the page in well under a second at a million customers). A manager looks at the Action plan
(which stores the plan, and what the measured campaigns teach it), then opens on the
Customer page a customer whom the win-back campaign's uplift model calls persuadable. Their
suggestions are their rows of the stored plan, in its order, the learned one with the lift an
uplift model fitted here independently gives, and their revenue and orders those of their raw
purchase lines; reading every customer's facts, computing the whole scores and working out
a plan all fail while the page is open."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.customize.test_customer_alone import a_persuadable, without_every_customers_facts
from tests.customize.test_learned import WIN_BACK
from tests.pagetest import open_page


def digits(text: str) -> int:
    return int("".join(c for c in text if c.isdigit()))


def test_a_persuadable_customer_opens_without_every_customers_facts(demo_copy, monkeypatch):
    at = open_page(demo_copy, "actions")  # the Action plan stores the plan and the learning
    cid, stored, lift, revenue, orders = a_persuadable(demo_copy)  # the figures from the raw rows

    without_every_customers_facts(monkeypatch)
    at.switch_page("pages/customer.py").run()
    at.text_input(key="cu_search").set_value(cid).run()
    next(sb for sb in at.selectbox if sb.label == "Customer").set_value(cid).run()
    assert not at.exception, at.exception

    metrics = {m.label: m.value for m in at.metric}
    assert digits(metrics["Revenue (all time)"]) == int(revenue.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert digits(metrics["Orders"]) == orders
    shown = next(d.value for d in at.dataframe if "Action" in d.value.columns).astype(str).to_dict(orient="records")
    assert len(shown) == len(stored)
    learned = [a for a in shown if a["Why"].startswith(f"In the “{WIN_BACK}” test")]
    assert len(learned) == 1 and shown.index(learned[0]) == stored.index(("win_back", "persuadable"))
    points = float(re.search(r"answered ([0-9.]+) points more often", learned[0]["Why"]).group(1))
    assert points == pytest.approx(100 * lift, abs=0.051)
