"""How the engine reads text people typed (kinds, outcomes, categories): the same rules as
Python's ``str.strip`` and ``inputs.normalise_outcome``, written as Ibis expressions that
DuckDB (RE2) and Spark (Java regex) both evaluate alike."""

from __future__ import annotations

# Python's whitespace (what str.isspace accepts), as a character class RE2 and Java both read.
_SPACE = r"\t\n\x0b\f\r\x1c-\x1f\x85\p{Z}"


def stripped(text):
    """``text`` without surrounding whitespace (Python's ``str.strip``)."""
    return text.re_replace(f"^[{_SPACE}]+|[{_SPACE}]+$", "")


def outcome_text(outcome):
    """An outcome as the rules compare it: lower case, each run of spaces, '_' and '-' as one
    space, no surrounding spaces."""
    return outcome.lower().re_replace(f"[-_{_SPACE}]+", " ").strip()
