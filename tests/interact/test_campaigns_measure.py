"""Measuring a campaign against its control group (analysis.interact.campaigns.measure).

Known answers: the Hillstrom e-mail experiment (MineThatData 2008) in ../shared/datasets,
whose published figures are a conversion of 1.253% (men's e-mail) against 0.573% (no
e-mail) and +0.770 spend per customer; every interval is recomputed here independently
(the score intervals from their formulas with the standard library's NormalDist, Welch's
from the raw spend with scipy's t test) and must agree to 3 decimals. The planning formulas
are checked against models.md's figures and against a simulation of the tests they promise.
"""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import UserError
from analysis.i18n import using
from analysis.interact.campaigns import (
    CONTROL, TARGET, assign_control, control_share_needed, control_size_needed, measure_campaign,
    minimum_detectable_effect)
from tests.conftest import shared_dataset

Z = NormalDist().inv_cdf(0.975)


def wilson(x, n):
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def newcombe(x1, n1, x0, n0):
    p1, p0 = x1 / n1, x0 / n0
    (l1, u1), (l0, u0) = wilson(x1, n1), wilson(x0, n0)
    return p1 - p0 - math.hypot(p1 - l1, u0 - p0), p1 - p0 + math.hypot(u1 - p1, p0 - l0)


def pooled_z_p(x1, n1, x0, n0):
    p = (x1 + x0) / (n1 + n0)
    z = (x1 / n1 - x0 / n0) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    return 2 * (1 - NormalDist().cdf(abs(z))) if abs(z) < 8 else 2 * NormalDist().pdf(z) / abs(z)  # Mills' ratio tail


@pytest.fixture(scope="module")
def hillstrom():
    return pd.read_csv(shared_dataset("hillstrom.csv"))


@pytest.fixture(scope="module")
def measured(hillstrom):
    return measure_campaign(hillstrom, control="No E-Mail", name="Hillstrom", arm_column="segment",
                            response_column="conversion", value_column="spend")


def arm(result, name):
    return next(a for a in result["arms"] if a["arm"] == name)


def test_hillstrom_published_figures(measured):
    mens, none = arm(measured, "Mens E-Mail"), arm(measured, "No E-Mail")
    assert measured["arms"][0] is none and none["vs_control"] is None
    assert (mens["customers"], mens["responders"]) == (21307, 267)
    assert (none["customers"], none["responders"]) == (21306, 122)
    assert round(mens["response_rate"] * 100, 3) == 1.253
    assert round(none["response_rate"] * 100, 3) == 0.573
    assert round(mens["vs_control"]["value_diff"], 3) == 0.770
    assert round(mens["value_per_customer"], 4) == 1.4226 and round(none["value_per_customer"], 4) == 0.6528


@pytest.mark.parametrize("name, x1, n1", [("Mens E-Mail", 267, 21307), ("Womens E-Mail", 189, 21387)])
def test_hillstrom_response_intervals_equal_an_independent_computation(measured, name, x1, n1):
    vs = arm(measured, name)["vs_control"]
    lo, hi = newcombe(x1, n1, 122, 21306)
    # To 3 decimals in percentage points (1e-5 as a fraction).
    assert [round(v * 100, 3) for v in vs["rate_diff_ci"]] == [round(lo * 100, 3), round(hi * 100, 3)]
    assert vs["p_value"] == pytest.approx(pooled_z_p(x1, n1, 122, 21306), rel=1e-3)
    assert vs["verdict"] == "worked"
    if name == "Mens E-Mail":  # models.md §7, cross-checked there with statsmodels (method='newcomb')
        assert [round(v * 100, 4) for v in vs["rate_diff_ci"]] == [0.5014, 0.8641]


