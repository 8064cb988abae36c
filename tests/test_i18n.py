"""Chinese and English (issue 6 §3): the lookup, the formats, and the catalog's completeness.

The completeness tests read the source: every ``t(...)``, ``N_(...)`` and ``tn(...)`` in
``analysis/``, ``ui/``, ``pages/`` and ``app.py`` must name its message with a literal, and
every message must have a Chinese text with the same placeholders. A second scan fails when a
page or UI helper hands Streamlit a bare English literal (a label, a heading, a help text)
instead of going through ``t``.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from analysis import i18n

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("analysis/**/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])
UI_SOURCES = sorted([*ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])
MARKERS = {"t": 1, "N_": 1, "tn": 2}  # function -> how many leading literal message ids
CJK = re.compile(r"[\u3400-\u9fff]")
# Message ids whose Chinese text is rightly the same (abbreviations and symbols).
SAME_IN_BOTH = {"R", "F", "M", "RFM", "MVC", "MCC", "BZ", "CLV", "Gini", "A", "B", "C", "D", "CSV", "Excel", "HTML",
                "PNG", "OIDC", "BG/NBD", "ID", "⬇️ CSV", "⬇️ Excel", "×{lift:.1f}", "{a} × {b}", "{name} ({count:,})",
                "{volume}, {satisfaction}: {strategy} ({count})", "{label} ({currency})"}


def _marker(call: ast.Call) -> str | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name not in MARKERS:
        return None
    if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id == "i18n"):
        return None
    return name


def used_messages() -> tuple[dict[str, list[str]], list[str]]:
    """Message id -> where it is used, and the calls whose message id is not a literal."""
    used: dict[str, list[str]] = {}
    bad: list[str] = []
    for path in SOURCES:
        if path.name == "i18n.py" and path.parent.name == "analysis":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := _marker(node)):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                for arg in node.args[: MARKERS[name]]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        used.setdefault(arg.value, []).append(where)
                    elif name == "N_" or isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
                            isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
                            and arg.func.attr == "format"):
                        # t(CONSTANT) is fine: the constant's text is marked with N_() where it is defined
                        bad.append(f"{where}: {name}() needs a literal message id, got {ast.unparse(arg)}")
    return used, bad


def catalog_files() -> dict[str, dict[str, str]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((i18n.LOCALE_DIR / "zh").glob("*.json"))}


def test_message_ids_are_literals():
    """f-strings, concatenations and .format() as message ids can never be in the catalog."""
    _, bad = used_messages()
    assert not bad, "\n".join(bad)


def test_every_message_has_chinese_with_the_same_placeholders():
    used, _ = used_messages()
    zh = i18n.catalog("zh")
    missing = [f"{msg!r} ({where[0]})" for msg, where in sorted(used.items()) if msg not in zh]
    assert not missing, f"{len(missing)} messages have no Chinese text:\n" + "\n".join(missing)
    wrong = [f"{msg!r}: {sorted(i18n.fields(msg))} vs {sorted(i18n.fields(zh[msg]))}"
             for msg in used if i18n.fields(msg) != i18n.fields(zh[msg])]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_chinese_texts_are_chinese_and_used():
    used, _ = used_messages()
    files = catalog_files()
    assert files, "no catalog in analysis/locale/zh/"
    seen: dict[str, str] = {}
    problems = []
    for name, entries in files.items():
        for msg, text in entries.items():
            if msg in seen:
                problems.append(f"{msg!r} is in both {seen[msg]} and {name}")
            seen[msg] = name
            if msg not in used:
                problems.append(f"{name}: {msg!r} is not used in the code any more")
            if not str(text).strip():
                problems.append(f"{name}: {msg!r} has an empty text")
            elif not CJK.search(text) and msg not in SAME_IN_BOTH and re.search("[A-Za-z]{2,}", msg):
                problems.append(f"{name}: {msg!r} -> {text!r} has no Chinese in it")
    assert not problems, "\n".join(problems)


# Streamlit calls whose first argument (or these keywords) is text a user reads.
TEXT_CALLS = {"title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
              "button", "download_button", "toggle", "checkbox", "selectbox", "multiselect", "radio", "slider",
              "select_slider", "number_input", "text_input", "text_area", "date_input", "metric", "expander",
              "form_submit_button", "page_link", "link_button", "segmented_control", "pills", "spinner", "toast",
              "status", "popover", "file_uploader", "write"}
TEXT_KEYWORDS = {"label", "help", "placeholder", "title", "caption"}


def _english_literal(node: ast.AST) -> bool:
    """A bare string or f-string with words in it (CSS, emoji and numbers are fine)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        return bool(re.search(r"[A-Za-z]{2,}", text)) and "<style" not in text
    if isinstance(node, ast.JoinedStr):
        parts = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return bool(re.search(r"[A-Za-z]{2,}", parts))
    return False


def untranslated_ui_literals() -> list[str]:
    found = []
    for path in UI_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            if name == "tabs" and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
                args = list(node.args[0].elts)
            elif name in TEXT_CALLS or name == "Page":
                args = node.args[:1] if name != "Page" else []
            else:
                continue
            args += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
            for arg in args:
                if _english_literal(arg):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({ast.unparse(arg)[:70]})")
    return found


def test_pages_and_ui_hand_streamlit_no_bare_english():
    found = untranslated_ui_literals()
    assert not found, f"{len(found)} texts do not go through t():\n" + "\n".join(found)


