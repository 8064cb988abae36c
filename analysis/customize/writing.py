"""The titles and reasons of plan rows, written a column at a time.

:meth:`analysis.customize.rules.CustomerContext.texts` writes one suggestion's title and
reason with ``str.format_map`` over a :class:`~analysis.customize.catalog.Fill`. Writing a
million reasons that way costs a Python context and a dict of every column per customer
(about 45 s and 1.2 GB for 325,000 rows). Here the rows of one rule, action and reason
variant share one template: each placeholder is read as one column of the customers' rows
and formatted value by value with the same rules as :class:`Fill` (a missing value is
"n/a", an amount carries the currency), and the pieces are joined. The text is the same,
character for character; a template this does not parse simply (an attribute, an index, a
conversion) is written row by row with ``format_map`` as before.

A rule's ``values`` function (the figures its reason adds) still runs once per row, on a
:class:`RowView` that reads the customer's fields where they are, without copying the row.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Iterator

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.customize.catalog import MONEY_FIELDS, TEXTS, Fill, action_level_label, fill_value
from analysis.customize.rules import RULES, CustomerContext
from analysis.settings import ActionSettings

_PARSE = string.Formatter().parse
# Fields every text may name besides the customer's own (CustomerContext.texts gives them).
_LEVELS = ("volume_tier", "satisfaction_tier")


class Columns:
    """The customers' rows as columns of Python values (what ``DataFrame.to_numpy(dtype=object)``
    gives; exact decimals as floats), each column converted once, when first read.
    ``names``, when given, are every column the customers have, of which ``frame`` may hold
    a few: another one is read by ``more([name])`` (a frame with ``customer_id`` and that
    column) when first asked for."""

    def __init__(self, frame: pd.DataFrame, names: list[str] | None = None, more: Any = None):
        self.frame = frame
        self.names = list(frame.columns) if names is None or more is None else list(names)
        self._known = frozenset(self.names)
        self._more = more
        self._done: dict[str, np.ndarray] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def __getitem__(self, name: str) -> np.ndarray:
        col = self._done.get(name)
        if col is None:
            if name in self.frame:
                series = self.frame[name]
            elif name in self._known:
                extra = self._more([name]).set_index("customer_id")[name]
                series = extra.reindex(self.frame["customer_id"].astype(str))
            else:
                raise KeyError(name)
            col = series.to_numpy(dtype=object)
            if col.size and any(isinstance(v, Decimal) for v in col[:1000]):
                col = np.array([float(v) if isinstance(v, Decimal) else v for v in col], dtype=object)
            self._done[name] = col
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


def _formatted(values: list, field: str, spec: str, currency: str) -> list[str]:
    """``values`` formatted as :class:`Fill` gives them to ``format``: a plain number or text
    formatted directly (a float NaN is "n/a"), any other value through :func:`fill_value`."""
    if field in MONEY_FIELDS:
        return [format(fill_value(field, v, currency), spec) for v in values]
    na = format(fill_value(field, None, currency), spec)
    plain = (int, float, str)
    return [(na if v != v else format(v, spec)) if v.__class__ in plain
            else format(fill_value(field, v, currency), spec) for v in values]


def fields(rows: pd.DataFrame, reasons: bool = True) -> set[str]:
    """The customers' columns the texts of ``rows`` (plan rows) name: each placeholder of
    their titles (and reasons) and the columns their rules' ``values`` mappings read."""
    out: set[str] = set(_LEVELS)
    todo = rows[pd.isna(rows["title"])]
    for (rid, action, text) in todo[["rule", "action", "text"]].astype(object).fillna("").drop_duplicates() \
            .itertuples(index=False):
        rule = RULES[rid]
        if isinstance(rule.values, Mapping):
            out.update(rule.values.values())
        keys = ["title", text or "reason"] if reasons else ["title"]
        for key in keys:
            for _, field, _, _ in _PARSE(i18n.lookup(TEXTS[action][key])):
                if field:
                    out.add(field.split(".")[0].split("[")[0])
    return out


def title_columns(rule: Any, action: str) -> list[str] | None:
    """The customer's columns the title of ``action`` (suggested by ``rule``) names in the
    current language; None when the title names a field and the rule's ``values`` is a
    function (which may give that field a value of its own on each row)."""
    named = rule.values if isinstance(rule.values, Mapping) else {}
    out = []
    for _, field, _, _ in _PARSE(i18n.lookup(TEXTS[action]["title"])):
        if field is None:
            continue
        if rule.values is not None and not isinstance(rule.values, Mapping):
            return None
        name = field.split(".")[0].split("[")[0]
        if name not in named and name in ("window_months", "p_alive_threshold", "due_days"):
            continue  # the settings' numbers and the days to due: one value per group
        out.append(named.get(name, name))
    return list(dict.fromkeys(out))


