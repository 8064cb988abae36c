"""The suggested-action runner in the engine: every rule's select over the customers table
(one row per customer: the scores and the history inputs), the learning relationship, the
superseded actions, the contact-fatigue cap and the order of the plan, as one Ibis
expression that runs where the tables are (DuckDB, or Spark for ``--engine spark``). Nothing
is rendered here: a plan row carries its rule and reason variant, and
:func:`render` writes the title and reason, with the customer's figures, for the rows shown
or exported only (Peppers & Rogers, "Managing Customer Relationships", ch. 10: the learning
relationship; the rules are in :mod:`analysis.customize.playbook`).

Python rules (a function and a ``when`` mask, :mod:`analysis.customize.rules`) still work:
only their candidate rows are pulled, their suggestions go into the same union.
"""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import ibis
import numpy as np
import pandas as pd

from analysis.customize import writing
from analysis.customize.rules import RULES, CustomerContext, Rule
from analysis.settings import ActionSettings

COPY_COLUMNS = ["name", "tier", "cell", "cluster_name", "rfm_segment", "region"]
SUGGESTION_COLUMNS = [
    "customer_id", "action", "kind", "title", "reason", "priority", "due", "channel",
    *COPY_COLUMNS, "open_since",
]
# One plan row before its texts are written.
PLAN_SCHEMA = ibis.schema({
    "customer_id": "string", "action": "string", "rule": "string", "kind": "string", "rule_pos": "int64",
    "seq": "int64", "raw_priority": "float64", "due": "date", "due_days": "int64", "channel": "string",
    "trigger": "timestamp", "settle_from": "timestamp", "text": "string", "title": "string",
    "reason": "string", "capped": "boolean",
})


@dataclass(frozen=True)
class Customers:
    """The customers table the rules read (``table``: customer_id, the scores and the
    history inputs, one row per customer) and, when they are already in memory, the same
    rows as a pandas frame (``frame``), read instead of pulling them back for texts.
    ``fetch(ids, columns)``, when given, reads some customers' rows (only ``columns`` when
    not None) typed as the frame would hold them: a plan over a million stored customers
    keeps them in the engine and writes its texts from the rows it shows only."""

    table: ibis.Table
    frame: pd.DataFrame | None = None
    fetch: Callable[[list[str], list[str] | None], pd.DataFrame] | None = None

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns) if self.frame is not None else list(self.table.columns)

    def rows(self, ids: Iterable[str], columns: Iterable[str] | None = None) -> pd.DataFrame:
        """The rows of the customers ``ids``, pulled from the engine only for those (only
        ``columns`` of them when given and the rows are not in memory already)."""
        if self.fetch is not None:  # distinct ids, without a Python string per row
            ids = pd.Series(ids, dtype="str").unique().tolist()
            return self.fetch(ids, None if columns is None else list(dict.fromkeys(["customer_id", *columns])))
        ids = sorted(set(map(str, ids)))
        if self.frame is not None:
            return self.frame[self.frame["customer_id"].astype(str).isin(ids)]
        if not ids:
            return self.table.limit(0).to_pandas()
        return self.table.filter(self.table.customer_id.cast("string").isin(ids)).to_pandas()

    def candidates(self, when: Callable | None) -> pd.DataFrame:
        """The rows a Python rule's ``when`` selects: a pandas mask on the in-memory frame, an
        Ibis condition in the engine (then only those rows are pulled), else every row."""
        if self.frame is not None:
            return self.frame if when is None else self.frame[np.asarray(when(self.frame), dtype=bool)]
        if when is not None:
            try:
                condition = when(self.table)
            except Exception:  # a pandas-only mask: read every row once and apply it
                condition = None
            if isinstance(condition, ibis.Expr):
                chosen = self.table.filter(condition.fill_null(False))
                if self.fetch is not None:
                    return self.rows(chosen.select(_id=chosen.customer_id.cast("string")).to_pyarrow()["_id"].to_pylist())
                return chosen.to_pandas()
        frame = self.table.to_pandas() if self.fetch is None else self.rows(
            self.table.select(_id=self.table.customer_id.cast("string")).to_pyarrow()["_id"].to_pylist())
        return frame if when is None else frame[np.asarray(when(frame), dtype=bool)]


