"""Writing planned sheets into the workspace, all files of one call in one transaction.

Decisions (they matter to users, so they are stated here):

- One :meth:`Workspace.transaction` covers the whole call: if any sheet of any file fails,
  nothing of any file is written.
- Each sheet written gets one row in ``imports``; every row it adds carries that
  ``import_id``. The same bytes imported again into the same table and sheet (sha256 of the
  file) are reported as a duplicate and change nothing.
- A customers row whose id is already in the workspace updates that customer's fields
  with the file's non-empty values (empty cells keep what was there); the report counts
  new and updated customers. Repeated ids inside one customers file are an error.
- Transactions and interactions whose customer id is not yet known add that customer
  with only its id (counted as new customers), so every customer id in the workspace has
  a row in ``customers``.
- A successful import remembers its mapping under the header signature (``remember``), so
  the next file with the same headers is mapped the same way.
- A UTF-8 text file of ``reading.LARGE_FILE`` bytes or more going to ``transactions`` is
  read, checked and written by DuckDB (:mod:`.bulk`, :mod:`analysis.store.bulk`, :mod:`analysis.store.bulk_split`
  and :mod:`analysis.store.bulk_careful`) with the same rows (in no promised order), results and messages;
  its bytes are never held in memory whole. When its optimistic pass finds something only
  the careful one handles, the whole transaction is rolled back and run again. A file that the
  optimistic pass writes whole is planned and imported without pandas, NumPy or Ibis (their
  import costs more than reading a million lines): the modules of the pandas path and of the
  careful pass are imported where they are used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from analysis.errors import UserError, commas
from analysis.i18n import N_, lookup, t
from analysis.ingest import bulk, platforms, reading
from analysis.ingest import mapping as M
from analysis.ingest import rules as R
from analysis.ingest.plan import SheetPlan, no_match_error, plan_file, plan_sheets, sheet_label
from analysis.ingest.outcome import IngestReport, SheetResult
from analysis.ingest.currency_names import currency_of_name
from analysis.ingest.reading import read_any
from analysis.ingest.rules import Rules
from analysis.store import CURRENCY_NOTE
from analysis.store import bulk as bulk_sql
from analysis.store import imports as db

if TYPE_CHECKING:
    import pandas as pd

def ingest_files(ws, paths: list[str | Path], overrides: dict[str, str] | None = None,
                 skip_invalid: bool = False, allow_future_dates: bool = False, table: str | None = None
                 ) -> IngestReport:
    """Import files (CSV/TSV/TXT, XLSX, Parquet) into ``ws``; all or nothing. ``skip_invalid``
    imports the valid rows of a file with invalid ones; ``allow_future_dates`` accepts dates
    after the day of import (see :class:`~analysis.ingest.validate.Rules`); ``table`` sends
    every sheet to that table (``ingest --table``)."""
    data_by_file: dict[str, bytes] = {}
    plans: list[SheetPlan] = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise UserError(t("{file}: no such file", file=p))
        head = bulk.peek(path, path.stat().st_size) if path.stat().st_size >= reading.LARGE_FILE else None
        if head is not None:  # planned from its head; DuckDB reads the rest (bulk.py)
            data_by_file[str(p)] = None
            plans.extend(plan_sheets(str(p), [head], ws=ws, overrides=overrides, table=table))
            continue
        data = path.read_bytes()
        data_by_file[str(p)] = data
        plans.extend(plan_file(str(p), data, ws=ws, overrides=overrides, table=table))
    return ingest_plans(ws, plans, data_by_file, skip_invalid=skip_invalid, remember=True,
                        allow_future_dates=allow_future_dates)


def ingest_plans(ws, plans: list[SheetPlan], data_by_file: dict[str, bytes | None], skip_invalid: bool = False,
                 remember: bool = True, allow_future_dates: bool = False, app: bool = False) -> IngestReport:
    """Import planned sheets (possibly edited by the user) in one transaction. ``data_by_file``
    maps each file name to its bytes, or to None for a large text file planned from its head
    (``ingest_files``), which is then read from its path. ``app``: messages advise the Data
    page's checkboxes instead of the command line's flags."""
    rules = Rules(skip_invalid=skip_invalid, allow_future_dates=allow_future_dates, app=app,
                  today=R.import_day())
    by_file: dict[str, list[SheetPlan]] = {}
    for plan in plans:
        by_file.setdefault(plan.file_name, []).append(plan)
    for file_name, file_plans in by_file.items():
        if file_name not in data_by_file:
            raise UserError(t("{file}: the file's contents were not given", file=file_name))
        if not any(p.table for p in file_plans) and not all(p.platform for p in file_plans):
            if all(p.n_rows == 0 for p in file_plans):
                raise UserError(t("{file}: the file has no data rows", file=PurePath(file_name).name))
            raise no_match_error(file_plans)
    facts: dict[str, bulk.FileFacts] = {}  # what a first pass learnt about large text files
    while True:
        try:
            return _ingest_all(ws, plans, data_by_file, rules, remember, facts)
        except bulk.Retry:  # rolled back; the file that raised it now has its facts and goes the careful way
            continue


# The order sheets are written in, so that what links to them is written after them: order lists
# first, then purchases (their order ids link contacts), then contacts; customer lists any time
# (accounts are applied to every table at the end).
_WRITE_ORDER = {"orders": 0, "customers": 1, "transactions": 2, "interactions": 3}


def _details(plan: SheetPlan) -> bool:
    return bool(plan.platform and platforms.BY_KEY[plan.platform].details)


def _by_order(plan: SheetPlan) -> bool:
    """Purchase lines with no column saying who bought (a returns file naming the orders, order
    items): they take their customer from their order among the order lists and the purchases,
    so they are written after the sheets that say who bought (README, files linked by order id)."""
    return plan.table == "transactions" and "customer_id" not in plan.mapping and "order_id" in plan.mapping


def _ingest_all(ws, plans, data_by_file, rules: Rules, remember, facts) -> IngestReport:
    report = IngestReport()
    raw_cache: dict[str, list] = {}
    results: dict[int, SheetResult] = {}
    with ws.transaction() as cur:
        report.currency = db.note(cur, CURRENCY_NOTE)
        for i, plan in sorted(enumerate(plans), key=lambda ip: (_WRITE_ORDER.get(ip[1].table, 9),
                                                                _details(ip[1]) or _by_order(ip[1]), ip[0])):
            if not plan.table:
                results[i] = SheetResult(plan.file_name, plan.sheet, None, reason=plan.reason or t("no table chosen"),
                                         platform=plan.platform)
                continue
            raw = plan._raw
            if raw is None:
                if plan.file_name not in raw_cache:
                    raw_cache[plan.file_name] = read_any(plan.file_name, data_by_file[plan.file_name])
                raw = next((r for r in raw_cache[plan.file_name] if r.sheet == plan.sheet), None)
                if raw is None:
                    raise UserError(t("{where}: no such sheet in the file", where=plan.label))
                raw.frame = platforms.cells(plan.platform, raw.frame)
            result = results[i] = _ingest_one(ws, cur, plan, raw, data_by_file[plan.file_name], rules, remember,
                                              facts)
            result.platform = plan.platform
            _settle_currency(ws, cur, report, result, rules)
        db.apply_accounts(cur)
    report.files = [results[i] for i in range(len(plans))]
    return report


def _settle_currency(ws, cur, report: IngestReport, result: SheetResult, rules: Rules) -> None:
    """The workspace takes the currency of its first file that states one (inside the import's
    transaction); a file in another currency is refused, saying both and what to do."""
    if not result.currency:
        return
    if report.currency is None:
        ws.set_currency(result.currency, cur)
        report.currency, report.currency_set = result.currency, True
    elif result.currency != report.currency:
        where = PurePath(result.file).name + (f" [{result.sheet}]" if result.sheet is not None else "")
        raise UserError(t(
            "{file}: the amounts are in {file_currency} ({evidence}), but workspace “{workspace}” keeps its "
            "figures in {currency}, and amounts are never converted.", file=where, file_currency=result.currency,
            evidence=result.currency_evidence, workspace=ws.path.stem, currency=report.currency)
            + "\n" + t(_OTHER_CURRENCY[rules.app], currency=report.currency))


_OTHER_CURRENCY = {
    False: N_("Import the file into another workspace (another --db), or, if {currency} is wrong, change the "
              "workspace's currency on the app's Data page and import again."),
    True: N_("Import the file into a new workspace, or, if {currency} is wrong, change “Currency of the amounts” "
             "above and import again."),
}


def _ingest_one(ws, cur, plan: SheetPlan, raw, data: bytes | None, rules: Rules, remember: bool,
                facts: dict) -> SheetResult:
    table = plan.table
    label = PurePath(plan.file_name).name if plan.sheet is None else sheet_label(PurePath(plan.file_name).name, plan.sheet)
    if table not in M.FIELDS:
        raise UserError(t("{where}: unknown table {table!r}; choose one of {tables}", where=label, table=table,
                          tables=commas(M.TABLES)))
    columns = raw.columns
    bad_fields = [f for f in plan.mapping if f not in M.FIELDS[table]]
    if bad_fields:
        raise UserError(t("{where}: {fields} not a field of {table} ({known})", where=label, fields=commas(bad_fields),
                          table=table, known=commas(M.FIELDS[table])))
    absent = {f: c for f, c in plan.mapping.items() if c not in columns}
    if absent:
        raise UserError(t(
            "{where}: column(s) {absent} not in the file. Columns found: {found}", where=label,
            absent=commas(map(repr, absent.values())), found=commas(map(repr, columns)),
        ))
    missing = M.missing_required(table, plan.mapping)
    if missing:
        raise UserError(t(
            "{where}: for {table} the file needs {needed}; not found: {missing}. Columns found: {found}",
            where=label, table=table, needed=M.required_text(table), missing=commas(missing),
            found=commas(map(repr, columns)),
        ))
    result = SheetResult(plan.file_name, plan.sheet, table)
    digest = None
    if raw.source is not None:  # a large text file: DuckDB reads it (bulk.py) unless it cannot as pandas would
        key = str(raw.source.path)
        if key not in facts and db.imported_before(cur, PurePath(plan.file_name).name, plan.table):  # likely the same file again: hash it first
            facts[key] = bulk.read_facts(raw.source.path, raw.source.delimiter)
        fact = facts.get(key)
        if fact is not None and db.seen(cur, fact.digest, table, plan.sheet):
            result.duplicate = True
            return result
        plain = table == "transactions" and set(plan.mapping) <= set(bulk.FIELDS) \
            and not db.has_rows(cur, "orders") \
            and not (_by_order(plan) and db.has_rows(cur, "transactions"))  # what bulk.py reads (links by pandas)
        if plain and "currency" not in plan.mapping and (
                (fact is None and not bulk.head_needs_rules(raw, plan.mapping))
                or (fact is not None and fact.direct is not False and fact.split is None and not fact.refuse
                    and not fact.trim)):
            import_id = ws.next_id(cur, "imports", "import_id")
            written, fact = bulk_sql.insert_direct(cur, raw, plan.mapping, import_id, rules, fact)
            facts[key] = fact
            if written is None or not fact.direct or db.seen(cur, fact.digest, table, plan.sheet):
                raise bulk.Retry()
            _log_import(cur, plan, import_id, fact.digest, written, 0)
            result.rows = result.customer_lines = written
            named = R.named_currency(plan.mapping, written, raw.source.skip + 1)
            if named is not None:  # every amount a plain number: only the column's name can tell
                result.currency, result.currency_evidence = named.code, named.evidence
            return _finish_result(cur, plan, result, import_id, remember)
        from analysis.store import bulk_careful

        if plain and "currency" not in plan.mapping and not currency_of_name(plan.mapping.get("amount", "")) and (
                (fact is None and not bulk.head_stages_whole(raw, plan.mapping))
                or (fact is not None and fact.split is not False and not fact.refuse and not fact.trim)):
            from analysis.store import bulk_split  # the plain rows straight in, the odd lines staged

            import_id = ws.next_id(cur, "imports", "import_id")
            try:
                checked, fact = bulk_split.insert_split(cur, raw, plan.mapping, import_id, rules, label, fact)
            except bulk.Retry as retry:  # stage it whole, its facts now known
                facts[key] = retry.args[0]
                raise
            if fact is not None:
                facts[key] = fact
            if checked is not None:
                if db.seen(cur, fact.digest, table, plan.sheet):
                    raise bulk.Retry()  # the same bytes again: found as a duplicate with the facts known
                return _careful_result(cur, plan, result, import_id, fact.digest, checked, remember)
        scan = None
        if plain:  # the careful pass; reads the file's facts meanwhile when they are not known yet
            scan, fact = bulk_careful.scan(cur, raw, plan.mapping, fact, rules, trim=bulk.head_has_spaces(raw))
            facts[key] = fact
        elif fact is None:
            fact = facts[key] = bulk.read_facts(raw.source.path, raw.source.delimiter)
        if db.seen(cur, fact.digest, table, plan.sheet):
            if scan is not None:
                bulk_careful.drop(cur, scan)
            result.duplicate = True
            return result
        if scan is not None:
            import_id = ws.next_id(cur, "imports", "import_id")
            checked = bulk_careful.check_and_insert(cur, scan, label, import_id)
            return _careful_result(cur, plan, result, import_id, fact.digest, checked, remember)
        digest, data = fact.digest, raw.source.path.read_bytes()  # the pandas path, on the whole file
        try:
            raw = read_any(plan.file_name, data)[0]
        except UserError as exc:  # as plan_file says it
            raise UserError(f"{plan.file_name}: {exc}") from None
        raw.frame = platforms.cells(plan.platform, raw.frame)
    digest = digest or hashlib.sha256(data).hexdigest()
    if db.seen(cur, digest, table, plan.sheet):
        result.duplicate = True
        return result

    import numpy as np

    from analysis.ingest import identity
    from analysis.ingest.validate import prepare

    has_orders = db.has_rows(cur, "orders")
    # contacts, item lines of purchased orders, and lines that name only their order (returns)
    by_purchases = table == "interactions" or _details(plan) or _by_order(plan)
    links = (lambda ids: db.order_links(cur, ids, purchases=by_purchases)) \
        if by_purchases or (table == "transactions" and has_orders) else None
    prepared = prepare(raw, table, plan.mapping, label, rules, links, discount_off_amount=bool(
        plan.platform and platforms.BY_KEY[plan.platform].discount_off_amount))
    frame = prepared.frame.copy()
    import_id = ws.next_id(cur, "imports", "import_id")
    result.linked, result.unlinked, result.unlinked_examples = prepared.linked, prepared.unlinked, \
        prepared.unlinked_examples
    if table == "orders":
        frame["import_id"] = import_id
        if "date" in frame:
            frame["date"] = frame["date"].dt.normalize()
        frame = frame.drop_duplicates("order_id", keep="last")
        db.insert_rows(cur, "orders", frame, replace=True)
        result.rows = len(prepared.frame)
    elif table == "customers":
        frame, result.rows_merged = identity.merge_repeated(_persons(cur, frame, import_id, result))
        frame["import_id"] = import_id
        result.new_customers, result.updated_customers = _upsert_customers(cur, frame)
        result.rows = len(prepared.frame)
    elif table == "transactions":
        result.rows = _write_purchases(cur, plan, frame, import_id, result, prepared)
    else:
        frame["import_id"] = import_id
        start = ws.next_id(cur, "interactions", "interaction_id")
        frame["interaction_id"] = np.arange(start, start + len(frame), dtype=np.int64)
        db.insert_rows(cur, table, frame)
        result.rows = len(frame)
    _log_import(cur, plan, import_id, digest, result.rows, prepared.invalid_count)
    result.skipped = prepared.invalid_count
    result.skipped_examples = prepared.examples
    result.dates_read = prepared.dates_read
    result.ids_normalised = prepared.ids_normalised
    if prepared.currency is not None:
        result.currency, result.currency_evidence = prepared.currency.code, prepared.currency.evidence
    elif plan.platform and platforms.BY_KEY[plan.platform].currency and table != "orders":
        result.currency = platforms.BY_KEY[plan.platform].currency
        result.currency_evidence = t("the currency of {platform}", platform=lookup(platforms.NAMES[plan.platform]))
    return _finish_result(cur, plan, result, import_id, remember)


def _careful_result(cur, plan: SheetPlan, result: SheetResult, import_id: int, digest: str, checked,
                    remember: bool) -> SheetResult:
    """The import's row and the sheet's result from the careful pass's outcome
    (:class:`analysis.store.bulk_careful.Checked`)."""
    _log_import(cur, plan, import_id, digest, checked.rows, checked.invalid)
    result.rows, result.skipped, result.skipped_examples = checked.rows, checked.invalid, checked.examples
    result.ids_normalised, result.dates_read = checked.ids_normalised, checked.dates_read
    result.customer_lines, result.guest_lines = checked.customer_lines, checked.guest_lines
    result.guest_revenue, result.by_status, result.carried = checked.guest_revenue, checked.by_status, checked.carried
    result.id_from = M.customer_id_source(plan.mapping, plan.columns)
    if checked.currency is not None:
        result.currency, result.currency_evidence = checked.currency.code, checked.currency.evidence
    return _finish_result(cur, plan, result, import_id, remember)


def _write_purchases(cur, plan: SheetPlan, frame: pd.DataFrame, import_id: int, result: SheetResult,
                     prepared) -> int:
    """Purchase rows settled (:func:`analysis.ingest.orders.settle`): revenue lines with a
    customer into ``transactions``, without one into ``guest_purchases``; the customers'
    attributes on the rows into the customer list. Returns the lines written."""
    from analysis.ingest import identity, orders

    frame["date"] = frame["date"].dt.normalize()
    frame["import_id"] = import_id
    if _details(plan) and "order_id" in frame:  # lines of orders already bought (from the order report)
        known = db.known_orders(cur, frame["order_id"].dropna().drop_duplicates())
        repeated = frame["order_id"].isin(known).to_numpy()
        result.already_purchased = int(repeated.sum())
        frame = frame[~repeated].reset_index(drop=True)
    settled = orders.settle(frame)
    db.insert_rows(cur, "transactions", settled.lines)
    db.insert_rows(cur, "guest_purchases", settled.guests)
    if "order_id" in settled.not_revenue:  # kept in the order list, so that their items and reviews link
        gone = settled.not_revenue.dropna(subset=["order_id"]).drop_duplicates("order_id")
        db.insert_rows(cur, "orders", gone[[c for c in ("order_id", "customer_id", "date", "status", "import_id")
                                      if c in gone]], replace=True)
    result.by_status = settled.by_status
    result.refund_lines = settled.refund_lines
    result.guest_lines = len(settled.guests)
    result.guest_revenue = orders.money_sum(settled.guests["amount"])
    result.customer_lines = len(settled.lines)
    result.carried = prepared.carried
    result.computed_amount = "amount" not in plan.mapping
    result.id_from = M.customer_id_source(plan.mapping, plan.columns)
    attributes = identity.from_purchases(frame)
    if attributes is not None:
        customers = attributes.customers.copy()
        customers["import_id"] = import_id
        result.new_customers, result.updated_customers = _upsert_customers(cur, customers)
        result.attributes_filled, result.attribute_conflicts = attributes.filled, attributes.conflicts
    return len(settled.lines) + len(settled.guests)


def _persons(cur, frame: pd.DataFrame, import_id: int, result: SheetResult) -> pd.DataFrame:
    """A customer list that names each account's person: the accounts kept in ``accounts``, the
    rows turned into the persons' rows."""
    from analysis.ingest import identity

    if "person_id" not in frame:
        return frame
    pairs = identity.people(frame)
    if len(pairs):
        pairs = pairs.assign(import_id=import_id)
        db.add_accounts(cur, pairs)
    result.ids_merged = len(pairs)
    result.persons = int(frame["person_id"].fillna(frame["customer_id"]).nunique())
    frame = frame.assign(customer_id=frame["person_id"].fillna(frame["customer_id"]))
    return frame.drop(columns="person_id")


