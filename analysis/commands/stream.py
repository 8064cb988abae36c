"""A long list written to stdout as it is made (issue 15 §2: ``actions --limit 0`` at a million
customers under 2 GB): the command hands over its rows as pieces (pandas frames, in order)
and each piece is written out and dropped before the next is made, so the whole list never
sits in memory as records, as JSON text or as a table's lines.

The bytes are those of the list written in one piece: :func:`json_rows` those of
``_print_json(whole.to_dict(orient="records"))`` (strict JSON, ``indent=2``, the same keys,
numbers, escaping and ``ensure_ascii=False``), :func:`text_rows` those of
``print(whole.to_string(index=False))``, ``whole`` being the pieces joined.

Errors: nothing is written before the first piece is made, so a failure there (a missing
workspace, a bad filter) gives the usual one ``error:`` line and exit code. A failure after
the first bytes (a piece that cannot be made) leaves an unfinished JSON array on stdout,
which no JSON reader accepts, then the same ``error:`` line and exit code. A reader that goes
away (``actions --limit 0 --json | head -c 100``) stops the writing: the command ends quietly,
no traceback, with exit code 1 (:func:`analysis.cli.main`; Python's own advice for a closed
pipe).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from json.encoder import encode_basestring as _text  # what json.dumps(ensure_ascii=False) calls
from typing import TYPE_CHECKING, Iterable, TextIO

from analysis.commands.options import strict_json

if TYPE_CHECKING:
    import pandas as pd

# The kinds of value written once per distinct value (:func:`_column`).
_ONCE = {str, dt.date, dt.datetime}
# A piece is turned into records and JSON text this many rows at a time: the records of a
# few thousand rows are a few megabytes where a slice's 200,000 are half a gigabyte.
JSON_ROWS = 5_000


def json_rows(pieces: Iterable[pd.DataFrame], out: TextIO | None = None) -> None:
    """The rows of ``pieces`` as one strict JSON array of objects (one per row, keys in the
    columns' order) written to ``out`` (stdout) a few rows at a time; ``[]`` when no row."""
    out = sys.stdout if out is None else out
    opened = False
    for piece in pieces:
        for start in range(0, len(piece), JSON_ROWS):
            rows = piece.iloc[start:start + JSON_ROWS]
            text = _objects(rows)
            if text is None:  # a value of another kind: the records through strict_json
                # "[\n  {...},\n  {...}\n]": the rows alone, joined to the others' by ",\n"
                text = strict_json(rows.to_dict(orient="records"), indent=2)[2:-2]
            out.write(("," if opened else "[") + "\n" + text)
            opened = True
    out.write("\n]\n" if opened else "[]\n")


def _objects(rows: pd.DataFrame) -> str | None:
    """The rows as ``strict_json(rows.to_dict(orient="records"), indent=2)`` writes them
    between its brackets, made a column at a time (each value encoded by the json module's
    own C functions, each row laid out by one template) instead of by the json module's
    Python encoder, which ``indent`` calls for: 0.15x the CPU time (156,000 plan rows).
    None when a column holds a kind of value not written here (the caller then writes the
    records)."""
    import numpy as np

    if not len(rows.columns) or not rows.columns.map(lambda c: isinstance(c, str)).all():
        return None
    columns = []
    for name in rows.columns:
        values = rows[name]
        kind = values.dtype
        if kind.kind in "iu" and isinstance(kind, np.dtype):  # no missing value
            columns.append(list(map(int.__repr__, values.tolist())))
            continue
        if kind.kind == "O" or (isinstance(kind, np.dtype) and kind.kind in "bf"):  # texts, objects
            written = _column(values)
            if written is not None:
                columns.append(written)
                continue
        return None
    row = "  {\n" + ",\n".join(f"    {_text(name)}: ".replace("%", "%%") + "%s" for name in rows.columns) + "\n  }"
    return ",\n".join([row % values for values in zip(*columns)])


def _column(values: pd.Series) -> list[str] | None:
    """Each of ``values`` as :func:`_value` writes it (None when one is not written there),
    each distinct text, day or missing value written once: a plan's actions, tiers and days
    repeat. Other values are written one by one (1, 1.0 and True are one key to a hash)."""
    import numpy as np
    import pandas as pd

    if values.dtype.kind == "O":
        codes, distinct = pd.factorize(values)
        if all(v.__class__ in _ONCE for v in distinct.tolist()):
            written = [_value(v) for v in distinct.tolist()] + ["null"]  # code -1: missing
            return np.array(written, dtype=object)[codes].tolist()
    written = [_value(v) for v in values.tolist()]
    return None if None in written else written


def _value(value) -> str | None:
    """One value as ``strict_json`` writes it (None: not written here)."""
    kind = value.__class__
    if kind is str:
        return _text(value)
    if value is None:
        return "null"
    if kind is float:
        return float.__repr__(value) if math.isfinite(value) else "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is dt.date or kind is dt.datetime:
        return _text(value.isoformat())
    return None


# A table's lines are made this many rows at a time.
TEXT_ROWS = 5_000


def text_rows(pieces: Iterable[pd.DataFrame], out: TextIO | None = None) -> bool:
    """The rows of ``pieces`` as the table ``print(whole.to_string(index=False))`` writes,
    a few rows at a time; whether there was a row (nothing is written when none). A column's
    width is that of its widest value in any piece, so the pieces are kept (their values, not
    their lines) until every width is known; a column pandas formats as a whole (floats,
    moments: their digits depend on every value) has the pieces joined and written in one."""
    import pandas as pd

    out = sys.stdout if out is None else out
    kept = [piece for piece in pieces if len(piece)]
    if not kept:
        return False
    widths: dict = {}
    for column in kept[0].columns:
        found = [_width(piece[column]) for piece in kept]
        if None in found:
            out.write(pd.concat(kept).to_string(index=False) + "\n")
            return True
        # the label's width, as pandas writes it over one value
        label = len(kept[0][[column]].iloc[:1].to_string(index=False).split("\n", 1)[0])
        widths[column] = max(label, *found)
    header = True
    for piece in kept:
        for start in range(0, len(piece), TEXT_ROWS):
            out.write(piece.iloc[start:start + TEXT_ROWS].to_string(index=False, header=header, col_space=widths)
                      + "\n")
            header = False
    return True


def _width(values: pd.Series) -> int | None:
    """The width of the widest of ``values`` as ``to_string`` writes each alone (texts with
    tabs and line breaks escaped, a missing text as NaN); None for a column pandas formats as
    a whole."""
    import numpy as np
    import pandas as pd

    kind = values.dtype
    if isinstance(kind, pd.StringDtype):
        lengths = values.str.len() + values.str.count(r"[\t\r\n]")
        return int(lengths.fillna(3 if kind.na_value is np.nan else 4).max())  # NaN, <NA>
    if kind.kind in "iu":
        return max(len(str(values.min())), len(str(values.max())))
    if kind == np.dtype(object):
        distinct = pd.Series(pd.unique(values.to_numpy()), dtype=object)
        return len(distinct.to_frame().to_string(index=False, header=False).split("\n", 1)[0])
    return None

