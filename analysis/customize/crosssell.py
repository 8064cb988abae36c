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
    pairs = _bought_lines(_engine(transactions)).distinct()
    return pairs.semi_join(_named(pairs), "category")


def _bought_lines(t):
    """customer_id, category of the positive lines with a category (not yet distinct)."""
    keep = t.category.notnull()
    if "amount" in t.columns:
        keep &= t.amount > 0
    return t.filter(keep).select(customer_id=t.customer_id.cast("string"), category=t.category.cast("string"))


def _named(lines):
    """The distinct categories of ``lines`` that are not blank: found among the few distinct
    ones, not tested on every line."""
    named = lines.select("category").distinct()
    return named.filter(stripped(named.category) != "")


def pair_counts(pairs):
    """antecedent, consequent, customers_both: customers buying both, for every pair of
    categories bought together (a category with itself: its customers), by a self-join."""
    a = pairs.select(customer_id="customer_id", antecedent="category")
    b = pairs.select(buyer="customer_id", consequent="category")
    both = a.join(b, a.customer_id == b.buyer)
    return both.group_by("antecedent", "consequent").aggregate(customers_both=both.count())


_MASK_BITS = 62  # categories a set of them can be written as the bits of one BIGINT


def counts_by_sets(pairs, lines: bool = False) -> tuple[pd.DataFrame, int] | None:
    """(the :func:`pair_counts` frame, the number of customers) counted from the distinct
    sets of categories customers buy: the engine groups the pairs once by customer into a
    set (a bit per category) and counts the customers of each set, a few thousand rows at
    most; n_AB is then the sum over the sets holding both A and B. The same counts as the
    self-join without its rows (a customer buying k categories makes k² of them). None with
    more than 62 categories (a set no longer fits one BIGINT). With ``lines``, ``pairs`` are
    purchase lines (:func:`_bought_lines`, a pair on many lines): the sets are made from them
    directly, without first making the pairs distinct (the costly step over ten million lines)."""
    names = sorted(to_frame(_named(pairs) if lines else pairs.select("category").distinct())["category"].astype(str))
    if len(names) > _MASK_BITS:
        return None
    if not names:
        return pd.DataFrame({"antecedent": pd.Series(dtype=object), "consequent": pd.Series(dtype=object),
                             "customers_both": pd.Series(dtype=np.int64)}), 0
    bits = ibis.memtable(pd.DataFrame({"category": names, "bit": [1 << i for i in range(len(names))]}),
                         schema={"category": "string", "bit": "int64"})
    mine = pairs.join(bits, "category")
    masks = mine.group_by("customer_id").aggregate(mask=mine.bit.bit_or() if lines else mine.bit.sum())
    sets = to_frame(masks.group_by("mask").aggregate(customers=masks.count()))
    has = ((sets["mask"].to_numpy(np.int64)[:, None] >> np.arange(len(names), dtype=np.int64)) & 1).astype(np.int64)
    both = has.T @ (has * sets["customers"].to_numpy(np.int64)[:, None])
    a, b = np.nonzero(both)
    labels = np.array(names, dtype=object)
    counts = pd.DataFrame({"antecedent": labels[a], "consequent": labels[b], "customers_both": both[a, b]})
    return counts, int(sets["customers"].sum())


def _best_by_mask(pairs, rules, codes: dict[str, int]):
    """customer_id, rule_rank: each customer's best usable rule, found once per distinct set
    of categories bought (a bit per category), not once per customer."""
    bits = ibis.memtable(pd.DataFrame({"category": list(codes), "bit": [1 << i for i in codes.values()]}),
                         schema={"category": "string", "bit": "int64"})
    mine = pairs.join(bits, "category")
    masks = mine.group_by("customer_id").aggregate(mask=mine.bit.sum())
    sets = masks.select("mask").distinct()
    fit = sets.cross_join(rules.select("rule_rank", "antecedent_bit", "consequent_bit"))
    fit = fit.filter(((fit.mask & fit.antecedent_bit) != 0) & ((fit.mask & fit.consequent_bit) == 0))
    per_set = fit.group_by("mask").aggregate(rule_rank=fit.rule_rank.min())
    return masks.join(per_set, "mask").select("customer_id", "rule_rank")


def _best_by_candidates(pairs, rules):
    """customer_id, rule_rank: each customer's best usable rule from every (customer,
    rule) whose antecedent they buy, less the categories they already buy."""
    cand = pairs.join(rules, pairs.category == rules.antecedent).select(
        pairs.customer_id, category=rules.consequent, rule_rank=rules.rule_rank)
    cand = cand.group_by("customer_id", "category").aggregate(rule_rank=cand.rule_rank.min())
    owned = pairs.view()
    cand = cand.anti_join(owned, [cand.customer_id == owned.customer_id, cand.category == owned.category])
    return cand.group_by("customer_id").aggregate(rule_rank=cand.rule_rank.min())


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
        found = counts_by_sets(_bought_lines(_engine(transactions)), lines=True)
        if found is None:
            return self.fit_pairs(bought_pairs(transactions))
        return self._fit_counts(*found)

    def fit_pairs(self, pairs) -> "CoPurchaseModel":
        """:meth:`fit` on the :func:`bought_pairs` already made (kept by the caller to pick
        the offers from the same pairs)."""
        found = counts_by_sets(pairs)
        if found is None:
            counts = to_frame(pair_counts(pairs))
            n = int(pairs.customer_id.nunique().to_pyarrow().as_py() or 0)
        else:
            counts, n = found
        return self._fit_counts(counts, n)

    def _fit_counts(self, counts: pd.DataFrame, n: int) -> "CoPurchaseModel":
        """The rules from the :func:`pair_counts` frame ``counts`` of ``n`` customers."""
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
        return self.offers_from_pairs(bought_pairs(transactions))

    def offers_from_pairs(self, pairs):
        """:meth:`offers` from the :func:`bought_pairs` already made. The usable rules are
        ranked here (a few hundred rows at most), so the engine keeps each customer's best
        with a minimum instead of sorting every candidate; with at most 62 categories in
        the rules, the customers who buy the same set of them share one answer."""
        usable = self.rules_.loc[self.rules_["usable"].to_numpy(bool), list(_RULE_TYPES)]
        usable = usable.sort_values(["confidence", "lift", "consequent", "antecedent"],
                                    ascending=[False, False, True, True], ignore_index=True)
        codes = {c: i for i, c in enumerate(sorted(set(usable["antecedent"]) | set(usable["consequent"])))}
        usable = usable.astype({"antecedent": object, "consequent": object}).assign(
            rule_rank=range(len(usable)),
            antecedent_bit=[1 << codes[c] for c in usable["antecedent"]] if len(codes) <= _MASK_BITS else 0,
            consequent_bit=[1 << codes[c] for c in usable["consequent"]] if len(codes) <= _MASK_BITS else 0)
        rules = ibis.memtable(usable, schema={**_RULE_TYPES, "rule_rank": "int64", "antecedent_bit": "int64",
                                              "consequent_bit": "int64"})
        if len(codes) <= _MASK_BITS:
            best = _best_by_mask(pairs, rules, codes)
        else:
            best = _best_by_candidates(pairs, rules)
        picked = best.join(rules, "rule_rank")
        return picked.select(best.customer_id, category=rules.consequent, antecedent=rules.antecedent,
                             confidence=rules.confidence, lift=rules.lift, customers_both=rules.customers_both)

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
