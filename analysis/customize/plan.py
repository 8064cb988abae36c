"""The action plan: every customer's suggested actions as of a date, run by the playbook
(:mod:`analysis.customize.actions`) on the stored per-customer frame (:mod:`analysis.scores`)
and the history up to that date; and the plan in figures for the Actions page and the CLI
(`actions`, `export`).

Each function accepts precomputed :class:`analysis.scores.Scores` so the app computes the
per-customer frame once per workspace, data version and as-of date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

import ibis
import pandas as pd

from analysis.customize import actions, history, learned as learned_rules, runner
from analysis.customize.inputs import prepare
from analysis.interact import timeline
from analysis.differentiate import headroom
from analysis.identify.customers import FILTER_COLUMNS, apply_filters, source_tables
from analysis.identify.facts import resolve_as_of
from analysis.customize.history import PREPARED_COLUMNS
from analysis.customize.stored import WRITTEN_COLUMNS, plan_rows as stored_plan_rows, plan_table
from analysis.scores import Scores, score_customer, score_customers, stored_columns, stored_key
from analysis.settings import ActionSettings, ReportSettings  # noqa: F401  (for callers)
from analysis.store import Tables, Workspace


EXPORT_COLUMNS = ["customer_id", "name", "tier", "cell", "cluster_name", "rfm_segment", "region",
                  "top_action", "top_action_reason"]


def action_inputs(
    source: Workspace | Tables,
    as_of: dt.date,
    frame: pd.DataFrame,
    action_settings: actions.ActionSettings,
    customer_id: str | None = None,
) -> tuple[runner.Customers, ibis.Table | None]:
    """What the runner reads: the customers table (the per-customer ``frame`` with the
    history inputs of :mod:`analysis.customize.history`, one row per customer) and the latest
    answer per (customer_id, action) up to ``as_of``. For every customer the inputs are
    computed in the engine once per data version and as-of date (stored in a Workspace); for
    ``customer_id`` only that customer's rows are read (:func:`history.customer_inputs`)."""
    if customer_id is None:
        kept = history.action_inputs(source, as_of, action_settings)
        inputs, answers = kept.frame, kept.answers
    else:
        cid = str(customer_id)
        frame = frame[frame["customer_id"].astype(str) == cid]
        inputs, answers = history.customer_inputs(source, as_of, action_settings, cid)
    prepared = prepare(frame, None, None, as_of, action_settings, inputs=inputs)
    return runner.from_frame(prepared), (None if answers.empty else ibis.memtable(answers))


def _rule_ids(action_settings: actions.ActionSettings) -> list[str] | None:
    ids = list(action_settings.enabled) if action_settings.enabled is not None else None
    unknown = [r for r in ids or () if r not in actions.RULES]
    if unknown:
        raise ValueError(f"unknown rule ids {unknown}; registered: {sorted(actions.RULES)}")
    return ids


def _plan_table(source: Workspace | Tables, as_of: Any, settings: ReportSettings,
                action_settings: actions.ActionSettings, *args: Any, **kwargs: Any
                ) -> tuple[Any, runner.Customers, dt.date, Scores, runner.Lessons | None]:
    """The plan as an Ibis table in order, without its texts (:func:`runner.plan`), and what
    :func:`runner.render` needs to write them (:func:`plan_inputs`, the same arguments)."""
    customers, answers, as_of, scores, lessons = plan_inputs(source, as_of, settings, action_settings, *args, **kwargs)
    table = runner.plan(customers, answers, as_of, action_settings, _rule_ids(action_settings), lessons=lessons)
    return table, customers, as_of, scores, lessons


