"""The careful pass of the bulk import for a file whose odd cells DuckDB's reader can set aside
(:mod:`analysis.ingest.bulk` says when a file goes this way): one read of the CSV
(``CREATE TEMP TABLE ... AS SELECT ... FROM read_csv(...)``, every cell read as text) types the
cells in the same statement, with the casts that never fail (``TRY_CAST``, ``try_strptime``), and
marks a row ``odd`` when one of its amounts, numbers or dates is written but gives no value
("$1,234.50", "05/03/2024", "12,50"). The plain rows are then written into ``transactions`` in the
order DuckDB's threads finish them (:func:`_insert_unordered`), checked as the optimistic pass
checks them; the odd rows alone, with their
place in the file (from the read's row ids), are staged and checked, typed and written by
:func:`analysis.store.bulk_careful.check_and_insert` with the value rules, whose column-wide
decisions only ever looked at the cells that are not in a plain form. The rows are stored plain
ones first: their order is not a contract (README, Decisions).

Decision: odd cells are found by casts in SQL, not as lines DuckDB's reader rejects
(``store_rejects``, about 10 µs a rejected line, 0.4 s a million lines at 2% odd amounts and 2%
odd dates); the casts accept exactly what the reader's typing accepts (the same DuckDB functions;
compared by hand on 45 number and 23 date forms, Dec. 7), so the same rows are plain either way.
The reader reads text and splits lines only; a line it cannot split (``ignore_errors``) shows in
the row count.

What the plain rows cannot carry stops the statement, and the file is staged whole
(``facts.split = False``, :class:`~analysis.ingest.bulk.Retry`): a guest checkout, a return, an
id to normalise, a value out of range, a line DuckDB cannot split, a file whose facts ask for
stripping or for pandas, or odd lines that leave an order's fields to be carried.
"""

from __future__ import annotations

import itertools

from analysis.ingest import rules as R
from analysis.ingest.bulk import FileFacts, Retry, field_kind
from analysis.ingest.reading import RawSheet
from analysis.ingest import value_rules as VR
from analysis.store.bulk import (READER_NUMBER, _READ, _bound, _index, _insert_sql, _money_from_text, _params,
                                 _start_facts, _typed_value, typed_file)
from analysis.store import bulk_careful
from analysis.store.bulk_careful import Checked, Scan, _create_stage, preload_for
from analysis.store.schema import SCHEMA, quote_ident

_names = itertools.count()


def insert_split(cur, raw: RawSheet, mapping: dict[str, str], import_id: int, rules: R.Rules, label: str,
                 fact: FileFacts | None = None) -> tuple[Checked | None, FileFacts | None]:
    """Inside the import's transaction: the plain rows written straight, the odd lines staged,
    checked and written (:func:`~analysis.store.bulk_careful.check_and_insert`, whose errors name
    the file's lines). Returns (the outcome, the file's facts, read meanwhile when not known);
    (None, the facts given) when the file is not for this pass (a "_" or "+" in its rows, or plain
    numbers other than :data:`~analysis.store.bulk.READER_NUMBER`: the casts would read cells
    that the value rules read otherwise), before anything is written. Raises
    :class:`~analysis.ingest.bulk.Retry` (its argument the facts, ``split = False``) when the file
    must be staged whole after all (the transaction is rolled back)."""
    import duckdb

    source = raw.source
    if VR.PLAIN_NUMBER != READER_NUMBER or not typed_file(source):
        return None, fact
    index = _index(raw, mapping)
    params = _params(source, rules)
    fields = [f for f in SCHEMA["transactions"] if f in index]
    n = next(_names)
    read = f"_bulk_read_{n}"
    params["import_id"] = import_id
    preload_for(raw, mapping)  # the value rules' modules, when the odd lines need them, imported meanwhile
    worker, facts = _start_facts(source) if fact is None else (None, [fact])
    try:
        cur.execute(*_bound(_read_sql(read, index, fields), params))
        checked = {f: _typed_value(f, quote_ident(f), rules) for f in fields}
        plain = (f"SELECT {', '.join(f'{v} AS {quote_ident(f)}' for f, v in checked.items())} "
                 f"FROM {quote_ident(read)} WHERE NOT odd")
        written = _insert_unordered(cur, *_bound(_insert_sql(fields, plain, stored=tuple(fields)), params))
    except duckdb.Error:  # a row the plain way cannot write: a guest, a return, a value out of range...
        written = None
    if worker is not None:
        worker.join()
    (fact,) = facts
    if written is None or fact.refuse or fact.trim:
        fact.split = False
        raise Retry(fact)
    odd, first = cur.execute(f"SELECT count_if(odd), min(rowid) FROM {quote_ident(read)}").fetchall()[0]
    params["first_rowid"] = first
    if int(written) + odd + source.skip != fact.lines:
        fact.split = False  # a line DuckDB could not split, blank lines, line breaks inside quotes
        raise Retry(fact)
    fact.split = True
    found = Scan(source, dict(mapping), index, False, odd, 0, {}, {}, rules, params,
                 f"_bulk_odd_{n}", direct=int(written), import_id=import_id)
    try:
        if not odd:  # the head looked odd, the file was not
            return Checked(int(written), 0, [], customer_lines=int(written)), fact
        _stage_odd_lines(cur, found, read)
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {quote_ident(read)}")
    try:
        return bulk_careful.check_and_insert(cur, found, label, import_id), fact
    except Retry:  # an odd line's order fields are on a line written straight
        fact.split = False
        raise Retry(fact) from None


