"""The query language's syntax: the text cut into nodes (words, phrases, fields, operators,
brackets…), then rearranged by a fixed series of steps into groups, as Whoosh's query parser does
with searchlib's plugins (the language has always been read that way; tests/search/test_tree.py holds
the two readings equal). :mod:`searchlib.search.parser` turns the groups into the query tree.

The steps, in order: brackets into groups, stray boosts and fuzziness back into words, fuzzy words,
wildcards, field aliases, field names, the fields a word is searched in, white space out, boosts,
``+``/``-``, then the operators (``NOT``, ``AND``, ``OR``, ``ANDNOT``, ``ANDMAYBE`` and their French
names).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

# -- nodes -------------------------------------------------------------------------------------


class Node:
    """A piece of the query text."""

    has_fieldname = False
    has_text = False
    has_boost = False
    startchar: int | None = None
    endchar: int | None = None
    fieldname: str | None = None
    boost = 1.0

    def is_ws(self) -> bool:
        return False

    def is_text(self) -> bool:
        return False

    def set_fieldname(self, name: str | None, override: bool = False) -> None:
        if self.has_fieldname and (self.fieldname is None or override):
            self.fieldname = name

    def set_boost(self, boost: float) -> None:
        if self.has_boost:
            self.boost = boost

    def set_range(self, start: int | None, end: int | None) -> Node:
        self.startchar, self.endchar = start, end
        return self


class Space(Node):
    def is_ws(self) -> bool:
        return True


class Marker(Node):
    """``+``, ``-``, ``(``, ``)``: placed by the steps, never searched."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


class FieldName(Node):
    has_fieldname = True

    def __init__(self, fieldname: str, original: str) -> None:
        self.fieldname = fieldname
        self.original = original


class Text(Node):
    """A word (``word``), or a pattern: ``wildcard``, ``prefix`` or ``fuzzy``."""

    has_fieldname = True
    has_text = True
    has_boost = True

    def __init__(self, text: str, kind: str = "word") -> None:
        self.text = text
        self.kind = kind
        self.fieldname = None
        self.boost = 1.0
        self.distance = 1
        self.prefix = 0

    def is_text(self) -> bool:
        return True


class Phrase(Text):
    def __init__(self, text: str, textstart: int, slop: int) -> None:
        super().__init__(text, "phrase")
        self.textstart = textstart
        self.slop = slop


class Range(Node):
    has_fieldname = True
    has_boost = True

    def __init__(self, start: str | None, end: str | None, start_excluded: bool, end_excluded: bool) -> None:
        self.start, self.end = start, end
        self.start_excluded, self.end_excluded = start_excluded, end_excluded
        self.fieldname = None
        self.boost = 1.0


class Every(Node):
    pass


class Boost(Node):
    def __init__(self, original: str, boost: float) -> None:
        self.original = original
        self.boost_value = boost


class Fuzziness(Node):
    def __init__(self, distance: int, prefix: int, original: str) -> None:
        self.distance, self.prefix, self.original = distance, prefix, original


class Operator(Node):
    def __init__(self, text: str, group: str, prefix: bool) -> None:
        self.text, self.group, self.prefix = text, group, prefix


#: Group kinds: ``or`` (the default, and brackets), ``operands`` (of OR: brackets are not merged
#: into them), ``and``, and the binary ``andnot``, ``andmaybe``, and ``not``.
BINARY = ("andnot", "andmaybe")


class Group(Node):
    def __init__(self, kind: str = "or", nodes: list[Node] | None = None) -> None:
        self.kind = kind
        self.nodes: list[Node] = list(nodes or [])
        self.boost = 1.0

    @property  # type: ignore[override]
    def startchar(self) -> int | None:
        return self.nodes[0].startchar if self.nodes else None

    @property  # type: ignore[override]
    def endchar(self) -> int | None:
        return self.nodes[-1].endchar if self.nodes else None

    @property
    def merging(self) -> bool:
        return self.kind not in (*BINARY, "not")

    @property
    def has_boost(self) -> bool:  # type: ignore[override]
        return self.kind not in BINARY

    def empty(self) -> Group:
        group = Group(self.kind)
        group.boost = self.boost
        return group

    def set_fieldname(self, name: str | None, override: bool = False) -> None:
        for node in self.nodes:
            node.set_fieldname(name, override)

    def set_range(self, start: int | None, end: int | None) -> Node:
        for node in self.nodes:
            node.set_range(start, end)
        return self


