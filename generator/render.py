"""Jinja templates to HTML. Template errors come back as BuildError naming
the template file and line, whether the template fails to parse or fails
while rendering."""
from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from generator.errors import BuildError


class Renderer:
    def __init__(self, templates_dir: Path):
        self.templates_dir = templates_dir.resolve()
        self.env = jinja2.Environment(
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
