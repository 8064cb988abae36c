"""In the real browser: the sidebar lists every page (nothing folded under "View more"), a
password login keeps the link's language, and the Cohorts heatmap's title keeps clear of its
month axis on top."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.conftest import serve
from ui import auth

pytestmark = pytest.mark.e2e

PASSWORD = "spring workshop 2026"
PAGES = 13  # app.py's navigation: every page of every section


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)


@pytest.fixture(scope="module")
def password_server(demo_db, tmp_path_factory):
    """The app behind the workshop password (secrets in a file of the test's own)."""
    folder = tmp_path_factory.mktemp("password")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[access]\npassword_hash = "{auth.make_password_hash(PASSWORD, n=2**10)}"\n',
                       encoding="utf-8")
    yield from serve(folder, db, "--secrets.files", str(secrets))


def test_every_page_is_listed_in_the_sidebar(page, app_server, screenshot):
    page.goto(f"{app_server['url']}/?lang=zh")
    expect(page.get_by_test_id("stSidebarNavLink").first).to_be_visible(timeout=120_000)
    wait_idle(page)
    links = page.get_by_test_id("stSidebarNavLink").all_inner_texts()
    assert len({x.split()[-1] for x in links}) == PAGES, links
    expect(page.get_by_text(re.compile(r"View \d+ more|查看更多"))).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNavLink").filter(has_text="营销活动")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNavLink").filter(has_text="研讨会")).to_be_visible()
    screenshot("sidebar-zh")


def test_a_password_login_keeps_the_language_of_the_link(page, password_server, screenshot):
    page.goto(f"{password_server['url']}/?lang=zh")
    box = page.get_by_label("密码")
    expect(box).to_be_visible(timeout=120_000)
    box.fill(PASSWORD)
    page.get_by_role("button", name="打开").click()
    expect(page.get_by_test_id("stSidebarNavLink").first).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert "lang=zh" in page.url, page.url
    expect(page.get_by_test_id("stSidebarNavLink").filter(has_text="营销活动")).to_be_visible()
    page.reload()  # the address alone opens the app in Chinese again
    expect(page.get_by_label("密码")).to_be_visible(timeout=120_000)
    screenshot("after-login-zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cohort_heatmap_title_keeps_clear_of_its_axis(page, app_server, screenshot, lang):
    page.goto(f"{app_server['url']}/cohorts?lang={lang}")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=120_000)
    wait_idle(page)
    title = chart.locator(".gtitle").first.bounding_box()
    axis = chart.locator(".g-xtitle").first.bounding_box()
    ticks = [t.bounding_box() for t in chart.locator(".xtick text").all()]
    assert title["y"] + title["height"] + 12 <= axis["y"], (title, axis)  # a clear gap above the axis title
    assert axis["y"] + axis["height"] <= min(t["y"] for t in ticks if t) + 2
    months = [int(t.text_content().replace("\u2212", "-")) for t in chart.locator(".xtick text").all()]
    assert months[0] == 0 and months == list(range(months[-1] + 1))  # from month 0, never -1
    chart.scroll_into_view_if_needed()
    screenshot(f"cohorts-{lang}")
