"""What an import did, sheet by sheet (:class:`SheetResult`) and in all (:class:`IngestReport`):
the figures of ``ingest --json`` and the decisions in words, one per line, that the command line
prints and the Data page shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import PurePath

from analysis import i18n
from analysis.i18n import N_, lookup, t, tn
from analysis.ingest import platforms


# The summary line of a written sheet, per table (a whole sentence each, for the translations).
_IMPORTED = {
    "transactions": N_("{where}: {rows:,} rows imported into transactions"),
    "interactions": N_("{where}: {rows:,} rows imported into interactions"),
    "customers": N_("{where}: {rows:,} rows imported into customers ({new:,} new, {updated:,} updated customers)"),
    "orders": N_("{where}: {rows:,} orders imported into the order list (to link order items, reviews and returns "
                 "to their customers)"),
}
_DUPLICATE = {
    "transactions": N_("{where}: already imported into transactions; nothing changed"),
    "interactions": N_("{where}: already imported into interactions; nothing changed"),
    "customers": N_("{where}: already imported into customers; nothing changed"),
    "orders": N_("{where}: already imported into the order list; nothing changed"),
}


@dataclass
class SheetResult:
    """What happened to one sheet."""

    file: str
    sheet: str | None
    table: str | None
    rows: int = 0
    skipped: int = 0  # invalid rows left out (skip_invalid)
    duplicate: bool = False
    new_customers: int = 0
    updated_customers: int = 0
    skipped_examples: list[str] = field(default_factory=list)
    ids_normalised: int = 0  # distinct customer / order ids written differently (invisible or full-width characters)
    currency: str | None = None  # ISO code the amounts are in, when the sheet says
    currency_evidence: str | None = None  # where it says so, in words
    platform: str | None = None  # the export the sheet looks like ("shopify_orders"), see platforms.py
    # purchases (analysis.ingest.orders)
    by_status: dict = field(default_factory=dict)  # status -> {lines, value, revenue}
    customer_lines: int = 0  # lines written to transactions
    guest_lines: int = 0  # lines without a customer id, written to guest_purchases
    guest_revenue: float = 0.0
    refund_lines: int = 0  # negative lines added for refunded amounts
    carried: int = 0  # order-level cells carried to the order's other lines
    computed_amount: bool = False  # amounts are quantity x unit price less the discount
    already_purchased: int = 0  # item lines of orders another export already gave as purchases
    orders_replaced: int = 0  # orders an earlier import gave too, whose earlier lines this sheet's replaced
    lines_replaced: int = 0  # those earlier lines, taken out
    id_from: str | None = None  # "email" / "account": the customer id's column when there is no id column
    # customers (analysis.ingest.identity)
    attributes_filled: int = 0  # customers given attributes from purchase rows
    attribute_conflicts: int = 0  # (customer, field) pairs whose purchase rows disagree
    rows_merged: int = 0  # customer-list rows merged into another row of the same id
    ids_merged: int = 0  # accounts mapped to another person
    persons: int = 0
    # contacts (reviews, returns, tickets) linked to a customer through the purchases' order ids
    linked: int = 0
    unlinked: int = 0
    linked_by_email: int = 0  # e-mail ids that are customers of the customer list (their rows are theirs)
    # date columns whose day/month order the other values decided (analysis.ingest.dates.parse_date)
    dates_read: list[dict] = field(default_factory=list)
    unlinked_examples: list[str] = field(default_factory=list)
    reason: str | None = None  # why a whole sheet was skipped
    import_id: int | None = None


@dataclass
class IngestReport:
    files: list[SheetResult] = field(default_factory=list)
    currency: str | None = None  # the workspace's currency after the import (None: still unknown)
    currency_set: bool = False  # this import set it

    def to_dict(self) -> dict:
        """The report for ``ingest --json``: every sheet under ``files``, and the import's totals
        (``rows, skipped, by_status, guest_lines, guest_revenue, attributes_filled,
        attribute_conflicts, rows_merged, ids_merged, ids_normalised, linked, unlinked, linked_by_email,
        platform, currency``)."""
        written = [r for r in self.files if r.table and not r.duplicate]
        by_status: dict[str, dict] = {}
        for r in written:
            for code, got in r.by_status.items():
                into = by_status.setdefault(code, {"lines": 0, "value": 0.0, "revenue": got["revenue"]})
                into["lines"] += got["lines"]
                into["value"] = round(into["value"] + got["value"], 2)
        total = {key: sum(getattr(r, key) for r in written) for key in (
            "rows", "skipped", "guest_lines", "attributes_filled", "attribute_conflicts", "rows_merged",
            "ids_merged", "ids_normalised", "linked", "unlinked", "linked_by_email")}
        return {"files": [asdict(r) for r in self.files], **total, "by_status": by_status,
                "guest_revenue": round(sum(r.guest_revenue for r in written), 2),
                "platform": next((r.platform for r in self.files if r.platform), None), "currency": self.currency}

    def summary(self) -> list[str]:
        """The import in words, one decision per line (details indented under their sheet)."""
        lines = []
        for r in self.files:
            where = PurePath(r.file).name + (f" [{r.sheet}]" if r.sheet is not None else "")
            if r.table is None:
                lines.append(t("{where}: skipped, {reason}", where=where, reason=r.reason))
            elif r.duplicate:
                lines.append(t(_DUPLICATE[r.table], where=where))
            else:
                lines.append(t(_IMPORTED[r.table], where=where, rows=r.rows, new=r.new_customers,
                                                               updated=r.updated_customers))
                if r.platform:
                    lines.append("  " + t("read as {platform}", platform=lookup(platforms.NAMES[r.platform])))
                if r.skipped:
                    lines.append("  " + tn("{n:,} invalid row skipped:", "{n:,} invalid rows skipped:", r.skipped))
                    lines += ["    " + e for e in r.skipped_examples]
                    if r.skipped > len(r.skipped_examples):
                        lines.append("    " + t("... and {n} more invalid rows.", n=r.skipped - len(r.skipped_examples)))
                if r.currency:
                    lines.append("  " + t("amounts in {code} ({evidence})", code=r.currency,
                                          evidence=r.currency_evidence))
                lines += ["  " + _dates_line(d) for d in r.dates_read]
                if r.ids_normalised:
                    lines.append("  " + tn(
                        "{n:,} id written with invisible or full-width characters was normalised "
                        "(the same customer or order as without them)",
                        "{n:,} ids written with invisible or full-width characters were normalised "
                        "(the same customers or orders as without them)", r.ids_normalised))
                lines += ["  " + line for line in (_purchase_lines(r) if r.table == "transactions"
                                                   else _customer_lines(r) if r.table == "customers" else [])]
                lines += ["  " + line for line in _link_lines(r)]
        if self.currency_set:
            lines.append(t("The workspace's currency is now {code}.", code=self.currency))
        return lines


def _purchase_lines(r: SheetResult) -> list[str]:
    """The decisions taken on a sheet of purchases, in words."""
    out = []
    if r.computed_amount:
        out.append(t("amounts computed as quantity × unit price less the line's discount, rounded half up to the "
                     "cent line by line"))
    if r.id_from:
        out.append(t(_ID_FROM[r.id_from]))
    if r.carried:
        out.append(tn("{n:,} order-level value written on an order's first line only was carried to its other lines",
                      "{n:,} order-level values written on an order's first line only were carried to its other "
                      "lines", r.carried))
    if r.by_status:
        from analysis.ingest import orders  # (pandas: only a sheet with statuses loads it)

        out.append(t("by status:"))
        for code, got in r.by_status.items():
            name = lookup(orders.STATUSES[code][1]) if code in orders.STATUSES else t(
                "{status!r} (a status the import does not know)", status=code)
            value = i18n.number(got["value"], 2)
            out.append("  " + (
                tn("{status}: {n:,} line, {value}, counted as revenue", "{status}: {n:,} lines, {value}, counted as "
                   "revenue", got["lines"], status=name, value=value) if got["revenue"] else
                tn("{status}: {n:,} line, {value}, not revenue (not imported)", "{status}: {n:,} lines, {value}, not "
                   "revenue (not imported)", got["lines"], status=name, value=value)))
    if r.already_purchased:
        out.append(tn("{n:,} line belongs to an order already imported as a purchase (from the order report): not "
                      "imported again", "{n:,} lines belong to orders already imported as purchases (from the order "
                      "report): not imported again", r.already_purchased))
    if r.orders_replaced:
        out.append(tn("{n:,} order was already imported from an earlier file: its {lines:,} earlier lines were "
                      "replaced by this file's, so that it counts once", "{n:,} orders were already imported from "
                      "an earlier file: their {lines:,} earlier lines were replaced by this file's, so that each "
                      "counts once", r.orders_replaced, lines=r.lines_replaced))
    if r.refund_lines:
        out.append(tn("{n:,} refund line added for a refunded amount", "{n:,} refund lines added for refunded amounts",
                      r.refund_lines))
    if r.guest_lines and not r.customer_lines:
        out.append(t("no column says who bought: all {n:,} lines ({revenue} of revenue) are kept as guest purchases, "
                     "outside every per-customer figure", n=r.guest_lines, revenue=i18n.number(r.guest_revenue, 2)))
    elif r.guest_lines:
        share = r.guest_lines / (r.guest_lines + r.customer_lines)
        out.append(t("{share} of lines ({n:,}), {revenue} of revenue, have no customer id (guest checkouts): kept "
                     "apart from every per-customer figure", share=i18n.percent(share), n=r.guest_lines,
                     revenue=i18n.number(r.guest_revenue, 2)))
    if r.attributes_filled:
        out.append(tn("customer list: {n:,} customer given the name, e-mail, region… written on the purchase rows "
                      "({conflicts:,} conflicting values; the latest kept)",
                      "customer list: {n:,} customers given the names, e-mails, regions… written on the purchase "
                      "rows ({conflicts:,} conflicting values; the latest kept)", r.attributes_filled,
                      conflicts=r.attribute_conflicts))
    return out


def _dates_line(d: dict) -> str:
    """How a date column's day/month order was decided, with a date read that way."""
    import datetime as dt

    day = i18n.date(dt.date.fromisoformat(d["read_as"]))
    return tn("column {column!r}: dates read {order}, as {by!r} shows; {n:,} date could be read either way, "
              "and was read so ({example!r} is {day})", "column {column!r}: dates read {order}, as {by!r} shows; "
              "{n:,} dates could be read either way, and were read so ({example!r} is {day})", d["either"],
              column=d["column"], by=d["by"], example=d["example"], day=day,
              order=t("day first (day/month/year)") if d["day_first"] else t("month first (month/day/year)"))


