"""The careful pass of the bulk import for a file whose odd cells DuckDB's reader can set aside
(:mod:`analysis.ingest.bulk` says when a file goes this way): one ``INSERT ... SELECT ... FROM
read_csv(...)`` types the cells and writes every plain row straight into ``transactions``, as the
optimistic pass does, and keeps the lines it cannot cast ("$1,234.50", "05/03/2024", "12,50") in
a rejects table with their line numbers (``store_rejects``). Only those lines are staged, read
again by DuckDB from a small file of their own (so that they are split exactly as the whole
file was), and checked, typed and written by :func:`analysis.store.bulk_careful.check_and_insert`
with the value rules, whose column-wide decisions only ever looked at the cells that are not in
a plain form. The rows are then stored plain ones first: their order is not a contract (README,
Decisions).

What the plain rows cannot carry stops the statement, and the file is staged whole
(``facts.split = False``, :class:`~analysis.ingest.bulk.Retry`): a guest checkout, a return, an
id to normalise, a value out of range, a line DuckDB cannot split, a file whose facts ask for
stripping or for pandas, or odd lines that leave an order's fields to be carried.
"""

from __future__ import annotations

import itertools
import os
import tempfile

from analysis.ingest import rules as R
from analysis.ingest.bulk import FileFacts, Retry, field_kind
from analysis.ingest.reading import RawSheet
from analysis.ingest import value_rules as VR
from analysis.store.bulk import READER_NUMBER, _READ, _bound, _index, _insert_sql, _params, _start_facts, _typed_select, typed_file
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
    numbers other than :data:`~analysis.store.bulk.READER_NUMBER`: DuckDB's reader would type cells
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
    rejects = (f"_bulk_rejects_{n}", f"_bulk_rejects_scan_{n}")
    select, stored = _typed_select(index, fields, params, rules, rejects)
    params["import_id"] = import_id
    preload_for(raw, mapping)  # the value rules' modules, when the odd lines need them, imported meanwhile
    worker, facts = _start_facts(source) if fact is None else (None, [fact])
    try:
        written = cur.execute(*_bound(_insert_sql(fields, select, stored=stored), params)).fetchall()[0][0]
    except duckdb.Error:  # a row the plain way cannot write: a guest, a return, a value out of range...
        written = None
    if worker is not None:
        worker.join()
    (fact,) = facts
    if written is None or fact.refuse or fact.trim:
        fact.split = False
        raise Retry(fact)
    try:
        odd = cur.execute(f"SELECT line, any_value(csv_line), bool_and(error_type = 'CAST') "
                          f"FROM {quote_ident(rejects[0])} GROUP BY line ORDER BY line").fetchall()
    finally:
        for table in rejects:
            cur.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
    if not all(cast for _, _, cast in odd) or int(written) + len(odd) + source.skip != fact.lines:
        fact.split = False  # a line DuckDB split otherwise, blank lines, line breaks inside quotes
        raise Retry(fact)
    fact.split = True
    found = Scan(source, dict(mapping), index, False, len(odd), 0, {}, {}, rules, params,
                 f"_bulk_odd_{n}", direct=int(written), import_id=import_id)
    if not odd:  # the head looked odd, the file was not
        return Checked(int(written), 0, [], customer_lines=int(written)), fact
    _stage_odd_lines(cur, found, odd)
    try:
        return bulk_careful.check_and_insert(cur, found, label, import_id), fact
    except Retry:  # an odd line's order fields are on a line written straight
        fact.split = False
        raise Retry(fact) from None


def _stage_odd_lines(cur, found: Scan, odd: list[tuple]) -> None:
    """Stage the odd lines as :func:`~analysis.store.bulk_careful.scan` stages a whole file, each
    with ``pos`` (its data row's place in the file, from 0): written to a small file as they were
    in the big one, behind their place, and read by the same reader; then count what the value
    rules must read."""
    source, index = found.source, found.index
    delimiter = source.delimiter
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="one-to-one-odd-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.writelines(f"{int(line) - source.skip - 1}{delimiter}{text.rstrip(chr(13))}\n" for line, text, _ in odd)
        params = {**found.params, "path": name, "skip": 0,
                  "columns": {"pos": "BIGINT", **{f"c{i}": "VARCHAR" for i in range(source.width)}}}
        _create_stage(cur, found.stage, index, source.width, False, params, read=_READ.format(""))
    finally:
        os.unlink(name)
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
