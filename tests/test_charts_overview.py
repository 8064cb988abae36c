from analysis.charts.overview import breakdown_chart, lorenz_chart, revenue_by_month_chart
from analysis.overview import breakdown, pareto, revenue_by_month
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
