"""Dates in the forms people and their exports write them (``parse_date``): ISO and
year-first, day-first and month-first (decided from the whole column, ambiguous columns
refused), compact YYYYMMDD, Excel serial days, month names, each with an optional time.
The patterns are data in :mod:`analysis.ingest.value_rules` (with the plain forms shared with
the bulk path); the cell-level helpers (``as_text``, Arrow regex matching) are in
:mod:`analysis.ingest.values`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis.errors import UserError, commas
from analysis.i18n import t
from analysis.ingest import value_rules as VR
from analysis.ingest.values import _arrow, _ints, as_text, extract, matches, to_float

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (after its 1900 leap-year bug)
_SERIAL_MIN, _SERIAL_MAX = 1.0, 109_574.0  # 1900-01-01 .. 2199-12-31
_COMPACT_MIN, _COMPACT_MAX = 1800_01_01, 2199_12_31




def _chinese_to_dashes(s: pd.Series) -> pd.Series:
    """2024年3月5日 14时30分 -> 2024-3-5 14:30."""
    if not s.str.contains("[年月日时分秒点]", regex=True).any():
        return s
    s = s.str.replace(r"(\d)\s*年\s*(\d)", r"\1-\2", regex=True)
    s = s.str.replace(r"(\d)\s*月\s*(\d)", r"\1-\2", regex=True)
    s = s.str.replace(r"(\d)\s*日", r"\1 ", regex=True)
    s = s.str.replace(r"(\d)\s*[时点]\s*(\d)", r"\1:\2", regex=True)
    s = s.str.replace(r"(\d)\s*分\s*(\d)", r"\1:\2", regex=True)
    s = s.str.replace(r"[时点分秒]", "", regex=True)
    return s.str.strip()


def _assemble(y, m, d, time, index) -> pd.Series:
    """Vectorised: year/month/day digit strings or numbers (+ optional time text) ->
    Timestamps, NaT where the date does not exist (2024-02-30)."""
    y, m, d = (v if pd.api.types.is_numeric_dtype(v) else _ints(v) for v in (y, m, d))
    y = y.where(y >= 100, y + 2000)  # two-digit years: 24 -> 2024
    frame = pd.DataFrame({"year": y, "month": m, "day": d}, index=index)
    valid = frame.notna().all(axis=1) & frame["month"].between(1, 12) & frame["day"].between(1, 31)
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
    if valid.any():
        out[valid] = pd.to_datetime(frame[valid].astype("int64"), errors="coerce").astype("datetime64[us]")
    if time is not None:
        has_time = time.notna() & (time != "") & out.notna()
        if has_time.any():
            parts = extract(time[has_time], VR.TIME)
            h, mi = _ints(parts["h"]), _ints(parts["mi"])
            sec = _ints(parts["s"]).fillna(0)
            ampm = parts["ampm"].str.lower()
            h = h.where(~((ampm == "pm") & (h < 12)), h + 12)
            h = h.where(~((ampm == "am") & (h == 12)), 0)
            ok = h.between(0, 23) & mi.between(0, 59) & sec.between(0, 59)
            delta = pd.to_timedelta((h * 3600 + mi * 60 + sec).fillna(0), unit="s")
            out.loc[has_time[has_time].index] = (out[has_time] + delta).where(ok, pd.NaT)
    return out


class AmbiguousDates(UserError):
    """A date column whose day/month order cannot be decided; ``values`` are the cells
    (in file order) that could be read either way."""

    def __init__(self, column: str, values: pd.Series):
        self.column, self.values = column, values
        super().__init__(ambiguous_dates_message(column, values.head(3).tolist()))


def ambiguous_dates_message(column: str, examples: list[str]) -> str:
    return t(
        "column {column!r}: dates such as {examples} could be day/month/year or "
        "month/day/year, and every value has both parts <= 12, so the order cannot be "
        "decided. Write the dates as YYYY-MM-DD (e.g. 2024-03-05) and import again.",
        column=column, examples=commas(repr(v) for v in examples),
    )


def parse_date(series: pd.Series, keep_time: bool = False, column: str = "",
               counts: pd.Series | None = None, decided: dict | None = None) -> tuple[pd.Series, pd.Series]:
    """Dates and datetimes, returned as ``datetime64`` (midnight unless ``keep_time``).

    Understands ISO and year-first dates (2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日),
    day-first and month-first dates (05/03/2024, 3/5/2024), compact YYYYMMDD, Excel serial
    day numbers, spreadsheet datetimes, and month names ("5 Mar 2024"), each with an
    optional time. Whether "05/03/2024" is 5 March or 3 May is decided from the whole
    column: a value with a first part above 12 means day-first, a second part above 12
    month-first (the minority then fails as invalid). A column where every such value has
    both parts <= 12 is ambiguous and refused with :class:`AmbiguousDates` rather than guessed.
    ``counts`` (same index) says how many rows each value stands for, when ``series`` holds
    a column's distinct values: the day/month votes then count rows, not values. ``decided``
    (a dict, when given) receives that decision when some value could be read either way, for
    the import summary: ``day_first``, the earliest value that decided (``by``), how many rows could
    be read either way (``either``), the earliest of them (``example``) and the day it was read as
    (``read_as``, ISO).
    """
    idx = series.index
    bad = pd.Series(False, index=idx)
    if pd.api.types.is_datetime64_any_dtype(series):
        out = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        out = out.astype("datetime64[us]")
        return (out if keep_time else out.dt.normalize()), bad
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        out, bad = _from_numbers(series.astype("float64"))
        return (out if keep_time else out.dt.normalize()), bad
    text = as_text(series)
    out = pd.Series(pd.NaT, index=idx, dtype="datetime64[us]")
    present = text.notna()
    if not present.any():
        return out, bad
    fast = _whole_column_fast(text[present])
    if fast is not None:
        out[fast.index] = fast
        return out, bad
    s = _chinese_to_dashes(text[present])
    done = pd.Series(False, index=s.index)

    for pattern in (VR.YMD, VR.COMPACT):
        rest = s[~done]
        if rest.empty:
            break
        parts = extract(rest, pattern)
        m = parts["y"].notna()
        if m.any():
            p = parts[m]
            out[p.index] = _assemble(p["y"], p["m"], p["d"], p.get("t"), p.index)
            done[p.index] = True

    rest = s[~done]
    if len(rest):
        parts = extract(rest, VR.XYZ)
        p = parts[parts["y"].notna()]
        if len(p):
            a, b = _ints(p["a"]), _ints(p["b"])
            w = 1 if counts is None else counts[p.index]
            day_first_votes, month_first_votes = int(((a > 12) * w).sum()), int(((b > 12) * w).sum())
            if day_first_votes == 0 and month_first_votes == 0:
                raise AmbiguousDates(column, text[p.index])
            day_first = day_first_votes >= month_first_votes
            day, month = (a, b) if day_first else (b, a)
            out[p.index] = _assemble(p["y"], month, day, p["t"], p.index)
            done[p.index] = True
            either = (a <= 12) & (b <= 12) & (a != b)
            if decided is not None and either.any():  # the same words whatever order the values come in
                read = pd.DataFrame({"day": out[p.index], "text": text[p.index]})
                by = read[(a if day_first else b) > 12].sort_values(["day", "text"]).iloc[0]
                first = read[either].sort_values(["day", "text"]).iloc[0]
                decided.update(day_first=bool(day_first), by=str(by["text"]), either=int((either * w).sum()),
                               example=str(first["text"]), read_as=first["day"].date().isoformat())

    rest = s[~done]
    if len(rest):
        m = matches(rest, VR.SERIAL)
        if m.any():
            got, _ = _from_numbers(to_float(rest[m]))
            out[rest.index[m]] = got
            done[rest.index[m]] = True
        rest = s[~done]
    if len(rest):
        # month names ("5 Mar 2024", "March 5, 2024"): unambiguous, let pandas read them
        m = rest.str.contains(r"[A-Za-z]{3}", regex=True).astype(bool)
        if m.any():
            got = pd.to_datetime(rest[m].astype(object), format="mixed", errors="coerce")
            if getattr(got.dt, "tz", None) is not None:
                got = got.dt.tz_localize(None)
            out[rest.index[m]] = got.astype("datetime64[us]")
    bad[s.index] = out[s.index].isna().to_numpy()
    if not keep_time:
        out = out.dt.normalize()
    return out, bad


def _whole_column_fast(text: pd.Series) -> pd.Series | None:
    """Arrow strptime for a column that is entirely YYYY-MM-DD or entirely YYYYMMDD (the
    common case for large files); None when the column needs the general parser."""
    arr = _arrow(text)
    for fmt, length in ((VR.PLAIN_DATE, 10), ("%Y%m%d", 8)):
        if not pc.all(pc.equal(pc.utf8_length(arr), length)).as_py():
            continue
        got = pc.strptime(arr, format=fmt, unit="us", error_is_null=True)
        if got.null_count == 0:
            return pd.Series(got.to_numpy(zero_copy_only=False), index=text.index, dtype="datetime64[us]")
    return None


def _from_numbers(x: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as dates: 20240305 (compact YYYYMMDD) or an Excel serial day number."""
    out = pd.Series(pd.NaT, index=x.index, dtype="datetime64[us]")
    compact = x.between(_COMPACT_MIN, _COMPACT_MAX) & (x == np.floor(x))
    if compact.any():
        v = x[compact]
        out[compact] = _assemble(v // 10000, (v // 100) % 100, v % 100, None, v.index)
    serial = x.between(_SERIAL_MIN, _SERIAL_MAX)
    if serial.any():
        us = (x[serial] * 86_400_000_000).round().astype("int64")
        out[serial] = EXCEL_EPOCH + pd.to_timedelta(us, unit="us")
    bad = x.notna() & out.isna()
    return out, bad
