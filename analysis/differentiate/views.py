"""Small shapes the Differentiate pages need from the per-customer frame
(:func:`analysis.scores.score_customers`) and the engine's outputs, kept out of the pages.

- :func:`migration_table`: the tier migration as a from x to grid; :func:`moves` and
  :func:`movers`: each move (from tier -> tier now) and the customers who made it.
- :func:`value_group`: the MVC / MCC / BZ members with the reason they are there.
- :func:`wallet_summary`: how many customers have a wallet estimate, and their share of it.
- :func:`volume_summary`: the volume tiers alone (the matrix without satisfaction data).
- :func:`rules_from_table`, :func:`segment_by_rules`, :func:`counts_by_rules`: RFM segments
  from a user-edited copy of :data:`analysis.differentiate.rfm.RFM_SEGMENTS` (first matching rule wins).
- :func:`rf_cell_counts`, :func:`rf_cell`: the cells of the R x F grid and their customers.
- :func:`lift_bars`: the bars of the ideal-customer-profile lift chart, to pick one.
- :func:`silhouette_table`, :func:`cluster_members`: clusters for a chosen k.
"""

from __future__ import annotations

import pandas as pd

from analysis.identify.customers import apply_filters, ranked
from analysis.errors import UserError
from analysis import i18n
from analysis.i18n import lookup, t
from analysis.differentiate.matrix import NO_SURVEY, SELLING, VOLUMES, cell_id
from analysis.differentiate.pyramid import NEW, TIERS, tier_label
from analysis.differentiate.rfm import NO_RULE, rf_grid, segment_rules
from analysis.vocabulary import label

GROUPS = {"MVC": "is_mvc", "MCC": "is_mcc", "BZ": "is_bz"}
RULE_COLUMNS = ["segment", "r_min", "r_max", "f_min", "f_max", "description"]
MOVE = "->"  # joins the tiers of a move in its key: "big->medium"


def migration_table(migration: pd.DataFrame) -> pd.DataFrame:
    """Customers by tier one window ago (rows, ``(new)`` last) and now (columns), from
    :func:`analysis.differentiate.pyramid.tier_migration`; tiers nobody was in are left out."""
    order = [*TIERS, NEW]
    grid = migration.pivot_table(index="from_tier", columns="to_tier", values="customers",
                                 aggfunc="sum", fill_value=0)
    rows = [t for t in order if t in grid.index]
    cols = [t for t in order if t in grid.columns]
    grid = grid.reindex(index=rows, columns=cols, fill_value=0).astype(int)
    grid.index.name, grid.columns.name = t("one window ago"), t("now")
    return grid




def move_key(from_tier: str, to_tier: str) -> str:
    """The key of a move between tiers, as the migration charts carry it: "big->medium"."""
    return f"{from_tier}{MOVE}{to_tier}"


def moves(migration: pd.DataFrame) -> pd.DataFrame:
    """The moves of :func:`analysis.differentiate.pyramid.tier_migration` that somebody made, in its order:
    key (:func:`move_key`), from_tier, to_tier, customers, direction ("up" to a higher
    tier, "down", "same", or "new" for customers not known one window ago), label ("big →
    medium: moved down (12 customers)")."""
    rank = {t: n for n, t in enumerate(TIERS)}
    out = migration[migration["customers"] > 0].copy()
    out["key"] = [move_key(a, b) for a, b in zip(out["from_tier"], out["to_tier"])]
    out["direction"] = [
        "new" if a == NEW else "same" if a == b else "up" if rank[b] < rank[a] else "down"
        for a, b in zip(out["from_tier"], out["to_tier"])
    ]
    out["label"] = [
        i18n.tn("{before} → {now}: {how} ({count} customer)", "{before} → {now}: {how} ({count} customers)", n,
                before=tier_label(a), now=tier_label(b), how=label("move", d), count=i18n.number(n))
        for a, b, d, n in zip(out["from_tier"], out["to_tier"], out["direction"], out["customers"])]
    return out[["key", "from_tier", "to_tier", "customers", "direction", "label"]].reset_index(drop=True)


