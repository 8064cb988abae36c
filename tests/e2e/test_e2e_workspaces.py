"""In the real browser: one workspace at a time (issue 12 §1). A consultant imports a client's
invoice lines into a new workspace beside the demo, then goes back and forth between the two
four times, with the sidebar's picker and with links; every page visited shows the as-of date
and the revenue of the workspace it names, checked against figures computed here from the
file (pandas) and from the demo's database file (DuckDB), not by the app's code."""

from __future__ import annotations

import datetime as dt
import re
import time

import duckdb
import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.test_e2e_data import wait_idle

pytestmark = pytest.mark.e2e

NAME = "north-shop"
INVOICE_LINES = """Order Number,Order Date,Customer ID,Product,Category,Quantity,Net Amount
#1001,2025-01-06,C-118,Espresso beans 1kg,Coffee,2,41.80
#1002,2025-01-19,C-204,Moka pot 6 cup,Equipment,1,35.00
#1003,2025-02-02,C-118,Espresso beans 1kg,Coffee,1,20.90
#1004,2025-02-14,C-311,Gift box,Gifts,1,64.50
#1005,2025-03-03,C-204,Filter papers,Coffee,3,9.75
#1006,2025-03-28,C-402,Grinder,Equipment,1,189.00
#1007,2025-04-11,C-118,Espresso beans 1kg,Coffee,2,41.80
#1008,2025-05-05,C-515,Gift box,Gifts,2,129.00
#1008R,2025-05-09,C-515,Gift box (returned),Gifts,-1,-64.50
#1009,2025-06-16,C-311,Cold brew kit,Equipment,1,48.25
#1010,2025-07-01,C-402,Espresso beans 1kg,Coffee,4,83.60
#1011,2025-07-22,C-620,Moka pot 6 cup,Equipment,1,35.00
#1012,2025-08-19,C-118,Espresso beans 1kg,Coffee,1,20.90
"""


def expected_from_file(path, as_of: dt.date | None = None) -> dict:
    """As-of (default: the last date), revenue up to it and customers active in the 12 months
    before it, from the file itself."""
    lines = pd.read_csv(path, parse_dates=["Order Date"])
    day = as_of or lines["Order Date"].max().date()
    upto = lines[lines["Order Date"].dt.date <= day]
    start = (pd.Timestamp(day) - pd.DateOffset(months=12)).date()
    active = upto[upto["Order Date"].dt.date > start]["Customer ID"].nunique()
    return {"as_of": day, "revenue": float(upto["Net Amount"].sum()), "active": int(active)}


def expected_from_db(path, as_of: dt.date | None = None) -> dict:
    """The same figures from a workspace file, read with DuckDB directly (the default as-of is
    the latest purchase or contact)."""
    with duckdb.connect(str(path), read_only=True) as con:
        if as_of is None:
            as_of = con.execute('SELECT greatest((SELECT max("date") FROM "transactions"), '
                                '(SELECT max("occurred_at")::DATE FROM "interactions"))').fetchone()[0]
        start = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date()
        revenue, active = con.execute(
            'SELECT sum("amount"), count(DISTINCT "customer_id") FILTER (WHERE "date" > ?) '
            'FROM "transactions" WHERE "date" <= ?', [start, as_of]).fetchone()
    return {"as_of": as_of, "revenue": float(revenue), "active": int(active)}


def day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"  # as the app writes dates in English: 19 Aug 2025


def metric_number(page, label: str) -> float | None:
    text = page.get_by_test_id("stMetric").filter(has_text=label).first.inner_text()
    number = re.search(r"-?[\d,]+(\.\d+)?", text.strip().splitlines()[-1])
    return float(number.group().replace(",", "")) if number else None


def expect_metric(page, label: str, value: float, tolerance: float = 0.0) -> None:
    """The metric ``label`` shows ``value`` (waiting while a rerun replaces an older one)."""
    deadline = time.monotonic() + 30
    while (got := metric_number(page, label)) is None or abs(got - value) > tolerance:
        assert time.monotonic() < deadline, f"{label}: {got} shown, {value} expected ({page.url})"
        page.wait_for_timeout(200)


def sidebar_picker(page):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Workspace")


def check_overview(page, name: str, want: dict) -> None:
    """The Overview names the workspace and shows its as-of date, revenue and active customers."""
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=90_000)
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile("^Workspace “")).first
    expect(caption).to_contain_text(f"Workspace “{name}” as of {day_text(want['as_of'])}", timeout=90_000)
    wait_idle(page)
    expect(sidebar_picker(page)).to_have_value(name)
    expect_metric(page, "Revenue", want["revenue"], tolerance=0.5)
    expect_metric(page, "Active customers", want["active"])
    expect(page.get_by_test_id("stException")).to_have_count(0)


