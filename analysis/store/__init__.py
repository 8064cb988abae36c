"""The workspace: one DuckDB file holding a company's customers, purchases and contacts.

This package is the one gateway to the database: every SQL statement of the project is
written here, with values bound as parameters and identifiers quoted by :func:`quote_ident`
(``tests/test_architecture.py`` fails on SQL elsewhere). Analysis code asks
:meth:`Workspace.tables` for Ibis tables, so the same expressions run on DuckDB (embedded
default) or on Spark.

- :mod:`.schema`: the tables and their columns (``SCHEMA``), ``quote_ident``.
- :mod:`.workspace`: opening a file (``Workspace``, ``creating``), transactions, notes, the
  currency; why nobody keeps a file open for writing longer than one write.
- :mod:`.shared`: the app's ``SharedWorkspace`` (no connection between operations).
- :mod:`.results`: stored analysis results (``save_result``, ``load_result``).
- :mod:`.engine`: the data tables as Ibis expressions (``Tables``), ``materialize``,
  ``to_frame``, ``local_tables`` (frames in memory as Ibis tables), and the fixed customer sample model fitting uses (``hash_sample``).
- :mod:`.names`: workspace names and their files.
- :mod:`.imports`, :mod:`.bulk`, :mod:`.bulk_split` and :mod:`.bulk_careful`: the statements of an import (the
  pandas path's writes; large CSV files read, checked and written by DuckDB, under the value
  rules of :mod:`analysis.ingest.rules`). Imported by name, not re-exported here.
- :mod:`.campaigns`: the campaigns and their members (imported by name).
- :mod:`.contacts`: recording one contact (the customer check and the insert; imported by name).
- :mod:`.one_customer`: one customer's purchase lines, contacts and details read alone by
  plain SQL (the Customer page; imported by name).

pandas is imported inside the functions that build frames, not by this package: ``log`` and
``--help`` start without it (``tests/test_cli_startup.py``).
- :mod:`.spark`: the Spark engine (``report --engine spark``).
"""

from analysis.store.engine import LOCAL_ROWS, Tables, hash_sample, local_limit, local_tables, materialize, to_frame
from analysis.store.names import (
    DEFAULT_FOLDER, DEMO_NAME, MAX_FILE_NAME_BYTES, MAX_NAME_BYTES, MAX_NAME_CHARS, check_file_name, list_workspaces,
    workspace_path,
)
from analysis.store.results import RESULT_WRITE_WAIT_SECONDS, RESULTS_KEPT
from analysis.store.schema import (
    CURRENCY_NOTE, DATA_TABLES, MONEY_COLUMNS, MONEY_TYPE, SCHEMA, column_names, ddl, quote_ident,
)
from analysis.store.shared import IDLE_CLOSE_SECONDS, SharedWorkspace, shared
from analysis.store.workspace import (BUSY_WAIT_SECONDS, Workspace, WorkspaceBusy, connect, creating, open_workspace,
                                      read_even_if_closed)

__all__ = [
    "BUSY_WAIT_SECONDS", "CURRENCY_NOTE", "DATA_TABLES", "DEFAULT_FOLDER", "DEMO_NAME", "IDLE_CLOSE_SECONDS",
    "LOCAL_ROWS", "MAX_FILE_NAME_BYTES", "MAX_NAME_BYTES", "MAX_NAME_CHARS", "MONEY_COLUMNS", "MONEY_TYPE",
    "RESULTS_KEPT", "RESULT_WRITE_WAIT_SECONDS", "SCHEMA", "SharedWorkspace", "Tables", "Workspace",
    "WorkspaceBusy", "check_file_name", "column_names", "connect", "creating", "ddl", "hash_sample",
    "list_workspaces", "local_limit", "local_tables", "materialize", "open_workspace", "quote_ident", "shared", "to_frame",
    "workspace_path",
]