def _log_import(cur, plan: SheetPlan, import_id: int, digest: str, rows: int, skipped: int) -> None:
    """The sheet's row in ``imports``."""
    db.log_import(cur, import_id, PurePath(plan.file_name).name, plan.sheet, digest, plan.table, rows, skipped)


def _finish_result(cur, plan: SheetPlan, result: SheetResult, import_id: int, remember: bool) -> SheetResult:
    result.import_id = import_id
    if plan.table in ("transactions", "interactions") and M.customer_id_source(plan.mapping, plan.columns) == "email":
        # e-mails of customers the customer list gives under their ids: those customers' rows
        result.linked_by_email = db.accounts_by_email(cur, import_id, plan.table)
    if plan.table == "transactions":  # orders an earlier file gave too: counted once, as this file gives them
        result.orders_replaced, result.lines_replaced = db.replace_earlier_orders(cur, import_id)
    if remember and plan.header_signature:
        M.remember(cur, plan.header_signature, plan.table, plan.mapping)
    return result


def _upsert_customers(cur, frame: pd.DataFrame) -> tuple[int, int]:
    """Insert new customers; fill existing ones' fields from the file's non-empty cells."""
    frame = frame.copy()
    if "signup_date" in frame:
        frame["signup_date"] = frame["signup_date"].dt.normalize()
    return db.upsert_customers(cur, frame)
