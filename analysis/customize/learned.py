"""Rules that learn from campaigns (issue 16 §3): the action plan reads what the workspace's
measured campaigns taught (Peppers & Rogers' learning relationship, at the level of an
action rather than of one customer's answer).

- **Lessons** (:func:`campaign_lessons`): for each action, its *last measured* campaign: the
  campaign made in the app for that action whose response window has ended by the as-of date
  (a later start wins). Its verdict is read from the 95% interval of the difference in
  response rate (:mod:`analysis.interact.campaigns.measure`). When it did not beat its control
  group (inconclusive or backfired), :func:`apply_lessons` lowers every suggestion of that
  action by :data:`LESSON_PENALTY` points and says why in the reason. A campaign still in its
  window teaches nothing yet; an imported experiment has no action and teaches none.
- **Persuadables** (rule ``persuadable``): when the last measured campaign of an action
  *worked*, an uplift model (two-model learner, :class:`analysis.customize.uplift.UpliftModel`)
  is fitted on all its members (features the day before its start, result = response) and
  scores every customer on the same facts today; a customer the model calls *persuadable*
  (likely to respond if contacted, not if left alone; Kane, Lo & Zheng 2014) is suggested the
  action, with the predicted lift in the reason. A customer persuadable for several actions
  keeps the one with the largest lift. The persona (``cluster_name``) is left out of the
  model: it is stored in the words of the language the campaign was made in.

Fitted once per data version: :func:`learning` stores the lessons and the per-customer
predicted lift in the workspace's stored results (beside the per-customer scores), keyed by
the workspace's data version at the as-of date, the campaigns in it and the customers' facts
(the key of the stored scores they are read from, else their figures); a page reload, the
CLI and another session read them back.

Priority of a persuadable suggestion: 75 plus the predicted lift in points (at most 95), so
the evidence of a campaign usually outranks the playbook's own reason for the same action.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from analysis.customize.rules import CustomerContext, Suggestion, rule
from analysis.errors import NotEnoughData
from analysis import i18n
from analysis.i18n import N_, t

LESSON_PENALTY = 20
LESSON_COLUMNS = ["action", "campaign", "channel", "start", "verdict", "rate_diff", "ci_lo", "ci_hi"]
LEARNED_COLUMNS = ["learned_action", "learned_campaign", "learned_channel", "learned_lift"]
# The facts an uplift model of a campaign reads today (those kept with its members, but the persona).
MODEL_FEATURES = ("recency_days", "orders", "revenue", "tier", "cell", "satisfaction_5")
STORED_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class Learning:
    """What the measured campaigns teach the action plan as of one date."""

    lessons: pd.DataFrame  # LESSON_COLUMNS, one row per action
    persuadables: pd.DataFrame  # customer_id + LEARNED_COLUMNS
    messages: dict[str, str] = dataclasses.field(default_factory=dict)

    @staticmethod
    def empty() -> "Learning":
        return Learning(_frame(LESSON_COLUMNS), _frame(["customer_id", *LEARNED_COLUMNS]))


def _frame(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("rate_diff", "ci_lo", "ci_hi", "learned_lift")
                                      else "string") for c in columns})


def _measured(ws, found: dict):
    """(outcomes, measurement) of a stored campaign."""
    from analysis.interact.campaigns.measure import measure_campaign
    from analysis.interact.campaigns.responses import outcomes

    frame = outcomes(ws, found)
    return frame, measure_campaign(frame, control=found["control_arm"], name=found["name"])


def campaign_lessons(ws, as_of: dt.date) -> pd.DataFrame:
    """Each action's last measured campaign (see the module docstring): action, campaign,
    channel, start, verdict (worked / inconclusive / backfired), rate_diff and its 95%
    interval ci_lo, ci_hi (fractions: 0.021 is 2.1 points)."""
    from analysis.store import campaigns as sql

    stored = sql.campaigns(ws)
    if stored.empty:
        return _frame(LESSON_COLUMNS)
    stored = stored[stored["action"].notna() & stored["window_days"].notna() & (stored["source"] == "app")].copy()
    start = pd.to_datetime(stored["start_date"]).dt.date
    ended = [s + dt.timedelta(days=int(w) - 1) <= as_of for s, w in zip(start, stored["window_days"])]
    stored = stored[np.asarray(ended, dtype=bool)]
    stored = stored.sort_values(["start_date", "campaign_id"], ascending=False).drop_duplicates("action")
    rows = []
    for found in stored.to_dict(orient="records"):
        _, result = _measured(ws, found)
        v = result["verdict"]
        rows.append({"action": found["action"], "campaign": found["name"], "channel": found["channel"],
                     "start": pd.Timestamp(found["start_date"]).date().isoformat(), "verdict": v["code"],
                     "rate_diff": v["rate_diff"], "ci_lo": v["rate_diff_ci"][0], "ci_hi": v["rate_diff_ci"][1]})
    out = pd.DataFrame(rows, columns=LESSON_COLUMNS) if rows else _frame(LESSON_COLUMNS)
    return out.sort_values("action", ignore_index=True).astype(_frame(LESSON_COLUMNS).dtypes.to_dict())


def persuadables(ws, lessons: pd.DataFrame, facts: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """(customer_id + :data:`LEARNED_COLUMNS` for each customer in ``facts`` whom the uplift
    model of a campaign that worked calls persuadable, messages about campaigns too small to
    model)."""
    from analysis.customize.uplift import MIN_PER_CELL, UpliftModel, uplift_groups  # scikit-learn: at first use
    from analysis.interact.campaigns.responses import features
    from analysis.store import campaigns as sql

    found_rows, messages = [], {}
    columns = [c for c in MODEL_FEATURES if c in facts.columns]
    for lesson in lessons[lessons["verdict"] == "worked"].to_dict(orient="records"):
        found = sql.campaign(ws, lesson["campaign"])
        frame, _ = _measured(ws, found)
        X = features(frame).reindex(columns=columns)
        treatment = (frame["arm"] != found["control_arm"]).astype(int).to_numpy()
        y = frame["response"].astype(int).to_numpy()
        cells = [int(((treatment == g) & (y == r)).sum()) for g in (0, 1) for r in (0, 1)]
        if min(cells) < MIN_PER_CELL:
            messages[lesson["campaign"]] = t(
                "The campaign {name!r} has too few responders or non-responders in a group to learn whom it "
                "moves (at least {minimum} each are needed).", name=lesson["campaign"], minimum=MIN_PER_CELL)
            continue
        try:
            model = UpliftModel().fit(X, treatment, y)
        except NotEnoughData as exc:
            messages[lesson["campaign"]] = str(exc)
            continue
        today = facts[columns].reset_index(drop=True)
        p_treated, p_control = model.predict_outcomes(today)
        chosen = uplift_groups(p_treated, p_control, model.response_rate_) == "persuadable"
        lift = (p_treated - p_control)[chosen]
        found_rows.append(pd.DataFrame({
            "customer_id": facts["customer_id"].astype(str).to_numpy()[chosen], "learned_action": lesson["action"],
            "learned_campaign": lesson["campaign"], "learned_channel": lesson["channel"], "learned_lift": lift}))
    if not found_rows:
        return _frame(["customer_id", *LEARNED_COLUMNS]), messages
    out = pd.concat(found_rows, ignore_index=True)
    out = out[out["learned_lift"] > 0].sort_values(["customer_id", "learned_lift"], ascending=[True, False])
    out = out.drop_duplicates("customer_id").reset_index(drop=True)
    return out.astype(_frame(["customer_id", *LEARNED_COLUMNS]).dtypes.to_dict()), messages


def learning(ws, as_of: dt.date, facts, facts_key: str | None = None, customer_id: str | None = None) -> Learning:
    """The lessons and the persuadables as of ``as_of`` (``facts``: the per-customer scores
    frame of that date, or a function that returns it, called only when there is something
    to learn that is not stored yet), stored in the workspace and read back while nothing
    they depend on changed (see the module docstring).

    ``facts_key``: the key of the scores the facts are (:func:`analysis.scores.stored_key`:
    the data version, the as-of date and the settings they depend on, whether they are
    stored yet or were just computed), which then keys the learning instead of the facts'
    own figures: the app, the CLI and a plan worked out in pandas or in the engine find the
    same stored learning, and read it back without reading a million customers' facts
    (issue 15 §1). With
    ``customer_id``, of a stored learning only that customer's persuadable row is read (what
    one customer's plan needs)."""
    from analysis.store import campaigns as sql

    stored = sql.campaigns(ws)
    if stored.empty:
        return Learning.empty()
    if facts_key is None:
        facts = facts() if callable(facts) else facts
    key = ws.result_key("learning", format=STORED_FORMAT, version=ws.version_at(as_of), as_of=as_of,
                        campaigns=sorted(map(int, stored["campaign_id"])),
                        facts=_facts_hash(facts) if facts_key is None else f"scores:{facts_key}")
    found = ws.load_result(key, parts=None if customer_id is None else ("lessons",))
    if found is not None:
        frames, meta = found
        chosen = frames.get("persuadables")
        if chosen is None:  # that customer's row alone
            chosen = ws.load_result_rows(key, "persuadables", "customer_id", str(customer_id))
        if chosen is not None:
            return Learning(frames["lessons"], chosen.reset_index(drop=True),
                            i18n.translated_all(meta.get("messages", {})))
    facts = facts() if callable(facts) else facts
    lessons = campaign_lessons(ws, as_of)
    chosen, messages = persuadables(ws, lessons, facts)
    ws.save_result("learning", key, {"lessons": lessons, "persuadables": chosen}, {"messages": messages})
    return Learning(lessons, chosen, messages)


