"""The SQL of the bulk import (:mod:`analysis.ingest.bulk` says when and why a file goes
this way), with the results and messages of the pandas path (:mod:`analysis.ingest.validate`).
Here the optimistic pass: DuckDB's CSV reader writes a large purchase file straight into
``transactions`` (:func:`insert_direct`), and the SQL both passes share (the cells, their plain
values under the rules of :mod:`analysis.ingest.rules`, the ranges). The careful pass, which
stages the cells and types what SQL cannot read with :mod:`analysis.ingest.values`, once per
distinct value, is :mod:`analysis.store.bulk_careful`.
"""

from __future__ import annotations

import mmap
import re
import threading

from analysis.ingest import rules as R
from analysis.ingest import value_rules as VR
from analysis.ingest.bulk import STRIP_CHARS, FileFacts, field_kind, read_facts
from analysis.ingest.reading import RawSheet, TextFile
from analysis.store.schema import SCHEMA, quote_ident, store_cast


_READ = ("read_csv($path, delim=$delim, quote='\"', escape='\"', header=false, skip=$skip, auto_detect=false, "
         "columns=$columns, strict_mode=true, null_padding=false{})")


def _params(source: TextFile, rules: R.Rules) -> dict:
    """The statements' parameters: where the file is and how to split it, and the value rules of
    analysis.ingest.values / .validate that the SQL applies."""
    params = {"path": str(source.path), "delim": source.delimiter, "skip": source.skip,
              "columns": {f"c{i}": "VARCHAR" for i in range(source.width)}, "ws": STRIP_CHARS,
              "plain_number": VR.PLAIN_NUMBER, "plain_date": VR.PLAIN_DATE}
    for fld in R.AMOUNT_FIELDS + R.DATE_FIELDS:
        bounds = R.value_range(fld, rules)
        params[f"low_{fld}"], params[f"high_{fld}"] = bounds.low, bounds.high
    return params


def _out_of_range(fld: str, v: str, rules: R.Rules) -> str | None:
    """SQL of validate.range_codes: the code of a value ``v`` that is out of its field's range
    (validate.value_range, bound as $low_<field> and $high_<field>), else NULL."""
    bounds = R.value_range(fld, rules)
    if bounds is None:
        return None
    if bounds.by_abs:
        return f"CASE WHEN abs({v}) >= $high_{fld} THEN {_literal(bounds.high_code)} END"
    return (f"CASE WHEN {v} < $low_{fld} THEN {_literal(bounds.low_code)} "
            f"WHEN {v} > $high_{fld} THEN {_literal(bounds.high_code)} END")


def _ascii(v: str) -> str:
    """SQL: the text ``v`` is plain ASCII (bytes = characters), which values.normalise_id keeps."""
    return f"strlen({v}) = length({v})"


def _email_id(v: str) -> str:
    """SQL: the plain ASCII id ``v`` as the pandas path keeps it
    (:func:`analysis.ingest.identity.emails_as_ids`): lower-cased when it holds ``@`` (an
    e-mail used as the id compares without case). For ASCII text DuckDB's ``lower`` and
    Python's agree; other ids go through values.normalise_ids and then emails_as_ids."""
    return f"CASE WHEN contains({v}, '@') THEN lower({v}) ELSE {v} END"


def _bound(sql: str, params: dict) -> tuple[str, dict]:
    """(sql, the params it uses): DuckDB refuses parameters a statement does not name."""
    used = set(re.findall(r"\$(\w+)", sql))
    return sql, {k: v for k, v in params.items() if k in used}


def _t(i: int, trim: bool) -> str:
    """Cell ``c<i>`` as values.as_text sees it: stripped (when some cell needs it), empty -> NULL."""
    c = quote_ident(f"c{i}")
    return f"nullif(trim({c}, $ws), '')" if trim else f"nullif({c}, '')"


