"""What a column's name or an amount cell's mark says about its currency: the table of marks
(signs, words, codes) and the reading of a column name. Without pandas, so that the bulk import
of a large CSV (analysis.ingest.bulk) can name the currency of a column such as "amount_usd"
without loading it; :mod:`.values` reads the marks in the cells.
"""

from __future__ import annotations

import re

from analysis import money
from analysis.ingest import value_rules as VR


def currency_marks_table() -> dict[str, str]:
    """What an amount cell may write for its currency (analysis.money's signs, words and codes,
    the symbols it writes, such as "JP¥", and value_rules.EXTRA_CURRENCY_MARKS), lower case ->
    ISO code."""
    return {
        **{code.lower(): code for code in money.SYMBOLS},
        **{sign.strip().lower(): code for code, sign in money.SYMBOLS.items()},
        **money.MARKS,
        **{mark.lower(): code for mark, code in VR.EXTRA_CURRENCY_MARKS.items()},
    }


def currency_of_name(name: str) -> str | None:
    """The currency a column's name states: a bracketed unit ("金额(元)", "Total (USD)", "Price
    [€]"), a code or sign among its words ("amount_usd"), or a currency word ("dollar_value",
    "美元金额")."""
    text = str(name).lower()
    marks = currency_marks_table()
    for unit in re.findall(r"[(（\[【]\s*([^)）\]】]+?)\s*[)）\]】]", text):
        if unit in marks:
            return marks[unit]
    for word in re.split(r"[\s_\-.:/()（）\[\]【】]+", text):
        if word in _NAME_WORDS:
            return _NAME_WORDS[word]
        if word in marks and (len(word) == 3 or not word.isascii()):  # codes and Chinese words
            return marks[word]
    for word, code in money.MARKS.items():  # 美元金额, 人民币金额: a currency word inside a Chinese name
        if len(word) >= 2 and not word.isascii() and word in text:
            return code
    return None


# Words a column name may use for its currency, besides analysis.money's marks.
_NAME_WORDS = {"dollar": "USD", "dollars": "USD", "yuan": "CNY", "euro": "EUR", "euros": "EUR"}
