"""In the real browser, with the command line beside it (issue 12 §4): while the app has the
demo open, `report` and `customer` read it and `log` records a contact that the app then
shows; while another program holds the file for writing, the app says so in plain words and
comes back by itself once the file is free."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from playwright.sync_api import expect

from tests.e2e.test_e2e_data import wait_idle
from tests.store.test_store import Holder, cli

pytestmark = pytest.mark.e2e


def events_count(page) -> int:
    label = page.get_by_text(re.compile(r"^All [\d,]+ events as a table$")).first.inner_text()
    return int(re.search(r"[\d,]+", label).group().replace(",", ""))


def open_customer(page, url: str, customer_id: str) -> None:
    page.goto(f"{url}/customer?customer={customer_id}")
    expect(page.get_by_role("combobox", name="Customer")).to_have_value(re.compile(f"^{customer_id}"),
                                                                        timeout=120_000)
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^All [\d,]+ events as a table$")).first).to_be_visible(timeout=60_000)


def test_the_cli_reads_and_writes_while_the_app_is_open(page, app_server, screenshot):
    url, db = app_server["url"], str(app_server["db"])
    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile("Overview"))).to_be_visible(timeout=60_000)
    wait_idle(page)
    with duckdb.connect(db, read_only=True) as con:  # a third program reads beside the app too
        customers, last_day, buyer = con.execute(
            'SELECT (SELECT count(DISTINCT customer_id) FROM (SELECT customer_id FROM "customers" UNION '
            'SELECT customer_id FROM "transactions" UNION SELECT customer_id FROM "interactions")), '
            '(SELECT max("date") FROM "transactions"), (SELECT min(customer_id) FROM "transactions")').fetchone()
    open_customer(page, url, buyer)
    before = events_count(page)

    report = cli("report", "--db", db, "--json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["customers"] == customers
    detail = cli("customer", buyer, "--db", db, "--json")
    assert detail.returncode == 0, detail.stderr
    assert json.loads(detail.stdout)["profile"]["customer_id"] == buyer

    # dated on the demo's last day, so the other browser tests' default as-of stays where it was
    logged = cli("log", buyer, "--db", db, "--kind", "complaint", "--channel", "email",
                 "--date", last_day.isoformat(), "--note", "Toner leaked in the box")
    assert logged.returncode == 0, logged.stderr
    open_customer(page, url, buyer)
    assert events_count(page) == before + 1
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("after-cli-log")


def test_the_app_waits_for_a_cli_writer_and_comes_back(page, app_server, screenshot):
    url, db = app_server["url"], app_server["db"]
    holder = Holder(db)  # another program has the file open for writing, as `ingest` does
    try:
        page.goto(f"{url}/pyramid")
        busy = page.get_by_text("is in use by another program on this computer", exact=False)
        expect(busy).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert "duckdb" not in page.content().lower()  # no server path, no DuckDB error text
        screenshot("busy")
    finally:
        holder.release()
    expect(page.get_by_role("heading", name=re.compile("Customer pyramid"))).to_be_visible(timeout=60_000)
    expect(busy).to_have_count(0)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("back")
