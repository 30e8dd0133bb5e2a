"""Jinja templates to HTML. Template errors come back as BuildError naming
the template file and line, whether the template fails to parse or fails
while rendering."""
from __future__ import annotations

import functools
import traceback
from pathlib import Path

import jinja2

from generator.errors import BuildError


# CPython's generic attribute lookup (the class, then any instance __dict__),
# as each of these types names its own copy of it.
_GENERIC_GETATTRIBUTE = tuple(t.__getattribute__ for t in (object, dict, list, tuple, str))


@functools.cache
def _class_attributes(cls: type) -> frozenset[str] | None:
    """Every attribute an instance of ``cls`` can have, if they are exactly
    its class's (the generic lookup, no instance ``__dict__``, no
    ``__getattr__``: a dict, a list, a str, a Card); None for any other type."""
    if cls.__getattribute__ not in _GENERIC_GETATTRIBUTE or hasattr(cls, "__getattr__") or cls.__dictoffset__:
        return None
    return frozenset(dir(cls))


class _Environment(jinja2.Environment):
    """Jinja's ``a.b`` tries ``a``'s attribute ``b``, then its item. View
    models are dicts, where the attribute is missing (an exception raised and
    caught) on nearly every lookup of nearly every page; this goes straight to
    the item wherever the attribute is sure to be missing. Same result."""

    def getattr(self, obj, attribute):
        names = _class_attributes(type(obj))
        if names is None or attribute in names:
            return super().getattr(obj, attribute)
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


class Renderer:
    def __init__(self, templates_dir: Path):
        self.templates_dir = templates_dir.resolve()
        self.env = _Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,   # a Renderer is for the templates as they are when it is made
        )

    def _where(self, exc: BaseException, default: str) -> tuple[str, int | None]:
        """The innermost template frame of a runtime error (Jinja maps its
        compiled code back to template lines in the traceback)."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            path = Path(frame.filename)
            if path.is_relative_to(self.templates_dir):
                return str(path), frame.lineno
        return str(self.templates_dir / default), None

    def render(self, template: str, context: dict) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise BuildError(f"template syntax error: {exc.message}",
                             exc.filename or self.templates_dir / template, exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise BuildError(f"template not found: {exc.name}", self.templates_dir / template) from None
        except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
            path, line = self._where(exc, template)
            raise BuildError(f"template error: {type(exc).__name__}: {exc}", path, line) from None
