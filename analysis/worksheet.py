"""The IDIC workshop worksheet (Peppers & Rogers: identify, differentiate, interact,
customize): for each step a few current figures from the data and the team's decisions,
kept in the workspace's ``notes`` table under ``worksheet:<step>`` and printed in the
HTML report (:func:`analysis.story.story_html`)."""

from __future__ import annotations

import dataclasses

from analysis.segment_settings import money
from analysis.store import Workspace
from analysis.story import STEPS, StoryData

QUESTIONS = {
    "identify": "Which customers do we know by name, and what data is missing to know them better?",
    "differentiate": "Which customers matter most, which can grow, and which cost more than they bring?",
    "interact": "How and how often do we talk to each group, and what do we ask them?",
    "customize": "What do we change for each group: offer, service level, channel?",
}


@dataclasses.dataclass
class WorksheetStep:
    step: str
    question: str
    facts: list[str]
    decisions: str


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def note_key(step: str) -> str:
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}, not {step!r}")
    return f"worksheet:{step}"


def load_decisions(ws: Workspace) -> dict[str, str]:
    """{step: the team's decisions text ('' when nothing saved yet)}."""
    return {step: ws.get_note(note_key(step)) or "" for step in STEPS}


def save_decisions(ws: Workspace, decisions: dict[str, str]) -> None:
    """Keep the decisions of the given steps in the workspace (other steps untouched)."""
    for step, text in decisions.items():
        ws.set_note(note_key(step), text or "")


def facts(data: StoryData) -> dict[str, list[str]]:
    """A few current figures per IDIC step, as plain sentences, from the story's data."""
    p, r = data.parts, data.reasons
    cur = data.settings.currency
    w = data.settings.window_months
    k = p["kpis"]
    out: dict[str, list[str]] = {step: [] for step in STEPS}

    ident = out["identify"]
    ident.append(f"{k['customers']:,} customers; {k['active_customers']:,} active (bought in the last {w} months).")
    ident.append(f"Revenue {money(k['revenue'], cur)} from {k['orders']:,} orders up to {data.as_of:%Y-%m-%d}.")
    if p["pareto"] is not None:
        ident.append(f"The top 20% of buyers bring {p['pareto'][1]:.0%} of the last {w} months' revenue.")

    diff = out["differentiate"]
    if p["pyramid"] is not None:
        tiers = dict(zip(p["pyramid"]["tier"], p["pyramid"]["customers"]))
        diff.append("Pyramid: " + ", ".join(f"{t} {int(n):,}" for t, n in tiers.items()) + ".")
    if p["value"] is not None:
        c = p["value"]["counts"]
        diff.append(f"{c['MVC']:,} most valuable, {c['MCC']:,} most growable, {c['BZ']:,} below-zero customers.")
    if p["clusters"]:
        diff.append(f"{len(p['clusters'])} customer groups (personas): "
                    + "; ".join(f"{x['name']} ({x['size']:,})" for x in p["clusters"]) + ".")
    if p["clv"] is not None:
        diff.append(f"Expected margin in the next {data.settings.horizon_months} months: "
                    f"{money(float(p['clv']['clv'].sum()), cur)}.")
    diff.extend(r[key] for key in ("pyramid", "value", "clusters", "clv") if key in r)

    cov = p["coverage"]
    n = cov["customers"] or 1
    inter = out["interact"]
    inter.append(f"{_n(cov['contacted'], 'customer')} ({cov['contacted'] / n:.0%}) contacted at least once "
                 f"(calls, visits, e-mails, complaints); {_n(cov['contacts'], 'contact')} in all.")
    inter.append(f"{_n(cov['complaints'], 'complaint')} recorded.")
    inter.append(f"{_n(cov['surveyed'], 'customer')} ({cov['surveyed'] / n:.0%}) answered a satisfaction survey.")

    cust = out["customize"]
    if p["actions"] is not None:
        a = p["actions"]
        cust.append(f"{a['actions']:,} suggested actions for {a['customers']:,} customers.")
        cust.extend(f"{row.title}: {int(row.customers):,} customers" for row in a["counts"].head(6).itertuples())
    else:
        cust.append(r["actions"])
    return out


def worksheet(data: StoryData, decisions: dict[str, str]) -> list[WorksheetStep]:
    """The four steps with their question, current figures and the team's decisions."""
    found = facts(data)
    return [WorksheetStep(step, QUESTIONS[step], found[step], decisions.get(step, "")) for step in STEPS]
