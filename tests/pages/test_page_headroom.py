"""Customer share on the pages, as a marketing manager meets it: the Headroom view of the
MVC / MCC / BZ page (the revenue still to win, with how good the wallets are beside it), MCC
on a workspace without wallets, and one customer's wallet on the Customer page; in English
and in Chinese. Figures are recomputed here from the raw rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.store import Workspace
from tests.pagetest import open_page
from tests.test_page_pyramid import transactions_only


def raw(db):
    with Workspace(db, read_only=True) as ws:
        customers = ws.query("SELECT customer_id, wallet FROM customers")
        tx = ws.query("SELECT customer_id, date, amount FROM transactions")
    as_of = pd.Timestamp(pd.to_datetime(tx["date"]).max())
    dates = pd.to_datetime(tx["date"])
    year = tx[(dates > as_of - pd.DateOffset(months=12)) & (dates <= as_of)].groupby("customer_id")["amount"].sum()
    return customers, tx, year


def headroom_table(at, header: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if header in d.value.columns)


def test_the_headroom_view_ranks_the_demo_by_revenue_still_to_win_with_the_check_beside_it(demo_copy):
    customers, tx, year = raw(demo_copy)
    given = customers[customers["wallet"] > 0].set_index("customer_id")["wallet"].astype(float)
    to_win = (given - year.reindex(given.index).fillna(0).clip(lower=0)).clip(lower=0)
    checked = len(set(given.index) & set(tx["customer_id"]))

    at = open_page(demo_copy, "value")
    assert [t.label for t in at.tabs][-1] == "Headroom"
    check = next(i.value for i in at.info if i.value.startswith("Checked on"))
    assert f"Checked on the {checked:,} wallets you gave" in check and "median error" in check
    table = headroom_table(at, "Still to win ($)")
    assert list(table.columns) == ["Customer", "Name", "Still to win ($)", "Wallet ($)", "Revenue in window ($)",
                                   "Share of wallet", "Wallet from"]
    assert table["Still to win ($)"].is_monotonic_decreasing and len(table) == 1000
    # The demo's biggest wallets are given: the top of the list is theirs, to the unit.
    top = to_win.sort_values(ascending=False, kind="stable")
    assert table.loc[0, "Customer"] == top.index[0]
    assert table.loc[0, "Still to win ($)"] == round(top.iloc[0])
    assert table.loc[0, "Wallet ($)"] == round(given[top.index[0]])
    assert table.loc[0, "Wallet from"] == "given by you"
    assert set(table["Wallet from"]) - {"given by you"}, "estimated wallets rank among the given ones"
    assert table["Wallet from"][table["Wallet from"] != "given by you"].str.startswith("estimated from").all()

    zh = open_page(demo_copy, "value", params={"lang": "zh"})
    assert [t.label for t in zh.tabs][-1] == "增长余量"
    assert any(i.value.startswith(f"用您提供的 {checked:,} 个钱包检验") for i in zh.info)
    table_zh = headroom_table(zh, "尚待争取（$）")
    assert table_zh["尚待争取（$）"].tolist() == table["Still to win ($)"].tolist()
    assert table_zh.loc[0, "钱包来源"] == "由您提供"
    assert table_zh["钱包来源"][table_zh["钱包来源"] != "由您提供"].str.startswith("根据").all()


def test_without_any_wallet_mcc_grows_into_the_estimated_wallet_and_says_it_is_a_benchmark(tmp_path):
    db = transactions_only(tmp_path)
    _, tx, year = raw(db)
    # The estimate with no look-alike groups to tell apart: the 90th percentile of what this
    # year's buyers spend; each customer's wallet is at least their own year.
    peers = np.quantile(year.to_numpy(dtype=float), 0.9)
    wallet = np.maximum(peers, year)

    at = open_page(db, "value")
    assert any("peer benchmark, not a measurement" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    # Over every buyer with a wallet: those who did not buy this year spend 0% of theirs.
    shares = (year / wallet).reindex(tx["customer_id"].unique()).fillna(0.0)
    assert metrics["Median share of wallet"] == f"{round(100 * shares.median())}%"
    mcc = next(d.value for d in at.dataframe if "Why" in d.value.columns
               and d.value["Why"].str.startswith("Spends").any())
    smallest = year.sort_values(kind="stable").index[0]
    row = mcc[mcc["Customer"] == smallest].iloc[0]
    # (no currency is known for this workspace: amounts without a symbol)
    assert row["Why"] == (f"Spends {round(100 * year[smallest] / wallet[smallest])}% of a {round(wallet[smallest]):,} "
                          f"wallet estimated from similar customers (room for {round(wallet[smallest] - year[smallest]):,})")
    table = headroom_table(at, "Still to win")
    assert len(table) == tx["customer_id"].nunique()  # every buyer, the lapsed ones too
    assert table["Wallet from"].str.startswith(f"estimated from all {len(year)} customers who buy").all()

    zh = open_page(db, "value", params={"lang": "zh"})
    assert any("同类基准，而不是实测" in i.value for i in zh.info)
    assert any(d.value["原因"].str.contains("根据相似客户估算的钱包").any() for d in zh.dataframe if "原因" in d.value.columns)


def test_the_customer_page_says_where_the_wallet_comes_from(demo_copy):
    customers, tx, year = raw(demo_copy)
    given = customers[customers["wallet"] > 0].set_index("customer_id")["wallet"].astype(float)
    cid = sorted(c for c in given.index if year.get(c, 0) > 0)[0]
    spend = float(year[cid])

    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value(cid).run()
    line = next(x.value for x in at.text if x.value.startswith("Wallet "))
    assert line == (f"Wallet ${round(given[cid]):,} a year: {round(100 * spend / given[cid])}% with you, "
                    f"${round(given[cid] - spend):,} still to win; given by you")

    estimated = sorted(c for c in year.index if c not in given.index and year[c] > 0)[0]
    at.text_input(key="cu_search").set_value(estimated).run()
    line = next(x.value for x in at.text if x.value.startswith("Wallet "))
    assert "; estimated from " in line and " similar customers (" in line

    zh = open_page(demo_copy, "customer", params={"lang": "zh", "customer": estimated})  # a shared link
    line = next(x.value for x in zh.text if x.value.startswith("钱包每年"))
    assert "；根据 " in line and " 位相似客户（" in line
