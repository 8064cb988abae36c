"""The action plan stored in the workspace (issue 15 §2): every row of :func:`runner.plan`
(no title, no reason written; ``pos`` its place in the plan's order) kept as the stored result
``action_plan``, so that the Action plan, Campaigns and Workshop pages and the Customer page
read a plan of a million rows in DuckDB instead of working it out and bringing it to pandas.

The step after an import stores it last (after the scores and the history inputs); a page
that asks for a plan under another key (other sidebar settings, another as-of date, a new
campaign) computes it and stores it then (:func:`plan_of`). Its key is what the plan depends
on: the data version at the as-of date, the as-of date, the stored scores' key (the report
settings that reach them), the action settings, the campaigns (the learned rules read the
measured ones), the language (the personas' names and the learned rules' texts are written
in it) and the registered rules.

:class:`StoredPlan` gives the views the pages show, each asked of the engine: the pickers'
options, {action: title}, the counts by action and title under filters
(:func:`analysis.customize.plan.plan_summary`), the first rows of a filtered plan with their
reasons, and every filtered row for a download. Titles are written once per group of rows
that share them: rule, action, reason variant, days to due and the customer's columns the
title names (:func:`analysis.customize.writing.title_columns`), one representative row each.
The figures are those of :class:`analysis.customize.plan.Plan` over the same rows.

Size: one stored table and the views the pages, ``actions`` and ``export`` ask of it
(options, titles, counts, slices, each customer's first row), sharing its private readers
(``_table``, ``_filtered``, ``_read``, ``_render``); apart, each would reach into the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cached_property
from typing import Any, Iterator, Sequence

import ibis
import numpy as np
import pandas as pd

from analysis import i18n
from analysis.customize import runner, writing
from analysis.customize.plan import Plan, _rule_ids, plan_inputs
from analysis.customize.rules import RULES
from analysis.identify.customers import FILTER_COLUMNS
from analysis.identify.facts import resolve_as_of
from analysis.scores import Scores, stored_key
from analysis.settings import ActionSettings, ReportSettings
from analysis.store import Workspace

KIND = "action_plan"
# A whole plan (a download, ``actions --limit 0``) is read and written this many rows at a
# time, so the frames of a million rows in the making never coexist (issue 15: the whole plan
# under 2 GB); the rows written are the same as in one piece.
SLICE_ROWS = 200_000
# Bumped when the stored rows change, so a plan stored by an older version is not read.
STORED_FORMAT = 1


def plan_key(ws: Workspace, as_of: dt.date, settings: ReportSettings, action_settings: ActionSettings) -> str:
    """The key the plan of ``ws`` as of ``as_of`` with these settings is stored under."""
    from analysis.store.campaigns import campaigns_version

    return ws.result_key(KIND, format=STORED_FORMAT, version=ws.version_at(as_of), as_of=as_of.isoformat(),
                         scores=stored_key(ws, as_of, settings), actions=repr(action_settings),
                         campaigns=campaigns_version(ws), language=i18n.language(), rules=sorted(RULES))


def is_stored(ws: Workspace, as_of: Any, settings: ReportSettings = ReportSettings(),
              action_settings: ActionSettings = ActionSettings()) -> bool:
    """Whether the plan of ``ws`` as of ``as_of`` with these settings is stored."""
    with ws.reading():
        as_of = resolve_as_of(ws.tables(), as_of)
        return ws.has_result(plan_key(ws, as_of, settings, action_settings))


def computed(ws: Workspace, as_of: dt.date, settings: ReportSettings, action_settings: ActionSettings,
             scores: Scores | None = None) -> tuple[Any, dict, runner.Customers, Scores, runner.Lessons | None]:
    """(every row of the plan as an Arrow table in the plan's order with ``pos``, its meta,
    the customers, the scores, the lessons), worked out in the engine: the rows go from DuckDB
    to Arrow and back into the workspace without becoming a pandas frame."""
    import pyarrow as pa

    customers, answers, as_of, scores, lessons = plan_inputs(ws, as_of, settings, action_settings, scores)
    table = runner.plan(customers, answers, as_of, action_settings, _rule_ids(action_settings), lessons=lessons)
    rows = table.to_pyarrow()
    rows = rows.append_column("pos", pa.array(np.arange(rows.num_rows, dtype=np.int64)))
    # a customer has one row per action (an engine rule suggests its own action once; Python
    # rules' rows are cut to one per customer and action): a count by action and title then
    # counts its customers; checked here, the views count them apart when it does not hold
    pairs = rows.select(["customer_id", "action"]).group_by(["customer_id", "action"]).aggregate([]).num_rows
    meta = {"rows": rows.num_rows, "one_per_action": pairs == rows.num_rows}
    return rows, meta, customers, scores, lessons


def store(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings(),
          action_settings: ActionSettings = ActionSettings(), scores: Scores | None = None) -> bool:
    """Work out the plan and store it (what the step after an import does last); nothing
    when it is stored already. Returns whether it is stored (not on a read-only workspace)."""
    with ws.reading():
        as_of = resolve_as_of(ws.tables(), as_of)
        key = plan_key(ws, as_of, settings, action_settings)
        if ws.has_result(key):
            return True
        rows, meta, *_ = computed(ws, as_of, settings, action_settings, scores)
        saved = ws.save_result(KIND, key, {"rows": rows}, meta)  # a shared workspace: when the read ends
    return saved and ws.has_result(key)


def read(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings(),
         action_settings: ActionSettings = ActionSettings(), scores: Scores | None = None) -> StoredPlan | None:
    """The stored plan of ``ws`` as of ``as_of`` with these settings, None when it is not
    stored (its rows are not read here)."""
    with ws.reading():
        as_of = resolve_as_of(ws.tables(), as_of)
        key = plan_key(ws, as_of, settings, action_settings)
        found = ws.load_result(key, parts=())
        if found is None:
            return None
        customers, _, as_of, scores, lessons = plan_inputs(ws, as_of, settings, action_settings, scores)
        return StoredPlan(ws, key, found[1], customers, as_of, settings, action_settings, scores, lessons)


def plan_of(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings(),
            action_settings: ActionSettings = ActionSettings(), scores: Scores | None = None) -> StoredPlan | Plan:
    """The plan as the pages read it: the stored one; else worked out and stored now, then
    read back; where it cannot be stored (a read-only workspace, another program writing)
    the plan's rows in pandas (:class:`~analysis.customize.plan.Plan`), the same views."""
    found = read(ws, as_of, settings, action_settings, scores)
    if found is not None:
        return found
    with ws.reading():
        as_of = resolve_as_of(ws.tables(), as_of)
        rows, meta, customers, scores, lessons = computed(ws, as_of, settings, action_settings, scores)
        ws.save_result(KIND, plan_key(ws, as_of, settings, action_settings), {"rows": rows}, meta)
    found = read(ws, as_of, settings, action_settings, scores)
    if found is not None:
        return found
    with ws.reading():
        frame = ws.ibis.to_pandas(ibis.memtable(rows.drop_columns(["pos"])))
    return Plan(frame, customers, as_of, action_settings, lessons)


