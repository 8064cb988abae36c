"""Errors a user can act on.

Raise :class:`UserError` at the boundary (files, flags, form input) with a message that
says which file, row, column and value was wrong and what was expected. The CLI prints it
as one ``error:`` line and exits 2; the app shows it in plain words. Anything else is a bug.
:func:`commas` and :func:`semicolons` list values and clauses inside such a message with the
current language's punctuation (``a, b`` / ``a、b``; ``a; b`` / ``a；b``).
"""

from __future__ import annotations

from typing import Iterable

from analysis.i18n import t


class UserError(Exception):
    """A problem with the user's input, explained in the user's words."""


class NotEnoughData(UserError):
    """The data is too small or too degenerate for an analysis; the message says what is missing."""


def _chain(items: Iterable, join) -> str:
    items = [str(i) for i in items]
    out = items[0] if items else ""
    for item in items[1:]:
        out = join(out, item)
    return out


def commas(items: Iterable) -> str:
    """Values one after another: ``'a', 'b'`` in English, ``'a'、'b'`` in Chinese."""
    return _chain(items, lambda x, y: t("{x}, {y}", x=x, y=y))


def semicolons(items: Iterable) -> str:
    """Clauses one after another: ``a; b`` in English, ``a；b`` in Chinese."""
    return _chain(items, lambda x, y: t("{x}; {y}", x=x, y=y))
