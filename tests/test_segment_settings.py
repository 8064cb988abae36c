"""Segment thresholds: validation messages in both languages, amounts through i18n.money."""

import pytest

from analysis import i18n
from analysis.settings import SegmentSettings, money, slice_size


def test_money_is_the_i18n_format():
    assert money(12_340.4, "$") == "$12,340" and money(-85.4, "$") == "-$85" and money(1_234.5, "¥") == "¥1,235"
    assert money(12_340.4) == "12,340" and SegmentSettings().currency == ""  # unknown currency: no sign
    assert money(float("nan")) == "–"
    assert money(2_500, "€") == i18n.money(2_500, "€")


@pytest.mark.parametrize("kwargs, english, chinese", [
    ({"top_share": 1.5}, "top_share must be between 0 and 1, got 1.5", "top_share 必须在 0 到 1 之间，实际为 1.5"),
    ({"top_share": 0.5, "big_share": 0.4, "medium_share": 0.2},
     "top_share + big_share + medium_share must not exceed 1", "top_share + big_share + medium_share 之和不能超过 1"),
    ({"window_months": 0}, "window_months must be at least 1, got 0", "window_months 至少为 1，实际为 0"),
    ({"satisfaction_low": 4.0}, "satisfaction_low must be below satisfaction_high",
     "satisfaction_low 必须小于 satisfaction_high"),
])
def test_bad_settings_are_explained_in_both_languages(kwargs, english, chinese):
    with pytest.raises(ValueError) as err:
        SegmentSettings(**kwargs)
    assert str(err.value) == english
    with i18n.using("zh"), pytest.raises(ValueError) as err:
        SegmentSettings(**kwargs)
    assert str(err.value) == chinese


def test_slice_size_rounds_up_with_tolerance():
    assert slice_size(100, 0.05) == 5 and slice_size(99, 0.01) == 1 and slice_size(0, 0.2) == 0
