"""The ideal customer profile after an import (issue 15 §2): a manager imports her customer
list, her orders and her contacts on the Data page, opens the Segments page and its *Ideal
customer profile* tab. The top customers, every lift of the chart and the look-alikes' scores
equal the ones computed here from her own CSV rows; and the tab is computed in the engine:
no frame larger than the top customers (the ones a lift bar lists) reaches pandas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
import re

import pandas as pd
import pytest

from tests.pagetest import import_files
from tests.pages.test_page_clv import values

AS_OF = dt.date(2024, 6, 30)
SEED = 5


def _files(seed: int = SEED) -> tuple[dict[str, bytes], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three CSV files and their rows (customers, orders, contacts)."""
    rng = random.Random(seed)
    print("seed", seed)
    regions, industries, channels = ["North", "South", "East", ""], ["Retail", "Wholesale"], ["Web", "Store"]
    customers = [{"customer_id": f"K{n:03d}", "name": f"Shop {n}", "region": rng.choice(regions),
                  "industry": rng.choice(industries), "channel": rng.choice(channels)} for n in range(1, 41)]
    orders, order = [], 7000
    for n in range(1, 33):  # K001-K032 buy; K033-K036 are only contacted; K037-K040 only listed
        recent = n <= 28  # K029-K032 bought two years ago only: inactive, with an order size
        for _ in range(rng.randint(1, 5)):
            order += 1
            day = (AS_OF - dt.timedelta(days=rng.randint(0, 300))) if recent else dt.date(2022, rng.randint(1, 12), 3)
            orders.append({"order_id": f"O{order}", "customer_id": f"K{n:03d}", "date": day.isoformat(),
                           "amount": f"{rng.randint(1000, 90000) / 100:.2f}",
                           "category": rng.choice(["Paper", "Ink", "Desks"])})
    orders[0]["date"] = AS_OF.isoformat()  # the last day of the data: the as-of date
    contacts = [{"customer_id": f"K{n:03d}", "date": "2024-03-01", "kind": "call"} for n in range(33, 37)]
    files = {}
    for name, rows in (("customers.csv", customers), ("orders.csv", orders), ("contacts.csv", contacts)):
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        files[name] = out.getvalue().encode()
    return files, pd.DataFrame(customers), pd.DataFrame(orders), pd.DataFrame(contacts)


def _expected(customers: pd.DataFrame, orders: pd.DataFrame) -> dict:
    """The profile computed from the rows: the top 20% of active customers by revenue in the
    last 12 months, each attribute value's counts and lift, every candidate's score (naive
    Bayes with Laplace smoothing, as the module docstring of analysis.differentiate.icp says)."""
    o = orders.assign(amount=orders["amount"].astype(float), date=pd.to_datetime(orders["date"]).dt.date)
    o = o[o["date"] <= AS_OF]
    start = dt.date(AS_OF.year - 1, AS_OF.month, AS_OF.day)
    window = o[o["date"] > start].groupby("customer_id")["amount"].sum()
    active = window.index.tolist()
    ranked = sorted(active, key=lambda c: (-round(window[c], 2), c))
    n_top = math.ceil(len(active) * 0.2 - 1e-9)
    top = set(ranked[:n_top])
    medium = set(ranked[:math.ceil(len(active) * 0.2 - 1e-9)])
    listed = customers.set_index("customer_id")
    revenue = o.groupby("customer_id")["amount"].sum()
    orders_n = o.groupby("customer_id")["order_id"].nunique()
    by_cat = o.groupby(["customer_id", "category"])["amount"].sum().round(2).reset_index()
    main = by_cat.sort_values(["customer_id", "amount", "category"], ascending=[True, False, True]) \
        .drop_duplicates("customer_id").set_index("customer_id")["category"]
    aov = (revenue / orders_n).sort_index()
    buyers = sorted(aov.index, key=lambda c: (aov[c], c))
    size, extra = divmod(len(buyers), 3)  # ntile(3): the first `extra` bands one longer
    band, at = {}, 0
    for b in range(3):
        n = size + (1 if b < extra else 0)
        for c in buyers[at:at + n]:
            band[c] = b
        at += n
    candidates = [c for c in listed.index if c not in revenue.index and c in {"K033", "K034", "K035", "K036"}]
    candidates += [c for c in active if c not in medium]  # small: active beyond the first 20% (top, big, medium)

    def value(c: str, attr: str):
        if attr == "order_size":
            return band.get(c, "?")
        if attr == "main_category":
            return main.get(c, "?")
        v = listed[attr].get(c) if c in listed.index else None
        return "?" if v is None or v != v or v == "" else v

    attrs = ["region", "industry", "channel", "main_category", "order_size"]
    rest = [c for c in active if c not in top]
    lifts, weights = {}, {}
    for attr in attrs:
        values = {value(c, attr) for c in active}
        for v in values:
            a, b = sum(value(c, attr) == v for c in top), sum(value(c, attr) == v for c in rest)
            lifts[(attr, v)] = (a / n_top) / (b / len(rest)) if b else None
            w = math.log(((a + 1) / (n_top + len(values))) / ((b + 1) / (len(rest) + len(values))))
            if v != "?":
                weights[(attr, v)] = w
    scores = {c: sum(weights.get((attr, value(c, attr)), 0.0) for attr in attrs) for c in candidates}
    return {"top": top, "rest": len(rest), "lifts": lifts, "scores": scores, "band": band, "value": value}


