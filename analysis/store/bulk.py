"""The SQL of the bulk import (:mod:`analysis.ingest.bulk` says when and why a file goes
this way): DuckDB's CSV reader writes a large purchase file straight into ``transactions``
(:func:`insert_direct`, the optimistic pass), or stages its cells, types them (with
:mod:`analysis.ingest.values` for every cell SQL cannot read alone, once per distinct value)
and writes the valid rows (:func:`scan`, :func:`check_and_insert`, the careful pass), with the
results and messages of the pandas path (:mod:`analysis.ingest.validate`).
"""

from __future__ import annotations

import itertools
import mmap
import re
import threading
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from analysis import i18n
from analysis.errors import UserError, semicolons
from analysis.ingest import orders
from analysis.ingest import rules as R
from analysis.ingest import dates
from analysis.ingest import values as V
from analysis.ingest.bulk import STRIP_CHARS, FileFacts, field_kind, python_digits, read_facts
from analysis.ingest.reading import RawSheet, TextFile
from analysis.store.schema import SCHEMA, quote_ident, store_cast

_names = itertools.count()


_READ = ("read_csv($path, delim=$delim, quote='\"', escape='\"', header=false, skip=$skip, auto_detect=false, "
         "columns=$columns, strict_mode=true, null_padding=false{})")


def _params(source: TextFile, rules: R.Rules) -> dict:
    """The statements' parameters: where the file is and how to split it, and the value rules of
    analysis.ingest.values / .validate that the SQL applies."""
    params = {"path": str(source.path), "delim": source.delimiter, "skip": source.skip,
              "columns": {f"c{i}": "VARCHAR" for i in range(source.width)}, "ws": STRIP_CHARS,
              "plain_number": V.PLAIN_NUMBER, "plain_date": V.PLAIN_DATE}
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


def _bound(sql: str, params: dict) -> tuple[str, dict]:
    """(sql, the params it uses): DuckDB refuses parameters a statement does not name."""
    used = set(re.findall(r"\$(\w+)", sql))
    return sql, {k: v for k, v in params.items() if k in used}


def _t(i: int, trim: bool) -> str:
    """Cell ``c<i>`` as values.as_text sees it: stripped (when some cell needs it), empty -> NULL."""
    c = quote_ident(f"c{i}")
    return f"nullif(trim({c}, $ws), '')" if trim else f"nullif({c}, '')"


