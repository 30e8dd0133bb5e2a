"""The project's exceptions and the warning/error tally shared by a run.

Exceptions are raised deep in the pipeline and caught only at the CLI edge
(or by the stage that skips one bad file and carries on), which prints them
as ``error: PATH:LINE: message``.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

SHORT = 80   # characters of a value a message quotes; the rest is cut to an ellipsis


def shown(text: str) -> str:
    """``text`` safe to print on one line: every character that is not
    printable (newlines, escapes, bidi overrides, lone surrogates) written as
    its escape, so a file name or value can never start a line of its own or
    reorder the ones around it. A byte of a file name that was not UTF-8
    (decoded by Python as a surrogate) is shown as that byte, ``\\xff``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else
                   f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else repr(ch)[1:-1]
                   for ch in text)


def quoted(text: str, limit: int = SHORT) -> str:
    """A value as a message quotes it: ``repr`` (so escaped, in quotes), cut
    to ``limit`` characters with an ellipsis."""
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


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
        return f"{shown(self.path)}:{self.line}: " if self.line else f"{shown(self.path)}: "

    def __str__(self) -> str:
        return f"{self.location()}{shown(self.message)}"


class TranscriptError(GeneratorError):
    """A transcript file that cannot be read as an Archive.fm episode."""


class ContentError(GeneratorError):
    """A Markdown page under content/ with broken front matter."""


class ConfigError(GeneratorError):
    """site.yaml (or a flag) holds bad values; ``problems`` lists every one."""

    def __init__(self, path: Path | str, problems: list[str]):
        problems = [shown(p) for p in problems]
        super().__init__("; ".join(problems), path)
        self.problems = problems

    def __reduce__(self):
        return (type(self), (self.path, self.problems))

    def __str__(self) -> str:
        return "\n".join(f"{shown(self.path)}: {p}" for p in self.problems)


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
        # shown again: whatever a message holds, it is one line of its own.
        print(f"error: {shown(str(exc))}", file=self._out())

    def warn(self, message: str) -> None:
        self.warnings += 1
        print(f"warning: {shown(message)}", file=self._out())

    @property
    def clean(self) -> bool:
        return self.errors == 0 and self.warnings == 0