def _insert_unordered(cur, sql: str, params: dict) -> int:
    """Run the INSERT ``sql`` without keeping its rows' order (``preserve_insertion_order``, for
    this statement only): DuckDB then writes the rows it keeps straight to the file as it does for
    a whole read, where an ordered INSERT that leaves rows out (the odd ones) keeps them in memory
    and compresses them again at the commit (0.5 s of CPU a million lines, measured). The order of
    ``transactions`` is not a contract (README, Decisions). The setting is the cursor's own
    (``SESSION``; a plain SET is the whole database's, every cursor's): when the INSERT fails,
    the transaction refuses the RESET, and the cursor, of this transaction only, goes with it."""
    cur.execute("SET SESSION preserve_insertion_order = false")
    try:
        return int(cur.execute(sql, params).fetchall()[0][0])
    finally:
        cur.execute("RESET SESSION preserve_insertion_order")


def _typed_fields(fields: list[str]) -> list[str]:
    """The fields whose cells are cast (amounts, numbers, dates): an odd cell is one of theirs."""
    return [f for f in fields if f in R.AMOUNT_FIELDS or field_kind(f) in ("number", "date")]


def _read_sql(table: str, index: dict[str, int], fields: list[str]) -> str:
    """The one read of the file: a temporary table, in the file's order (its row id is the data
    row's place), of each field's value as ``transactions`` keeps it, cast from the cell's text
    where that can fail (amounts as :func:`~analysis.store.bulk._money_from_text`, exact to the
    cent; numbers as DOUBLE; dates as value_rules.PLAIN_DATE), ``odd`` (some amount, number or
    date written but without such a value), and for the odd rows alone the cast cells as written
    (``raw_<field>``; the other fields' values are their cells), which :func:`_stage_odd_lines`
    stages."""
    typed = _typed_fields(fields)
    values = []
    for fld in fields:
        c, kind = quote_ident(f"c{index[fld]}"), field_kind(fld)
        if fld in R.AMOUNT_FIELDS:
            value = _money_from_text(c, "transactions", fld, try_cast=True)
        elif kind == "number":
            value = f"TRY_CAST({c} AS DOUBLE)"
        elif kind == "date":
            value = f"CAST(try_strptime({c}, $plain_date) AS DATE)"
        else:
            value = c
        values.append(f"{value} AS {quote_ident(fld)}")
    raws = [f"{quote_ident(f'c{index[f]}')} AS {quote_ident('raw_' + f)}" for f in typed]
    cast = f"SELECT {', '.join(values + raws)} FROM {_READ.format(', ignore_errors=true')}"
    odd = " OR ".join(f"(nullif({quote_ident('raw_' + f)}, '') IS NOT NULL AND {quote_ident(f)} IS NULL)"
                      for f in typed) or "false"
    kept = [quote_ident(f) for f in fields] + [f"CASE WHEN odd THEN {quote_ident('raw_' + f)} END AS "
                                               f"{quote_ident('raw_' + f)}" for f in typed]
    return (f"CREATE TEMP TABLE {quote_ident(table)} AS SELECT {', '.join(kept)}, odd "
            f"FROM (SELECT *, ({odd}) AS odd FROM ({cast}))")


def _stage_odd_lines(cur, found: Scan, read: str) -> None:
    """Stage the odd rows of the read ``read`` as :func:`~analysis.store.bulk_careful.scan` stages
    a whole file, each with ``pos`` (its data row's place in the file, from 0: the read's row id
    less its first, ``$first_rowid``: a table made inside a transaction numbers its rows from there);
    then count what the value rules must read."""
    source, index = found.source, found.index
    typed = _typed_fields(list(index))
    column = {i: quote_ident("raw_" + f) for f, i in index.items() if f in typed}  # each mapped cell as written
    column.update({i: quote_ident(f) for f, i in index.items() if i not in column})
    cells = ", ".join(f"{column.get(i, 'CAST(NULL AS VARCHAR)')} AS {quote_ident(f'c{i}')}" for i in range(source.width))
    _create_stage(cur, found.stage, index, source.width, False, found.params,
                  read=f"(SELECT rowid - $first_rowid AS pos, {cells} FROM {quote_ident(read)} WHERE odd)")
    parts = ["count_if(empty) AS empty"]
    for fld, i in index.items():
        t, f, kind = quote_ident(f"c{i}"), quote_ident("f_" + fld), field_kind(fld)
        if kind in ("number", "date"):
            parts.append(f"count_if(NOT empty AND nullif({t}, '') IS NOT NULL AND {f} IS NULL) AS {quote_ident(fld)}")
        if kind == "id":
            parts.append(f"coalesce(bool_or(suffix({t}, '.0')), false) AS {quote_ident('gate_' + fld)}")
            parts.append(f"count_if(NOT empty AND nullif({t}, '') IS NOT NULL AND strlen({t}) != length({t})) "
                         f"AS {quote_ident(fld)}")
    cursor = cur.execute(f"SELECT {', '.join(parts)} FROM {quote_ident(found.stage)}")
    got = dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0]))
    found.empty = int(got["empty"])
    found.needs_python = {f: int(got[f]) for f in index if f in got}
    found.id_gates = {f: bool(got["gate_" + f]) for f in index if "gate_" + f in got}


__all__ = ["insert_split"]