def plan_inputs(
    source: Workspace | Tables,
    as_of: Any,
    settings: ReportSettings,
    action_settings: actions.ActionSettings,
    scores: Scores | None,
    customer_id: str | None = None,
    facts: Any = None,
) -> tuple[runner.Customers, Any, dt.date, Scores, runner.Lessons | None]:
    """(the customers table the rules read, the latest answers, the as-of date, the scores,
    the lessons): what :func:`runner.plan` selects from and :func:`runner.render` writes
    with, nothing run yet. On a Workspace the plan also reads what its measured campaigns
    teach (:mod:`analysis.customize.learned`); bare tables hold none. ``facts()``, when
    given, returns every customer's facts the learning reads (``customer_id`` and
    :data:`learned.MODEL_FEATURES`, from the stored scores) when ``scores`` holds one
    customer's row only: called only when the learning is not stored yet. On a Workspace,
    ``scores`` are those of ``settings`` as of ``as_of`` (:func:`score_customers`' figures,
    stored or not): the learning is keyed by their key. Every
    customer's plan on a Workspace whose scores are stored runs on the stored tables in
    DuckDB (:func:`_stored_customers`)."""
    as_of = resolve_as_of(source, as_of)  # of a workspace, its days by plain SQL: no Ibis backend
    ids = _rule_ids(action_settings)
    if customer_id is None and isinstance(source, Workspace) and _engine_rules(ids):
        scores = scores or score_customers(source, as_of, settings)
        if scores.key is not None and scores.key == stored_key(source, as_of, settings):
            learned = learned_rules.learning(source, as_of, lambda: stored_columns(
                source, ["customer_id", *learned_rules.MODEL_FEATURES], as_of, settings), facts_key=scores.key)
            found = _stored_customers(source, scores, as_of, action_settings, learned)
            if found is not None:
                customers, answers = found
                return customers, answers, as_of, scores, learned_rules.lessons(learned)
    scores = scores or score_customers(source, as_of, settings)
    learned = None
    if isinstance(source, Workspace):  # keyed by the key of the scores the facts are: not read when stored
        kept = (lambda: scores.frame) if facts is None else facts
        one = customer_id is not None and facts is None  # ``scores`` may hold that customer only: their figures
        learned = learned_rules.learning(source, as_of, kept, customer_id=customer_id,
                                         facts_key=None if one else stored_key(source, as_of, settings))
    frame = learned_rules.with_learning(scores.frame, learned)
    customers, answers = action_inputs(source, as_of, frame, action_settings, customer_id)
    return customers, answers, as_of, scores, learned_rules.lessons(learned)


def _plan(source: Workspace | Tables, *args: Any, **kwargs: Any
          ) -> tuple[pd.DataFrame, runner.Customers, dt.date, Scores, runner.Lessons | None]:
    """:func:`_plan_table` (the same arguments) with the plan's rows in pandas."""
    table, customers, as_of, scores, lessons = _plan_table(source, *args, **kwargs)
    rows = source_tables(source).transactions.get_backend().to_pandas(table)
    return rows, customers, as_of, scores, lessons


def _engine_rules(ids: list[str] | None) -> bool:
    """Whether the rules ``ids`` (all when None) can run on the stored numbers alone: engine
    rules and the built-in learned rule, none of whose texts names a column written in words
    after reading (:data:`analysis.scores.WRITTEN_COLUMNS`). A custom Python rule may read
    any field of the customer: the plan then runs on the whole scores frame as before."""
    import string

    written = set(WRITTEN_COLUMNS)
    for rid in ids if ids is not None else list(actions.RULES):
        r = actions.RULES[rid]
        if not r.in_engine and r.func is not learned_rules.persuadable:
            return False
    for texts in actions.TEXTS.values():
        for template in texts.values():
            if any(f and f.split(".")[0].split("[")[0] in written for _, f, _, _ in string.Formatter().parse(template)):
                return False
    return True


def _stored_customers(ws: Workspace, scores: Scores, as_of: dt.date, action_settings: actions.ActionSettings,
                      learned: Any) -> tuple[runner.Customers, Any] | None:
    """(the customers table the rules read, the latest answers), both in the workspace: the
    stored scores (:func:`analysis.scores.plan_table`) joined in DuckDB to the stored history
    inputs (:func:`history.input_tables`) and the learned columns; the rows of the customers
    whose texts are written are read alone, typed as :func:`prepare` gives them. None when the
    scores are not stored."""
    table = plan_table(ws, scores)
    if table is None:
        return None
    kept = history.input_tables(ws, as_of, action_settings)
    t = table.drop(*[c for c in PREPARED_COLUMNS if c in table.columns])
    inputs = kept.inputs
    t = t.left_join(inputs, t.customer_id == inputs.customer_id).select(t, *[inputs[c] for c in PREPARED_COLUMNS])
    t = t.mutate(open_complaints=t.open_complaints.fill_null(0), recent_contacts=t.recent_contacts.fill_null(0))
    chosen = None if learned is None else learned.persuadables
    if chosen is None or chosen.empty:
        t = t.mutate(**{c: ibis.null("float64" if c == "learned_lift" else "string")
                        for c in learned_rules.LEARNED_COLUMNS})
    else:
        extra = ibis.memtable(chosen[["customer_id", *learned_rules.LEARNED_COLUMNS]].astype({"customer_id": str}))
        t = t.left_join(extra, t.customer_id == extra.customer_id).select(
            t, *[extra[c] for c in learned_rules.LEARNED_COLUMNS])

    def fetch(ids: list[str], columns: list[str] | None) -> pd.DataFrame:
        with ws.reading():  # a shared workspace's connection is open for the read only
            rows = stored_plan_rows(ws, scores, ids, columns)
            inputs = kept.rows(ids)
        return prepare(learned_rules.with_learning(rows, learned), None, None, as_of, action_settings, inputs=inputs)

    return runner.Customers(t, None, fetch), kept.answers


