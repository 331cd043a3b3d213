"""The package's layering, read from its source with ``ast``.

Every import in ``nps_toolkit`` is parsed, function-level imports included:

* the import graph of package modules has no cycle (modules import only
  downward: ``_core`` and ``_validation`` at the bottom, the counting and
  statistics modules above them, reporting and the CLI on top);
* no module imports a ``_name`` of a *public* module (one whose file name
  does not start with ``_``), neither with ``from .x import _name`` nor as
  ``x._name``: what several modules share lives in a private module.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nps_toolkit"


def _module_name(path: Path) -> str:
    parts = ["nps_toolkit", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(current: str, level: int, module: str | None) -> str:
    """Absolute name of ``from <level dots><module> import ...`` inside ``current``."""
    base = current.split(".")
    if not _is_package(current):
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _is_private(module: str) -> bool:
    return module.rsplit(".", 1)[-1].startswith("_")


def _is_private_name(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _imports(name: str):
    """(imported module, names taken from it, line) for every import in a module."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    bound = {}  # local name -> package module it refers to
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("nps_toolkit"):
                    found.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and not (node.module or "").startswith("nps_toolkit"):
                continue
            target = node.module if node.level == 0 else _resolve(name, node.level, node.module)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # from . import backends
                    found.append((sub, [], node.lineno))
                    bound[alias.asname or alias.name] = sub
                else:
                    found.append((target, [alias.name], node.lineno))
    for node in ast.walk(tree):  # backends._connection after "from . import backends"
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
        ):
            found.append((bound[node.value.id], [node.attr], node.lineno))
    return found


def _graph():
    graph = {m: set() for m in MODULES}
    for m in MODULES:
        for target, _, _ in _imports(m):
            if target in MODULES and target != m:
                graph[m].add(target)
    return graph


def _private_cross_imports():
    bad = set()
    for m in MODULES:
        for target, names, _ in _imports(m):
            if target not in MODULES or target == m or _is_private(target):
                continue
            for n in names:
                if _is_private_name(n):
                    bad.add((m, f"{target}.{n}"))
    return bad


def _cycle(graph):
    """One import cycle as a list of modules, or None (depth-first search)."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == "open":
                return stack[stack.index(t) :] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


# Moves other people are making now; each entry must disappear with its
# move (the test below fails while a listed import no longer exists).
PENDING: set = set()


def test_the_parser_sees_imports_of_every_kind():
    # a guard against a test that cannot fail: the known edges are found
    graph = _graph()
    assert "nps_toolkit._core" in graph["nps_toolkit.scoring"]
    assert "nps_toolkit.backends" in graph["nps_toolkit._counting"]  # function-level import
    assert "nps_toolkit.reporting.config" in graph["nps_toolkit.reporting.rendering"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_private_name_of_a_public_module_is_imported_elsewhere():
    bad = _private_cross_imports() - PENDING
    assert not bad, "import from a private module instead: " + ", ".join(
        f"{m} imports {n}" for m, n in sorted(bad)
    )


def test_pending_moves_are_still_pending():
    gone = PENDING - _private_cross_imports()
    assert not gone, f"{sorted(gone)} are gone: remove them from PENDING in tests/test_layers.py"


def test_private_modules_sit_below_the_public_statistics_modules():
    graph = _graph()
    for low in ("nps_toolkit._core", "nps_toolkit._validation"):
        public = [t for t in graph[low] if not _is_private(t)]
        assert not public, f"{low} imports the public module(s) {public}"
    assert graph["nps_toolkit._core"] == set()
    assert graph["nps_toolkit._validation"] <= {"nps_toolkit._core"}
