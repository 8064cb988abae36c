"""The titles and reasons of plan rows, written a column at a time.

:meth:`analysis.customize.rules.CustomerContext.texts` writes one suggestion's title and
reason with ``str.format_map`` over a :class:`~analysis.customize.catalog.Fill`. Writing a
million reasons that way costs a Python context and a dict of every column per customer.
Here the rows of one rule, action and reason variant share one template, and each of its
placeholders is one column of figures: the column is cut into the groups of values that
print the same (``pd.factorize`` of its values; for a number written without decimals,
"{revenue:,.0f}" or "{p_alive:.0%}", of its rounded value and sign), one value of each group
is formatted with the same rules as :class:`Fill` (a missing value is "n/a", an amount
carries the currency), and the pieces are joined by Arrow (``binary_join_element_wise``), so
no Python string is made per row. The text is the same, character for character; a template
this does not parse simply (an attribute, an index, a conversion) is written row by row with
``format_map`` as before.

A rule's figures come from its ``values``: a mapping of placeholders to the customer's
columns or to functions of the customers' columns (:class:`CustomerColumns`, run once per
template's rows), or a function of one customer (:class:`CustomerContext`), which runs once
per row on a :class:`RowView` that reads the customer's fields where they are.
Decided: the texts are not written by DuckDB string expressions. Python's format
mini-language (grouping, rounding half to even of the exact binary value, "%", dates, the
currency before the sign) would have to be rewritten in SQL, and a custom rule's figures
(a Python function of the customer) would still need this path; formatting the distinct
values only leaves little for SQL to win.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import i18n
from analysis.customize.catalog import MONEY_FIELDS, TEXTS, Fill, action_level_label, fill_value
from analysis.customize.rules import RULES, CustomerColumns, CustomerContext
from analysis.settings import ActionSettings

_PARSE = string.Formatter().parse
# Fields every text may name besides the customer's own (CustomerContext.texts gives them).
_LEVELS = ("volume_tier", "satisfaction_tier")
# A number written without decimals ("{revenue:,.0f}", "{p_alive:.0%}"): its text depends
# only on its value rounded half to even (after x100 for "%") and on its sign.
_WHOLE = re.compile(r"^[,_]?\.0([f%])$")
# What str.strip() removes (every character whose isspace() is true lies below U+3001).
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_TEXT = pa.large_string()


class Columns:
    """The customers' rows, column by column: ``series(name)`` typed as the frame holds it
    (exact decimals as floats), ``columns[name]`` as Python values (what
    ``DataFrame.to_numpy(dtype=object)`` gives), each converted once, when first read.
    ``names``, when given, are every column the customers have, of which ``frame`` may hold
    a few: another one is read by ``more([name])`` (a frame with ``customer_id`` and that
    column) when first asked for."""

    def __init__(self, frame: pd.DataFrame, names: list[str] | None = None, more: Any = None):
        self.frame = frame
        self.names = list(frame.columns) if names is None or more is None else list(names)
        self._known = frozenset(self.names)
        self._more = more
        self._series: dict[str, pd.Series] = {}
        self._done: dict[str, np.ndarray] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def series(self, name: str) -> pd.Series:
        col = self._series.get(name)
        if col is None:
            if name in self.frame:
                col = self.frame[name]
            elif name in self._known:
                extra = self._more([name]).set_index("customer_id")[name]
                col = extra.reindex(self.frame["customer_id"].astype(str))
            else:
                raise KeyError(name)
            col = col.reset_index(drop=True)
            if col.dtype == object and any(isinstance(v, Decimal) for v in col.iloc[:1000]):
                col = pd.Series([float(v) if isinstance(v, Decimal) else v for v in col], dtype=object).infer_objects()
            self._series[name] = col
        return col

    def __getitem__(self, name: str) -> np.ndarray:
        col = self._done.get(name)
        if col is None:
            col = self._done[name] = self.series(name).to_numpy(dtype=object)
        return col


class RowView(Mapping):
    """One customer's row (position ``at`` in :class:`Columns`) as a read-only mapping, for
    a :class:`CustomerContext` (``values``)."""

    __slots__ = ("_cols", "_at")

    def __init__(self, cols: Columns, at: int):
        self._cols, self._at = cols, at

    def __getitem__(self, name: str) -> Any:
        if name not in self._cols:
            raise KeyError(name)
        return self._cols[name][self._at]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cols.names)

    def __len__(self) -> int:
        return len(self._cols.names)


def _simple(template: str) -> list[tuple[str, str | None, str]] | None:
    """(literal, field, spec) pieces of ``template``, or None when a field is more than a name."""
    pieces = []
    for literal, field, spec, conversion in _PARSE(template):
        if field is not None and (conversion or not field.isidentifier() or "{" in (spec or "")):
            return None
        pieces.append((literal, field, spec or ""))
    return pieces


def _one(value: Any, field: str, spec: str, currency: str) -> str:
    """``value`` formatted as :class:`Fill` gives it to ``format``: a plain number or text
    formatted directly (a float NaN is "n/a"), any other value through :func:`fill_value`."""
    if field not in MONEY_FIELDS and value.__class__ in (int, float, str):
        return format(fill_value(field, None, currency), spec) if value != value else format(value, spec)
    return format(fill_value(field, value, currency), spec)


def _figure_columns(rule: Any) -> dict[str, str]:
    """The placeholders of ``rule``'s ``values`` mapping read straight from a column."""
    return {k: v for k, v in rule.values.items() if isinstance(v, str)} if isinstance(rule.values, Mapping) else {}


