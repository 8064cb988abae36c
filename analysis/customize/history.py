"""The history the action rules read, as engine expressions: one Ibis expression per input
over the workspace tables, so the same plan runs on DuckDB and on Spark and no purchase or
contact leaves the engine. :func:`history_inputs` gives one row per customer with a history;
:func:`answers_table` the latest answer to each earlier action; :func:`action_inputs` stores
both (and the cross-sell rules) with the scores, once per data version and as-of date.

The inputs, as of the end of the as-of day:

- ``gap_days``: median days between consecutive purchase days (every line up to the as-of
  date, refunds too), missing with fewer than ``min_purchase_days`` purchase days;
- ``last_survey``: the latest contact with a satisfaction score;
- ``open_complaints``, ``open_complaint_at``, ``last_open_complaint_at``: complaints with no
  interaction at or after them whose outcome is "resolved" (a ``resolution`` contact with no
  outcome also resolves), how many, the first and the latest;
- ``recent_contacts``: contacts of the ``fatigue_contact_kinds`` in the last ``fatigue_days``;
- ``crosssell_*``: the best category the customer never bought (:mod:`.crosssell`).

Kinds compare in lower case without surrounding spaces; outcomes as :func:`outcome_text`
writes them. Ties among answers at the same moment go to the later recorded contact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ibis
import pandas as pd

from analysis.customize import crosssell
from analysis.customize.normal import outcome_text, stripped
from analysis.identify.facts import interactions_until, purchases, resolve_as_of
from analysis.settings import ActionSettings
from analysis.store import SCHEMA, Tables, Workspace, local_tables, materialize, to_frame

PREPARED_COLUMNS = (
    "gap_days", "last_survey", "open_complaints", "open_complaint_at", "last_open_complaint_at",
    "recent_contacts", "crosssell_category", "crosssell_antecedent", "crosssell_confidence", "crosssell_lift",
)
ANSWER_COLUMNS = ("customer_id", "action", "answered_at", "outcome_norm")
# Bumped when the stored inputs change, so inputs stored by an older version are not read.
STORED_FORMAT = 1

def _kind(i):
    return stripped(i.kind.lower())


def _day_end(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def _mine(table, customer_id: str | None):
    return table if customer_id is None else table.filter(table.customer_id == str(customer_id))


# ---------------------------------------------------------------------------------------
# One expression per input.
# ---------------------------------------------------------------------------------------
def purchase_gaps(t, min_purchase_days: int):
    """customer_id, purchase_days_seen, gap_days over purchase lines ``t``."""
    days = t.select("customer_id", "date").distinct()
    w = ibis.window(group_by=days.customer_id, order_by=days.date)
    gaps = days.mutate(gap=days.date.delta(days.date.lag().over(w), unit="day"))
    out = gaps.group_by("customer_id").aggregate(purchase_days_seen=gaps.count(),
                                                 gap=gaps.gap.cast("float64").median())
    enough = out.purchase_days_seen >= min_purchase_days
    return out.select("customer_id", "purchase_days_seen",
                      gap_days=ibis.ifelse(enough, out.gap, ibis.null("float64")))


def last_survey(i):
    """customer_id, last_survey: the latest interaction with a satisfaction score."""
    s = i.filter(i.satisfaction.notnull())
    return s.group_by("customer_id").aggregate(last_survey=s.occurred_at.max())


def open_complaint_rows(i):
    """The complaints among interactions ``i`` still open, one row each (every column of ``i``)."""
    norm = outcome_text(i.outcome)
    resolves = i.filter((norm == "resolved") | ((_kind(i) == "resolution") & i.outcome.isnull()))
    last = resolves.group_by("customer_id").aggregate(last_resolved=resolves.occurred_at.max())
    complaints = i.filter(_kind(i) == "complaint")
    joined = complaints.left_join(last, "customer_id")
    still = last.last_resolved.isnull() | (complaints.occurred_at > last.last_resolved)
    return joined.filter(still).select(*complaints.columns)


def complaint_state(i):
    """customer_id, open_complaints, open_complaint_at, last_open_complaint_at."""
    o = open_complaint_rows(i)
    return o.group_by("customer_id").aggregate(
        open_complaints=o.count(), open_complaint_at=o.occurred_at.min(),
        last_open_complaint_at=o.occurred_at.max())


def recent_contacts(i, as_of: dt.date, settings: ActionSettings):
    """customer_id, recent_contacts: contacts of the fatigue contact kinds in the last
    ``fatigue_days`` up to the end of ``as_of``."""
    since = _day_end(as_of) - dt.timedelta(days=settings.fatigue_days)
    counted = list(settings.fatigue_contact_kinds)
    kinds = _kind(i).isin(counted) if counted else ibis.literal(False)
    r = i.filter((i.occurred_at >= ibis.literal(since)) & kinds)
    return r.group_by("customer_id").aggregate(recent_contacts=r.count())


def latest_answers(i):
    """customer_id, action, answered_at, outcome_norm: the latest answer per (customer_id,
    action) among interactions ``i``: answered_at is the latest answer's moment, outcome_norm
    the latest answer that names an outcome, as :func:`outcome_text` writes it."""
    a = i.filter(i.answers_action.notnull()).mutate(action=i.answers_action, outcome_norm=outcome_text(i.outcome))
    latest = a.group_by("customer_id", "action").aggregate(answered_at=a.occurred_at.max())
    known = a.filter(a.outcome_norm.notnull())
    w = ibis.window(group_by=[known.customer_id, known.action],
                    order_by=[ibis.desc(known.occurred_at), ibis.desc(known.interaction_id)])
    last = known.mutate(answer_rank=ibis.row_number().over(w))
    last = last.filter(last.answer_rank == 0).select("customer_id", "action", "outcome_norm")
    joined = latest.left_join(last, ["customer_id", "action"])
    return joined.select(latest.customer_id, latest.action, latest.answered_at, last.outcome_norm)


def answers_table(tables: Tables, as_of: dt.date, customer_id: str | None = None):
    """:func:`latest_answers` up to the end of ``as_of`` (of one customer when given)."""
    return latest_answers(_mine(interactions_until(tables, as_of), customer_id))


# ---------------------------------------------------------------------------------------
# Every input, one row per customer.
# ---------------------------------------------------------------------------------------
def crosssell_rules(tables: Tables, as_of: dt.date, settings: ActionSettings = ActionSettings(),
                    pairs=None) -> pd.DataFrame:
    """The co-purchase rules fitted on every customer's purchases up to ``as_of``
    (:attr:`crosssell.CoPurchaseModel.rules_`): a small frame, one row per category pair,
    that a caller keeps per data version and hands to :func:`history_inputs`. ``pairs``:
    :func:`crosssell.bought_pairs` of those purchases when already made."""
    if pairs is None:  # counted from the purchase lines, without making the pairs first
        return _model(settings).fit(purchases(tables, as_of)).rules_
    return _model(settings).fit_pairs(pairs).rules_


def _model(settings: ActionSettings) -> crosssell.CoPurchaseModel:
    return crosssell.CoPurchaseModel(
        settings.crosssell_min_customers, settings.crosssell_min_confidence, settings.crosssell_min_lift)


def history_inputs(tables: Tables, as_of: Any, settings: ActionSettings = ActionSettings(),
                   customer_id: str | None = None, rules: pd.DataFrame | None = None, pairs=None):
    """One row per customer with a purchase or an interaction up to ``as_of``:
    ``customer_id`` and :data:`PREPARED_COLUMNS`. With ``customer_id`` the history is
    narrowed to that customer first (the cross-sell rules stay global: pass the ``rules``
    kept from :func:`crosssell_rules`, else they are fitted here on every customer).
    ``pairs``: :func:`crosssell.bought_pairs` of everyone's purchases, when already made."""
    as_of = resolve_as_of(tables, as_of)
    t = _mine(purchases(tables, as_of), customer_id)
    i = _mine(interactions_until(tables, as_of), customer_id)
    pairs = crosssell.bought_pairs(t) if pairs is None or customer_id is not None else pairs
    if rules is None:
        if customer_id is None:  # the same pairs fit the rules and pick the offers: made once
            pairs = materialize(pairs)
            rules = crosssell_rules(tables, as_of, settings, pairs)
        else:
            rules = crosssell_rules(tables, as_of, settings)
    offers = _model(settings).use(rules).offers_from_pairs(pairs).select(
        "customer_id", crosssell_category="category", crosssell_antecedent="antecedent",
        crosssell_confidence="confidence", crosssell_lift="lift")
    who = ibis.union(t.select("customer_id"), i.select("customer_id"), distinct=True)
    parts = [purchase_gaps(t, settings.min_purchase_days).select("customer_id", "gap_days"),
             last_survey(i), complaint_state(i), recent_contacts(i, as_of, settings), offers]
    out = who
    for part in parts:
        out = out.left_join(part, "customer_id").select(out, *[part[c] for c in part.columns if c != "customer_id"])
    return out.mutate(open_complaints=out.open_complaints.fill_null(0),
                      recent_contacts=out.recent_contacts.fill_null(0)).select("customer_id", *PREPARED_COLUMNS)