@dataclass(frozen=True)
class Plan:
    """The whole plan's rows in order, without their texts (:func:`runner.plan`), and what
    :func:`runner.render` needs to write them: a page shows a few rows of a plan that can
    hold a million, so it writes the reasons of those rows only (:meth:`page`), and of every
    row only when a download asks (:meth:`render`)."""

    rows: pd.DataFrame
    customers: runner.Customers
    as_of: dt.date
    action_settings: actions.ActionSettings
    lessons: runner.Lessons | None = None

    def render(self, filters: dict | Sequence | None = None, limit: int | None = None) -> pd.DataFrame:
        """The rows ``filters`` select (see :func:`apply_filters`), the first ``limit`` of
        them when given, with their titles and reasons: what :func:`action_list` returns."""
        rows = apply_filters(self.rows, filters)
        rows = rows.head(limit) if limit else rows
        return runner.render(rows, self.customers, self.as_of, self.action_settings,
                             self.lessons).set_axis(rows.index)

    def titled(self) -> pd.DataFrame:
        """Every row with its title (a title can name the customer's category: "Offer
        tea") and no reason: enough for :func:`plan_summary`, :func:`filter_options` and
        :func:`action_titles`, at a fraction of the cost of writing every reason."""
        return runner.titled(self.rows, self.customers, self.as_of, self.action_settings).set_axis(self.rows.index)

    # The plan's views, as :class:`analysis.customize.stored_plan.StoredPlan` gives them from
    # the rows stored in the workspace (the same figures; there asked of the engine).
    def options(self, keys: Sequence[str] | None = None) -> dict[str, list[str]]:
        """:func:`filter_options` of the plan (of the filters ``keys`` only, when given)."""
        rows = self.rows
        picked = rows if keys is None else rows[[FILTER_COLUMNS[k] for k in keys if FILTER_COLUMNS[k] in rows]]
        return filter_options(picked[[c for c in picked.columns if c in runner.SUGGESTION_COLUMNS]])

    def titles(self) -> dict[str, str]:
        """{action: its title} (:func:`action_titles`), each written for its first row only."""
        firsts = self.rows.drop_duplicates("action") if "action" in self.rows else self.rows.head(0)
        return action_titles(dataclasses.replace(self, rows=firsts).titled())

    def summary(self, filters: dict | Sequence | None = None) -> dict:
        """:func:`plan_summary` of the titled plan under ``filters``."""
        return plan_summary(self.titled(), filters)

    def customers_with(self, wanted: Sequence[str]) -> list[str]:
        """The distinct customers (ids as text) with one of the actions ``wanted``."""
        rows = self.rows
        return rows.loc[rows["action"].astype("str").isin([str(a) for a in wanted]),
                        "customer_id"].astype("str").unique().tolist()

    def tops(self, ids: Sequence[str], wanted: Sequence[str] | None = None) -> pd.DataFrame:
        """The first row (in the plan's order) of each of the customers ``ids``, among the
        actions ``wanted`` when given, written (:meth:`render`)."""
        rows = self.rows
        rows = rows[rows["customer_id"].astype("str").isin(pd.Series(ids, dtype="str").unique())]
        rows = apply_filters(rows, {"action": list(wanted or [])})
        return dataclasses.replace(self, rows=rows.drop_duplicates("customer_id")).render().reset_index(drop=True)

    def customer(self, customer_id: str) -> pd.DataFrame:
        """One customer's rows, written (:func:`customer_actions`)."""
        rows = self.rows[self.rows["customer_id"].astype("str") == str(customer_id)]
        return runner.render(rows, self.customers, self.as_of, self.action_settings, self.lessons)