@pytest.mark.parametrize("name", ["Mens E-Mail", "Womens E-Mail"])
def test_hillstrom_spend_intervals_equal_welchs_test_on_the_raw_spend(hillstrom, measured, name):
    vs = arm(measured, name)["vs_control"]
    treated = hillstrom.loc[hillstrom["segment"] == name, "spend"].to_numpy()
    control = hillstrom.loc[hillstrom["segment"] == "No E-Mail", "spend"].to_numpy()
    test = stats.ttest_ind(treated, control, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert [round(v, 3) for v in vs["value_diff_ci"]] == [round(ci.low, 3), round(ci.high, 3)]
    assert vs["value_p_value"] == pytest.approx(test.pvalue, rel=1e-6)
    n1 = len(treated)
    assert vs["incremental_value"] == pytest.approx(n1 * (treated.mean() - control.mean()))
    assert vs["incremental_value_ci"] == pytest.approx([n1 * ci.low, n1 * ci.high])
    if name == "Mens E-Mail":  # models.md §7
        assert [round(v, 4) for v in vs["value_diff_ci"]] == [0.4851, 1.0545]
        assert round(vs["incremental_value"]) == 16403  # 21,307 x 0.76983


def test_the_whole_campaign_verdict_pools_every_e_mail_against_none(hillstrom, measured):
    verdict = measured["verdict"]
    assert verdict["code"] == "worked"
    assert verdict["arms"] == ["Mens E-Mail", "Womens E-Mail"]
    assert verdict["customers"] == 21307 + 21387
    lo, hi = newcombe(267 + 189, 21307 + 21387, 122, 21306)
    assert verdict["rate_diff_ci"] == pytest.approx([lo, hi], abs=1e-9)
    mailed = hillstrom.loc[hillstrom["segment"] != "No E-Mail", "spend"]
    none = hillstrom.loc[hillstrom["segment"] == "No E-Mail", "spend"]
    assert verdict["value_diff"] == pytest.approx(mailed.mean() - none.mean())
    one = measure_campaign(hillstrom, control="No E-Mail", arms=["Mens E-Mail"], arm_column="segment",
                           response_column="conversion", value_column="spend")
    assert [a["arm"] for a in one["arms"]] == ["No E-Mail", "Mens E-Mail"]
    assert one["verdict"]["arms"] == ["Mens E-Mail"]
    assert one["verdict"]["rate_diff_ci"] == arm(measured, "Mens E-Mail")["vs_control"]["rate_diff_ci"]


def test_the_output_is_the_cli_contract_and_strict_json(measured):
    assert set(measured) >= {"name", "control", "arms", "verdict"}
    assert measured["name"] == "Hillstrom" and measured["control"] == "No E-Mail"
    for entry in measured["arms"]:
        assert set(entry) >= {"arm", "customers", "responders", "response_rate", "value_per_customer", "vs_control"}
        if entry["vs_control"] is not None:
            assert set(entry["vs_control"]) >= {"rate_diff", "rate_diff_ci", "p_value", "value_diff", "value_diff_ci",
                                                "incremental_value"}
    text = json.dumps(measured, allow_nan=False)
    assert json.loads(text) == measured


def test_without_a_value_column_the_value_figures_are_empty(hillstrom):
    out = measure_campaign(hillstrom, control="No E-Mail", arm_column="segment", response_column="visit")
    mens = arm(out, "Mens E-Mail")
    assert mens["value_per_customer"] is None and mens["vs_control"]["value_diff_ci"] is None
    assert mens["vs_control"]["incremental_value"] is None
    assert round(mens["vs_control"]["rate_diff"] * 100, 3) == 7.659  # models.md §7: visits +7.659 points
    json.dumps(out, allow_nan=False)


def outcomes(x1, n1, x0, n0, values=None):
    arm = ["email"] * n1 + ["none"] * n0
    response = [1] * x1 + [0] * (n1 - x1) + [1] * x0 + [0] * (n0 - x0)
    frame = pd.DataFrame({"arm": arm, "response": response})
    if values is not None:
        frame["value"] = values
    return frame


@pytest.mark.parametrize("x1, n1, x0, n0, code", [
    (60, 500, 20, 500, "worked"), (20, 500, 60, 500, "backfired"), (25, 500, 20, 500, "inconclusive"),
    (4, 40, 0, 40, "inconclusive"),  # Wald's interval would exclude zero here; the score interval does not
    (0, 40, 0, 40, "inconclusive"),
])
def test_the_verdict_follows_the_interval(x1, n1, x0, n0, code):
    out = measure_campaign(outcomes(x1, n1, x0, n0), control="none")
    vs = out["arms"][1]["vs_control"]
    lo, hi = newcombe(x1, n1, x0, n0)
    assert vs["rate_diff_ci"] == pytest.approx([lo, hi], abs=1e-12)
    assert vs["verdict"] == out["verdict"]["code"] == code
    if code == "worked":
        assert lo > 0
    if (x1, n1, x0) == (4, 40, 0):  # 10% against none of 40: Wald would call it "worked"
        assert 0.1 - Z * math.sqrt(0.1 * 0.9 / 40) > 0 > lo


def test_a_campaign_that_changes_nothing_rarely_claims_it_worked():
    """Never overclaim: 2,000 simulated campaigns with no effect (5% response in both groups of
    300 and 100, seed 11) say "worked" about as often as a one-sided 2.5% error allows."""
    rng = np.random.default_rng(11)
    worked = backfired = 0
    for _ in range(2000):
        x1, x0 = rng.binomial(300, 0.05), rng.binomial(100, 0.05)
        code = measure_campaign(outcomes(x1, 300, x0, 100), control="none")["verdict"]["code"]
        worked += code == "worked"
        backfired += code == "backfired"
    assert worked / 2000 < 0.04 and backfired / 2000 < 0.04


def test_value_figures_on_small_and_flat_groups():
    flat = measure_campaign(outcomes(1, 3, 1, 3, values=[0.0] * 6), control="none", value_column="value")
    assert flat["arms"][1]["vs_control"]["value_diff_ci"] == [0.0, 0.0]
    single = measure_campaign(outcomes(1, 1, 0, 4, values=[9.5, 0, 0, 0, 0]), control="none", value_column="value")
    vs = single["arms"][1]["vs_control"]
    assert vs["value_diff"] == 9.5 and vs["value_diff_ci"] is None and vs["incremental_value"] == 9.5
    json.dumps(single, allow_nan=False)


def test_responses_may_be_booleans_and_arms_numbers():
    frame = pd.DataFrame({"group": [1, 1, 0, 0], "bought": [True, False, False, False]})
    out = measure_campaign(frame, control="0", arm_column="group", response_column="bought")
    assert [a["arm"] for a in out["arms"]] == ["0", "1"]
    assert out["arms"][1]["responders"] == 1


@pytest.mark.parametrize("change, words", [
    ({"control": "holdout"}, "No customer is in the control group 'holdout'; the groups found are 'email', 'none'"),
    ({"arms": ["sms"]}, "no group 'sms' beside its control group; it has 'email'"),
    ({"response_column": "bought"}, "no column 'bought'"),
])
def test_mistakes_name_what_was_wrong(change, words):
    with pytest.raises(UserError, match=words):
        measure_campaign(outcomes(2, 10, 1, 10), **{"control": "none", **change})


def test_bad_cells_are_named_by_row_and_column_in_either_language():
    frame = outcomes(2, 10, 1, 10, values=[1.0] * 20)
    frame["response"] = frame["response"].astype(object)
    frame.loc[4, "response"] = "yes"
    with pytest.raises(UserError, match="Row 5 of the campaign's results has 'yes' in column 'response'"):
        measure_campaign(frame, control="none")
    with using("zh"), pytest.raises(UserError, match="第 5 行的列 'response' 中是 'yes'"):
        measure_campaign(frame, control="none")
    frame.loc[4, "response"] = 0
    frame.loc[7, "value"] = float("nan")
    with pytest.raises(UserError, match="Row 8 .* column 'value', which is not an amount"):
        measure_campaign(frame, control="none", value_column="value")
    only = outcomes(0, 0, 1, 10)
    with pytest.raises(UserError, match="only its control group"):
        measure_campaign(only, control="none")


# -- planning --------------------------------------------------------------------------------
def fleiss_shortfall(d, n1, n0, p0):
    """Fleiss, Levin & Paik's sample-size equation, written out: <= 0 when the lift d is detected."""
    p1 = p0 + d
    pbar = (n1 * p1 + n0 * p0) / (n1 + n0)
    return (Z * math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n0))
            + NormalDist().inv_cdf(0.8) * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0) - d)


