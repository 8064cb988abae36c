"""The layout's rules, checked on the source (see ARCHITECTURE.md and README's "Layout")."""

import ast
import re
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parent.parent / "analysis"

# A string literal that is (part of) an SQL statement: a keyword that starts one.
SQL = re.compile(r"\b(SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO\b|CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?"
                 r"(TABLE|VIEW|INDEX)\b|DELETE\s+FROM\b|DROP\s+(TABLE|VIEW)\b|ALTER\s+TABLE\b|UPDATE\s+\S+\s+SET\b|"
                 r"BEGIN\s+TRANSACTION\b|WITH\s+\S+\s+AS\s*\()")
# Modules outside analysis/store/ that still hold SQL, to be moved behind store functions; the list
# only shrinks: a module not named here fails the test as soon as it writes SQL.
KNOWN_SQL: set[str] = set()


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (prose may name SQL keywords)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def sql_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the string literals of ``path`` that look like SQL; an f-string is read
    whole, each replacement field standing for a name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
            texts.append((node.lineno, "".join(part.value if isinstance(part, ast.Constant) else "x"
                                               for part in node.values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            texts.append((node.lineno, node.value))
    return sorted((line, text) for line, text in texts if SQL.search(text))


def modules_with_sql() -> dict[str, list[tuple[int, str]]]:
    """SQL-like literals per module of the app (analysis/, ui/, pages/, app.py) outside analysis/store/."""
    root = ANALYSIS.parent
    paths = [*ANALYSIS.rglob("*.py"), *(root / "ui").rglob("*.py"), *(root / "pages").rglob("*.py"), root / "app.py"]
    found = {}
    for path in sorted(paths):
        name = path.relative_to(root).as_posix()
        if name.startswith("analysis/store/"):
            continue
        hits = sql_strings(path)
        if hits:
            found[name] = hits
    return found


def test_sql_lives_in_the_store():
    """Every SQL statement is written in analysis/store/ (values bound as parameters, identifiers
    through quote_ident); a module elsewhere (the engine, the pages, the UI) asks a store function."""
    found = modules_with_sql()
    new = {name: hits[:3] for name, hits in found.items() if name not in KNOWN_SQL}
    assert not new, f"SQL outside analysis/store/ (move it behind a store function): {new}"
    moved = KNOWN_SQL - set(found)
    assert not moved, f"no SQL left in {sorted(moved)}: remove them from KNOWN_SQL"


def test_the_sql_check_sees_sql(tmp_path):
    """The check finds plain, f-string and multi-line statements, and leaves docstrings and prose alone."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Module prose: one INSERT ... SELECT ... FROM read_csv(...) writes every row."""\n'
        'def f(cur, table):\n'
        '    """SELECT in a docstring is prose."""\n'
        '    cur.execute(f"SELECT count(*) FROM {table}")\n'
        "    cur.execute('INSERT OR REPLACE INTO \"notes\" VALUES (?, ?)', [1, 2])\n"
        '    cur.execute("DELETE FROM t "\n                "WHERE x = ?", [1])\n'
        '    cur.execute(f"CREATE TEMP TABLE {table} AS SELECT 1")\n'
        '    cur.execute(f"UPDATE {table} SET a = 1")\n'
        '    return "select the customers you want"\n', encoding="utf-8")
    assert [line for line, _ in sql_strings(sample)] == [4, 5, 6, 8, 9]
