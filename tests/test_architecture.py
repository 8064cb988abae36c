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


# -- the app's own layer (pages/, ui/, app.py) ---------------------------------------------------

APP_MAX_LINES = 600
CACHES = ANALYSIS.parent / "ui" / "cached"


def test_no_module_of_the_app_grows_past_600_lines():
    """A page, a module of ui/ (the caches' rooms included) or app.py stays under 600 lines: one
    that grows past it does two jobs and is split where the method splits it (ui/cached/)."""
    root = ANALYSIS.parent
    paths = [*(root / "ui").rglob("*.py"), *(root / "pages").glob("*.py"), root / "app.py"]
    long = {p.relative_to(root).as_posix(): n for p in paths
            if (n := p.read_text(encoding="utf-8").count("\n")) > APP_MAX_LINES}
    assert not long, f"past {APP_MAX_LINES} lines: {long}"


def _rooms() -> list[str]:
    """The modules of ui/cached/ in the order the package's docstring lists them."""
    doc = ast.get_docstring(ast.parse((CACHES / "__init__.py").read_text(encoding="utf-8"))) or ""
    return re.findall(r"^- :mod:`ui\.cached\.(\w+)`", doc, re.M)


def _reads(tree: ast.Module) -> set[str]:
    """The modules of ui/cached/ a module imports (``"the package"`` for ``from ui import cached``)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ui.cached."):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.ImportFrom) and node.module == "ui.cached":
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "ui" and "cached" in {a.name for a in node.names}:
            found.add("the package")
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("ui.cached."))
    return found


def _own_names(tree: ast.Module) -> list[str]:
    """The public functions and constants a module defines (not the engine modules it names
    with ``later(...)``, imported at their first call)."""
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            later = isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "later"
            names += [] if later else [node.targets[0].id]
    return [name for name in names if not name.startswith("_")]


def test_the_caches_are_laid_out_as_the_method():
    """ui/cached/ is a module per step or page, listed in the package's docstring: each module
    reads only the modules listed before it (core first), and the package gives every public
    name of its modules, the same objects, so a page's ``cached.kpis`` is the one cache."""
    import importlib

    import ui.cached as package

    rooms = _rooms()
    assert rooms[0] == "core"
    on_disk = sorted(p.stem for p in CACHES.glob("*.py") if p.stem != "__init__")
    assert sorted(rooms) == on_disk, "ui/cached/__init__.py lists each module once"
    for place, room in enumerate(rooms):
        tree = ast.parse((CACHES / f"{room}.py").read_text(encoding="utf-8"))
        later = _reads(tree) - set(rooms[:place])
        assert not later, f"ui/cached/{room}.py reads {sorted(later)}, listed after it"
        module = importlib.import_module(f"ui.cached.{room}")
        for name in _own_names(tree):
            assert getattr(package, name, None) is getattr(module, name), f"ui.cached.{name} is not {room}.{name}"


def test_each_cache_is_made_once():
    """A cached function is written in one module only: moved, never copied (two caches of the
    same result would compute it twice and hold it twice)."""
    made: dict[str, list[str]] = {}
    for path in sorted(CACHES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("cache_" in ast.unparse(d) for d in node.decorator_list):
                made.setdefault(node.name, []).append(path.name)
            elif isinstance(node, ast.Call) and ast.unparse(node.func) == "_of_tables":
                made.setdefault(node.args[0].value, []).append(path.name)
            elif isinstance(node, ast.Assign) and "cache_" in ast.unparse(node.value).split("(")[0]:
                made.setdefault(node.targets[0].id, []).append(path.name)
    assert len(made) > 50  # the walker sees them: about fifty caches
    twice = {name: places for name, places in made.items() if len(places) > 1}
    assert not twice, f"cached in more than one place: {twice}"
