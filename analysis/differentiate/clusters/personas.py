"""Personas: a plain-language name and sentence for each cluster, from the z-scores of its
mean against all customers. The words used live in one table, :data:`PHRASES`, so the app
can translate them, and the templates keep each language's word order."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.differentiate.clusters.features import NO_CATEGORY, OTHER
from analysis.i18n import N_, lookup, money, t

# A cluster mean this many standard deviations from the overall mean is "distinctive".
DISTINCT_Z = 0.3


# Every word personas are built from, marked for translation (``N_``) and looked up when a
# persona is written. A feature's "high"/"low" entry is used when the cluster's mean is
# above/below the overall mean. "adjective" goes before the noun; "noun" (if any) becomes
# the head of the name. {category} is the category's name (data, never translated). The
# templates put adjectives and noun together, so each language keeps its own word order.
PHRASES: dict[str, Any] = {
    "features": {
        "recency_days": {"low": {"adjective": N_("recent")}, "high": {"adjective": N_("lapsed")}},
        "frequency": {"high": {"adjective": N_("frequent")}, "low": {"adjective": N_("occasional")}},
        "monetary": {"high": {"noun": N_("big spenders"), "adjective": N_("high-spending")},
                     "low": {"noun": N_("light spenders"), "adjective": N_("low-spending")}},
        "avg_order_value": {"high": {"adjective": N_("big-basket")}, "low": {"adjective": N_("small-basket")}},
        "tenure_days": {"high": {"adjective": N_("long-standing")}, "low": {"adjective": N_("new")}},
        "satisfaction_5": {"high": {"adjective": N_("happy")}, "low": {"adjective": N_("unhappy")}},
        "has_survey": {"high": {"adjective": N_("surveyed")}, "low": {"adjective": N_("unsurveyed")}},
        "category": {"high": {"noun": N_("{category} buyers")}},
    },
    "one_adjective": N_("{adjective} {noun}"),
    "two_adjectives": N_("{first} {second} {noun}"),
    "default_noun": N_("customers"),
    "typical_name": N_("Typical customers"),
    "mostly_buy": N_(" who mostly buy {category}"),
    "sentence": N_(
        "{name}{mostly}: {size:,} customers ({share:.0%}), last bought {recency:,.0f} days ago "
        "on average, {orders:,.1f} orders, {money} each."
    ),
    "satisfaction": N_(" Average satisfaction {value:.1f} of 5."),
    "group": N_("group {n}"),
}


def _phrase(feature: str, z: float) -> tuple[str, dict] | None:
    words = PHRASES["features"]
    side = "high" if z > 0 else "low"
    if feature.startswith("cat_"):
        entry = words["category"].get(side)
        if entry is None or feature in (f"cat_{OTHER}", f"cat_{NO_CATEGORY}"):
            return None
        return feature, {k: t(v, category=feature[4:]) for k, v in entry.items()}
    entry = words.get(feature, {}).get(side)
    return (feature, {k: lookup(v) for k, v in entry.items()}) if entry else None


def _distinctive(z: pd.Series) -> list[tuple[str, dict]]:
    """(feature, words) for the features furthest from the overall mean, biggest first."""
    order = z.abs().sort_values(ascending=False, kind="stable")
    # Average order value says little more than spend when both point the same way.
    redundant = {"has_survey"}
    if "monetary" in z and "avg_order_value" in z and z["monetary"] * z["avg_order_value"] > 0 \
            and abs(z["monetary"]) >= DISTINCT_Z:
        redundant.add("avg_order_value")
    found = []
    for feature, size in order.items():
        if size < DISTINCT_Z or feature in redundant:
            continue
        phrase = _phrase(feature, float(z[feature]))
        if phrase:
            found.append(phrase)
    return found


def _name(phrases: list[tuple[str, dict]]) -> tuple[str, list[str]]:
    """A name from the top 3 phrases: the first noun among them (or "customers") and the
    others as adjectives, in the order of :data:`PHRASES`."""
    top = phrases[:3]
    noun, used = None, []
    for feature, words in top:
        if "noun" in words:
            noun = words["noun"]
            used.append(feature)
            break
    adjectives = []
    for feature, words in top:
        if feature in used or "adjective" not in words or len(adjectives) == 2:
            continue
        adjectives.append((feature, words["adjective"]))
        used.append(feature)
    # A fixed word order (that of PHRASES) so similar clusters read alike.
    order = list(PHRASES["features"])
    adjectives = [a for _, a in sorted(adjectives, key=lambda fa: order.index(fa[0]) if fa[0] in order else len(order))]
    if noun is None and not adjectives:
        return lookup(PHRASES["typical_name"]), used
    noun = noun or lookup(PHRASES["default_noun"])
    if len(adjectives) == 2:
        text = t(PHRASES["two_adjectives"], first=adjectives[0], second=adjectives[1], noun=noun)
    elif adjectives:
        text = t(PHRASES["one_adjective"], adjective=adjectives[0], noun=noun)
    else:
        text = noun
    return text[0].upper() + text[1:], used


def make_personas(profiles: pd.DataFrame, zscores: pd.DataFrame, currency: str = "") -> list[dict]:
    """[{cluster, name, sentence, size, share}] from cluster means (``profiles``, with
    size and share) and z-scores of those means. Names are made unique by adding the next
    distinctive word, or the cluster number, in brackets."""
    drafts = []
    for cluster in profiles.index:
        phrases = _distinctive(zscores.loc[cluster])
        name, used = _name(phrases)
        spare = [w.get("adjective") or w.get("noun") for f, w in phrases if f not in used]
        drafts.append({"cluster": int(cluster), "name": name, "spare": spare})

    taken: dict[str, int] = {}
    for d in drafts:
        taken[d["name"]] = taken.get(d["name"], 0) + 1
    names_seen: set[str] = set()
    for d in drafts:
        name = d["name"]
        group = t(PHRASES["group"], n=d["cluster"])
        if taken[name] > 1:
            extra = next((w for w in d["spare"] if f"{name} ({w})" not in names_seen), None)
            name = f"{name} ({extra or group})"
        while name in names_seen:
            name = f"{name} ({group})"
        names_seen.add(name)
        d["name"] = name

    personas = []
    cats = [c for c in profiles.columns
            if c.startswith("cat_") and c not in (f"cat_{OTHER}", f"cat_{NO_CATEGORY}")]
    for d in drafts:
        row = profiles.loc[d["cluster"]]
        mostly = ""
        if cats:
            top = max(cats, key=lambda c: (row[c], c))
            if row[top] >= 0.5 and top[4:] not in d["name"]:
                mostly = t(PHRASES["mostly_buy"], category=top[4:])
        sentence = t(PHRASES["sentence"], 
            name=d["name"], mostly=mostly, size=int(row["size"]), share=float(row["share"]),
            recency=float(row["recency_days"]), orders=float(row["frequency"]),
            money=money(float(row["monetary"]), currency),
        )
        if "satisfaction_5" in profiles.columns and abs(zscores.loc[d["cluster"], "satisfaction_5"]) >= DISTINCT_Z:
            sentence += t(PHRASES["satisfaction"], value=float(row["satisfaction_5"]))
        personas.append({
            "cluster": d["cluster"], "name": d["name"], "sentence": sentence,
            "size": int(row["size"]), "share": float(row["share"]),
        })
    return personas
