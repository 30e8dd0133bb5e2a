"""Templates see view models exactly as stock Jinja would show them: the
renderer's shortcut for ``a.b`` (straight to the item where the attribute
is sure to be missing) changes speed, never what a page says."""
from __future__ import annotations

from collections import defaultdict

import jinja2
import pytest

from generator.render import _class_attributes, _Environment
from generator.views import Card


class _Dynamic:
    def __getattr__(self, name):
        return f"dynamic {name}"


class _Slotted:
    __slots__ = ("title",)

    def __init__(self):
        self.title = "slotted"

    def __getitem__(self, key):
        return f"item {key}"


OBJECTS = {
    "dict": {"title": "A & B", "items": "shadowed by the method", "url": "/x.html"},
    "card": Card({"title": "A card", "url": "/c.html", "get": "shadowed too"}),
    "list": ["a", "b"],
    "str": "text",
    "none": None,
    "dynamic": _Dynamic(),
    "slotted": _Slotted(),
    "defaultdict": defaultdict(int, {"title": "dd"}),
}
ATTRIBUTES = ["title", "items", "url", "get", "missing", "upper", "append", "digest", "__class__", "0"]


def _render(env: jinja2.Environment, obj, attribute: str) -> str:
    try:
        return env.from_string("{{ x.%s }}" % attribute if attribute.isidentifier()
                               else "{{ x|attr('%s') }}" % attribute).render(x=obj)
    except Exception as exc:  # noqa: BLE001 - the failure itself is compared
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("name", OBJECTS)
def test_a_lookup_gives_what_stock_jinja_gives(name):
    options = {"autoescape": True, "undefined": jinja2.StrictUndefined}
    stock, ours = jinja2.Environment(**options), _Environment(**options)
    for attribute in ATTRIBUTES:
        assert _render(ours, OBJECTS[name], attribute) == _render(stock, OBJECTS[name], attribute), attribute


def test_view_models_take_the_shortcut():
    assert _class_attributes(dict) is not None and _class_attributes(Card) is not None
    assert _class_attributes(_Dynamic) is None
