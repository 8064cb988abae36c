"""Bytes -> raw sheets: decoding, delimiter sniffing, header-row detection, workbook sheets.

A :class:`RawSheet` keeps the cells as they were (strings for text files; spreadsheet and
Parquet cells with their own types) plus, for every data row, the line number a user sees
(1-based line in a text editor, row number in Excel, record number + 1 in Parquet).
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections import Counter
from xml.etree import ElementTree
from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from analysis.errors import UserError
from analysis.i18n import N_, lookup, t
from analysis.ingest.mapping import is_known_name

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ""}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DELIMITERS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"
_SNIFF_LINES = 40
LARGE_FILE = 50_000_000  # bytes; above this, plain UTF-8 delimited files go through pyarrow's reader


@dataclass
class RawSheet:
    """One table of cells as found in a file, with the header already taken off."""

    sheet: str | None
    frame: pd.DataFrame  # data rows only, columns = source column names
    lines: np.ndarray  # line / row number (1-based) of each data row
    header_line: int | None
    encoding: str | None = None
    delimiter: str | None = None
    # Set when ``frame`` holds only the first rows of a large text file, which is then read
    # whole by DuckDB (analysis/ingest/bulk.py) or, failing that, by :func:`read_text`.
    source: TextFile | None = None


@dataclass(frozen=True)
class TextFile:
    """Where the rest of a large text file is: its path, the lines above the first data row,
    the number of columns and the delimiter."""

    path: Path
    skip: int
    width: int
    delimiter: str


# -- decoding -----------------------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Strict UTF-8 (with or without BOM), then UTF-16 when a
    BOM says so (Excel's "Unicode Text"), then strict GB18030 (a superset of GBK/GB2312).
    DuckDB's CSV reader cannot read GBK, so decoding happens here."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
        return text, ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    raise UserError(t(
        "the file is not text in UTF-8, UTF-16 or GBK/GB18030. Save it from Excel as "
        "'CSV UTF-8' or as an .xlsx workbook and import that."
    ))


# -- delimiter and header -----------------------------------------------------------
def split_line(line: str, delimiter: str) -> list[str]:
    if delimiter == WHITESPACE:
        return line.split()
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return line.split(delimiter)


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, semicolon, tab or pipe: the one that splits the most sample lines into the
    same number (>= 2) of fields; whitespace when none of them splits most lines."""
    sample = [ln for ln in lines if ln.strip()][:_SNIFF_LINES]
    if not sample:
        return ","
    best, best_key = None, (0, 0)
    for d in DELIMITERS:
        counts = [len(split_line(ln, d)) for ln in sample]
        mode, freq = Counter(c for c in counts if c >= 2).most_common(1)[0] if any(c >= 2 for c in counts) else (1, 0)
        if (freq, mode) > best_key:
            best, best_key = d, (freq, mode)
    if best is not None and best_key[0] * 2 >= len(sample):
        return best
    counts = [len(ln.split()) for ln in sample]
    if sum(c >= 2 for c in counts) * 2 >= len(sample):
        return WHITESPACE
    return best or ","


def find_header(rows: list[list[str]]) -> int:
    """Index of the header row among the first rows: the row naming the most known fields
    (at least two); otherwise the first row as wide as the typical row. Title lines and
    blank lines above the header (common in ERP exports) are thereby skipped."""
    rows = rows[:_SNIFF_LINES]
    filled = [sum(1 for c in r if str(c).strip()) for r in rows]
    known = [sum(1 for c in r if str(c).strip() and is_known_name(str(c))) for r in rows]
    if known and max(known) >= 2:
        return known.index(max(known))
    wide = [f for f in filled if f >= 2]
    if not wide:
        return next((i for i, f in enumerate(filled) if f), 0)
    typical = Counter(wide).most_common(1)[0][0]
    return next(i for i, f in enumerate(filled) if f >= typical)


def _column_names(cells: list) -> list[str]:
    """Header cells -> unique, non-empty names ("column 3" for a blank one, "x (2)" for a repeat)."""
    names: list[str] = []
    seen: Counter = Counter()
    for i, c in enumerate(cells):
        name = "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip()
        if isinstance(c, float) and c.is_integer():
            name = str(int(c))
        name = name or f"column {i + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _finish(frame: pd.DataFrame, header_cells: list, lines: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Name columns, drop unnamed empty columns and fully empty rows."""
    frame = frame.copy()
    frame.columns = _column_names(list(header_cells) + [None] * (frame.shape[1] - len(header_cells)))
    empty = frame.isna() | frame.astype("str").apply(lambda s: s.str.strip() == "")
    blank_header = [i >= len(header_cells) or not str(header_cells[i] if header_cells[i] is not None else "").strip()
                    or (isinstance(header_cells[i], float) and np.isnan(header_cells[i]))
                    for i in range(frame.shape[1])]
    keep_cols = [c for c, blank in zip(frame.columns, blank_header) if not (blank and empty[c].all())]
    frame, empty = frame[keep_cols], empty[keep_cols]
    keep_rows = ~empty.all(axis=1).to_numpy()
    frame = frame[keep_rows].reset_index(drop=True)
    return frame, lines[keep_rows]


