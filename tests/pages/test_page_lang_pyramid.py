"""The Customer pyramid's moves between tiers, as Peppers & Rogers define the tiers: a suspect
one window ago was listed then, and had neither bought nor been contacted; a customer the data
did not know yet (not listed, or signed up later; no purchase, no contact) is new since then.
The labels say so in both languages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pandas as pd

from tests.pagetest import import_files, open_page

# (customer, signup date ("" when listed without one; None when not on the list), purchase dates)
PEOPLE = [
    ("K01", "2021-03-02", ["2024-05-03"]),  # listed long ago, first purchase this year
    ("K02", "2021-04-11", []),  # listed long ago, never bought
    ("K03", "2024-02-01", ["2024-05-20"]),  # signed up this year, then bought
    ("K04", "2024-03-15", []),  # signed up this year, nothing since
    ("K05", None, ["2024-06-01"]),  # a walk-in buyer, not on the list
    ("K06", "2020-09-09", ["2022-11-05", "2024-04-04"]),  # bought in both years
    ("K07", "2020-10-10", ["2023-01-15"]),  # bought last year only
    ("K08", "", ["2024-05-10"]),  # on the list without a signup date (as an import fills it), bought this year
    ("K09", "", []),  # on the list without a signup date, never bought
]


def _files() -> list[tuple[str, bytes]]:
    people, orders = io.StringIO(), io.StringIO()
    c, o = csv.writer(people), csv.writer(orders)
    c.writerow(["Customer ID", "Name", "Signup date"])
    o.writerow(["Customer ID", "Order", "Date", "Amount"])
    for n, (cid, signup, days) in enumerate(PEOPLE):
        if signup is not None:
            c.writerow([cid, f"Person {n}", signup])
        for k, day in enumerate(days):
            o.writerow([cid, f"O{n}{k}", day, f"{40 + 7 * n + k}.50"])
    return [("customers.csv", people.getvalue().encode()), ("orders.csv", orders.getvalue().encode())]


def _tier_then(signup: str | None, days: list[str], then: dt.date) -> str:
    """The tier one window ago as the definitions give it, from the rows alone."""
    bought = [d for d in days if dt.date.fromisoformat(d) <= then]
    if bought:
        start = then - pd.DateOffset(months=12)
        return "active" if any(dt.date.fromisoformat(d) > start.date() for d in bought) else "inactive"
    if signup and dt.date.fromisoformat(signup) <= then:
        return "suspect"  # on the list then
    if signup == "" and not days:
        return "suspect"  # listed, date unknown, nothing since: still only listed
    return "(new)"  # not on the list then, or first heard of by a later purchase


def test_customers_who_joined_since_are_new_since_then_not_suspects_in_both_languages(demo_copy):
    import_files(demo_copy, "moves", _files())
    shop = demo_copy.parent / "moves.duckdb"
    as_of = max(dt.date.fromisoformat(d) for _, _, days in PEOPLE for d in days)
    then = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date()
    expected = {cid: _tier_then(signup, days, then) for cid, signup, days in PEOPLE}
    suspects, new = sum(v == "suspect" for v in expected.values()), sum(v == "(new)" for v in expected.values())
    assert (suspects, new) == (3, 4)

    for lang, new_label, suspect_label in (("en", "new since then", "suspect"), ("zh", "此后新增", "疑似客户")):
        at = open_page(shop, "pyramid", params={"lang": lang})
        grid = json.loads(at.get("plotly_chart")[1].proto.spec)
        cells: dict[str, int] = {}
        for row in grid["data"][1]["customdata"]:
            cells[row[0]] = row[1]
        from_counts: dict[str, int] = {}
        for key, n in cells.items():
            from_counts[key.split("->")[0]] = from_counts.get(key.split("->")[0], 0) + n
        assert from_counts.get("suspect", 0) == suspects and from_counts.get("(new)", 0) == new
        assert new_label in grid["data"][0]["y"] and suspect_label in grid["data"][0]["y"]
        assert re.search(r"12", grid["layout"]["yaxis"]["title"]["text"])  # "Tier 12 months ago"
        sankey = json.loads(at.get("plotly_chart")[2].proto.spec)
        assert new_label in sankey["data"][0]["node"]["label"]
        picker = at.selectbox(key="pyr_move")
        labels = list(picker.options)  # as the manager reads them
        assert any(new_label in str(x) for x in labels)
        if lang == "zh":
            shown = " ".join([m.value for m in at.markdown] + [str(x) for x in labels] + [h.value for h in at.subheader])
            assert "新客户" not in shown and "one window" not in shown and "(new)" not in shown
