"""The CLV page's check (does the model predict well?) is stored with the scores: a manager
who opens the CLV page after an import reads the figures of the check at its default split
without the page fitting any purchase model (issue 15 §2: every page's first render under
5 s at a million customers; the check used to be fitted on the first open)."""

from __future__ import annotations

import datetime as dt
import json

from analysis import i18n
from analysis.identify.facts import resolve_as_of
from analysis.predict import fit as clv_fits
from analysis.scores import score_customers
from analysis.settings import ReportSettings
from analysis.store import Workspace
from tests.pagetest import open_page


def test_the_clv_page_reads_the_check_stored_with_the_scores(demo_copy, monkeypatch):
    from analysis.predict.bgnbd import BetaGeoModel

    settings = ReportSettings()
    with Workspace(demo_copy) as ws:  # the scores stored after the import, as the Data page does
        as_of = resolve_as_of(ws.tables(), None)
        score_customers(ws, as_of, settings)
        kinds = set(ws.query("SELECT kind FROM results")["kind"])
    assert "clv_check" in kinds
    cut = as_of - dt.timedelta(weeks=26)  # the page's default split

    fits: list[int] = []
    original = BetaGeoModel.fit
    monkeypatch.setattr(BetaGeoModel, "fit", lambda self, *a, **k: fits.append(1) or original(self, *a, **k))
    at = open_page(demo_copy, "clv")  # the next day, a fresh app
    assert fits == []  # nothing fitted: the summary, the outlook and the check are read
    shown = {m.label: m.value for m in at.metric}
    monkeypatch.setattr(BetaGeoModel, "fit", original)
    with Workspace(demo_copy) as ws:
        used = json.loads(ws.query("SELECT meta_json FROM results WHERE kind = 'clv_model'")["meta_json"][0])
        used = used["meta"]["figures"]["model"] if "meta" in used else used["figures"]["model"]
        fresh = clv_fits.workspace_validation(ws.tables(), cut, as_of, used)
    assert shown["Mean error per customer, model"] == i18n.number(fresh.errors["model"]["mae"], 2)
    assert shown["Mean error per customer, baseline"] == i18n.number(fresh.errors["baseline"]["mae"], 2)
