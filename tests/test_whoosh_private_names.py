"""whoosh3's private names (``_x``) are used only in the Whoosh backend, each file listing the ones
it uses in a comment at its top (the rule of the project's issue): a whoosh3 release may change
them, and the list says what to check against it.

The header, right after the module docstring::

    # whoosh3 private names used here (pinned whoosh3==3.54.0; tests/... check the behaviour):
    #   whoosh.codec.whoosh3: _lenfield
    #   whoosh.codec.whoosh3.W3LeafMatcher (how it is reached): _data, _read_data (overridden), …
    #       _more, _names (a continuation line)

Found here in the cases a parse can tell: ``from whoosh… import _x``, and ``X._x`` where ``_x`` is
listed. The modules are read from this checkout's files, not imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "searchlib"
ENGINE = PACKAGE / "backends" / "whoosh"
TITLE = "# whoosh3 private names used here"
PIN = "whoosh3==3.54.0"
_PRIVATE = re.compile(r"(?<![\w.])_[A-Za-z]\w*")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _header(source: str) -> tuple[int, dict[str, set[str]]] | None:
    """The header's first line number and its names by owner (a whoosh module or class), or None."""
    lines = source.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(TITLE)), None)
    if start is None:
        return None
    owners: dict[str, set[str]] = {}
    owner = None
    for line in lines[start + 1 :]:
        if not line.startswith("#   "):
            break
        text = line[4:]
        if not text.startswith(" ") and ": " in text:
            described, text = text.split(": ", 1)
            owner = described.split()[0]
        assert owner is not None, f"a header line without its owner: {line!r}"
        owners.setdefault(owner, set()).update(_PRIVATE.findall(text))
    return start + 1, owners


def _whoosh_imports(tree: ast.Module) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from whoosh… import _name``."""
    return [
        (node.module, alias.name, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
        and (node.module == "whoosh" or node.module.startswith("whoosh."))
        for alias in node.names
        if alias.name.startswith("_")
    ]


def _used(tree: ast.Module) -> set[str]:
    """The underscore names a module uses: attributes, imported names, methods defined, keyword
    arguments and ``getattr``'s strings."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            found.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
    return {name for name in found if _PRIVATE.fullmatch(name)}


def _headers() -> dict[Path, tuple[int, dict[str, set[str]]]]:
    return {path: found for path in _modules() if (found := _header(path.read_text(encoding="utf-8")))}


def test_no_module_outside_the_whoosh_backend_imports_a_private_whoosh_name() -> None:
    offenders = [
        f"{_name(path)}:{line} from {module} import {name}"
        for path in _modules()
        if ENGINE not in path.parents
        for module, name, line in _whoosh_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def test_no_module_outside_the_whoosh_backend_lists_private_whoosh_names() -> None:
    assert [_name(path) for path in _headers() if ENGINE not in path.parents] == []


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_every_private_whoosh_name_a_module_imports_is_in_its_header(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    imported = _whoosh_imports(ast.parse(source))
    header = _header(source)
    listed = header[1] if header else {}
    missing = [f"{module}.{name} (line {line})" for module, name, line in imported if name not in listed.get(module, set())]
    assert missing == [], f"{_name(path)}: not in its header"


@pytest.mark.parametrize("path", sorted(_headers()), ids=_name)
def test_a_header_is_at_the_top_and_lists_only_names_its_module_uses(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    start, owners = _header(source)  # type: ignore[misc]
    first_import = min(node.lineno for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)))
    assert ast.get_docstring(tree) and tree.body[0].end_lineno < start < first_import  # type: ignore[operator]
    assert PIN in source.splitlines()[start - 1]
    assert all(owner == "whoosh" or owner.startswith("whoosh.") for owner in owners)
    assert all(owners.values()), "an owner without names"
    listed = set().union(*owners.values())
    assert sorted(listed - _used(tree)) == [], "listed but not used: take them off the header"