def movers(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The customers of the per-customer frame who made the move ``key`` ("big->medium"):
    tier one window ago ``previous_tier``, tier now ``tier``; biggest spenders of the window
    before first, then of this window, then by customer id."""
    from_tier, to_tier = key.split(MOVE, 1)
    found = apply_filters(frame, {"previous_tier": [from_tier], "tier": [to_tier]})
    return found.sort_values(["revenue_prev_window", "revenue_window", "customer_id"],
                             ascending=[False, False, True]).reset_index(drop=True)


# What each tier's list is ordered by: the active tiers by what they spent in the window,
# the inactive by what they spent before, prospects by how often we were in touch.
TIER_ORDER = {"inactive": ("revenue", "last_purchase"), "prospect": ("interactions", "last_contact"),
              "suspect": ("signup_date",)}


def tier_customers(frame: pd.DataFrame, tier: str) -> pd.DataFrame:
    """The customers of one pyramid tier, in the order the tier is about (:data:`TIER_ORDER`;
    active tiers by window revenue, then all-time revenue)."""
    return ranked(apply_filters(frame, {"tier": [tier]}), TIER_ORDER.get(tier, ("revenue_window", "revenue")))


def cell_customers(frame: pd.DataFrame, cell: str) -> pd.DataFrame:
    """The customers of one matrix cell ("high/low"), biggest window revenue first."""
    return ranked(apply_filters(frame, {"cell": [cell]}))


def rf_cell_counts(grid: pd.DataFrame) -> dict[str, int]:
    """"r/f" -> customers for each cell of :func:`analysis.differentiate.rfm.rf_grid`, in grid order
    (R 5 first, then F 1 to 5): the keys the R x F chart carries."""
    return {f"{r}/{f}": int(grid.loc[r, f]) for r in grid.index for f in grid.columns}


def rf_cell(segmented: pd.DataFrame, cell: str) -> pd.DataFrame:
    """The customers of :func:`segment_by_rules` in the R x F cell ``cell`` ("5/1" = R 5,
    F 1), highest revenue (all time) first."""
    r, f = cell.split("/", 1)
    found = apply_filters(segmented, {"r": [r], "f": [f]})
    return found.sort_values(["revenue", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def value_group(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    """Members of ``group`` ("MVC", "MCC" or "BZ") with a ``reason`` column: MVC by profit
    (highest first), MCC by gap (largest first), BZ by profit (most negative first); ties by
    customer id."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {list(GROUPS)}, got {group!r}")
    members = frame[frame[GROUPS[group]].fillna(False).astype(bool)].copy()
    members["reason"] = members[f"reason_{group.lower()}"]
    by, ascending = {"MVC": ("profit", False), "MCC": ("gap", False), "BZ": ("profit", True)}[group]
    return members.sort_values([by, "customer_id"], ascending=[ascending, True]).reset_index(drop=True)


def wallet_summary(frame: pd.DataFrame) -> dict:
    """{"customers": how many active customers have a wallet estimate, "median_share":
    their median share of wallet (None when nobody has one)}."""
    known = frame["share_of_wallet"].dropna() if "share_of_wallet" in frame else pd.Series(dtype=float)
    return {"customers": int(len(known)), "median_share": float(known.median()) if len(known) else None}