# ---------------------------------------------------------------------------------------
# Stored with the scores.
# ---------------------------------------------------------------------------------------
@dataclasses.dataclass
class ActionInputs:
    """Every customer's history inputs (``frame``: customer_id + :data:`PREPARED_COLUMNS`),
    the latest answers (``answers``: :data:`ANSWER_COLUMNS`) and the cross-sell rules
    (``rules``: :data:`crosssell.RULE_COLUMNS` + usable), as of ``as_of``."""

    frame: pd.DataFrame
    answers: pd.DataFrame
    rules: pd.DataFrame
    as_of: dt.date


def input_settings(settings: ActionSettings) -> tuple:
    """The settings the inputs depend on (a stored result's key): not the rules' thresholds."""
    return (settings.min_purchase_days, settings.fatigue_days, tuple(settings.fatigue_contact_kinds),
            settings.crosssell_min_customers, settings.crosssell_min_confidence, settings.crosssell_min_lift)


def _keys(ws: Workspace, as_of: dt.date, settings: ActionSettings) -> tuple[str, str]:
    """(the stored inputs' key, the stored cross-sell rules' key) of ``ws`` as of ``as_of``."""
    parts = dict(**ws.version_at(as_of), format=STORED_FORMAT, as_of=as_of.isoformat(),
                 settings=repr(input_settings(settings)))
    return ws.result_key("action_inputs", **parts), ws.result_key("action_rules", **parts)


