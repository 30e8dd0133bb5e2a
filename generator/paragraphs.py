"""Sentence boundaries and readable paragraphs for a transcript that arrives
as one long line. Only whitespace changes: the words and their order do not.
"""
from __future__ import annotations

import re
from itertools import compress, count
from operator import itemgetter

MIN_WORDS = 60
TARGET_WORDS = 100
MAX_WORDS = 160

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr mt vs etc e.g i.e u.s u.k u.n a.m p.m no gen col lt sgt rev gov sen rep".split())
_CLAUSE_END = re.compile(r"[,;:—–]$")
_INITIALS = re.compile(r"(\w\.)+\w")


def _starts_sentence(word: str) -> bool:
    for ch in word:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return True
    return word[:1] in "\"'“‘([" and len(word) > 1


_STOPS = ".!?…"
_CLOSERS = "\"'”’)]"
_END_CHARS = frozenset(_STOPS + _CLOSERS)


def _can_end(word: str) -> bool:
    """Whether a sentence may end with this word (if the next one starts a sentence):
    it ends in a stop, perhaps followed by closing quotes and brackets.

    Checked from the end of the word: a regex search for that tail tries
    every start, and each start runs over all the stops after it, so a word
    such as 'a.....a.' took time quadratic in its length."""
    if word[-1] not in _END_CHARS:
        return False
    stem = word.rstrip(_CLOSERS)
    if not stem or stem[-1] not in _STOPS:
        return False
    stem = stem.lower()
    if stem.endswith("."):
        core = stem.rstrip(".").lstrip("\"'“‘([")
        if core in _ABBREVIATIONS or (len(core) == 1 and core.isalpha()) or _INITIALS.fullmatch(core):
            return False
    return True


_ENDINGS: dict[str, bool] = {}   # _can_end, remembered: the same words recur all through an archive


def _ends_sentence(word: str, next_word: str) -> bool:
    can_end = _ENDINGS.get(word)
    if can_end is None:
        if len(_ENDINGS) > 1 << 16:
            _ENDINGS.clear()
        can_end = _ENDINGS[word] = _can_end(word)
    return can_end and _starts_sentence(next_word)


_LAST_CHAR = itemgetter(-1)


def sentences(words: list[str]) -> list[list[str]]:
    """Group words into sentences; a sentence never comes back empty."""
    out: list[list[str]] = []
    start = 0
    last = len(words) - 1
    # Only a word ending in punctuation can end a sentence: those are found by
    # C-level iteration, as this runs over every word of every transcript.
    for i in compress(count(), map(_END_CHARS.__contains__, map(_LAST_CHAR, words))):
        if i < last and _ends_sentence(words[i], words[i + 1]):
            out.append(words[start:i + 1])
            start = i + 1
    if start <= last:
        out.append(words[start:])
    return out


def _split_long(sentence: list[str]) -> list[list[str]]:
    """A run-on sentence longer than a paragraph is cut at clause ends, else by count."""
    pieces: list[list[str]] = []
    start = 0
    while len(sentence) - start > MAX_WORDS:
        window = range(start + TARGET_WORDS, start + MAX_WORDS)
        cut = next((i + 1 for i in reversed(window) if _CLAUSE_END.search(sentence[i])), start + TARGET_WORDS)
        pieces.append(sentence[start:cut])
        start = cut
    pieces.append(sentence[start:])
    return pieces


def split_paragraphs(text: str, spoken: list[list[str]] | None = None) -> list[str]:
    """Readable paragraphs of roughly 60 to 160 words, cut at sentence ends.

    Existing paragraph breaks ("\\n\\n") in the text are kept. ``spoken`` is
    ``sentences(text.split())`` if the caller already has it.
    """
    paragraphs: list[str] = []
    blocks = text.split("\n\n")
    for block in blocks:
        current: list[str] = []
        block_paragraphs: list[list[str]] = []
        for sentence in spoken if spoken is not None and len(blocks) == 1 else sentences(block.split()):
            for piece in (sentence,) if len(sentence) <= MAX_WORDS else _split_long(sentence):
                if current and len(current) >= MIN_WORDS // 2 and len(current) + len(piece) > MAX_WORDS:
                    block_paragraphs.append(current)
                    current = []
                current += piece   # current is always a list of our own, never a caller's sentence
                if len(current) >= TARGET_WORDS:
                    block_paragraphs.append(current)
                    current = []
        if current:
            if block_paragraphs and len(current) < MIN_WORDS // 2 \
                    and len(block_paragraphs[-1]) + len(current) <= MAX_WORDS + MIN_WORDS // 2:
                block_paragraphs[-1] = block_paragraphs[-1] + current
            else:
                block_paragraphs.append(current)
        paragraphs.extend(" ".join(p) for p in block_paragraphs)
    return paragraphs
