"""Co-purchase model: which product categories go together across customers.

Association rules (Agrawal, Imieliński & Swami 1993) counted over customers rather than
baskets: with ``n`` customers, ``n_A`` buying category A, ``n_B`` buying B and ``n_AB``
buying both,

    support(A→B)    = n_AB / n
    confidence(A→B) = n_AB / n_A                      (eq. 1 of Agrawal et al.)
    lift(A→B)       = confidence(A→B) / (n_B / n)     (Brin, Motwani & Silverstein 1997)

A customer is offered the category B they have never bought that has the highest
confidence from any category A they do buy, so the evidence can be read aloud:
"62% of customers who buy Furniture also buy Office Supplies (lift 1.8)".

Counted in the engine (DuckDB or Spark): the distinct (customer, category) pairs, and the
customers of every pair of categories by joining those pairs to themselves; only the
category x category counts come to Python, where the rules are written. The offers are an
engine expression too (:meth:`CoPurchaseModel.offers`).
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from analysis.customize.normal import stripped
from analysis.store import local_tables, to_frame

RULE_COLUMNS = [
    "antecedent", "consequent", "customers_both", "customers_antecedent",
    "customers_consequent", "support", "confidence", "lift",
]
RECOMMENDATION_COLUMNS = [
    "customer_id", "category", "antecedent", "confidence", "lift", "customers_both",
]
_RULE_TYPES = {"antecedent": "string", "consequent": "string", "customers_both": "int64",
               "confidence": "float64", "lift": "float64"}


def _engine(transactions):
    """``transactions`` as an Ibis table: itself, or a frame (customer_id, category[, amount])
    put in a private in-memory engine."""
    if not isinstance(transactions, pd.DataFrame):
        return transactions
    t = transactions
    frame = pd.DataFrame({
        "customer_id": t["customer_id"].astype(str).to_numpy(dtype=object),
        "category": t["category"].map(str).where(t["category"].notna(), None).to_numpy(dtype=object),
        "amount": pd.to_numeric(t["amount"], errors="coerce").to_numpy(float) if "amount" in t else np.ones(len(t)),
    })
    return local_tables({"transactions": frame})["transactions"]


def bought_pairs(transactions):
    """Distinct (customer_id, category) a customer has bought, as an engine expression:
    positive lines with a category that is not blank."""
    t = _engine(transactions)
    keep = t.category.notnull() & (stripped(t.category.cast("string")) != "")
    if "amount" in t.columns:
        keep &= t.amount > 0
    return t.filter(keep).select(customer_id=t.customer_id.cast("string"),
                                 category=t.category.cast("string")).distinct()


def pair_counts(pairs):
    """antecedent, consequent, customers_both: customers buying both, for every pair of
    categories bought together (a category with itself: its customers), by a self-join."""
    a = pairs.select(customer_id="customer_id", antecedent="category")
    b = pairs.select(buyer="customer_id", consequent="category")
    both = a.join(b, a.customer_id == b.buyer)
    return both.group_by("antecedent", "consequent").aggregate(customers_both=both.count())


class CoPurchaseModel:
    """Category→category co-purchase rules across customers.

    Parameters: ``min_customers`` (customers buying both, the absolute support),
    ``min_confidence`` and ``min_lift`` a rule must reach to be used for an offer.
    Learned: ``categories_``, ``n_customers_`` and ``rules_`` (every pair with n_AB > 0,
    columns :data:`RULE_COLUMNS`, usable ones flagged by ``usable``).
    """

    def __init__(self, min_customers: int = 5, min_confidence: float = 0.3, min_lift: float = 1.1):
        self.min_customers = min_customers
        self.min_confidence = min_confidence
        self.min_lift = min_lift

    def fit(self, transactions) -> "CoPurchaseModel":
        """Count co-purchases in ``transactions`` (customer_id, category[, amount]): an Ibis
        table (counted where it lives) or a DataFrame."""
        pairs = bought_pairs(transactions)
        counts = to_frame(pair_counts(pairs))
        n = int(pairs.customer_id.nunique().to_pyarrow().as_py() or 0)
        counts["customers_both"] = counts["customers_both"].astype(np.int64)
        own = counts[counts["antecedent"] == counts["consequent"]]
        per_cat = pd.Series(own["customers_both"].to_numpy(np.int64), index=own["antecedent"].to_numpy(object))
        rules = counts[counts["antecedent"] != counts["consequent"]].reset_index(drop=True)
        both = rules["customers_both"].to_numpy(np.int64)
        n_a = per_cat.reindex(rules["antecedent"]).to_numpy(float)
        n_b = per_cat.reindex(rules["consequent"]).to_numpy(float)
        conf = both / n_a
        lift = conf / (n_b / n) if n else conf
        rules = pd.DataFrame({
            "antecedent": rules["antecedent"].to_numpy(object),
            "consequent": rules["consequent"].to_numpy(object),
            "customers_both": both,
            "customers_antecedent": n_a.astype(np.int64),
            "customers_consequent": n_b.astype(np.int64),
            "support": both / n if n else np.zeros(len(both)),
            "confidence": conf,
            "lift": lift,
            "usable": (both >= self.min_customers) & (conf >= self.min_confidence) & (lift >= self.min_lift),
        })
        self.categories_ = sorted(per_cat.index)
        self.n_customers_ = n
        self.rules_ = rules.sort_values(
            ["confidence", "lift", "antecedent", "consequent"],
            ascending=[False, False, True, True], ignore_index=True,
        )
        return self

    def use(self, rules: pd.DataFrame) -> "CoPurchaseModel":
        """This model with rules a caller kept from an earlier :meth:`fit` (``rules_``)."""
        self.rules_ = rules
        self.categories_ = sorted(set(rules["antecedent"]) | set(rules["consequent"]))
        support = rules["support"].to_numpy(float)
        self.n_customers_ = int(round(rules["customers_both"].iloc[0] / support[0])) if len(rules) and support[0] else 0
        return self

    def offers(self, transactions):
        """The best category each customer in ``transactions`` has never bought, as an engine
        expression: one row per customer who has a usable rule (:data:`RECOMMENDATION_COLUMNS`).
        The most confident rule wins; ties go to the higher lift, then the alphabetically first
        category, then the first antecedent."""
        pairs = bought_pairs(transactions)
        usable = self.rules_.loc[self.rules_["usable"].to_numpy(bool), list(_RULE_TYPES)]
        rules = ibis.memtable(usable.astype({"antecedent": object, "consequent": object}), schema=_RULE_TYPES)
        cand = pairs.join(rules, pairs.category == rules.antecedent).select(
            pairs.customer_id, category=rules.consequent, antecedent=rules.antecedent,
            confidence=rules.confidence, lift=rules.lift, customers_both=rules.customers_both)
        owned = pairs.view()
        cand = cand.anti_join(owned, [cand.customer_id == owned.customer_id, cand.category == owned.category])
        w = ibis.window(group_by=cand.customer_id, order_by=[
            ibis.desc(cand.confidence), ibis.desc(cand.lift), cand.category, cand.antecedent])
        ranked = cand.mutate(offer_rank=ibis.row_number().over(w))
        return ranked.filter(ranked.offer_rank == 0).select(*RECOMMENDATION_COLUMNS)

    def recommend(self, transactions) -> pd.DataFrame:
        """:meth:`offers` executed, ordered by customer id."""
        found = to_frame(self.offers(transactions).order_by("customer_id"))
        if found.empty:
            return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
        return found.astype({"customer_id": object, "category": object, "antecedent": object,
                             "customers_both": np.int64}).reset_index(drop=True)


def co_purchase_rules(transactions, **settings) -> pd.DataFrame:
    """All category pairs with their support, confidence and lift (see :class:`CoPurchaseModel`)."""
    return CoPurchaseModel(**settings).fit(transactions).rules_