# -- the lookup and the formats ----------------------------------------------------------------------
def test_lookup_follows_the_language_and_fills_placeholders(monkeypatch):
    monkeypatch.setitem(i18n.catalog("zh"), "{n} apples", "{n} 个苹果")
    assert i18n.t("{n} apples", n=3) == "3 apples"
    with i18n.using("zh"):
        assert i18n.language() == "zh"
        assert i18n.t("{n} apples", n=3) == "3 个苹果"
        assert i18n.tn("{n} apple", "{n} apples", 3) == "3 个苹果"
        assert i18n.t("never translated") == "never translated"
    assert i18n.language() == "en"
    assert i18n.tn("{n} apple", "{n} apples", 1) == "1 apple"


@pytest.mark.parametrize("given, expected", [
    ("zh", "zh"), ("zh-CN", "zh"), ("zh_Hans", "zh"), ("ZH-tw", "zh"), ("en-US", "en"), ("fr", "en"), (None, "en"),
    ("", "en"),
])
def test_normalise_language_codes(given, expected):
    assert i18n.normalise(given) == expected


def test_number_and_date_formats_follow_the_language():
    day = dt.date(2024, 6, 30)
    assert (i18n.date(day), i18n.month(day)) == ("30 Jun 2024", "Jun 2024")
    assert i18n.compact(12_345) == "12.3k" and i18n.compact(2_500_000, "$") == "$2.5M"
    assert i18n.money(-85.4, "$") == "-$85" and i18n.number(1234567) == "1,234,567"
    assert i18n.percent(0.734) == "73%" and i18n.number(float("nan")) == "–"
    assert i18n.join(["a", "b", "c"]) == "a, b and c"
    with i18n.using("zh"):
        assert (i18n.date(day), i18n.month(day)) == ("2024年6月30日", "2024年6月")
        assert i18n.compact(12_345) == "1.2万" and i18n.compact(250_000_000, "¥") == "¥2.5亿"
        assert i18n.number(1234567) == "1,234,567"
        assert i18n.join(["a", "b", "c"]) == "a、b和c"
    assert i18n.date(None) == "–"


def test_a_context_tells_one_english_word_apart(monkeypatch):
    monkeypatch.setitem(i18n.catalog("zh"), "tier|medium", "中等客户")
    monkeypatch.setitem(i18n.catalog("zh"), "medium", "中")
    assert i18n.lookup("tier|medium") == "medium" and i18n.lookup("medium") == "medium"
    with i18n.using("zh"):
        assert (i18n.lookup("tier|medium"), i18n.lookup("medium")) == ("中等客户", "中")
    assert i18n.lookup("a|b c") == "b c" and i18n.lookup("Revenue | share") == "Revenue | share"


def _flanking_problems(text: str) -> list[str]:
    """**bold** spans that CommonMark would not render: a closing ** after punctuation must be
    followed by a space or punctuation (Chinese often puts "？" or "）" there), and the same for
    an opening ** before punctuation."""
    import unicodedata

    def punct(c: str) -> bool:
        return c == "" or unicodedata.category(c)[0] in "PS"

    def loose(c: str) -> bool:
        return c == "" or c.isspace() or punct(c)

    problems = []
    for m in re.finditer(r"\*\*(.+?)\*\*", text):
        inner, before = m.group(1), text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if (punct(inner[-1]) and not loose(after)) or (punct(inner[0]) and not loose(before)):
            problems.append(m.group(0))
    return problems


def test_bold_in_chinese_texts_renders():
    bad = {msg: p for msg, text in i18n.catalog("zh").items() if (p := _flanking_problems(text))}
    assert not bad, bad
    assert _flanking_problems("决定**他们买多少？**购买量") and not _flanking_problems("决定**他们买多少**？购买量")


# -- text stored in a workspace -------------------------------------------------------------------------
def test_text_stored_in_one_language_reads_in_the_other():
    """A reason kept in a workspace in the words of the import's language (here the clusters'
    and the purchase model's, with figures and a nested message in them) reads in the
    reader's; in the language it was written in it comes back unchanged, and words that are
    no message of the catalogue (a user's) come back as they were."""
    with i18n.using("en"):
        few = i18n.t("Too few distinct customers ({distinct}) for {lo} or more clusters.", distinct=3, lo=2)
        nested = i18n.t("the {what} could not find sensible values: a parameter ran off to zero or infinity; {hint}",
                        what=i18n.lookup("purchase model (BG/NBD)"), hint="keep 7 days")
    with i18n.using("zh"):
        few_zh = i18n.t("Too few distinct customers ({distinct}) for {lo} or more clusters.", distinct=3, lo=2)
        nested_zh = i18n.t("the {what} could not find sensible values: a parameter ran off to zero or infinity; "
                           "{hint}", what=i18n.lookup("purchase model (BG/NBD)"), hint="keep 7 days")
        assert few_zh != few and nested_zh != nested
        assert i18n.translated(few) == few_zh
        assert i18n.translated(nested) == nested_zh
        assert i18n.translated(few_zh) == few_zh
        assert i18n.translated("Our own words, kept as typed.") == "Our own words, kept as typed."
        assert i18n.translated_all({"clusters": few, "n": 3}) == {"clusters": few_zh, "n": 3}
    assert i18n.translated(few_zh) == few and i18n.translated(few) == few
    assert i18n.translated(nested_zh) == nested
