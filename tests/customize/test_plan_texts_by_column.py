"""The whole action plan's titles and reasons written a column at a time.

A shop owner imports the order export, the customer list (with each customer's wallet) and
the contact log, then asks the command line for every suggestion to load into the CRM
(``actions --limit 0 --json``): each reason's figures (days since the last purchase, the
open complaints, the share of wallet) are recomputed here from the raw rows, and no Python
function of one customer runs per row for the built-in rules. On the demo, in Chinese, every
row's text equals the one :meth:`CustomerContext.texts` writes row by row. A user's own
rules keep working: one with only a Python body, one whose figure is a function of the
customers' columns, and one whose figures come from a function of one customer."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analysis import i18n
from analysis.cli import main
from analysis.customize import writing
from analysis.customize.actions import RULES, CustomerContext, rule, unregister
from analysis.customize.plan import all_actions, plan_rows
from analysis.settings import ActionSettings
from analysis.store import Workspace
from tests.customize.test_actions_cli import AS_OF, open_complaints, overdue, shop
from tests.differentiate.test_wallet_cli import run

SEED = 20261207


@pytest.fixture()
def counted(monkeypatch):
    """How many one-customer contexts the writing of texts builds."""
    built = []

    class Counting(CustomerContext):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(writing, "CustomerContext", Counting)
    return built


def customer_list(tmp_path, orders: pd.DataFrame) -> pd.DataFrame:
    """Every customer with a wallet of 1.5 to 6 times what they spent in the last year."""
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    spent = last_year(orders)
    ids = sorted(orders["customer_id"].unique())
    wallets = [f"{float(spent.get(c, Decimal(100))) * float(rng.uniform(1.5, 6.0)) + 50:.2f}" for c in ids]
    frame = pd.DataFrame({"customer_id": ids, "name": [f"Shop {c}" for c in ids], "wallet": wallets})
    frame.to_csv(tmp_path / "customers.csv", index=False)
    return frame


def last_year(orders: pd.DataFrame) -> pd.Series:
    """Each customer's revenue in the 12 months ending on the as-of date, summed exactly."""
    days = pd.to_datetime(orders["order_date"])
    inside = orders[(days > pd.Timestamp(AS_OF) - pd.DateOffset(months=12)) & (days <= pd.Timestamp(AS_OF))]
    return inside.groupby("customer_id")["amount"].agg(lambda a: sum(map(Decimal, a)))


def test_the_whole_plan_from_raw_files_carries_the_raw_figures_with_no_call_per_row(tmp_path, capsys, counted):
    orders, contacts = shop(tmp_path)
    listed = customer_list(tmp_path, orders)
    db = str(tmp_path / "shop.duckdb")
    for name, table in (("orders.csv", "transactions"), ("customers.csv", "customers"),
                        ("contacts.csv", "interactions")):
        assert main(["ingest", str(tmp_path / name), "--db", db, "--table", table]) == 0
    capsys.readouterr()

    plan = run(capsys, "actions", "--db", db, "--as-of", AS_OF.isoformat(), "--limit", "0", "--json")
    assert counted == [], "a Python context was built per row for the built-in rules"
    by = lambda action: {r["customer_id"]: r for r in plan if r["action"] == action}  # noqa: E731

    complaints = open_complaints(contacts)
    follow = by("complaint_follow_up")
    assert set(follow) == set(complaints) != set()
    for cid, r in follow.items():
        first = complaints[cid][0]
        assert r["reason"] == (f"Complaint of {first:%Y-%m-%d} ({(AS_OF - first.date()).days} days ago) has no "
                               f"resolution recorded; open complaints: {len(complaints[cid])}.")

    late, wins = overdue(orders), by("win_back")
    assert set(late) <= set(wins) and late
    for cid, (recency, gap) in late.items():
        assert wins[cid]["reason"].startswith(f"Last bought {recency} days ago; usually buys every {gap:.0f} days")

    wallet = dict(zip(listed["customer_id"], listed["wallet"].map(Decimal)))
    spent = last_year(orders)
    grow = by("grow_share_of_wallet")
    assert len(grow) >= 3
    for cid, r in grow.items():
        revenue = float(spent[cid])
        assert r["reason"] == (
            f"Most growable customer: revenue {revenue:,.0f} in the last 12 months is "
            f"{revenue / float(wallet[cid]):.0%} of an estimated wallet of {float(wallet[cid]):,.0f}."), r


def test_every_row_of_the_whole_plan_reads_as_written_row_by_row_in_chinese(demo_copy, counted):
    with Workspace(demo_copy) as ws, i18n.using("zh"):
        whole = all_actions(ws)
        plan = plan_rows(ws)
        rows = plan.rows.reset_index(drop=True)
        found = plan.customers.rows(rows["customer_id"]).set_index("customer_id")
    assert counted == []
    assert isinstance(whole["reason"].dtype, pd.StringDtype) and whole["reason"].dtype.storage == "pyarrow"
    assert len(whole) == len(rows) > 5000
    settings = ActionSettings()
    with i18n.using("zh"):
        notes = plan.lessons.notes if plan.lessons is not None else {}
        for i, r in enumerate(rows.itertuples(index=False)):
            row = found.loc[r.customer_id].to_dict()
            row["customer_id"] = r.customer_id
            c = CustomerContext(row, plan.as_of, settings)
            figures = {}
            if r.action == "complaint_follow_up":
                first = pd.Timestamp(row["open_complaint_at"])
                figures = dict(complaint_date=first, days_open=(plan.as_of - first.date()).days,
                               open_complaints=int(row["open_complaints"]))
            elif r.action == "grow_share_of_wallet" and r.text == "reason_wallet":
                figures = {"share_of_wallet": float(row["revenue_window"]) / float(row["wallet"])}
            elif r.action == "cross_sell":
                figures = {k: row[col] for k, col in RULES["cross_sell"].values.items()}
            if isinstance(r.title, str):  # a Python rule's row (a campaign's persuadable): written already
                expected = (r.title, r.reason)
            else:
                expected = c.texts(r.action, int(r.due_days), r.text, **figures)
            if r.action in notes:  # what the action's last campaign taught, after the reason
                expected = (expected[0], f"{expected[1]} {notes[r.action]}".strip())
            assert (whole["title"].iloc[i], whole["reason"].iloc[i]) == expected, (r.customer_id, r.action)
    assert set(rows["action"]) >= {"complaint_follow_up", "win_back", "cross_sell", "satisfaction_callback"}
    assert notes and rows["action"].isin(list(notes)).any()


