"""Planning an import: what each sheet of a file is, and how its columns map to fields.

:func:`plan_file` reads a file and returns one :class:`SheetPlan` per sheet without touching
the workspace (it only reads remembered mappings). The app shows the plans, lets the user
change ``table`` and ``mapping``, and passes them to :func:`analysis.ingest.ingest_plans`.
A sheet whose columns match no table gets ``table=None`` and a ``reason``; refusing the
file as a whole when no sheet matches is left to the import step, so that the app can still
offer a manual mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from analysis.errors import UserError, commas, semicolons
from analysis.i18n import lookup, t
from analysis.ingest import mapping as M
from analysis.ingest import platforms
from analysis.ingest.reading import RawSheet, read_any

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class SheetPlan:
    """How one sheet (or a whole text / Parquet file) would be imported."""

    file_name: str
    sheet: str | None  # None for text and Parquet files
    table: str | None  # "transactions" / "customers" / "interactions", None = skipped
    mapping: dict[str, str]  # {field: source column}
    columns: list[str]  # all source columns
    missing: list[str]  # required fields not found for ``table`` (or for every table when None)
    header_line: int | None  # 1-based line / Excel row of the header
    encoding: str | None
    delimiter: str | None  # ",", ";", "\t", "|", "whitespace"; None for workbooks
    n_rows: int
    reason: str | None = None  # why the sheet is skipped
    header_signature: str = ""
    remembered: bool = False  # mapping came from the workspace's remembered mappings
    platform: str | None = None  # the export it looks like (analysis.ingest.platforms), e.g. "shopify_orders"
    _raw: RawSheet | None = field(default=None, repr=False, compare=False)
    _preview: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def preview(self) -> pd.DataFrame:
        """The first 10 data rows as read; made when first asked for the head of a large file
        (the command line never shows it, so pandas need not be loaded for it)."""
        if self._preview is None and self._raw is not None:
            self._preview = self._raw.frame.head(10).copy()
        return self._preview

    @property
    def looks_like(self) -> str | None:
        """"Looks like a Shopify orders export", in the current language, when recognised."""
        if self.platform is None:
            return None
        return t("Looks like {platform}", platform=lookup(platforms.NAMES[self.platform]))

    @property
    def label(self) -> str:
        return self.file_name if self.sheet is None else sheet_label(self.file_name, self.sheet)


def sheet_label(file_name: str, sheet: str) -> str:
    """``orders.xlsx, sheet 'Sales'``: where a problem is, for a message."""
    return t("{file}, sheet {sheet!r}", file=file_name, sheet=sheet)


def _sheet_prefix(sheet: str | None) -> str:
    return "" if sheet is None else t("sheet {sheet!r}: ", sheet=sheet)


def _needed_text() -> str:
    return semicolons(t("{table} needs {fields}", table=table, fields=M.required_text(table)) for table in M.TABLES)


def plan_file(
    file_name: str, data: bytes, ws=None, overrides: dict[str, str] | None = None, table: str | None = None
) -> list[SheetPlan]:
    """Read ``data`` and decide, per sheet, the target table and the column mapping.

    ``overrides`` ({field: column}) win over remembered and automatic mappings; each one
    applies to the sheets that have that column, and naming a column that no sheet has is
    a :class:`UserError` listing the columns found. A file without any data row is a
    :class:`UserError` too.
    """
    M.check_overrides(overrides)
    try:
        raws = read_any(file_name, data)
    except UserError as exc:
        raise UserError(f"{file_name}: {exc}") from None
    return plan_sheets(file_name, raws, ws, overrides, table)


def plan_sheets(file_name: str, raws: list[RawSheet], ws=None, overrides: dict[str, str] | None = None,
                table: str | None = None) -> list[SheetPlan]:
    """:func:`plan_file` for sheets already read. ``table`` (``ingest --table``) sends every
    sheet to that table instead of the one its columns suggest."""
    overrides = M.check_overrides(overrides)
    if table is not None and table not in M.FIELDS:
        raise UserError(t("unknown table {table!r}; choose one of {tables}", table=table, tables=commas(M.TABLES)))
    forced = table
    name = PurePath(file_name).name or file_name
    plans: list[SheetPlan] = []
    used_overrides: set[str] = set()
    for raw in raws:
        found = platforms.detect(raw.columns)
        if found is not None:
            raw.frame = platforms.cells(found.key, raw.frame)
        columns = raw.columns
        common = dict(
            file_name=file_name, sheet=raw.sheet, columns=columns, header_line=raw.header_line,
            encoding=raw.encoding, delimiter=raw.delimiter, n_rows=raw.n_rows,
            _preview=None if raw.source is not None else raw.frame.head(10).copy(),
            header_signature=M.header_signature(columns), _raw=raw,
        )
        if not raw.n_rows:
            plans.append(SheetPlan(table=None, mapping={}, missing=[], reason=t("no data rows"), **common))
            continue
        sheet_overrides = {}
        for fld, col in overrides.items():
            real = M.resolve_column(col, columns)
            if real is not None:
                sheet_overrides[fld] = real
                used_overrides.add(fld)
        common["platform"] = found.key if found else None
        recalled = M.recall(ws, common["header_signature"])
        if recalled:  # same header, maybe spelt in another case: map onto this sheet's names
            resolved = {f: M.resolve_column(c, columns) for f, c in recalled[1].items()}
            recalled = (recalled[0], resolved) if None not in resolved.values() else None
        if recalled and forced in (None, recalled[0]):
            table, mapping = recalled[0], M.apply_overrides(recalled[0], recalled[1], sheet_overrides)
            plans.append(SheetPlan(table=table, mapping=mapping, missing=M.missing_required(table, mapping),
                                   remembered=True, **common))
            continue
        if found is not None and found.table is None and forced is None:
            plans.append(SheetPlan(table=None, mapping={}, missing=[], reason=lookup(found.reason), **common))
            continue
        if found is not None and forced in (None, found.table):
            table = found.table
            mapping = M.apply_overrides(table, platforms.mapping_for(found, columns), sheet_overrides)
            plans.append(SheetPlan(table=table, mapping=mapping, missing=M.missing_required(table, mapping),
                                   **common))
            continue
        if forced is not None:
            mapping = M.apply_overrides(forced, M.auto_map(columns, forced), sheet_overrides)
            plans.append(SheetPlan(table=forced, mapping=mapping, missing=M.missing_required(forced, mapping),
                                   **common))
            continue
        table, mapping, missing = M.route(columns, sheet_overrides)
        if table is None:
            reason = t("columns {columns} match no table ({needed})",
                       columns=commas(map(repr, columns)), needed=_needed_text())
            flat = sorted({f for miss in missing.values() for f in miss})
            plans.append(SheetPlan(table=None, mapping={}, missing=flat, reason=reason, **common))
        else:
            plans.append(SheetPlan(table=table, mapping=mapping, missing=[], **common))
    if overrides and (unused := [f for f in overrides if f not in used_overrides]):
        found = semicolons(_sheet_prefix(p.sheet) + commas(map(repr, p.columns)) for p in plans) or t("no columns")
        raise UserError(t(
            "{file}: --map {overrides} names a column the file does not have. Columns found: {found}",
            file=name, overrides=commas(f"{f}={overrides[f]}" for f in unused), found=found,
        ))
    if all(p.n_rows == 0 for p in plans):
        raise UserError(t("{file}: the file has no data rows (only a header, or nothing at all)", file=name))
    return plans


def no_match_error(plans: list[SheetPlan]) -> UserError:
    """The error for a file none of whose sheets matches a table."""
    name = PurePath(plans[0].file_name).name or plans[0].file_name
    found = semicolons(_sheet_prefix(p.sheet) + (commas(map(repr, p.columns)) or t("no columns")) for p in plans)
    return UserError(t(
        "{file}: no columns were recognised as customer data. Columns found: {found}. "
        "Needed: {needed}. Rename the columns or name them with --map FIELD=COLUMN "
        "(e.g. --map amount=Betrag).", file=name, found=found, needed=_needed_text(),
    ))
