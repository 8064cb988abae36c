"""A Chinese ERP's sales-invoice lines (销售出库单), GBK, as a new user imports them with no mapping:
unit prices (单价) and quantities (数量) with thousands separators, a line discount (折扣额), a
document status (单据状态: 已审核 approved, 作废 voided), dates in two of the forms Chinese software
writes (2024/3/5 and 2024年3月5日), the customer's company name (客户名称) and province (所在省份).

Before this was written the import mapped none of 折扣额, 单据状态, 客户名称 or 所在省份: voided
invoices counted as sales, discounts were not taken off, and the names and provinces written on
every line were thrown away, without a word. The figures here are worked out from the rows the
test writes, with Decimal, not by the import's code."""

from __future__ import annotations

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

from tests.cli import ok_json, run

CENT = Decimal("0.01")
CUSTOMERS = [("KH001", "杭州华美贸易有限公司", "浙江省"), ("KH002", "深圳市腾达科技", "广东省"),
             ("KH003", "北京京城商贸", "北京市"), ("KH004", "成都天府百货", "四川省")]
PRICES = ["1,280.00", "35.50", "0.99", "12,000.00", "7.05"]


def erp_lines() -> list[dict]:
    out = []
    for n in range(24):
        code, name, province = CUSTOMERS[n % 4]
        status = "作废" if n % 4 == 3 or n % 5 == 0 else "已审核"  # every KH004 invoice voided
        day = f"2024/{1 + n % 12}/{1 + n % 27}" if n % 2 else f"2024年{1 + n % 12}月{1 + n % 27}日"
        out.append({"单据编号": f"XS-2024-{n:04d}", "单据日期": day, "客户编码": code, "客户名称": name,
                    "所在省份": province, "商品名称": ["不锈钢保温杯", "办公椅（黑色）", "A4 复印纸, 80g"][n % 3],
                    "规格型号": "标准", "数量": str(1 + n % 9), "单价": PRICES[n % 5],
                    "折扣额": "2.00" if n % 3 == 0 else "0.00", "单据状态": status})  # never more than the line
    return out


def write_gbk(path, lines: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(lines[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(lines)
    path.write_bytes(buf.getvalue().encode("gbk"))


def expected(lines: list[dict]):
    """Revenue per customer code, from the approved invoices: quantity x unit price less the discount."""
    revenue: dict[str, Decimal] = {}
    for r in lines:
        if r["单据状态"] != "已审核":
            continue
        amount = Decimal(r["数量"]) * Decimal(r["单价"].replace(",", "")) - Decimal(r["折扣额"])
        revenue[r["客户编码"]] = revenue.get(r["客户编码"], Decimal(0)) + amount.quantize(CENT, ROUND_HALF_UP)
    return revenue


def test_an_erp_invoice_export_in_gbk_gives_net_revenue_names_and_provinces_with_no_mapping(tmp_path, capsys):
    lines = erp_lines()
    src, db, out = tmp_path / "销售出库单.csv", tmp_path / "erp.duckdb", tmp_path / "customers.csv"
    write_gbk(src, lines)
    revenue = expected(lines)
    voided = [r for r in lines if r["单据状态"] == "作废"]

    summary = ok_json(capsys, "ingest", src, "--db", db, "--json")
    assert summary["rows"] == len(lines) - len(voided)
    assert summary["by_status"]["cancelled"]["lines"] == len(voided)

    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == sum(revenue.values())
    assert report["kpis"]["buyers"] == len(revenue)
    assert report["kpis"]["orders"] == len(lines) - len(voided)

    code, _, err = run(capsys, "export", "--db", db, "--out", out)
    assert code == 0, err
    exported = {r["customer_id"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))}
    for code_, name, province in CUSTOMERS:
        assert exported[code_]["name"] == name
        assert exported[code_]["region"] == province.rstrip("省市")

    customer = json.loads(run(capsys, "customer", "KH001", "--db", db, "--json")[1])
    assert Decimal(str(customer["profile"]["revenue"])) == revenue["KH001"]