def volume_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per volume tier (high, medium, low): volume, cell (the tier's no-survey cell
    of the matrix, "high/none"), customers, revenue (window), selling (the treatment volume
    decides)."""
    active = frame[frame["volume_tier"].notna()]
    return volume_table(active.groupby("volume_tier").agg(customers=("customer_id", "size"),
                                                          revenue=("revenue_window", "sum")))


def volume_table(grouped: pd.DataFrame) -> pd.DataFrame:
    """:func:`volume_summary` from the customers and window revenue per volume tier
    (``grouped``, indexed by volume tier)."""
    out = pd.DataFrame({"volume": list(VOLUMES)}).merge(grouped, left_on="volume", right_index=True, how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    out["selling"] = [lookup(SELLING[v]) for v in out["volume"]]
    out.insert(1, "cell", [cell_id(v, NO_SURVEY) for v in out["volume"]])
    return out


def rules_from_table(table: pd.DataFrame) -> pd.DataFrame:
    """A checked copy of an edited rules table (columns of :func:`analysis.differentiate.rfm.segment_rules`).
    Raises UserError naming the row when a segment has no name or a range is not within
    1..5 with min <= max. Empty rows are dropped."""
    missing = [c for c in RULE_COLUMNS[:5] if c not in table]
    if missing:
        raise UserError(t("The rules table lacks the column(s) {columns}.", columns=", ".join(missing)))
    rows = table.dropna(how="all").copy()
    for n, row in enumerate(rows.itertuples(index=False), start=1):
        name = getattr(row, "segment")
        if not isinstance(name, str) or not name.strip():
            raise UserError(t("Rule {n}: give the segment a name.", n=n))
        for lo, hi in (("r_min", "r_max"), ("f_min", "f_max")):
            a, b = getattr(row, lo), getattr(row, hi)
            if pd.isna(a) or pd.isna(b) or not (1 <= a <= b <= 5) or a != int(a) or b != int(b):
                raise UserError(t("Rule {n} ({name}): {lo} and {hi} must be whole scores 1 to 5 with "
                                  "{lo} <= {hi}; got {a} and {b}.", n=n, name=name, lo=lo, hi=hi, a=a, b=b))
    for col in RULE_COLUMNS[1:5]:
        rows[col] = rows[col].astype(int)
    if "description" not in rows:
        rows["description"] = ""
    rows["description"] = rows["description"].fillna("")
    return rows[RULE_COLUMNS].reset_index(drop=True)


def segment_by_rules(frame: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customers who have RFM scores (r, f not null), r/f/m as ints and ``rfm_segment``
    recomputed from ``rules`` (default: the built-in rules); the first matching rule wins,
    no match is None."""
    rules = segment_rules() if rules is None else rules
    out = frame[frame["r"].notna() & frame["f"].notna()].copy()
    for col in ("r", "f", "m"):
        if col in out:
            out[col] = out[col].astype(int)
    segment = pd.Series([None] * len(out), index=out.index, dtype=object)
    for rule in rules.itertuples(index=False):
        hit = segment.isna() & out["r"].between(rule.r_min, rule.r_max) & out["f"].between(rule.f_min, rule.f_max)
        segment[hit] = rule.segment
    out["rfm_segment"] = segment
    return out.reset_index(drop=True)