def _fast(kind: str, t: str, gate: bool = False) -> str:
    """SQL for the value of the stripped cell ``t`` in the plain forms of analysis.ingest.values
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
                f"ELSE {t} END")
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
    columns = [str(c) for c in raw.frame.columns]
    return {fld: columns.index(col) for fld, col in mapping.items()}


def _insert_sql(fields: list[str], select: str, table: str = "transactions") -> str:
    cols = ", ".join(quote_ident(c) for c in fields + ["import_id"])
    typed = ", ".join(store_cast(table, f, quote_ident(f)) for f in fields)
    return f"INSERT INTO {quote_ident(table)} ({cols}) SELECT {typed}, $import_id FROM ({select})"


def _start_facts(source: TextFile) -> tuple[threading.Thread, list]:
    out: list[FileFacts] = []
    worker = threading.Thread(target=lambda: out.append(read_facts(source.path, source.delimiter)), daemon=True)
    worker.start()
    return worker, out


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
    with open(source.path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start = 0
        for _ in range(source.skip):  # past the header: "customer_id" has its own "_"
            start = mm.find(b"\n", start) + 1
        typed = mm.find(b"_", start) < 0 and mm.find(b"+", start) < 0  # memchr over the rows: cheap
    params = _params(source, rules)
    fields = [f for f in SCHEMA["transactions"] if f in index]
    if typed:  # DuckDB's reader types the cells; see _typed_select for why that is exact
        select = _typed_select(index, fields, params)
    else:
        select = _checked_select(index, fields, source.width, rules)
    params["import_id"] = import_id
    worker, facts = _start_facts(source) if fact is None else (None, [fact])
    try:
        written = cur.execute(*_bound(_insert_sql(fields, select), params)).fetchall()[0][0]
        if typed and not _typed_values_ok(cur, index, import_id, params, rules):
            written = None
    except duckdb.Error:  # e.g. a row without a customer id (NOT NULL), or a line DuckDB cannot split
        written = None
    if worker is not None:
        worker.join()
    (fact,) = facts
    fact.direct = (written is not None and not fact.refuse and not fact.trim
                   and int(written) + source.skip == fact.lines)
    return (None if written is None else int(written)), fact


def _typed_select(index: dict[str, int], fields: list[str], params: dict) -> str:
    """Cells typed by the CSV reader (DOUBLE; DATE as %Y-%m-%d) in a file without "_" or "+".
    There DuckDB accepts exactly the plain numbers values.py reads (plus inf and nan, and
    years outside 1000-9999, which :func:`_typed_values_ok` looks for afterwards); spaces
    around a cell make the file's facts ask for stripping; a cell it cannot read drops its
    row (``ignore_errors``), which the row count shows."""
    types = {i: {"number": "DOUBLE", "date": "DATE"}.get(field_kind(f), "VARCHAR") for f, i in index.items()}
    params["columns"] = {name: types.get(i, "VARCHAR") for i, name in enumerate(params["columns"])}
    read = _READ.format(", dateformat='%Y-%m-%d', ignore_errors=true")
    cols = ", ".join(f"{quote_ident('c' + str(index[f]))} AS {quote_ident(f)}" for f in fields)
    return f"SELECT {cols} FROM {read}"


def _typed_values_ok(cur, index: dict[str, int], import_id: int, params: dict, rules: R.Rules) -> bool:
    """After a typed insert: no inf / nan, nothing out of range (validate.range_codes), no id
    ending in ".0" or needing values.normalise_id, no return (:func:`_plain_purchase`)."""
    checks = []
    for fld in index:
        kind, col = field_kind(fld), quote_ident(fld)
        if kind == "number":
            checks.append(f"coalesce(bool_and(isfinite({col})), true)")
        elif kind == "id":
            checks.append(f"NOT coalesce(bool_or(suffix({col}, '.0') OR NOT {_ascii(col)}), false)")
        if (out := _out_of_range(fld, col, rules)) is not None:
            checks.append(f"NOT coalesce(bool_or(({out}) IS NOT NULL), false)")
        if (plain := _plain_purchase(fld, col)) is not None:
            checks.append(f"coalesce(bool_and({plain}), true)")
    if not checks:
        return True
    sql, bound = _bound(f'SELECT {" AND ".join(checks)} FROM "transactions" WHERE import_id = $import_id',
                        {**params, "import_id": import_id})
    return bool(cur.execute(sql, bound).fetchall()[0][0])


def _plain_purchase(fld: str, v: str) -> str | None:
    """SQL true where the value cannot make the line a return (orders.settle): a quantity that
    is not negative, an invoice number that is not a cancellation's."""
    if fld == "quantity":
        return f"({v}) >= 0"
    if fld == "order_id":
        return f"NOT regexp_full_match({v}, '{orders.CANCELLATION}')"
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


@dataclass
class Scan:
    """What one careful pass over the file found (:func:`scan`)."""

    source: TextFile
    mapping: dict[str, str]
    index: dict[str, int]
    trim: bool  # some cell may start or end with whitespace
    rows: int  # data rows, empty ones included (they keep their line numbers)
    empty: int
    needs_python: dict[str, int]  # field -> cells SQL could not read
    id_gates: dict[str, bool]  # id field -> some value ends in ".0" (values.parse_id)
    rules: R.Rules = field(default_factory=R.Rules)
    params: dict = field(default_factory=dict)


