"""Text clean-up shared by every stage that reads user text."""
from __future__ import annotations

import re

# Control characters are never meant as text, and XML (the feeds, the
# sitemap) forbids them outright. Tab, newline and carriage return are kept.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A lone surrogate ("\ud800" in YAML, or a byte of a file name that was not
# UTF-8) is not a character: it cannot be written out as UTF-8.
SURROGATE = re.compile(r"[\ud800-\udfff]")


def strip_controls(text: str) -> str:
    return CONTROL_CHARS.sub("", text)


def one_line(text: str) -> str:
    """Control characters gone, all whitespace runs (newlines too) as one space."""
    return " ".join(strip_controls(text).split())
