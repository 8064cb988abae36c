"""The rule registry, every built-in rule, the learning relationship and the fatigue cap,
on hand-built scores frames (the contract the lead's scores assembly fills)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from analysis.customize import actions, catalog
from analysis.customize.actions import (
    RULES, SUGGESTION_COLUMNS, TEXTS, ActionSettings, CustomerContext, Suggestion,
    customer_actions, render, rule, suggest, unregister,
)

AS_OF = dt.date(2024, 7, 3)
INTERACTION_COLUMNS = [
    "interaction_id", "customer_id", "occurred_at", "channel", "kind", "satisfaction", "scale",
    "outcome", "note", "answers_action", "recorded_by",
]
TRANSACTION_COLUMNS = ["customer_id", "date", "amount", "category"]


def customer(customer_id: str = "c1", **fields) -> dict:
    """A scores row that triggers no built-in rule; override fields to trigger one."""
    row = dict(
        customer_id=customer_id, name=f"Name {customer_id}", region="North", industry="Retail",
        channel="direct", tier="small", is_mvc=False, is_mcc=False, is_bz=False, profit=300.0,
        volume_tier="low", satisfaction_tier="none", cell=None, rfm_segment="Loyal",
        cluster_name="Steady", revenue=2000.0, revenue_window=800.0, orders=6,
        last_purchase=dt.date(2024, 6, 23), first_purchase=dt.date(2022, 3, 1),
        recency_days=None, purchase_days=6, complaints=0, contacts=0, satisfaction_5=np.nan,
        p_alive=0.95, expected_next_purchase=pd.NaT, clv=np.nan,
    )
    row.update(fields)
    if row["recency_days"] is None and row["last_purchase"] is not None:
        row["recency_days"] = (AS_OF - row["last_purchase"]).days
    return row


def interaction(customer_id: str, occurred_at: str, kind: str = "contact", **fields) -> dict:
    row = dict.fromkeys(INTERACTION_COLUMNS)
    row.update(customer_id=customer_id, occurred_at=pd.Timestamp(occurred_at), kind=kind, channel="phone")
    row.update(fields)
    return row


def frame(rows, columns) -> pd.DataFrame:
    out = pd.DataFrame(list(rows), columns=columns)
    if "interaction_id" in out:
        out["interaction_id"] = range(1, len(out) + 1)
    return out


def run(rows, interactions=(), transactions=(), settings=ActionSettings(), rules=None, as_of=AS_OF):
    scores = pd.DataFrame([r if isinstance(r, dict) else customer(r) for r in rows])
    return suggest(
        scores, frame(interactions, INTERACTION_COLUMNS), frame(transactions, TRANSACTION_COLUMNS),
        as_of, settings, rules=rules,
    )


def actions_of(out: pd.DataFrame, customer_id: str = "c1") -> list[str]:
    return sorted(out.loc[out["customer_id"] == customer_id, "action"])


def one(out: pd.DataFrame, action: str, customer_id: str = "c1") -> pd.Series:
    hits = out[(out["customer_id"] == customer_id) & (out["action"] == action)]
    assert len(hits) == 1, out
    return hits.iloc[0]


def purchases(customer_id: str, dates, amount: float = 100.0, category: str = "Books") -> list[dict]:
    return [dict(customer_id=customer_id, date=dt.date.fromisoformat(d), amount=amount, category=category) for d in dates]


# -- the quiet customer --------------------------------------------------------------------
def test_a_quiet_customer_gets_nothing():
    out = run([customer()])
    assert list(out.columns) == SUGGESTION_COLUMNS
    assert out.empty


# -- treatment of the satisfaction-by-volume cell -----------------------------------------
def test_partner_invite_for_high_volume_and_high_satisfaction():
    out = run([
        customer("c1", volume_tier="high", satisfaction_tier="high", satisfaction_5=4.6, revenue_window=12000.0),
        customer("c2", volume_tier="high", satisfaction_tier="medium", satisfaction_5=3.5),
        customer("c3", volume_tier="medium", satisfaction_tier="high", satisfaction_5=4.8),
    ], rules=["partner_invite"])
    row = one(out, "partner_invite")
    assert "12,000" in row.reason and "4.6 of 5" in row.reason
    assert row.channel == "visit" and row.due == AS_OF + dt.timedelta(days=14)
    assert actions_of(out, "c2") == [] and actions_of(out, "c3") == []


def test_low_satisfaction_gets_a_call_back_within_three_days_high_volume_first():
    out = run([
        customer("c1", volume_tier="high", satisfaction_tier="low", satisfaction_5=2.0, revenue_window=9000.0, complaints=2),
        customer("c2", volume_tier="low", satisfaction_tier="low", satisfaction_5=1.5),
        customer("c3", volume_tier="high", satisfaction_tier="medium", satisfaction_5=3.0),
    ], rules=["satisfaction_callback"])
    high, low = one(out, "satisfaction_callback", "c1"), one(out, "satisfaction_callback", "c2")
    assert high.due == AS_OF + dt.timedelta(days=3) and high.channel == "phone"
    assert "2.0 of 5" in high.reason and "9,000" in high.reason and "2 complaints" in high.reason
    assert "3 days" in high.title
    assert high.priority > low.priority
    assert actions_of(out, "c3") == []


def test_low_satisfaction_without_a_score_still_reads_well():
    out = run([customer(satisfaction_tier="low", satisfaction_5=np.nan)], rules=["satisfaction_callback"])
    assert one(out, "satisfaction_callback").reason.startswith("Satisfaction is low")


def test_relationship_plan_for_the_medium_volume_tier_unless_unhappy():
    out = run([
        customer("c1", volume_tier="medium", satisfaction_tier="high", revenue_window=4321.0, orders=7),
        customer("c2", volume_tier="medium", satisfaction_tier="low"),
        customer("c3", volume_tier="low", satisfaction_tier="high"),
    ], rules=["relationship_plan"])
    row = one(out, "relationship_plan")
    assert "4,321" in row.reason and "7 orders" in row.reason
    assert actions_of(out, "c2") == [] and actions_of(out, "c3") == []


# -- win-back ------------------------------------------------------------------------------
MONTHLY = ["2024-01-01", "2024-01-31", "2024-03-01", "2024-03-31"]  # every 30 days


def test_win_back_when_overdue_against_the_customers_own_interval():
    out = run(
        [customer(last_purchase=dt.date(2024, 3, 31), p_alive=0.41, tier="medium")],
        transactions=purchases("c1", MONTHLY), rules=["win_back"],
    )
    row = one(out, "win_back")
    assert row.reason == "Last bought 94 days ago; usually buys every 30 days; P(alive) 41%."
    assert row.due == AS_OF + dt.timedelta(days=7)


def test_no_win_back_when_within_the_usual_interval():
    recent = MONTHLY[:-1] + ["2024-06-01"]
    out = run([customer(last_purchase=dt.date(2024, 6, 1), p_alive=0.9)],
              transactions=purchases("c1", recent), rules=["win_back"])
    assert out.empty  # 32 days since the last purchase < 1.5 x the usual gap


def test_win_back_needs_three_purchase_days_for_the_interval():
    out = run([customer(last_purchase=dt.date(2024, 1, 31), p_alive=np.nan)],
              transactions=purchases("c1", MONTHLY[:2]), rules=["win_back"])
    assert out.empty  # 154 days overdue on paper, but one gap is not a habit


def test_win_back_on_a_low_p_alive_alone():
    out = run([customer(last_purchase=dt.date(2024, 5, 1), p_alive=0.2)],
              transactions=purchases("c1", ["2024-05-01"]), rules=["win_back"])
    assert one(out, "win_back").reason == "Last bought 63 days ago; P(alive) 20%, below 50%."


def test_win_back_without_a_clv_model_says_only_what_it_knows():
    out = run([customer(last_purchase=dt.date(2024, 3, 31), p_alive=np.nan)],
              transactions=purchases("c1", MONTHLY), rules=["win_back"])
    assert one(out, "win_back").reason == "Last bought 94 days ago; usually buys every 30 days."


def test_win_back_threshold_comes_from_the_settings():
    rows = [customer(last_purchase=dt.date(2024, 6, 1), p_alive=0.4)]
    assert len(run(rows, rules=["win_back"])) == 1
    assert run(rows, rules=["win_back"], settings=ActionSettings(p_alive_threshold=0.3)).empty


# -- complaints ----------------------------------------------------------------------------
def test_open_complaint_gets_a_follow_up_with_its_date():
    out = run([customer()], interactions=[interaction("c1", "2024-06-21 10:00", "complaint")],
              rules=["complaint_follow_up"])
    row = one(out, "complaint_follow_up")
    assert "2024-06-21" in row.reason and "12 days ago" in row.reason and "open complaints: 1" in row.reason
    assert row.priority == 95 and row.due == AS_OF + dt.timedelta(days=1)


def test_a_later_resolved_interaction_closes_the_complaint():
    out = run([customer()], interactions=[
        interaction("c1", "2024-06-21 10:00", "complaint"),
        interaction("c1", "2024-06-22 09:00", "contact", outcome="Resolved"),
    ], rules=["complaint_follow_up"])
    assert out.empty


def test_a_complaint_resolved_on_the_spot_is_closed_but_a_new_one_opens():
    out = run([customer()], interactions=[
        interaction("c1", "2024-05-01 10:00", "complaint", outcome="resolved"),
        interaction("c1", "2024-06-30 10:00", "complaint"),
    ], rules=["complaint_follow_up"])
    row = one(out, "complaint_follow_up")
    assert "2024-06-30" in row.reason and "open complaints: 1" in row.reason


def test_a_resolution_before_the_complaint_does_not_close_it():
    out = run([customer()], interactions=[
        interaction("c1", "2024-06-01 10:00", "resolution"),
        interaction("c1", "2024-06-10 10:00", "complaint"),
    ], rules=["complaint_follow_up"])
    assert len(out) == 1


def test_a_complaint_after_as_of_is_not_seen():
    out = run([customer()], interactions=[interaction("c1", "2024-07-04 10:00", "complaint")],
              rules=["complaint_follow_up"])
    assert out.empty


# -- cross-sell ----------------------------------------------------------------------------
def basket_world() -> list[dict]:
    """8 customers buy Furniture, 5 of them also Office Supplies; 4 buy only Technology."""
    rows = []
    for n in range(1, 9):
        rows += purchases(f"f{n}", ["2024-02-01"], category="Furniture")
        if n <= 5:
            rows += purchases(f"f{n}", ["2024-03-01"], category="Office Supplies")
    for n in range(1, 5):
        rows += purchases(f"t{n}", ["2024-02-01"], category="Technology")
    return rows


def test_cross_sell_names_the_evidence():
    ids = [f"f{n}" for n in range(1, 9)] + [f"t{n}" for n in range(1, 5)]
    out = run([customer(i) for i in ids], transactions=basket_world(), rules=["cross_sell"])
    assert sorted(out["customer_id"]) == ["f6", "f7", "f8"]
    row = one(out, "cross_sell", "f6")
    # confidence 5/8, lift (5/8) / (5/12) = 1.5
    assert row.reason == (
        f"{5 / 8:.0%} of customers who buy Furniture also buy Office Supplies (lift 1.5); "
        "this customer has never bought Office Supplies."
    )
    assert row.title == "Offer Office Supplies"


def test_cross_sell_respects_the_minimum_support():
    ids = [f"f{n}" for n in range(1, 9)]
    out = run([customer(i) for i in ids], transactions=basket_world(), rules=["cross_sell"],
              settings=ActionSettings(crosssell_min_customers=6))
    assert out.empty


# -- BZ, top tier, MCC ---------------------------------------------------------------------
def test_cost_to_serve_review_for_below_zero_customers():
    out = run([customer("c1", is_bz=True, profit=-1250.0, revenue=800.0, contacts=9, complaints=3),
               customer("c2", is_bz=False, profit=-10.0)], rules=["cost_to_serve_review"])
    row = one(out, "cost_to_serve_review")
    assert "-1,250" in row.reason and "9 contacts" in row.reason and "3 complaints" in row.reason
    assert row.channel == "internal"
    assert actions_of(out, "c2") == []


def test_thank_you_and_referral_for_the_top_tier_only():
    out = run([customer("c1", tier="top", revenue_window=55000.0, orders=31),
               customer("c2", tier="big")], rules=["thank_you_referral"])
    row = one(out, "thank_you_referral")
    assert "55,000" in row.reason and "31 orders" in row.reason and "2022-03-01" in row.reason
    assert actions_of(out, "c2") == []


def test_mcc_grow_share_of_wallet_with_and_without_a_wallet():
    out = run([customer("c1", is_mcc=True, revenue_window=10000.0, wallet=40000.0),
               customer("c2", is_mcc=True, revenue_window=5000.0, wallet=np.nan),
               customer("c3", is_mcc=False)], rules=["grow_share_of_wallet"])
    assert "25%" in one(out, "grow_share_of_wallet", "c1").reason
    assert "40,000" in one(out, "grow_share_of_wallet", "c1").reason
    assert "5,000" in one(out, "grow_share_of_wallet", "c2").reason
    assert actions_of(out, "c3") == []


# -- the learning relationship -------------------------------------------------------------
HAPPY_BIG = dict(volume_tier="high", satisfaction_tier="high", satisfaction_5=4.5)


@pytest.mark.parametrize("days_ago, cooloff, suggested", [(30, 90, False), (100, 90, True), (100, 120, False)])
def test_a_refusal_cools_off(days_ago, cooloff, suggested):
    when = pd.Timestamp(AS_OF) - pd.Timedelta(days=days_ago)
    out = run([customer(**HAPPY_BIG)], interactions=[
        interaction("c1", when, outcome="Not_Interested", answers_action="partner_invite"),
    ], rules=["partner_invite"], settings=ActionSettings(cooloff_days=cooloff, fatigue_cap=5))
    assert (len(out) == 1) is suggested


def test_done_stops_an_action_until_the_next_trigger():
    survey = interaction("c1", "2024-05-01 09:00", "survey", satisfaction=2, scale=10)
    done = interaction("c1", "2024-05-03 09:00", outcome="done", answers_action="satisfaction_callback")
    low = customer(satisfaction_tier="low", satisfaction_5=1.0)
    assert run([low], interactions=[survey, done], rules=["satisfaction_callback"]).empty
    newer = interaction("c1", "2024-06-01 09:00", "survey", satisfaction=3, scale=10)
    assert len(run([low], interactions=[survey, done, newer], rules=["satisfaction_callback"])) == 1


def test_done_without_a_trigger_date_waits_the_repeat_period():
    top = customer(tier="top")
    recent = interaction("c1", "2024-06-20", outcome="accepted", answers_action="thank_you_referral")
    old = interaction("c1", "2023-06-20", outcome="accepted", answers_action="thank_you_referral")
    assert run([top], interactions=[recent], rules=["thank_you_referral"]).empty
    assert len(run([top], interactions=[old], rules=["thank_you_referral"])) == 1


def test_a_win_back_done_after_the_last_purchase_waits_for_the_next_lapse():
    lapsed = customer(last_purchase=dt.date(2024, 3, 31), p_alive=0.3)
    done = interaction("c1", "2024-05-01", outcome="done", answers_action="win_back")
    assert run([lapsed], interactions=[done], transactions=purchases("c1", MONTHLY), rules=["win_back"]).empty
    before = interaction("c1", "2024-03-01", outcome="done", answers_action="win_back")
    assert len(run([lapsed], interactions=[before], transactions=purchases("c1", MONTHLY), rules=["win_back"])) == 1


def test_complaint_follow_up_answered_resolved_stops_and_no_answer_does_not():
    complaint = interaction("c1", "2024-06-21 10:00", "complaint")
    no_answer = interaction("c1", "2024-06-22 10:00", outcome="no answer", answers_action="complaint_follow_up")
    assert len(run([customer()], interactions=[complaint, no_answer], rules=["complaint_follow_up"])) == 1
    resolved = interaction("c1", "2024-06-23 10:00", outcome="resolved", answers_action="complaint_follow_up")
    assert run([customer()], interactions=[complaint, no_answer, resolved], rules=["complaint_follow_up"]).empty


def test_the_latest_answer_counts_and_other_actions_are_untouched():
    rows = [customer(tier="top", **HAPPY_BIG)]
    answers = [
        interaction("c1", "2024-06-01", outcome="refused", answers_action="partner_invite"),
        interaction("c1", "2024-06-02", outcome="call back later", answers_action="partner_invite"),
    ]
    out = run(rows, interactions=answers, rules=["partner_invite", "thank_you_referral"],
              settings=ActionSettings(fatigue_cap=9))
    assert actions_of(out) == ["partner_invite", "thank_you_referral"]


# -- contact fatigue -----------------------------------------------------------------------
BUSY = dict(tier="top", is_mcc=True, is_bz=True, **HAPPY_BIG)  # 3 capped rules + 1 internal


def test_fatigue_cap_keeps_the_highest_priorities():
    out = run([customer(**BUSY)])
    # partner 60 and thank-you 55 beat MCC 50; the internal review is not a contact
    assert actions_of(out) == ["cost_to_serve_review", "partner_invite", "thank_you_referral"]
    assert list(out["priority"]) == sorted(out["priority"], reverse=True)


def test_fatigue_cap_counts_contacts_already_recorded_in_the_period():
    within = interaction("c1", "2024-06-20", "visit")
    outside = interaction("c1", "2024-05-20", "contact")
    complaint = interaction("c1", "2024-06-25", "complaint", outcome="resolved")
    out = run([customer(**BUSY)], interactions=[within, outside, complaint])
    assert actions_of(out) == ["cost_to_serve_review", "partner_invite"]
    out = run([customer(**BUSY)], interactions=[within, interaction("c1", "2024-07-01", "survey")])
    assert actions_of(out) == ["cost_to_serve_review"]


def test_fatigue_cap_and_period_come_from_the_settings():
    out = run([customer(**BUSY)], settings=ActionSettings(fatigue_cap=3))
    assert len(out) == 4
    within = interaction("c1", "2024-06-20", "visit")
    out = run([customer(**BUSY)], interactions=[within], settings=ActionSettings(fatigue_days=7))
    assert len(out) == 3


def test_a_complaint_follow_up_is_never_capped():
    many = [interaction("c1", f"2024-06-{d:02d}", "contact") for d in (20, 21, 22)]
    out = run([customer(**BUSY)], interactions=many + [interaction("c1", "2024-06-30", "complaint")])
    assert actions_of(out) == ["complaint_follow_up", "cost_to_serve_review"]


# -- the registry --------------------------------------------------------------------------
def test_a_custom_rule_uses_the_same_decorator_and_text_table():
    @rule(id="birthday_card", kind="custom", title="Send a card",
          reason="Customer since {first_purchase:%Y}; {orders:.0f} orders.", when=lambda f: f["region"] == "North")
    def birthday_card(c: CustomerContext) -> list[Suggestion]:
        return [c.suggestion("birthday_card", 20, due_days=5, channel="letter")]

    try:
        with pytest.raises(ValueError, match="already registered"):
            rule(id="birthday_card", kind="custom")(birthday_card)
        out = run([customer("c1"), customer("c2", region="South")])
        row = one(out, "birthday_card")
        assert row.reason == "Customer since 2022; 6 orders." and row.kind == "custom"
        assert actions_of(out, "c2") == []
    finally:
        unregister("birthday_card")
    assert "birthday_card" not in RULES and "birthday_card" not in TEXTS


def test_a_rule_names_its_action_family_and_the_old_name_still_works():
    """A marketer writes one rule with today's ``family=`` and keeps last year's, written with
    ``kind=``: both run, each suggestion carries its family (``kind`` in the plan's rows, the
    ``actions --json`` contract), and naming the family twice, or not at all, is refused."""
    @rule(id="anniversary_call", family="retention", title="Call on the anniversary", reason="{orders:.0f} orders.")
    def anniversary(c: CustomerContext) -> list[Suggestion]:
        return [c.suggestion("anniversary_call", 30, due_days=2, channel="phone")]

    @rule(id="season_letter", kind="growth", title="Send the season's letter", reason="{orders:.0f} orders.")
    def season(c: CustomerContext) -> list[Suggestion]:
        return [c.suggestion("season_letter", 25, due_days=9, channel="letter")]

    try:
        assert RULES["anniversary_call"].family == "retention" and RULES["season_letter"].family == "growth"
        assert RULES["season_letter"].kind == "growth"  # the old attribute name reads the same
        with pytest.raises(TypeError, match="family"):
            rule(id="both", family="growth", kind="growth", replace=True)
        with pytest.raises(TypeError, match="family"):
            rule(id="neither", replace=True)
        out = run([customer("c1")])
        assert (one(out, "anniversary_call").kind, one(out, "season_letter").kind) == ("retention", "growth")
        assert (one(out, "anniversary_call").channel, one(out, "season_letter").channel) == ("phone", "letter")
    finally:
        unregister("anniversary_call")
        unregister("season_letter")
    assert "both" not in RULES and "neither" not in RULES


def test_every_builtin_rule_has_its_texts():
    for rule_id in RULES:
        assert {"title", "reason"} <= set(TEXTS[rule_id]), rule_id


def test_missing_values_print_as_not_available():
    assert render("thank_you_referral", revenue_window=np.nan, window_months=12, orders=None,
                  first_purchase=pd.NaT) == (
        "Top-tier customer: revenue n/a in the last 12 months, n/a orders since n/a."
    )


def test_unknown_rule_id_is_refused():
    with pytest.raises(ValueError, match="unknown rule"):
        run([customer()], rules=["no_such_rule"])


def test_output_copies_the_filter_columns_and_sorts_by_priority():
    out = run([customer("c1", tier="top", cluster_name="Whales", rfm_segment="Champions", cell="high/high", **{
        k: v for k, v in HAPPY_BIG.items()}), customer("c2", is_bz=True, region="South")])
    assert list(out["priority"]) == sorted(out["priority"], reverse=True)
    top = one(out, "thank_you_referral")
    assert (top.tier, top.cell, top.cluster_name, top.rfm_segment, top.region) == (
        "top", "high/high", "Whales", "Champions", "North")
    assert one(out, "cost_to_serve_review", "c2").region == "South"


def test_customer_actions_matches_suggest_for_that_customer():
    ids = [f"f{n}" for n in range(1, 9)]
    rows = [customer(i, tier="top" if i == "f6" else "small") for i in ids]
    everyone = run(rows, transactions=basket_world())
    scores = pd.DataFrame(rows)
    mine = customer_actions(scores, frame([], INTERACTION_COLUMNS), pd.DataFrame(basket_world()), "f6", AS_OF)
    expected = everyone[everyone["customer_id"] == "f6"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), expected)
    assert sorted(mine["action"]) == ["cross_sell", "thank_you_referral"]


def test_six_thousand_customers_each_get_a_sane_plan():
    """A plan for 6,000 random customers (its speed is measured in benchmarks/, not here)."""
    seed = 20240703
    print("seed", seed)
    rng = np.random.default_rng(seed)
    n = 6000
    ids = [f"c{i:05d}" for i in range(n)]
    last = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    scores = pd.DataFrame([customer(
        i, tier=t, volume_tier=v, satisfaction_tier=s, satisfaction_5=q, p_alive=p,
        is_mcc=m, is_bz=b, last_purchase=d.date(),
    ) for i, t, v, s, q, p, m, b, d in zip(
        ids, rng.choice(["top", "big", "medium", "small", "inactive"], n),
        rng.choice(["high", "medium", "low"], n), rng.choice(["high", "medium", "low", "none"], n),
        rng.uniform(1, 5, n), rng.random(n), rng.random(n) < 0.1, rng.random(n) < 0.1, last,
    )])
    m = 60_000
    tx = pd.DataFrame(dict(
        customer_id=rng.choice(ids, m), amount=rng.uniform(-10, 100, m),
        date=(pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, m), unit="D")).date,
        category=rng.choice(list("ABCDEFGH"), m),
    ))
    k = 8000
    ix = frame([interaction(
        c, pd.Timestamp("2023-07-01") + pd.Timedelta(hours=int(h)), kind, outcome=o, answers_action=a,
    ) for c, h, kind, o, a in zip(
        rng.choice(ids, k), rng.integers(0, 360 * 24, k),
        rng.choice(["contact", "complaint", "survey", "visit", "resolution"], k),
        rng.choice([None, "done", "refused", "resolved"], k),
        rng.choice([None, "win_back", "partner_invite"], k),
    )], INTERACTION_COLUMNS)
    started = time.perf_counter()
    out = suggest(scores, ix, tx, AS_OF)
    took = time.perf_counter() - started
    print(f"{len(out)} suggestions for {n} customers in {took:.2f} s")
    per_customer = out[out["action"].isin(["partner_invite", "thank_you_referral", "grow_share_of_wallet",
                                           "win_back", "satisfaction_callback", "relationship_plan",
                                           "cross_sell"])].groupby("customer_id").size()
    assert per_customer.max() <= ActionSettings().fatigue_cap
    assert set(out["action"]) >= {"win_back", "complaint_follow_up", "thank_you_referral"}


# -- Chinese -------------------------------------------------------------------------------
def test_reasons_and_titles_read_in_chinese():
    from analysis import i18n

    with i18n.using("zh"):
        win = one(run([customer(last_purchase=dt.date(2024, 3, 31), p_alive=0.41, tier="medium")],
                      transactions=purchases("c1", MONTHLY), rules=["win_back"]), "win_back")
        complaint = one(run([customer()], interactions=[interaction("c1", "2024-06-21 10:00", "complaint")],
                            rules=["complaint_follow_up"]), "complaint_follow_up")
        call = one(run([customer(volume_tier="high", satisfaction_tier="low", satisfaction_5=2.0,
                                 revenue_window=9000.0, complaints=2)], rules=["satisfaction_callback"]),
                   "satisfaction_callback")
        missing = render("thank_you_referral", revenue_window=np.nan, window_months=12, orders=None,
                         first_purchase=None)
        labels = (catalog.action_level_label("high"), catalog.action_channel_label("phone"), catalog.action_family_label("growth"))
    assert win.title == "挽回客户"
    assert win.reason == "最近一次购买在 94 天前；通常每 30 天购买一次；仍活跃概率 41%。"
    assert complaint.reason == "2024年6月21日（12 天前）的投诉尚无解决记录；未解决投诉：1 起。"
    assert call.title == "3 天内回电"
    assert call.reason == ("最近一次满意度 2.0 分（满分 5 分），偏低；购买量高，近 12 个月收入 9,000，"
                           "投诉 2 次。")
    assert missing == "顶级客户：近 12 个月收入 无数据，自 无数据起共 无数据 笔订单。"
    assert labels == ("高", "电话", "增长")
    assert catalog.action_level_label("high") == "high" and catalog.action_channel_label("web") == "web"


def test_action_counts_chart_reads_in_chinese():
    from analysis import i18n
    from analysis.charts.actions import action_counts_chart

    counts = pd.DataFrame({"action": ["win_back", "cross_sell"], "title": ["挽回客户", "交叉销售"],
                           "customers": [3, 25_000]})
    with i18n.using("zh"):
        fig = action_counts_chart(counts)
    assert fig.layout.title.text == "各类建议行动" and fig.layout.xaxis.title.text == "客户数"
    assert fig.data[0].hovertemplate == "%{y}：%{customdata[1]} 位客户<extra></extra>"
    assert [list(c) for c in fig.data[0].customdata] == [["win_back", "3"], ["cross_sell", "2.5万"]]
    assert list(fig.layout.xaxis.ticktext) == ["0", "0.5万", "1万", "1.5万", "2万", "2.5万"]


def test_a_lapsed_unhappy_or_complaining_top_customer_is_not_also_thanked():
    lapsed = dict(tier="top", volume_tier="high", satisfaction_tier="high", satisfaction_5=4.8,
                  last_purchase=dt.date(2023, 1, 2), p_alive=0.1)
    out = run([customer("c1", **lapsed), customer("c2", tier="top", volume_tier="high", satisfaction_tier="low",
                                                   satisfaction_5=1.0),
               customer("c3", tier="top"), customer("c4", tier="top")],
              interactions=[interaction("c4", "2024-06-20 10:00", "complaint")])
    assert "win_back" in actions_of(out, "c1") and "thank_you_referral" not in actions_of(out, "c1")
    assert "partner_invite" not in actions_of(out, "c1")
    assert "satisfaction_callback" in actions_of(out, "c2") and "thank_you_referral" not in actions_of(out, "c2")
    assert "complaint_follow_up" in actions_of(out, "c4") and "thank_you_referral" not in actions_of(out, "c4")
    assert actions_of(out, "c3") == ["thank_you_referral"]  # a top customer with nothing wrong is thanked


def test_same_priority_the_longest_open_comes_first():
    # three open complaints (priority 95 each) opened on different days, then an unrelated action
    out = run([customer("c1"), customer("c2"), customer("c3"), customer("c4", is_bz=True)], interactions=[
        interaction("c1", "2024-06-20 10:00", "complaint"), interaction("c2", "2024-03-01 09:00", "complaint"),
        interaction("c3", "2024-05-15 16:00", "complaint")], rules=["complaint_follow_up", "cost_to_serve_review"])
    assert list(out["customer_id"]) == ["c2", "c3", "c1", "c4"]
    assert list(out["open_since"]) == [dt.date(2024, 3, 1), dt.date(2024, 5, 15), dt.date(2024, 6, 20), None]