def scan(ws, raw: RawSheet, mapping: dict[str, str], fact: FileFacts, rules: R.Rules) -> Scan | None:
    """The careful pass, run outside the import's transaction so that a file DuckDB cannot
    read changes nothing; None when the pandas path must read the file."""
    source = raw.source
    if fact.refuse:
        return None
    index = _index(raw, mapping)
    parts = ["count(*) AS rows", "count_if(empty) AS empty"]
    for fld, i in index.items():
        t, kind = quote_ident(f"t{i}"), field_kind(fld)
        if kind in ("number", "date", "currency"):  # a currency column is always read by values.py
            parts.append(f"count_if(NOT empty AND {t} IS NOT NULL AND ({_fast(kind, t)}) IS NULL) "
                         f"AS {quote_ident('py_' + fld)}")
        if kind == "id":
            parts.append(f"coalesce(bool_or(suffix({t}, '.0')), false) AS {quote_ident('gate_' + fld)}")
            parts.append(f"count_if(NOT empty AND {t} IS NOT NULL AND NOT {_ascii(t)}) AS {quote_ident('py_' + fld)}")
    params = _params(source, rules)
    sql = f"SELECT {', '.join(parts)} FROM ({_cells(_READ.format(''), source.width, fact.trim)})"
    try:
        got = ws.query(*_bound(sql, params)).iloc[0].to_dict()
    except Exception:  # noqa: BLE001 - DuckDB's reader refused the file: pandas reads it
        return None
    if int(got["rows"]) + source.skip != fact.lines:  # blank lines, line breaks inside quotes
        return None
    return Scan(
        source, dict(mapping), index, fact.trim, int(got["rows"]), int(got["empty"]),
        {f: int(got["py_" + f]) for f in index if "py_" + f in got},
        {f: bool(got["gate_" + f]) for f in index if "gate_" + f in got},
        rules, params,
    )


@dataclass
class Checked:
    """The outcome of :func:`check_and_insert`."""

    rows: int  # valid rows written
    invalid: int
    examples: list[str]
    ids_normalised: int = 0
    currency: R.CurrencyRows | None = None
    customer_lines: int = 0
    guest_lines: int = 0  # written to guest_purchases
    guest_revenue: float = 0.0
    by_status: dict = field(default_factory=dict)  # returns, as orders.settle counts them
    carried: int = 0  # order-level cells carried to the order's other lines


def check_and_insert(cur, scan: Scan, label: str, import_id: int) -> Checked:
    """Stage the cells, type them (values.py for what SQL cannot read), find the invalid rows
    with the errors of :func:`analysis.ingest.validate.prepare`, and write the valid ones.
    Call inside the import's transaction."""
    width, mapping, index = scan.source.width, scan.mapping, scan.index
    n = scan.rows - scan.empty
    if n == 0:
        raise UserError(i18n.t("{file}: no data rows below the header", file=label))
    stage = f"_bulk_stage_{next(_names)}"
    cur.execute(*_bound(f"CREATE TEMP TABLE {quote_ident(stage)} AS SELECT * FROM {_READ.format('')}", scan.params))
    views: list[str] = []
    try:
        return _check_staged(cur, scan, label, import_id, stage, views, n)
    finally:
        for view in views:
            cur.unregister(view)
        cur.execute(f"DROP TABLE IF EXISTS {quote_ident(stage)}")


