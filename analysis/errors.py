"""Errors a user can act on.

Raise :class:`UserError` at the boundary (files, flags, form input) with a message that
says which file, row, column and value was wrong and what was expected. The CLI prints it
as one ``error:`` line and exits 2; the app shows it in plain words. Anything else is a bug.
"""


class UserError(Exception):
    """A problem with the user's input, explained in the user's words."""


class NotEnoughData(UserError):
    """The data is too small or too degenerate for an analysis; the message says what is missing."""