def write(rows: pd.DataFrame, found: pd.DataFrame, as_of: dt.date,
          settings: ActionSettings, reasons: bool = True, more: Any = None,
          names: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(titles, reasons) of ``rows`` (plan rows, those with no title yet are written; the
    others keep theirs) from the customers' rows ``found``, in the current language;
    ``reasons=False`` writes the titles only (a count by title needs no reason). ``found``
    may hold a few of the customers' columns ``names``: ``more`` reads the others
    (:class:`Columns`)."""
    titles = rows["title"].to_numpy(dtype=object, copy=True)
    written = rows["reason"].to_numpy(dtype=object, copy=True)
    todo = pd.isna(titles)
    if not todo.any():
        return titles, written
    cols = Columns(found.reset_index(drop=True), names, more)
    at = pd.Index(found["customer_id"].astype(str)).get_indexer(rows["customer_id"].astype(str))
    if (at[todo] < 0).any():
        raise KeyError(f"no customer row for {rows['customer_id'][todo & (at < 0)].iloc[0]!r}")
    # one group per rule, action, reason variant and days to due: one template each
    keys = rows.loc[todo, ["rule", "action", "text", "due_days"]].astype(object).fillna("")
    for (rid, action, text, days), group in keys.groupby(["rule", "action", "text", "due_days"], sort=False):
        idx = group.index.to_numpy()
        pos = at[idx]
        rule = RULES[rid]
        shared = {"window_months": settings.window_months, "p_alive_threshold": settings.p_alive_threshold,
                  "due_days": int(days)}
        extra = None
        if isinstance(rule.values, Mapping):  # placeholders read straight from the customer's columns
            shared.update({k: _Column(v) for k, v in rule.values.items()})
        elif rule.values is not None:
            extra = [rule.values(CustomerContext(RowView(cols, p), as_of, settings)) or {} for p in pos]
            if not any(extra):
                extra = None
        texts = TEXTS[action]
        variant = text or "reason"
        for target, key in ((titles, "title"), (written, variant))[:2 if reasons else 1]:
            target[idx] = _fill(i18n.lookup(texts[key]), cols, pos, shared, extra, settings.currency)
    return titles, written


def _fill(template: str, cols: Columns, pos: np.ndarray, shared: dict, extra: list[dict] | None,
          currency: str) -> list[str]:
    """``template`` filled for the customers at positions ``pos``, as :meth:`CustomerContext.texts`."""
    pieces = _simple(template)
    if pieces is None:  # row by row, exactly as CustomerContext.texts
        return [template.format_map(_row_fill(cols, p, shared, extra[i] if extra else {}, currency))
                for i, p in enumerate(pos)]
    n = len(pos)
    parts: list[list[str] | str] = []
    for literal, field, spec in pieces:
        if literal:
            parts.append(literal)
        if field is None:
            continue
        parts.append(_formatted(_field(field, cols, pos, shared, extra), field, spec, currency))
    if not parts:
        return [""] * n
    lists = [[p] * n if isinstance(p, str) else p for p in parts]
    return ["".join(t) for t in zip(*lists)]


def _field(field: str, cols: Columns, pos: np.ndarray, shared: dict, extra: list[dict] | None) -> list:
    """The values ``field`` takes for each row, in :class:`Fill`'s order: the rule's values,
    the settings' numbers and the level words, then the customer's own field."""
    if isinstance(shared.get(field), _Column):
        name = shared[field].name
        if name not in cols:
            raise KeyError(name)
        base: list = cols[name][pos].tolist()
    elif field in shared:
        base = [shared[field]] * len(pos)
    elif field in _LEVELS:
        col = cols[field] if field in cols else np.full(len(cols.frame), None, dtype=object)
        base = [action_level_label(v) for v in col[pos]]
    elif field in cols:
        base = cols[field][pos].tolist()
    else:
        base = None
    if extra is not None and any(field in e for e in extra):
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


def _raise(field: str) -> Any:
    raise KeyError(field)


def _row_fill(cols: Columns, p: int, shared: dict, extra: dict, currency: str) -> Fill:
    row = RowView(cols, p)
    values = {**{k: row[v.name] if isinstance(v, _Column) else v for k, v in shared.items()},
              **{k: action_level_label(row.get(k)) for k in _LEVELS}, **extra}
    return Fill(values, row, currency)