def _check_staged(cur, scan: Scan, label: str, import_id: int, stage: str, views: list, n: int) -> Checked:
    mapping, index, rules = scan.mapping, scan.index, scan.rules
    cells = _cells(quote_ident(stage), scan.source.width, scan.trim, with_pos=True)
    values = {fld: _fast(field_kind(fld), quote_ident(f"t{i}")) for fld, i in index.items()}
    joins, normalised, gates = [], 0, dict(scan.id_gates)
    for fld, count in scan.needs_python.items():
        if not count or field_kind(fld) != "id":
            continue
        t = quote_ident(f"t{index[fld]}")  # ids that are not plain ASCII: values.normalise_ids
        distinct = cur.execute(*_bound(f"SELECT DISTINCT {t} AS v FROM ({cells}) WHERE NOT empty AND {t} IS NOT NULL "
                                       f"AND NOT {_ascii(t)}", scan.params)).df()
        text = distinct["v"].astype("str")
        fixed, changed = V.normalise_ids(text)
        normalised += changed
        gates[fld] = gates.get(fld, False) or bool(fixed.str.endswith(".0").any())
        alias = quote_ident(f"m_{fld}")
        joins.append(f"LEFT JOIN {_register_pairs(cur, fld, text, fixed, views)} {alias} ON {alias}.v = s.{t}")
        values[fld] = f"CASE WHEN {_ascii(t)} THEN {t} ELSE {alias}.val END"
    if any(gates.values()):
        scan.params["whole_float_id"] = V.WHOLE_FLOAT_ID.replace("\\d", python_digits())  # Python's \d: any decimal digit
    for fld in index:
        if field_kind(fld) == "id" and gates.get(fld):
            values[fld] = _fast("id", f"({values[fld]})", True)
    marks = {}  # amount field -> SQL of the currency its cell writes
    for fld, count in scan.needs_python.items():
        if not count or field_kind(fld) == "id":
            continue
        t = quote_ident(f"t{index[fld]}")
        distinct = cur.execute(*_bound(
            f"SELECT {t} AS v, count(*) AS n FROM ({cells}) WHERE NOT empty AND {t} IS NOT NULL AND "
            f"({values[fld]}) IS NULL GROUP BY v ORDER BY min(pos)", scan.params)).df()
        text, counts = distinct["v"].astype("str"), distinct["n"].astype("int64")
        if field_kind(fld) == "date":
            column = f"{label}: {mapping[fld]}"
            try:
                parsed, _ = dates.parse_date(text, keep_time=False, column=column, counts=counts)
            except dates.AmbiguousDates as exc:  # name the file's first such rows, as pandas does
                raise UserError(dates.ambiguous_dates_message(column, _first_rows(cur, cells, t, exc.values, views)))
        elif field_kind(fld) == "currency":
            parsed, _ = V.parse_currency(text)
        else:
            parsed, _ = V.parse_number(text)
        alias = quote_ident(f"m_{fld}")
        codes = V.currency_marks(text) if fld in R.AMOUNT_FIELDS else None
        joins.append(f"LEFT JOIN {_register_pairs(cur, fld, text, parsed, views, codes)} {alias} "
                     f"ON {alias}.v = s.{t}")
        values[fld] = f"coalesce({values[fld]}, {alias}.val)"
        if codes is not None:
            marks[fld] = f"{alias}.code"
    carried = _carry_order_fields(values)
    required = R.REQUIRED["transactions"]
    bad, out = {}, {}
    for fld, v in values.items():
        t = quote_ident(f"t{index[fld]}")
        if fld in required:
            bad[fld] = f"({v}) IS NULL"
        elif field_kind(fld) in ("number", "date", "currency"):
            bad[fld] = f"({v}) IS NULL AND {t} IS NOT NULL"
        else:
            bad[fld] = "false"
        out[fld] = _out_of_range(fld, f"({v})", rules) or "CAST(NULL AS VARCHAR)"
    code, kind, said = _row_currency(mapping, index, values, marks)
    checked = f"_bulk_checked_{next(_names)}"
    cur.execute(*_bound(
        f"CREATE TEMP TABLE {quote_ident(checked)} AS SELECT s.pos, "
        + ", ".join(f"{v} AS {quote_ident(f)}" for f, v in values.items()) + ", "
        + ", ".join(f"{b} AS {quote_ident('bad_' + f)}" for f, b in bad.items()) + ", "
        + ", ".join(f"{o} AS {quote_ident('out_' + f)}" for f, o in out.items()) + ", "
        + ", ".join(f"s.{quote_ident(f'c{i}')} AS {quote_ident('raw_' + f)}" for f, i in index.items())
        + f", {code} AS cur_code, {kind} AS cur_kind, {said} AS cur_said, "
        + f"({' + '.join(f'CAST({c} AS INTEGER)' for c in carried) or '0'}) AS carried"
        + f" FROM ({cells}) s " + " ".join(joins) + " WHERE NOT s.empty", scan.params))
    try:
        any_bad = " OR ".join(f"{quote_ident('bad_' + f)} OR {quote_ident('out_' + f)} IS NOT NULL" for f in values)
        future = " OR ".join(f"{quote_ident('out_' + f)} = '{R.FUTURE}'" for f in values)
        invalid, any_future = cur.execute(f"SELECT count_if({any_bad}), coalesce(bool_or({future}), false) "
                                          f"FROM {quote_ident(checked)}").fetchall()[0]
        examples = []
        if invalid:
            first = cur.execute(f"SELECT * FROM {quote_ident(checked)} WHERE {any_bad} ORDER BY pos LIMIT ?",
                                [R.SHOW_ERRORS]).df()
            for row in first.to_dict("records"):
                reasons = []
                for f in values:
                    value = row["raw_" + f]
                    if row["bad_" + f]:
                        expected = R.PARSERS.get(f, (None, "text"))[1]
                        reasons.append(R.describe(mapping[f], value, expected, R.is_empty(value)))
                    elif isinstance(row["out_" + f], str):
                        reasons.append(R.describe_range(row["out_" + f], mapping[f], value, rules))
                examples.append(i18n.t("line {line}, {reasons}", line=int(row["pos"]) + scan.source.skip + 1,
                                  reasons=semicolons(reasons)))
        if invalid and not rules.skip_invalid:
            raise R.invalid_rows_error(label, invalid, n, examples, rules, bool(any_future))
        currency = R.judge_currency(label, [
            R.CurrencyRows(c, int(rows), [int(p) + scan.source.skip + 1 for p in first],
                            R.mark_evidence(k, w, v))
            for c, rows, first, k, w, v in cur.execute(
                f"SELECT cur_code, count(*), list(pos ORDER BY pos)[1:{R.SHOW_ERRORS}], arg_min(cur_kind, pos), "
                f"arg_min(cur_said, pos), arg_min(cur_value, pos) FROM (SELECT *, {_said_value(mapping)} AS cur_value "
                f"FROM {quote_ident(checked)}) WHERE cur_code IS NOT NULL AND NOT ({any_bad}) GROUP BY cur_code "
                f"ORDER BY min(pos)").fetchall()])
        valid = f"SELECT * FROM {quote_ident(checked)} WHERE NOT ({any_bad})"
        returned = _returns(cur, valid, values)
        lines = f"SELECT * REPLACE (CASE WHEN {returned} THEN -abs(amount) ELSE amount END AS amount) FROM ({valid})"
        has_id = "customer_id IS NOT NULL" if "customer_id" in values else "false"
        for table, which in (("transactions", has_id), ("guest_purchases", f"NOT ({has_id})")):
            fields = [f for f in SCHEMA[table] if f in values]
            cur.execute(*_bound(_insert_sql(fields, f"SELECT * FROM ({lines}) WHERE {which} ORDER BY pos", table),
                                {"import_id": import_id}))
        customers, guests, guest_cents, returns, return_cents, carried_cells = cur.execute(
            f"SELECT count_if({has_id}), count_if(NOT ({has_id})), coalesce(sum(round(amount * 100)) FILTER "
            f"(NOT ({has_id})), 0), count_if({returned}), coalesce(sum(round(amount * 100)) FILTER ({returned}), 0), "
            f"(SELECT coalesce(sum(carried), 0) FROM {quote_ident(checked)}) FROM ({lines})").fetchall()[0]
        by_status = {"return": {"lines": int(returns), "value": round(float(return_cents) / 100, 2),
                                "revenue": True}} if returns else {}
        return Checked(n - invalid, invalid, examples, normalised, currency, int(customers), int(guests),
                       round(float(guest_cents) / 100, 2), by_status, int(carried_cells))
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {quote_ident(checked)}")