def fields(rows: pd.DataFrame, reasons: bool = True) -> set[str]:
    """The customers' columns the texts of ``rows`` (plan rows) name: each placeholder of
    their titles (and reasons) and the columns their rules' ``values`` mappings name."""
    out: set[str] = set(_LEVELS)
    todo = rows.loc[pd.isna(rows["title"]).to_numpy(), ["rule", "action", "text"]]
    for (rid, action, text) in todo.drop_duplicates().itertuples(index=False):
        rule = RULES[rid]
        out.update(_figure_columns(rule).values())
        keys = ["title", _variant(text)] if reasons else ["title"]
        for key in keys:
            for _, field, _, _ in _PARSE(i18n.lookup(TEXTS[action][key])):
                if field:
                    out.add(field.split(".")[0].split("[")[0])
    return out


def title_columns(rule: Any, action: str) -> list[str] | None:
    """The customer's columns the title of ``action`` (suggested by ``rule``) names in the
    current language; None when the title names a field the rule's ``values`` computes (a
    function, of the customer or of the customers' columns, may give it a value of its own
    on each row)."""
    named = rule.values if isinstance(rule.values, Mapping) else {}
    out = []
    for _, field, _, _ in _PARSE(i18n.lookup(TEXTS[action]["title"])):
        if field is None:
            continue
        if rule.values is not None and not isinstance(rule.values, Mapping):
            return None
        name = field.split(".")[0].split("[")[0]
        if name in named and not isinstance(named[name], str):
            return None
        if name not in named and name in ("window_months", "p_alive_threshold", "due_days"):
            continue  # the settings' numbers and the days to due: one value per group
        out.append(named.get(name, name))
    return list(dict.fromkeys(out))


