"""The exports people actually have (issue 13): each platform's fixture imports with no mapping at
all, through the command line as a user runs it, to the figures a person would work out from the
file by hand (computed here with the csv module, not with the import's code): revenue, buyers,
orders, and the customers' names and regions in `export`."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from analysis.store import Workspace
from tests.cli import run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
CENT = Decimal("0.01")


def rows(name: str, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[dict]:
    text = (FIXTURES / name).read_bytes().decode(encoding)
    return [{k.strip(): (v or "").strip() for k, v in r.items() if k is not None}
            for r in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


def money(text: str) -> Decimal:
    return Decimal(text or "0")


def line(qty: str, price: str, discount: str = "0") -> Decimal:
    return (Decimal(qty or "1") * Decimal(price) - abs(Decimal(discount or "0"))).quantize(CENT, ROUND_HALF_UP)


# -- what a person works out from each file -------------------------------------------------------
def shopify():
    orders = defaultdict(list)
    for r in rows("shopify_orders_export.csv"):
        orders[r["Name"]].append(r)
    revenue, buyers, names, regions, counted = Decimal(0), set(), set(), set(), 0
    for lines in orders.values():
        head = lines[0]
        if head["Financial Status"] not in ("paid", "partially_refunded"):
            continue
        counted += 1
        revenue += sum(line(r["Lineitem quantity"], r["Lineitem price"], r["Lineitem discount"]) for r in lines)
        revenue -= money(head["Refunded Amount"])
        buyers.add(head["Email"].lower())
        names.add(head["Billing Name"])
        regions.add(head["Billing Province Name"])
    return revenue, buyers, counted, names, regions


def woocommerce():
    revenue, buyers, orders, names, regions = Decimal(0), set(), set(), set(), set()
    for r in rows("woocommerce_orders.csv"):
        if r["Order Status"] in ("Completed", "Processing"):
            revenue += line(r["Quantity (- Refund)"], r["Item Cost"])
            buyers.add(r["Email (Billing)"])
            orders.add(r["Order Number"])
            names.add(f'{r["First Name (Billing)"]} {r["Last Name (Billing)"]}')
            regions.add(r["State Code (Billing)"])
    return revenue, buyers, len(orders), names, regions


def amazon():
    got = rows("amazon_order_report.txt", delimiter="\t")
    return (sum(money(r["item-price"]) for r in got), {r["buyer-email"] for r in got},
            len({r["order-id"] for r in got}), {r["buyer-name"] for r in got}, {r["ship-state"] for r in got})


def amazon_cp1252():
    """The same report saved by a Western Windows (Windows-1252: "Zoë Müller"), amounts with the
    thousands comma of Amazon US ("1,234.50")."""
    got = rows("amazon_order_report_cp1252.txt", encoding="cp1252", delimiter="\t")
    return (sum(Decimal(r["item-price"].replace(",", "")) for r in got), {r["buyer-email"] for r in got},
            len({r["order-id"] for r in got}), {r["buyer-name"] for r in got}, {r["ship-state"] for r in got})


def _province(address: str) -> str:
    for p in ("浙江", "广东", "北京", "上海", "江苏"):
        if address.startswith(p):
            return p
    raise AssertionError(address)


def taobao():
    revenue, buyers, orders, names, regions = Decimal(0), set(), set(), set(), set()
    for r in rows("taobao_order_report.csv", encoding="gbk"):
        if r["订单状态"] in ("交易成功", "卖家已发货，等待买家确认"):
            revenue += money(r["买家实际支付金额"]) - money(r["退款金额"])
            buyers.add(r["买家会员名"])
            orders.add(r["订单编号"].strip('="'))
            names.add(r["收货人姓名"])
            regions.add(_province(r["收货地址"]))
    return revenue, buyers, len(orders), names, regions


def jd():
    revenue, buyers, orders, names, regions = Decimal(0), set(), set(), set(), set()
    for r in rows("jd_orders.csv", encoding="gbk"):
        if r["订单状态"] in ("完成", "等待出库"):
            revenue += line(r["订购数量"], r["京东价"])
            buyers.add(r["下单帐号"])
            orders.add(r["订单号"])
            names.add(r["客户姓名"])
            regions.add(_province(r["客户地址"]))
    return revenue, buyers, len(orders), names, regions


def youzan():
    revenue, buyers, orders, names, regions = Decimal(0), set(), set(), set(), set()
    for r in rows("youzan_orders.csv"):
        if r["订单状态"] in ("交易完成", "已发货"):
            revenue += money(r["订单实付金额"]) - money(r["订单已退款金额"])
            buyers.add(r["买家手机号"])
            orders.add(r["订单号"])
            names.add(r["买家昵称"])
            regions.add(r["收货人省份"].removesuffix("省"))
    return revenue, buyers, len(orders), names, regions


def invoice_lines():
    revenue, buyers, orders, regions = Decimal(0), set(), set(), {}
    for r in rows("invoice_lines.csv"):
        if not r["CustomerID"]:
            continue
        amount = line(r["Quantity"], r["UnitPrice"])
        revenue += -abs(amount) if r["InvoiceNo"].startswith("C") else amount
        buyers.add(r["CustomerID"])
        orders.add(r["InvoiceNo"])
        regions[r["CustomerID"]] = r["Country"]  # the latest line's country
    return revenue, buyers, len(orders), set(), set(regions.values())


SHAPES = {
    "shopify_orders_export.csv": ("shopify_orders", "GBP", shopify),
    "woocommerce_orders.csv": ("woocommerce_orders", None, woocommerce),
    "amazon_order_report.txt": ("amazon_order_report", "USD", amazon),
    "amazon_order_report_cp1252.txt": ("amazon_order_report", "USD", amazon_cp1252),
    "taobao_order_report.csv": ("taobao_orders", "CNY", taobao),
    "jd_orders.csv": ("jd_orders", "CNY", jd),
    "youzan_orders.csv": ("youzan_orders", "CNY", youzan),
    "invoice_lines.csv": ("invoice_lines", None, invoice_lines),
}


def exported(capsys, db, tmp_path) -> list[dict]:
    out_file = tmp_path / "customers.csv"
    code, _, err = run(capsys, "export", "--db", db, "--out", out_file)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("name", list(SHAPES))
def test_each_platform_export_imports_with_no_mapping_to_the_figures_of_the_file(tmp_path, capsys, name):
    platform, currency, expected = SHAPES[name]
    revenue, buyers, orders, names, regions = expected()
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", FIXTURES / name, "--db", db, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["platform"] == platform and got["currency"] == currency
    code, out, err = run(capsys, "report", "--db", db, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["revenue"] == pytest.approx(float(revenue), abs=0.005)
    assert report["kpis"]["buyers"] == len(buyers) and report["kpis"]["orders"] == orders
    listed = exported(capsys, db, tmp_path)
    assert {r["customer_id"] for r in listed} >= buyers
    assert names <= {r["name"] for r in listed} and regions <= {r["region"] for r in listed}
    with Workspace(db, read_only=True) as ws:  # every line written (refund lines too) belongs to the import
        assert ws.scalar('SELECT count(*) FROM "transactions" WHERE import_id IS NULL') == 0
        assert ws.scalar('SELECT count(*) FROM "guest_purchases" WHERE import_id IS NULL') == 0


def test_the_summary_says_every_decision_in_words(capsys, tmp_path):
    code, out, _ = run(capsys, "ingest", FIXTURES / "shopify_orders_export.csv", "--db", tmp_path / "w.duckdb")
    assert code == 0
    assert out.splitlines() == [
        "shopify_orders_export.csv: 5 rows imported into transactions",
        "  read as a Shopify orders export",
        "  amounts in GBP (column 'Currency': 'GBP')",
        "  amounts computed as quantity × unit price less the line's discount, rounded half up to the cent line by line",
        "  no customer id column: customers are told apart by their e-mail address",
        "  11 order-level values written on an order's first line only were carried to its other lines",
        "  by status:",
        "    paid: 3 lines, 76.35, counted as revenue",
        "    unpaid: 1 line, 1,250.00, not revenue (not imported)",
        "    fully refunded: 1 line, 36.98, not revenue (not imported)",
        "    partially refunded: 1 line, 25.00, counted as revenue",
        "  1 refund line added for a refunded amount",
        "  customer list: 3 customers given the names, e-mails, regions… written on the purchase rows (1 conflicting "
        "values; the latest kept)",
        "The workspace's currency is now GBP.",
    ]


def test_invoice_lines_guests_and_returns_in_the_json(capsys, tmp_path):
    lines = rows("invoice_lines.csv")
    guests = [r for r in lines if not r["CustomerID"]]
    returns = [r for r in lines if r["CustomerID"] and (r["InvoiceNo"].startswith("C") or r["Quantity"].startswith("-"))]
    code, out, _ = run(capsys, "ingest", FIXTURES / "invoice_lines.csv", "--db", tmp_path / "w.duckdb", "--json")
    got = json.loads(out)
    assert got["guest_lines"] == len(guests)
    assert got["guest_revenue"] == pytest.approx(float(sum(line(r["Quantity"], r["UnitPrice"]) for r in guests)))
    assert got["by_status"]["return"]["lines"] == len(returns)
    assert got["by_status"]["return"]["value"] == pytest.approx(
        float(sum(-abs(line(r["Quantity"], r["UnitPrice"])) for r in returns)))
    assert got["rows"] == len(lines) and got["skipped"] == 0 and got["attribute_conflicts"] == 1


def test_a_relational_export_imports_in_one_go(capsys, tmp_path):
    folder = FIXTURES / "olist"
    read = {p.stem: list(csv.DictReader(p.open(encoding="utf-8"))) for p in folder.glob("*.csv")}
    person = {r["customer_id"]: r["customer_unique_id"] for r in read["olist_customers_dataset"]}
    state = {r["customer_unique_id"]: r["customer_state"] for r in read["olist_customers_dataset"]}
    order = {r["order_id"]: r for r in read["olist_orders_dataset"]}
    sold = [(person[order[i["order_id"]]["customer_id"]], i) for i in read["olist_order_items_dataset"]
            if order[i["order_id"]]["order_status"] not in ("canceled", "unavailable")]
    revenue = sum(Decimal(i["price"]) for _, i in sold)
    buyers = {p for p, _ in sold}
    reviews = [r for r in read["olist_order_reviews_dataset"] if r["order_id"] in order]
    db = tmp_path / "olist.duckdb"
    code, out, err = run(capsys, "ingest", *sorted(folder.glob("*.csv")), "--db", db, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["ids_merged"] == len(person) and got["linked"] == len(reviews) + len(read["olist_order_items_dataset"])
    assert got["unlinked"] == len(read["olist_order_reviews_dataset"]) - len(reviews)
    skipped = next(f for f in got["files"] if f["file"].endswith("payments_dataset.csv"))
    assert skipped["table"] is None and "payments repeat the revenue" in skipped["reason"]
    report = json.loads(run(capsys, "report", "--db", db, "--json")[1])
    assert report["revenue"] == pytest.approx(float(revenue), abs=0.005)
    assert report["kpis"]["buyers"] == len(buyers) and report["customers"] == len(set(person.values()))
    assert report["kpis"]["orders"] == len({i["order_id"] for _, i in sold})
    listed = {r["customer_id"]: r for r in exported(capsys, db, tmp_path)}
    assert {c: listed[c]["region"] for c in buyers} == {c: state[c] for c in buyers}
    # a review score 1-5 is a satisfaction survey of the person who placed the order
    two_accounts = next(p for p in buyers if list(person.values()).count(p) == 2)
    code, out, _ = run(capsys, "customer", two_accounts, "--db", db, "--json")
    assert code == 0
    mine = sorted((r["review_creation_date"], int(r["review_score"])) for r in reviews
                  if person[order[r["order_id"]]["customer_id"]] == two_accounts)
    profile = json.loads(out)["profile"]
    assert profile["interactions"] == len(mine) == 2
    assert profile["satisfaction_5"] == mine[-1][1] and profile["last_survey"].startswith(mine[-1][0][:10])


# -- the rules behind the shapes, each as a user meets it ------------------------------------------
def _csv(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_purchase_file_with_names_and_regions_fills_the_customer_list(tmp_path, capsys):
    """Issue 13: purchases that carry the customer's name and region used to import with
    "Listed customers 0" and name None; importing the same file as a customer list was refused."""
    text = ("customer id,name,region,date,amount\nC1,Acme Ltd,North,2024-01-05,100\nC2,Beta GmbH,South,2024-01-06,50\n"
            "C1,Acme Limited,North,2024-02-05,70\nC3,,East,2024-02-06,20\n")
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", _csv(tmp_path, "sales.csv", text), "--db", db, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["files"][0]["table"] == "transactions" and got["attributes_filled"] == 3
    assert got["attribute_conflicts"] == 1  # C1's name
    listed = {r["customer_id"]: r for r in exported(capsys, db, tmp_path)}
    assert {c: (r["name"], r["region"]) for c, r in listed.items()} == {
        "C1": ("Acme Limited", "North"), "C2": ("Beta GmbH", "South"), "C3": ("", "East")}
    report = json.loads(run(capsys, "report", "--db", db, "--json")[1])
    assert report["listed_customers"] == 3 and report["revenue"] == 240
    # the same file as a customer list (--table): repeated ids merged, the last non-empty value winning
    code, out, err = run(capsys, "ingest", _csv(tmp_path, "sales.csv", text), "--db", tmp_path / "c.duckdb",
                         "--table", "customers", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["files"][0]["table"] == "customers" and got["rows_merged"] == 1


def test_line_amounts_are_exact_to_the_cent_rounded_half_up_per_line(tmp_path, capsys):
    text = ("order,customer,date,qty,unit price,line discount\nA,C1,2024-01-05,3,1.005,\nA,C1,2024-01-05,1,0.125,\n"
            "B,C2,2024-01-06,7,19.99,0.93\nB,C2,2024-01-06,-1,19.99,\n")
    db = tmp_path / "w.duckdb"
    code, _, err = run(capsys, "ingest", _csv(tmp_path, "lines.csv", text), "--db", db, "--map", "order_id=order",
                       "--map", "customer_id=customer", "--map", "discount=line discount")
    assert code == 0, err
    expected = [line("3", "1.005"), line("1", "0.125"), line("7", "19.99", "0.93"), -abs(line("-1", "19.99"))]
    assert expected == [Decimal("3.02"), Decimal("0.13"), Decimal("139.00"), Decimal("-19.99")]
    report = json.loads(run(capsys, "report", "--db", db, "--json")[1])
    assert report["revenue"] == pytest.approx(float(sum(expected)), abs=1e-9)


def test_an_unknown_status_counts_as_revenue_and_is_named(tmp_path, capsys):
    text = "order id,customer id,date,amount,status\n1,C1,2024-01-05,10,printed\n2,C1,2024-01-06,5,cancelled\n"
    code, out, _ = run(capsys, "ingest", _csv(tmp_path, "s.csv", text), "--db", tmp_path / "w.duckdb")
    assert code == 0
    assert "    'printed' (a status the import does not know): 1 line, 10.00, counted as revenue" in out
    assert "    cancelled or voided: 1 line, 5.00, not revenue (not imported)" in out


def test_accounts_and_reviews_imported_later_join_what_is_in_the_workspace(tmp_path, capsys):
    folder = FIXTURES / "olist"
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", folder / "olist_orders_dataset.csv", folder / "olist_order_items_dataset.csv",
                         "--db", db, "--json")
    assert code == 0, err
    before = json.loads(run(capsys, "report", "--db", db, "--json")[1])
    assert before["kpis"]["buyers"] == 4  # one account each, before the customer list says who is who
    code, out, err = run(capsys, "ingest", folder / "olist_customers_dataset.csv", "--db", db)
    assert code == 0, err
    after = json.loads(run(capsys, "report", "--db", db, "--json")[1])
    assert after["kpis"]["buyers"] == 3 and after["revenue"] == pytest.approx(before["revenue"])
    code, out, err = run(capsys, "ingest", folder / "olist_order_reviews_dataset.csv", "--db", db, "--json")
    got = json.loads(out)
    assert code == 0 and got["linked"] == 4 and got["unlinked"] == 1
    assert "line 7, order '0000000000000000000000000000dead'" in got["files"][0]["unlinked_examples"]


def test_the_taobao_item_report_beside_the_order_report_counts_each_order_once(tmp_path, capsys):
    """Taobao exports an order report (buyers, amounts) and an item report (lines, no buyer) of the
    same orders; imported together, each order counts once. The item report names one order the
    order report does not have: without a date or a buyer it cannot be used, and is named."""
    revenue, buyers, orders, *_ = taobao()
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", FIXTURES / "taobao_item_report.csv", FIXTURES / "taobao_order_report.csv",
                         "--db", db, "--skip-invalid", "--json")
    assert code == 0, err
    items = json.loads(out)["files"][0]
    assert items["platform"] == "taobao_items" and items["rows"] == 0 and items["already_purchased"] == 3
    assert items["skipped_examples"] == ["line 5, column '订单编号': '=\"1987654321098765499\"' is not the id of an "
                                         "order already imported or imported with it (the file has no dates)"]
    report = json.loads(run(capsys, "report", "--db", db, "--json")[1])
    assert report["revenue"] == pytest.approx(float(revenue)) and report["kpis"]["orders"] == orders
