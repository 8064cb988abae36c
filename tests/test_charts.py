"""Numbers on chart axes and in hovers (analysis/charts/__init__.py): the currency's symbol, and
万 / 亿 in Chinese where plotly would write 20k or 1M."""

import pytest

from analysis import i18n
from analysis.charts import hover_numbers, number_axis, wan_ticks


@pytest.mark.parametrize("values, currency, ticks, labels", [
    ([13_768.5], "¥", [0, 2_500, 5_000, 7_500, 10_000, 12_500, 15_000],
     ["¥0", "¥0.25万", "¥0.5万", "¥0.75万", "¥1万", "¥1.25万", "¥1.5万"]),
    ([250_000_000], "", [0, 5e7, 1e8, 1.5e8, 2e8, 2.5e8], ["0", "0.5亿", "1亿", "1.5亿", "2亿", "2.5亿"]),
    ([-5_000, 12_000], "¥", [-5_000, 0, 5_000, 10_000, 15_000], ["-¥0.5万", "¥0", "¥0.5万", "¥1万", "¥1.5万"]),
    ([8_000], "£", [0, 2_000, 4_000, 6_000, 8_000], ["£0", "£2,000", "£4,000", "£6,000", "£8,000"]),
    ([123_456], "", [0, 25_000, 50_000, 75_000, 100_000, 125_000], ["0", "2.5万", "5万", "7.5万", "10万", "12.5万"]),
])
def test_chinese_ticks_count_in_wan_and_yi(values, currency, ticks, labels):
    assert wan_ticks(values, currency) == (ticks, labels)


def test_count_axes_tick_whole_numbers():
    assert wan_ticks([3], whole=True) == ([0, 1, 2, 3], ["0", "1", "2", "3"])


def test_axes_and_hovers_follow_the_language():
    assert number_axis([13_768.5], "$") == {"tickprefix": "$"}  # plotly's own ticks: $10k
    assert number_axis([12], "") == {}
    assert hover_numbers([13_768.5, 85.4], "$") == ["$13,769", "$85"]
    with i18n.using("zh"):
        axis = number_axis([9_000], "¥")
        assert hover_numbers([13_768.5, 85.4], "¥") == ["¥1.4万", "¥85"]
    assert axis == {"tickmode": "array", "tickvals": [0, 2_000, 4_000, 6_000, 8_000, 10_000],
                    "ticktext": ["¥0", "¥0.2万", "¥0.4万", "¥0.6万", "¥0.8万", "¥1万"]}
