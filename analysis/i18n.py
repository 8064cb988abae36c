"""Simplified Chinese and English (issue 6 §3): one lookup for every string a user reads.

English is the source language, as in GNU gettext: a message id *is* the English text, so
code reads naturally (``t("Active customers")``) and English never goes missing. The Chinese
texts live in ``analysis/locale/zh/*.json`` as ``{"English": "中文"}``; each file covers one
part of the product (the pages, the engine's reasons and actions, the import's errors ...),
and ``tests/test_i18n.py`` fails when a message id used in the code has no Chinese text, when
the placeholders differ, or when a Chinese text is no longer used.

Rules for code:

- ``t("Revenue in {months} months", months=12)``: placeholders are ``str.format`` fields,
  filled *after* the lookup; never pass an f-string or a variable as the message id.
- ``N_("Champions")`` marks a module-level constant for the catalog without translating it
  (it is looked up later with ``t(CONSTANT)``), because the language is only known at run time.
- ``tn("{n} customer", "{n} customers", n)`` picks the English plural; Chinese has one form.

The language is a context variable: the app sets it at the start of every run from the
language switch (``?lang=zh``), the CLI from ``--lang``, a test with ``using("zh")``. Analysis
code never takes a language argument; caches in the UI layer include ``language()`` in their key.

Numbers and dates follow the language too: :func:`number`, :func:`money`, :func:`percent`,
:func:`compact` (``12.3k`` / ``1.2万``), :func:`date` (``30 Jun 2024`` / ``2024年6月30日``) and
:func:`month`; amounts carry the workspace's currency symbol (:func:`money`, :class:`Amount`;
``analysis.money.in_currency`` for a label). Digits are grouped by thousands in both languages, as Chinese business
reports do; only the compact form switches to 万 (10^4) and 亿 (10^8).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import json
import math
import re
import string
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterator

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).with_name("locale")

_language: contextvars.ContextVar[str] = contextvars.ContextVar("one_to_one_language", default=DEFAULT)


def normalise(code: str | None) -> str:
    """A supported language code from a browser locale or URL value ("zh-CN" -> "zh");
    anything unknown gives the default (English)."""
    code = (code or "").strip().lower().replace("_", "-")
    base = code.split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT


def language() -> str:
    """The language of the current run ("en" or "zh")."""
    return _language.get()


def set_language(code: str | None) -> str:
    """Make ``code`` the language of this thread's run; returns the normalised code."""
    code = normalise(code)
    _language.set(code)
    return code


@contextlib.contextmanager
def using(code: str | None) -> Iterator[str]:
    """``with using("zh"): ...`` runs a block in that language, then restores the previous one."""
    token = _language.set(normalise(code))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


@functools.cache
def catalog(code: str) -> dict[str, str]:
    """Message id -> text for ``code`` (empty for English, the source language)."""
    if code == DEFAULT:
        return {}
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / code).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


_CONTEXT = re.compile(r"^[a-z_]+\|")


def lookup(msgid: str, code: str | None = None) -> str:
    """The text of ``msgid`` in ``code`` (default: the current language), unformatted. An id
    without a translation falls back to the English (the catalog test keeps that from shipping).

    A short context before a bar tells apart one English word with two meanings (gettext's
    ``pgettext``): ``"tier|medium"`` is the tier (中等客户), plain ``"medium"`` the level (中);
    in English the context is dropped."""
    text = catalog(code or language()).get(msgid)
    if text is not None:
        return text
    return _CONTEXT.sub("", msgid, count=1)


def t(msgid: str, /, **params: Any) -> str:
    """``msgid`` in the current language, with ``params`` filled in."""
    text = lookup(msgid)
    return text.format(**params) if params else text


def N_(msgid: str) -> str:
    """Mark ``msgid`` for translation without translating it now (gettext's ``N_``)."""
    return msgid


def tn(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The singular or plural message for ``n`` (``n`` is also passed as a placeholder).
    Chinese has no plural: its catalog gives both ids the same text."""
    return t(singular if n == 1 else plural, n=n, **params)


def fields(text: str) -> set[str]:
    """The placeholder names of a message (``{n:,}`` -> ``n``), for the catalog test."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            names.add(name.split(".")[0].split("[")[0])
    return names


# -- numbers and dates -----------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or bool(value != value)
    except (TypeError, ValueError):
        return False


DASH = "–"


def number(value: Any, digits: int = 0) -> str:
    """``12,345`` (``digits`` decimals); a dash for a missing value."""
    if _missing(value):
        return DASH
    return f"{float(value):,.{digits}f}" if digits else f"{round(float(value)):,}"


def money(value: Any, currency: str = "", digits: int = 0) -> str:
    """``$12,340`` / ``-$85``: the sign before the currency symbol. Rounded half away from
    zero, as accounts round (``12,340.50`` -> ``12,341``), from the amount as written (a
    float's shortest decimal form), not from its binary value; a dash when missing."""
    if _missing(value) or not math.isfinite(float(value)):
        return DASH
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    sign = "-" if exact < 0 else ""
    return f"{sign}{currency}{abs(exact):,.{digits}f}"


class Amount:
    """An amount that formats with its currency's symbol before the number and the sign
    before both, whatever the format spec: ``f"{Amount(-85.4, '$'):,.0f}"`` is ``-$85``. For
    message texts written with number formats (``"revenue {revenue:,.0f}"``)."""

    def __init__(self, value: float, currency: str = ""):
        self.value, self.currency = float(value), currency or ""

    def __format__(self, spec: str) -> str:
        sign = "-" if self.value < 0 else ""
        return f"{sign}{self.currency}{format(abs(self.value), spec)}"

    def __str__(self) -> str:
        return format(self, ",.2f")


def percent(value: Any, digits: int = 0) -> str:
    """``73%`` from 0.73."""
    if _missing(value):
        return DASH
    return f"{float(value):.{digits}%}"


def compact(value: Any, currency: str = "") -> str:
    """A big number in few characters: ``1.2M`` / ``12.3k`` in English, ``1.2亿`` / ``12.3万``
    in Chinese (Chinese groups by ten thousands)."""
    if _missing(value):
        return DASH
    v = float(value)
    sign, v = ("-" if v < 0 else ""), abs(v)
    steps = ((1e8, "亿"), (1e4, "万")) if language() == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "k"))
    for size, suffix in steps:
        if v >= size:
            shown = f"{v / size:.1f}".rstrip("0").rstrip(".")
            return f"{sign}{currency}{shown}{suffix}"
    return f"{sign}{currency}{number(v)}"


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _as_date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):  # pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _dated(value: Any, chinese: str, english: str) -> str:
    d = _as_date(value)
    if d is None:
        return DASH
    pattern = chinese if language() == "zh" else english
    return pattern.format(y=d.year, m=d.month, d=d.day, mon=_MONTHS_EN[d.month - 1])


