"""Mapped raw cells -> rows ready for a store table, and the reasons rows are invalid.

A row is invalid when a required field is empty or any mapped cell cannot be read as its
field's type. By default a file with invalid rows is refused whole; the message names the
file, the line numbers a user sees, the column and the value for the first
:data:`SHOW_ERRORS` rows and counts the rest. With ``skip_invalid`` the valid rows are
kept and the invalid ones reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import UserError, commas, semicolons
from analysis.i18n import N_, lookup, t
from analysis.ingest import values as V
from analysis.ingest.reading import RawSheet

SHOW_ERRORS = 5
DEFAULT_SCALE = 5.0

# field -> (parser, what a valid value looks like; English, shown through ``lookup``)
_NUMBER = (V.parse_number, N_("a number"))
PARSERS = {
    "customer_id": (V.parse_id, N_("a customer id")),
    "order_id": (V.parse_id, N_("an order id")),
    "date": (V.parse_date, N_("a date")),
    "signup_date": (V.parse_date, N_("a date")),
    "amount": (V.parse_number, N_("an amount such as 1234.50 or ¥1,234.50")),
    "quantity": _NUMBER,
    "wallet": (V.parse_number, N_("an amount")),
    "satisfaction": _NUMBER,
    "scale": _NUMBER,
}
REQUIRED = {
    "transactions": ("customer_id", "date", "amount"),
    "customers": ("customer_id",),
    "interactions": ("customer_id", "date"),
}


@dataclass
class Prepared:
    """Typed rows for one table plus what was wrong with the others."""

    frame: pd.DataFrame  # store column names, valid rows only
    lines: np.ndarray  # source line of each kept row
    invalid_count: int = 0
    examples: list[str] = field(default_factory=list)  # "line 7, column '金额': 'abc' is not an amount"


def describe(col: str, value, expected: str, empty: bool) -> str:
    if empty:
        return t("column {column!r} is empty (needed: {expected})", column=col, expected=lookup(expected))
    return t("column {column!r}: {value!r} is not {expected}", column=col, value=str(value), expected=lookup(expected))


def invalid_rows_error(file_label: str, invalid: int, n: int, examples: list[str]) -> UserError:
    """A file refused for its invalid rows: how many, and the first ones with line, column, value."""
    more = invalid - len(examples)
    return UserError(
        t("{file}: {invalid} of {total} rows are invalid, nothing was imported.", file=file_label, invalid=invalid,
          total=n) + "\n  "
        + "\n  ".join(examples)
        + ("\n  " + t("... and {n} more invalid rows.", n=more) if more > 0 else "")
        + "\n" + t("Fix these rows, or import with skip_invalid (--skip-invalid) to import only the valid rows.")
    )


def prepare(raw: RawSheet, table: str, mapping: dict[str, str], file_label: str, skip_invalid: bool) -> Prepared:
    """Parse and check every mapped column of ``raw`` for ``table``.

    Rows are never merged or silently dropped: within a customers file a repeated
    customer id is an error naming the lines (which of two versions is right is for the
    user to decide).
    """
    src = raw.frame
    n = len(src)
    if n == 0:
        raise UserError(t("{file}: no data rows below the header", file=file_label))
    out: dict[str, pd.Series] = {}
    problems: list[tuple[pd.Series, str, str]] = []  # (bad mask, column, expected) per field
    for fld, col in mapping.items():
        parser, expected = PARSERS.get(fld, (V.parse_text, "text"))
        if parser is V.parse_date:
            values, bad = parser(src[col], keep_time=(table == "interactions"), column=f"{file_label}: {col}")
        else:
            values, bad = parser(src[col])
        out[fld] = values.reset_index(drop=True)
        bad = bad.reset_index(drop=True)
        if fld in REQUIRED[table]:
            bad = bad | values.reset_index(drop=True).isna()
        if bad.any():
            problems.append((bad, col, expected))

    if table == "interactions":
        kind = out.get("kind")
        sat = out.get("satisfaction")
        if kind is None:
            kind = pd.Series(np.nan, index=range(n), dtype=object)
        if sat is not None:
            kind = kind.where(kind.notna() | sat.isna(), "survey")
        need = kind.isna()
        if need.any():
            names = [repr(mapping[f]) for f in ("kind", "satisfaction") if f in mapping]
            cols = t("{a} or {b}", a=names[0], b=names[1]) if len(names) == 2 else "".join(names)
            problems.append((need, cols.strip("'"), N_("a contact type or a satisfaction score")))
        out["kind"] = kind
        if sat is not None and "scale" not in out:
            out["scale"] = pd.Series(np.where(sat.notna(), DEFAULT_SCALE, np.nan), index=range(n))
        elif sat is not None:
            out["scale"] = out["scale"].where(out["scale"].notna() | sat.isna(), DEFAULT_SCALE)
        if sat is not None:
            over = sat.notna() & ((sat < 0) | (sat > out["scale"]))
            if over.any():
                problems.append((over, mapping["satisfaction"],
                                 N_("a score between 0 and the scale (5 unless the file has a scale column)")))
        out["occurred_at"] = out.pop("date")

    bad_any = pd.Series(False, index=range(n))
    for mask, _, _ in problems:
        bad_any |= mask
    examples = []
    for pos in np.flatnonzero(bad_any.to_numpy())[:SHOW_ERRORS]:
        reasons = []
        for mask, col, expected in problems:
            if mask.iloc[pos]:
                value = src[col].iloc[pos] if col in src.columns else None
                empty = value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""
                reasons.append(describe(col, value, expected, empty))
        examples.append(t("line {line}, {reasons}", line=raw.lines[pos], reasons=semicolons(reasons)))
    invalid = int(bad_any.sum())

    frame = pd.DataFrame(out)
    if table == "customers":
        ids = frame["customer_id"]
        dup = ids.notna() & ids.duplicated(keep=False)
        if dup.any():
            groups = pd.Series(raw.lines[dup.to_numpy()], index=ids[dup].to_numpy()).groupby(level=0, sort=False)
            shown = [t("{id!r} on lines {lines}", id=cid, lines=commas(g.tolist()[:5]))
                     for cid, g in list(groups)[:SHOW_ERRORS]]
            more = groups.ngroups - len(shown)
            raise UserError(t(
                "{file}: the same customer id appears more than once: {shown}{more}. "
                "Keep one row per customer and import again.",
                file=file_label, shown=semicolons(shown), more=t("; and {n} more ids", n=more) if more > 0 else "",
            ))
    if invalid and not skip_invalid:
        raise invalid_rows_error(file_label, invalid, n, examples)
    keep = ~bad_any.to_numpy()
    return Prepared(frame[keep].reset_index(drop=True), raw.lines[keep], invalid, examples)