def check_data_page(page, name: str, want: dict, lines: int) -> None:
    """The Data page names the workspace, its purchase lines and, in the sidebar, its as-of date."""
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Data").click()
    heading = page.get_by_role("heading", name=re.compile("^Workspace “"))
    expect(heading).to_have_text(f"Workspace “{name}”", timeout=60_000)
    wait_idle(page)
    expect_metric(page, "Purchase lines", lines)
    date_box = page.get_by_test_id("stSidebar").get_by_test_id("stDateInput")
    # the previous workspace's date box stays on screen until the run that replaces it ends
    expect(date_box).to_have_count(1, timeout=90_000)
    expect(date_box).to_contain_text(re.compile(r"\s*-\s*".join(want["as_of"].isoformat().split("-"))),
                                     timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def pick(page, name: str) -> None:
    sidebar_picker(page).click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(sidebar_picker(page)).to_have_value(name, timeout=30_000)
    wait_idle(page)


def test_import_then_switch_back_and_forth_four_times(page, app_server, tmp_path, screenshot):
    demo_db = app_server["db"]  # read here while the app has it open (issue 12 §4)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        demo_lines = con.execute('SELECT count(*) FROM "transactions"').fetchone()[0]
    demo = expected_from_db(demo_db)
    src = tmp_path / "north shop invoice lines.csv"
    src.write_text(INVOICE_LINES, encoding="utf-8")
    shop = expected_from_file(src)
    assert shop["as_of"] == dt.date(2025, 8, 19) and demo["as_of"] != shop["as_of"]

    # Looking at the demo an earlier as-of date and a shorter window first: neither may follow
    # the switch to the new workspace.
    earlier = demo["as_of"] - dt.timedelta(days=200)
    page.goto(f"{app_server['url']}/data?as_of={earlier.isoformat()}&window=6")
    expect(page.get_by_role("heading", name="Workspace “demo”")).to_be_visible(timeout=60_000)
    wait_idle(page)
    name_box = page.get_by_label("Name of the new workspace")
    name_box.fill(NAME)
    name_box.press("Enter")
    wait_idle(page)
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(src))
    expect(page.get_by_text("13 data rows", exact=False)).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("13 rows imported into transactions", exact=False)).to_be_visible(timeout=60_000)
    wait_idle(page)
    # the app is on the imported workspace, the URL says so, and a reload stays on it
    expect(page.get_by_role("heading", name=f"Workspace “{NAME}”")).to_be_visible()
    expect(sidebar_picker(page)).to_have_value(NAME)
    assert f"workspace={NAME}" in page.url and "as_of" not in page.url and "window" not in page.url
    page.reload()
    expect(page.get_by_role("heading", name=f"Workspace “{NAME}”")).to_be_visible(timeout=60_000)
    wait_idle(page)
    check_data_page(page, NAME, shop, 13)
    check_overview(page, NAME, shop)
    screenshot("imported-overview")

    # The Data page's "existing workspace" target is the workspace being viewed.
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Data").click()
    page.get_by_text("An existing workspace").click()
    wait_idle(page)
    expect(page.get_by_test_id("stMain").get_by_role("combobox", name="Workspace")).to_have_value(NAME)

    url = app_server["url"]
    for round_trip in range(4):
        by_link = round_trip % 2 == 1
        # to the demo
        if by_link:
            page.goto(f"{url}/?workspace=demo")
        else:
            pick(page, "demo")
        check_overview(page, "demo", demo)
        check_data_page(page, "demo", demo, demo_lines)
        # back to the new workspace
        if by_link:
            page.goto(f"{url}/data?workspace={NAME}")
        else:
            pick(page, NAME)
        check_data_page(page, NAME, shop, 13)
        check_overview(page, NAME, shop)
        screenshot(f"round-{round_trip + 1}")

    # A link that carries its own as-of date for this workspace is followed ...
    mid = dt.date(2025, 5, 31)
    page.goto(f"{url}/?workspace={NAME}&as_of={mid.isoformat()}")
    check_overview(page, NAME, expected_from_file(src, mid))
    # ... and one with a date outside the workspace's data is refused, with a message.
    page.goto(f"{url}/?workspace={NAME}&as_of={demo['as_of'].isoformat()}")
    expect(page.get_by_text("is outside this workspace's data", exact=False)).to_be_visible(timeout=60_000)
    check_overview(page, NAME, shop)
    screenshot("refused-as-of")
