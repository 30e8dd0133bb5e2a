"""The project's exceptions and the warning/error tally shared by a run.

Exceptions are raised deep in the pipeline and caught only at the CLI edge
(or by the stage that skips one bad file and carries on), which prints them
as ``error: PATH:LINE: message``.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path


class GeneratorError(Exception):
    """Base class: something the user can fix, reported without a traceback."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __reduce__(self):
        # So an error raised in a worker process arrives with its file and line.
        return (type(self), (self.message, self.path, self.line))

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "

    def __str__(self) -> str:
        return f"{self.location()}{self.message}"


class TranscriptError(GeneratorError):
    """A transcript file that cannot be read as an Archive.fm episode."""


class ContentError(GeneratorError):
    """A Markdown page under content/ with broken front matter."""


class ConfigError(GeneratorError):
    """site.yaml (or a flag) holds bad values; ``problems`` lists every one."""

    def __init__(self, path: Path | str, problems: list[str]):
        super().__init__("; ".join(problems), path)
        self.problems = problems

    def __reduce__(self):
        return (type(self), (self.path, self.problems))

    def __str__(self) -> str:
        return "\n".join(f"{self.path}: {p}" for p in self.problems)


class BuildError(GeneratorError):
    """Rendering or writing the site failed (a template error, a full disk)."""


@dataclass
class Report:
    """Counts what went wrong in a run; ``--strict`` turns any of it into exit 1."""

    stream: object = field(default=None)
    errors: int = 0
    warnings: int = 0

    def _out(self):
        return self.stream or sys.stderr

    def error(self, exc: GeneratorError | str) -> None:
        self.errors += 1
        print(f"error: {exc}", file=self._out())

    def warn(self, message: str) -> None:
        self.warnings += 1
        print(f"warning: {message}", file=self._out())

    @property
    def clean(self) -> bool:
        return self.errors == 0 and self.warnings == 0
