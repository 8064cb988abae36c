"""Bytes -> raw sheets: decoding and delimiter sniffing of text files, and :func:`read_any`,
which sends each file to its reader (text here; workbooks and Parquet in :mod:`.workbooks`;
the header row and the sheet's shape in :mod:`.sheets`).

A :class:`RawSheet` keeps the cells as they were (strings for text files; spreadsheet and
Parquet cells with their own types) plus, for every data row, the line number a user sees
(1-based line in a text editor, row number in Excel, record number + 1 in Parquet).

pandas and NumPy are imported by the readers that make frames: the delimiter and header helpers
here serve the head of a large CSV that DuckDB reads (analysis.ingest.bulk) without them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from pathlib import PurePath
from typing import TYPE_CHECKING

from analysis.errors import UserError
from analysis.i18n import N_, lookup, t
from analysis.ingest.sheets import SNIFF_LINES, RawSheet, TextFile, find_header, finish  # noqa: F401 (named here too)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ""}
DELIMITERS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"
#: Bytes from which a UTF-8 delimited file is read by the engines made for size: a purchase file by
#: DuckDB (:mod:`analysis.ingest.bulk`), any other text file by pyarrow's reader (:func:`_read_large`).
#: Decision: 1 MiB, the head :func:`analysis.ingest.bulk.peek` plans a large file from, so a file at
#: the threshold is planned from all of its lines. The choice is by cost, not by what the paths
#: can read: both give the same rows, imports log and messages (tests/ingest/test_ingest_bulk.py),
#: and what DuckDB would split differently from pandas (blank lines, line breaks inside quotes, a
#: lone carriage return, Excel's text marks, bytes that are not UTF-8) is sent to the pandas path
#: by its content (``bulk.read_facts``, ``bulk.peek``) at any size. Above 1 MiB (about 15,000
#: purchase lines) the engines' reading costs less than importing pandas for it (a 39 MB export
#: of 565,000 lines: 1.5 s of CPU less, 50 MB threshold against this one); below it both take
#: hundredths of a second and the small odd files of a first try stay on the reference path.
LARGE_FILE = 1 << 20


# -- decoding -----------------------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Strict UTF-8 (with or without BOM), then UTF-16 when a
    BOM says so (Excel's "Unicode Text"), then strict GB18030 (a superset of GBK/GB2312), then
    Windows-1252 (a Western Windows export: "Zoë Müller"), which also wins over a GB18030
    reading made mostly of rare characters (:func:`_latin_in_disguise`). DuckDB's CSV reader
    cannot read GBK, so decoding happens here."""
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
        chinese = data.decode("gb18030")
    except UnicodeDecodeError:
        chinese = None
    if chinese is not None and not _latin_in_disguise(chinese):
        return chinese, "gb18030"
    try:  # Windows-1252: what Excel and Amazon Seller Central save on a Western Windows
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    if chinese is not None:
        return chinese, "gb18030"
    raise UserError(t(
        "the file is not text in UTF-8, UTF-16 or GBK/GB18030. Save it from Excel as "
        "'CSV UTF-8' or as an .xlsx workbook and import that."
    ))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _latin_in_disguise(text: str) -> bool:
    """Whether text decoded as GB18030 is rather a Western (Windows-1252) file: a Chinese export
    writes mostly the common characters of GB2312, whose two bytes are both 0xA1 or above; an
    accented letter followed by an ASCII letter ("ü" + "l" in "Müller") also decodes as GB18030,
    but to rare characters outside GB2312. Decided on the first 200,000 characters: when fewer
    than half of the non-ASCII characters are in GB2312."""
    odd = _NON_ASCII.findall(text[:200_000])
    if not odd:
        return False
    common = 0
    for ch, n in Counter(odd).items():
        try:
            ch.encode("gb2312")
            common += n
        except UnicodeEncodeError:
            pass
    return common * 2 < len(odd)


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
    sample = [ln for ln in lines if ln.strip()][:SNIFF_LINES]
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


# -- text files ---------------------------------------------------------------------
def read_text(data: bytes) -> RawSheet:
    """A CSV / TSV / TXT file -> one RawSheet of strings."""
    import numpy as np
    import pandas as pd

    large = len(data) >= LARGE_FILE and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if large:  # sniff on the head only; pyarrow checks the rest is UTF-8 while reading
        try:
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(data[:1_000_000], final=False)
            encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        except UnicodeDecodeError:
            large = False
    if not large:
        text, encoding = decode(data)
    head_lines = text[:200_000].splitlines()[: SNIFF_LINES * 3]
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
            frame, lines = finish(frame, header_cells, lines)
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
                          delimiter=delimiter_name(delimiter), problem=exc)) from exc
    # With skip_blank_lines=False every physical line is a row, unless a quoted cell spans lines.
    lines = _record_lines(text, header_idx + 1, delimiter, len(frame))
    frame, lines = finish(frame, header_cells, lines)
    return RawSheet(None, frame, lines, header_idx + 1, encoding, delimiter)


def _record_lines(text: str, skip: int, delimiter: str, n: int) -> np.ndarray:
    """The line (1-based, as a text editor counts) each of the ``n`` records below the first
    ``skip`` lines starts on. One record per line unless a quoted cell holds a line break;
    then the records are counted again with Python's csv reader, which splits them as pandas
    does, so that a row after such a cell is named by its own line."""
    import numpy as np

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
    import numpy as np
    import pandas as pd
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


def delimiter_name(d: str) -> str:
    """The delimiter in words ("tabs", "commas"), in the current language."""
    return lookup(_DELIM_NAMES[d]) if d in _DELIM_NAMES else repr(d)


_delim_name = delimiter_name


def read_any(file_name: str, data: bytes) -> list[RawSheet]:
    """Dispatch on the file name's suffix (and on magic bytes when the suffix is unknown)."""
    from analysis.ingest.workbooks import EXCEL_SUFFIXES, PARQUET_SUFFIXES, read_excel, read_parquet

    suffix = PurePath(file_name).suffix.lower()
    if suffix in PARQUET_SUFFIXES or (suffix not in TEXT_SUFFIXES | EXCEL_SUFFIXES and data[:4] == b"PAR1"):
        return [read_parquet(data)]
    if suffix in EXCEL_SUFFIXES or (suffix not in TEXT_SUFFIXES and data[:4] == b"PK\x03\x04"):
        return read_excel(data)
    if data[:4] == b"PK\x03\x04":
        raise UserError(t("this looks like an Excel workbook with a text-file name; rename it to .xlsx"))
    return [read_text(data)]