def verdict_rate(n1, n0, p0, lift, runs=4000, seed=5):
    """How often campaigns with this true lift are called "worked": the Newcombe lower bound above
    zero, computed here for many simulated campaigns at once."""
    rng = np.random.default_rng(seed)
    x1, x0 = rng.binomial(n1, p0 + lift, runs), rng.binomial(n0, p0, runs)

    def wilson_arrays(x, n):
        p = x / n
        centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
        half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
        return centre - half, centre + half

    (l1, _), (_, u0) = wilson_arrays(x1, n1), wilson_arrays(x0, n0)
    lo = x1 / n1 - x0 / n0 - np.hypot(x1 / n1 - l1, u0 - x0 / n0)
    return float(np.mean(lo > 0))


def test_minimum_detectable_effect_known_answers():
    # models.md §9: Hillstrom men's vs none at a 0.5726% base rate, pooled null / unpooled
    # alternative (Fleiss): 0.2238 points.
    assert round(minimum_detectable_effect(21307, 21306, 122 / 21306) * 100, 4) == 0.2238
    mde = minimum_detectable_effect(900, 100, 0.02)
    assert abs(fleiss_shortfall(mde, 900, 100, 0.02)) < 1e-9
    assert round(mde * 100, 1) == 7.2
    # Nothing is detectable with 5 customers a group at 50%.
    assert minimum_detectable_effect(5, 5, 0.5) is None


