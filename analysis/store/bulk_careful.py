"""The careful pass of the bulk import (:mod:`analysis.store.bulk` has the optimistic one): the
cells are staged in a temporary table (stripped of the whitespace ``str.strip`` removes, when
some cell has any); every non-empty cell SQL cannot read alone ("¥1,234.50", "05/03/2024") is
parsed by :mod:`analysis.ingest.odd_cells` when every such cell of its column is in a form most
exports write ("$1,234.50", "2024/03/05"), else by :mod:`analysis.ingest.values` /
:mod:`analysis.ingest.dates`, once per distinct value and with the row counts, and joined back,
so that decisions taken from the whole column (decimal comma, day or month first, ambiguous dates
refused) come out as on the pandas path; invalid rows are named by line, column and value as
:mod:`analysis.ingest.validate` does. Those modules (pandas, NumPy, pyarrow) are imported in a
thread while DuckDB stages the file when its head shows they will be needed (:func:`preload_for`).
"""

from __future__ import annotations

import importlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analysis import i18n
from analysis.errors import UserError, semicolons
from analysis.ingest import rules as R
from analysis.ingest import value_rules as VR
from analysis.ingest.bulk import FileFacts, Retry, _plain_date, _plain_number, field_kind, python_digits
from analysis.ingest.currency_names import currency_of_name
from analysis.ingest.reading import RawSheet, TextFile
from analysis.store.bulk import (_READ, _ascii, _bound, _email_id, _cells, _fast, _index, _insert_sql, _literal, _out_of_range,
                                 _params, _start_facts)
from analysis.store.schema import SCHEMA, quote_ident

if TYPE_CHECKING:
    import pandas as pd

_names = itertools.count()
# The value rules (analysis.ingest.values, .dates, .orders) import pandas, NumPy and pyarrow, about
# half a second of CPU; the odd cells in the forms most exports write are read without them
# (analysis.ingest.odd_cells). When the file's head shows other forms (or a currency column),
# :func:`scan` and bulk_split start importing them in a thread while DuckDB reads the file (its
# statements release the GIL: :func:`preload_for`), and :func:`check_and_insert` uses them once
# they are there; a later need imports them then.
_VALUE_MODULES = ("pyarrow", "analysis.ingest.values", "analysis.ingest.dates", "analysis.ingest.orders")


def _import_value_rules() -> None:
    for name in _VALUE_MODULES:
        importlib.import_module(name)


def preload() -> threading.Thread:
    """Start importing the value rules' modules beside what the caller does next (a Python
    import and a DuckDB statement run at once; the import lock makes a later ``import`` of the
    same module wait for it)."""
    worker = threading.Thread(target=_import_value_rules, daemon=True)
    worker.start()
    return worker


def preload_for(raw: RawSheet, mapping: dict[str, str]) -> None:
    """:func:`preload` when the head of the file (:func:`analysis.ingest.bulk.peek`) shows an
    amount or date that :mod:`analysis.ingest.odd_cells` does not read, or a currency column:
    then the value rules' modules will be needed (a guess from the head; either way the values
    are the same)."""
    from analysis.ingest import odd_cells

    names, rows = raw.cells()
    for fld, column in mapping.items():
        kind = field_kind(fld)
        if kind == "currency":
            preload()
            return
        if kind not in ("number", "date") or column not in names:
            continue
        i = names.index(column)
        odd = list(dict.fromkeys(c for row in rows if (c := row[i]) is not None
                                 and not (_plain_number(c) if kind == "number" else _plain_date(c))))
        if odd and (odd_cells.read_numbers(odd) if kind == "number" else odd_cells.read_dates(odd)) is None:
            preload()
            return


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
    stage: str = ""  # the temporary table of the file's cells (:func:`scan`), dropped by check_and_insert
    # Rows already written straight into ``transactions`` (analysis.store.bulk_split: the stage then
    # holds the odd lines only, each with its place ``pos`` in the file) and the import they carry.
    direct: int = 0
    import_id: int | None = None
    dates_read: list = field(default_factory=list)  # day/month orders decided (validate.Prepared.dates_read)


