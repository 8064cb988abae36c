"""An id as the workspace keeps it, for one id typed by a person as for a column of a file.

Import keeps every customer and order id in one written form (README, import rules): the
characters nobody sees removed (no-break spaces, zero-width spaces and joiners, the byte order
mark and every other format character), Unicode NFKC (full-width ``Ｃ００１`` -> ``C001``),
stripped; and a customer id holding ``@`` (an e-mail used as the id) lower-cased, since e-mail
ids compare without case (:func:`analysis.ingest.identity.emails_as_ids`). An id someone types
(``customer ID``, ``log CUSTOMER_ID``) is read the same way, so the id as written in the file
finds its customer. Light on purpose (no pandas): ``log`` imports it.
"""

from __future__ import annotations

import unicodedata

# Characters an id may carry without anyone seeing them: the no-break spaces (which NFKC
# would turn into an ordinary space inside the id) and every format character (category Cf:
# zero-width space and joiners, the byte order mark, soft hyphen, direction marks).
NO_BREAK_SPACES = "\u00a0\u2007\u202f"


def normalise_id(value: str) -> str:
    """One id as the workspace keeps it: invisible characters removed, Unicode NFKC (full-width
    ``Ｃ００１`` -> ``C001``, ideographic space -> space), then stripped."""
    text = "".join(ch for ch in value if ch not in NO_BREAK_SPACES and unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", text).strip()


def kept_customer_id(value: object) -> str:
    """A customer id someone typed, as import keeps it (the module's docstring): ``@SUM(A1)``
    -> ``@sum(a1)``, ``Ｃ００１`` -> ``C001``; an id in any other form is left as typed."""
    text = normalise_id(str(value))
    return text.lower() if "@" in text else text
