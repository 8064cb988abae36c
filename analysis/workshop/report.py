"""The offline HTML report of a workshop: one self-contained file (plotly.js embedded once,
so it opens without a network), each slide's headline, interactive chart and note, then the
worksheet. Rendered from ``templates/story.html.j2`` by Jinja2 with autoescape on: every
text (titles, headlines, notes, the worksheet's facts and decisions, all of which may carry
customer names, categories or what a consultant typed) is escaped; only the two pieces of
HTML plotly itself writes (its library and each chart's div, whose data plotly escapes as
JSON) are marked safe."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import jinja2
from markupsafe import Markup

from analysis import i18n
from analysis.i18n import t
from analysis.workshop.story import Slide, step_label

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def story_html(slides: Iterable[Slide], title: str, worksheet: Iterable | None = None) -> str:
    """One self-contained HTML file of ``slides`` under ``title``, then the worksheet (items
    with ``step``, ``facts`` and ``decisions``, see :mod:`analysis.workshop.worksheet`) when
    given. All text is escaped by the template."""
    from plotly.offline import get_plotlyjs

    shown = [{
        "step": step_label(s.step), "title": s.title, "headline": s.headline, "note": s.note,
        "chart": None if s.figure is None else Markup(s.figure.to_html(
            full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})),
    } for s in slides]
    sheet = None if worksheet is None else [{
        "step": str(step_label(item.step)).capitalize(), "facts": list(item.facts),
        "decisions": item.decisions.strip() or t("(no decisions written down yet)"),
    } for item in worksheet]
    return ENV.get_template("story.html.j2").render(
        lang=i18n.language(), title=title, plotly_js=Markup(get_plotlyjs()), slides=shown, worksheet=sheet,
        worksheet_title=t("Workshop worksheet"), decisions_title=t("Decisions"))
