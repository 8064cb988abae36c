"""In the real browser: the offline workshop report (the Workshop page's "Download the report"),
in English and Chinese, 1280 and 1920 pixels wide: every label of every chart lies inside its
chart (none cut at an edge) and no chart title lies over the plot, its ticks or its axis titles.
Screenshots are kept."""

import pytest

from analysis import i18n
from analysis.workshop import report, story
from analysis.store import Workspace
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

# For each chart: texts that stick out of the figure, and what a title overlaps.
LAYOUT_PROBLEMS = """
() => {
  const box = el => el.getBoundingClientRect();
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach((plot, n) => {
    const frame = box(plot.querySelector('svg.main-svg'));
    const texts = [...plot.querySelectorAll('svg text')].filter(t => t.textContent.trim() && box(t).width > 0);
    for (const t of texts) {
      const b = box(t);
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 || b.bottom > frame.bottom + 1)
        out.push(`chart ${n + 1}: "${t.textContent}" is cut at the edge`);
    }
    const title = plot.querySelector('.gtitle');
    if (!title) return;
    const others = [...plot.querySelectorAll('.nsewdrag, g.xtick text, g.ytick text, .xtitle, .ytitle')];
    for (const o of others)
      if (box(o).width > 0 && overlap(box(title), box(o)))
        out.push(`chart ${n + 1}: the title "${title.textContent}" lies over "${o.textContent || o.getAttribute('class')}"`);
  });
  return out;
}
"""


@pytest.fixture(scope="module")
def reports(demo_db, tmp_path_factory):
    """The report of the demo company in each language, masked as the Workshop page makes it."""
    folder = tmp_path_factory.mktemp("reports")
    paths = {}
    with Workspace(demo_db, read_only=True) as ws:
        for lang in ("en", "zh"):
            with i18n.using(lang):
                slides = story.build_story(ws.tables(), mask=True)
                path = folder / f"report-{lang}.html"
                path.write_text(report.story_html(slides, "One-to-one workshop"), encoding="utf-8")
                paths[lang] = path
    return paths


@pytest.mark.parametrize("width", [1280, 1920])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_labels_are_whole_and_titles_clear(browser, reports, lang, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(reports[lang].as_uri())
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 8", timeout=60_000)
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}-{width}.png"), full_page=True)
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.close()