def action_inputs(source: Workspace | Tables, as_of: Any = None,
                  settings: ActionSettings = ActionSettings()) -> ActionInputs:
    """:func:`history_inputs`, :func:`answers_table` and the cross-sell rules computed in the
    engine. On a Workspace they are stored there (result kind ``action_inputs``, keyed like
    the scores by :meth:`~analysis.store.Workspace.version_at`, the as-of date and
    :func:`input_settings`; the rules alone also as the small result ``action_rules``, which
    one customer's plan reads) and read back by later calls; on bare Tables computed each time."""
    tables = source.tables() if isinstance(source, Workspace) else source
    as_of = resolve_as_of(tables, as_of)

    def compute() -> tuple[dict, dict]:
        pairs = materialize(crosssell.bought_pairs(purchases(tables, as_of)))
        rules = crosssell_rules(tables, as_of, settings, pairs)
        frame = inputs_frame(history_inputs(tables, as_of, settings, rules=rules, pairs=pairs))
        answers = answers_frame(answers_table(tables, as_of))
        return {"inputs": frame, "answers": answers, "rules": rules}, {}

    if isinstance(source, Workspace):
        key, rules_key = _keys(source, as_of, settings)
        frames, _ = source.stored_result("action_inputs", key, compute)
        if not source.has_result(rules_key):
            source.save_result("action_rules", rules_key, {"rules": frames["rules"]}, {})
    else:
        frames, _ = compute()
    return ActionInputs(frames["inputs"], frames["answers"], frames["rules"], as_of)


