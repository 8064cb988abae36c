"""Column-name mapping and routing sheets to tables (analysis/ingest/mapping.py)."""

import pytest

from analysis import i18n
from analysis.errors import UserError
from analysis.ingest.mapping import (apply_overrides, auto_map, check_overrides, header_signature, missing_required,
                                      required_text, route)


def test_chinese_transaction_headers():
    table, mapping, _ = route(["客户编号", "订单号", "交易日期", "实付金额", "数量", "商品名称", "品类"])
    assert table == "transactions"
    assert mapping == {"customer_id": "客户编号", "order_id": "订单号", "date": "交易日期", "amount": "实付金额",
                       "quantity": "数量", "product": "商品名称", "category": "品类"}


def test_english_variants_and_units_in_brackets():
    table, mapping, _ = route(["Cust_No", "Order Date", "Net Amount ($)", "number_of_cds"])
    assert table == "transactions"
    assert mapping == {"customer_id": "Cust_No", "date": "Order Date", "amount": "Net Amount ($)",
                       "quantity": "number_of_cds"}
    assert route(["client", "date", "销售额(元)"])[1]["amount"] == "销售额(元)"


def test_keyword_pass_for_unlisted_names():
    assert auto_map(["会员号", "付款日期", "订单总金额"], "transactions") == {
        "customer_id": "会员号", "date": "付款日期", "amount": "订单总金额"}


def test_customers_and_interactions_routing():
    table, mapping, _ = route(["客户ID", "姓名", "区域", "行业", "渠道", "注册日期"])
    assert table == "customers" and mapping["signup_date"] == "注册日期" and "date" not in mapping
    table, mapping, _ = route(["customer id", "date", "channel", "csat"])
    assert table == "interactions" and mapping["satisfaction"] == "csat"
    table, _, _ = route(["customer id", "date", "type", "outcome"])
    assert table == "interactions"


def test_unrecognised_sheet_reports_missing_fields():
    table, mapping, missing = route(["foo", "bar"])
    assert table is None and mapping == {}
    assert missing["transactions"] == ["date", "amount or unit_price"] and "customer_id" in missing["customers"]


def test_overrides_win_and_can_route():
    table, mapping, _ = route(["kunde", "datum", "betrag"], {"customer_id": "kunde", "date": "datum", "amount": "betrag"})
    assert table == "transactions" and mapping == {"customer_id": "kunde", "date": "datum", "amount": "betrag"}
    # an override taking a column away from an automatic field
    got = apply_overrides("transactions", {"customer_id": "id", "amount": "total"}, {"quantity": "total"})
    assert got == {"customer_id": "id", "quantity": "total"}


def test_unknown_override_field():
    with pytest.raises(UserError, match="unknown field"):
        check_overrides({"revenue": "x"})


def test_header_signature_ignores_case_and_spacing():
    assert header_signature(["Customer ID", "Amount"]) == header_signature(["customer_id", "amount"])
    assert header_signature(["a", "b"]) != header_signature(["b", "a"])


def test_messages_in_chinese_keep_the_field_names():
    with i18n.using("zh"):
        with pytest.raises(UserError) as err:
            check_overrides({"revenue": "x"})
        assert str(err.value).startswith("--map 中有未知字段：revenue。可用字段：transactions：customer_id、order_id、")
        assert "industry、channel；customers：customer_id、name、" in str(err.value)
        assert missing_required("interactions", {"customer_id": "id", "date": "d"}) == ["kind 或 satisfaction"]
        assert required_text("transactions") == "date，以及 amount 或 unit_price（由 customer_id、电子邮箱或买家账号说明是谁购买）"
    assert missing_required("interactions", {"customer_id": "id"}) == ["date", "kind or satisfaction"]
    assert required_text("transactions") == (
        "date, and amount or unit_price (a customer_id, e-mail or buyer account says who bought)")
