"""The one parser and formatter for dates and durations, used by the
transcript reader and the front-matter loader alike."""
from __future__ import annotations

import datetime as dt
import re

from generator.errors import quoted

_MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december")],
    start=1) for name in names}

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str) -> dt.date:
    """'25 May 2024', '7 February 2023', 'May 25, 2024' or '2024-05-25'.

    Raises ValueError with a reason a user can act on.
    """
    text = text.strip()
    if m := _ISO.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = int(m[1]), _MONTHS.get(m[2].lower()), int(m[3])
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = _MONTHS.get(m[1].lower()), int(m[2]), int(m[3])
    else:
        raise ValueError(f"unreadable date {quoted(text)} (expected e.g. '25 May 2024')")
    if month is None:
        raise ValueError(f"unreadable date {quoted(text)}: unknown month")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"unreadable date {quoted(text)}: no such day") from None


_UNIT_SECONDS = {"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
                 "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
                 "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1}
# Numbers are bounded so that a garbled value is "unreadable", not a crash in
# int() (Python refuses to convert strings of more than 4300 digits).
_DURATION_PART = re.compile(r"(\d{1,9})\s*([a-z]+)")
_CLOCK = re.compile(r"(?:(\d{1,9}):)?(\d{1,2}):(\d{2})")


def parse_duration(text: str) -> int:
    """Seconds in '24m', '1h', '1h 12m', '2h 3m', '45s', '1 hr 5 min' or '1:12:00'."""
    raw = text
    text = text.strip().lower()
    if m := _CLOCK.fullmatch(text):
        hours, minutes, seconds = int(m[1] or 0), int(m[2]), int(m[3])
        if seconds < 60 and (m[1] is None or minutes < 60):
            return hours * 3600 + minutes * 60 + seconds
    parts = _DURATION_PART.findall(text)
    if parts and _DURATION_PART.sub("", text).strip(" ,") == "":
        total, seen = 0, set()
        for number, unit in parts:
            if unit not in _UNIT_SECONDS or _UNIT_SECONDS[unit] in seen:
                break
            seen.add(_UNIT_SECONDS[unit])
            total += int(number) * _UNIT_SECONDS[unit]
        else:
            if total > 0:
                return total
    raise ValueError(f"unreadable duration {quoted(raw.strip())} (expected e.g. '24m' or '1h 12m')")


def format_duration(seconds: int) -> str:
    """The form the front matter stores and pages show: '1h 12m', '24m', '45s'."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] * bool(hours) + [f"{minutes}m"] * bool(minutes) + [f"{secs}s"] * bool(secs)
    return " ".join(parts) or "0s"


def iso_duration(seconds: int) -> str:
    """ISO 8601, as schema.org wants it: 'PT1H12M'."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT" + f"{hours}H" * bool(hours) + f"{minutes}M" * bool(minutes) + f"{secs}S" * bool(secs)
    return out if out != "PT" else "PT0S"