def plan_rows(source: Workspace | Tables, as_of: Any = None, settings: ReportSettings = ReportSettings(),
              action_settings: actions.ActionSettings = actions.ActionSettings(),
              scores: Scores | None = None) -> Plan:
    """The whole plan (:class:`Plan`), nothing written yet."""
    rows, customers, as_of, _, lessons = _plan(source, as_of, settings, action_settings, scores)
    return Plan(rows, customers, as_of, action_settings, lessons)


def all_actions(
    source: Workspace | Tables,
    as_of: Any = None,
    settings: ReportSettings = ReportSettings(),
    action_settings: actions.ActionSettings = actions.ActionSettings(),
    scores: Scores | None = None,
) -> pd.DataFrame:
    """Every suggested action for every customer, highest priority first."""
    rows, customers, as_of, _, lessons = _plan(source, as_of, settings, action_settings, scores)
    return runner.render(rows, customers, as_of, action_settings, lessons)


def action_list(
    source: Workspace | Tables,
    as_of: Any = None,
    filters: dict | None = None,
    limit: int | None = None,
    settings: ReportSettings = ReportSettings(),
    action_settings: actions.ActionSettings = actions.ActionSettings(),
    scores: Scores | None = None,
) -> pd.DataFrame:
    """The top suggested actions across customers, filtered, highest priority first; the
    titles and reasons are written for the rows returned only. On stored scores the filters
    and the first ``limit`` rows are picked in the engine: only those rows leave it."""
    table, customers, as_of, _, lessons = _plan_table(source, as_of, settings, action_settings, scores)
    if customers.frame is not None:
        return Plan(source_tables(source).transactions.get_backend().to_pandas(table), customers, as_of,
                    action_settings, lessons).render(filters, limit)
    for name, values in dict(filters or {}).items():
        column = FILTER_COLUMNS.get(name)
        if values and column in table.columns:
            table = table.filter(table[column].cast("string").isin([str(v) for v in values]))
    table = runner.in_order(table)
    rows = (table.limit(limit) if limit else table).to_pyarrow().to_pandas()
    return runner.render(rows, customers, as_of, action_settings, lessons)


def export_list(
    source: Workspace | Tables,
    as_of: Any = None,
    filters: dict | None = None,
    settings: ReportSettings = ReportSettings(),
    scores: Scores | None = None,
    action_settings: actions.ActionSettings = actions.ActionSettings(),
) -> pd.DataFrame:
    """Every customer (filtered) with id, name, tier, matrix cell, cluster, segment and the
    top suggested action. With an ``action`` filter, only customers who have that action.
    Only the top action of each customer is written out in words."""
    suggested, customers, as_of, scores, lessons = _plan(source, as_of, settings, action_settings, scores)
    wanted = (filters or {}).get("action")
    if wanted:
        suggested = suggested[suggested["action"].isin(wanted)]
    top = runner.render(suggested.drop_duplicates("customer_id"), customers, as_of, action_settings, lessons)
    return export_frame(scores.frame, top, filters)


def export_frame(frame: pd.DataFrame, top: pd.DataFrame, filters: dict | None = None) -> pd.DataFrame:
    """:func:`export_list`'s table: the customers of the scores ``frame`` (filtered) with the
    top action ``top`` (each customer's first suggestion, written) gives each; with an
    ``action`` filter only those ``top`` holds."""
    wanted = (filters or {}).get("action")
    top = top[["customer_id", "title", "reason"]].rename(columns={"title": "top_action", "reason": "top_action_reason"})
    frame = frame.merge(top, on="customer_id", how="inner" if wanted else "left")
    rest = {k: v for k, v in (filters or {}).items() if k != "action"}
    return apply_filters(frame, rest)[EXPORT_COLUMNS].reset_index(drop=True)


def count_by_action(found: pd.DataFrame) -> pd.DataFrame:
    """How many customers each kind of action is suggested for: action, title, customers,
    mean priority; most frequent first."""
    if found.empty:
        return pd.DataFrame({"action": [], "title": [], "customers": [], "priority": []})
    counts = found.groupby(["action", "title"], as_index=False).agg(
        customers=("customer_id", "nunique"), priority=("priority", "mean"))
    return counts.sort_values(["customers", "action"], ascending=[False, True]).reset_index(drop=True)


def plan_summary(frame: pd.DataFrame, filters: dict | Sequence | None = None) -> dict:
    """The action plan ``frame`` narrowed by ``filters`` (see :func:`apply_filters`), in
    figures: {"counts": :func:`count_by_action`, "actions": rows, "customers": distinct
    customers}."""
    found = apply_filters(frame, filters)
    return {"counts": count_by_action(found), "actions": len(found), "customers": int(found["customer_id"].nunique())}


