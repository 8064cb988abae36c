"""Analysis never crashes on what import accepted, and data is text in charts too.

Nasty but valid workspaces (tests/nasty.py: a customer with only refunds, a purchase of 0.00, a
300-character product name, emoji and right-to-left names, HTML in names, regions, categories
and products, a single customer, everyone on one day) are imported through the real import,
then every page is driven in AppTest and `report`, `customer`, `actions` and `export` run on
them: no exception, and no string from the data reaches a chart as live HTML."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from analysis.differentiate import matrix
from analysis.cli import main
from analysis.differentiate.pyramid import TIERS
from tests import nasty
from tests.pagetest import open_page

PAGES = ("overview", "data", "pyramid", "value", "matrix", "segments", "clusters", "clv", "customer", "actions",
         "present")
BUILDERS = {"nasty": nasty.nasty_workspace, "solo": nasty.solo_workspace, "oneday": nasty.one_day_workspace}
CUSTOMERS = {"nasty": nasty.SPECIAL, "solo": (nasty.REFUNDS_ONLY,), "oneday": ("D00", "D01")}


def drawn_strings(spec: dict) -> list[str]:
    """Every string plotly draws from a figure spec: titles, labels, texts, legends, hovers, and
    the customdata fields a hovertemplate shows (other customdata only travels back on a click)."""
    found: list[str] = []

    def walk(value, key=""):
        if key == "customdata":
            return
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(spec.get("layout", {}))
    for trace in spec.get("data", []):
        walk(trace)
        templates = trace.get("hovertemplate") or ""
        shown = {int(i) for i in re.findall(r"%\{customdata\[(\d+)\]", json.dumps(templates))}
        if "%{customdata}" in json.dumps(templates):
            walk(trace.get("customdata"))
        for row in trace.get("customdata") or []:
            for i in shown:
                walk(row[i] if isinstance(row, list) and i < len(row) else None)
    return found


def live_html(strings: list[str]) -> list[str]:
    """The strings holding markup that came from the data (tests/nasty.py), unescaped."""
    return [s for s in strings if re.search(r"<\s*a[\s>]", s, re.I) or nasty.BOLD in s or "<i>Industry" in s]


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def assert_no_live_html(at, where: str) -> list[str]:
    strings = [s for spec in charts(at) for s in drawn_strings(spec)]
    assert not live_html(strings), f"{where}: {live_html(strings)[:3]}"
    return strings


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_page_copes_with_accepted_data(tmp_path, kind):
    db = BUILDERS[kind](tmp_path / "workspaces")
    shown: list[str] = []
    for page in PAGES:
        at = open_page(db, page)  # fails on any exception
        shown += assert_no_live_html(at, page)
        if page == "present":  # every slide of the workshop story, masked then not
            at.toggle(key="pr_mask").set_value(False).run()
            while not at.button(key="pr_next").disabled:
                at.button(key="pr_next").click().run()
                assert not at.exception, at.exception
                shown += assert_no_live_html(at, f"slide {at.session_state['pr_slide'] + 1}")
        if page == "matrix":  # every cell's strategy and customers
            for cell in matrix.CELLS:
                box = at.selectbox(key="mx_cell")
                if box.format_func(cell) not in box.options:
                    continue
                box.set_value(cell).run()
                assert not at.exception, (cell, at.exception)
        if page == "pyramid":
            for tier in TIERS:
                at.selectbox(key="pyr_tier").set_value(tier).run()
                assert not at.exception, (tier, at.exception)
    for cid in CUSTOMERS[kind]:
        at = open_page(db, "customer")
        at.text_input(key="cu_search").set_value(cid).run()
        assert not at.exception, (cid, at.exception)
        assert at.selectbox(key=next(k for k in at.session_state if str(k).startswith("cu_id_"))).value == cid
        shown += assert_no_live_html(at, f"customer {cid}")
    if kind == "nasty":  # the data was drawn, as text
        assert any("&lt;a href=&quot;" in s or '&lt;a href="https://evil.example"&gt;' in s for s in shown)
        assert any("&lt;b&gt;bold&lt;/b&gt;" in s for s in shown)


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_command_copes_with_accepted_data(tmp_path, capsys, kind):
    db = str(BUILDERS[kind](tmp_path / "workspaces"))
    capsys.readouterr()
    assert main(["report", "--db", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for cid in CUSTOMERS[kind]:
        assert main(["customer", cid, "--db", db, "--json"]) == 0, cid
        detail = json.loads(capsys.readouterr().out)
        assert detail["profile"]["customer_id"] == cid
    assert main(["actions", "--db", db, "--json"]) == 0
    json.loads(capsys.readouterr().out)
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"export.{suffix}"
        assert main(["export", "--db", db, "--out", str(out)]) == 0
        frame = pd.read_csv(out) if suffix == "csv" else pd.read_excel(out, engine="calamine")
        assert len(frame) == report["customers"]


def test_the_workshop_report_escapes_the_data(tmp_path):
    from analysis.workshop import report, story
    from analysis.store import Workspace

    with Workspace(nasty.nasty_workspace(tmp_path / "workspaces")) as ws:
        slides = story.build_story(ws.tables())
    page = report.story_html(slides, "Report <b>x</b>")
    body = page.split("</script>", 1)[1]  # after the embedded plotly.js
    assert nasty.LINK not in body and "<b>x</b>" not in body
    for slide in slides:
        if slide.figure is not None:
            assert not live_html(drawn_strings(json.loads(slide.figure.to_json()))), slide.key
