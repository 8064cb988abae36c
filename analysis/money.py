"""Money: the currencies a workspace can be in, and the range an amount may take.

A workspace has one currency (ISO 4217 code), kept with the workspace
(:meth:`analysis.store.Workspace.currency`). Import detects it from the signs, words and codes
written in the amounts or from a currency column (:func:`code_of`); the user can change it on
the Data page. Amounts are stored as ``DECIMAL(18, 2)``: exact to the cent, so the same data
sums to the same figure on every run, and an amount whose size is :data:`MAX_ABS_AMOUNT` or
more cannot be stored (import refuses it as an invalid row).

Decisions: the yen/yuan sign (¥ and the full-width ￥) means Chinese yuan, since the files
that carry it here come from Chinese shops (GBK exports write ￥); a Japanese file says JPY or
円. ``$`` alone means US dollars.
"""

from __future__ import annotations

from decimal import Decimal

from analysis.i18n import t

# ISO code -> the symbol written before an amount.
SYMBOLS: dict[str, str] = {
    "CNY": "¥",
    "USD": "$",
    "GBP": "£",
    "EUR": "€",
    "JPY": "JP¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "SGD": "S$",
    "AUD": "A$",
    "CAD": "C$",
    "KRW": "₩",
    "INR": "₹",
    "CHF": "CHF ",
}

# What a file may write for a currency (compared case-insensitively) -> ISO code.
MARKS: dict[str, str] = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "人民币": "CNY", "rmb": "CNY", "cny": "CNY",
    "$": "USD", "us$": "USD", "usd": "USD", "美元": "USD",
    "£": "GBP", "gbp": "GBP", "英镑": "GBP",
    "€": "EUR", "eur": "EUR", "欧元": "EUR",
    "jpy": "JPY", "円": "JPY", "日元": "JPY",
    "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
    "nt$": "TWD", "twd": "TWD",
    "s$": "SGD", "sgd": "SGD",
    "a$": "AUD", "aud": "AUD",
    "c$": "CAD", "cad": "CAD",
    "₩": "KRW", "krw": "KRW",
    "₹": "INR", "inr": "INR",
    "chf": "CHF",
}

# DECIMAL(18, 2) holds 16 digits before the point.
SCALE = 2
MAX_ABS_AMOUNT = Decimal(10) ** 16
CENT = Decimal(1).scaleb(-SCALE)


def code_of(mark: str | None) -> str | None:
    """The ISO code a sign, word or code stands for (``"￥"`` -> ``"CNY"``), or None."""
    if mark is None:
        return None
    text = str(mark).strip().lower()
    if text.upper() in SYMBOLS:
        return text.upper()
    return MARKS.get(text)


def symbol(code: str | None) -> str:
    """The symbol to write before an amount in ``code``; empty when the currency is unknown."""
    if not code:
        return ""
    return SYMBOLS.get(code, f"{code} ")


def in_range(value: float | Decimal) -> bool:
    """Whether an amount can be stored exactly (finite, fewer than 17 digits before the point)."""
    try:
        return abs(Decimal(str(value))) < MAX_ABS_AMOUNT
    except ArithmeticError:  # inf, nan
        return False


def code_of_symbol(sign: str | None) -> str | None:
    """The ISO code of a symbol as :func:`symbol` writes it (``"JP¥"`` -> ``"JPY"``), else of
    any sign, word or code :func:`code_of` knows (``"us$"`` -> ``"USD"``); None when neither
    (no symbol: the currency is unknown)."""
    text = (sign or "").strip()
    if not text:
        return None
    for code, known in SYMBOLS.items():
        if known.strip() == text:
            return code
    return code_of(text)


def in_currency(label: str, currency: str = "") -> str:
    """A label for amounts with the symbol of the currency they are in: ``Revenue (¥)``;
    the label alone when the currency is unknown (no symbol)."""
    sign = (currency or "").strip()
    return t("{label} ({currency})", label=label, currency=sign) if sign else label


def whole(amounts):
    """Amounts (a number, array or pandas Series) rounded to whole units half away from zero,
    as :func:`analysis.i18n.money` writes them (12,340.50 -> 12,341): the same figure in a table
    as on a tile. NumPy's and pandas' ``round`` go half to even (12,340)."""
    import numpy as np

    return np.sign(amounts) * np.floor(np.abs(amounts) + 0.5) + 0.0  # + 0.0: no "-0"
