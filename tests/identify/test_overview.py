import datetime as dt
import itertools

import pytest

from analysis.errors import NotEnoughData
from analysis.identify.overview import breakdown, kpis, pareto, pareto_sentence, revenue_by_month
from tests.builders import buyers, make_workspace

AS_OF = "2024-06-30"


def pairwise_gini(values):
    n, mean = len(values), sum(values) / len(values)
    return sum(abs(a - b) for a, b in itertools.product(values, values)) / (2 * n * n * mean)


def test_gini_of_equal_revenues_is_zero(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([25.0] * 8))
    curve, top20, gini = pareto(ws.tables(), AS_OF)
    assert gini == pytest.approx(0.0, abs=1e-12)
    assert top20 == pytest.approx(2 / 8)  # ceil(0.2 * 8) = 2 customers
    assert curve.revenue_share.tolist() == pytest.approx(curve.customer_share.tolist())


def test_known_distribution(tmp_path):
    values = list(range(1, 11))
    ws = make_workspace(tmp_path, transactions=buyers(values))
    curve, top20, gini = pareto(ws.tables(), AS_OF)
    assert top20 == pytest.approx((10 + 9) / 55)
    assert gini == pytest.approx(pairwise_gini(values))
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert curve.revenue_share.is_monotonic_increasing
    assert pareto_sentence(0.78) == "The top 20% of customers bring 78% of revenue."


def test_one_customer_with_everything(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([0, 0, 0, 100]))
    _, top20, gini = pareto(ws.tables(), AS_OF)
    assert top20 == 1.0 and gini == pytest.approx(0.75)


def test_curve_is_thinned(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers(range(1, 1001)))
    curve, top20, _ = pareto(ws.tables(), AS_OF, max_points=100)
    assert len(curve) <= 103
    assert top20 == pytest.approx(sum(range(801, 1001)) / sum(range(1, 1001)))


def test_kpis(tmp_path):
    tx = [
        {"customer_id": "a", "order_id": "1", "date": "2024-05-01", "amount": 100.0},
        {"customer_id": "a", "order_id": "2", "date": "2024-06-01", "amount": 50.0},
        {"customer_id": "b", "order_id": "3", "date": "2022-01-01", "amount": 30.0},
        {"customer_id": "b", "order_id": "9", "date": "2024-07-15", "amount": 999.0},  # after as-of
    ]
    ws = make_workspace(tmp_path, customers=[{"customer_id": "s"}], transactions=tx)
    k = kpis(ws.tables(), AS_OF)
    assert k == {
        "as_of": "2024-06-30", "customers": 3, "active_customers": 1, "buyers": 2, "revenue": 180.0,
        "revenue_window": 150.0, "orders": 3, "average_order_value": 60.0, "repeat_rate": 0.5,
    }


def test_revenue_by_month(tmp_path):
    tx = [{"customer_id": "a", "order_id": "1", "date": "2024-05-01", "amount": 100.0},
          {"customer_id": "b", "order_id": "2", "date": "2024-05-20", "amount": 50.0},
          {"customer_id": "a", "order_id": "3", "date": "2024-06-01", "amount": -20.0}]
    ws = make_workspace(tmp_path, transactions=tx)
    m = revenue_by_month(ws.tables(), AS_OF)
    assert m.month.tolist() == [dt.date(2024, 5, 1), dt.date(2024, 6, 1)]
    assert m.revenue.tolist() == [150.0, -20.0]
    assert m.customers.tolist() == [2, 1]


