"""Slugs: ASCII, lower case, one safe path segment, unique."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.content import SLUG_PATTERN
from generator.slugs import MAX_LENGTH, slugify, unique_slug


@pytest.mark.parametrize("title, slug", [
    ("Putin & Lukashenko prepare for NATO escalation", "putin-lukashenko-prepare-for-nato-escalation"),
    ("Belarus joins SCO. Eurasia grows stronger", "belarus-joins-sco-eurasia-grows-stronger"),
    ("Erdoğan", "erdogan"),
    ("Erdoğan and the imaginary Łódź bridge", "erdogan-and-the-imaginary-lodz-bridge"),
    ("Café prices in € – a “made-up” story", "cafe-prices-in-eur-a-made-up-story"),
    ("../../etc/passwd", "etc-passwd"),
    ("  Spaces   and---dashes  ", "spaces-and-dashes"),
    ("2024: year 1", "2024-year-1"),
])
def test_slug_is_readable_ascii(title, slug):
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["", "!!!", "&&& ... ???", "🎙️"])
def test_title_without_letters_or_digits_gives_an_empty_slug_for_the_caller_to_replace(title):
    assert slugify(title) == ""


def test_long_title_is_cut_at_a_word_boundary():
    title = "An invented title that goes on " + "and on " * 30
    slug = slugify(title)
    assert len(slug) <= MAX_LENGTH
    assert slugify(title).startswith("an-invented-title-that-goes-on-and-on")
    assert title.lower().replace(" ", "-").startswith(slug + "-")


@given(st.text())
def test_any_title_gives_a_safe_single_path_segment(title):
    slug = slugify(title)
    assert slug == "" or SLUG_PATTERN.fullmatch(slug)
    assert len(slug) <= MAX_LENGTH
    base = Path("/srv/content/episodes")
    if slug:
        assert (base / f"{slug}.md").resolve().parent == base.resolve()


@given(st.text())
def test_slugify_is_idempotent(title):
    # A slug typed into front matter by hand stays as it is when slugified again.
    assert slugify(slugify(title)) == slugify(title)


def test_unique_slug_prefers_the_plain_slug():
    assert unique_slug("roundup", {"other"}, "2023-02-07") == "roundup"


def test_unique_slug_adds_the_date_then_a_number():
    taken = {"roundup"}
    assert unique_slug("roundup", taken, "2023-02-07") == "roundup-2023-02-07"
    taken |= {"roundup-2023-02-07"}
    assert unique_slug("roundup", taken, "2023-02-07") == "roundup-2"
    assert unique_slug("roundup", taken | {"roundup-2"}, "2023-02-07") == "roundup-3"
    assert unique_slug("roundup", taken) == "roundup-2"


@given(st.sets(st.sampled_from(["a", "a-2", "a-3", "a-2024-01-01", "b"])))
def test_unique_slug_never_returns_a_taken_slug(taken):
    slug = unique_slug("a", taken, "2024-01-01")
    assert slug not in taken and slug.startswith("a") and SLUG_PATTERN.fullmatch(slug)
