"""The engine's layout keeps its promises (issue 14): no import cycles in ``analysis/`` (imports
inside functions count too), ``analysis/`` never imports streamlit, and no module of the IDIC
rooms grows past about 450 lines without its docstring saying why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "analysis"
MAX_LINES = 450
# The store and import layers have their own layout test (tests/test_architecture.py).
OTHER_LAYER = ("analysis/store", "analysis/spark.py", "analysis/ingest/")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ENGINE.rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """Every module of ``analysis`` that ``path`` (module ``name``) imports, anywhere in it:
    ``from analysis.x import y`` counts as ``analysis.x.y`` when that is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # analysis.x.function -> analysis.x
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    edges = {name: imported(path, name, known) for name, path in mods.items()}
    # importing a package's module first runs the package's __init__: that edge is implicit
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import(tmp_path):
    """The walker counts an import inside a function (the kind that hid actions <-> interactions)."""
    source = "def f():\n    from analysis.b import g\n"
    path = tmp_path / "a.py"
    path.write_text(source)
    deps = imported(path, "analysis.a", {"analysis.a", "analysis.b"})
    assert deps == {"analysis.b"}
    assert find_cycle({"analysis.a": deps, "analysis.b": {"analysis.a"}}) == ["analysis.a", "analysis.b", "analysis.a"]
    assert find_cycle({"analysis.a": deps, "analysis.b": set()}) is None


def test_no_import_cycles_in_the_engine():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_engine_never_imports_streamlit():
    offenders = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(name)
    assert not offenders


@pytest.mark.parametrize("name", [n for n, p in modules().items()
                                  if not str(p.relative_to(ROOT)).startswith(OTHER_LAYER)])
def test_a_long_module_says_why(name):
    """A module over the size guide says in its docstring why it is one module ("Size: ...")."""
    path = modules()[name]
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n") + 1
    if lines <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "Size:" in doc, f"{path.relative_to(ROOT)} has {lines} lines and no 'Size:' reason in its docstring"


def test_the_idic_rooms_are_where_the_readme_says():
    """README's Layout names the rooms; each is a package of the engine."""
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    for room in ("identify", "differentiate", "predict", "interact", "customize", "workshop", "charts"):
        assert f"{room}/" in layout
        assert (ENGINE / room / "__init__.py").exists(), room
