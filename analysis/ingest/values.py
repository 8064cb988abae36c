"""Turning the cells of one source column into typed values, a whole column at a time.

Every parser takes a pandas Series (strings from text files; strings, numbers and
datetimes mixed from spreadsheets; typed columns from Parquet) and returns
``(values, bad)``: the parsed Series (NaN / NaT where a cell is empty or invalid) and a
boolean Series that is True where a non-empty cell could not be parsed. Empty cells are
not "bad" here; whether a field may be empty is decided in :mod:`.validate`.

Decisions that need the whole column (decimal comma or thousands comma; day/month or
month/day order) are taken once per column, never per cell. Dates are read in :mod:`.dates`.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.ids import normalise_id
from analysis.ingest import value_rules as VR
from analysis.ingest.currency_names import currency_marks_table, currency_of_name  # noqa: F401 (named here too)


# -- helpers ------------------------------------------------------------------------
def as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped strings (pandas ``str`` dtype, Arrow-backed), NaN for empty. Numbers
    from spreadsheets become their shortest form ("123.0" -> "123"), datetimes ISO text."""
    if pd.api.types.is_datetime64_any_dtype(series):
        out = series.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False)
    elif pd.api.types.is_bool_dtype(series):
        out = series.astype(object).where(series.notna(), None).map(str, na_action="ignore")
    elif pd.api.types.is_integer_dtype(series):
        out = series.astype("str")
    elif pd.api.types.is_numeric_dtype(series):
        out = numbers_text(series)
    elif series.dtype == object and len(series) and not (kinds := series.map(type)).eq(str).where(series.notna(), True).all():
        out = series.astype(object).copy()  # mixed spreadsheet column: only the cells that are not text change
        floats = kinds.isin((float, np.float64)) & series.notna()
        if floats.any():
            out[floats] = numbers_text(series[floats].astype("float64")).astype(object)
        other = ~floats & series.notna() & ~kinds.eq(str)
        if other.any():
            out[other] = series[other].map(_cell_text)
    else:
        out = series
    text = out.astype("str").str.strip()
    if text.str.startswith(("=\"", "'")).any():  # Excel's marks that keep a number as text: ="0123", '0123
        text = text.str.replace(r'^="(.*)"$', r"\1", regex=True).str.replace(r"^'([0-9+])", r"\1", regex=True)
        text = text.str.strip()
    return text.where(text != "")


