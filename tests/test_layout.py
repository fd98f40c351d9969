"""The package's shape: the layers above the seam never reach into the Whoosh engine, and every
function fits in a head (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "searchlib"
ENGINE = PACKAGE / "backends" / "whoosh"
#: Modules that choose the engine, or keep the class paths old indexes pickled: they may name it.
CHOOSE_THE_ENGINE = {"backends/__init__.py", "codec.py", "schema.py", "analysis/__init__.py"}
#: Longest function, in lines from its ``def`` to its end.
MAX_LINES = 60
#: What a function longer than that says in its docstring or first comment.
KEPT_LONG = "Kept long on purpose"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, as an absolute name (function-level imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _above_the_seam() -> list[Path]:
    return [path for path in _modules() if ENGINE not in path.parents]


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_only_the_whoosh_backend_imports_whoosh() -> None:
    offenders = [
        _name(path)
        for path in _above_the_seam()
        if any(name == "whoosh" or name.startswith("whoosh.") for name in _imported(path))
    ]
    assert offenders == []


def test_the_layers_above_reach_the_engine_through_the_seam() -> None:
    offenders = [
        _name(path)
        for path in _above_the_seam()
        if _name(path) not in CHOOSE_THE_ENGINE
        and any(name.startswith("searchlib.backends.whoosh") for name in _imported(path))
    ]
    assert offenders == []


def _long_functions() -> list[tuple[str, int, str]]:
    found = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                head = "\n".join(lines[node.lineno - 1 : node.lineno + 12])
                if length > MAX_LINES and KEPT_LONG not in head:
                    found.append((_name(path), node.lineno, node.name))
    return found


def test_no_function_is_longer_than_a_screen_but_the_hot_loops_kept_long_on_purpose() -> None:
    assert _long_functions() == []


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_every_module_says_what_it_is_for(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{_name(path)} has no docstring"
