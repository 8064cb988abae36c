"""A random control group held out of a customer list (analysis.interact.campaigns.assign):
exact sizes per stratum by the stated rounding rule, reproducible from the seed, different
with another seed, and the user's path from the demo company's list to a stored split."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analysis.errors import UserError
from analysis.i18n import using
from analysis.interact.campaigns import CONTROL, TARGET, assign_control, new_seed
from analysis.interact.campaigns.assign import control_quota, group_sizes


def customer_list(sizes: dict[tuple, int]) -> pd.DataFrame:
    rows = []
    for (tier, cell), n in sizes.items():
        rows += [{"tier": tier, "cell": cell} for _ in range(n)]
    frame = pd.DataFrame(rows)
    frame.insert(0, "customer_id", [f"C{i:05d}" for i in range(len(frame))])
    return frame


SIZES = {("top", "high/high"): 7, ("top", None): 3, ("big", "high/high"): 41, ("big", "low/none"): 15,
         ("small", "medium/medium"): 333, ("small", None): 98, ("medium", "low/low"): 1, ("inactive", None): 502}


def expected_quota(sizes: list[int], share: str) -> list[int]:
    """The rule written out independently: floors, then the largest remainders (ties in order)."""
    p = Fraction(share)
    exact = [n * p for n in sizes]
    quota = [int(e) for e in exact]  # floor (non-negative)
    total = int(sum(exact) + Fraction(1, 2))  # N x share, halves up
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - quota[i]), i))
    for i in by_remainder[: total - sum(quota)]:
        quota[i] += 1
    return quota


@pytest.mark.parametrize("share", ["0.1", "0.29", "0.5", "0.05", "0.333"])
def test_each_stratum_holds_out_its_share_by_the_largest_remainder_rule(share):
    customers = customer_list(SIZES)
    seed = 20240601
    print("seed", seed)
    assignment = assign_control(customers, seed=seed, holdout=float(share))
    per = assignment.groupby(["tier", "cell"], dropna=False)["arm"].agg(
        customers="size", control=lambda a: int((a == CONTROL).sum()))
    # The strata in the order the rule breaks ties in: sorted by tier, then cell (missing last).
    strata = sorted(SIZES, key=lambda k: (k[0], k[1] is None, k[1] or ""))
    want = dict(zip(strata, expected_quota([SIZES[k] for k in strata], share)))
    got = {(tier, None if pd.isna(cell) else cell): int(c) for (tier, cell), c in per["control"].items()}
    assert got == want
    total = sum(SIZES.values())
    assert sum(got.values()) == int(total * Fraction(share) + Fraction(1, 2))
    for key, n in SIZES.items():  # each stratum: the floor or the ceiling of its exact share
        assert int(n * Fraction(share)) <= got[key] <= -(-n * Fraction(share) // 1)


def test_the_rounding_rule_on_small_numbers():
    # 5 x 10% = 0.5 twice and 10 x 10% = 1: two in all, the extra one to the first of the tied strata.
    assert control_quota([5, 5, 10], 0.1).tolist() == [1, 0, 1]
    # 0.29 is read as 29/100: 100 customers hold out 29, not 28.
    assert control_quota([100], 0.29).tolist() == [29]
    # 1,000 customers at 10%: 100 held out, 900 targeted (the example).
    assert control_quota([1000], 0.1).tolist() == [100]
    # Halves round up for the whole list: 15 x 10% = 1.5 -> 2.
    assert control_quota([15], 0.1).tolist() == [2]


def test_same_seed_same_split_whatever_the_row_order_and_another_seed_another_split():
    customers = customer_list(SIZES)
    first = assign_control(customers, seed=7)
    again = assign_control(customers, seed=7)
    pd.testing.assert_frame_equal(first, again)
    shuffled = customers.sample(frac=1.0, random_state=3)
    from_shuffled = assign_control(shuffled, seed=7)
    assert list(from_shuffled["customer_id"]) == list(shuffled["customer_id"])  # the input's order
    assert (from_shuffled.set_index("customer_id")["arm"].sort_index()
            .equals(first.set_index("customer_id")["arm"].sort_index()))
    other = assign_control(customers, seed=8)
    assert set(other.loc[other["arm"] == CONTROL, "customer_id"]) != set(first.loc[first["arm"] == CONTROL,
                                                                                      "customer_id"])
    # Same sizes per stratum whatever the seed: the rule does not depend on it.
    assert group_sizes(other).equals(group_sizes(first))


def test_every_customer_has_the_same_chance_of_the_control_group():
    customers = customer_list({("small", "a"): 120, ("small", "b"): 80})
    seeds = range(300)
    counts = sum((assign_control(customers, seed=s)["arm"] == CONTROL).to_numpy().astype(int) for s in seeds)
    chance = counts / len(seeds)
    assert chance.mean() == pytest.approx(0.1)
    assert chance.min() > 0.03 and chance.max() < 0.19  # binomial(300, 0.1): 30 +- 5.2 per customer


def test_the_assignment_frame():
    customers = customer_list({("top", "high/high"): 4, ("top", None): 6})
    customers["email"] = "x@example.com"  # other columns are not carried
    a = assign_control(customers, seed=1, holdout=0.5)
    assert list(a.columns) == ["customer_id", "tier", "cell", "stratum", "arm"]
    assert set(a["arm"]) == {TARGET, CONTROL}
    assert json.loads(a["stratum"].iloc[0]) == ["top", "high/high"]
    assert json.loads(a["stratum"].iloc[-1]) == ["top", None]
    sizes = group_sizes(a)
    assert sizes.to_dict("records")[-1] == {"stratum": "total", "customers": 10, "target": 5, "control": 5}
    plain = assign_control(customers, seed=1, by=())
    assert list(plain.columns) == ["customer_id", "stratum", "arm"]
    assert (plain["arm"] == CONTROL).sum() == 1
    # Numeric ids and a tier column mixing numbers and words still work.
    mixed = pd.DataFrame({"customer_id": [101, 102, 103, 104], "tier": [1, "a", 1, "a"], "cell": ["x"] * 4})
    out = assign_control(mixed, seed=2, holdout=0.5)
    assert out["customer_id"].tolist() == ["101", "102", "103", "104"]
    assert out.groupby("stratum")["arm"].apply(lambda s: (s == CONTROL).sum()).tolist() == [1, 1]


def test_new_seed_is_a_storable_whole_number():
    seeds = {new_seed() for _ in range(20)}
    assert all(isinstance(s, int) and 0 <= s < 2**31 for s in seeds)
    assert len(seeds) > 1


@pytest.mark.parametrize("kwargs, words", [
    ({"holdout": 0}, "between 0 and 1"), ({"holdout": 1.0}, "not 1.0"), ({"holdout": "ten"}, "not ten"),
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"by": ("tier", "segment")}, "no column 'segment'"),
])
def test_mistakes_are_named(kwargs, words):
    customers = customer_list({("top", "a"): 5})
    with pytest.raises(UserError, match=words):
        assign_control(customers, **{"seed": 1, **kwargs})


def test_a_customer_twice_or_an_empty_list_is_refused_in_either_language():
    twice = pd.DataFrame({"customer_id": ["A", "B", "A"], "tier": "top", "cell": "x"})
    with pytest.raises(UserError, match="Customer A is in the list twice"):
        assign_control(twice, seed=1)
    with using("zh"), pytest.raises(UserError, match="客户 A 在名单中出现了两次"):
        assign_control(twice, seed=1)
    with pytest.raises(UserError, match="empty"):
        assign_control(twice.iloc[:0], seed=1)


def test_the_demo_companys_list_split_by_tier_and_cell(demo_db):
    """A manager takes the demo company's active customers (tier and matrix cell from the
    workspace's scores), holds out 10% and checks that both groups have the same mix."""
    from analysis.scores import score_customers
    from analysis.store import Workspace

    with Workspace(demo_db, read_only=True) as ws:
        frame = score_customers(ws).frame
    listed = frame.loc[frame["tier"].isin(["top", "big", "medium", "small"]), ["customer_id", "tier", "cell"]]
    seed = 4242
    assignment = assign_control(listed, seed=seed)
    n = len(listed)
    assert (assignment["arm"] == CONTROL).sum() == round(n * 0.1)
    # The mix: per (tier, cell) the control group's count is within one customer of 10%.
    joined = listed.merge(assignment[["customer_id", "arm"]], on="customer_id")
    per = joined.groupby(["tier", "cell"], dropna=False)["arm"].agg(["size", lambda a: (a == CONTROL).sum()])
    per.columns = ["customers", "control"]
    assert ((per["control"] - per["customers"] * 0.1).abs() < 1).all()
    # The top tier's share is the same in both groups, to within the rounding of its strata.
    top = joined[joined["tier"] == "top"]
    assert abs((top["arm"] == CONTROL).sum() - 0.1 * len(top)) <= per.loc["top"].shape[0]
