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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

RULE_COLUMNS = [
    "antecedent", "consequent", "customers_both", "customers_antecedent",
    "customers_consequent", "support", "confidence", "lift",
]
RECOMMENDATION_COLUMNS = [
    "customer_id", "category", "antecedent", "confidence", "lift", "customers_both",
]


def bought_pairs(transactions: pd.DataFrame) -> pd.DataFrame:
    """Distinct (customer_id, category) a customer has bought: positive lines with a category."""
    t = transactions
    keep = t["category"].notna()
    if "amount" in t:
        keep &= pd.to_numeric(t["amount"], errors="coerce") > 0
    pairs = t.loc[keep, ["customer_id", "category"]].astype({"customer_id": str, "category": str})
    pairs = pairs[pairs["category"].str.strip() != ""]
    return pairs.drop_duplicates(ignore_index=True)


class CoPurchaseModel:
    """Category→category co-purchase rules across customers.

    Parameters: ``min_customers`` (customers buying both, the absolute support),
    ``min_confidence`` and ``min_lift`` a rule must reach to be used for an offer.
    Learned: ``categories_``, ``n_customers_``, ``rules_`` (every pair with n_AB > 0,
    columns :data:`RULE_COLUMNS`, usable ones flagged by ``usable``), and
    ``confidence_`` (C×C, zero where a rule is not usable).
    """

    def __init__(self, min_customers: int = 5, min_confidence: float = 0.3, min_lift: float = 1.1):
        self.min_customers = min_customers
        self.min_confidence = min_confidence
        self.min_lift = min_lift

    def fit(self, transactions: pd.DataFrame) -> "CoPurchaseModel":
        """Count co-purchases in ``transactions`` (customer_id, category[, amount])."""
        pairs = bought_pairs(transactions)
        cust_codes, customers = pd.factorize(pairs["customer_id"])
        cat_codes, categories = pd.factorize(pairs["category"], sort=True)
        n, c = len(customers), len(categories)
        x = sparse.csr_matrix(
            (np.ones(len(pairs), dtype=np.int64), (cust_codes, cat_codes)), shape=(n, c)
        )
        both = (x.T @ x).toarray()  # both[a, b] = customers buying a and b
        per_cat = np.diag(both).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            conf = both / per_cat[:, None]
            lift = conf / (per_cat[None, :] / n) if n else conf
        usable = (
            (both >= self.min_customers)
            & (conf >= self.min_confidence)
            & (lift >= self.min_lift)
        )
        np.fill_diagonal(usable, False)
        a_idx, b_idx = np.nonzero((both > 0) & ~np.eye(c, dtype=bool))
        rules = pd.DataFrame({
            "antecedent": np.asarray(categories)[a_idx],
            "consequent": np.asarray(categories)[b_idx],
            "customers_both": both[a_idx, b_idx].astype(np.int64),
            "customers_antecedent": per_cat[a_idx].astype(np.int64),
            "customers_consequent": per_cat[b_idx].astype(np.int64),
            "support": both[a_idx, b_idx] / n if n else 0.0,
            "confidence": conf[a_idx, b_idx],
            "lift": lift[a_idx, b_idx],
            "usable": usable[a_idx, b_idx],
        })
        self.categories_ = list(categories)
        self.n_customers_ = n
        self.rules_ = rules.sort_values(
            ["confidence", "lift", "antecedent", "consequent"],
            ascending=[False, False, True, True], ignore_index=True,
        )
        self.confidence_ = np.where(usable, conf, 0.0)
        self.lift_ = np.where(usable, lift, 0.0)
        self.both_ = both
        return self

    def recommend(self, transactions: pd.DataFrame, chunk: int = 200_000) -> pd.DataFrame:
        """The best category each customer in ``transactions`` has never bought, one row per
        customer who has a usable rule (columns :data:`RECOMMENDATION_COLUMNS`).
        Ties go to the higher lift, then the alphabetically first category."""
        pairs = bought_pairs(transactions)
        cat_index = {cat: i for i, cat in enumerate(self.categories_)}
        pairs = pairs.assign(code=pairs["category"].map(cat_index)).dropna(subset=["code"])
        if pairs.empty or not self.confidence_.any():
            return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
        cust_codes, customers = pd.factorize(pairs["customer_id"])
        c = len(self.categories_)
        x = sparse.csr_matrix(
            (np.ones(len(pairs), dtype=bool), (cust_codes, pairs["code"].to_numpy(int))),
            shape=(len(customers), c),
        )
        # Score = confidence + a tiny lift tie-break, so argmax picks the documented winner.
        score_ab = self.confidence_ + self.lift_ * 1e-9
        out = []
        for start in range(0, len(customers), chunk):
            xs = x[start:start + chunk].toarray()
            best = np.zeros(xs.shape, dtype=float)
            best_from = np.full(xs.shape, -1, dtype=np.int32)
            for a in np.nonzero(score_ab.any(axis=1))[0]:
                cand = np.where(xs[:, a:a + 1], score_ab[a][None, :], 0.0)
                better = cand > best
                best = np.where(better, cand, best)
                best_from = np.where(better, a, best_from)
            best[xs] = 0.0  # never offer what they already buy
            pick = best.argmax(axis=1)
            rows = np.nonzero(best[np.arange(len(xs)), pick] > 0)[0]
            b = pick[rows]
            a = best_from[rows, b]
            out.append(pd.DataFrame({
                "customer_id": np.asarray(customers)[start + rows],
                "category": np.asarray(self.categories_, dtype=object)[b],
                "antecedent": np.asarray(self.categories_, dtype=object)[a],
                "confidence": self.confidence_[a, b],
                "lift": self.lift_[a, b],
                "customers_both": self.both_[a, b].astype(np.int64),
            }))
        return pd.concat(out, ignore_index=True).sort_values("customer_id", ignore_index=True)


def co_purchase_rules(transactions: pd.DataFrame, **settings) -> pd.DataFrame:
    """All category pairs with their support, confidence and lift (see :class:`CoPurchaseModel`)."""
    return CoPurchaseModel(**settings).fit(transactions).rules_
