"""Keeping the search index up to date as episodes arrive.

Documents are numbered by date (``search_shards.doc_numbers``) and a
posting's key is ``number * fields + field``, so a new episode, or a
back-filled one that finds its day's number free, only adds postings to
its own terms' rows. The state kept between builds is small: the terms and
their counts, the numbers, field lengths and metadata, and where each shard
and piece went. An update works out the new layout (which depends on the
terms and counts alone), keeps every shard none of whose terms changed, and
remakes the rest from the last build's files: the same files
``search_shards.index_files`` writes from scratch.
"""
from __future__ import annotations

import bisect
import hashlib
import heapq
import itertools
import json
import pickle
from dataclasses import dataclass
from typing import Callable

from generator.cache import code_salt
from generator.search import FIELDS, DocTokens
from generator.search_shards import (
    SHARD_POSTINGS, EpisodeMeta, IndexData, Shard, Written, content_hash, file_name, pieces, site_files, utf16_key,
)

STATE_FORMAT = 4


class Stale(Exception):
    """The last build's search files are not what the state says they are."""


@dataclass
class IndexState:
    keys: list[str]                   # each document's page key, in order
    docs: list                        # each document's metadata entry as the build gave it, in order
    data: IndexData
    shards: list[tuple[Shard, str]]   # the last build's shards and their hashes
    firsts: dict[tuple[str, int], int]   # (term, piece) -> the piece's first key
    shard_postings: int = SHARD_POSTINGS
    format: int = STATE_FORMAT        # a state pickled by an older build has none, or another


def current(state) -> bool:
    """Whether ``state`` (from the cache) is one this code can update."""
    # The instance's own attribute: the class's default would pass any old pickle.
    return isinstance(state, IndexState) and vars(state).get("format") == STATE_FORMAT


def pack(state: IndexState) -> tuple[str, str, bytes]:
    """The state as the cache keeps it: pickled, with a hash of the pickle
    and of the code that made it (whose layout an update must follow)."""
    data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    return code_salt(), hashlib.sha256(data).hexdigest(), data


def unpack(entry) -> IndexState | None:
    """The state ``pack`` made, or None if it is damaged, from other code,
    or not one: a state read wrong would give wrong search files."""
    try:
        salt, digest, data = entry
        if salt != code_salt() or hashlib.sha256(data).hexdigest() != digest:
            return None
        state = pickle.loads(data)
    except Exception:  # noqa: BLE001 - anything else in the cache is only a miss
        return None
    return state if current(state) else None


def state_of(keys: list[str], docs: list, data: IndexData, written: Written,
             shard_postings: int = SHARD_POSTINGS) -> IndexState:
    """The state of an index whose files are ``written``, all made afresh."""
    return IndexState(list(keys), list(docs), data, written.shards, dict(written.firsts), shard_postings)


def inserted_at(state: IndexState, keys: list[str], docs: list, numbers: list[int]) -> int | None:
    """Where ``keys``, ``docs`` and ``numbers`` hold one document more than
    the state, all else the same (no other document renumbered); None if
    they differ otherwise."""
    if len(keys) != len(state.keys) + 1:
        return None
    at = next((i for i, (a, b) in enumerate(zip(keys, state.keys)) if a != b), len(state.keys))
    old = state.data.numbers
    if keys[:at] != state.keys[:at] or keys[at + 1:] != state.keys[at:] or numbers[:at] != old[:at] \
            or numbers[at + 1:] != old[at:] or docs[:at] != state.docs[:at] or docs[at + 1:] != state.docs[at:]:
        return None
    return at