def to_word(node: Any) -> Text:
    word = Text(node.original)
    word.startchar, word.endchar = node.startchar, node.endchar
    return word


# -- cutting the text into nodes -----------------------------------------------------------------

_RANGE = re.compile(
    r"""(?P<open>\{|\[)(?P<start>('[^']*?'\s+)|([^\]}]+?(?=\b[Tt][Oo]\b)))?\b[Tt][Oo]\b"""
    r"""(?P<end>(\s+'[^']*?')|([^\]}]+?))?(?P<close>}|])"""
)


def _range(match: re.Match[str]) -> Node:
    start, end = match.group("start"), match.group("end")
    if start:
        start = start.rstrip()
        if start.startswith("'") and start.endswith("'"):
            start = start[1:-1]
    if end:
        end = end.lstrip()
        if end.startswith("'") and end.endswith("'"):
            end = end[1:-1]
    return Range(start, end, match.group("open") == "{", match.group("close") == "}")


def _boost(match: re.Match[str]) -> Node:
    try:
        return Boost(match.group(0), float(match.group("boost")))
    except ValueError:
        return Text(match.group(0))


def _fuzziness(match: re.Match[str]) -> Node:
    distance, prefix = match.group("maxdist"), match.group("prefix")
    return Fuzziness(int(distance) if distance else 1, int(prefix) if prefix else 0, match.group(0))


def _phrase(match: re.Match[str]) -> Node:
    slop = match.group("slop")
    return Phrase(match.group("text"), match.start("text"), int(slop) if slop else 1)


_QMARKS = "?\u055e\u061f\u1367"
#: (pattern, node maker), tried in this order at every position of the text.
_TAGGERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Node]], ...] = tuple(
    (re.compile(pattern), make)
    for pattern, make in (
        (r"(?<=\s)ANDNOT(?=\s)", lambda m: Operator(m.group(0), "andnot", False)),
        (r"(?<=\s)ANDMAYBE(?=\s)", lambda m: Operator(m.group(0), "andmaybe", False)),
        (r"[*]:[*]", lambda m: Every()),
        (r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)", lambda m: Text(m.group("text"))),
        (r"(?P<text>\w+|[*]):", lambda m: FieldName(m.group("text"), m.group(0))),
        (f"(?P<text>[*{_QMARKS}])", lambda m: Text(m.group("text"), "wildcard")),
        (r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?', _phrase),
        (r"[(]", lambda m: Marker("(")),
        (r"[)]", lambda m: Marker(")")),
        (r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))", _boost),
        (r"(^|(?<=(\s|[()])))(?:NOT|SAUF)(?=\s)", lambda m: Operator(m.group(0), "not", True)),
        (r"(?<=\s)(?:AND|ET)(?=\s)", lambda m: Operator(m.group(0), "and", False)),
        (r"(?<=\s)(?:OR|OU)(?=\s)", lambda m: Operator(m.group(0), "operands", False)),
        (r"(?<!\S)\+(?=[^\s+-])", lambda m: Marker("+")),
        (r"(?<!\S)-(?=[^\s+-])", lambda m: Marker("-")),
        (r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[1-9][0-9]*))?", _fuzziness),
        (_RANGE.pattern, _range),
        (r"\s+", lambda m: Space()),
    )
)


def tag(text: str) -> Group:
    """``text`` cut into nodes; what no tagger takes between them is a word."""
    nodes: list[Node] = []
    pos = previous = 0
    while pos < len(text):
        for pattern, make in _TAGGERS:
            match = pattern.match(text, pos)
            if match is not None:
                if previous < pos:
                    nodes.append(Text(text[previous:pos]).set_range(previous, pos))
                nodes.append(make(match).set_range(match.start(), match.end()))
                previous = pos = match.end()
                break
        else:
            pos += 1
    if previous < len(text):
        nodes.append(Text(text[previous:]).set_range(previous, len(text)))
    return Group("or", nodes)