def date(value: Any) -> str:
    """``30 Jun 2024`` in English, ``2024年6月30日`` in Chinese; a dash when missing."""
    return _dated(value, "{y}年{m}月{d}日", "{d} {mon} {y}")


def month(value: Any) -> str:
    """``Jun 2024`` / ``2024年6月``."""
    return _dated(value, "{y}年{m}月", "{mon} {y}")


def join(items: list[str]) -> str:
    """A list in a sentence: ``a, b and c`` / ``a、b和c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    if language() == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- text stored in a workspace ----------------------------------------------------------------------
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _template(text: str) -> tuple[list[tuple[str, str | None]], str]:
    """``text``'s pieces as (literal, field name or None) and its literal characters."""
    pieces = []
    for literal, name, _, _ in string.Formatter().parse(text):
        base = None
        if name is not None:
            found = _FIELD.match(name)
            base = found.group(0) if found else name
        pieces.append((literal, base))
    return pieces, "".join(literal for literal, _ in pieces)


@functools.cache
def _readers(code: str) -> tuple[dict[str, str], list[tuple[int, str, re.Pattern, str]]]:
    """How to recognise a message written in ``code``: {text: message id} for the messages
    without a placeholder, and (how many literal characters, the longest literal piece,
    pattern, message id) for the others,
    the most literal text first (the most specific message wins)."""
    exact: dict[str, str] = {}
    patterns = []
    for msgid in sorted(catalog("zh")):  # every message id of the catalogue
        text = lookup(msgid, code)
        pieces, literal = _template(text)
        if not any(name for _, name in pieces):
            exact.setdefault(text, msgid) if "|" in msgid else exact.__setitem__(text, msgid)
            continue
        if not re.search(r"[A-Za-z\u3400-\u9fff]", literal):  # "{x}, {y}": a joiner, not a message
            continue
        regex, groups = [], {}
        for piece, name in pieces:
            regex.append(re.escape(piece))
            if name is not None:
                if name in groups:
                    regex.append(f"(?P={groups[name]})")
                else:
                    groups[name] = f"f{len(groups)}_{name}" if name.isidentifier() else f"f{len(groups)}"
                    regex.append(f"(?P<{groups[name]}>.+?)")
        longest = max((piece for piece, _ in pieces), key=len)
        patterns.append((len(literal), longest, re.compile("".join(regex), re.S), msgid))
    patterns.sort(key=lambda p: -p[0])
    return exact, patterns


def _read(text: str, nested: bool = False) -> tuple[str, dict[str, str]] | None:
    """(message id, {placeholder: the text written there}) of a message written in either
    language, None when ``text`` is no message of the catalogue. ``nested``: the text at a
    placeholder, read as a message only when the message's own words are most of it (a
    name or a note that happens to end in "days" is data, not the message "{n} days")."""
    order = ("zh", "en") if re.search(r"[\u3400-\u9fff]", text) else ("en", "zh")
    for code in order:
        exact, patterns = _readers(code)
        if text in exact:
            return exact[text], {}
        for literal, longest, pattern, msgid in patterns:
            if nested and 2 * literal < len(text):
                break  # the most literal first: none further covers enough
            if longest in text and (found := pattern.fullmatch(text)):
                return msgid, {group.split("_", 1)[1] if "_" in group else group: value
                               for group, value in found.groupdict().items()}
    return None


def translated(text: Any, _nested: bool = False) -> Any:
    """Text kept in a workspace, in the current language.

    What a stored result keeps in words (the reason a model could not be fitted, a figure
    the data cannot give, what a campaign taught) was written in the language of the moment it
    was stored, and the same workspace is read in both. The catalogue says which message it
    was written from, and the words at its placeholders (figures, names, nested messages,
    written again in turn): it is written again from that message in the current language.
    Text that is no message of the catalogue (a user's own words) is given as stored, and so
    is anything but a string. Workspaces stored before this reading keep their words as they
    were written and read the same way: nothing is stored again."""
    if not isinstance(text, str) or not text:
        return text
    found = _read(text, _nested)
    if found is None:
        return text
    msgid, values = found
    pieces, _ = _template(lookup(msgid))
    return "".join(literal + ("" if name is None else str(translated(values.get(name, ""), True)))
                   for literal, name in pieces)


def translated_all(texts: dict[str, Any]) -> dict[str, Any]:
    """:func:`translated` of every value of ``texts`` (a stored result's reasons by name)."""
    return {name: translated(text) for name, text in texts.items()}