def insert(state: IndexState, at: int, number: int, key: str, doc, meta: EpisodeMeta, stat: DocTokens,
           read: Callable[[str], str]) -> Written:
    """Add one document, number ``number``, as the ``at``-th, as if the
    index had been built with it; ``read(name)`` gives the text of one of
    the last build's search files. Raises Stale if one is missing or not
    what it was. Updates ``state`` in place."""
    data, size = state.data, state.shard_postings
    width = len(FIELDS)
    added: dict[str, list[int]] = {}   # term -> the new document's [key, tf, key, tf, ...]
    for f, frequencies in enumerate(stat.frequencies):
        for term, tf in frequencies.items():
            added.setdefault(term, []).extend((number * width + f, tf))
    old_counts = {term: data.counts.get(term, 0) for term in added}
    fresh = sorted((term for term, count in old_counts.items() if not count), key=utf16_key)
    if fresh:   # merged in one pass: inserted one by one, a transcript of new words would take quadratic time
        data.terms = list(heapq.merge(data.terms, fresh, key=utf16_key))
    for term, postings in added.items():
        data.counts[term] = old_counts[term] + len(postings) // 2
    data.numbers.insert(at, number)
    data.lengths[at * width:at * width] = stat.lengths
    data.metas.insert(at, meta)

    groups = {(s.terms[0], s.terms[-1]): same for s, same in state.shards if s.piece < 0}
    parts = {(s.terms[0], s.piece): same for s, same in state.shards if s.piece >= 0}
    lasts = [utf16_key(s.terms[-1]) for s, _ in state.shards]

    def first_changed(term: str) -> int:
        """The piece the new postings go into; those before it stay as they were."""
        firsts = [state.firsts[term, k] for k in range(pieces(old_counts[term], size))]
        return max(0, bisect.bisect_right(firsts, added[term][0]) - 1)

    def kept(shard: Shard) -> str | None:
        if shard.piece < 0:
            if any(term in added for term in shard.terms):
                return None
            return groups.get((shard.terms[0], shard.terms[-1]))
        term = shard.terms[0]
        if term in added and shard.piece >= first_changed(term):
            return None
        return parts.get((term, shard.piece))

    loaded: dict[str, dict] = {}

    def shard_rows(i: int) -> dict:
        name = file_name("shard", state.shards[i][1])
        if name not in loaded:
            try:
                text = read(name)
            except OSError as exc:
                raise Stale(f"{name}: {exc}") from None
            if content_hash(text) != state.shards[i][1]:
                raise Stale(f"{name} was changed")
            shard = json.loads(text)
            loaded[name] = dict(zip(shard["t"], shard["p"]))
        return loaded[name]

    def rows(term: str, piece: int) -> list[int]:
        before = old_counts.get(term, data.counts[term])
        row: list[int] = []
        if before:
            # The old shards of ``term`` from ``piece`` on, joined: each
            # piece's first key is absolute, and becomes the gap from the
            # last key of the one before.
            i = bisect.bisect_left(lasts, utf16_key(term))
            if before > size:
                i += piece
            last = 0
            for i in range(i, i + max(1, pieces(before, size) - piece)):
                part = shard_rows(i).get(term)
                if not part:
                    raise Stale(f"{file_name('shard', state.shards[i][1])} has no {term!r}")
                start = len(row)
                row.extend(part)
                row[start] -= last
                last = part[0] + sum(part[2::2])
        if term in added:
            _insert(row, added[term])
        return row

    written = site_files(data, rows, kept, size)
    state.keys.insert(at, key)
    state.docs.insert(at, doc)
    firsts = {}
    for shard, _ in written.shards:
        if shard.piece >= 0:
            place = shard.terms[0], shard.piece
            firsts[place] = written.firsts[place] if place in written.firsts else state.firsts[place]
    state.firsts = firsts
    state.shards = written.shards
    return written


def _insert(row: list[int], postings: list[int]) -> None:
    """Insert a document's ``postings`` ([key, tf, ...], absolute keys) into a
    gap-encoded row (first key absolute) that has no posting of that document."""
    keys = list(itertools.accumulate(row[0::2]))
    i = bisect.bisect_left(keys, postings[0])
    before = keys[i - 1] if i else 0
    new = []
    for j in range(0, len(postings), 2):
        new += (postings[j] - before, postings[j + 1])
        before = postings[j]
    if i < len(keys):   # the next posting's gap is now from the last new one
        row[2 * i] = keys[i] - before
    row[2 * i:2 * i] = new
