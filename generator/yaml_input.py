"""YAML written by hand, by a stranger or by accident: pages' front matter
and site.yaml. Read so that no document costs more than linear time and
memory, and every refusal says why and where.

Refused before anything is built into Python values: aliases (a 500-byte
alias bomb expands to gigabytes), nesting deeper than MAX_DEPTH (recursion),
tags other than YAML's plain ones (``!!binary`` would show as ``b'...'``,
``!!python/...`` never loads under the safe loader anyway), and lone
surrogate escapes (``"\\ud800"`` is no character and cannot be written out).
"""
from __future__ import annotations

from typing import Callable

import yaml

from generator.errors import quoted
from generator.text import SURROGATE

MAX_DEPTH = 20   # lists and mappings inside each other; a page needs 2, site.yaml 2
TOO_DEEP = f"nests lists or mappings more than {MAX_DEPTH} deep"
_ALIASES = "uses a YAML alias (*name); aliases are not allowed here: write the value out"
_FAST_LIMIT = 10_000   # characters; libyaml's parser is safe far beyond this depth
YAML_TAG = "tag:yaml.org,2002:"
# The tags YAML gives plain values; any other (!!binary, !!set, !!python/...,
# a local !tag) makes a value the site cannot show as text.
_ALLOWED_TAGS = frozenset(YAML_TAG + name for name in
                          ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge", "value"))


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that may not be used here, refused before it is built
    into Python values; ``problem`` says why, ``problem_mark`` where."""


class _Lenient:
    """A scalar that YAML resolves to a date or number Python cannot hold
    (2024-02-30, 5000 digits, '!!int x') stays the text it was written as,
    so the field's own check reports it on its line."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, OverflowError):
            if isinstance(node, yaml.ScalarNode):
                return node.value
            raise yaml.constructor.ConstructorError(None, None, "a value that cannot be read",
                                                    node.start_mark) from None


class _Loader(_Lenient, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


class _DeepLoader(_Lenient, yaml.SafeLoader):
    """Pure Python, for long documents: libyaml's parser overflows the C
    stack on deep nesting. The composer refuses aliases and depth itself,
    before its recursion can go deep."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise Refused(None, None, _ALIASES, self.peek_event().start_mark)
        if not self.check_event(yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        if self._depth >= MAX_DEPTH:
            raise Refused(None, None, TOO_DEEP, self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(YAML_TAG):] if tag.startswith(YAML_TAG) else tag


def _first_alias(text: str):
    """Where the first alias in ``text`` is (called only when there is one)."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark
    return None


def _check_nodes(root: yaml.Node, text: str) -> None:
    """Refuse what the composed document may not hold, before any of it
    becomes Python values. An alias is a node reached twice (libyaml
    composes it as a reference, so nothing has expanded yet). Visits each
    node once, in document order."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise Refused(None, None, _ALIASES, _first_alias(text) or node.start_mark)
        seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            raise Refused(None, None, f"has a value tagged {quoted(_tag_name(node.tag))}; only plain "
                                      f"text, numbers, dates, lists and mappings are allowed", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            if not node.value.isascii() and (m := SURROGATE.search(node.value)):
                raise Refused(None, None, f"holds {quoted(m[0])}, a lone surrogate escape: it is not a "
                                          f"character", node.start_mark)
            continue
        if depth > MAX_DEPTH:
            raise Refused(None, None, TOO_DEEP, node.start_mark)
        children = [part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode) \
            else node.value
        stack.extend((child, depth + 1) for child in reversed(children))


def load(text: str, retag: Callable[[yaml.Node], None] | None = None):
    """The document's value. ``retag`` may change the composed nodes' tags
    first (front matter reads some values as text). Raises yaml.YAMLError
    (Refused among them) or RecursionError; ``problem`` words either."""
    loader = (_Loader if len(text) <= _FAST_LIMIT else _DeepLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, text)
        if retag:
            retag(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def problem(exc: BaseException) -> tuple[str, int]:
    """What ``load`` refused, in words that follow a name ("front matter
    ..."), and the 0-based line it was found on."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line if mark else 0
    if isinstance(exc, Refused):
        return exc.problem, line
    if isinstance(exc, RecursionError):
        return "is nested too deeply", 0
    reason = getattr(exc, "problem", None) or "cannot be parsed"
    if "nesting depth" in reason:   # libyaml's own limit, of 1000
        return TOO_DEEP, line
    return f"is not valid YAML: {reason}", line