def _fast(kind: str, t: str, gate: bool = False) -> str:
    """SQL for the value of the stripped cell ``t`` in the plain forms of analysis.ingest.value_rules
    (the same patterns, bound as parameters), NULL where values.py must read it. Numbers:
    ``PLAIN_NUMBER``, cast, finite. Dates: ``PLAIN_DATE`` with a four-digit year (values.py
    reads 0099-01-01 as 2099). Ids, once some id ends in ".0": ``WHOLE_FLOAT_ID``."""
    if kind == "number":
        cast = f"TRY_CAST({t} AS DOUBLE)"
        return f"CASE WHEN regexp_full_match({t}, $plain_number) AND isfinite({cast}) THEN {cast} END"
    if kind == "date":
        return (f"CASE WHEN year(try_strptime({t}, $plain_date)) BETWEEN 1000 AND 9999 "
                f"THEN CAST(try_strptime({t}, $plain_date) AS DATE) END")
    if kind == "id" and gate:  # values.parse_id: "123.0" -> "123" once some id ends in ".0"
        return (f"CASE WHEN regexp_full_match({t}, $whole_float_id) THEN regexp_extract({t}, $whole_float_id, 1) "
                f"ELSE {_email_id(t)} END")
    if kind == "id":
        return _email_id(t)
    if kind == "currency":
        return "CAST(NULL AS VARCHAR)"
    return t


def _cells(source_sql: str, width: int, trim: bool, with_pos: bool = False) -> str:
    """The source with raw cells (c0, ...), stripped cells (t0, ...) and ``empty`` (a row
    of empty cells, which the pandas path drops)."""
    ts = [_t(i, trim) for i in range(width)]
    pos = f"rowid - (SELECT min(rowid) FROM {source_sql}) AS pos, " if with_pos else ""
    return (f"SELECT {pos}*, " + ", ".join(f"{t} AS {quote_ident(f't{i}')}" for i, t in enumerate(ts))
            + ", (" + " AND ".join(f"{t} IS NULL" for t in ts) + f") AS empty FROM {source_sql}")


def _index(raw: RawSheet, mapping: dict[str, str]) -> dict[str, int]:
    columns = raw.columns
    return {fld: columns.index(col) for fld, col in mapping.items()}


def _insert_sql(fields: list[str], select: str, table: str = "transactions", stored: tuple[str, ...] = ()) -> str:
    """INSERT of ``select``'s columns into ``table``, each cast as the table keeps it
    (schema.store_cast), but those in ``stored``, which ``select`` gives in the table's type."""
    cols = ", ".join(quote_ident(c) for c in fields + ["import_id"])
    typed = ", ".join(quote_ident(f) if f in stored else store_cast(table, f, quote_ident(f)) for f in fields)
    return f"INSERT INTO {quote_ident(table)} ({cols}) SELECT {typed}, $import_id FROM ({select})"


def _money_from_text(c: str, table: str, fld: str, try_cast: bool = False) -> str:
    """SQL of the plain-number text ``c`` (an amount cell as written) as ``table.fld`` keeps it,
    the same value as schema.store_cast of its DOUBLE (the DOUBLE's shortest text to the cent,
    half away from zero) with one cast instead of three: a text of at most 15 characters
    without an exponent is a number of at most 15 significant digits, which its DOUBLE's
    shortest text writes exactly, so the text itself is cast. DuckDB's decimal cast accepts no
    more than the plain numbers there (no spaces, "+" or "_" reach this SQL: see
    :func:`_typed_select`), and refuses inf and nan. Longer texts and exponents go through the
    DOUBLE when they are plain numbers (value_rules.PLAIN_NUMBER); other texts give NULL, which
    the column refuses (NOT NULL), so that the careful pass reads them. ``try_cast``: a short
    text that is no number gives NULL too, rather than stopping the statement (the odd cells
    of :mod:`analysis.store.bulk_split`)."""
    money = SCHEMA[table][fld].split()[0]
    return (f"CASE WHEN length({c}) <= 15 AND strpos({c}, 'e') = 0 AND strpos({c}, 'E') = 0 "
            f"THEN {'TRY_CAST' if try_cast else 'CAST'}({c} AS {money}) WHEN regexp_full_match({c}, $plain_number) "
            f"THEN {store_cast(table, fld, f'CAST({c} AS DOUBLE)')} END")