# -- text files ---------------------------------------------------------------------
def read_text(data: bytes) -> RawSheet:
    """A CSV / TSV / TXT file -> one RawSheet of strings."""
    large = len(data) >= LARGE_FILE and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if large:  # sniff on the head only; pyarrow checks the rest is UTF-8 while reading
        try:
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(data[:1_000_000], final=False)
            encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        except UnicodeDecodeError:
            large = False
    if not large:
        text, encoding = decode(data)
    head_lines = text[:200_000].splitlines()[: _SNIFF_LINES * 3]
    delimiter = sniff_delimiter(head_lines)
    header_idx = find_header([split_line(ln, delimiter) for ln in head_lines])
    header_cells = split_line(head_lines[header_idx], delimiter) if head_lines else []
    if not header_cells:
        return RawSheet(None, pd.DataFrame(), np.array([], dtype=np.int64), None, encoding, delimiter)
    if large and delimiter != WHITESPACE:
        body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
        frame = _read_large(body, header_idx, len(header_cells), delimiter)
        if frame is not None:
            lines = np.arange(len(frame), dtype=np.int64) + header_idx + 2
            frame, lines = _finish(frame, header_cells, lines)
            return RawSheet(None, frame, lines, header_idx + 1, encoding, delimiter)
    if large:
        text, encoding = decode(data)
    sep = r"\s+" if delimiter == WHITESPACE else delimiter
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, header=None, skiprows=header_idx + 1, dtype=str,
            keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
            names=range(len(header_cells)), index_col=False,
        )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=range(len(header_cells)), dtype=str)
    except pd.errors.ParserError as exc:
        raise UserError(t("cannot split the file into columns with {delimiter}: {problem}",
                          delimiter=_delim_name(delimiter), problem=exc)) from exc
    # With skip_blank_lines=False every physical line is a row, unless a quoted cell spans lines.
    lines = _record_lines(text, header_idx + 1, delimiter, len(frame))
    frame, lines = _finish(frame, header_cells, lines)
    return RawSheet(None, frame, lines, header_idx + 1, encoding, delimiter)


def _record_lines(text: str, skip: int, delimiter: str, n: int) -> np.ndarray:
    """The line (1-based, as a text editor counts) each of the ``n`` records below the first
    ``skip`` lines starts on. One record per line unless a quoted cell holds a line break;
    then the records are counted again with Python's csv reader, which splits them as pandas
    does, so that a row after such a cell is named by its own line."""
    plain = np.arange(n, dtype=np.int64) + skip + 1
    if delimiter == WHITESPACE or '"' not in text:
        return plain
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n") + (not text.endswith(("\n", "\r")))
    if breaks - skip == n:
        return plain
    source = io.StringIO(text, newline=None)
    for _ in range(skip):
        source.readline()
    reader = csv.reader(source, delimiter=delimiter)
    starts, done = [], skip
    for _ in reader:
        starts.append(done + 1)
        done = skip + reader.line_num
        if len(starts) == n:
            break
    return np.array(starts + list(range(done + 1, done + 1 + n - len(starts))), dtype=np.int64)


def _read_large(data: bytes, header_idx: int, width: int, delimiter: str) -> pd.DataFrame | None:
    """Large UTF-8 files: pyarrow's multi-threaded CSV reader, every column as text (types
    are decided later, per field). Blank lines are kept as empty rows so that line numbers
    stay right. None (fall back to the pandas reader) when pyarrow cannot split the file."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(skip_rows=header_idx + 1, column_names=[str(i) for i in range(width)],
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={str(i): pa.string() for i in range(width)},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = range(width)
    return frame


_DELIM_NAMES = {",": N_("commas"), ";": N_("semicolons"), "\t": N_("tabs"), "|": N_("pipes"), WHITESPACE: N_("spaces")}


def _delim_name(d: str) -> str:
    return lookup(_DELIM_NAMES[d]) if d in _DELIM_NAMES else repr(d)


# -- workbooks and parquet ----------------------------------------------------------
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


def _typed_columns(body: pd.DataFrame) -> pd.DataFrame:
    """Cells of a sheet's body (Python objects) with empty ones missing and each column in the
    narrowest type that holds it (numbers as float64, dates as datetime64), so that the values
    are read a whole column at a time; columns mixing kinds stay objects."""
    return body.where(body.ne("")).infer_objects()


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
                for r in cells[:_SNIFF_LINES]]
        h = find_header(head)
        header_cells = [None if v == "" else (int(v) if isinstance(v, float) and v.is_integer() else v)
                        for v in cells[h]]
        body = _typed_columns(pd.DataFrame(cells[h + 1:], dtype=object)) if len(cells) > h + 1 else \
            pd.DataFrame(columns=range(len(header_cells)), dtype=object)
        lines = np.arange(len(body), dtype=np.int64) + h + 2  # Excel row numbers
        frame, lines = _finish(body, header_cells, lines)
        sheets.append(RawSheet(str(name), frame, lines, h + 1))
    return sheets


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def read_parquet(data: bytes) -> RawSheet:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise UserError(t("cannot read the Parquet file: {problem}", problem=exc)) from exc
    frame.columns = _column_names(list(frame.columns))
    frame = frame.reset_index(drop=True)
    return RawSheet(None, frame, np.arange(len(frame), dtype=np.int64) + 2, 1)


def read_any(file_name: str, data: bytes) -> list[RawSheet]:
    """Dispatch on the file name's suffix (and on magic bytes when the suffix is unknown)."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in PARQUET_SUFFIXES or (suffix not in TEXT_SUFFIXES | EXCEL_SUFFIXES and data[:4] == b"PAR1"):
        return [read_parquet(data)]
    if suffix in EXCEL_SUFFIXES or (suffix not in TEXT_SUFFIXES and data[:4] == b"PK\x03\x04"):
        return read_excel(data)
    if data[:4] == b"PK\x03\x04":
        raise UserError(t("this looks like an Excel workbook with a text-file name; rename it to .xlsx"))
    return [read_text(data)]
