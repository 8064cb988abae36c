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