def counts_by_rules(segmented: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per rule in order (each segment once), plus "(no rule)" when some customers match
    none: segment, customers, revenue, customer_share, description."""
    key = segmented["rfm_segment"].astype(object).where(segmented["rfm_segment"].notna(), NO_RULE)
    return rule_counts(segmented.assign(_seg=key).groupby("_seg").agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum")), rules)


def rule_counts(grouped: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`counts_by_rules` from the customers and revenue per segment (``grouped``,
    indexed by segment, :data:`~analysis.differentiate.rfm.NO_RULE` for those no rule matches)."""
    rules = segment_rules() if rules is None else rules
    named = rules.drop_duplicates("segment")[["segment", "description"]]
    out = named.merge(grouped, left_on="segment", right_index=True, how="left")
    if NO_RULE in grouped.index:
        extra = pd.DataFrame([{"segment": NO_RULE, "description": t("Matches no rule"),
                               "customers": grouped.loc[NO_RULE, "customers"],
                               "revenue": grouped.loc[NO_RULE, "revenue"]}])
        out = pd.concat([out, extra], ignore_index=True)
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    total = out["customers"].sum()
    out["customer_share"] = out["customers"] / total if total else 0.0
    return out[["segment", "customers", "revenue", "customer_share", "description"]].reset_index(drop=True)


def silhouette_table(silhouette_by_k: dict[int, float], chosen: int) -> pd.DataFrame:
    """k, silhouette, chosen (bool), sorted by k."""
    ks = sorted(silhouette_by_k)
    return pd.DataFrame({"k": ks, "silhouette": [float(silhouette_by_k[k]) for k in ks],
                         "chosen": [k == chosen for k in ks]})


def cluster_members(frame: pd.DataFrame, customer_ids, labels, names: list[str]) -> pd.DataFrame:
    """``frame`` restricted to the clustered customers, with ``cluster`` and ``cluster_name``
    set from ``labels`` (one per id in ``customer_ids``) and the persona ``names``; biggest
    spenders (all time) first."""
    assigned = pd.DataFrame({"customer_id": pd.Index(customer_ids).astype(str),
                             "cluster": [int(c) for c in labels]})
    assigned["cluster_name"] = [names[c] for c in assigned["cluster"]]
    rest = frame.drop(columns=[c for c in ("cluster", "cluster_name") if c in frame])
    return ranked(rest.merge(assigned, on="customer_id", how="inner"), ("revenue", "revenue_window"))


def clusters_of(members: pd.DataFrame, customer_ids) -> list[str]:
    """The cluster names of the clicked ``customer_ids`` among :func:`cluster_members`
    (none clicked: none, without reading the members)."""
    ids = [str(c) for c in customer_ids]
    if not ids:
        return []
    return list(apply_filters(members, {"customer_id": ids})["cluster_name"])


def rules_summary(frame: pd.DataFrame, rules: pd.DataFrame | None = None) -> dict:
    """{"counts": :func:`counts_by_rules`, "grid": the R x F grid} of ``frame`` segmented by
    ``rules``: what the segments page draws, computed once per rule table."""
    segmented = segment_by_rules(frame, rules)
    return {"counts": counts_by_rules(segmented, rules), "grid": rf_grid(segmented)}


def rules_segment(frame: pd.DataFrame, rules: pd.DataFrame | None, segment: str) -> pd.DataFrame:
    """The customers of ``frame`` that ``rules`` put in ``segment``, best R, F and M scores
    first, then by revenue (all time)."""
    members = apply_filters(segment_by_rules(frame, rules), {"rfm_segment": [segment]})
    return ranked(members, ("r", "f", "m", "revenue"))


def rules_cell(frame: pd.DataFrame, rules: pd.DataFrame | None, cell: str) -> pd.DataFrame:
    """:func:`rf_cell` of ``frame`` segmented by ``rules``."""
    return rf_cell(segment_by_rules(frame, rules), cell)


def known_attributes(lifts: pd.DataFrame) -> list[str]:
    """The attributes of an ideal-customer-profile lift table with at least one known value
    (not :data:`analysis.differentiate.icp.UNKNOWN`), in table order."""
    from analysis.differentiate.icp import UNKNOWN

    known = lifts[lifts["value"] != UNKNOWN]
    return list(dict.fromkeys(known["attribute"]))


def lift_bars(lifts: pd.DataFrame) -> dict[str, str]:
    """key (:func:`analysis.differentiate.icp.lift_key`) -> label for each bar of the lift chart (values
    with a lift), highest lift first: "region: North · ×2.5 · 8 top customers"."""
    from analysis.differentiate.icp import attribute_label, lift_key, value_label

    bars = lifts.dropna(subset=["lift"]).sort_values(["lift", "attribute", "value"], ascending=[False, True, True])
    return {
        lift_key(a, v): i18n.tn("{attribute}: {value} · ×{lift:.1f} · {count} top customer",
                                "{attribute}: {value} · ×{lift:.1f} · {count} top customers", n,
                                attribute=attribute_label(a), value=value_label(v), lift=x, count=i18n.number(n))
        for a, v, x, n in zip(bars["attribute"], bars["value"], bars["lift"], bars["top_customers"])
    }


def scatter_sample(frame: pd.DataFrame, max_points: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, int]:
    """(buyers to plot, number of buyers). Beyond ``max_points`` a chart stops being readable
    and slows the page, so MVC, MCC and BZ customers are kept first and the rest sampled
    with a fixed seed, so the same workspace always shows the same points."""
    buyers = frame[frame["has_purchased"].fillna(False).astype(bool)]
    if len(buyers) <= max_points:
        return buyers, len(buyers)
    flagged = buyers[buyers[list(GROUPS.values())].any(axis=1)]
    if len(flagged) >= max_points:
        return flagged.sample(max_points, random_state=seed).sort_index(), len(buyers)
    rest = buyers.drop(flagged.index).sample(max_points - len(flagged), random_state=seed)
    return pd.concat([flagged, rest]).sort_index(), len(buyers)
