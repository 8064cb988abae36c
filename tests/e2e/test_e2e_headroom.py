"""In the real browser: the Headroom view of the MVC / MCC / BZ page on the demo company, in
English and in Chinese: the ranking by revenue still to win with the check of the wallets
beside it; screenshots are kept."""

import re

import pytest
from playwright.sync_api import expect

from analysis.store import Workspace

pytestmark = pytest.mark.e2e


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


@pytest.mark.parametrize("lang, heading, tab, check", [
    ("en", "Most valuable, most growable, below zero", "Headroom", "Checked on the {n:,} wallets you gave"),
    ("zh", "最有价值、最具增长潜力与负值客户", "增长余量", "用您提供的 {n:,} 个钱包检验"),
], ids=["en", "zh"])
def test_the_headroom_view_in_the_browser(page, app_server, demo_db, screenshot, lang, heading, tab, check):
    with Workspace(demo_db, read_only=True) as ws:
        checked = int(ws.scalar('SELECT count(DISTINCT c."customer_id") FROM "customers" c JOIN "transactions" t '
                                'ON t."customer_id" = c."customer_id" WHERE c."wallet" > 0'))
    page.goto(f"{app_server['url']}/value?lang={lang}")
    expect(page.get_by_role("heading", name=re.compile(heading))).to_be_visible(timeout=90_000)
    wait_idle(page)
    page.get_by_role("tab", name=tab).click()
    wait_idle(page)
    expect(page.get_by_text(check.format(n=checked))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(f"headroom-{lang}")