def scan(cur, raw: RawSheet, mapping: dict[str, str], fact: FileFacts | None, rules: R.Rules,
         trim: bool = False) -> tuple[Scan | None, FileFacts]:
    """The careful pass's one read of the file, inside the import's transaction: the mapped
    cells are staged in a temporary table with their stripped text and, for amounts and
    dates, their plain value (:func:`~analysis.store.bulk._fast`), so that no later statement
    reads the file or runs a pattern again. When the file's facts are not known yet, a thread
    reads them meanwhile (``trim`` is then the guess from the file's head; a wrong guess
    stages again, stripped). Returns (None, facts) when the pandas path must read the file;
    raises :class:`~analysis.ingest.bulk.Retry` (with ``facts.refuse`` set) when DuckDB's reader
    failed, which spoils the transaction."""
    import duckdb

    source = raw.source
    if fact is not None and fact.refuse:
        return None, fact
    preload_for(raw, mapping)
    index = _index(raw, mapping)
    params = _params(source, rules)
    worker, facts = _start_facts(source) if fact is None else (None, [fact])
    stage = f"_bulk_stage_{next(_names)}"
    trim = fact.trim if fact is not None else trim
    try:
        _create_stage(cur, stage, index, source.width, trim, params)
        failed = False
    except duckdb.Error:
        failed = True
    if worker is not None:
        worker.join()
    (fact,) = facts
    if failed:  # the transaction is spoilt: run it again, this file the pandas way
        fact.refuse = True
        raise Retry()
    if fact.refuse or (fact.trim and not trim):
        cur.execute(f"DROP TABLE {quote_ident(stage)}")
        if fact.refuse:
            return None, fact
        trim = True
        _create_stage(cur, stage, index, source.width, trim, params)
    parts = ["count(*) AS rows", "count_if(empty) AS empty"]
    for fld, i in index.items():
        t, kind = quote_ident(f"t{i}"), field_kind(fld)
        if kind in ("number", "date"):
            parts.append(f"count_if(NOT empty AND {t} IS NOT NULL AND {quote_ident('f_' + fld)} IS NULL) "
                         f"AS {quote_ident('py_' + fld)}")
        if kind == "currency":  # a currency column is always read by values.py
            parts.append(f"count_if(NOT empty AND {t} IS NOT NULL) AS {quote_ident('py_' + fld)}")
        if kind == "id":
            parts.append(f"coalesce(bool_or(suffix({t}, '.0')), false) AS {quote_ident('gate_' + fld)}")
            parts.append(f"count_if(NOT empty AND {t} IS NOT NULL AND NOT {_ascii(t)}) AS {quote_ident('py_' + fld)}")
    params["first_rowid"] = cur.execute(f"SELECT coalesce(min(rowid), 0) FROM {quote_ident(stage)}").fetchall()[0][0]
    cursor = cur.execute(*_bound(f"SELECT {', '.join(parts)} FROM ({_staged(stage, index, trim)})", params))
    got = dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0]))
    if int(got["rows"]) + source.skip != fact.lines:  # blank lines, line breaks inside quotes
        cur.execute(f"DROP TABLE {quote_ident(stage)}")
        return None, fact
    return Scan(
        source, dict(mapping), index, trim, int(got["rows"]), int(got["empty"]),
        {f: int(got["py_" + f]) for f in index if "py_" + f in got},
        {f: bool(got["gate_" + f]) for f in index if "gate_" + f in got},
        rules, params, stage,
    ), fact


