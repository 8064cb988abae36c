"""In the real browser: walk the whole workshop story with Next, names masked by default, and
check that no customer name of the demo appears on any slide or in the exported report."""

import re

import pytest
from playwright.sync_api import expect

from analysis.workshop.story import SLIDES
from analysis.store import Workspace

pytestmark = pytest.mark.e2e


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)


def _demo_names(db) -> list[str]:
    # read the session's demo file, not the served copy: the app server process holds that one's lock
    with Workspace(db, read_only=True) as ws:
        frame = ws.query('SELECT "name", "email" FROM "customers" ORDER BY "customer_id" LIMIT 400')
    return [v for v in [*frame["name"], *frame["email"]] if isinstance(v, str) and v]


def _leaks(page, names) -> list[str]:
    shown = page.locator("body").inner_text() + page.content()
    return [n for n in names if n in shown]


# What the story says in each language (the texts come from the catalogs; see analysis/i18n.py).
WORDS = {
    "en": {"slide": "Slide {n} of {count}", "next": "Next", "worksheet": "Workshop worksheet",
           "report": "Download the report", "masked": "Customer ", "learned": "What we learned",
           "verdict": "inconclusive: the interval includes zero"},
    "zh": {"slide": "第 {n} / {count} 页", "next": "下一页", "worksheet": "研讨会工作表",
           "report": "下载报告", "masked": "客户 ", "learned": "我们学到了什么", "verdict": "尚无定论"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_walk_the_masked_story(page, app_server, demo_db, screenshot, lang):
    words = WORDS[lang]
    names = _demo_names(demo_db)  # the served workspace is a copy of it
    count = len(SLIDES)

    def counter(n: int):
        return page.get_by_text(re.compile(re.escape(words["slide"].format(n=n, count=count))))

    page.goto(f"{app_server['url']}/present?lang={lang}")
    expect(counter(1)).to_be_visible(timeout=120_000)
    wait_idle(page)
    for n in range(1, count + 1):
        expect(counter(n)).to_be_visible(timeout=120_000)
        wait_idle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(1, timeout=60_000)
        chart = page.get_by_test_id("stPlotlyChart").first
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.6)  # a hover label
        page.wait_for_timeout(300)
        assert not _leaks(page, names), f"slide {n}"
        assert f"slide={n}" in page.url or n == 1  # the slide is in the link
        if n == count:  # what the demo's two campaigns taught, in words and intervals
            expect(page.get_by_text(re.compile(re.escape(words["learned"])))).to_be_visible()
            expect(page.get_by_text(re.compile("Spring catalogue e-mail.*" + re.escape(words["verdict"])))
                   ).to_be_visible()
        if n in (1, 4, count):
            screenshot(f"slide{n}")
        if n < count:
            page.get_by_role("button", name=re.compile(words["next"])).click()
    expect(page.get_by_role("button", name=re.compile(words["next"]))).to_be_disabled()
    page.get_by_text(words["worksheet"]).scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot("worksheet")

    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name=re.compile(words["report"])).click()
    report = open(info.value.path(), encoding="utf-8").read()
    assert "plotly-graph-div" in report and words["masked"] in report
    assert f'lang="{lang}"' in report
    assert not [n for n in names if n in report]


def test_presenter_view_from_the_url(page, app_server, screenshot):
    page.goto(f"{app_server['url']}/?mode=present")  # the app's own address opens the story
    expect(page.get_by_text(re.compile(r"Slide 1 of \d+"))).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert "/present" in page.url and "mode=present" in page.url
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(1, timeout=60_000)
    expect(page.get_by_label("Our decisions")).to_have_count(0)
    page.get_by_role("button", name=re.compile("Next")).click()
    expect(page.get_by_text(re.compile(r"Slide 2 of \d+"))).to_be_visible(timeout=60_000)
    wait_idle(page)
    screenshot("presenter")
