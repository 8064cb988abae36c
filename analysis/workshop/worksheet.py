"""The IDIC workshop worksheet (Peppers & Rogers: identify, differentiate, interact,
customize): for each step a few current figures from the data and the team's decisions,
kept in the workspace's ``notes`` table under ``worksheet:<step>`` and printed in the
HTML report (:func:`analysis.workshop.report.story_html`)."""

from __future__ import annotations

import dataclasses

from analysis import i18n
from analysis.i18n import N_, t, tn
from analysis.settings import money
from analysis.store import Workspace
from analysis.workshop.story import STEPS, StoryData

QUESTIONS = {
    "identify": N_("Which customers do we know by name, and what data is missing to know them better?"),
    "differentiate": N_("Which customers matter most, which can grow, and which cost more than they bring?"),
    "interact": N_("How and how often do we talk to each group, and what do we ask them?"),
    "customize": N_("What do we change for each group: offer, service level, channel?"),
}
# A pyramid tier with its count, for the differentiate step's first line.
TIER_COUNTS = {"top": N_("top {n:,}"), "big": N_("big {n:,}"), "medium": N_("medium {n:,}"),
               "small": N_("small {n:,}"), "inactive": N_("inactive {n:,}"), "prospect": N_("prospect {n:,}"),
               "suspect": N_("suspect {n:,}")}


@dataclasses.dataclass
class WorksheetStep:
    step: str
    question: str
    facts: list[str]
    decisions: str


def _customers(count: int) -> str:
    return tn("{n:,} customer", "{n:,} customers", count)


def _tier_count(tier: str, count: int) -> str:
    return i18n.t(TIER_COUNTS[tier], n=count) if tier in TIER_COUNTS else f"{tier} {count:,}"


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
    ident.append(t("{customers:,} customers; {active:,} active (bought in the last {months} months).",
                   customers=k["customers"], active=k["active_customers"], months=w))
    ident.append(t("Revenue {revenue} from {orders:,} orders up to {as_of:%Y-%m-%d}.",
                   revenue=money(k["revenue"], cur), orders=k["orders"], as_of=data.as_of))
    if p["pareto"] is not None:
        ident.append(t("The top 20% of buyers bring {share:.0%} of the last {months} months' revenue.",
                       share=p["pareto"][1], months=w))

    diff = out["differentiate"]
    if p["pyramid"] is not None:
        tiers = dict(zip(p["pyramid"]["tier"], p["pyramid"]["customers"]))
        diff.append(t("Pyramid: {tiers}.", tiers=t(", ").join(_tier_count(tier, int(n)) for tier, n in tiers.items())))
    if p["value"] is not None:
        c = p["value"]["counts"]
        diff.append(t("{mvc:,} most valuable, {mcc:,} most growable, {bz:,} below-zero customers.",
                      mvc=c["MVC"], mcc=c["MCC"], bz=c["BZ"]))
    if p["clusters"]:
        diff.append(t("{n} customer groups (personas): {groups}.", n=len(p["clusters"]),
                      groups=t("; ").join(f"{x['name']} ({x['size']:,})" for x in p["clusters"])))
    if p["clv"] is not None:
        diff.append(t("Expected margin in the next {months} months: {clv}.", months=data.settings.horizon_months,
                      clv=money(float(p["clv"]["clv"].sum()), cur)))
    diff.extend(r[key] for key in ("pyramid", "value", "clusters", "clv") if key in r)

    cov = p["coverage"]
    n = cov["customers"] or 1
    inter = out["interact"]
    inter.append(t("{customers} ({share:.0%}) contacted at least once (calls, visits, e-mails, complaints); "
                   "{contacts} in all.", customers=_customers(cov["contacted"]), share=cov["contacted"] / n,
                   contacts=tn("{n:,} contact", "{n:,} contacts", cov["contacts"])))
    inter.append(tn("{n:,} complaint recorded.", "{n:,} complaints recorded.", cov["complaints"]))
    inter.append(t("{customers} ({share:.0%}) answered a satisfaction survey.",
                   customers=_customers(cov["surveyed"]), share=cov["surveyed"] / n))

    cust = out["customize"]
    if p["actions"] is not None:
        a = p["actions"]
        cust.append(t("{actions:,} suggested actions for {customers:,} customers.",
                      actions=a["actions"], customers=a["customers"]))
        cust.extend(t("{title}: {n:,} customers", title=row.title, n=int(row.customers))
                    for row in a["counts"].head(6).itertuples())
    else:
        cust.append(r["actions"])
    return out


def worksheet(data: StoryData, decisions: dict[str, str]) -> list[WorksheetStep]:
    """The four steps with their question, current figures and the team's decisions."""
    found = facts(data)
    return [WorksheetStep(step, i18n.lookup(QUESTIONS[step]), found[step], decisions.get(step, "")) for step in STEPS]