def inputs_stored(ws: Workspace, as_of: Any, settings: ActionSettings = ActionSettings()) -> bool:
    """Whether :func:`action_inputs` of ``ws`` as of ``as_of`` with
    ``settings`` are stored: the step after an import stores them with the scores, so the
    first plan asked for reads them instead of computing them."""
    return ws.has_result(_keys(ws, resolve_as_of(ws.tables(), as_of), settings)[0])


def kept_rules(ws: Workspace, as_of: dt.date, settings: ActionSettings = ActionSettings()) -> pd.DataFrame:
    """The cross-sell rules as of ``as_of``: the small stored result ``action_rules`` when
    there is one, else fitted on every customer's purchases (and stored when the workspace
    is writable)."""
    _, rules_key = _keys(ws, as_of, settings)
    found = ws.load_result(rules_key)
    if found is not None:
        return found[0]["rules"]
    rules = crosssell_rules(ws.tables(), as_of, settings)
    ws.save_result("action_rules", rules_key, {"rules": rules}, {})
    return rules


@dataclasses.dataclass(frozen=True)
class InputTables:
    """Every customer's history inputs (``inputs``: customer_id + :data:`PREPARED_COLUMNS`)
    and the latest answers (``answers``: :data:`ANSWER_COLUMNS`, None when there are none)
    as engine tables, and ``rows(ids)``: the inputs of some customers, typed as
    :func:`inputs_frame` types them."""

    inputs: Any
    answers: Any
    rows: Any


def stored_inputs(ws: Workspace, as_of: dt.date, settings: ActionSettings = ActionSettings()) -> Any:
    """The stored history inputs of ``ws`` as of ``as_of`` (one row per customer with
    :data:`PREPARED_COLUMNS`) as a table in the workspace; None when they are not stored
    (nothing is computed here)."""
    key, _ = _keys(ws, as_of, settings)
    return ws.result_table(key, "inputs")


def input_tables(ws: Workspace, as_of: dt.date, settings: ActionSettings = ActionSettings()) -> InputTables:
    """:func:`action_inputs` of ``ws`` read where they are stored, as tables in the
    workspace: a plan over a million customers joins them in DuckDB and reads the rows of
    the customers it writes texts for only. Computed and stored first when missing (on a
    read-only workspace computed and held in memory)."""
    from analysis.customize.stored import stored_rows

    key, _ = _keys(ws, as_of, settings)
    if not ws.has_result(key):
        kept = action_inputs(ws, as_of, settings)
        if not ws.has_result(key):  # read-only: held in memory
            frame = kept.frame

            def held(ids) -> pd.DataFrame:
                import pyarrow as pa
                import pyarrow.compute as pc

                wanted = pa.array(ids, pa.string()).unique()
                mask = pc.is_in(pa.array(frame["customer_id"], pa.string()), value_set=wanted)
                return frame[mask.to_numpy(zero_copy_only=False)].reset_index(drop=True)

            return InputTables(ibis.memtable(frame), None if kept.answers.empty else ibis.memtable(kept.answers), held)
    answers = ws.result_table(key, "answers")
    if answers is not None and not answers.limit(1).count().execute():
        answers = None
    return InputTables(ws.result_table(key, "inputs"), answers, lambda ids: stored_rows(ws, key, "inputs", ids))