# -- the steps -----------------------------------------------------------------------------------


def brackets(group: Group) -> Group:
    stack = [Group("or")]
    for node in group.nodes:
        if isinstance(node, Marker) and node.kind == "(":
            stack.append(Group("or"))
        elif isinstance(node, Marker) and node.kind == ")":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].nodes.append(last)
        else:
            stack[-1].nodes.append(node)
    top = stack[0]
    for unclosed in stack[1:]:
        top.nodes.extend(unclosed.nodes)
    if len(top.nodes) == 1 and isinstance(top.nodes[0], Group):
        boost, top = top.boost, top.nodes[0]
        top.boost = boost
    return top


def stray_boosts(group: Group) -> Group:
    for i, node in enumerate(group.nodes):
        if isinstance(node, Boost) and (not i or not group.nodes[i - 1].has_boost):
            group.nodes[i] = to_word(node)
    return group


def fuzzy_words(group: Group) -> Group:
    out = group.empty()
    nodes, i = group.nodes, 0
    while i < len(nodes):
        node = nodes[i]
        if i < len(nodes) - 1 and _is_word(node) and isinstance(nodes[i + 1], Fuzziness):
            node = _fuzzy(node, nodes[i + 1])  # type: ignore[arg-type]
            i += 1
        if isinstance(node, Fuzziness):
            node = to_word(node)
        if isinstance(node, Group):
            node = fuzzy_words(node)
        out.nodes.append(node)
        i += 1
    return out


def _is_word(node: Node) -> bool:
    return type(node) is Text and node.kind == "word"


def _fuzzy(word: Text, fuzziness: Fuzziness) -> Text:
    fuzzy = Text(word.text, "fuzzy")
    fuzzy.fieldname, fuzzy.boost = word.fieldname, word.boost
    fuzzy.startchar, fuzzy.endchar = word.startchar, word.endchar
    fuzzy.distance, fuzzy.prefix = fuzziness.distance, fuzziness.prefix
    return fuzzy


def wildcards(group: Group) -> Group:
    nodes, i = group.nodes, 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, Text) and node.kind == "wildcard":
            if i < len(nodes) - 1 and nodes[i + 1].is_text():
                node.text += nodes.pop(i + 1).text  # type: ignore[attr-defined]
            if i > 0 and nodes[i - 1].is_text():
                node.text = nodes.pop(i - 1).text + node.text  # type: ignore[attr-defined]
            else:
                i += 1
        else:
            if isinstance(node, Group):
                wildcards(node)
            i += 1
    for i, node in enumerate(nodes):
        if isinstance(node, Text) and node.kind == "wildcard":
            text = node.text
            if len(text) > 1 and "[" not in text and not any(q in text for q in _QMARKS) and text.find("*") == len(text) - 1:
                prefix = Text(text[:-1], "prefix")
                prefix.startchar, prefix.endchar = node.startchar, node.endchar
                nodes[i] = prefix
    return group


def aliases(group: Group, reverse: dict[str, str]) -> Group:
    for node in group.nodes:
        if isinstance(node, Group):
            aliases(node, reverse)
        elif node.has_fieldname and node.fieldname is not None and node.fieldname in reverse:
            node.set_fieldname(reverse[node.fieldname], override=True)
    return group


def field_names(group: Group, known: frozenset[str]) -> Group:
    group = _unknown_fields_as_text(group, known)
    out = group.empty()
    i = len(group.nodes)
    while i > 0:
        i -= 1
        node = group.nodes[i]
        if isinstance(node, FieldName):
            node = to_word(node)
        elif isinstance(node, Group):
            node = field_names(node, known)
        if i > 0 and not node.is_ws() and isinstance(group.nodes[i - 1], FieldName):
            node.set_fieldname(group.nodes[i - 1].fieldname)
            i -= 1
        out.nodes.append(node)
    out.nodes.reverse()
    return out


