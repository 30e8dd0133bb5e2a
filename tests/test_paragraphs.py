"""Readable paragraphs: cut at sentence ends, 60 to 160 words, words untouched.

(The property that any text keeps its exact word sequence is in
test_transcript_fuzz.py, with the other generated-input tests.)
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.paragraphs import MAX_WORDS, MIN_WORDS, sentences, split_paragraphs
from generator.transcript import read_transcript

SEEDS = ["000_c076a2ace7a3298f.txt", "003_016b23e006a442db.txt"]
# A paragraph may run a little past MAX_WORDS rather than leave a stub of a few words behind.
LONGEST = MAX_WORDS + MIN_WORDS // 2


def _sentence(n: int, mark: str = ".") -> str:
    return "Invented " + " ".join(["word"] * (n - 1)) + mark


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_paragraphs_are_readable_lengths_and_end_at_sentences(seeds_dir, seed):
    paragraphs = split_paragraphs(read_transcript(seeds_dir / seed).text)
    assert len(paragraphs) > 5
    for p in paragraphs:
        assert MIN_WORDS <= len(p.split()) <= MAX_WORDS, p
        assert p.endswith((".", "?", "!", "[Music]")), p
        assert p[0].isupper(), p


def test_short_text_is_one_paragraph():
    assert split_paragraphs("Just two sentences. Both invented.") == ["Just two sentences. Both invented."]


def test_empty_text_has_no_paragraphs():
    assert split_paragraphs("") == [] and split_paragraphs("  \n\n ") == []


def test_cuts_fall_between_sentences_never_inside():
    sentences_in = [_sentence(25) for _ in range(12)]
    paragraphs = split_paragraphs(" ".join(sentences_in))
    assert len(paragraphs) > 1
    for p in paragraphs:
        assert p.startswith("Invented") and p.endswith("word.")


@pytest.mark.parametrize("text", [
    "Mr. Putin met Dr. Smith at 5 p.m. in the U.S. today.",
    "We said e.g. this and i.e. that, as J. R. R. Tolkien wrote.",
    "He paid 3.5 million for it.",
])
def test_abbreviations_and_initials_do_not_end_a_sentence(text):
    assert sentences(text.split()) == [text.split()]


def test_sentence_ends_need_a_capital_or_digit_next():
    words = "It ended. and went on. Then it stopped! 42 more? Yes.".split()
    assert [" ".join(s) for s in sentences(words)] == ["It ended. and went on.", "Then it stopped!", "42 more?",
                                                        "Yes."]


def test_a_run_on_sentence_is_cut_at_a_clause_end():
    run_on = " ".join(f"clause{i} goes on and on," for i in range(80)) + " end."
    paragraphs = split_paragraphs(run_on)
    assert len(paragraphs) > 1
    assert all(len(p.split()) <= MAX_WORDS for p in paragraphs)
    assert all(p.endswith(",") for p in paragraphs[:-1])


def test_a_run_on_sentence_without_punctuation_is_still_cut():
    paragraphs = split_paragraphs(" ".join(["word"] * 1000))
    assert all(len(p.split()) <= MAX_WORDS for p in paragraphs)
    assert sum(len(p.split()) for p in paragraphs) == 1000


def test_existing_paragraph_breaks_are_kept():
    first, second = _sentence(10), _sentence(12)
    assert split_paragraphs(f"{first}\n\n{second}") == [first, second]


def test_a_short_tail_joins_the_paragraph_before_it():
    text = " ".join([_sentence(50)] * 2 + [_sentence(5)])
    assert [len(p.split()) for p in split_paragraphs(text)] == [105]


@given(st.lists(st.tuples(st.integers(1, 250), st.sampled_from([".", "?", "!", ",", ""])), max_size=40))
def test_no_paragraph_is_too_long_or_too_short_to_read(shape):
    text = " ".join(_sentence(n, mark) for n, mark in shape)
    paragraphs = split_paragraphs(text)
    assert all(len(p.split()) <= LONGEST for p in paragraphs)
    # Only the last paragraph may be a stub: the text simply ran out.
    assert all(len(p.split()) >= MIN_WORDS // 2 for p in paragraphs[:-1])
