"""The stored per-customer scores and history inputs as the action plan reads them: every
customer's numbers and codes as a table in the workspace, where the rules select
(:func:`plan_table`), and the rows of the few customers whose suggestions are shown or
exported, typed as :func:`analysis.scores.score_customers`' frame holds them
(:func:`plan_rows`, :func:`stored_rows`). A million scored customers then never become a
pandas frame with every customer's words written (MVC reasons, cell strategies, CLV notes)
for a plan that shows a thousand of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.scores import NOTE_INPUT_COLUMNS as NOTE_INPUTS, Scores
from analysis.store import Workspace
# The columns of the frame written in words after reading (:func:`analysis.scores._with_text`), besides the
# persona name: the plan's engine table has none of them (a rule whose text names one runs
# on the frame instead).
WRITTEN_COLUMNS = ("strategy", "reason_mvc", "reason_mcc", "reason_bz", "clv_note")


def plan_table(ws: Workspace, scores: Scores) -> Any:
    """Every customer's stored numbers and codes (``scores`` read from ``ws``: their ``key``)
    as an Ibis table in the workspace, with ``cluster_name`` (the persona's name in the
    current language, from the code): what the action rules select on, in DuckDB, without
    bringing a million rows to pandas. None when they are not stored."""
    import ibis

    table = None if scores.key is None else ws.result_table(scores.key, "frame")
    if table is None:
        return None
    table = table.drop(*[c for c in NOTE_INPUTS if c in table.columns])
    names = [(i, p["name"]) for i, p in enumerate(scores.personas)]
    name = ibis.cases(*[(table.cluster == i, n) for i, n in names], else_=ibis.null("string")) if names \
        else ibis.null("string")
    return table.mutate(cluster_name=name.cast("string"))


def stored_rows(ws: Workspace, key: str, part: str, ids: Any, columns: Any = None) -> pd.DataFrame | None:
    """The rows of the stored frame ``part`` under ``key`` whose ``customer_id`` is one of
    ``ids`` (texts; picked in DuckDB), only ``columns`` when given, typed as
    :meth:`~analysis.store.Workspace.load_result` types them; None when nothing is stored."""
    import ibis
    import pyarrow as pa

    table = ws.result_table(key, part)
    typed = ws.load_result_rows(key, part, "customer_id", None)  # no row: the stored types
    if table is None or typed is None:
        return None
    wanted = ibis.memtable(pa.table({"customer_id": pa.array(ids, pa.string()).unique()}))
    found = table.semi_join(wanted, table.customer_id == wanted.customer_id)
    if columns is not None:
        found = found.select(*dict.fromkeys(c for c in ["customer_id", *columns] if c in table.columns))
    frame = found.to_pyarrow().to_pandas()
    return frame.astype({c: t for c, t in typed.dtypes.items() if c in frame and frame[c].dtype != t})


def plan_rows(ws: Workspace, scores: Scores, ids: Any, columns: Any = None) -> pd.DataFrame | None:
    """The rows of :func:`plan_table` of the customers ``ids`` (``columns`` of them when
    given), typed as :func:`score_customers`' frame: what a plan's texts are written from."""
    if scores.key is None:
        return None
    want = None if columns is None else [c for c in columns if c != "cluster_name"] + ["cluster"]
    rows = stored_rows(ws, scores.key, "frame", ids, want)
    if rows is None:
        return None
    names = np.array([None] + [p["name"] for p in scores.personas], dtype=object)
    codes = rows["cluster"].fillna(-1).to_numpy(int) + 1 if "cluster" in rows else np.zeros(len(rows), int)
    rows["cluster_name"] = pd.Series(names[codes].tolist(), index=rows.index, dtype="str")
    return rows.drop(columns=[c for c in NOTE_INPUTS if c in rows])
