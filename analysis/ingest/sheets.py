"""A sheet as found in a file (:class:`RawSheet`): which row is its header, its columns'
names, and its empty rows and columns left out; shared by the text, workbook and Parquet readers.
pandas is imported by the functions that make frames, not by this module."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.ingest.mapping import is_known_name

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SNIFF_LINES = 40  # the first rows, where the header is looked for


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

    @property
    def columns(self) -> list[str]:
        """The columns' names, as text."""
        return [str(c) for c in self.frame.columns]

    @property
    def n_rows(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class TextFile:
    """Where the rest of a large text file is: its path, the lines above the first data row,
    the number of columns and the delimiter."""

    path: Path
    skip: int
    width: int
    delimiter: str


def find_header(rows: list[list[str]]) -> int:
    """Index of the header row among the first rows: the row naming the most known fields
    (at least two); otherwise the first row as wide as the typical row. Title lines and
    blank lines above the header (common in ERP exports) are thereby skipped."""
    rows = rows[:SNIFF_LINES]
    filled = [sum(1 for c in r if str(c).strip()) for r in rows]
    known = [sum(1 for c in r if str(c).strip() and is_known_name(str(c))) for r in rows]
    if known and max(known) >= 2:
        return known.index(max(known))
    wide = [f for f in filled if f >= 2]
    if not wide:
        return next((i for i, f in enumerate(filled) if f), 0)
    typical = Counter(wide).most_common(1)[0][0]
    return next(i for i, f in enumerate(filled) if f >= typical)


def column_names(cells: list) -> list[str]:
    """Header cells -> unique, non-empty names ("column 3" for a blank one, "x (2)" for a repeat)."""
    names: list[str] = []
    seen: Counter = Counter()
    for i, c in enumerate(cells):
        name = "" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c).strip()
        if isinstance(c, float) and c.is_integer():
            name = str(int(c))
        name = name or f"column {i + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def finish(frame: pd.DataFrame, header_cells: list, lines: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Name columns, drop unnamed empty columns and fully empty rows."""
    import numpy as np
    import pandas as pd

    frame = frame.copy()
    frame.columns = column_names(list(header_cells) + [None] * (frame.shape[1] - len(header_cells)))
    empty = pd.DataFrame({c: _empty(frame[c]) for c in frame.columns}, index=frame.index, columns=frame.columns)
    blank_header = [i >= len(header_cells) or not str(header_cells[i] if header_cells[i] is not None else "").strip()
                    or (isinstance(header_cells[i], float) and np.isnan(header_cells[i]))
                    for i in range(frame.shape[1])]
    keep_cols = [c for c, blank in zip(frame.columns, blank_header) if not (blank and empty[c].all())]
    frame, empty = frame[keep_cols], empty[keep_cols]
    keep_rows = ~empty.all(axis=1).to_numpy()
    frame = frame[keep_rows].reset_index(drop=True)
    return frame, lines[keep_rows]


def _empty(col: pd.Series) -> pd.Series:
    """Cells that are missing or only whitespace (numbers and dates are never whitespace)."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return col.isna()
    return col.isna() | (col.astype("str").str.strip() == "")