def _facts_hash(facts: pd.DataFrame) -> int:
    """The learning's key part of facts whose source has no key: their figures, hashed."""
    columns = ["customer_id", *[c for c in MODEL_FEATURES if c in facts.columns]]
    return int(pd.util.hash_pandas_object(facts[columns], index=False).sum())


def with_learning(facts: pd.DataFrame, learned: Learning | None) -> pd.DataFrame:
    """``facts`` with the :data:`LEARNED_COLUMNS` the ``persuadable`` rule reads (empty
    without a learning)."""
    facts = facts.drop(columns=[c for c in LEARNED_COLUMNS if c in facts.columns])
    if learned is None or learned.persuadables.empty:
        return facts.assign(**{c: None for c in LEARNED_COLUMNS})
    by_id = learned.persuadables.set_index("customer_id")[LEARNED_COLUMNS]
    extra = by_id.reindex(facts["customer_id"].astype(str))
    return facts.assign(**{c: extra[c].astype(object).where(extra[c].notna(), None).to_numpy()
                           for c in LEARNED_COLUMNS})


# ---------------------------------------------------------------------------------------
# The rule and the lessons' hook.
# ---------------------------------------------------------------------------------------
def _has_lift(frame):
    """Whether a customer has a learned lift above 0: a mask of ``frame`` (pandas) or an Ibis
    condition over the customers table (then only those rows leave the engine)."""
    if not isinstance(frame, pd.DataFrame):
        return frame.learned_lift.cast("float64") > 0
    if "learned_lift" not in frame:
        return pd.Series(False, index=frame.index)
    return pd.to_numeric(frame["learned_lift"], errors="coerce").gt(0).fillna(False).astype(bool)


