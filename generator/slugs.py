"""The one slug function: ASCII, lower case, safe as a single path segment."""
from __future__ import annotations

import re

from text_unidecode import unidecode

MAX_LENGTH = 80
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """'Putin & Erdoğan meet' -> 'putin-erdogan-meet'; '../../etc/passwd' -> 'etc-passwd'.

    The result only ever holds [a-z0-9-], so it cannot name a parent folder or
    an absolute path. It may be empty (a title with no letters or digits);
    callers supply a fallback.
    """
    slug = _NOT_ALNUM.sub("-", unidecode(text).lower()).strip("-")
    if len(slug) > MAX_LENGTH:
        cut = slug.rfind("-", 0, MAX_LENGTH + 1)
        slug = slug[:cut if cut > MAX_LENGTH // 2 else MAX_LENGTH].strip("-")
    return slug


def unique_slug(wanted: str, taken: set[str], date_text: str = "") -> str:
    """``wanted``, or with the date, or a number appended, whichever is free first."""
    if wanted not in taken:
        return wanted
    if date_text and f"{wanted}-{date_text}" not in taken:
        return f"{wanted}-{date_text}"
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"