@dataclass(frozen=True)
class Lessons:
    """What measured campaigns teach the plan about whole actions
    (:mod:`analysis.customize.learned`): ``penalty`` points off the priority of every
    suggestion of an action, and the sentence (``notes``) its reason then ends with."""

    penalty: dict[str, int]
    notes: dict[str, str]


def from_frame(frame: pd.DataFrame) -> Customers:
    """The customers table of an in-memory frame (scores joined to the history inputs)."""
    frame = frame.reset_index(drop=True)
    frame["customer_id"] = frame["customer_id"].astype(str)
    return Customers(ibis.memtable(_arrow_friendly(frame)), frame)


def _arrow_friendly(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as one type each: dates and datetimes as datetime64, text as strings
    (anything mixed as its text); a column of only missing values stays as it is."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object or str(col.dtype).startswith(("string", "category")):
            kind = pd.api.types.infer_dtype(col, skipna=True)
            if kind in ("date", "datetime", "datetime64"):
                col = pd.to_datetime(col.astype(object), errors="coerce")
            elif kind == "boolean":
                col = col.astype("boolean")
            elif kind in ("integer", "floating", "mixed-integer-float", "decimal"):
                col = pd.to_numeric(col.astype(object), errors="coerce").astype("float64")
            elif kind == "empty":
                col = pd.Series(pd.NA, index=col.index, dtype="string")
            else:
                col = col.astype(object).where(col.notna(), None).map(lambda v: v if v is None else str(v))
                col = col.astype("string")
        out[name] = col
    return pd.DataFrame(out, index=frame.index)


def _call(f: Any, t: ibis.Table, settings: ActionSettings) -> Any:
    """An engine rule's expression: ``f(t)`` or ``f(t, settings)``; a constant as a literal."""
    if not callable(f):
        return ibis.literal(f)
    if len(inspect.signature(f).parameters) >= 2:
        return f(t, settings)
    return f(t)


def _round_half_even(x: Any) -> Any:
    """Round to the nearest integer, halves to the even one (Python's ``round``)."""
    low = x.floor()
    part = x - low
    return ibis.cases((part > 0.5, low + 1), (part < 0.5, low), else_=low + low % 2).cast("int64")


def _day(day: dt.date) -> Any:
    return ibis.literal(day, type="date")


def _moment(day: dt.date) -> Any:
    return ibis.literal(dt.datetime.combine(day, dt.time()), type="timestamp")


def _select(r: Rule, pos: int, t: ibis.Table, as_of: dt.date, s: ActionSettings) -> ibis.Table:
    days = r.days_due(s)
    trigger = _call(r.trigger, t, s).cast("timestamp") if r.trigger is not None else ibis.null("timestamp")
    repeat = r.repeat_days if r.repeat_days is not None else s.repeat_days
    return t.filter(_call(r.condition, t, s).fill_null(False)).select(
        customer_id=t.customer_id.cast("string"), action=ibis.literal(r.id), rule=ibis.literal(r.id),
        kind=ibis.literal(r.family), rule_pos=ibis.literal(pos, "int64"), seq=ibis.literal(0, "int64"),
        raw_priority=_call(r.priority, t, s).cast("float64"), due=_day(as_of + dt.timedelta(days=days)),
        due_days=ibis.literal(days, "int64"), channel=ibis.literal(r.channel),
        trigger=trigger, settle_from=trigger.fill_null(_moment(as_of - dt.timedelta(days=repeat))),
        text=_call(r.text, t, s).cast("string"), title=ibis.null("string"), reason=ibis.null("string"),
        capped=ibis.literal(r.capped),
    )


def _python_rows(r: Rule, pos: int, customers: Customers, as_of: dt.date, s: ActionSettings) -> pd.DataFrame:
    """A Python rule's suggestions, run on its candidate rows only."""
    frame = customers.candidates(r.when)
    columns = list(frame.columns)
    rows = []
    for values in frame.to_numpy(dtype=object):
        for sug in r.func(CustomerContext(dict(zip(columns, values)), as_of, s)) or ():
            rows.append(sug)
    repeat = r.repeat_days if r.repeat_days is not None else s.repeat_days
    trigger = pd.to_datetime(pd.Series([x.trigger for x in rows], dtype=object), errors="coerce")
    default = pd.Timestamp(as_of) - pd.Timedelta(days=repeat)
    return pd.DataFrame({
        "customer_id": [x.customer_id for x in rows], "action": [x.action for x in rows],
        "rule": r.id, "kind": r.family, "rule_pos": pos, "seq": range(len(rows)),
        "raw_priority": pd.Series([x.priority for x in rows], dtype="float64"),
        "due": pd.to_datetime(pd.Series([x.due for x in rows], dtype=object)),
        "due_days": pd.Series([(x.due - as_of).days for x in rows], dtype="int64"),
        "channel": [x.channel for x in rows], "trigger": trigger, "settle_from": trigger.fillna(default),
        "text": None, "title": [x.title for x in rows], "reason": [x.reason for x in rows], "capped": r.capped,
    }, columns=list(PLAN_SCHEMA.names))


def _learn(found: ibis.Table, answers: ibis.Table, as_of: dt.date, s: ActionSettings) -> ibis.Table:
    """Drop the suggestions the customer's latest answer does not call for: refused within
    the cool-off period, or done after the trigger (or within the repeat period)."""
    a = answers.select(
        _customer=answers.customer_id.cast("string"), _action=answers.action.cast("string"),
        _answered=answers.answered_at.cast("timestamp"), _outcome=answers.outcome_norm.cast("string"))
    j = found.left_join(a, [found.customer_id == a._customer, found.action == a._action])
    cooling = j._outcome.isin(list(s.refused_outcomes)) & (
        j._answered.date() > _day(as_of - dt.timedelta(days=s.cooloff_days)))
    settled = j._outcome.isin(list(s.done_outcomes)) & (j._answered >= j.settle_from)
    keep = ~(cooling.fill_null(False) | settled.fill_null(False))
    return j.filter(keep).select(*found.columns)


def _supersede(found: ibis.Table) -> ibis.Table:
    """Drop the actions another suggestion for the same customer supersedes."""
    gone: dict[str, list[str]] = {}
    for r in RULES.values():
        for action in r.supersedes:
            gone.setdefault(action, []).append(r.id)
    if not gone:
        return found
    flags = found.group_by(_cid=found.customer_id).aggregate(**{
        f"_w{i}": found.action.isin(winners).any() for i, winners in enumerate(gone.values())})
    j = found.left_join(flags, found.customer_id == flags._cid)
    dropped = ibis.literal(False)
    for i, action in enumerate(gone):
        dropped = dropped | ((j.action == action) & j[f"_w{i}"].fill_null(False))
    return j.filter(~dropped).select(*found.columns)


def _cap(found: ibis.Table, t: ibis.Table, s: ActionSettings) -> ibis.Table:
    """Keep at most ``fatigue_cap`` capped contacts per customer, less those already recorded
    in the last ``fatigue_days``; the highest priorities (then the soonest due, then the
    action id) stay."""
    if "recent_contacts" in t.columns:
        recent = t.select(_cid=t.customer_id.cast("string"), _recent=t.recent_contacts.cast("float64"))
        j = found.left_join(recent, found.customer_id == recent._cid)
        allowed = (s.fatigue_cap - j._recent.fill_null(0)).clip(lower=0)
    else:
        j, allowed = found, ibis.literal(float(s.fatigue_cap))
    w = ibis.window(group_by=[j.customer_id, j.capped], order_by=[j.priority.desc(), j.due, j.action])
    # the rank and the allowance as columns first, then the filter (Spark's SQL cannot mix a
    # window with other columns in one filter)
    j = j.mutate(_rank=ibis.row_number().over(w), _allowed=allowed)
    return j.filter(~j.capped | (j._rank < j._allowed)).select(*found.columns)


def plan(
    customers: Customers,
    answers: ibis.Table | None,
    as_of: dt.date,
    settings: ActionSettings = ActionSettings(),
    rules: Sequence[str] | None = None,
    lessons: Lessons | None = None,
) -> ibis.Table:
    """The whole action plan as one Ibis table, in the plan's order (priority desc, the
    longest open first, due, customer, action), without titles and reasons for the engine
    rules' rows (:func:`render`). Columns: :data:`PLAN_SCHEMA` plus the copied customer
    columns and open_since. ``answers``: latest answer per (customer_id, action) with
    answered_at and outcome_norm, or None."""
    t = customers.table
    ids = list(rules) if rules is not None else list(RULES)
    parts = []
    python_rows = False  # an engine rule suggests its own action once per customer; a Python rule any
    for pos, rid in enumerate(ids):
        r = RULES[rid]
        if r.in_engine:
            parts.append(_select(r, pos, t, as_of, settings))
        else:
            rows = _python_rows(r, pos, customers, as_of, settings)
            if len(rows):
                parts.append(ibis.memtable(rows, schema=PLAN_SCHEMA))
                python_rows = True
    if not parts:
        parts = [ibis.memtable(pd.DataFrame(columns=PLAN_SCHEMA.names), schema=PLAN_SCHEMA)]
    found = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    # rounded after the union, so that each rule's expression is written once in the query
    found = found.mutate(priority=_round_half_even(found.raw_priority).clip(0, 100).cast("int64")).drop("raw_priority")
    if lessons is not None and lessons.penalty:  # before the de-duplication and the cap: a lowered action yields its place
        lowered = ibis.cases(*[(found.action == a, p) for a, p in lessons.penalty.items()], else_=0)
        found = found.mutate(priority=(found.priority - lowered).clip(lower=0).cast("int64"))
    if python_rows:  # the highest priority per customer and action (engine rules alone repeat none)
        w = ibis.window(group_by=[found.customer_id, found.action],
                        order_by=[found.priority.desc(), found.rule_pos, found.seq])
        found = found.filter(ibis.row_number().over(w) == 0)
    if answers is not None:
        found = _learn(found, answers, as_of, settings)
    found = _cap(_supersede(found), t, settings)
    copied = t.select(_cid=t.customer_id.cast("string"), **{
        c: (t[c] if c in t.columns else ibis.null("string")).cast("string") for c in COPY_COLUMNS})
    out = found.left_join(copied, found.customer_id == copied._cid).drop("_cid")
    out = out.mutate(open_since=out.trigger.date())
    return in_order(out)


def in_order(out: ibis.Table) -> ibis.Table:
    """Plan rows (:func:`plan`) in the plan's order: priority desc, the longest open first
    (actions without a trigger after those with one), due, customer, action."""
    return out.order_by(order_keys(out))


def order_keys(out: ibis.Table) -> list:
    """The plan's order (:func:`in_order`) as sort keys over plan rows ``out``."""
    return [out.priority.desc(), out.open_since.asc(nulls_first=False), out.due.asc(),
            out.customer_id.asc(), out.action.asc()]


def render(rows: pd.DataFrame, customers: Customers, as_of: dt.date, settings: ActionSettings,
           lessons: Lessons | None = None, reasons: bool = True) -> pd.DataFrame:
    """The plan rows ``rows`` (from :func:`plan`, in pandas) with the title and reason of each,
    in the current language, and the columns of :data:`SUGGESTION_COLUMNS`: the customers'
    own rows are read for these rows only. ``reasons=False`` writes the titles only (the
    reasons stay as the plan has them: empty for the engine rules' rows)."""
    rows = rows.reset_index(drop=True)
    # the columns the texts name and those copied; a rule's ``values`` reading another
    # column has it fetched when it first reads it (writing.Columns)
    found = customers.rows(rows["customer_id"], [*writing.fields(rows, reasons), *COPY_COLUMNS])
    more = None
    if customers.frame is None and customers.fetch is not None:
        def more(names: list[str]) -> pd.DataFrame:
            return customers.rows(found["customer_id"], names)
    at = writing.positions(rows["customer_id"], found["customer_id"])
    titles, written = writing.write(rows, found, as_of, settings, reasons=reasons, more=more,
                                    names=customers.columns, at=at)
    reasons_ = written
    if reasons and lessons is not None and lessons.notes:
        reasons_ = writing.with_notes(written, rows["action"], lessons.notes)
    out = rows.drop(columns=COPY_COLUMNS).assign(title=titles, reason=reasons_)
    if at is not None:  # each row's customer by position: no merge of a million keys
        copied = found.reindex(columns=COPY_COLUMNS).reset_index(drop=True)
        for c in COPY_COLUMNS:
            out[c] = (copied[c].reindex(at) if (at < 0).any() else copied[c].take(at)).array
    else:
        copied = found.assign(customer_id=found["customer_id"].astype(str)).set_index("customer_id")
        out = out.join(copied.reindex(columns=COPY_COLUMNS), on="customer_id")
    out["due"] = _days(out["due"])
    out["open_since"] = _days(out["open_since"])
    out["priority"] = out["priority"].astype(int)
    return out[SUGGESTION_COLUMNS]


def titled(rows: pd.DataFrame, customers: Customers, as_of: dt.date, settings: ActionSettings) -> pd.DataFrame:
    """:func:`render` of ``rows`` with ``reasons=False`` (the same frame), each distinct
    title written once: the rows of one rule, action, reason variant and days to due share
    a title but for the customer's columns the title names ("Offer {category}"), so those
    columns alone are read, for the rows whose title names one, and one row of each
    distinct combination is written. A rule whose ``values`` is a function has each row's
    title written. The copied columns are the plan's own (:func:`plan` copies them)."""
    rows = rows.reset_index(drop=True)
    todo = rows["title"].isna().to_numpy()
    keys = rows[["rule", "action", "text", "due_days"]].astype(object).fillna("")
    needs: dict[tuple, list[str] | None] = {}
    for rid, action, text in keys.loc[todo, ["rule", "action", "text"]].drop_duplicates().itertuples(index=False):
        needs[(rid, action, text)] = writing.title_columns(RULES[rid], action)
    per_row = [k for k, v in needs.items() if v is None]
    wanted = sorted({c for v in needs.values() if v for c in v})
    key_cols = ["rule", "action", "text", "due_days"]
    if wanted or per_row:
        group = pd.MultiIndex.from_frame(keys[["rule", "action", "text"]])
        reads = todo & group.isin([k for k, v in needs.items() if v])
        if wanted and reads.any():
            found = customers.rows(rows.loc[reads, "customer_id"], wanted)
            at = pd.Index(found["customer_id"].astype(str)).get_indexer(rows["customer_id"].astype(str))
            pos = np.flatnonzero(reads)
            hit = at[pos]
            for c in wanted:
                if c not in found:
                    continue
                code = np.full(len(rows), -1, dtype=np.int64)
                mixed = found[c].dtype == object and pd.api.types.infer_dtype(found[c], skipna=True) not in (
                    "string", "empty")
                if mixed:  # one code per distinct value and type (1 and 1.0 are written apart)
                    values = found[c].to_numpy()
                    tagged = [None if hit[i] < 0 else _tag(values[hit[i]]) for i in range(len(pos))]
                    code[pos] = pd.factorize(pd.Series(tagged, dtype=object), use_na_sentinel=False)[0]
                else:  # a typed column, or texts only: values of one type
                    known = pd.factorize(found[c], use_na_sentinel=False)[0]
                    code[pos] = np.where(hit >= 0, known[np.maximum(hit, 0)] if len(known) else -2, -2)
                keys[f"_{c}"] = code
                key_cols.append(f"_{c}")
        if per_row:
            keys["_row"] = np.where(todo & group.isin(per_row), np.arange(len(rows)), -1)
            key_cols.append("_row")
    codes = keys[key_cols].groupby(key_cols, sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(rows)))[todo].groupby(codes[todo], sort=False).first()
    titles = rows["title"].to_numpy(dtype=object, copy=True)
    if len(first):
        once = render(rows.iloc[first.to_numpy()], customers, as_of, settings, reasons=False)["title"].to_numpy(object)
        written = np.empty(codes.max() + 1, dtype=object)
        written[first.index.to_numpy()] = once
        titles[todo] = written[codes[todo]]
    out = rows.assign(title=titles, reason=rows["reason"].to_numpy(dtype=object, copy=True))
    out["due"] = _days(out["due"])
    out["open_since"] = _days(out["open_since"])
    out["priority"] = out["priority"].astype(int)
    return out[SUGGESTION_COLUMNS]


def _tag(value: Any) -> Any:
    """``value`` as a grouping key that tells its type apart; missing values are one key."""
    try:
        if value is None or bool(pd.isna(value)):
            return ("", "")
    except (TypeError, ValueError):
        pass
    return (type(value).__name__, value)


def _days(values: pd.Series) -> np.ndarray:
    """``values`` (dates or moments) as ``datetime.date`` objects, None where missing: each
    distinct day converted once (a plan of a million rows has a few hundred)."""
    codes, days = pd.factorize(pd.to_datetime(values))
    words = np.array([d.date() for d in days] + [None], dtype=object)
    return words[codes]