def customer_inputs(source: Workspace | Tables, as_of: dt.date, settings: ActionSettings,
                    customer_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(inputs, answers) of one customer, as :func:`action_inputs` gives them for everyone:
    their rows of the stored inputs when stored (read alone, the filter runs in DuckDB), else
    computed on that customer's history only, with the cross-sell rules kept for the data
    version (:func:`kept_rules`; on bare Tables fitted here)."""
    cid = str(customer_id)
    if isinstance(source, Workspace):
        key, _ = _keys(source, as_of, settings)
        inputs = source.load_result_rows(key, "inputs", "customer_id", cid)
        answers = source.load_result_rows(key, "answers", "customer_id", cid)
        if inputs is not None and answers is not None:
            return inputs, answers
        tables, rules = source.tables(), kept_rules(source, as_of, settings)
    else:
        tables, rules = source, crosssell_rules(source, as_of, settings)
    inputs = inputs_frame(history_inputs(tables, as_of, settings, customer_id=cid, rules=rules))
    return inputs, answers_frame(answers_table(tables, as_of, customer_id=cid))


def _stamps(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[us]")
    return frame


def inputs_frame(expr) -> pd.DataFrame:
    """:func:`history_inputs` executed: pandas types the rules read (float gap and cross-sell
    figures, int counts, datetime64 moments, text ids), ordered by customer id."""
    frame = to_frame(expr.order_by("customer_id"))
    frame = frame.astype({"gap_days": "float64", "open_complaints": "int64", "recent_contacts": "int64",
                          "crosssell_confidence": "float64", "crosssell_lift": "float64",
                          "customer_id": str, "crosssell_category": object, "crosssell_antecedent": object})
    return _stamps(frame, ("last_survey", "open_complaint_at", "last_open_complaint_at")).reset_index(drop=True)


def answers_frame(expr) -> pd.DataFrame:
    """:func:`answers_table` executed, ordered by customer and action."""
    frame = to_frame(expr.order_by(["customer_id", "action"]))
    frame = frame.astype({"customer_id": object, "action": object})
    frame["outcome_norm"] = frame["outcome_norm"].astype("string")
    return _stamps(frame, ("answered_at",)).reset_index(drop=True)


_FRAME_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp[us]", "DOUBLE": "float64", "BIGINT": "int64",
                "DATE": "date32"}


def frames_tables(interactions: pd.DataFrame | None = None, transactions: pd.DataFrame | None = None) -> Tables:
    """Interactions and purchase lines held in pandas as :class:`Tables` of a private
    in-memory engine, typed as the workspace's tables (missing columns empty, amounts as
    floats), so the expressions above also read them."""
    import pyarrow as pa

    def typed(frame: pd.DataFrame | None, table: str) -> pa.Table:
        frame = pd.DataFrame() if frame is None else frame
        columns = {}
        for name, kind in SCHEMA[table].items():
            base = kind.split()[0].split("(")[0]
            arrow = "float64" if base == "DECIMAL" else _FRAME_TYPES[base]
            values = frame[name] if name in frame else pd.Series([None] * len(frame), dtype=object)
            if arrow == "string":
                values = values.astype("string")
            elif arrow.startswith("timestamp"):
                values = pd.to_datetime(values).astype("datetime64[us]")
            elif arrow == "date32":
                values = pd.to_datetime(values).dt.normalize().astype("datetime64[us]")
            elif arrow == "int64":
                values = pd.to_numeric(values, errors="coerce").astype("Int64")
            else:
                values = pd.to_numeric(values, errors="coerce").astype("float64")
            column = pa.array(values, from_pandas=True)
            columns[name] = column.cast(pa.type_for_alias(arrow)) if arrow == "date32" else column
        return pa.table(columns)

    found = local_tables({"interactions": typed(interactions, "interactions"),
                          "transactions": typed(transactions, "transactions"),
                          "customers": typed(None, "customers")})
    return Tables(found["customers"], found["transactions"], found["interactions"])
