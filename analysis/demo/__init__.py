"""The demo company: Northwind Office Supply, a made-up distributor of office and tech goods.

``build_demo(ws)`` writes a deterministic company (same seed, byte-identical tables) into an
empty workspace in one transaction, so a consultant can run a one-to-one marketing workshop
(Peppers & Rogers' IDIC) without real data. Everything is drawn with vectorised NumPy from a
small generative model; it builds in a few seconds.

What a workshop will find in it (default seed, 6,000 listed customers, 2.5 years to 2026-06-30):

* **Identify.** ~86% buyers, ~10% prospects (listed, contacted, never bought) and ~4% suspects
  (listed, never contacted). Companies in 8 industries, 5 regions, 3 channels (Direct sales,
  Online, Partner) plus ~10% private persons (B2C, industry left empty, mostly Online).
  Emails are missing for ~6% of customers and phones for ~10% (more for suspects).
* **Differentiate by value.** Order values are log-normal per customer and purchase rates
  gamma-distributed, so revenue is heavy-tailed: the top 20% of buyers bring about three
  quarters of net revenue (74% with the default seed), and a handful of key accounts (Direct sales, never lapse) sit on top of the
  pyramid. ~40% of customers carry a ``wallet`` (estimated annual spend potential); the share
  of wallet ranges from a few per cent (growable: big wallet, small spend -> MGCs) to nearly all.
* **Differentiate by behaviour.** Purchases follow the BG/NBD story (Fader, Hardie & Lee 2005):
  Poisson purchasing at a gamma-distributed rate, and after each repeat purchase the customer
  drops out with a beta-distributed probability, so recency/frequency and P(alive) vary widely
  and a BG/NBD + Gamma-Gamma fit is sensible. Monthly seasonality: Q4 peak, July dip,
  back-to-school bump in August-September; B2B orders fall on weekdays.
  About 3% of loyal buyers *fall* sharply in the last 12 months (attitude change, lower
  satisfaction, more complaints: at-risk) and about 3% *rise* (growth accounts).
* **Needs and cross-sell.** Orders have 1-4 lines across 6 categories (Electronics, Office
  Supplies, Furniture, Software, Printing, Services) with 8 products each. Each customer has
  its own category mix drawn around an industry profile (Technology leans to Electronics and
  Software, Education to Office Supplies and Printing, Hospitality to Furniture, ...), and
  companion categories co-occur in orders (Electronics -> Software, Furniture -> Services,
  Printing -> Office Supplies), so co-purchase rules and cluster personas are meaningful.
* **Refunds.** ~1.5% of lines are refunds: negative amount and quantity, same customer,
  product and ``order_id`` as an earlier purchase, 3-40 days later; about half come with a
  complaint.
* **Below-zero customers.** ~1% of buyers spend little but complain often, return much and
  take many contacts: their cost to serve exceeds their value.
* **Interact.** Interactions (ids 1..n in time order, weekday office hours 08:00-17:59):
  sales contacts (phone, email, chat, web) with outcomes ``interested``, ``not interested``,
  ``order placed``, ``quote sent``, ``callback requested``, ``no answer``; visits for Direct
  sales accounts; complaints (more frequent for dissatisfied customers), each followed by a
  resolution contact with outcome ``resolved`` a few days later, except some recent ones
  and a few forgotten older ones, always the customer's latest complaint, still ``open``
  (outcome ``open`` or NULL on the complaint, no resolution contact yet);
  satisfaction surveys on a 1-5 scale (``scale`` = 5) for ~55% of buyers, several for some
  (the latest counts). Satisfaction is a latent trait per customer: low for complainers and
  for customers who lapse (it raises the drop-out probability), falling for the at-risk
  group, independent of value, so the satisfaction-by-volume matrix has all four cells.
  ``recorded_by`` is the region's account manager, "web form" or "survey tool". Notes are
  short English sentences; some contain & < > ' and " to exercise escaping.

The package: :mod:`.company` (what the company is made of: regions, industries, categories,
products, seasons, names), :mod:`.customers`, :mod:`.purchases`, :mod:`.contacts` (each draws
its part), and here the writer (:func:`build_demo`) and :func:`generate`, which draws the
parts from one seeded random stream in a fixed order (the tables stay byte-identical run to
run: the order of the draws is the seed's, so it is written in one place).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.demo.company import CATEGORIES, CHANNELS, COMPANY_NAME, CURRENCY, INDUSTRIES, REGIONS, _DAY
from analysis.demo.contacts import _draw_interactions
from analysis.demo.customers import _customer_frame, _draw_customers
from analysis.demo.purchases import _draw_lines, _draw_orders
from analysis.errors import UserError
from analysis.store import Workspace

__all__ = ["CATEGORIES", "CHANNELS", "COMPANY_NAME", "CURRENCY", "DEMO_COMPANY", "DEMO_NOTE", "INDUSTRIES", "REGIONS",
           "build_demo", "generate", "is_demo"]

# The workspace note that marks the demo company (its value: the company's name), so the app
# can say on its first screen that the figures are invented.
DEMO_NOTE = "demo_company"
DEMO_COMPANY = COMPANY_NAME


def is_demo(ws: Workspace) -> bool:
    """Whether ``ws`` holds the demo company (written by :func:`build_demo`)."""
    return ws.get_note(DEMO_NOTE) is not None


def build_demo(
    ws: Workspace,
    seed: int = 20261123,
    n_customers: int = 6000,
    end: date = date(2026, 6, 30),
    years: float = 2.5,
) -> dict:
    """Write Northwind Office Supply into the empty workspace ``ws`` in one transaction.

    The workspace's currency becomes :data:`CURRENCY`. Returns the row counts
    ``{"customers", "transactions", "interactions"}``. Raises
    :class:`UserError` when the workspace already holds data. Same seed, same tables.
    """
    for table in ("customers", "transactions", "interactions"):
        if ws.count(table):
            raise UserError(
                f"workspace {ws.path} already has data in table '{table}'; "
                "the demo company can only be written into an empty workspace"
            )
    if n_customers < 100:
        raise UserError(f"n_customers is {n_customers}; the demo needs at least 100 customers")
    if years < 1:
        raise UserError(f"years is {years}; the demo needs at least 1 year of history")
    customers, transactions, interactions = generate(seed, n_customers, end, years)
    with ws.transaction() as cur:
        ws.append(cur, "customers", customers)
        ws.append(cur, "transactions", transactions)
        ws.append(cur, "interactions", interactions)
        ws.set_currency(CURRENCY, cur)
        ws.set_note(DEMO_NOTE, DEMO_COMPANY, cur)
    from analysis.interact.campaigns.demo import add_demo_campaigns

    responses = add_demo_campaigns(ws, seed)  # two past campaigns; the purchases the one that worked brought
    return {
        "customers": len(customers),
        "transactions": len(transactions) + responses,
        "interactions": len(interactions),
    }


def generate(
    seed: int, n_customers: int, end: date, years: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three demo tables as DataFrames (customers, transactions, interactions)."""
    rng = np.random.default_rng(seed)
    end_day = np.datetime64(end, "D")
    start_day = end_day - np.timedelta64(int(round(years * 365.25)), "D")
    horizon = float((end_day - start_day) / _DAY)  # days; day numbers below are from start_day

    cust = _draw_customers(rng, n_customers, horizon)
    orders = _draw_orders(rng, cust, horizon, start_day)
    lines = _draw_lines(rng, cust, orders, start_day, end_day)
    inter = _draw_interactions(rng, cust, orders, lines, horizon, start_day)
    customers = _customer_frame(rng, cust, lines["annual_spend"], start_day)
    return customers, lines["frame"], inter
