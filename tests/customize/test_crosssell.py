"""Co-purchase rules across customers: support, confidence and lift by hand, and offers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.customize.crosssell import CoPurchaseModel, co_purchase_rules


def buys(pairs) -> pd.DataFrame:
    return pd.DataFrame([{"customer_id": c, "category": k, "amount": 10.0} for c, k in pairs])


def world() -> pd.DataFrame:
    """10 customers: 8 buy Furniture, 5 of them also Office; 2 buy only Office and Tech."""
    pairs = [(f"f{n}", "Furniture") for n in range(1, 9)]
    pairs += [(f"f{n}", "Office") for n in range(1, 6)]
    pairs += [("o1", "Office"), ("o1", "Tech"), ("o2", "Office"), ("o2", "Tech")]
    return buys(pairs)


def test_rules_match_counts_by_hand():
    rules = co_purchase_rules(world(), min_customers=1, min_confidence=0, min_lift=0).set_index(
        ["antecedent", "consequent"])
    f_o = rules.loc[("Furniture", "Office")]
    # n = 10, n_F = 8, n_O = 7, n_FO = 5
    assert f_o.customers_both == 5 and f_o.support == pytest.approx(0.5)
    assert f_o.confidence == pytest.approx(5 / 8) and f_o.lift == pytest.approx((5 / 8) / (7 / 10))
    o_f = rules.loc[("Office", "Furniture")]
    assert o_f.confidence == pytest.approx(5 / 7) and o_f.lift == pytest.approx((5 / 7) / (8 / 10))
    t_o = rules.loc[("Tech", "Office")]
    assert t_o.confidence == 1.0 and t_o.lift == pytest.approx(1 / 0.7)
    assert ("Furniture", "Tech") not in rules.index  # never bought together


def test_thresholds_decide_which_rules_are_usable():
    model = CoPurchaseModel(min_customers=2, min_confidence=0.6, min_lift=1.2).fit(world())
    usable = model.rules_[model.rules_["usable"]]
    assert set(zip(usable["antecedent"], usable["consequent"])) == {("Tech", "Office")}
    # Furniture->Office: confidence 0.625 but lift 0.89 (Office is common anyway)


def test_offer_is_the_best_unbought_category_with_its_evidence():
    pairs = [(f"a{n}", "A") for n in range(10)] + [(f"a{n}", "B") for n in range(6)]
    pairs += [(f"a{n}", "C") for n in range(3)] + [(f"z{n}", "Z") for n in range(10)]
    model = CoPurchaseModel(min_customers=3, min_confidence=0.2, min_lift=1.0).fit(buys(pairs))
    offers = model.recommend(buys(pairs)).set_index("customer_id")
    # a9 buys only A: B (confidence 0.6) beats C (0.3)
    assert offers.loc["a9", "category"] == "B" and offers.loc["a9", "antecedent"] == "A"
    assert offers.loc["a9", "confidence"] == pytest.approx(0.6)
    assert offers.loc["a9", "lift"] == pytest.approx(0.6 / (6 / 20))
    # a4 buys A and B: the offer is C, from whichever antecedent is more confident (B->C = 3/6)
    assert offers.loc["a4", "category"] == "C" and offers.loc["a4", "confidence"] == pytest.approx(0.5)
    assert "a0" not in offers.index  # bought everything related
    assert not any(i.startswith("z") for i in offers.index)  # Z goes with nothing


def test_refunds_and_missing_categories_are_not_purchases():
    t = pd.DataFrame({
        "customer_id": ["c1", "c1", "c2", "c2", "c3"],
        "category": ["A", "B", "A", None, "B"],
        "amount": [10.0, -10.0, 5.0, 5.0, 5.0],
    })
    model = CoPurchaseModel(min_customers=1, min_confidence=0, min_lift=0).fit(t)
    assert model.categories_ == ["A", "B"] and model.n_customers_ == 3
    assert model.rules_.empty  # c1's B was refunded: nobody has both


@pytest.mark.parametrize("n_categories", [6, 70])
def test_offers_are_the_brute_force_pick_for_every_customer(n_categories):
    """Random purchases: every customer's offer equals the best unbought consequent found by
    looping over the usable rules in Python (confidence, then lift, then category, then
    antecedent), and customers without one get none. With 70 categories the engine takes its
    other road (more categories than bits in one number)."""
    seed = 7
    print("seed", seed)
    rng = np.random.default_rng(seed)
    n, lines = (500, 4000) if n_categories == 6 else (300, 12000)
    names = [f"K{i:02d}" for i in range(n_categories)]
    weights = np.linspace(2.0, 1.0, n_categories) / np.linspace(2.0, 1.0, n_categories).sum()
    t = pd.DataFrame({"customer_id": rng.integers(0, n, lines).astype(str),
                      "category": rng.choice(names, lines, p=weights)})
    model = CoPurchaseModel(min_customers=5, min_confidence=0.1, min_lift=0.5).fit(t)
    got = model.recommend(t).set_index("customer_id")
    usable = [r for r in model.rules_.to_dict("records") if r["usable"]]
    owned = t.groupby("customer_id")["category"].agg(set)
    expected = {}
    for cid, cats in owned.items():
        cands = [r for r in usable if r["antecedent"] in cats and r["consequent"] not in cats]
        if cands:
            best = min(cands, key=lambda r: (-r["confidence"], -r["lift"], r["consequent"], r["antecedent"]))
            expected[cid] = (best["consequent"], best["antecedent"], best["confidence"], best["lift"])
    assert len(expected) > 0
    assert {c: tuple(row) for c, row in got[["category", "antecedent", "confidence", "lift"]].iterrows()} == expected