@pytest.fixture()
def own_rules():
    """A user's rules in the three shapes README shows."""
    figure_calls = []

    def share(c):
        figure_calls.append(len(c.revenue_window))
        return c.revenue_window / c.wallet

    rule(id="big_spender_call", family="treatment", capped=False,
         condition=lambda t: (t.wallet > 0) & (t.revenue_window > 20000), priority=70, due_days=7,
         channel="phone", title="Call a big spender",
         reason="Revenue {revenue_window:,.0f} is {share:.0%} of their wallet; {orders:.0f} orders.",
         values={"share": share})(lambda c: None)
    rule(id="loyal_card", family="retention", capped=False, when=lambda f: f["orders"] >= 40,
         title="Send a card", reason="{orders:.0f} orders so far.")(
        lambda c: [c.suggestion("loyal_card", 30, due_days=14, channel="post")])
    rule(id="long_time", family="retention", capped=False, condition=lambda t: t.orders >= 40, priority=20, channel="email",
         title="Thank a customer of {years} years", reason="First bought on {first_purchase:%Y-%m-%d}.")(
        lambda c: {"years": c.as_of.year - pd.Timestamp(c.first_purchase).year})
    yield figure_calls
    for rid in ("big_spender_call", "loyal_card", "long_time"):
        unregister(rid)


def test_a_users_own_rules_write_their_reasons_whatever_their_shape(demo_copy, own_rules, counted):
    with Workspace(demo_copy) as ws:
        whole = all_actions(ws)
        plan = plan_rows(ws)
        found = plan.customers.rows(whole["customer_id"]).set_index("customer_id")
    as_of = plan.as_of

    big = whole[whole["action"] == "big_spender_call"]
    chosen = found[(found["wallet"] > 0) & (found["revenue_window"] > 20000)]
    assert set(big["customer_id"]) == set(chosen.index) != set()
    for cid, reason in zip(big["customer_id"], big["reason"]):
        f = found.loc[cid]
        assert reason == (f"Revenue {float(f['revenue_window']):,.0f} is "
                          f"{float(f['revenue_window']) / float(f['wallet']):.0%} of their wallet; "
                          f"{float(f['orders']):.0f} orders.")
    assert own_rules == [len(big)], "the figure is computed once for the rule's rows"

    cards = whole[whole["action"] == "loyal_card"]
    assert set(cards["customer_id"]) == set(found.index[found["orders"] >= 40]) != set()
    assert list(cards["reason"]) == [f"{float(found.loc[c, 'orders']):.0f} orders so far." for c in cards["customer_id"]]
    assert set(cards["title"]) == {"Send a card"}

    thanks = whole[whole["action"] == "long_time"]
    assert len(thanks) == len(cards) and len(counted) == len(thanks)  # a function of one customer: per row
    for cid, title, reason in zip(thanks["customer_id"], thanks["title"], thanks["reason"]):
        first = pd.Timestamp(found.loc[cid, "first_purchase"])
        assert title == f"Thank a customer of {as_of.year - first.year} years"
        assert reason == f"First bought on {first:%Y-%m-%d}."


def test_numbers_print_as_python_formats_them_to_the_last_character(counted):
    """Halves, negative zeros, missing values, amounts with their currency: each value of a
    column written with the template's spec is what ``str.format`` gives it."""
    values = [0.5, 1.5, 2.5, -0.5, -0.3, -0.0, 0.0, 0.3, 2.675, 1e16 + 2, -1234.5, 1234.5, np.nan,
              np.inf, 0.005, 0.015, -0.004, 0.12345, 99.995, 7.0, -7.49999]
    rule(id="formats", family="growth", condition=lambda t: t.p > -1e30, title="T", channel="email",
         reason="{p:,.0f}|{p:.0%}|{p:.1f}|{p:.2%}|{p}|{profit:,.0f}|{profit:.2f}|{when:%Y-%m-%d}|{word}",
         values={})(lambda c: None)
    try:
        n = len(values)
        found = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "p": values, "profit": values,
                              "when": pd.to_datetime(["2024-01-31", None, "2025-12-01"] * 7),
                              "word": ["tea", None, "茶"] * 7})
        rows = pd.DataFrame({"customer_id": found["customer_id"], "action": "formats", "rule": "formats",
                             "text": "reason", "due_days": 0, "title": None, "reason": None})
        settings = ActionSettings(currency="¥")
        titles, reasons = writing.write(rows, found, AS_OF, settings)
        assert isinstance(reasons.dtype, pd.StringDtype) and reasons.dtype.storage == "pyarrow"
        for i in range(n):
            row = found.iloc[i].to_dict()
            expected = CustomerContext(row, AS_OF, settings).texts("formats", 0)
            assert (titles[i], reasons[i]) == expected, values[i]
        assert reasons[3].startswith("-0|-50%|-0.5|") and "|-¥0|" in reasons[3]  # -0.5 rounds to -0
    finally:
        unregister("formats")