def customer_actions(ws: Workspace, customer_id: str, as_of: Any = None,
                     settings: ReportSettings = ReportSettings(),
                     action_settings: ActionSettings = ActionSettings(), scores: Scores | None = None,
                     facts: Any = None) -> pd.DataFrame:
    """One customer's suggested actions, written, in the plan's order: that customer's rows
    of the stored plan when it is stored (read alone), else
    :func:`analysis.customize.plan.customer_actions` (from that customer's inputs)."""
    from analysis.customize.plan import customer_actions as computed_actions

    found = read(ws, as_of, settings, action_settings, scores)
    if found is None:
        return computed_actions(ws, customer_id, as_of, settings, action_settings, scores, facts)
    return found.customer(customer_id)


def stored_customer_actions(ws: Workspace, customer_id: str, as_of: Any = None,
                            settings: ReportSettings = ReportSettings(),
                            action_settings: ActionSettings = ActionSettings(), scores: Scores | None = None,
                            facts: Any = None) -> pd.DataFrame | None:
    """One customer's suggested actions, written, in the plan's order, read from the stored
    plan (None when it is not stored): that customer's rows alone, read by plain SQL with the
    id bound (no engine expression built or compiled for the plan), written from that
    customer's own inputs (``scores`` may hold that customer's row only; ``facts`` as
    :func:`analysis.customize.plan.plan_inputs`). The Customer page's suggestions."""
    with ws.reading():
        as_of = resolve_as_of(ws, as_of)  # the workspace's days by plain SQL: no Ibis backend
        key = plan_key(ws, as_of, settings, action_settings)
        rows = ws.load_result_rows(key, "rows", "customer_id", str(customer_id), order=[("pos", True)])
        if rows is None:
            return None
        rows = rows.drop(columns="pos").reset_index(drop=True)
        customers, _, as_of, _, lessons = plan_inputs(ws, as_of, settings, action_settings, scores,
                                                      customer_id=str(customer_id), facts=facts)
    return runner.render(rows, customers, as_of, action_settings, lessons)


