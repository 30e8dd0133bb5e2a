"""Dates and durations: the forms real exports use, and the ones to reject."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.units import format_duration, iso_duration, parse_date, parse_duration

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]


@pytest.mark.parametrize("text, expected", [
    ("25 May 2024", dt.date(2024, 5, 25)),
    ("07 Jul 2024", dt.date(2024, 7, 7)),
    ("7 Feb 2023", dt.date(2023, 2, 7)),
    ("7 February 2023", dt.date(2023, 2, 7)),
    ("7 feb 2023", dt.date(2023, 2, 7)),
    ("7 Sept 2023", dt.date(2023, 9, 7)),
    ("May 25, 2024", dt.date(2024, 5, 25)),
    ("2024-05-25", dt.date(2024, 5, 25)),
    ("  25 May 2024  ", dt.date(2024, 5, 25)),
    ("29 Feb 2024", dt.date(2024, 2, 29)),
])
def test_parse_date_reads_the_forms_exports_use(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "", "yesterday", "25 Mai 2024", "32 May 2024", "29 Feb 2023", "2024-13-01", "25/05/2024", "May 2024",
    "25 May 24",
])
def test_parse_date_rejects_what_it_cannot_read_and_quotes_it(text):
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert "unreadable date" in str(info.value)
    assert repr(text.strip()) in str(info.value)


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_parse_date_reads_every_day_in_every_spelling(day):
    month = MONTH_NAMES[day.month - 1]
    for text in (f"{day.day} {month} {day.year}", f"{day.day:02d} {month[:3]} {day.year}",
                 f"{month} {day.day}, {day.year}", day.isoformat()):
        assert parse_date(text) == day, text


@pytest.mark.parametrize("text, seconds", [
    ("24m", 24 * 60),
    ("12m", 12 * 60),
    ("1h", 3600),
    ("1h 12m", 3600 + 12 * 60),
    ("2h 3m", 2 * 3600 + 3 * 60),
    ("45s", 45),
    ("1h 2m 3s", 3723),
    ("1 hr 5 min", 3900),
    ("2 hours", 7200),
    ("1H 12M", 4320),
    ("1:12:00", 4320),
    ("24:30", 24 * 60 + 30),
])
def test_parse_duration_reads_the_forms_exports_use(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", [
    "", "about an hour", "0m", "0s", "24", "24x", "1h 1h", "5 parsecs", "1:75", "m", "-5m",
    "9" * 5000 + "h", "9" * 5000 + ":00:00",
])
def test_parse_duration_rejects_what_it_cannot_read(text):
    with pytest.raises(ValueError, match="unreadable duration"):
        parse_duration(text)


@pytest.mark.parametrize("seconds, shown, iso", [
    (1440, "24m", "PT24M"),
    (3600, "1h", "PT1H"),
    (4320, "1h 12m", "PT1H12M"),
    (7380, "2h 3m", "PT2H3M"),
    (45, "45s", "PT45S"),
    (3723, "1h 2m 3s", "PT1H2M3S"),
    (0, "0s", "PT0S"),
])
def test_durations_are_shown_short_and_in_iso_8601(seconds, shown, iso):
    assert format_duration(seconds) == shown
    assert iso_duration(seconds) == iso


@given(st.integers(min_value=1, max_value=100 * 3600))
def test_a_formatted_duration_reads_back_as_the_same_length(seconds):
    # The front matter stores format_duration's output; loading it must not drift.
    assert parse_duration(format_duration(seconds)) == seconds
