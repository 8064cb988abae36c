"""Importing customer data from spreadsheets: CSV/TSV/TXT, XLSX and Parquet files.

``plan_file`` reads a file and proposes, per sheet, a target table and a column mapping;
``ingest_plans`` writes (possibly edited) plans; ``ingest_files`` does both for paths.
Modules: :mod:`.reading` (bytes -> cells), :mod:`.mapping` (column names -> fields,
sheet -> table), :mod:`.values` (amounts, dates, ids), :mod:`.validate` (invalid rows),
:mod:`.plan` and :mod:`.load` (the workspace writes, whose statements are in
:mod:`analysis.store.imports`), :mod:`.outcome` (what an import did, in figures and words).
"""

from analysis.ingest.load import ingest_files, ingest_plans
from analysis.ingest.outcome import IngestReport, SheetResult
from analysis.ingest.mapping import FIELDS
from analysis.ingest.plan import SheetPlan, plan_file

__all__ = ["FIELDS", "IngestReport", "SheetPlan", "SheetResult", "ingest_files", "ingest_plans", "plan_file"]