def _frame(rows: Any) -> pd.DataFrame | None:
    """The Arrow table ``rows`` (plan rows) as Ibis's ``to_pandas`` gives it (texts as
    ``str``, days as ``datetime64[s]``, moments as ``datetime64[us]``), converted by Arrow at
    a fraction of the cost (a sixth, on a slice of 200,000 rows); None when a column is
    of another type, or whole numbers or flags with a missing value (typed otherwise)."""
    import pyarrow as pa

    days = []
    for field, column in zip(rows.schema, rows.columns):
        kind = field.type
        if pa.types.is_date32(kind):
            days.append(field.name)
        elif pa.types.is_integer(kind) or pa.types.is_boolean(kind):
            if column.null_count:
                return None
        elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_float64(kind)
                  or (pa.types.is_timestamp(kind) and kind.unit == "us" and kind.tz is None)):
            return None
    text = pd.StringDtype(na_value=np.nan)
    frame = rows.to_pandas(date_as_object=False, types_mapper={pa.string(): text, pa.large_string(): text}.get)
    return frame.astype({c: "datetime64[s]" for c in days}) if days else frame


@dataclasses.dataclass(frozen=True, eq=False)
class StoredPlan:
    """The plan stored in ``ws`` under ``key`` (``meta``: its row count and whether a
    customer has one row per action) and what :func:`runner.render` writes its rows with.
    Each view reads the workspace in a read of its own, so the plan can be kept across reads."""

    ws: Workspace
    key: str
    meta: dict
    customers: runner.Customers
    as_of: dt.date
    settings: ReportSettings
    action_settings: ActionSettings
    scores: Scores
    lessons: runner.Lessons | None = None

    def _table(self) -> Any:
        """The stored rows as an Ibis table (call inside a read). When they were dropped since
        (a seventh plan stored after this one, :data:`~analysis.store.results.RESULTS_KEPT`),
        the same rows worked out again in this read, numbered in the plan's order."""
        found = self.ws.result_table(self.key, "rows")
        if found is not None:
            return found
        customers, answers, as_of, _, lessons = plan_inputs(self.ws, self.as_of, self.settings,
                                                            self.action_settings, self.scores)
        t = runner.plan(customers, answers, as_of, self.action_settings, _rule_ids(self.action_settings),
                        lessons=lessons)
        order = runner.order_keys(t)
        return t.mutate(pos=ibis.row_number().over(ibis.window(order_by=order)))

    def _filtered(self, filters: dict | Sequence | None, t: Any = None) -> Any:
        """The stored rows (``t``, when given) ``filters`` select, as
        :func:`~analysis.identify.customers.apply_filters` (``t`` itself when none applies)."""
        t = self._table() if t is None else t
        for name, values in dict(filters or {}).items():
            column = FILTER_COLUMNS[name]
            if values and column in t.columns:
                t = t.filter(t[column].cast("string").isin([str(v) for v in values]))
        return t

    def _read(self, expr: Any) -> pd.DataFrame:
        """Rows of ``expr`` in the plan's order, as :attr:`Plan.rows` holds them, indexed by
        their place in the whole plan."""
        expr = expr.order_by("pos")
        frame = _frame(expr.to_pyarrow())
        if frame is None:  # a column Arrow would type otherwise: Ibis's own conversion
            frame = expr.to_pandas()
        return frame.drop(columns="pos").set_axis(pd.Index(frame["pos"].to_numpy(), dtype="int64"))

    def _render(self, rows: pd.DataFrame, reasons: bool = True) -> pd.DataFrame:
        if rows.empty:  # no customer to read: the columns alone
            return pd.DataFrame({c: pd.Series(dtype=object) for c in runner.SUGGESTION_COLUMNS}, index=rows.index)
        if not reasons:
            return runner.render(rows, self.customers, self.as_of, self.action_settings, reasons=False) \
                .set_axis(rows.index)
        return runner.render(rows, self.customers, self.as_of, self.action_settings, self.lessons).set_axis(rows.index)

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Every row (what :attr:`Plan.rows` holds): a million rows in pandas, for callers that
        need them all."""
        with self.ws.reading():
            return self._read(self._table()).reset_index(drop=True)

    def plan(self) -> Plan:
        """The same plan with its rows in pandas."""
        return Plan(self.rows, self.customers, self.as_of, self.action_settings, self.lessons)

    def render(self, filters: dict | Sequence | None = None, limit: int | None = None) -> pd.DataFrame:
        """:meth:`Plan.render`: the first ``limit`` rows ``filters`` select (all when None),
        picked in the engine, with their titles and reasons."""
        if not limit:
            return self._render_whole(filters)
        with self.ws.reading():
            whole = self._table()
            t = self._filtered(filters, whole)
            rows = self._read(t.order_by("pos").limit(limit))
            if t is whole:  # nothing filtered: numbered from 0 as the whole plan
                rows = rows.reset_index(drop=True)
        return self._render(rows)

    def _render_whole(self, filters: dict | Sequence | None, firsts: bool = False) -> pd.DataFrame:
        """Every row ``filters`` select (each customer's first of them only, with ``firsts``),
        written: the slices of :meth:`slices` joined at the end; the same frame as written in
        one piece."""
        parts: list[pd.DataFrame] = []
        empty = whole = None
        for rows, whole in self._slices(filters, firsts):
            if rows.empty:
                empty = rows
                continue
            parts.append(self._render(rows))
        if not parts:
            return self._render(empty.reset_index(drop=True) if whole else empty)
        out = parts[0] if len(parts) == 1 else pd.concat(parts)
        return out.reset_index(drop=True) if whole else out

    def slices(self, filters: dict | Sequence | None = None) -> Iterator[pd.DataFrame]:
        """Every row ``filters`` select, written, one slice of :data:`SLICE_ROWS` places of the
        plan at a time, in the plan's order (the empty slices left out): joined, they are
        :meth:`render` ``(filters, None)``, but only one slice's rows are held at a time, so
        a caller that writes each slice out (``actions --limit 0``) never holds the whole
        written plan (issue 15: a million rows under 2 GB)."""
        for rows, _ in self._slices(filters):
            if not rows.empty:
                yield self._render(rows)

    def _slices(self, filters: dict | Sequence | None, firsts: bool = False) -> Iterator[tuple[pd.DataFrame, bool]]:
        """(rows, whether nothing was filtered) of every slice of :data:`SLICE_ROWS` places of
        the plan, each read by ``pos`` in the engine; at least one slice, possibly empty."""
        with self.ws.reading():
            whole = self._table()
            t = self._filtered(filters, whole)
            if firsts:
                t = self._firsts(t)
            total = self.meta.get("rows")
            if total is None:
                total = int(whole.pos.max().to_pyarrow().as_py() or -1) + 1
            for start in range(0, max(int(total), 1), SLICE_ROWS):
                yield self._read(t.filter((t.pos >= start) & (t.pos < start + SLICE_ROWS))), t is whole

    @staticmethod
    def _firsts(t: Any) -> Any:
        """Each customer's first row of the plan rows ``t`` (the least ``pos``)."""
        firsts = t.group_by("customer_id").aggregate(first=t.pos.min())
        return t.semi_join(firsts, t.pos == firsts.first)

    def firsts(self, wanted: Sequence[str] | None = None) -> pd.DataFrame:
        """Each customer's first row (in the plan's order) among the actions ``wanted`` (all
        when none), written, in the plan's order: the top actions an export lists, picked
        in the engine and written a slice at a time."""
        return self._render_whole({"action": list(wanted or [])}, firsts=True).reset_index(drop=True)

    def titled(self) -> pd.DataFrame:
        """:meth:`Plan.titled` (every row in pandas)."""
        return self.plan().titled()

    def options(self, keys: Sequence[str] | None = None) -> dict[str, list[str]]:
        """:meth:`Plan.options`: the distinct values of each filter column, counted in the engine."""
        with self.ws.reading():
            t = self._table()
            out = {}
            for name, column in FILTER_COLUMNS.items():
                if name == "customer_id" or column not in t.columns or column not in runner.SUGGESTION_COLUMNS:
                    continue
                if keys is not None and name not in keys:
                    continue
                found = t.select(v=t[column].cast("string")).filter(ibis._.v.notnull()).distinct().to_pyarrow()
                out[name] = sorted(found["v"].to_pylist())
        return out

    def titles(self) -> dict[str, str]:
        """:meth:`Plan.titles`: each action's title, written for its first row only."""
        with self.ws.reading():
            t = self._table()
            firsts = t.group_by("action").aggregate(first=t.pos.min())
            rows = self._read(t.semi_join(firsts, t.pos == firsts.first))
        if rows.empty:
            return {}
        found = self._render(rows, reasons=False)
        return dict(zip(found["action"].astype(str), found["title"].astype(str)))

    def summary(self, filters: dict | Sequence | None = None) -> dict:
        """:meth:`Plan.summary`: {"counts", "actions", "customers"} under ``filters``, counted
        in the engine by groups of rows that share a title, one title written per group."""
        from analysis.customize.plan import count_by_action

        with self.ws.reading():
            t = self._filtered(filters)
            totals = t.aggregate(n=t.count(), customers=t.customer_id.nunique()).to_pyarrow().to_pylist()[0]
            counts = None if not totals["n"] else self._counts(t)
        if counts is None:  # every row titled in pandas
            counts = count_by_action(self.titled().loc[self._read_ids(filters)] if totals["n"] else pd.DataFrame())
        return {"counts": counts, "actions": int(totals["n"]), "customers": int(totals["customers"])}

    def _read_ids(self, filters: dict | Sequence | None) -> np.ndarray:
        """The places in the plan of the rows ``filters`` select."""
        with self.ws.reading():
            return self._filtered(filters).select("pos").to_pyarrow()["pos"].to_numpy()

    def _counts(self, t: Any) -> pd.DataFrame | None:
        """:func:`~analysis.customize.plan.count_by_action` of the rows ``t`` (call inside a
        read); None when a customer has two rows of an action (then counted in pandas). The
        rows of a rule whose ``values`` function may give the title's field a value of its own
        (:func:`writing.title_columns` None) have each row's title written, as
        :func:`runner.titled` does; the others one per group."""
        if not self.meta.get("one_per_action"):
            return None
        keys = t.filter(t.title.isnull()).select("rule", "action", "text").distinct().to_pandas()
        wanted: list[str] = []
        per_row = ibis.literal(False)
        for rid, action, text in keys.itertuples(index=False):
            named = writing.title_columns(RULES[rid], action)
            if named is None:
                per_row = per_row | ((t.rule == rid) & (t.action == action)
                                     & (t.text.fill_null("") == (text if isinstance(text, str) else "")))
            else:
                wanted += [c for c in named if c not in wanted]
        per_row = per_row & t.title.isnull()
        alone = self._read(t.filter(per_row))
        t = t.filter(~per_row)
        if wanted:
            named = self._named(wanted)
            if named is None:
                return None
            t = t.left_join(named, t.customer_id == named._cid)
        by = ["rule", "action", "text", "due_days", "title", *[f"_{c}" for c in wanted]]
        groups = t.group_by(by).aggregate(n=t.count(), points=t.priority.sum(), first=t.pos.min()).to_pandas()
        whole = self._table()
        rows = self._read(whole.filter(whole.pos.isin(groups["first"].tolist())))
        # one representative per group and each row written alone, in one pass
        written = self._render(pd.concat([rows, alone]).sort_index(), reasons=False)["title"]
        titles = written.reindex(groups["first"].to_numpy()).to_numpy()
        groups = pd.DataFrame({"action": groups["action"], "title": titles, "n": groups["n"],
                               "points": groups["points"]})
        alone = pd.DataFrame({"action": alone["action"], "title": written.reindex(alone.index).to_numpy(),
                              "n": 1, "points": alone["priority"]})
        groups = pd.concat([g for g in (groups, alone) if len(g)], ignore_index=True)
        counts = groups.groupby(["action", "title"], as_index=False).agg(customers=("n", "sum"),
                                                                        points=("points", "sum"))
        counts["priority"] = counts["points"] / counts["customers"]
        counts = counts[["action", "title", "customers", "priority"]].astype({"customers": "int64"})
        return counts.sort_values(["customers", "action"], ascending=[False, True]).reset_index(drop=True)

    def _named(self, wanted: list[str]) -> Any:
        """Every customer's id (``_cid``) and columns ``wanted`` (``_<name>``), the values
        their titles name (call inside a read; None when one is not a customer's column):
        from the stored history inputs alone when they hold them all (a cross-sell title's
        offer; the rules read those columns as stored), else from the customers' table the
        rules read (scores joined to the inputs), made again on this read's connection (the
        plan is kept across reads)."""
        from analysis.customize.history import PREPARED_COLUMNS, stored_inputs

        table = None
        as_stored = [c for c in PREPARED_COLUMNS if c not in ("open_complaints", "recent_contacts")]  # filled with 0
        if self.customers.frame is None and all(c in as_stored for c in wanted):
            table = stored_inputs(self.ws, self.as_of, self.action_settings)
        if table is None:
            table = plan_inputs(self.ws, self.as_of, self.settings, self.action_settings, self.scores)[0].table
        if any(c not in table.columns for c in wanted):
            return None
        return table.select(_cid=table.customer_id.cast("string"), **{f"_{c}": table[c] for c in wanted})

    def customers_with(self, wanted: Sequence[str]) -> list[str]:
        """:meth:`Plan.customers_with`, picked in the engine."""
        with self.ws.reading():
            t = self._table()
            found = t.filter(t.action.isin([str(a) for a in wanted])).select("customer_id").distinct()
            return found.to_pyarrow()["customer_id"].to_pylist()

    def tops(self, ids: Sequence[str], wanted: Sequence[str] | None = None) -> pd.DataFrame:
        """:meth:`Plan.tops`: each customer's first row among ``wanted``, picked in the engine."""
        import pyarrow as pa

        chosen = ibis.memtable(pa.table({"_cid": pa.array(pd.Series(ids, dtype="str").unique(), pa.string())}))
        with self.ws.reading():
            t = self._filtered({"action": list(wanted or [])})
            rows = self._read(self._firsts(t.semi_join(chosen, t.customer_id == chosen._cid)))
        return self._render(rows).reset_index(drop=True)

    def customer(self, customer_id: str) -> pd.DataFrame:
        """One customer's rows, written (:func:`customer_actions`)."""
        with self.ws.reading():
            t = self._table()
            rows = self._read(t.filter(t.customer_id == str(customer_id))).reset_index(drop=True)
        return runner.render(rows, self.customers, self.as_of, self.action_settings, self.lessons)


def action_list(ws: Workspace, as_of: Any = None, filters: dict | None = None, limit: int | None = None,
                settings: ReportSettings = ReportSettings(), action_settings: ActionSettings = ActionSettings(),
                scores: Scores | None = None) -> pd.DataFrame:
    """:func:`analysis.customize.plan.action_list` (what ``actions`` prints and a whole-plan
    download holds): from the stored plan when it is stored (the rows picked by ``pos`` in the
    engine, their texts written for those rows only), else worked out as there. Nothing is
    stored here: the command line reads a workspace without writing to it."""
    from analysis.customize.plan import action_list as worked_out

    found = read(ws, as_of, settings, action_settings, scores)
    if found is None:
        return worked_out(ws, as_of, filters, limit, settings, action_settings, scores)
    return found.render(filters, limit).reset_index(drop=True)


def action_slices(ws: Workspace, as_of: Any = None, filters: dict | None = None, limit: int | None = None,
                  settings: ReportSettings = ReportSettings(), action_settings: ActionSettings = ActionSettings(),
                  scores: Scores | None = None) -> Iterator[pd.DataFrame]:
    """:func:`action_list` a piece at a time (what ``actions`` writes out as it goes), the
    pieces joined being that frame: the whole stored plan (no ``limit``) one slice at a time
    (:meth:`StoredPlan.slices`), else the one frame (a ``limit``'s rows, or a plan worked out
    in pandas) in slices of :data:`SLICE_ROWS` rows. Empty pieces are left out: nothing comes
    when no row does. Nothing is read before the first piece is asked for."""
    from analysis.customize.plan import action_list as worked_out

    found = read(ws, as_of, settings, action_settings, scores)
    if found is not None and not limit:
        yield from found.slices(filters)
        return
    frame = worked_out(ws, as_of, filters, limit, settings, action_settings, scores) if found is None \
        else found.render(filters, limit)
    yield from frame_slices(frame)


def frame_slices(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """``frame`` in pieces of :data:`SLICE_ROWS` rows, in order (none when it is empty): a
    list already in hand written out as :func:`action_slices` writes the stored plan."""
    for start in range(0, len(frame), SLICE_ROWS):
        yield frame.iloc[start:start + SLICE_ROWS]


def export_list(ws: Workspace, as_of: Any = None, filters: dict | None = None,
                settings: ReportSettings = ReportSettings(), scores: Scores | None = None,
                action_settings: ActionSettings = ActionSettings()) -> pd.DataFrame:
    """:func:`analysis.customize.plan.export_list` (what ``export`` writes): each customer's
    top action from the stored plan when it is stored (each customer's first row picked in
    the engine, written for those rows only), else worked out as there. Nothing is stored."""
    from analysis.customize.plan import export_frame, export_list as worked_out

    found = read(ws, as_of, settings, action_settings, scores)
    if found is None:
        return worked_out(ws, as_of, filters, settings, scores, action_settings)
    return export_frame(found.scores.frame, found.firsts((filters or {}).get("action")), filters)