def _create_stage(cur, stage: str, index: dict[str, int], width: int, trim: bool, params: dict,
                  read: str | None = None) -> None:
    """The staged cells: ``c<i>`` raw and, when stripping, ``t<i>`` stripped, for the mapped
    columns; ``empty`` (every cell of the row empty); ``f_<field>``, the plain value of an
    amount or date cell (NULL where values.py must read it). ``read``: another source than the
    file (the odd lines, with their ``pos``, which is staged too)."""
    cols = ([] if read is None else ["pos"]) + [quote_ident(f"c{i}") for i in sorted(set(index.values()))]
    if trim:
        cols += [quote_ident(f"t{i}") for i in sorted(set(index.values()))]
    cols.append("empty")
    for fld, i in index.items():
        if field_kind(fld) in ("number", "date"):
            cols.append(f"{_fast(field_kind(fld), quote_ident(f't{i}'))} AS {quote_ident('f_' + fld)}")
    cur.execute(*_bound(f"CREATE TEMP TABLE {quote_ident(stage)} AS SELECT {', '.join(cols)} "
                        f"FROM ({_cells(read or _READ.format(''), width, trim)})", params))


def _staged(stage: str, index: dict[str, int], trim: bool, positioned: bool = False) -> str:
    """The staged cells as :func:`~analysis.store.bulk._cells` gives them, with ``pos`` (the
    data row's place in the file, from 0: the rowid less the parameter ``$first_rowid``, the
    stage's first, which :func:`scan` binds; no subquery, so the rows keep the file's order;
    ``positioned``: the stage's own ``pos`` column, for a stage of the odd lines)."""
    ts = "" if trim else ", " + ", ".join(f"nullif({quote_ident(f'c{i}')}, '') AS {quote_ident(f't{i}')}"
                                           for i in sorted(set(index.values())))
    pos = "" if positioned else "rowid - $first_rowid AS pos, "
    return f"SELECT {pos}*{ts} FROM {quote_ident(stage)}"


def drop(cur, found: Scan) -> None:
    """Drop the staged cells of a scan that is not written (the file is a duplicate)."""
    cur.execute(f"DROP TABLE IF EXISTS {quote_ident(found.stage)}")


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
    dates_read: list = field(default_factory=list)  # as validate.Prepared.dates_read


def check_and_insert(cur, scan: Scan, label: str, import_id: int) -> Checked:
    """Type the staged cells (values.py for what SQL cannot read), find the invalid rows with
    the errors of :func:`analysis.ingest.validate.prepare`, and write the valid ones. Call
    inside the import's transaction, after :func:`scan`."""
    n = scan.rows - scan.empty + scan.direct
    views: list[str] = []
    try:
        if n == 0:
            raise UserError(i18n.t("{file}: no data rows below the header", file=label))
        return _check_staged(cur, scan, label, import_id, scan.stage, views, n)
    finally:
        for view in views:
            cur.unregister(view)
        cur.execute(f"DROP TABLE IF EXISTS {quote_ident(scan.stage)}")


