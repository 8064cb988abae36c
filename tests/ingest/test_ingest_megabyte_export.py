"""A shop manager in Shanghai exports two months of orders (a UTF-8 CSV with a BOM, Chinese
headers and product names, about 2 MB: far from "big data") and imports it from the command
line, then asks for the report. A file of a megabyte or more is read by DuckDB's reader
(analysis.ingest.reading.LARGE_FILE, not lowered here: the threshold as shipped), so the import
process loads neither pandas, NumPy, pyarrow nor Ibis; the report's revenue is the Decimal sum of
the raw cells to the cent and its buyers and orders are the raw rows' counts."""

import json
import random
from decimal import Decimal

from tests.ingest.test_ingest_large_light import _cents, report_kpis
from tests.test_cli_startup import cli


def test_a_two_megabyte_chinese_export_imports_without_pandas_and_reports_to_the_cent(tmp_path):
    seed = 20261207
    rng = random.Random(seed)
    print("seed", seed)
    products = ["绿茶 250g", "乌龙茶礼盒", "紫砂壶（小）", "茶杯，白瓷", "龙井 明前"]
    lines = ["客户编号,订单号,下单日期,实付金额,数量,商品名称\n"]
    total, buyers = Decimal(0), set()
    n = 26_000
    for i in range(n):
        customer = f"SH{rng.randrange(3000):05d}"
        amount = f"{rng.randrange(100, 900_000) / 100:.2f}"
        month, day = rng.choice((11, 12)), rng.randrange(1, 29)
        lines.append(f'{customer},DD{i:07d},2025-{month:02d}-{day:02d},{amount},{rng.randrange(1, 5)},'
                     f'"{products[i % len(products)]} 第{i % 40}批"\n')
        total += _cents(amount)
        buyers.add(customer)
    path = tmp_path / "订单导出.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("utf-8"))
    assert 1_500_000 < path.stat().st_size < 3_000_000
    db = tmp_path / "shop.duckdb"

    done, heavy = cli(tmp_path, "ingest", path, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert heavy == []  # DuckDB's reader wrote the whole file: no pandas, NumPy, pyarrow or Ibis
    file = json.loads(done.stdout)["files"][0]
    assert (file["table"], file["rows"], file["skipped"], file["duplicate"]) == ("transactions", n, 0, False)

    kpis = report_kpis(db)
    assert Decimal(str(kpis["revenue"])) == total
    assert kpis["buyers"] == len(buyers)
    assert kpis["orders"] == n
