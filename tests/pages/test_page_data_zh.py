"""The Data page in Chinese (``?lang=zh``): a manager uploads an English invoice-line export and
walks through the column-mapping step for every kind of sheet; every field the step names is in
Chinese, none is left as the field's English code."""

import re

from analysis import i18n
from tests.pagetest import open_page

INVOICE_LINES = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2024-12-01 08:26,2.55,17850,United Kingdom\n"
    "536366,22633,HAND WARMER UNION JACK,6,2024-12-01 08:28,1.85,17851,France\n"
).encode()

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z_]")


def test_every_field_of_the_mapping_step_is_named_in_chinese(demo_copy):
    at = open_page(demo_copy, "data", params={"lang": "zh"})
    with i18n.using("zh"):  # AppTest formats the pickers' options in the test's own language
        _walk(at)


def _walk(at):
    at.text_input(key="data_new_name").set_value("零售").run()
    at.file_uploader(key="data_upload").set_value(("invoices.csv", INVOICE_LINES, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("分隔符 逗号" in c.value for c in at.caption), [c.value for c in at.caption]  # not a bare ","
    seen = {}
    for table in ("transactions", "customers", "interactions", "orders"):
        at.selectbox(key="map_0_0_table").set_value(table).run()
        assert not at.exception, at.exception
        fields = [s for s in at.selectbox if s.key and s.key.startswith(f"map_0_0_{table}_")]
        assert len(fields) >= 4, table
        for box in fields:
            seen[box.key] = box.label
    english = {key: label for key, label in seen.items() if LATIN.search(label) or not CJK.search(label)}
    assert not english, f"mapping fields not in Chinese: {english}"
    # the words a Chinese manager reads for the invoice lines' columns
    assert seen["map_0_0_transactions_customer_id"] == "客户编号"
    assert seen["map_0_0_transactions_unit_price"] == "单价"
    assert seen["map_0_0_interactions_channel"] != seen["map_0_0_customers_channel"]