def test_breakdowns(tmp_path):
    customers = [{"customer_id": "c001", "region": "North"}, {"customer_id": "c002", "region": "North"},
                 {"customer_id": "c003", "region": "South"}]
    tx = buyers([10, 30, 60, 100])
    for row, cat in zip(tx, ["x", "y", "y", None]):
        row["category"] = cat
    ws = make_workspace(tmp_path, customers=customers, transactions=tx)
    reg = breakdown(ws.tables(), AS_OF, "region")
    assert reg.to_dict("records") == [
        {"region": "(unknown)", "customers": 1, "revenue": 100.0, "share": 0.5},
        {"region": "South", "customers": 1, "revenue": 60.0, "share": 0.3},
        {"region": "North", "customers": 2, "revenue": 40.0, "share": 0.2},
    ]
    cat = breakdown(ws.tables(), AS_OF, "category").set_index("category")
    assert cat.loc["y", "revenue"] == 90.0 and cat.loc["y", "customers"] == 2
    with pytest.raises(NotEnoughData, match="industry"):
        breakdown(ws.tables(), AS_OF, "industry")
    with pytest.raises(ValueError):
        breakdown(ws.tables(), AS_OF, "colour")


def test_no_purchases(tmp_path):
    ws = make_workspace(tmp_path, customers=[{"customer_id": "x"}])
    with pytest.raises(NotEnoughData):
        pareto(ws.tables(), AS_OF)
    assert kpis(ws.tables(), AS_OF)["average_order_value"] is None


def test_category_buyers_are_the_customers_behind_a_category_bar(tmp_path):
    from analysis.identify.overview import category_buyers

    ws = make_workspace(tmp_path, transactions=[
        {"customer_id": "a", "date": "2024-05-01", "amount": 10.0, "category": "Paper"},
        {"customer_id": "b", "date": "2024-05-02", "amount": 10.0, "category": "Ink"},
        {"customer_id": "c", "date": "2022-05-02", "amount": 10.0, "category": "Paper"},  # outside the window
        {"customer_id": "d", "date": "2024-05-03", "amount": 10.0},
    ])
    assert category_buyers(ws.tables(), "2024-06-01", "Paper") == ["a"]
    assert category_buyers(ws.tables(), "2024-06-01", "Paper", window_months=None) == ["a", "c"]
    assert category_buyers(ws.tables(), "2024-06-01", "(unknown)") == ["d"]


def test_month_buyers_are_the_customers_behind_a_month_bar(tmp_path):
    from analysis.identify.overview import month_buyers, month_keys

    tx = [{"customer_id": "a", "order_id": "1", "date": "2024-05-01", "amount": 100.0},
          {"customer_id": "b", "order_id": "2", "date": "2024-05-31", "amount": 50.0},
          {"customer_id": "a", "order_id": "3", "date": "2024-06-01", "amount": -20.0},  # a refund is a line too
          {"customer_id": "c", "order_id": "4", "date": "2024-04-30", "amount": 10.0},
          {"customer_id": "d", "order_id": "5", "date": "2024-07-02", "amount": 10.0}]  # after the as-of date
    t = make_workspace(tmp_path, transactions=tx).tables()
    monthly = revenue_by_month(t, AS_OF)
    assert month_keys(monthly) == ["2024-04", "2024-05", "2024-06"]
    assert month_buyers(t, AS_OF, "2024-05") == ["a", "b"]
    assert month_buyers(t, AS_OF, "2024-06") == ["a"]
    assert month_buyers(t, AS_OF, "2024-07") == []
    assert [len(month_buyers(t, AS_OF, m)) for m in month_keys(monthly)] == monthly.customers.tolist()
    with pytest.raises(ValueError, match="2024-05"):
        month_buyers(t, AS_OF, "May")


def test_sentence_and_errors_in_chinese(tmp_path):
    from analysis import i18n

    ws = make_workspace(tmp_path, transactions=buyers([10.0, 20.0]))
    with i18n.using("zh"):
        assert pareto_sentence(0.78) == "前 20% 的客户贡献了 78% 的收入。"
        with pytest.raises(NotEnoughData, match="还没有带行业信息的客户"):
            breakdown(ws.tables(), AS_OF, "industry")
        with pytest.raises(NotEnoughData, match="还没有购买记录"):
            revenue_by_month(make_workspace(tmp_path, name="empty.duckdb").tables(), AS_OF)
    assert pareto_sentence(0.5, top=0.1) == "The top 10% of customers bring 50% of revenue."