@pytest.mark.parametrize("n1, n0, p0", [(21307, 21306, 0.005726), (900, 100, 0.02), (40000, 4000, 0.08)])
def test_campaigns_at_the_minimum_detectable_effect_are_called_worked_80_percent_of_the_time(n1, n0, p0):
    """Simulation (seed 5, 4,000 campaigns per design) of the verdict at the promised lift."""
    mde = minimum_detectable_effect(n1, n0, p0)
    assert 0.77 < verdict_rate(n1, n0, p0, mde) < 0.83
    # The shorter base-rate-only formula promises a smaller lift than the verdict finds.
    simple = (Z + NormalDist().inv_cdf(0.8)) * math.sqrt(p0 * (1 - p0) * (1 / n1 + 1 / n0))
    assert simple < mde and verdict_rate(n1, n0, p0, simple) < 0.78


def test_control_share_and_size_needed_agree_with_a_search():
    p0 = 0.005726
    for lift in (0.0020, 0.0025, 0.0030, 0.0050):
        share = control_share_needed(64000, lift, p0)
        # Round trip: the design at that share detects exactly that lift ...
        assert minimum_detectable_effect(64000 * (1 - share), 64000 * share, p0) == pytest.approx(lift, rel=1e-6)
        # ... and one customer fewer in the control group does not.
        n0 = math.ceil(64000 * share)
        assert fleiss_shortfall(lift, 64000 - n0, n0, p0) <= 0 < fleiss_shortfall(lift, 64001 - n0, n0 - 1, p0)
    assert 0.29 < control_share_needed(64000, 0.0020, p0) < 0.30
    # A fixed target group: the smallest control group, found by walking up one customer at a time.
    need = control_size_needed(40000, 0.0030, p0)
    walk = next(n for n in range(1000, 20000) if fleiss_shortfall(0.0030, 40000, n, p0) <= 0)
    assert need == walk
    # Too small to detect even with a 50/50 split, or with any control group.
    assert control_share_needed(1000, 0.001, p0) is None
    assert control_size_needed(500, 0.001, p0) is None


def test_planning_refuses_a_base_rate_it_cannot_use():
    with pytest.raises(UserError, match="past response rate must be above 0%"):
        minimum_detectable_effect(900, 100, 0.0)
    with using("zh"), pytest.raises(UserError, match="过去的响应率"):
        control_share_needed(1000, 0.01, 1.0)
    with pytest.raises(UserError, match="at least one customer"):
        minimum_detectable_effect(900, 0, 0.1)


def test_a_campaign_from_a_list_to_its_verdict():
    """The manager's path: a list of 5,000 customers with tier and cell, 10% held out (seed
    31), what the design can detect at the customers' past 8% response rate, then the results
    come back (simulated, seed 32: 12% of the contacted and 8% of the control group buy) and
    the measurement says it worked, with the interval a check computed here agrees with."""
    rng = np.random.default_rng(32)
    n = 5000
    customers = pd.DataFrame({"customer_id": [f"K{i}" for i in range(n)],
                              "tier": rng.choice(["top", "big", "medium", "small"], n, p=[.01, .04, .15, .8]),
                              "cell": rng.choice(["high/high", "low/low", None], n)})
    split = assign_control(customers, seed=31, holdout=0.1)
    n_control = int((split["arm"] == CONTROL).sum())
    assert n_control == 500
    mde = minimum_detectable_effect(n - n_control, n_control, 0.08)
    assert 0.035 < mde < 0.045  # a lift of 4 points or more will show
    bought = np.where(split["arm"] == TARGET, rng.random(n) < 0.12, rng.random(n) < 0.08)
    spend = np.where(bought, rng.gamma(2.0, 40.0, n).round(2), 0.0)
    results = split.assign(response=bought.astype(int), revenue=spend)
    out = measure_campaign(results, control=CONTROL, name="Spring win-back", value_column="revenue")
    target = arm(out, TARGET)
    x1 = int(results.loc[results["arm"] == TARGET, "response"].sum())
    x0 = int(results.loc[results["arm"] == CONTROL, "response"].sum())
    assert (target["customers"], target["responders"]) == (n - n_control, x1)
    assert target["vs_control"]["rate_diff_ci"] == pytest.approx(newcombe(x1, n - n_control, x0, n_control))
    assert out["verdict"]["code"] == "worked"
    revenue = results.groupby("arm")["revenue"].mean()
    assert out["verdict"]["incremental_value"] == pytest.approx((n - n_control) * (revenue[TARGET] - revenue[CONTROL]))
