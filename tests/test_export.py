"""Export: formula neutralisation, BOM for Excel, xlsx read back with no formula left."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from analysis import i18n
from analysis.errors import UserError
from analysis.export import export, neutralise, to_csv_bytes, to_xlsx_bytes

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd", "=HYPERLINK(\"http://x\",\"y\")", "＝1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_text_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", " =1", "", "'quoted", "王小明"])
def test_ordinary_text_is_untouched(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-5, -2.5, np.float64(-1.0), np.int64(-3), 0, None, dt.date(2024, 1, 1), True])
def test_numbers_and_other_values_stay_as_they_are(value):
    assert neutralise(value) is value


def sample() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["=cmd|' /C calc'!A0", "王小明", "-minus text", None],
        "amount": [-12.5, 3.0, 1e6, np.nan],
        "orders": [1, -2, 3, 4],
        "last_purchase": pd.to_datetime(["2024-01-02", "2024-02-03", None, "2024-04-05"]),
        "=header": ["a", "b", "c", "d"],
    })


def test_csv_has_a_bom_and_neutralised_text_but_plain_numbers():
    data = to_csv_bytes(sample())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "王小明" in text
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns)[-1] == "'=header"
    assert back["name"].tolist()[:3] == ["'=cmd|' /C calc'!A0", "王小明", "'-minus text"]
    assert back["amount"].tolist()[:3] == [-12.5, 3.0, 1e6] and back["orders"].tolist() == [1, -2, 3, 4]
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(cell)  # only a number may start like a formula


def test_xlsx_round_trip_keeps_numbers_and_holds_no_formula():
    data = to_xlsx_bytes(sample())
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cell anywhere
    back = pd.read_excel(io.BytesIO(data), engine="calamine")
    assert back["name"].tolist()[:3] == ["'=cmd|' /C calc'!A0", "王小明", "'-minus text"]
    assert back["amount"].tolist()[:3] == [-12.5, 3.0, 1e6]
    assert back["orders"].tolist() == [1, -2, 3, 4]
    assert back["last_purchase"].iloc[0] == pd.Timestamp("2024-01-02")
    assert list(back.columns)[-1] == "'=header"


def test_xlsx_writes_links_as_plain_text():
    data = to_xlsx_bytes(pd.DataFrame({"note": ["see https://example.com/a"]}))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert not any("hyperlink" in n.lower() for n in book.namelist())
        assert "<hyperlink" not in book.read("xl/worksheets/sheet1.xml").decode()


def test_timezone_aware_times_export(tmp_path):
    df = pd.DataFrame({"at": pd.to_datetime(["2024-01-02 10:00"]).tz_localize("Asia/Shanghai")})
    back = pd.read_excel(export(df, tmp_path / "t.xlsx"), engine="calamine")
    assert back["at"].iloc[0] == pd.Timestamp("2024-01-02 02:00")


def test_export_chooses_by_suffix(tmp_path):
    df = sample()
    assert export(df, tmp_path / "a.csv").read_bytes() == to_csv_bytes(df)
    assert export(df, tmp_path / "a.XLSX").read_bytes()[:2] == b"PK"
    with pytest.raises(UserError, match=r"\.csv or \.xlsx"):
        export(df, tmp_path / "a.xls")


def test_bad_suffix_explained_in_chinese(tmp_path):
    with i18n.using("zh"), pytest.raises(UserError) as err:
        export(sample(), tmp_path / "名单.xls")
    assert str(err.value) == "无法导出到 '名单.xls'：文件名必须以 .csv 或 .xlsx 结尾。"
    assert not (tmp_path / "名单.xls").exists()
