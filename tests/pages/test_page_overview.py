"""The Overview page through AppTest on the demo company and on a transactions-only workspace."""

import json

from analysis import i18n

from tests.builders import make_workspace
from tests.pagetest import open_page
from ui.lists import MAX_SHOWN


def test_overview_on_demo(demo_copy):
    at = open_page(demo_copy)  # Overview is the default page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "6,000"
    assert int(metrics["Active customers"].replace(",", "")) > 1000
    assert any("The top 20% of customers bring" in h.value for h in at.subheader)
    charts = at.get("plotly_chart")
    assert len(charts) >= 3
    lorenz = json.loads(charts[0].proto.spec)
    assert lorenz["data"], "the Lorenz chart has data"
    # "Revenue by month" heads the chart once; a month bar (clicked or picked) lists its buyers
    months = json.loads(charts[1].proto.spec)
    assert "title" not in months["layout"] or not months["layout"]["title"].get("text")
    assert [h.value for h in at.subheader].count("Revenue by month") == 1
    month, _, buyers = months["data"][0]["customdata"][-2][:3]
    at.selectbox(key="ov_month").set_value(month).run()
    assert not at.exception
    shown = i18n.month(f"{month}-01")  # "May 2026"
    assert any(m.value == f"**Customers who bought in {shown}**" for m in at.markdown)
    listed = next(d.value for d in at.dataframe if "Customer" in d.value.columns)
    assert len(listed) == min(buyers, MAX_SHOWN) and buyers > 0 and listed["Customer"].is_unique
    assert any(f"{buyers:,} customers" in m.value for m in at.markdown)  # the count is the whole month


def test_overview_with_only_transactions(tmp_path):
    ws = make_workspace(tmp_path, transactions=[
        {"customer_id": "a", "date": "2024-01-01", "amount": 10.0},
        {"customer_id": "b", "date": "2024-02-01", "amount": 30.0},
    ])
    ws.close()
    at = open_page(ws.path)
    assert not at.exception
    # no customer list: region/industry/channel breakdowns explain themselves instead of failing
    assert any("region" in i.value for i in at.info)


def test_the_demo_company_says_so_on_the_first_screen(demo_copy, tmp_path):
    from tests.builders import buyers, make_workspace

    at = open_page(demo_copy)  # the app opens on the Overview
    assert at.title[0].value.endswith("Overview")
    assert at.info[0].value.startswith("**This is a demo company.** Northwind Office Supply")
    zh = open_page(demo_copy, params={"lang": "zh"})
    assert zh.info[0].value.startswith("**这是一家演示公司。**")
    own = make_workspace(tmp_path, transactions=buyers([10.0, 20.0]))
    own.close()
    assert not [i for i in open_page(own.path).info if "demo company" in i.value]  # a user's own data: no notice
