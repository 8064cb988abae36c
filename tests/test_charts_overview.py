from analysis.charts.overview import breakdown_chart, lorenz_chart, revenue_by_month_chart
from analysis.identify.overview import breakdown, pareto, revenue_by_month
from tests.test_charts_segments import AS_OF, ws_for_charts


def test_overview_charts(tmp_path):
    t = ws_for_charts(tmp_path).tables()
    curve, top20, gini = pareto(t, AS_OF)
    fig = lorenz_chart(curve, top20, gini)
    assert f"{gini:.2f}" in fig.layout.title.text
    assert fig.data[2].x[0] == 0.2 and fig.data[2].y[0] == top20
    monthly = revenue_by_month(t, AS_OF)
    months = revenue_by_month_chart(monthly)
    assert list(months.data[0].y) == list(monthly.revenue)
    assert [c[0] for c in months.data[0].customdata] == [str(m)[:7] for m in monthly.month]
    assert months.layout.title.text == "Revenue by month"
    assert revenue_by_month_chart(monthly, title=None).layout.title.text is None
    cat = breakdown(t, AS_OF, "category")
    bc = breakdown_chart(cat, "category")
    assert [c[0] for c in bc.data[0].customdata] == list(cat.category)
    assert bc.layout.xaxis.title.text.startswith("Net revenue")


def test_overview_charts_in_chinese(tmp_path):
    from analysis import i18n

    t = ws_for_charts(tmp_path).tables()
    curve, top20, gini = pareto(t, AS_OF)
    region = breakdown(t, AS_OF, "region")
    with i18n.using("zh"):
        fig = lorenz_chart(curve, top20, gini)
        bc = breakdown_chart(region, "region", currency="¥")
        monthly = revenue_by_month_chart(revenue_by_month(t, AS_OF), currency="¥")
        compact = [i18n.compact(v, "¥") for v in revenue_by_month(t, AS_OF).revenue]
    assert fig.layout.title.text == f"收入集中度（基尼系数 {gini:.2f}）"
    assert fig.data[2].name == "前 20%" and fig.data[2].hovertemplate.startswith("前 20% 的客户：贡献 %{y:.0%} 的收入")
    assert bc.layout.title.text == "按地区统计的收入" and bc.layout.xaxis.title.text == "净收入（¥）"
    assert list(bc.data[0].y) == ["（未知）", "North"] and [c[0] for c in bc.data[0].customdata] == list(region.region)
    assert "收入：%{customdata[3]}" in monthly.data[0].hovertemplate
    assert [c[3] for c in monthly.data[0].customdata] == compact


def test_date_ticks_read_in_chinese():
    import pandas as pd

    from analysis import i18n
    from analysis.charts.overview import revenue_by_month_chart

    monthly = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "revenue": [10.0, 20.0],
                            "orders": [1, 2], "customers": [1, 2]})
    from analysis.charts import date_ticks

    english = revenue_by_month_chart(monthly).layout.xaxis  # monthly bars: a tick per month, as months
    assert (list(english.tickvals), list(english.ticktext)) == (["2024-01", "2024-02"], ["Jan 2024", "Feb 2024"])
    assert not date_ticks()  # other date axes in English: plotly's own
    with i18n.using("zh"):
        chinese = revenue_by_month_chart(monthly).layout.xaxis
        stops = date_ticks()["tickformatstops"]
    assert list(chinese.ticktext) == ["2024年1月", "2024年2月"]
    assert [s["value"] for s in stops] == ["%-m月%-d日\n%Y年", "%Y年%-m月", "%Y年"]


def test_many_months_are_ticked_every_few_months_from_the_first_bar():
    import pandas as pd

    from analysis.charts.overview import revenue_by_month_chart

    months = pd.date_range("2022-11-01", periods=30, freq="MS")
    monthly = pd.DataFrame({"month": months, "revenue": [float(n) for n in range(30)], "orders": 1, "customers": 1})
    axis = revenue_by_month_chart(monthly).layout.xaxis
    keys = [f"{m.year}-{m.month:02d}" for m in months]
    assert list(axis.tickvals) == keys[::3] and len(axis.tickvals) == 10  # 30 bars: every third month
    assert list(axis.ticktext)[:2] == ["Nov 2022", "Feb 2023"]