def _customer_lines(r: SheetResult) -> list[str]:
    out = []
    if r.rows_merged and not r.ids_merged:  # with accounts of one person, their rows are merged by design
        out.append(tn("{n:,} row repeated a customer id and was merged into that customer's row (the last non-empty "
                      "value wins)", "{n:,} rows repeated a customer id and were merged into one row per customer "
                      "(the last non-empty value wins)", r.rows_merged))
    if r.ids_merged:
        out.append(tn("{n:,} account belongs to a person with another id: its purchases and contacts are the "
                      "person's ({persons:,} persons in all)", "{n:,} accounts belong to a person with another id: "
                      "their purchases and contacts are the person's ({persons:,} persons in all)", r.ids_merged,
                      persons=r.persons))
    return out


def _link_lines(r: SheetResult) -> list[str]:
    """Rows linked to their customer through their order id, and those that could not be."""
    out = []
    if r.linked_by_email:
        out.append(tn("{n:,} e-mail address is a customer's in the customer list (compared without capitals or "
                      "spaces): its rows are that customer's", "{n:,} e-mail addresses are customers' in the customer "
                      "list (compared without capitals or spaces): their rows are those customers'", r.linked_by_email))
    if r.linked:
        out.append(tn("{n:,} row linked to its customer through its order id",
                      "{n:,} rows linked to their customers through their order ids", r.linked))
    if r.unlinked:
        kept = t(_UNLINKED[r.table]) if r.table in _UNLINKED else ""
        out.append(tn("{n:,} row names an order that is not among the orders or purchases: {kept}",
                      "{n:,} rows name orders that are not among the orders or purchases: {kept}", r.unlinked,
                      kept=kept))
        out += ["  " + e for e in r.unlinked_examples]
    return out


_UNLINKED = {
    "transactions": N_("kept as guest purchases"),
    "interactions": N_("not imported"),
}


_ID_FROM = {
    "email": N_("no customer id column: customers are told apart by their e-mail address"),
    "account": N_("no customer id column: customers are told apart by their buyer account"),
}
