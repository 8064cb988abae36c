"""What a user of the CLI sees today when their history shows nobody lapsing: a shop's year of
purchase lines, imported and reported. The purchase model's refusal says in the user's
language that nobody looks lapsed (the no-dropout fallback is wired in later, issue 17)."""

from __future__ import annotations

import json

import numpy as np

from analysis.cli import main
from tests.predict_data import busy_shop_lines


def _report(capsys, db, *extra):
    assert main(["report", "--db", str(db), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_busy_year_is_reported_as_nobody_lapsed_in_both_languages(tmp_path, capsys):
    lines = busy_shop_lines()
    lines["amount"] = np.round(np.random.default_rng(1).gamma(3.0, 20.0, len(lines)), 2)
    lines["date"] = lines["date"].dt.strftime("%Y-%m-%d")
    src = tmp_path / "shop.csv"
    lines.to_csv(src, index=False)
    db = tmp_path / "shop.duckdb"
    assert main(["ingest", str(src), "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["rows"] == len(lines)

    report = _report(capsys, db)
    assert report["customers"] == lines["customer_id"].nunique() == 3600
    assert report["clv"] is None
    assert report["messages"]["clv"] == (
        "the purchase model (BG/NBD) found no sign that customers stop buying: its dropout parameter ran "
        "off to zero or infinity, so nobody in this history looks lapsed"
    )
    chinese = _report(capsys, db, "--lang", "zh")
    assert chinese["messages"]["clv"] == (
        "购买模型 (BG/NBD)找不到客户停止购买的迹象：其流失参数趋向零或无穷大，因此这段历史中没有客户看起来已流失"
    )
