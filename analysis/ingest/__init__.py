"""Importing customer data from spreadsheets: CSV/TSV/TXT, XLSX and Parquet files.

``plan_file`` reads a file and proposes, per sheet, a target table and a column mapping;
``ingest_plans`` writes (possibly edited) plans; ``ingest_files`` does both for paths.
No SQL here: every statement is a function of :mod:`analysis.store`.

The path of an uploaded file into the workspace:

1. bytes -> cells: :mod:`.reading` (text: encoding, delimiter), :mod:`.workbooks` (XLSX,
   Parquet), :mod:`.sheets` (the header row, the sheet's shape); :mod:`.platforms` recognises
   the exports of Shopify, Taobao, ... and :mod:`.mapping` names each column's field and the
   sheet's table (remembered mappings: :mod:`analysis.store.imports`); :mod:`.plan` holds the
   proposal the Data page shows and the user may edit.
2. cells -> values: :mod:`.rules` says what a valid value of each field is (parsers of
   :mod:`.values` and :mod:`.dates`, ranges, the sheet's currency, the messages naming file,
   line, column and value); :mod:`.validate` applies them to a sheet read by pandas, with
   :mod:`.orders` (statuses, refunds, guest checkouts) and :mod:`.identity` (accounts, persons).
   A large CSV file is read by DuckDB instead (:mod:`.bulk` plans it; the SQL, under the same
   rules, is :mod:`analysis.store.bulk` and :mod:`analysis.store.bulk_careful`).
3. values -> workspace: :mod:`.load` writes every sheet of the call in one transaction
   (:mod:`analysis.store.imports`); :mod:`.outcome` says what it did, in figures
   (``ingest --json``) and in words.
"""

from analysis.ingest.load import ingest_files, ingest_plans
from analysis.ingest.outcome import IngestReport, SheetResult
from analysis.ingest.mapping import FIELDS
from analysis.ingest.plan import SheetPlan, plan_file

__all__ = ["FIELDS", "IngestReport", "SheetPlan", "SheetResult", "ingest_files", "ingest_plans", "plan_file"]