@rule(id="persuadable", family="growth", when=_has_lift,
      title=N_("Repeat an action that moved customers like this one"),
      reason=N_("In the “{learned_campaign}” test, customers like this one answered more often when contacted."))
def persuadable(c: CustomerContext) -> list[Suggestion]:
    """A customer an earlier campaign's uplift model calls persuadable: its action again
    (the suggestion carries that action's id and title; its family is this rule's)."""
    action, lift = c.get("learned_action"), c.get("learned_lift")
    if action is None or lift is None or lift <= 0:
        return []
    points = 100 * float(lift)
    try:
        base = c.suggestion(str(action), 75 + min(20.0, points), due_days=c.settings.offer_days,
                            channel=str(c.get("learned_channel") or "email"))
    except KeyError:  # an action whose texts need facts this customer has not got (e.g. a category)
        return []
    reason = t("In the “{campaign}” test, customers like this one answered {points:.1f} points more often when "
               "contacted.", campaign=c.learned_campaign, points=points)
    return [dataclasses.replace(base, reason=reason)]


def lesson_words(lesson: dict) -> str:
    """Why an action's priority is lowered, in the current language."""
    lo, hi = 100 * lesson["ci_lo"], 100 * lesson["ci_hi"]
    if lesson["verdict"] == "backfired":
        return t("The last campaign of this action (“{campaign}”) did worse than its control group ({lo:+.1f} to "
                 "{hi:+.1f} points): priority lowered.", campaign=lesson["campaign"], lo=lo, hi=hi)
    return t("The last campaign of this action (“{campaign}”) did not beat its control group ({lo:+.1f} to "
             "{hi:+.1f} points): priority lowered.", campaign=lesson["campaign"], lo=lo, hi=hi)


def lessons(learned: Learning | None) -> "Lessons | None":
    """The actions whose last measured campaign did not beat its control group, for the
    runner: :data:`LESSON_PENALTY` points off their priority and the reason saying why."""
    from analysis.customize.runner import Lessons

    if learned is None or learned.lessons.empty:
        return None
    failed = learned.lessons[learned.lessons["verdict"] != "worked"]
    rows = failed.to_dict(orient="records")
    return Lessons({r["action"]: LESSON_PENALTY for r in rows}, {r["action"]: lesson_words(r) for r in rows})


__all__ = ["LESSON_PENALTY", "Learning", "lessons", "campaign_lessons", "learning", "lesson_words",
           "persuadable", "persuadables", "with_learning"]
