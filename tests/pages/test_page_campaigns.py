"""The Campaigns page through AppTest, as a manager uses it: read the demo's verdicts, look at
the campaign that worked and its groups, make a new campaign from a filter and download its
list; in English and in Chinese. Figures are recounted here from the workspace's own rows."""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb

from tests.interact.counting import responders_by_group
from tests.pagetest import open_page


def test_read_the_verdicts_look_at_a_campaign_and_make_a_new_one(demo_copy):
    at = open_page(demo_copy, "campaigns", timeout=300)
    table = at.dataframe[0].value
    verdicts = dict(zip(table["Campaign"], table["Verdict"]))
    groups = responders_by_group(demo_copy, "Spring win-back e-mail")
    (n0, x0), (n1, x1) = groups["control"], groups["target"]
    points = 100 * (x1 / n1 - x0 / n0)
    assert verdicts["Spring win-back e-mail"].startswith(f"worked: {points:+.1f} points")
    assert verdicts["Spring catalogue e-mail"].startswith("inconclusive: the interval includes zero")

    at.selectbox(key="cp_pick").set_value("Spring win-back e-mail").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith(f"worked: {points:+.1f} points")
    # Whom it moves: the uplift model's Qini curve and the profit view, on the held-out half.
    assert any(c.value.startswith("Qini coefficient ") for c in at.caption)
    assert len(at.get("plotly_chart")) == 3  # response by group, Qini curve, profit view
    profit = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert [trace["name"] for trace in profit["data"]] == ["By predicted uplift", "By lifetime value", "Everyone alike"]
    # The sidebar's settings price it: cost per contact 15, margin 30%.
    assert any(re.search(r"contact cost of \D*15\b", c.value) and "margin of 30%" in c.value for c in at.caption)
    # The control group's customers, picked from the chart's groups.
    at.selectbox(key="cp_group").set_value("control").run()
    members = at.dataframe(key="cp_members_table").value
    assert len(members) == n0 and int(members["Responded (1 = yes)"].sum()) == x0

    # A new campaign for the top tier.
    at.multiselect(key="cp_tier").set_value(["top"]).run()
    assert not at.exception, at.exception
    planned = next(m.value for m in at.markdown if "held out" in m.value)
    target, control = (int(v.replace(",", "")) for v in re.findall(r"With ([\d,]+) targeted and ([\d,]+) held out",
                                                                     planned)[0])
    at.text_input(key="cp_name").set_value("Top tier thank-you").run()
    at.button(key="cp_create").click().run()
    assert not at.exception, at.exception
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        stored = con.execute("SELECT m.customer_id, m.arm FROM campaign_members m JOIN campaigns c USING "
                             "(campaign_id) WHERE c.name = 'Top tier thank-you'").df()
    assert (int((stored["arm"] == "target").sum()), int((stored["arm"] == "control").sum())) == (target, control)
    assert control == round(0.1 * (target + control))
    targets = at.dataframe(key="cp_targets_table").value
    assert len(targets) == target
    assert not set(targets.iloc[:, 0]) & set(stored.loc[stored["arm"] == "control", "customer_id"])
    # Starting today, after the data's last day: no verdict before its response window is in the data.
    listed = at.dataframe[0].value
    assert listed.loc[listed["Campaign"] == "Top tier thank-you", "Verdict"].iloc[0].startswith(
        "too early to tell: the response window runs until ")


def test_the_page_speaks_chinese(demo_copy):
    at = open_page(demo_copy, "campaigns", timeout=300, params={"lang": "zh"})
    verdicts = " ".join(at.dataframe[0].value.iloc[:, -1])
    assert "有效" in verdicts and "尚无定论" in verdicts
    assert at.title[0].value.endswith("营销活动")