@pytest.fixture()
def imported(demo_copy):
    files, customers, orders, contacts = _files()
    at = import_files(demo_copy, "icp", list(files.items()))
    return at, _expected(customers, orders)


def test_a_manager_opens_the_ideal_customer_profile_after_an_import(imported, monkeypatch):
    import ibis.backends.duckdb as duck

    at, expected = imported
    at.switch_page("pages/segments.py").run()
    assert not at.exception, at.exception
    # every frame of customers the engine gives pandas while the tab is computed: (rows, columns)
    sizes: list[tuple[int, set]] = []
    execute = duck.Backend.execute

    def counted(self, *args, **kwargs):
        found = execute(self, *args, **kwargs)
        if "customer_id" in getattr(found, "columns", ()):
            sizes.append((len(found), set(found.columns)))
        return found

    monkeypatch.setattr(duck.Backend, "execute", counted)
    at.session_state["seg_tab"] = "Ideal customer profile"
    at.run()
    monkeypatch.undo()
    assert not at.exception, at.exception

    intro = next(m.value for m in at.markdown if "of active customers by revenue" in m.value)
    top, rest = (int(n) for n in re.search(r"\((\d+) customers\) against the other (\d+)", intro).groups())
    assert (top, rest) == (len(expected["top"]), expected["rest"])
    # the engine kept the customers' rows: what reached pandas is the top customers (whom a
    # lift bar lists) and the look-alikes shown, scored there
    assert sizes and all(n <= top or ("score" in columns and n <= 50) for n, columns in sizes), sizes

    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if "lift" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    bars = {cd[0]: x for cd, x in zip(chart["data"][0]["customdata"], values(chart["data"][0]["x"]))}
    want = {}
    for (attr, v), lift in expected["lifts"].items():
        if lift is None or attr == "order_size":
            continue
        want[f"{attr}={'(unknown)' if v == '?' else v}"] = lift
    shown = {k: x for k, x in bars.items() if not k.startswith("order_size=")}
    assert shown.keys() == want.keys()
    for k, lift in want.items():
        assert shown[k] == pytest.approx(lift, rel=1e-12), k
    sizes_shown = sorted(x for k, x in bars.items() if k.startswith("order_size="))
    assert sizes_shown == pytest.approx(sorted(
        lift for (attr, _), lift in expected["lifts"].items() if attr == "order_size" and lift is not None))

    looks = next(d.value for d in at.dataframe if "Look-alike score" in d.value.columns)
    scores = expected["scores"]
    best = sorted(scores, key=lambda c: (-scores[c], c))
    assert list(looks["Customer"]) == best[:len(looks)]
    assert looks["Look-alike score"].tolist() == pytest.approx([scores[c] for c in best[:len(looks)]], abs=1e-9)

    # a bar lists the top customers with that value
    region = max((k for k in bars if k.startswith("region=North")), default=None) or next(
        k for k in bars if k.startswith("region="))
    at.selectbox(key="icp_trait").set_value(region).run()
    assert not at.exception, at.exception
    listed = next(d.value for d in at.dataframe if "Main category" in d.value.columns)
    value = region.split("=", 1)[1]
    assert set(listed["Customer"]) == {c for c in expected["top"] if expected["value"](c, "region") == value}