def positions(ids: pd.Series, among: pd.Series) -> np.ndarray | None:
    """The position in ``among`` (customer ids) of each of ``ids``, -1 where absent; None
    when ``among`` repeats an id. Arrow's hash lookup, several times quicker than a pandas
    index of a million texts."""
    known = _texts(among)
    if pc.count_distinct(known, mode="all").as_py() != len(known):
        return None
    where = pc.index_in(_texts(ids), value_set=known)
    return pc.fill_null(where, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _texts(values: pd.Series) -> pa.Array:
    return pa.array(values.astype("str").array).cast(_TEXT)


def write(rows: pd.DataFrame, found: pd.DataFrame, as_of: dt.date,
          settings: ActionSettings, reasons: bool = True, more: Any = None,
          names: list[str] | None = None, at: np.ndarray | None = None,
          ) -> tuple[pd.api.extensions.ExtensionArray, pd.api.extensions.ExtensionArray]:
    """(titles, reasons) of ``rows`` (plan rows, those with no title yet are written; the
    others keep theirs) from the customers' rows ``found``, in the current language, as
    string arrays (Arrow-backed, pandas' ``str``); ``reasons=False`` writes the titles only
    (a count by title needs no reason). ``found`` may hold a few of the customers' columns
    ``names``: ``more`` reads the others (:class:`Columns`). ``at``, when given, is each
    row's customer's position in ``found`` (:func:`positions`)."""
    todo = pd.isna(rows["title"]).to_numpy()
    titles: list[tuple[np.ndarray, pa.Array]] = []
    written: list[tuple[np.ndarray, pa.Array]] = []
    if todo.any():
        cols = Columns(found.reset_index(drop=True), names, more)
        if at is None:
            at = positions(rows["customer_id"], found["customer_id"])
        if at is None:  # an id twice among the customers' rows (pandas refuses it, as before)
            at = pd.Index(found["customer_id"].astype(str)).get_indexer(rows["customer_id"].astype(str))
        if (at[todo] < 0).any():
            raise KeyError(f"no customer row for {rows['customer_id'][todo & (at < 0)].iloc[0]!r}")
        # one group per rule, action, reason variant and days to due: one template each
        keys = rows.loc[todo, ["rule", "action", "text", "due_days"]].reset_index(drop=True)
        done = np.flatnonzero(todo)
        for (rid, action, text, days), group in keys.groupby(["rule", "action", "text", "due_days"], sort=False,
                                                             dropna=False).indices.items():
            idx = done[group]
            found_at = at[idx]
            rule = RULES[rid]
            shared: dict[str, Any] = {"window_months": settings.window_months,
                                      "p_alive_threshold": settings.p_alive_threshold, "due_days": int(days)}
            extra = None
            if isinstance(rule.values, Mapping):  # placeholders read from columns, or computed from them
                view = CustomerColumns(lambda name, at_=found_at: cols.series(name).iloc[at_].reset_index(drop=True),
                                       as_of, settings)
                shared.update({k: _Column(v) if isinstance(v, str) else _Figure(v, view)
                               for k, v in rule.values.items()})
            elif rule.values is not None:
                extra = [rule.values(CustomerContext(RowView(cols, p), as_of, settings)) or {} for p in found_at]
                if not any(extra):
                    extra = None
            texts = TEXTS[action]
            variant = _variant(text)
            for target, key in ((titles, "title"), (written, variant))[:2 if reasons else 1]:
                target.append((idx, _fill(i18n.lookup(texts[key]), cols, found_at, shared, extra,
                                          settings.currency)))
    return _gather(rows["title"], titles), _gather(rows["reason"], written if reasons else [])


def _variant(text: Any) -> str:
    """The reason variant a plan row names ("reason" when it names none)."""
    return text if isinstance(text, str) and text else "reason"


def _gather(before: pd.Series, parts: list[tuple[np.ndarray, pa.Array]]) -> Any:
    """One string array of ``before``'s length: the written ``parts`` (positions, texts) in
    their places, ``before``'s own values elsewhere."""
    left = np.ones(len(before), dtype=bool)
    for p, _ in parts:
        left[p] = False
    kept = np.flatnonzero(left)
    old = before.iloc[kept]
    if old.isna().all():
        kept_texts = pa.nulls(len(kept), _TEXT)
    else:
        old = old.astype(object)
        kept_texts = pa.array(old.where(old.notna(), None).tolist(), type=_TEXT)
    pieces = [*parts, (kept, kept_texts)]
    order = np.empty(len(before), dtype=np.int64)
    order[np.concatenate([p for p, _ in pieces])] = np.arange(len(before))
    whole = pa.concat_arrays([a for _, a in pieces]).take(pa.array(order))
    return pd.array(whole, dtype="str")


def with_notes(reasons: Any, actions: pd.Series, notes: Mapping[str, str]) -> Any:
    """``reasons`` with each action's note after its reason (``f"{reason} {note}".strip()``)."""
    if not notes:
        return reasons
    texts = pa.array(pd.array(reasons, dtype="str")).cast(_TEXT)
    codes, kinds = pd.factorize(actions, use_na_sentinel=False)
    note = pa.array([notes.get(a) for a in kinds], type=_TEXT).take(pa.array(codes))
    joined = pc.utf8_trim(pc.binary_join_element_wise(texts, note, pa.scalar(" ", _TEXT)), characters=_SPACES)
    return pd.array(pc.if_else(pc.is_null(note), texts, joined), dtype="str")


def _fill(template: str, cols: Columns, pos: np.ndarray, shared: dict, extra: list[dict] | None,
          currency: str) -> pa.Array:
    """``template`` filled for the customers at positions ``pos``, as :meth:`CustomerContext.texts`."""
    pieces = _simple(template)
    n = len(pos)
    if pieces is None:  # row by row, exactly as CustomerContext.texts
        figures = {k: v.values(n).to_numpy(dtype=object) for k, v in shared.items() if isinstance(v, _Figure)}
        return pa.array([template.format_map(_row_fill(
            cols, p, shared, {**{k: f[i] for k, f in figures.items()}, **(extra[i] if extra else {})}, currency))
            for i, p in enumerate(pos)], type=_TEXT)
    parts: list[Any] = []
    for literal, field, spec in pieces:
        if literal:
            parts.append(literal)
        if field is not None:
            parts.append(_piece(_field(field, cols, pos, shared, extra), field, spec, currency))
    if all(isinstance(p, str) for p in parts):
        return pa.array(["".join(parts)], type=_TEXT).take(pa.array(np.zeros(n, dtype=np.int64)))
    return pc.binary_join_element_wise(*[pa.scalar(p, _TEXT) if isinstance(p, str) else p for p in parts],
                                       pa.scalar("", _TEXT))


def _piece(values: Any, field: str, spec: str, currency: str) -> str | pa.Array:
    """A placeholder's text: one string for a value shared by every row, else one per row,
    each distinct value formatted once."""
    if isinstance(values, _Shared):
        return _one(values.value, field, spec, currency)
    if isinstance(values, pd.Series) and (values.dtype != object or _one_kind(values)):
        codes, firsts = _groups(values, spec)
        shown = values.iloc[firsts].to_numpy(dtype=object)
        words = [_one(v, field, spec, currency) for v in shown]
        return pa.array(words, type=_TEXT).take(pa.array(codes))
    return pa.array([_one(v, field, spec, currency) for v in values], type=_TEXT)


def _one_kind(values: pd.Series) -> bool:
    """Whether Python values are all texts, or all days (besides missing ones), so that
    equal values print the same (unlike 1 and 1.0, or a date and a moment of that day)."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "date", "empty")


def _groups(values: pd.Series, spec: str) -> tuple[np.ndarray, np.ndarray]:
    """(a code per row, the position of one row of each code): rows with one code print the
    same with ``spec``. Equal values share a code (a float's -0.0 apart from 0.0); a float
    written without decimals is grouped by its rounded value and its sign."""
    floats = values.dtype.kind == "f" or str(values.dtype) in ("Float32", "Float64")
    if floats:
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        whole = _WHOLE.match(spec)
        key = np.rint(x * 100.0 if whole.group(1) == "%" else x) if whole else x
        codes = pd.factorize(key, use_na_sentinel=False)[0].astype(np.int64)
        codes = codes * 4 + np.signbit(key) * 2 + (x < 0)
        codes = pd.factorize(codes)[0]
    else:
        codes = pd.factorize(values, use_na_sentinel=False)[0].astype(np.int64)
    firsts = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    firsts[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, firsts


class _Shared:
    """One value for every row of a template (the settings' numbers, the days to due)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _field(field: str, cols: Columns, pos: np.ndarray, shared: dict, extra: list[dict] | None) -> Any:
    """The values ``field`` takes for each row, in :class:`Fill`'s order: the rule's values,
    the settings' numbers and the level words, then the customer's own field; a
    :class:`_Shared` value, a typed Series or a list of Python values."""
    named = shared.get(field)
    if isinstance(named, _Column):
        if named.name not in cols:
            raise KeyError(named.name)
        base: Any = cols.series(named.name).iloc[pos].reset_index(drop=True)
    elif isinstance(named, _Figure):
        base = named.values(len(pos))
    elif field in shared:
        base = _Shared(named)
    elif field in _LEVELS:
        col = cols.series(field).iloc[pos] if field in cols else pd.Series([None] * len(pos), dtype=object)
        codes, kinds = pd.factorize(col, use_na_sentinel=False)
        words = np.array([action_level_label(v) for v in kinds] or [None], dtype=object)
        base = pd.Series(words[codes], dtype=object)
    elif field in cols:
        base = cols.series(field).iloc[pos].reset_index(drop=True)
    else:
        base = None
    if extra is not None and any(field in e for e in extra):
        if isinstance(base, _Shared):
            base = [base.value] * len(pos)
        elif isinstance(base, pd.Series):
            base = base.to_numpy(dtype=object)
        return [e[field] if field in e else (base[i] if base is not None else _raise(field))
                for i, e in enumerate(extra)]
    if base is None:
        raise KeyError(field)
    return base


class _Column:
    """A placeholder filled from the customer's column ``name`` (a rule's ``values`` mapping)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class _Figure:
    """A placeholder filled by ``func`` of the template's customers' columns (a rule's
    ``values`` mapping), computed once when first named."""

    __slots__ = ("func", "view", "_values")

    def __init__(self, func: Any, view: CustomerColumns):
        self.func, self.view, self._values = func, view, None

    def values(self, n: int) -> pd.Series:
        if self._values is None:
            got = self.func(self.view)
            if isinstance(got, pd.Series):
                got = got.reset_index(drop=True)
            elif np.ndim(got) == 0:
                got = pd.Series([got] * n)
            else:
                got = pd.Series(got)
            if len(got) != n:
                raise ValueError(f"a figure gave {len(got)} values for {n} rows")
            self._values = got
        return self._values


def _raise(field: str) -> Any:
    raise KeyError(field)


def _row_fill(cols: Columns, p: int, shared: dict, extra: dict, currency: str) -> Fill:
    row = RowView(cols, p)
    values = {**{k: row[v.name] if isinstance(v, _Column) else v for k, v in shared.items()
                 if not isinstance(v, _Figure)},
              **{k: action_level_label(row.get(k)) for k in _LEVELS}, **extra}
    return Fill(values, row, currency)