def _unknown_fields_as_text(group: Group, known: frozenset[str]) -> Group:
    out, pending = group.empty(), []
    for node in group.nodes:
        if isinstance(node, FieldName) and node.fieldname not in known:
            pending.append(node)
            continue
        if pending:
            original = "".join(field.original for field in pending)
            if node.has_text:
                node.text = original + node.text  # type: ignore[attr-defined]
                if pending[0].startchar is not None and node.startchar is not None:
                    node.startchar = pending[0].startchar
            else:
                out.nodes.append(_merged_fields(pending))
            pending = []
        out.nodes.append(node)
    if pending:
        out.nodes.append(_merged_fields(pending))
    return out


def _merged_fields(fields: list[FieldName]) -> Text:
    word = to_word(fields[0])
    if len(fields) > 1:
        word.text = "".join(field.original for field in fields)
        if fields[-1].endchar is not None:
            word.endchar = fields[-1].endchar
    return word


def multifield(group: Group, boosts: dict[str, float]) -> Group:
    for i, node in enumerate(group.nodes):
        if isinstance(node, Group):
            group.nodes[i] = multifield(node, boosts)
        elif node.has_fieldname and node.fieldname is None:
            copies = []
            for name, boost in boosts.items():
                each = copy.copy(node)
                each.set_fieldname(name)
                each.set_boost(boost)
                copies.append(each)
            group.nodes[i] = Group("or", copies)
    return group


def without_spaces(group: Group) -> Group:
    out = group.empty()
    for node in group.nodes:
        if isinstance(node, Group):
            out.nodes.append(without_spaces(node))
        elif not node.is_ws():
            out.nodes.append(node)
    return out


def boosts(group: Group) -> Group:
    out = group.empty()
    for node in group.nodes:
        if isinstance(node, Group):
            node = boosts(node)
        elif isinstance(node, Boost):
            if out.nodes and out.nodes[-1].has_boost:
                out.nodes[-1].set_boost(node.boost_value)
                continue
            node = to_word(node)
        out.nodes.append(node)
    return out


def plus_minus(group: Group) -> Group:
    """``+mot`` required, ``-mot`` excluded, inside brackets too."""
    for i, node in enumerate(group.nodes):
        if isinstance(node, Group):
            group.nodes[i] = plus_minus(node)
    required, optional, banned = Group("and"), Group("and" if group.kind == "and" else "or"), Group("or")
    into = optional
    for node in group.nodes:
        if isinstance(node, Marker) and node.kind == "+":
            into = required
        elif isinstance(node, Marker) and node.kind == "-":
            into = banned
        else:
            into.nodes.append(node)
            into = optional
    result = optional
    if required.nodes:
        result = Group("andmaybe", [required, result])
    if banned.nodes:
        result = Group("andnot", [result, banned])
    return result


_OPERATOR_ORDER = (("not", True), ("and", False), ("operands", False), ("andnot", False), ("andmaybe", False))


def operators(group: Group) -> Group:
    for kind, prefix in _OPERATOR_ORDER:
        i = 0
        while i < len(group.nodes):
            node = group.nodes[i]
            if isinstance(node, Operator) and node.group == kind:
                i = _prefix(group.nodes, i, kind) if prefix else _infix(group.nodes, i, kind)
            else:
                i += 1
    for i, node in enumerate(group.nodes):
        if isinstance(node, Group):
            group.nodes[i] = operators(node)
    return group


def _prefix(nodes: list[Node], i: int, kind: str) -> int:
    length = len(nodes)
    del nodes[i]
    if i < length - 1:
        nodes[i] = Group(kind, [nodes[i]])
    return i


def _infix(nodes: list[Node], i: int, kind: str) -> int:
    if 0 < i < len(nodes) - 1:
        left, right = nodes[i - 1], nodes[i + 1]
        if isinstance(left, Group) and left.kind == kind and left.merging:
            left.nodes.append(right)
            del nodes[i : i + 2]
        else:
            nodes[i - 1 : i + 2] = [Group(kind, [left, right])]
    else:
        del nodes[i]
    return i


def read(text: str, known: frozenset[str], reverse_aliases: dict[str, str], field_boosts: dict[str, float]) -> Group:
    """``text`` as groups of nodes, every step taken."""
    group = brackets(tag(text))
    group = fuzzy_words(stray_boosts(group))
    group = aliases(wildcards(group), reverse_aliases)
    group = multifield(field_names(group, known), field_boosts)
    return operators(plus_minus(boosts(without_spaces(group))))