def action_titles(frame: pd.DataFrame) -> dict[str, str]:
    """{action code: its title} over an action plan frame."""
    if "action" not in frame:
        return {}
    pairs = frame[["action", "title"]].drop_duplicates("action")
    return dict(zip(pairs["action"].astype(str), pairs["title"].astype(str)))


def filter_options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The distinct values of each filter column present in ``frame``, sorted, for pickers."""
    return {
        name: sorted(frame[col].dropna().astype(str).unique())
        for name, col in FILTER_COLUMNS.items() if col in frame and name != "customer_id"
    }


PROFILE_LABELS = [
    "tier", "previous_tier", "cell", "abcd", "strategy", "rfm_segment", "cluster_name",
    "is_mvc", "is_mcc", "is_bz", "profit", "potential", "share_of_wallet",
    "reason_mvc", "reason_mcc", "reason_bz", "p_alive", "expected_next_purchase", "clv", "clv_note",
    "wallet_estimate", "wallet_source", "wallet_peers", "headroom",
]


def customer_detail(
    source: Workspace | Tables,
    customer_id: str,
    as_of: Any = None,
    settings: ReportSettings = ReportSettings(),
    action_settings: actions.ActionSettings = actions.ActionSettings(),
    scores: Scores | None = None,
) -> dict[str, Any]:
    """{"profile", "events", "actions"} for one customer: the profile with every label, the
    events in time order, and the suggested next actions."""
    tables = source_tables(source)
    as_of = resolve_as_of(tables, as_of)
    profile = timeline.customer_profile(tables, customer_id, as_of, settings.window_months)
    facts = None
    if scores is None and isinstance(source, Workspace):  # that customer's stored row alone
        scores = score_customer(source, customer_id, as_of, settings)
        if scores is not None:
            def facts() -> pd.DataFrame:
                return stored_columns(source, ["customer_id", *learned_rules.MODEL_FEATURES], as_of, settings)
    scores = scores or score_customers(source, as_of, settings)
    row = scores.frame[scores.frame["customer_id"] == str(customer_id)]
    events = timeline.customer_events(tables, customer_id, as_of, settings.currency)
    suggested = customer_actions(source, customer_id, as_of, settings, action_settings, scores, facts)
    return detail_of(profile, row, events, suggested, settings)


def detail_of(profile: dict[str, Any], row: pd.DataFrame, events: pd.DataFrame, suggested: pd.DataFrame,
              settings: ReportSettings) -> dict[str, Any]:
    """:func:`customer_detail`'s answer (JSON-ready) from the customer's ``profile``
    (:func:`analysis.interact.timeline.customer_profile`), their ``row`` of the scores (the
    labels added to the profile; none when empty), their ``events`` and ``suggested`` actions."""
    if not row.empty:
        labels = row.iloc[0]
        profile.update({k: labels.get(k) for k in PROFILE_LABELS if k in labels.index})
        profile["wallet_basis"] = headroom.source_text(labels.get("wallet_source"), labels.get("wallet_peers"),
                                                       labels.get("wallet_peer_group"), settings.currency)
    return {
        "profile": {k: _plain(v) for k, v in profile.items()},
        "events": [{k: _plain(v) for k, v in e.items()} for e in events.to_dict(orient="records")],
        "actions": [{k: _plain(v) for k, v in a.items()} for a in suggested.to_dict(orient="records")],
    }


def customer_actions(source: Workspace | Tables, customer_id: str, as_of: Any = None,
                     settings: ReportSettings = ReportSettings(),
                     action_settings: actions.ActionSettings = actions.ActionSettings(),
                     scores: Scores | None = None, facts: Any = None) -> pd.DataFrame:
    """One customer's suggested actions, written, in the plan's order: the rows of
    :func:`all_actions` for that customer, computed from that customer's inputs only
    (``facts``: see :func:`_plan`)."""
    rows, customers, as_of, _, lessons = _plan(source, as_of, settings, action_settings, scores,
                                               customer_id=str(customer_id), facts=facts)
    return runner.render(rows, customers, as_of, action_settings, lessons)


def _plain(value: Any) -> Any:
    """NaN/NaT -> None, numpy scalars -> Python, dates -> ISO strings (JSON-ready)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.isoformat() if not pd.isna(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