def _check_staged(cur, scan: Scan, label: str, import_id: int, stage: str, views: list, n: int) -> Checked:
    mapping, index, rules = scan.mapping, scan.index, scan.rules
    cells = _staged(stage, index, scan.trim, positioned=scan.import_id is not None)
    values = {fld: quote_ident(f"f_{fld}") if field_kind(fld) in ("number", "date")
              else _fast(field_kind(fld), quote_ident(f"t{i}")) for fld, i in index.items()}
    joins, normalised, gates = [], 0, dict(scan.id_gates)
    for fld, count in scan.needs_python.items():
        if not count or field_kind(fld) != "id":
            continue
        from analysis.ingest import values as V
        from analysis.ingest.identity import emails_as_ids

        t = quote_ident(f"t{index[fld]}")  # ids that are not plain ASCII: values.normalise_ids
        distinct = cur.execute(*_bound(f"SELECT DISTINCT {t} AS v FROM ({cells}) WHERE NOT empty AND {t} IS NOT NULL "
                                       f"AND NOT {_ascii(t)}", scan.params)).df()
        text = distinct["v"].astype("str")
        fixed, changed = V.normalise_ids(text)
        normalised += changed
        fixed = emails_as_ids(fixed)  # as the pandas path keeps them (validate.prepare)
        gates[fld] = gates.get(fld, False) or bool(fixed.str.endswith(".0").any())
        alias = quote_ident(f"m_{fld}")
        joins.append(f"LEFT JOIN {_register_pairs(cur, fld, text, fixed, views)} {alias} ON {alias}.v = s.{t}")
        values[fld] = f"CASE WHEN {_ascii(t)} THEN {_email_id(t)} ELSE {alias}.val END"
    if any(gates.values()):
        scan.params["whole_float_id"] = VR.WHOLE_FLOAT_ID.replace("\\d", python_digits())  # Python's \d: any decimal digit
    for fld in index:
        if field_kind(fld) == "id" and gates.get(fld):
            values[fld] = _fast("id", f"({values[fld]})", True)
    marks = {}  # amount field -> SQL of the currency its cell writes
    for fld, count in scan.needs_python.items():
        if not count or field_kind(fld) == "id":
            continue
        t, kind = quote_ident(f"t{index[fld]}"), field_kind(fld)
        distinct = cur.execute(*_bound(
            f"SELECT {t} AS v, count(*) AS n FROM ({cells}) WHERE NOT empty AND {t} IS NOT NULL AND "
            f"({values[fld]}) IS NULL GROUP BY v ORDER BY min(pos)", scan.params)).fetchall()
        texts, counts = [str(v) for v, _ in distinct], [int(c) for _, c in distinct]
        pairs = _odd_pairs(fld, texts, scan.params) if kind in ("number", "date") else None
        if pairs is None:  # a form only the pandas readers read
            pairs = _read_with_pandas(cur, scan, fld, texts, counts, label, cells, views)
        if kind in ("number", "date"):  # written into the stage: no join over every row
            marks.update(_write_back(cur, scan, fld, pairs, fld in R.AMOUNT_FIELDS))
            continue
        alias = quote_ident(f"m_{fld}")
        joins.append(f"LEFT JOIN {pairs} {alias} ON {alias}.v = s.{t}")
        values[fld] = f"coalesce({values[fld]}, {alias}.val)"
        if fld in R.AMOUNT_FIELDS:
            marks[fld] = f"{alias}.code"
    carried = []
    if _order_fields_missing(cur, cells, joins, values, scan.params):
        if scan.import_id is not None and _orders_written(cur, cells, joins, values, scan):
            raise Retry()  # an odd line's order fields may be on a line written straight: stage it whole
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
    body = ("SELECT s.pos, "
        + ", ".join(f"{v} AS {quote_ident(f)}" for f, v in values.items()) + ", "
        + ", ".join(f"{b} AS {quote_ident('bad_' + f)}" for f, b in bad.items()) + ", "
        + ", ".join(f"{o} AS {quote_ident('out_' + f)}" for f, o in out.items()) + ", "
        + ", ".join(f"s.{quote_ident(f'c{i}')} AS {quote_ident('raw_' + f)}" for f, i in index.items())
        + f", {code} AS cur_code, {kind} AS cur_kind, {said} AS cur_said, "
        + f"({' + '.join(f'CAST({c} AS INTEGER)' for c in carried) or '0'}) AS carried"
        + f" FROM ({cells}) s " + " ".join(joins) + " WHERE NOT s.empty")
    # Rows typed in place (no join, no window) are checked as they are read, in file order; a
    # join or the order windows make the checked rows a table first.
    kept = bool(joins or carried)
    if kept:
        cur.execute(*_bound(f"CREATE TEMP TABLE {quote_ident(checked)} AS {body}", scan.params))
    src = quote_ident(checked) if kept else f"({body})"

    def run(sql: str, extra: dict | None = None):
        return cur.execute(*_bound(sql, {**scan.params, **(extra or {})}))

    try:
        any_bad = " OR ".join(f"{quote_ident('bad_' + f)} OR {quote_ident('out_' + f)} IS NOT NULL" for f in values)
        future = " OR ".join(f"{quote_ident('out_' + f)} = '{R.FUTURE}'" for f in values)
        invalid, any_future = run(f"SELECT count_if({any_bad}), coalesce(bool_or({future}), false) "
                                  f"FROM {src}").fetchall()[0]
        examples = []
        if invalid:
            first = run(f"SELECT * FROM {src} WHERE {any_bad} ORDER BY pos LIMIT $show", {"show": R.SHOW_ERRORS})
            names = [d[0] for d in first.description]
            for row in (dict(zip(names, r)) for r in first.fetchall()):
                reasons = []
                for f in values:
                    value = row["raw_" + f]
                    if row["bad_" + f]:
                        expected = R.expected(f)
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
            for c, rows, first, k, w, v in run(
                f"SELECT cur_code, count(*), list(pos ORDER BY pos)[1:{R.SHOW_ERRORS}], arg_min(cur_kind, pos), "
                f"arg_min(cur_said, pos), arg_min(cur_value, pos) FROM (SELECT *, {_said_value(mapping)} AS cur_value "
                f"FROM {src}) WHERE cur_code IS NOT NULL AND NOT ({any_bad}) GROUP BY cur_code "
                f"ORDER BY min(pos)").fetchall()])
        valid = f"SELECT * FROM {src} WHERE NOT ({any_bad})"
        returned = _returns(run, valid, values, scan.import_id)
        lines = f"SELECT * REPLACE (CASE WHEN {returned} THEN -abs(amount) ELSE amount END AS amount) FROM ({valid})"
        has_id = "customer_id IS NOT NULL" if "customer_id" in values else "false"
        for table, which in (("transactions", has_id), ("guest_purchases", f"NOT ({has_id})")):
            fields = [f for f in SCHEMA[table] if f in values]
            order = " ORDER BY pos" if kept else ""  # else already in file order (preserve_insertion_order)
            run(_insert_sql(fields, f"SELECT * FROM ({lines}) WHERE {which}{order}", table), {"import_id": import_id})
        customers, guests, guest_cents, returns, return_cents, carried_cells = run(
            f"SELECT count_if({has_id}), count_if(NOT ({has_id})), coalesce(sum(round(amount * 100)) FILTER "
            f"(NOT ({has_id})), 0), count_if({returned}), coalesce(sum(round(amount * 100)) FILTER ({returned}), 0), "
            f"(SELECT coalesce(sum(carried), 0) FROM {src}) FROM ({lines})").fetchall()[0]
        by_status = {"return": {"lines": int(returns), "value": round(float(return_cents) / 100, 2),
                                "revenue": True}} if returns else {}
        return Checked(n - invalid, invalid, examples, normalised, currency, int(customers) + scan.direct, int(guests),
                       round(float(guest_cents) / 100, 2), by_status, int(carried_cells), scan.dates_read)
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {quote_ident(checked)}")


