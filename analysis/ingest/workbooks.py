"""Workbooks (XLSX and the other spreadsheet formats, read by python-calamine) and Parquet files
-> raw sheets; a workbook too large to read is refused before it is read (:func:`check_workbook`)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from pathlib import PurePath
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from analysis.errors import UserError
from analysis.i18n import t
from analysis.ingest.sheets import SNIFF_LINES, RawSheet, column_names, find_header, finish

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_MAX_ROWS = 1_048_576  # what Excel allows in one sheet
EXCEL_MAX_COLUMNS = 16_384
# Cells (rows x columns of each sheet's used range, all sheets together) read from one workbook.
# calamine and pandas need about 130 bytes per cell, so this keeps a workbook under about 1 GB;
# 500,000 lines of 14 columns fit. A CSV file of any size is read without holding it whole.
MAX_WORKBOOK_CELLS = 7_000_000
MAX_SHARED_STRINGS = 256 * 2**20  # bytes of the workbook's text table, read whole by calamine
_SCAN_CHUNK = 1 << 20
_ROW_R = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')  # the row's number, wherever the attribute is
_ROW_R_FIRST = re.compile(rb'<row r="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})\d')
_CELL_COLUMN_FIRST = re.compile(rb'<c r="([A-Z]{1,3})')  # as spreadsheet programs write it: much faster
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _sheet_parts(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of each worksheet, in the workbook's order."""
    names = set(book.namelist())
    try:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return [(PurePath(n).stem, n) for n in sorted(names) if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = []
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in names:
            parts.append((sheet.get("name", part), part))
    return parts


def _tags(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the ``<row`` and of the ``<c`` (cell) tags in ``buf``, found with NumPy."""
    a = np.frombuffer(buf + b"\0\0\0\0\0", np.uint8)
    lt = np.flatnonzero(a[:len(buf)] == 60)  # "<"

    def ends(k):  # the tag's name ends at lt + k: a space, ">" or "/"
        c = a[lt + k]
        return (c == 32) | (c == 62) | (c == 47) | (c == 9) | (c == 10) | (c == 13)

    cells = lt[(a[lt + 1] == 99) & ends(2)]
    rows = lt[(a[lt + 1] == 114) & (a[lt + 2] == 111) & (a[lt + 3] == 119) & ends(4)]
    return rows, cells


def _used_range(book: zipfile.ZipFile, part: str, sheet: str, budget: int) -> tuple[int, int]:
    """(rows, columns) a reader would expand the sheet to, counted while the sheet's XML is
    decompressed chunk by chunk (never whole). Rows and cells without a position follow the
    previous one, as Excel reads them. Stops with a :class:`UserError` as soon as the sheet has
    more rows or columns than Excel allows or more cells than ``budget``."""
    rows = columns = 0
    carry = b""
    with book.open(part) as fh:
        while True:
            chunk = fh.read(_SCAN_CHUNK)
            buf = carry + chunk
            cut = len(buf) if not chunk else buf.rfind(b"<row")
            if cut <= 0:  # no row starts in the chunk: keep reading (a row larger than the chunk)
                if len(buf) > 64 * _SCAN_CHUNK:
                    raise UserError(t("sheet {sheet!r}: a row of more than 64 MB; the workbook cannot be read",
                                      sheet=sheet))
                carry = buf
                if not chunk:
                    break
                continue
            part_bytes, carry = buf[:cut], buf[cut:]
            # upper bounds: "<row" and "<c" also start a few other tags (<rowBreaks>, <cols>)
            n_rows, n_cells = part_bytes.count(b"<row"), part_bytes.count(b"<c")
            numbered = _ROW_R_FIRST.findall(part_bytes)
            if len(numbered) == n_rows:  # as spreadsheet programs write rows: each with its number
                rows = max(rows, max(map(int, numbered), default=0))
            else:
                row_at, _ = _tags(part_bytes)
                numbered = [(m.start(), int(m.group(1))) for m in _ROW_R.finditer(part_bytes)]
                if numbered:  # rows without a number follow the row before
                    at, number = max(numbered, key=lambda x: x[1])
                    before = int(np.count_nonzero(row_at < numbered[0][0]))
                    rows = max(rows + before, number + int(np.count_nonzero(row_at > at)))
                else:
                    rows += len(row_at)
            found = _CELL_COLUMN_FIRST.findall(part_bytes)
            if len(found) < n_cells and b' r="' in part_bytes:
                found = _CELL_COLUMN.findall(part_bytes)
            if found:
                columns = max(columns, max(_column_number(x) for x in set(found)))
            if len(found) < n_cells:  # cells without a position: count them along their rows
                row_at, cell_at = _tags(part_bytes)
                columns = max(columns, int(np.bincount(np.searchsorted(row_at, cell_at)).max()))
            if rows > EXCEL_MAX_ROWS or columns > EXCEL_MAX_COLUMNS:
                raise UserError(t(
                    "sheet {sheet!r} has more than {rows:,} rows or {columns:,} columns, more than Excel allows: "
                    "the workbook is damaged or was not written by a spreadsheet program, and it was not read",
                    sheet=sheet, rows=EXCEL_MAX_ROWS, columns=EXCEL_MAX_COLUMNS))
            if rows * columns > budget:
                raise too_many_cells(sheet, rows, columns)
            if not chunk:
                break
    return rows, columns


def too_many_cells(sheet: str, rows: int, columns: int) -> UserError:
    return UserError(t(
        "sheet {sheet!r} has at least {rows:,} rows and {columns:,} columns, more than {limit:,} cells in the "
        "workbook, too many to read from a workbook here. Save the sheet as “CSV UTF-8” and import that file "
        "(a CSV file of any size is read without holding it in memory).",
        sheet=sheet, rows=rows, columns=columns, limit=MAX_WORKBOOK_CELLS))


def check_workbook(data: bytes) -> None:
    """Refuse, before anything is expanded, a workbook that would need more memory to read than
    :data:`MAX_WORKBOOK_CELLS` allows: a sheet with more rows than Excel allows (a "zip bomb":
    a few hundred kilobytes can hold millions of rows), too many cells in all, or a text table
    too large. Only the zip directory and a streaming pass over each sheet's XML are read."""
    if data[:4] != b"PK\x03\x04":
        return  # .xls: at most 65,536 rows by its format
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UserError(t("cannot open the workbook: {problem}", problem=exc)) from exc
    with book:
        infos = {i.filename: i for i in book.infolist()}
        if "xl/workbook.xml" not in infos:  # .ods, .xlsb: no sheet XML to count; bound the expanded size
            if sum(i.file_size for i in infos.values()) > MAX_SHARED_STRINGS:
                raise UserError(t("the workbook expands to more than {mb:,} MB; save it as .xlsx or “CSV UTF-8” "
                                  "and import that file", mb=MAX_SHARED_STRINGS // 2**20))
            return
        strings = infos.get("xl/sharedStrings.xml")
        if strings is not None and strings.file_size > MAX_SHARED_STRINGS:
            raise UserError(t("the workbook's text takes more than {mb:,} MB; save the sheets as “CSV UTF-8” and "
                              "import those files", mb=MAX_SHARED_STRINGS // 2**20))
        budget = MAX_WORKBOOK_CELLS
        try:
            for sheet, part in _sheet_parts(book):
                rows, columns = _used_range(book, part, sheet, budget)
                budget -= rows * columns
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise UserError(t("cannot open the workbook: {problem}", problem=exc)) from exc


def _workbook_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    """(name, rows of cells) of every sheet, as python-calamine reads them: from the sheet's
    first row and column (so that row numbers are Excel's), empty cells as ""."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names]
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise UserError(t("cannot open the workbook: {problem}", problem=exc)) from exc


def _typed_columns(rows: list[list], width: int) -> pd.DataFrame:
    """Cells of a sheet's body (rows of Python objects from calamine) as columns, with empty
    ones missing and each column in the narrowest type that holds it (numbers as float64,
    dates and datetimes as datetime64, text as strings), so that the values are read a whole
    column at a time; columns mixing kinds stay objects. Built column by column from the rows
    (one pass; the kind of each column is found by pandas' C-level ``infer_dtype``)."""
    columns = {}
    if rows and all(len(r) == len(rows[0]) for r in rows):  # as calamine reads a sheet: one pass in C
        grid = np.empty((len(rows), len(rows[0])), dtype=object)
        grid[:] = rows
        by_column = grid.T
    else:
        by_column = [np.array(cells, dtype=object) for cells in zip(*rows)] if rows else []
    for i, col in enumerate(by_column):
        col = col.copy()
        col[col == ""] = None
        kind = pd.api.types.infer_dtype(col, skipna=True)
        missing = pd.isna(col)
        if kind == "integer" and not missing.any():
            columns[i] = pd.Series(col.astype("int64"))
        elif kind in ("floating", "integer", "mixed-integer-float"):
            columns[i] = pd.Series(col.astype("float64"))
        elif kind == "boolean" and not missing.any():
            columns[i] = pd.Series(col.astype(bool))
        elif kind in ("datetime", "date"):
            try:
                columns[i] = pd.Series(pd.to_datetime(col)).astype("datetime64[us]")
            except (ValueError, OverflowError, TypeError):
                columns[i] = pd.Series(col, dtype=object)
        elif kind == "string":
            columns[i] = pd.Series(col, dtype="str")
        elif kind == "empty":
            columns[i] = pd.Series(col, dtype="float64")
        else:  # mixed kinds, times, durations, booleans with gaps: as pandas infers them
            columns[i] = pd.Series(col, dtype=object).infer_objects()
    frame = pd.DataFrame(columns) if columns else pd.DataFrame(index=range(len(rows)))
    for i in range(len(columns), width):
        frame[i] = np.nan
    return frame


def read_excel(data: bytes) -> list[RawSheet]:
    """Every sheet of a workbook (python-calamine), header found per sheet, once
    :func:`check_workbook` has found it small enough to read."""
    check_workbook(data)
    sheets = []
    for name, cells in _workbook_sheets(data):
        if not cells:
            sheets.append(RawSheet(str(name), pd.DataFrame(), np.array([], dtype=np.int64), None))
            continue
        head = [["" if v is None else (_number_text(v) if isinstance(v, float) else str(v)) for v in r]
                for r in cells[:SNIFF_LINES]]
        h = find_header(head)
        header_cells = [None if v == "" else (int(v) if isinstance(v, float) and v.is_integer() else v)
                        for v in cells[h]]
        body = _typed_columns(cells[h + 1:], len(header_cells)) if len(cells) > h + 1 else \
            pd.DataFrame(columns=range(len(header_cells)), dtype=object)
        lines = np.arange(len(body), dtype=np.int64) + h + 2  # Excel row numbers
        frame, lines = finish(body, header_cells, lines)
        sheets.append(RawSheet(str(name), frame, lines, h + 1))
    return sheets


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def read_parquet(data: bytes) -> RawSheet:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise UserError(t("cannot read the Parquet file: {problem}", problem=exc)) from exc
    frame.columns = column_names(list(frame.columns))
    frame = frame.reset_index(drop=True)
    return RawSheet(None, frame, np.arange(len(frame), dtype=np.int64) + 2, 1)