def test_a_new_measured_campaign_changes_the_action_plan_page(demo_copy, monkeypatch, capsys):
    """A manager reads the action plan for one action, makes a campaign of that action on the
    Campaigns page (started in April, its 30-day window over by the as-of date), then opens the
    Action plan again: the plan has learned from the campaign (every suggestion of the action
    lowered 20 points, the reason naming the campaign), as ``actions --json`` says it."""
    from analysis.interact.campaigns import workspace as campaign_workspace
    from tests.cli import ok_json

    action, name = "satisfaction_callback", "April satisfaction calls"
    monkeypatch.setattr(campaign_workspace, "new_seed", lambda: 7)  # a control group drawn the same way every run
    at = open_page(demo_copy, "actions", timeout=300)
    at.multiselect(key="ac_action").set_value([action]).run()
    before = at.dataframe[-1].value
    assert len(before) > 20 and not before["Why"].str.contains(name).any()

    at.switch_page("pages/campaigns.py").run()
    at.multiselect(key="cp_action").set_value([action]).run()
    at.date_input(key="cp_start").set_value(dt.date(2026, 4, 1)).run()
    at.number_input(key="cp_window").set_value(30).run()
    at.slider(key="cp_holdout").set_value(0.5).run()
    at.text_input(key="cp_name").set_value(name).run()
    at.button(key="cp_create").click().run()
    assert not at.exception, at.exception
    verdict = at.dataframe[0].value.set_index("Campaign").loc[name, "Verdict"]
    assert verdict.startswith("inconclusive")  # nobody was called: no difference beyond chance

    at.switch_page("pages/actions.py").run()
    at.multiselect(key="ac_action").set_value([action]).run()
    assert not at.exception, at.exception
    after = at.dataframe[-1].value
    assert after["Why"].str.contains(name).all()
    old = dict(zip(before["Customer"], before["Priority"]))
    assert all(p == old[c] - 20 for c, p in zip(after["Customer"], after["Priority"]) if c in old)
    cli = ok_json(capsys, "actions", "--db", str(demo_copy), "--action", action, "--limit", len(after), "--json")
    assert [(a["customer_id"], a["priority"], a["reason"]) for a in cli] == \
        list(zip(after["Customer"], after["Priority"], after["Why"]))


def independent_tiers_and_cells(db) -> tuple[dict[str, tuple[str, str | None]], dict, object]:
    """({customer: (tier, cell)} of the buying customers, {customer: days since last purchase},
    the as-of date), computed here in SQL from the definitions: as of the last purchase day,
    active = a purchase line in the 12 months to it; the active ranked by window revenue
    (ties by id): top the first ceil(1%), big up to ceil(5%), both only with revenue above
    zero; volume thirds of the active by the same ranking (zero or negative revenue low);
    satisfaction from the latest survey on a 5-point scale (high >= 4, low <= 2, none)."""
    with duckdb.connect(str(db), read_only=True) as con:
        as_of = con.execute("SELECT max(date) FROM transactions").fetchone()[0]
        rows = con.execute("""
            WITH t AS (SELECT * FROM transactions WHERE date <= $as_of),
                 c AS (SELECT customer_id, max(date) AS last,
                              sum(amount) FILTER (WHERE date > $as_of - INTERVAL 12 MONTH) AS rev
                       FROM t GROUP BY 1),
                 a AS (SELECT *, row_number() OVER (ORDER BY rev DESC, customer_id) - 1 AS rk,
                              count(*) OVER () AS n, ntile(3) OVER (ORDER BY rev DESC, customer_id) AS third
                       FROM c WHERE last > $as_of - INTERVAL 12 MONTH),
                 s AS (SELECT customer_id, satisfaction / coalesce(scale, 5) * 5 AS sat,
                              row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at DESC) AS k
                       FROM interactions WHERE satisfaction IS NOT NULL AND occurred_at < $as_of + 1)
            SELECT c.customer_id, date_diff('day', c.last, $as_of) AS recency,
                   CASE WHEN a.customer_id IS NULL THEN 'inactive'
                        WHEN a.rev > 0 AND a.rk < ceil(a.n * 0.01 - 1e-9) THEN 'top'
                        WHEN a.rev > 0 AND a.rk < ceil(a.n * 0.05 - 1e-9) THEN 'big' ELSE 'other' END AS tier,
                   CASE WHEN a.customer_id IS NULL THEN NULL ELSE
                        CASE WHEN a.rev > 0 AND a.third = 1 THEN 'high' WHEN a.rev > 0 AND a.third = 2 THEN 'medium'
                             ELSE 'low' END || '/' ||
                        CASE WHEN s.sat IS NULL THEN 'none' WHEN s.sat >= 4 THEN 'high' WHEN s.sat <= 2 THEN 'low'
                             ELSE 'medium' END END AS cell
            FROM c LEFT JOIN a USING (customer_id) LEFT JOIN s ON s.customer_id = c.customer_id AND s.k = 1
        """, {"as_of": as_of}).fetchall()
    return {r[0]: (r[2], r[3]) for r in rows}, {r[0]: r[1] for r in rows}, as_of


