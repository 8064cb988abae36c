"""The CLI contracts of the issues: commands, flags, JSON keys, `error:` lines and exit 2."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import i18n
from analysis.cli import main
from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]

SALES_CSV = "客户编号,订单日期,金额\nC1,2024-01-05,100.50\nC1,2024-03-01,50\nC2,2024-02-10,20\n"


def test_ingest_then_report(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    code, out, _ = run(capsys, "ingest", str(src), "--db", str(db), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["files"][0]["rows"] == 3
    code, out, _ = run(capsys, "report", "--db", str(db), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["as_of"] == "2024-03-01"
    assert report["customers"] == 2
    assert report["transactions"] == 3
    assert report["revenue"] == pytest.approx(170.5)
    code, out, _ = run(capsys, "report", "--db", str(db), "--as-of", "2024-01-31", "--json")
    assert json.loads(out)["transactions"] == 1


def test_failed_ingest_is_one_error_line_exit_2_and_no_workspace(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    src.write_text("客户编号,订单日期,金额\nC1,2024-01-05,abc\n", encoding="utf-8")
    db = tmp_path / "new.duckdb"
    code, out, err = run(capsys, "ingest", str(src), "--db", str(db))
    assert code == 2
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert "bad.csv" in err and "abc" in err
    assert not db.exists()


def test_missing_file_and_missing_workspace_are_user_errors(tmp_path, capsys):
    code, _, err = run(capsys, "ingest", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "w.duckdb"))
    assert code == 2 and err.startswith("error:") and "nope.csv" in err
    code, _, err = run(capsys, "report", "--db", str(tmp_path / "absent.duckdb"), "--json")
    assert code == 2 and err.startswith("error:")
    assert not (tmp_path / "absent.duckdb").exists()


def test_bad_map_flag(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(src), "--db", str(tmp_path / "w.duckdb"), "--map", "amount")
    assert code == 2 and "FIELD=COLUMN" in err


def test_module_entry_point_and_usage_errors():
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--bogus"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error:") and "Traceback" not in done.stderr


def test_customer_actions_log_export_on_demo(demo_copy, tmp_path, capsys):
    db = str(demo_copy)
    code, out, _ = run(capsys, "customer", "C00042", "--db", db, "--json")
    assert code == 0
    detail = json.loads(out)
    assert set(detail) >= {"profile", "events", "actions"}
    assert detail["profile"]["customer_id"] == "C00042"
    assert detail["profile"]["tier"] in {"top", "big", "medium", "small", "inactive", "prospect", "suspect"}
    times = [e["time"] for e in detail["events"]]
    assert times == sorted(times) and len(times) >= 1

    code, out, _ = run(capsys, "log", "C00042", "--db", db, "--kind", "complaint", "--channel", "phone",
                       "--date", "2026-06-29", "--note", "Late delivery")
    assert code == 0 and "recorded" in out
    code, out, _ = run(capsys, "customer", "C00042", "--db", db, "--json")
    detail = json.loads(out)
    assert any(e["kind"] == "complaint" and e["note"] == "Late delivery" for e in detail["events"])
    assert any(a["action"] == "complaint_follow_up" for a in detail["actions"])

    code, out, _ = run(capsys, "actions", "--db", db, "--limit", "5", "--json")
    top = json.loads(out)
    assert code == 0 and 1 <= len(top) <= 5
    assert [a["priority"] for a in top] == sorted((a["priority"] for a in top), reverse=True)
    assert {"customer_id", "action", "reason", "priority", "due", "channel"} <= set(top[0])
    code, out, _ = run(capsys, "actions", "--db", db, "--tier", "top", "--json")
    assert {a["tier"] for a in json.loads(out)} == {"top"}

    out_csv = tmp_path / "all.csv"
    code, _, _ = run(capsys, "export", "--db", db, "--out", str(out_csv))
    assert code == 0
    import pandas as pd

    frame = pd.read_csv(out_csv, encoding="utf-8-sig", dtype=str)
    assert len(frame) == 6000
    assert list(frame.columns[:6]) == ["customer_id", "name", "tier", "cell", "cluster_name", "rfm_segment"]
    out_xlsx = tmp_path / "top.xlsx"
    code, _, _ = run(capsys, "export", "--db", db, "--out", str(out_xlsx), "--tier", "top")
    assert code == 0
    assert set(pd.read_excel(out_xlsx, engine="calamine")["tier"]) == {"top"}


def test_log_rejects_bad_input_without_writing(demo_copy, capsys):
    from analysis.store import Workspace

    before = Workspace(demo_copy).count("interactions")
    code, _, err = run(capsys, "log", "NOPE", "--db", str(demo_copy), "--kind", "contact", "--channel", "phone")
    assert code == 2 and err.startswith("error:") and "NOPE" in err
    code, _, err = run(capsys, "log", "C00042", "--db", str(demo_copy), "--kind", "contact", "--channel", "phone",
                       "--satisfaction", "9", "--scale", "5")
    assert code == 2 and err.startswith("error:")
    assert Workspace(demo_copy).count("interactions") == before


def test_thresholds_are_flags_and_holdout_adds_validation(demo_copy, capsys):
    db = str(demo_copy)
    code, out, _ = run(capsys, "report", "--db", db, "--json")
    base = json.loads(out)
    code, out, _ = run(capsys, "report", "--db", db, "--json", "--mvc-share", "0.1", "--holdout", "2026-01-01")
    assert code == 0
    changed = json.loads(out)
    assert changed["value_groups"]["MVC"] < base["value_groups"]["MVC"]
    holdout = changed["clv"]["holdout"]
    assert holdout and "errors" in json.dumps(holdout)
    assert set(changed["clv"]["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(changed["clv"]["gamma_gamma"]) == {"p", "q", "gamma"}
    code, _, err = run(capsys, "report", "--db", db, "--json", "--satisfaction-low", "5")
    assert code == 2 and err.startswith("error:") and "satisfaction_low" in err


# -- --lang en|zh (and $ONE_TO_ONE_LANG) --------------------------------------------------------------
BAD_GBK = "销售明细\n客户编号,订单日期,金额\nC1,2024-01-05,100\nC2,2024-01-06,一百元\n"


def test_lang_zh_error_line_names_file_line_column_and_value(tmp_path, capsys):
    src = tmp_path / "订单.csv"
    src.write_bytes(BAD_GBK.encode("gbk"))
    db = tmp_path / "new.duckdb"
    code, out, err = run(capsys, "--lang", "zh", "ingest", str(src), "--db", str(db))
    assert code == 2 and out == "" and not db.exists()
    assert err == ("error: 订单.csv：2 行中有 1 行无效，未导入任何数据；第 4 行，列 '金额'：'一百元' 不是有效的金额"
                   "（例如 1234.50 或 ¥1,234.50）；请修正这些行，或使用 --skip-invalid 只导入有效的行。\n")
    assert i18n.language() == "en"  # the language does not outlive the command
    code, _, err = run(capsys, "ingest", str(src), "--db", str(db))
    assert code == 2 and err.startswith("error: 订单.csv: 1 of 2 rows are invalid, nothing was imported; line 4, ")


def test_lang_from_the_environment_and_after_the_command(tmp_path, capsys, monkeypatch):
    src = tmp_path / "bad.csv"
    src.write_text("客户编号,订单日期,金额\nC1,2024-01-05,abc\n", encoding="utf-8")
    monkeypatch.setenv("ONE_TO_ONE_LANG", "zh-CN")
    code, _, err = run(capsys, "ingest", str(src), "--db", str(tmp_path / "a.duckdb"))
    assert code == 2 and err.startswith("error: bad.csv：1 行中有 1 行无效") and "第 2 行，列 '金额'：'abc'" in err
    code, _, err = run(capsys, "ingest", str(src), "--db", str(tmp_path / "a.duckdb"), "--lang", "en")
    assert code == 2 and err.startswith("error: bad.csv: 1 of 1 rows are invalid") and "line 2, column '金额': 'abc'" in err
    code, _, err = run(capsys, "report", "--db", str(tmp_path / "absent.duckdb"))
    assert code == 2 and err == f"error: 工作区 {tmp_path / 'absent.duckdb'} 不存在（请用 `ingest` 或 `demo` 创建）\n"
    for argv in (["report", "--bogus"], ["--lang", "fr", "report"]):  # usage errors: argparse's words, our frame
        with pytest.raises(SystemExit) as done:
            main(argv)
        err = capsys.readouterr().err
        assert done.value.code == 2 and err.startswith("error: python -m analysis") and err.endswith("（参见 --help）\n")
        assert len(err.splitlines()) == 1


def test_json_keys_are_the_same_in_both_languages(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")

    def keys(value):
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return type(value).__name__

    got = {}
    for lang in ("en", "zh"):
        db = str(tmp_path / f"{lang}.duckdb")
        code, out, _ = run(capsys, "--lang", lang, "ingest", str(src), "--db", db, "--json")
        assert code == 0
        ingest = json.loads(out)
        code, out, _ = run(capsys, "--lang", lang, "report", "--db", db, "--json")
        assert code == 0
        got[lang] = (ingest, json.loads(out))
    assert keys(got["zh"]) == keys(got["en"])
    assert got["zh"][0] == got["en"][0] and got["zh"][1]["revenue"] == got["en"][1]["revenue"] == pytest.approx(170.5)
    code, out, _ = run(capsys, "--lang", "zh", "ingest", str(src), "--db", str(tmp_path / "h.duckdb"))
    assert (code, out) == (0, "sales.csv：已导入 3 行交易数据\n")
    code, out, _ = run(capsys, "ingest", str(src), "--db", str(tmp_path / "h2.duckdb"))
    assert (code, out) == (0, "sales.csv: 3 rows imported into transactions\n")


def test_help_in_chinese(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--lang", "zh", "ingest", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "只导入有效的行，并报告其余的行" in out and "--skip-invalid" in out


# -- the command line keeps its promises (issue 12 §4) --------------------------------------
def strict(text: str):
    """JSON as RFC 8259 has it: NaN and Infinity are not JSON (JavaScript's JSON.parse refuses them)."""
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_every_json_output_is_strict_json(tmp_path, demo_copy, capsys):
    """A customer list without purchases (names missing), then the demo: every --json output
    parses as strict JSON, missing values are null."""
    listed = tmp_path / "customers.csv"
    listed.write_text("customer id,name,region\nK1,Kim Lee,North\nK2,,South\n", encoding="utf-8")
    db = str(tmp_path / "listed.duckdb")
    code, out, _ = run(capsys, "ingest", str(listed), "--db", db, "--json")
    assert code == 0 and strict(out)["files"][0]["rows"] == 2
    code, out, _ = run(capsys, "report", "--db", db, "--json")
    report = strict(out)
    assert code == 0 and report["transactions"] == 0 and report["kpis"]["average_order_value"] is None
    code, out, _ = run(capsys, "customer", "K2", "--db", db, "--json")
    assert code == 0 and strict(out)["profile"]["name"] is None
    code, out, _ = run(capsys, "actions", "--db", db, "--json")
    assert code == 0 and strict(out) == []
    code, out, _ = run(capsys, "report", "--db", db)  # the text form prints its values as JSON too
    assert code == 0 and "NaN" not in out and "Infinity" not in out

    demo = str(demo_copy)
    code, out, _ = run(capsys, "actions", "--db", demo, "--limit", "100000", "--json")
    actions = strict(out)
    assert code == 0 and any(a["cell"] is None for a in actions)  # no survey: no matrix cell, written null
    code, out, _ = run(capsys, "report", "--db", demo, "--json")
    assert code == 0 and strict(out)["customers"] == 6000
    code, out, _ = run(capsys, "customer", "C00017", "--db", demo, "--json")  # only listed: no purchase
    assert code == 0 and strict(out)["profile"]["last_purchase"] is None
    code, out, _ = run(capsys, "log", "C00017", "--db", demo, "--kind", "contact", "--channel", "email", "--json")
    assert code == 0 and strict(out)["customer_id"] == "C00017"
    code, out, _ = run(capsys, "demo", "--db", str(tmp_path / "small.duckdb"), "--customers", "120", "--json")
    assert code == 0 and strict(out)["customers"] == 120


BAD_DATES = ["2024-13-45", "yesterday", "9999-12-31", "0001-01-01"]


@pytest.mark.parametrize("value", BAD_DATES)
def test_a_bad_date_flag_is_one_error_line_and_exit_2(demo_copy, tmp_path, capsys, value):
    db = str(demo_copy)
    commands = [
        ["report", "--db", db, "--json", "--as-of", value],
        ["report", "--db", db, "--json", "--holdout", value],
        ["customer", "C00042", "--db", db, "--json", "--as-of", value],
        ["actions", "--db", db, "--json", "--as-of", value],
        ["export", "--db", db, "--out", str(tmp_path / "x.csv"), "--as-of", value],
        ["log", "C00042", "--db", db, "--kind", "complaint", "--channel", "phone", "--date", value],
    ]
    for argv in commands:
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert err.startswith("error:") and len(err.strip().splitlines()) == 1, (argv, err)
        assert value.lstrip("0") in err or value in err, (argv, err)
        assert out == ""
    assert not (tmp_path / "x.csv").exists()
    code, out, _ = run(capsys, "customer", "C00042", "--db", db, "--json")
    assert not [e for e in strict(out)["events"] if e["kind"] == "complaint" and e["time"] < "1900"]


def test_the_as_of_date_must_be_a_day_of_the_data_and_the_holdout_before_it(demo_copy, capsys):
    db = str(demo_copy)
    code, _, err = run(capsys, "report", "--db", db, "--json", "--as-of", "2023-12-29")  # the day before the first
    assert code == 2 and "2023-12-30 to 2026-06-30" in err
    code, _, err = run(capsys, "report", "--db", db, "--json", "--as-of", "2025-01-31", "--holdout", "2025-01-31")
    assert code == 2 and "--holdout 2025-01-31" in err and "before the as-of date 2025-01-31" in err


def test_a_complaint_logged_now_shows_in_the_customer_and_is_answered_without_as_of(demo_copy):
    """`log` records at the current time; the default as-of is the last day of any purchase or
    contact, so `customer` (no --as-of) shows the complaint just logged and suggests following
    it up. In processes of their own, as a person types them."""
    db = str(demo_copy)

    def cli(*argv):
        return subprocess.run([sys.executable, "-m", "analysis", *argv], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)

    before = dt.datetime.now().replace(microsecond=0)
    logged = cli("log", "C00042", "--db", db, "--kind", "complaint", "--channel", "phone", "--note", "Toner leaked")
    assert logged.returncode == 0, logged.stderr
    shown = cli("customer", "C00042", "--db", db, "--json")
    assert shown.returncode == 0, shown.stderr
    detail = strict(shown.stdout)
    complaint = [e for e in detail["events"] if e["kind"] == "complaint" and e["note"] == "Toner leaked"]
    assert len(complaint) == 1 and dt.datetime.fromisoformat(complaint[0]["time"]) >= before
    follow_up = [a for a in detail["actions"] if a["action"] == "complaint_follow_up"]
    assert follow_up and dt.date.today().isoformat() in follow_up[0]["reason"]
    listed = strict(cli("actions", "--db", db, "--action", "complaint_follow_up", "--limit", "100000", "--json").stdout)
    assert "C00042" in {a["customer_id"] for a in listed}


def test_a_db_file_name_too_long_for_the_file_system_is_one_error_line(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")
    for name in ("a" * 250, "北区销售" * 21):  # 257 and 263 bytes with ".duckdb"
        db = str(tmp_path / f"{name}.duckdb")
        for argv in (["ingest", str(src), "--db", db], ["report", "--db", db, "--json"], ["demo", "--db", db]):
            code, out, err = run(capsys, *argv)
            assert code == 2 and err.startswith("error: workspace file name “") and "is too long" in err, err
            assert len(err.strip().splitlines()) == 1 and str(tmp_path) not in err
    assert [p.name for p in tmp_path.iterdir()] == ["sales.csv"]


def _parsers(parser, path=()):
    """Every parser of the CLI, its subcommands' (and theirs) included, with its command path."""
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, path + (name,))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_command_and_subcommand_prints_its_help(capsys, lang):
    """A user typing `campaign --help` (or any command's) gets the help, never a traceback:
    a literal % in a help text once broke argparse's formatting."""
    from analysis.cli import build_parser

    paths = [path for path, _ in _parsers(build_parser())]
    assert ("campaign", "measure") in paths
    for path in paths:
        with pytest.raises(SystemExit) as exit_:
            main(["--lang", lang, *path, "--help"])
        assert exit_.value.code == 0, path
        assert "--help" in capsys.readouterr().out


def test_actions_with_nothing_to_suggest_say_so_in_words(tmp_path, capsys, demo_db):
    """A manager who imported only the customer list asks for the plan, then narrows the demo's
    plan to a region nobody lives in: each time a sentence, in her language, not an empty
    table's repr."""
    listed = tmp_path / "customers.csv"
    listed.write_text("customer_id,name,email\nC1,Ann,a@example.com\nC2,Bo,b@example.com\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    assert run(capsys, "ingest", listed, "--db", db)[0] == 0
    code, out, err = run(capsys, "actions", "--db", db)
    assert code == 0 and out.strip() == "No suggested action yet: the playbook needs customers with purchases or contacts."
    assert json.loads(run(capsys, "actions", "--db", db, "--json")[1]) == []
    code, out, _ = run(capsys, "actions", "--db", demo_db, "--region", "Atlantis", "--lang", "zh")
    assert code == 0 and out.strip() == "没有符合这些筛选条件的建议行动。" and "DataFrame" not in out


@pytest.mark.parametrize("lang, words", [("en", "--limit must be 0"), ("zh", "--limit 必须是 0")])
def test_a_negative_limit_is_one_error_line_in_the_users_language(tmp_path, capsys, lang, words):
    """A manager typing `--limit -1` (meaning "all", as some tools do) is told what --limit
    takes, in one line and exit 2, not shown DuckDB's traceback; `--limit 0` still lists all."""
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    assert run(capsys, "ingest", str(src), "--db", str(db))[0] == 0
    code, out, err = run(capsys, "actions", "--db", str(db), "--limit", "-1", "--json", "--lang", lang)
    assert code == 2 and out == ""
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert words in err and "-1" in err and "Traceback" not in err
    code, out, _ = run(capsys, "actions", "--db", str(db), "--limit", "0", "--json")
    listed = json.loads(out)
    assert code == 0 and {row["customer_id"] for row in listed} <= {"C1", "C2"} and listed