def _start_facts(source: TextFile) -> tuple[threading.Thread, list]:
    out: list[FileFacts] = []
    worker = threading.Thread(target=lambda: out.append(read_facts(source.path, source.delimiter)), daemon=True)
    worker.start()
    return worker, out


# The numbers DuckDB's reader types as DOUBLE in a file without "_" or "+" (and inf, nan, which
# are refused as they are written): the split pass (bulk_split) types amounts so only while the value
# rules' plain form is this one.
READER_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def typed_file(source: TextFile) -> bool:
    """Whether DuckDB's reader may type the cells of the file's rows (no "_" or "+" below the
    header: see :func:`_typed_select`); memchr over the rows, cheap."""
    with open(source.path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = 0
        for _ in range(source.skip):  # past the header: "customer_id" has its own "_"
            start = mm.find(b"\n", start) + 1
        return mm.find(b"_", start) < 0 and mm.find(b"+", start) < 0


def insert_direct(cur, raw: RawSheet, mapping: dict[str, str], import_id: int, rules: R.Rules,
                  fact: FileFacts | None = None) -> tuple[int | None, FileFacts]:
    """The optimistic pass, inside the import's transaction: every row whose cells SQL reads
    alone goes straight from the CSV reader into ``transactions``; the bytes are read for
    :class:`FileFacts` meanwhile. Returns (rows written, facts). ``facts.direct`` says whether
    that was the whole file: the count plus the lines above the data is the file's number of
    lines, and the facts neither refuse the file nor need stripping. Rows DuckDB cannot split
    are left out (``ignore_errors``), which the count then shows. None rows written: DuckDB
    failed and the transaction is spoilt. Either way the caller raises :class:`Retry`."""
    import duckdb

    source = raw.source
    index = _index(raw, mapping)
    typed = typed_file(source)
    params = _params(source, rules)
    fields = [f for f in SCHEMA["transactions"] if f in index]
    stored: tuple[str, ...] = ()
    if typed:  # DuckDB's reader types the cells; see _typed_select for why that is exact
        select, stored = _typed_select(index, fields, params, rules)
    else:
        select = _checked_select(index, fields, source.width, rules)
    params["import_id"] = import_id
    worker, facts = _start_facts(source) if fact is None else (None, [fact])
    try:
        written = cur.execute(*_bound(_insert_sql(fields, select, stored=stored), params)).fetchall()[0][0]
    except duckdb.Error:  # a row without a customer id (NOT NULL), a value for the careful pass (_typed_value)
        written = None
    if worker is not None:
        worker.join()
    (fact,) = facts
    fact.direct = (written is not None and not fact.refuse and not fact.trim
                   and int(written) + source.skip == fact.lines)
    return (None if written is None else int(written)), fact


def _typed_select(index: dict[str, int], fields: list[str], params: dict, rules: R.Rules) -> tuple[str, tuple[str, ...]]:
    """Cells typed by the CSV reader (DOUBLE; DATE as %Y-%m-%d) in a file without "_" or "+".
    There DuckDB accepts exactly the plain numbers values.py reads (plus inf and nan, and
    years outside 1000-9999, which :func:`_typed_value` refuses); spaces around a cell make the
    file's facts ask for stripping; a cell it cannot read drops its row (``ignore_errors``),
    which the row count shows. Amounts are read as text and cast to the store's DECIMAL in one
    step (:func:`_money_from_text`). Returns (the SELECT, the fields it gives in the store's type)."""
    money = [f for f in fields if f in R.AMOUNT_FIELDS]
    types = {i: {"number": "DOUBLE", "date": "DATE"}.get(field_kind(f), "VARCHAR") for f, i in index.items()
             if f not in money}
    params["columns"] = {name: types.get(i, "VARCHAR") for i, name in enumerate(params["columns"])}
    read = _READ.format(", dateformat='%Y-%m-%d', ignore_errors=true")
    cells = {f: quote_ident("c" + str(index[f])) for f in fields}
    typed = {f: _money_from_text(cells[f], "transactions", f) if f in money else cells[f] for f in fields}
    cols = ", ".join(f"{_typed_value(f, typed[f], rules, money=f in money)} AS {quote_ident(f)}" for f in fields)
    return f"SELECT {cols} FROM {read}", tuple(money)


def _typed_value(fld: str, v: str, rules: R.Rules, money: bool = True) -> str:
    """SQL of the typed value ``v`` of ``fld``, stopping the statement (``error``, which the
    caller takes for "not this way") at a value only the careful pass writes as the pandas path
    does: inf or nan, a value out of its range (validate.range_codes), an id ending in ".0" or
    needing values.normalise_id, a return (:func:`_plain_purchase`). Checked as the rows are
    written, so that no statement reads them again."""
    if fld in R.AMOUNT_FIELDS and money:  # a DECIMAL(18,2): finite, and below 10^16 (value_range) by its type
        return v
    bad = []
    kind = field_kind(fld)
    if kind == "number":
        bad.append(f"NOT isfinite({v})")
    elif kind == "id":
        bad.append(f"suffix({v}, '.0') OR NOT {_ascii(v)}")
    if (out := _out_of_range(fld, v, rules)) is not None:
        bad.append(f"({out}) IS NOT NULL")
    if (plain := _plain_purchase(fld, v)) is not None:
        bad.append(f"NOT ({plain})")
    value = _email_id(v) if kind == "id" else v
    if not bad:
        return value
    return f"CASE WHEN {' OR '.join(f'({b})' for b in bad)} THEN error('not a plain purchase') ELSE {value} END"


def _plain_purchase(fld: str, v: str) -> str | None:
    """SQL true where the value cannot make the line a return (orders.settle): a quantity that
    is not negative, an invoice number that is not a cancellation's."""
    if fld == "quantity":
        return f"({v}) >= 0"
    if fld == "order_id":
        return f"NOT regexp_full_match({v}, '{VR.CANCELLATION}')"
    return None


def _checked_select(index: dict[str, int], fields: list[str], width: int, rules: R.Rules) -> str:
    """Cells read as text and typed in SQL (:func:`_fast`); rows SQL cannot read alone, or
    whose values are out of range, are left out."""
    required = R.REQUIRED["transactions"]
    values, oks = {}, []
    for fld, i in index.items():
        t, kind = quote_ident(f"t{i}"), field_kind(fld)
        values[fld] = _fast(kind, t)
        if kind == "id":
            oks.append(f"NOT coalesce(suffix({t}, '.0') OR NOT {_ascii(t)}, false)")
        if fld in required:
            oks.append(f"({values[fld]}) IS NOT NULL")
        elif kind in ("number", "date"):
            oks.append(f"({t} IS NULL OR ({values[fld]}) IS NOT NULL)")
        if (out := _out_of_range(fld, values[fld], rules)) is not None:
            oks.append(f"({out}) IS NULL")
        if fld == "customer_id":  # a guest checkout: the careful pass writes it apart
            oks.append(f"({values[fld]}) IS NOT NULL")
        if (plain := _plain_purchase(fld, values[fld])) is not None:
            oks.append(f"coalesce({plain}, true)")
    return (f"SELECT {', '.join(f'{values[f]} AS {quote_ident(f)}' for f in fields)} "
            f"FROM ({_cells(_READ.format(', ignore_errors=true'), width, False)}) "
            f"WHERE NOT empty AND {' AND '.join(oks) or 'true'}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