def test_a_campaign_for_the_best_customers_writes_the_reasons_of_the_rows_shown_only(demo_copy, monkeypatch):
    """A manager opens the Campaigns page, picks the top and big tiers, holds out a fifth and
    creates the campaign. Its members are the top and big customers as recounted here from the
    purchase lines, the control group is drawn in every (tier, cell) stratum, and the list to
    contact is the targets in order. Nothing on the way writes a suggestion's reason for a
    customer who is not on the screen, nor the words of every customer's scores: the page
    picks a million customers as quickly as a hundred."""
    from analysis import scores as scoring
    from analysis.customize import writing
    from analysis.interact.campaigns import workspace as campaign_workspace
    from analysis.settings import ReportSettings, SegmentSettings
    from analysis.store import Workspace

    with Workspace(demo_copy) as ws:  # as after the import: the scores are stored
        scoring.score_customers(ws, settings=ReportSettings(SegmentSettings(currency="$")))
    reasons, framed = [], []
    real_write, real_text = writing.write, scoring._with_text

    def counting_write(rows, found, *args, **kwargs):
        if kwargs.get("reasons", True):
            reasons.extend(rows["customer_id"].astype(str))
        return real_write(rows, found, *args, **kwargs)

    def counting_text(frame, *args, **kwargs):
        framed.append((len(frame), args[2]))  # (rows, as-of date)
        return real_text(frame, *args, **kwargs)

    monkeypatch.setattr(writing, "write", counting_write)
    monkeypatch.setattr(scoring, "_with_text", counting_text)
    monkeypatch.setattr(campaign_workspace, "new_seed", lambda: 11)

    tiers, recency, as_of = independent_tiers_and_cells(demo_copy)
    best = {c for c, (tier, _) in tiers.items() if tier in ("top", "big")}
    assert 100 < len(best) < 1000

    at = open_page(demo_copy, "campaigns", timeout=300)
    at.multiselect(key="cp_tier").set_value(["top", "big"]).run()
    at.slider(key="cp_holdout").set_value(0.2).run()
    assert not at.exception, at.exception
    planned = next(m.value for m in at.markdown if "held out" in m.value).replace("\\", "")  # Markdown escapes
    control = (2 * len(best) * 2 + 10) // 20  # 20% of the list, halves rounded up
    assert f"With {len(best) - control:,} targeted and {control:,} held out" in planned
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        bought = {r[0] for r in con.execute("SELECT DISTINCT customer_id FROM transactions WHERE amount > 0 AND "
                                             "date > ? - INTERVAL 30 DAY AND date <= ?", [as_of, as_of]).fetchall()}
    assert f"past response rate {len(best & bought) / len(best):.1%}" in planned
    assert reasons == [], "reasons were written before anything was shown"
    # (the profit view of the demo's first campaign reads the CLV as of the day before its start)
    assert (6000, as_of) not in framed, "every customer's scores were put into words"

    at.text_input(key="cp_name").set_value("Best customers' preview").run()
    at.button(key="cp_create").click().run()
    assert not at.exception, at.exception
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        stored = con.execute("SELECT m.customer_id, m.arm, m.stratum, m.features_json FROM campaign_members m "
                             "JOIN campaigns c USING (campaign_id) WHERE c.name = ? ORDER BY m.row_number",
                             ["Best customers' preview"]).df()
    assert set(stored["customer_id"]) == best and len(stored) == len(best)
    assert list(stored["customer_id"]) == sorted(best)  # the list's order: by customer id
    for row in stored.itertuples():
        features = json.loads(row.features_json)
        assert json.loads(row.stratum) == [features["tier"], features["cell"]] == list(tiers[row.customer_id])
        assert features["recency_days"] == recency[row.customer_id]
    per_stratum = stored.groupby("stratum")["arm"].agg(lambda a: ((a == "control").sum(), len(a)))
    assert all(int(0.2 * n) <= held <= int(0.2 * n) + 1 for held, n in per_stratum)
    assert int((stored["arm"] == "control").sum()) == control

    targets = at.dataframe(key="cp_targets_table").value
    expected = stored.loc[stored["arm"] == "target", "customer_id"].tolist()
    assert targets["Customer"].tolist() == expected
    assert any(m.value == f"**{len(expected):,} customers**" for m in at.markdown)
    assert targets["Why this action"].notna().any()
    # the top actions' reasons were written for the customers shown, once each
    assert sorted(reasons) == sorted(set(reasons)) and set(reasons) <= set(expected)
    assert (6000, as_of) not in framed
