"""Documentation that must stay true: every stored column is in data/README.md."""

import re
from pathlib import Path

import pytest

from analysis.store import SCHEMA

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("table", list(SCHEMA))
def test_every_column_is_documented(table):
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^## {table}\b(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, f"data/README.md has no section for {table}"
    documented = set(re.findall(r"^\| `(\w+)` \|", section.group(1), re.M))
    assert set(SCHEMA[table]) <= documented, f"undocumented: {set(SCHEMA[table]) - documented}"