def _write_back(cur, scan: Scan, fld: str, pairs: str, with_code: bool) -> dict[str, str]:
    """Write the values values.py read for the staged cells of ``fld`` that SQL could not read
    (``f_<field>``, and the currency each writes in ``k_<field>``); one UPDATE of those rows
    only. Returns {field: SQL of the row's currency mark} when ``with_code``."""
    stage, f = quote_ident(scan.stage), quote_ident(f"f_{fld}")
    i = scan.index[fld]
    t = f"{stage}.{quote_ident(f't{i}')}" if scan.trim else f"nullif({stage}.{quote_ident(f'c{i}')}, '')"
    sets = [f"{f} = CAST(p.val AS {'DOUBLE' if field_kind(fld) == 'number' else 'DATE'})"]
    if with_code:
        k = quote_ident(f"k_{fld}")
        cur.execute(f"ALTER TABLE {stage} ADD COLUMN {k} VARCHAR")
        sets.append(f"{k} = p.code")
    cur.execute(*_bound(f"UPDATE {stage} SET {', '.join(sets)} FROM {pairs} p WHERE {stage}.{f} IS NULL AND {t} = p.v",
                        scan.params))
    return {fld: f"s.{quote_ident(f'k_{fld}')}"} if with_code else {}


def _odd_pairs(fld: str, texts: list[str], params: dict) -> str | None:
    """SQL of (v, val[, code]): the distinct odd cells ``texts`` of an amount, number or date
    field, their values and (amounts) the currency each writes, read by
    :mod:`analysis.ingest.odd_cells` without pandas and bound as lists in ``params``; None when
    some cell is in a form only the pandas readers read."""
    from analysis.ingest import odd_cells

    if field_kind(fld) == "date":
        got = odd_cells.read_dates(texts)
        columns = None if got is None else {"v": texts, "val": got}
    else:
        read = odd_cells.read_numbers(texts)
        columns = None if read is None else {"v": texts, "val": read[0]}
        if read is not None and fld in R.AMOUNT_FIELDS:
            columns["code"] = read[1]
    if columns is None:
        return None
    n = next(_names)
    params.update({f"pairs_{n}_{c}": items for c, items in columns.items()})
    return "(SELECT " + ", ".join(f"unnest($pairs_{n}_{c}) AS {c}" for c in columns) + ")"


