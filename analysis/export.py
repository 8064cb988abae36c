"""Exporting a table to CSV or Excel so a spreadsheet never runs a cell as a formula.

Names and notes are typed by users and customers; a cell such as ``=HYPERLINK(...)`` or
``@SUM(...)`` would run when the file is opened ("CSV injection", OWASP). Text that starts
with a formula character is prefixed with a single quote; numbers stay numbers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import UserError
from analysis.i18n import t

# OWASP's list, plus the full-width forms a Chinese input method types.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula.
    Anything that is not text (a negative number, a date, None) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell and column name neutralised."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series)):
            out[col] = series.map(neutralise).astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Cells a spreadsheet can hold: naive datetimes, no index."""
    out = df.reset_index(drop=True)
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert(None)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, which Excel needs to show Chinese correctly."""
    return neutralise_frame(_plain(df)).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """An .xlsx workbook with one sheet; every string is written as a string, never a
    formula or a link."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        neutralise_frame(_plain(df)).to_excel(writer, sheet_name=sheet_name, index=False)
    return buffer.getvalue()


def export(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` as CSV or Excel, chosen by the suffix (.csv or .xlsx)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = to_csv_bytes(df)
    elif suffix == ".xlsx":
        data = to_xlsx_bytes(df)
    else:
        raise UserError(t("cannot export to {name!r}: the file name must end in .csv or .xlsx.", name=path.name))
    path.write_bytes(data)
    return path


__all__ = ["neutralise", "neutralise_frame", "to_csv_bytes", "to_xlsx_bytes", "export", "FORMULA_STARTS"]
