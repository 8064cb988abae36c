"""Value parsing: amounts, dates, ids (analysis/ingest/values.py)."""

import pandas as pd
import pytest

from analysis import i18n
from analysis.errors import UserError
from analysis.ingest.dates import parse_date
from analysis.ingest.values import parse_id, parse_number


def _num(values):
    out, bad = parse_number(pd.Series(values, dtype=object))
    return out.tolist(), bad.tolist()


def test_amounts_with_currency_signs_and_thousands():
    vals, bad = _num(["¥1,234.50", "￥ 88", "$1,000", "€5", "£7.25", "100元", "RMB 300", "CNY2,000.00"])
    assert vals == [1234.5, 88.0, 1000.0, 5.0, 7.25, 100.0, 300.0, 2000.0]
    assert not any(bad)


def test_negatives_in_parentheses_and_minus_signs():
    vals, bad = _num(["(5.00)", "-3", "7-", "(¥1,000.00)", "(-4)"])
    assert vals == [-5.0, -3.0, -7.0, -1000.0, -4.0]
    assert not any(bad)


def test_decimal_comma_decided_from_the_column():
    vals, _ = _num(["1.234,50", "12,5", "1 234,50", "3"])
    assert vals == [1234.5, 12.5, 1234.5, 3.0]
    # without any decimal-comma evidence, "1,234" is a thousands separator
    vals, _ = _num(["1,234", "2,000.5"])
    assert vals == [1234.0, 2000.5]


def test_invalid_and_empty_amounts():
    out, bad = parse_number(pd.Series(["abc", "", None, "12"], dtype=object))
    assert bad.tolist() == [True, False, False, False]
    assert out.isna().tolist() == [True, True, True, False]


def test_numeric_columns_pass_through():
    out, bad = parse_number(pd.Series([1.5, None, 3]))
    assert out.tolist()[0] == 1.5 and out.isna().tolist() == [False, True, False] and not bad.any()


def _dates(values, keep_time=False):
    out, bad = parse_date(pd.Series(values, dtype=object), keep_time=keep_time, column="d")
    return [None if pd.isna(v) else str(v) for v in out], bad.tolist()


def test_year_first_formats_and_chinese_dates():
    vals, bad = _dates(["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305"])
    assert set(vals) == {"2024-03-05 00:00:00"} and not any(bad)


def test_day_first_decided_from_the_column():
    vals, _ = _dates(["05/03/2024", "25/03/2024", "01/04/2024"])
    assert vals == ["2024-03-05 00:00:00", "2024-03-25 00:00:00", "2024-04-01 00:00:00"]


def test_month_first_decided_from_the_column():
    vals, _ = _dates(["3/5/2024", "12/25/2024"])
    assert vals == ["2024-03-05 00:00:00", "2024-12-25 00:00:00"]


def test_ambiguous_day_month_order_is_refused():
    with pytest.raises(UserError, match="both parts <= 12"):
        parse_date(pd.Series(["03/05/2024", "01/02/2024"]), column="d")


def test_excel_serials_numbers_and_text():
    out, bad = parse_date(pd.Series([45356, 45356.5, 20240305]), keep_time=True)
    assert [str(v) for v in out] == ["2024-03-05 00:00:00", "2024-03-05 12:00:00", "2024-03-05 00:00:00"]
    vals, _ = _dates(["45356"])
    assert vals == ["2024-03-05 00:00:00"]


def test_datetimes_keep_time_only_when_asked():
    raw = ["2024-03-05 14:30", "2024-03-05 2:30 PM", "2024年3月5日 14时30分"]
    vals, bad = _dates(raw, keep_time=True)
    assert vals == ["2024-03-05 14:30:00"] * 3 and not any(bad)
    vals, _ = _dates(raw)
    assert vals == ["2024-03-05 00:00:00"] * 3


def test_impossible_dates_are_bad_not_guessed():
    vals, bad = _dates(["2024-02-30", "hello", "", "5 Mar 2024"])
    assert bad == [True, True, False, False]
    assert vals[3] == "2024-03-05 00:00:00"


def test_customer_ids_stay_strings():
    out, _ = parse_id(pd.Series(["00001", " 12 ", "123.0", None, ""], dtype=object))
    assert out.tolist()[:3] == ["00001", "12", "123"] and out.isna().tolist()[3:] == [True, True]
    out, _ = parse_id(pd.Series([123.0, 7.0]))
    assert out.tolist() == ["123", "7"]
    out, _ = parse_id(pd.Series([1, "x", 2.0], dtype=object))
    assert out.tolist() == ["1", "x", "2"]


def test_ambiguous_order_is_explained_in_chinese():
    with i18n.using("zh"), pytest.raises(UserError) as err:
        parse_date(pd.Series(["03/05/2024", "04/06/2024"]), column="amb.csv: 日期")
    assert str(err.value).startswith("列 'amb.csv: 日期'：像 '03/05/2024'、'04/06/2024' 这样的日期既可能是“日/月/年”")
    assert "YYYY-MM-DD（例如 2024-03-05）" in str(err.value)


def test_day_month_votes_weighted_by_counts():
    # distinct values standing for rows: one day-first row against three month-first rows
    values = pd.Series(["13/01/2024", "01/13/2024", "01/14/2024"])
    out, bad = parse_date(values, column="d", counts=pd.Series([1, 2, 1]))
    assert bad.tolist() == [True, False, False] and str(out[1]) == "2024-01-13 00:00:00"
    out, bad = parse_date(values, column="d", counts=pd.Series([5, 2, 1]))
    assert bad.tolist() == [False, True, True]


def test_ambiguous_dates_error_carries_the_values():
    from analysis.ingest.dates import AmbiguousDates

    with pytest.raises(AmbiguousDates) as err:
        parse_date(pd.Series(["2024-01-01", "03/05/2024", "04/06/2024"]), column="d")
    assert err.value.values.tolist() == ["03/05/2024", "04/06/2024"]
    assert "dates such as '03/05/2024', '04/06/2024'" in str(err.value)