def _carry_order_fields(values: dict[str, str]) -> list[str]:
    """orders.carry_order_fields in SQL: an empty order-level value (customer id, date, currency)
    taken from the first line of its order that has one; returns the SQL of "this cell was
    carried" per field."""
    order = values.get("order_id")
    flags = []
    if order is None:
        return flags
    for fld in (f for f in orders.ORDER_FIELDS if f in values):
        v = values[fld]
        first = (f"first_value({v} IGNORE NULLS) OVER (PARTITION BY {order} ORDER BY s.pos "
                 "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)")
        flags.append(f"(({v}) IS NULL AND ({order}) IS NOT NULL AND {first} IS NOT NULL)")
        values[fld] = f"CASE WHEN ({order}) IS NOT NULL THEN coalesce({v}, {first}) ELSE {v} END"
    return flags


def _returns(cur, valid: str, values: dict[str, str]) -> str:
    """SQL true for a valid line that is a return (orders.settle): a negative quantity, or a
    cancellation's invoice number in a file whose other valid lines have plain ones."""
    parts = ["coalesce(quantity < 0, false)"] if "quantity" in values else []
    if "order_id" in values:
        plain = cur.execute(f"SELECT coalesce(bool_or(regexp_full_match(order_id, '{orders.INVOICE}')), false) "
                            f"FROM ({valid})").fetchall()[0][0]
        if plain:
            parts.append(f"coalesce(regexp_full_match(order_id, '{orders.CANCELLATION}'), false)")
    return " OR ".join(parts) or "false"


