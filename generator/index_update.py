"""Keeping the search index up to date as episodes arrive.

Documents are numbered oldest first and a posting's key is ``document *
fields + field`` (see ``search_shards``), so a new episode, the usual
change, only adds postings at the ends of its terms' rows; a back-filled
one moves the keys of the documents after it, which in a gap-encoded row
changes one number. The state kept between builds is small: the terms,
their counts and last keys, the field lengths, the metadata and where each
shard went. An update works out the new layout (which depends on the terms
and counts alone), keeps every shard none of whose terms changed, and
remakes the rest from the last build's files: the same files
``search_shards.index_files`` writes from scratch.
"""
from __future__ import annotations

import bisect
import itertools
import json
from dataclasses import dataclass
from typing import Callable

from generator.search import FIELDS, DocTokens
from generator.search_shards import (
    SHARD_POSTINGS, EpisodeMeta, IndexData, Shard, Written, content_hash, pieces, site_files, utf16_key,
)

STATE_FORMAT = 3


class Stale(Exception):
    """The last build's search files are not what the state says they are."""


@dataclass
class IndexState:
    keys: list[str]                   # each document's page key, by ref
    docs: list                        # each document's metadata entry as the build gave it, by ref
    data: IndexData
    last: dict[str, int]              # term -> the key of its last posting
    shards: list[tuple[Shard, str]]   # the last build's shards and their hashes
    shard_postings: int = SHARD_POSTINGS
    format: int = STATE_FORMAT        # a state pickled by an older build has none, or another


def current(state) -> bool:
    """Whether ``state`` (from the cache) is one this code can update."""
    # The instance's own attribute: the class's default would pass any old pickle.
    return isinstance(state, IndexState) and vars(state).get("format") == STATE_FORMAT


def state_of(keys: list[str], docs: list, compact: dict, data: IndexData, written: Written,
             shard_postings: int = SHARD_POSTINGS) -> IndexState:
    """The state of the index ``compact`` (``search.compact_index``), whose files are ``written``."""
    last = {term: sum(row[0::2]) for term, row in zip(compact["terms"], compact["postings"])}
    return IndexState(list(keys), list(docs), data, last, written.shards, shard_postings)


def inserted_at(state: IndexState, keys: list[str], docs: list) -> int | None:
    """Where ``keys`` and ``docs`` hold one document more than the state, all
    else the same; None if they differ otherwise."""
    if len(keys) != len(state.keys) + 1:
        return None
    at = next((i for i, (a, b) in enumerate(zip(keys, state.keys)) if a != b), len(state.keys))
    same = keys[:at] == state.keys[:at] and keys[at + 1:] == state.keys[at:]
    return at if same and docs[:at] == state.docs[:at] and docs[at + 1:] == state.docs[at:] else None


def insert(state: IndexState, at: int, key: str, doc, meta: EpisodeMeta, stat: DocTokens,
           read: Callable[[str], str]) -> Written:
    """Add one document as document number ``at``, as if the index had been
    built with it; ``read(name)`` gives the text of one of the last build's
    search files. Raises Stale if one is missing or not what it was.
    Updates ``state`` in place."""
    data, size = state.data, state.shard_postings
    n, width = len(state.keys), len(FIELDS)
    first_moved = at * width   # the first key that moves: the document's own, which ``at`` had
    added: dict[str, list[int]] = {}   # term -> the new document's [key, tf, key, tf, ...]
    for f, frequencies in enumerate(stat.frequencies):
        for term, tf in frequencies.items():
            added.setdefault(term, []).extend((first_moved + f, tf))
    # Terms whose rows change: the new document's, and those with postings after it.
    moved = {term for term, last in state.last.items() if last >= first_moved} if at < n else set()
    old_counts = {term: data.counts.get(term, 0) for term in added.keys() | moved}
    for term in moved:
        state.last[term] += width
    for term, postings in added.items():
        if not old_counts[term]:
            bisect.insort(data.terms, term, key=utf16_key)
        data.counts[term] = old_counts[term] + len(postings) // 2
        state.last[term] = max(state.last.get(term, -1), postings[-2])
    data.lengths[first_moved:first_moved] = stat.lengths
    data.metas.insert(at, meta)

    groups = {(s.terms[0], s.terms[-1]): same for s, same in state.shards if s.piece < 0}
    parts = {(s.terms[0], s.piece): same for s, same in state.shards if s.piece >= 0}
    lasts = [utf16_key(s.terms[-1]) for s, _ in state.shards]

    def kept(shard: Shard) -> str | None:
        if shard.piece < 0:
            if any(term in old_counts for term in shard.terms):
                return None
            return groups.get((shard.terms[0], shard.terms[-1]))
        term = shard.terms[0]
        if term in old_counts:
            # Added last, the new postings go at the end: only the last piece it had changes.
            if at < n or shard.piece >= pieces(old_counts[term], size) - 1:
                return None
        return parts.get((term, shard.piece))

    loaded: dict[str, dict] = {}

    def shard_rows(i: int) -> dict:
        name = f"shard-{state.shards[i][1]}.json"
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
            # The old shards of ``term`` from ``piece`` on, joined.
            i = bisect.bisect_left(lasts, utf16_key(term))
            if before > size:
                i += piece
            for i in range(i, i + max(1, pieces(before, size) - piece)):
                part = shard_rows(i).get(term)
                if part is None:
                    raise Stale(f"shard-{state.shards[i][1]}.json has no {term!r}")
                _join(row, part)
        if term in old_counts:
            _insert(row, added.get(term, []), first_moved, width)
        return row

    written = site_files(data, rows, kept, size)
    state.keys.insert(at, key)
    state.docs.insert(at, doc)
    state.shards = written.shards
    return written


def _join(row: list[int], piece: list[int]) -> None:
    """Add a piece of a row (first key absolute, the rest gaps) to a gap-encoded row."""
    if piece:
        start = len(row)
        last = sum(row[0::2])
        row.extend(piece)
        row[start] -= last


def _insert(row: list[int], postings: list[int], first_moved: int, width: int) -> None:
    """Insert the new document's ``postings`` ([key, tf, ...], absolute keys)
    into a gap-encoded row, moving the keys from ``first_moved`` on by ``width``."""
    keys = list(itertools.accumulate(row[0::2]))
    i = bisect.bisect_left(keys, first_moved)
    before = keys[i - 1] if i else 0
    new = []
    for j in range(0, len(postings), 2):
        new += (postings[j] - before, postings[j + 1])
        before = postings[j]
    if i < len(keys):   # the next posting: its key moves, and its gap is now from the last new one
        row[2 * i] = keys[i] + width - before
    row[2 * i:2 * i] = new