def _arrow(text: pd.Series) -> pa.Array:
    """One Arrow array (a column read by pyarrow's CSV reader comes in chunks)."""
    arr = pa.array(text, type=pa.string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """Vectorised regex capture (Arrow): one str column per named group, NaN where the
    value does not match (an optional group that did not take part gives "")."""
    arr = _arrow(text)
    st = pc.extract_regex(arr, pattern)
    valid = pc.is_valid(st)
    null = pa.scalar(None, pa.string())
    return pd.DataFrame(
        {name: pd.Series(pc.if_else(valid, st.field(i), null).to_numpy(zero_copy_only=False), index=text.index, dtype="str")
         for i, name in enumerate(st.type.names)},
        index=text.index,
    )


def matches(text: pd.Series, pattern: str) -> pd.Series:
    """Vectorised full-pattern test (Arrow); False for missing values."""
    got = pc.fill_null(pc.match_substring_regex(_arrow(text), pattern), False)
    return pd.Series(got.to_numpy(zero_copy_only=False), index=text.index)


# -- the plain forms ------------------------------------------------------------------
# The forms of a cell that are read by a cast alone are data in analysis.ingest.value_rules, for
# both readers: the pandas path (Arrow, here) and the DuckDB bulk path (analysis.store.bulk, SQL).
# Both run these patterns on RE2, where \d is an ASCII digit; every other form goes through this
# module's Python rules (the bulk path sends each distinct such cell here and joins the value back).
# The names below are what they were when read (kept for readers of this module); the parsers read
# value_rules each time.
PLAIN_NUMBER, PLAIN_DATE, WHOLE_FLOAT_ID = VR.PLAIN_NUMBER, VR.PLAIN_DATE, VR.WHOLE_FLOAT_ID


def to_float(text: pd.Series) -> pd.Series:
    """Strings that look like plain numbers -> float64, others NaN (Arrow cast, no Python loop)."""
    arr = _arrow(text)
    ok = pc.fill_null(pc.match_substring_regex(arr, VR.PLAIN_NUMBER), False)
    vals = pc.cast(pc.if_else(ok, arr, pa.scalar(None, pa.string())), pa.float64())
    return pd.Series(vals.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def _ints(text: pd.Series) -> pd.Series:
    """Digit strings (already checked by a regex) -> float64, NaN for missing / ""."""
    arr = _arrow(text)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=text.index)


def numbers_text(series: pd.Series) -> pd.Series:
    """Numbers as :func:`_number_text` writes them, whole numbers at once: integral values below
    1e16 as integers ("123.0" -> "123"), the others (few in practice) cell by cell."""
    values = series.astype("float64")
    whole = np.isfinite(values) & (values == np.round(values)) & (values.abs() < 1e16)
    out = pd.Series(None, index=series.index, dtype=object)
    if whole.any():
        out[whole] = values[whole].astype("int64").astype("str").astype(object)
    rest = values.notna() & ~whole
    if rest.any():
        out[rest] = values[rest].map(_number_text)
    return out


def _number_text(v) -> str:
    if isinstance(v, (float, np.floating)):
        if np.isfinite(v) and float(v).is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(float(v))
    return str(v)


def _cell_text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        return v.strftime("%Y-%m-%d %H:%M:%S").replace(" 00:00:00", "")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, _dt.time):
        return v.isoformat()
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return _number_text(v)
    return str(v)


# -- identifiers and plain text -----------------------------------------------------
def normalise_ids(text: pd.Series) -> tuple[pd.Series, int]:
    """:func:`normalise_id` for a column of stripped strings (NaN for empty), done once per
    distinct value that is not plain ASCII (ASCII is already in NFKC form and has no invisible
    characters). Returns the column and how many distinct values changed; a value that
    becomes empty is NaN."""
    arr = _arrow(text)
    odd = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True)).to_numpy(zero_copy_only=False)
    if not odd.any():
        return text, 0
    distinct = pd.unique(text[odd])
    fixed = {v: normalise_id(v) for v in distinct}
    changed = sum(1 for v, n in fixed.items() if v != n)
    if not changed:
        return text, 0
    out = text.copy()
    out[odd] = text[odd].map(fixed)
    return out.where(out != ""), changed


def parse_id(series: pd.Series, stats: dict | None = None) -> tuple[pd.Series, pd.Series]:
    """Customer ids and order ids are strings: whitespace and invisible characters stripped,
    Unicode NFKC (:func:`normalise_id`), leading zeros kept ("00001"), and "123.0" (a whole
    number that went through an Excel float) becomes "123". ``stats["normalised"]`` (when a
    dict is given) counts the distinct values that :func:`normalise_id` changed."""
    text, changed = normalise_ids(as_text(series))
    if stats is not None:
        stats["normalised"] = stats.get("normalised", 0) + changed
    if text.str.endswith(".0").any():
        text = text.str.replace(VR.WHOLE_FLOAT_ID, r"\1", regex=True)
    return text, pd.Series(False, index=series.index)