def _register_pairs(cur, fld: str, text: pd.Series, parsed: pd.Series, views: list,
                    codes: pd.Series | None = None) -> str:
    """Register (v, val[, code]): cell text -> its value as Python reads it (and the currency it
    writes), for a join; the view's name."""
    view = f"_bulk_{fld}_{next(_names)}"
    columns = {"v": pa.array(text, pa.string()), "val": pa.array(parsed, from_pandas=True)}
    if codes is not None:
        columns["code"] = pa.array(codes.where(codes.notna(), None).tolist(), pa.string())
    cur.register(view, pa.table(columns))
    views.append(view)
    return quote_ident(view)


def _row_currency(mapping: dict[str, str], index: dict[str, int], values: dict[str, str],
                  marks: dict[str, str]) -> tuple[str, str, str]:
    """SQL of each row's currency as validate.sheet_currency decides it: the currency column's,
    else the first amount cell's sign or code, else what an amount column's name states; with
    where it was read (the evidence's kind and column)."""
    options = []  # (code SQL, kind, column)
    if "currency" in values:
        options.append((f"({values['currency']})", "column", mapping["currency"]))
    amounts = [f for f in R.AMOUNT_FIELDS if f in index]
    options += [(marks[f], "mark", mapping[f]) for f in amounts if f in marks]
    options += [(f"'{code}'", "name", mapping[f]) for f in amounts if (code := V.currency_of_name(mapping[f]))]
    if not options:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    code = "coalesce(" + ", ".join(c for c, _, _ in options) + ")"
    kind = "CASE " + " ".join(f"WHEN {c} IS NOT NULL THEN '{k}'" for c, k, _ in options) + " END"
    said = "CASE " + " ".join(f"WHEN {c} IS NOT NULL THEN {_literal(w)}" for c, _, w in options) + " END"
    return code, kind, said


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _said_value(mapping: dict[str, str]) -> str:
    """SQL of the cell the currency was read from (its column is ``cur_said``)."""
    cases = [f"WHEN cur_kind = 'column' THEN {quote_ident('raw_currency')}"] if "currency" in mapping else []
    cases += [f"WHEN cur_kind = 'mark' AND cur_said = {_literal(mapping[f])} THEN {quote_ident('raw_' + f)}"
              for f in R.AMOUNT_FIELDS if f in mapping]
    return "CASE " + " ".join(cases) + " END" if cases else "CAST(NULL AS VARCHAR)"


def _first_rows(cur, cells: str, t: str, values: pd.Series, views: list) -> list[str]:
    """The first three rows' cells (in file order) among ``values``."""
    view = f"_bulk_ambiguous_{next(_names)}"
    cur.register(view, pa.table({"v": pa.array(values.astype("str").unique(), pa.string())}))
    views.append(view)
    rows = cur.execute(f"SELECT {t} FROM ({cells}) WHERE {t} IN (SELECT v FROM {quote_ident(view)}) "
                       "ORDER BY pos LIMIT 3").fetchall()
    return [r[0] for r in rows]