def _read_with_pandas(cur, scan: Scan, fld: str, texts: list[str], counts: list[int], label: str, cells: str,
                      views: list) -> str:
    """The pairs of :func:`_odd_pairs` read by analysis.ingest.values / .dates (every form,
    column-wide decisions, ambiguous dates refused naming the file's first such rows), as a
    registered view."""
    import pandas as pd

    from analysis.ingest import dates
    from analysis.ingest import values as V

    text, counts = pd.Series(texts, dtype=object).astype("str"), pd.Series(counts, dtype="int64")
    t = quote_ident(f"t{scan.index[fld]}")
    if field_kind(fld) == "date":
        column = f"{label}: {scan.mapping[fld]}"
        decided: dict = {}
        try:
            parsed, _ = dates.parse_date(text, keep_time=False, column=column, counts=counts, decided=decided)
        except dates.AmbiguousDates as exc:  # name the file's first such rows, as pandas does
            raise UserError(dates.ambiguous_dates_message(column, _first_rows(cur, cells, t, exc.values, views,
                                                                                scan.params)))
        if decided:
            scan.dates_read.append({"column": scan.mapping[fld], **decided})
    elif field_kind(fld) == "currency":
        parsed, _ = V.parse_currency(text)
    else:
        parsed, _ = V.parse_number(text)
    codes = V.currency_marks(text) if fld in R.AMOUNT_FIELDS else None
    return _register_pairs(cur, fld, text, parsed, views, codes)


def _order_fields_missing(cur, cells: str, joins: list[str], values: dict[str, str], params: dict) -> bool:
    """Whether some line with an order id lacks an order-level value (one pass, no sort): only
    then are the order's other lines looked at (:func:`_carry_order_fields`, whose windows
    sort the whole file by order)."""
    order = values.get("order_id")
    empty = [f"({values[f]}) IS NULL" for f in VR.ORDER_FIELDS if f in values]
    if order is None or not empty:
        return False
    return bool(cur.execute(*_bound(
        f"SELECT EXISTS (SELECT 1 FROM ({cells}) s {' '.join(joins)} WHERE NOT s.empty AND ({order}) IS NOT NULL "
        f"AND ({' OR '.join(empty)}))", params)).fetchall()[0][0])


def _orders_written(cur, cells: str, joins: list[str], values: dict[str, str], scan: Scan) -> bool:
    """Whether an order of a staged line that lacks an order-level value has lines among those
    written straight (import ``scan.import_id``); when none has, the staged lines hold every
    line of those orders and the carrying is done among them."""
    order = values["order_id"]
    empty = " OR ".join(f"({values[f]}) IS NULL" for f in VR.ORDER_FIELDS if f in values)
    return bool(cur.execute(*_bound(
        f"SELECT EXISTS (SELECT 1 FROM \"transactions\" WHERE import_id = $direct_import AND order_id IN "
        f"(SELECT {order} FROM ({cells}) s {' '.join(joins)} WHERE NOT s.empty AND ({order}) IS NOT NULL AND ({empty})))",
        {**scan.params, "direct_import": scan.import_id})).fetchall()[0][0])