def parse_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text: stripped, empty -> missing."""
    return as_text(series), pd.Series(False, index=series.index)


# -- amounts and numbers ------------------------------------------------------------
def _mark_alternatives() -> str:
    return "|".join(re.escape(m) for m in sorted(currency_marks_table(), key=len, reverse=True))


def _negative_brackets() -> str:
    """A pattern of a whole cell between value_rules.NEGATIVE_BRACKETS."""
    return "|".join(f"^{re.escape(a)}.*{re.escape(b)}$" for a, b in VR.NEGATIVE_BRACKETS)


def parse_number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amounts and other numbers.

    Accepts thousands separators (1,234.50 / 1.234,50 / 1 234,50), currency signs and codes
    before or after the number (¥ ￥ $ € £ 元 RMB CNY USD ...), negatives written with a
    leading or trailing minus or in parentheses. Whether a comma is a decimal comma is
    decided from the whole column: it is when some value is written 1.234,50 or 12,5 and
    no value is written 1,234.50; "1,234" alone reads as one thousand two hundred
    thirty-four.
    """
    idx = series.index
    if pd.api.types.is_bool_dtype(series):
        return pd.Series(np.nan, index=idx), series.notna()
    if pd.api.types.is_numeric_dtype(series):
        return _finite(series.astype("float64"), pd.Series(False, index=idx))
    text = as_text(series)
    out = to_float(text)
    todo = text.notna() & out.isna()
    if not todo.any():
        return _finite(out, pd.Series(False, index=idx))
    s = text[todo].str.replace(rf"(?i)({_mark_alternatives()}|{'|'.join(VR.AMOUNT_SPACES)})", "", regex=True)
    neg = s.str.match(_negative_brackets()).astype(bool) if VR.NEGATIVE_BRACKETS else s.str.len() < 0
    s = s.where(~neg, s.str.slice(1, -1))
    trailing = (s.str.endswith("-") & ~s.str.startswith("-")) if VR.NEGATIVE_TRAILING_MINUS else s.str.len() < 0
    s = s.where(~trailing, s.str.slice(0, -1))
    neg = (neg | trailing) & ~s.str.startswith("-")  # "(-5)": the minus already says it
    decimal_comma = bool(matches(s, VR.BOTH_COMMA_LAST).any() or matches(s, VR.ONLY_COMMA_DECIMAL).any())
    if decimal_comma and matches(s, VR.BOTH_DOT_LAST).any():
        decimal_comma = False
    if decimal_comma:
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        s = s.where(~matches(s, VR.THOUSANDS), s.str.replace(",", "", regex=False))
    val = to_float(s)
    val = val.where(~neg, -val.abs())
    out.loc[val.index] = val
    bad = pd.Series(False, index=idx)
    bad.loc[val.index] = val.isna().to_numpy()
    return _finite(out, bad)


def _finite(out: pd.Series, bad: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Infinity and NaN written as numbers ("1e309", "inf" in a Parquet column) are not numbers
    anyone meant: invalid, like text."""
    odd = out.notna() & ~np.isfinite(out)
    if odd.any():
        out, bad = out.where(~odd), bad | odd
    return out, bad


parse_amount = parse_number


def currency_marks(series: pd.Series) -> pd.Series:
    """Per cell, the ISO code of the currency its amount is written in ("¥1,234" -> "CNY",
    "USD 5" -> "USD"), None where the cell writes none (plain numbers, empty cells). The first
    sign, word or code of :func:`currency_marks_table` in the cell counts."""
    out = pd.Series(None, index=series.index, dtype=object)
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) \
            or pd.api.types.is_datetime64_any_dtype(series):
        return out
    text = as_text(series)
    todo = text.notna() & to_float(text).isna()
    if todo.any():
        table = currency_marks_table()
        marks = extract(text[todo], rf"(?i)(?P<mark>{_mark_alternatives()})")["mark"].str.lower()
        out[marks.index] = marks.map(table).astype(object).where(marks.notna(), None)
    return out


def parse_currency(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A currency column: ISO codes from codes, signs or words ("USD", "￥", "人民币"); a
    non-empty cell that names no currency is bad."""
    text = as_text(series)
    codes = text.str.lower().map(currency_marks_table())
    codes = codes.astype(object).where(codes.notna(), None)
    return codes, text.notna() & codes.isna()