def _carry_order_fields(values: dict[str, str]) -> list[str]:
    """orders.carry_order_fields in SQL: an empty order-level value (customer id, date, currency)
    taken from the first line of its order that has one; returns the SQL of "this cell was
    carried" per field."""
    order = values.get("order_id")
    flags = []
    if order is None:
        return flags
    for fld in (f for f in VR.ORDER_FIELDS if f in values):
        v = values[fld]
        first = (f"first_value({v} IGNORE NULLS) OVER (PARTITION BY {order} ORDER BY s.pos "
                 "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)")
        flags.append(f"(({v}) IS NULL AND ({order}) IS NOT NULL AND {first} IS NOT NULL)")
        values[fld] = f"CASE WHEN ({order}) IS NOT NULL THEN coalesce({v}, {first}) ELSE {v} END"
    return flags


def _returns(run, valid: str, values: dict[str, str], direct_import: int | None = None) -> str:
    """SQL true for a valid line that is a return (orders.settle): a negative quantity, or a
    cancellation's invoice number in a file whose other valid lines have plain ones (among them
    the lines of ``direct_import`` already written, when only the odd lines are staged)."""
    parts = ["coalesce(quantity < 0, false)"] if "quantity" in values else []
    if "order_id" in values:
        plain = run(f"SELECT coalesce(bool_or(regexp_full_match(order_id, '{VR.INVOICE}')), false) "
                    f"FROM ({valid})").fetchall()[0][0]
        if not plain and direct_import is not None and run(
                f"SELECT count(*) FROM ({valid}) WHERE regexp_full_match(order_id, '{VR.CANCELLATION}')").fetchall()[0][0]:
            plain = run(f"SELECT coalesce(bool_or(regexp_full_match(order_id, '{VR.INVOICE}')), false) "
                        "FROM \"transactions\" WHERE import_id = $direct_import", {"direct_import": direct_import}
                        ).fetchall()[0][0]
        if plain:
            parts.append(f"coalesce(regexp_full_match(order_id, '{VR.CANCELLATION}'), false)")
    return " OR ".join(parts) or "false"


def _register_pairs(cur, fld: str, text: pd.Series, parsed: pd.Series, views: list,
                    codes: pd.Series | None = None) -> str:
    """Register (v, val[, code]): cell text -> its value as Python reads it (and the currency it
    writes), for a join; the view's name."""
    import pyarrow as pa

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
    options += [(f"'{code}'", "name", mapping[f]) for f in amounts if (code := currency_of_name(mapping[f]))]
    if not options:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    code = "coalesce(" + ", ".join(c for c, _, _ in options) + ")"
    kind = "CASE " + " ".join(f"WHEN {c} IS NOT NULL THEN '{k}'" for c, k, _ in options) + " END"
    said = "CASE " + " ".join(f"WHEN {c} IS NOT NULL THEN {_literal(w)}" for c, _, w in options) + " END"
    return code, kind, said


def _said_value(mapping: dict[str, str]) -> str:
    """SQL of the cell the currency was read from (its column is ``cur_said``)."""
    cases = [f"WHEN cur_kind = 'column' THEN {quote_ident('raw_currency')}"] if "currency" in mapping else []
    cases += [f"WHEN cur_kind = 'mark' AND cur_said = {_literal(mapping[f])} THEN {quote_ident('raw_' + f)}"
              for f in R.AMOUNT_FIELDS if f in mapping]
    return "CASE " + " ".join(cases) + " END" if cases else "CAST(NULL AS VARCHAR)"


def _first_rows(cur, cells: str, t: str, values: pd.Series, views: list, params: dict) -> list[str]:
    """The first three rows' cells (in file order) among ``values``."""
    import pyarrow as pa

    view = f"_bulk_ambiguous_{next(_names)}"
    cur.register(view, pa.table({"v": pa.array(values.astype("str").unique(), pa.string())}))
    views.append(view)
    rows = cur.execute(*_bound(f"SELECT {t} FROM ({cells}) WHERE {t} IN (SELECT v FROM {quote_ident(view)}) "
                               "ORDER BY pos LIMIT 3", params)).fetchall()
    return [r[0] for r in rows]
