"""Keeping the search index up to date as episodes arrive.

Documents are numbered oldest first and a posting's key is ``document *
fields + field`` (see ``search_shards``), so a new episode, the usual
change, only adds postings at the ends of its terms' rows. The state kept
between builds is small: the terms, their counts, the field lengths, the
metadata and where each shard went. An update works out the new layout
(which depends on the terms and counts alone), keeps every shard none of
whose terms changed, and remakes the rest from the last build's files plus
the new postings: the same files ``search_shards.index_files`` writes from
scratch.
"""
from __future__ import annotations

import bisect
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
    shards: list[tuple[Shard, str]]   # the last build's shards and their hashes
    shard_postings: int = SHARD_POSTINGS
    format: int = STATE_FORMAT        # a state pickled by an older build has none, or another


def current(state) -> bool:
    """Whether ``state`` (from the cache) is one this code can update."""
    # The instance's own attribute: the class's default would pass any old pickle.
    return isinstance(state, IndexState) and vars(state).get("format") == STATE_FORMAT


def state_of(keys: list[str], docs: list, data: IndexData, written: Written,
             shard_postings: int = SHARD_POSTINGS) -> IndexState:
    return IndexState(list(keys), list(docs), data, written.shards, shard_postings)


def append(state: IndexState, key: str, doc, meta: EpisodeMeta, stat: DocTokens,
           read: Callable[[str], str]) -> Written:
    """Add one document after the others, as if the index had been built
    with it; ``read(name)`` gives the text of one of the last build's
    search files. Raises Stale if one is missing or not what it was.
    Updates ``state`` in place."""
    data, size = state.data, state.shard_postings
    n, width = len(state.keys), len(FIELDS)
    added: dict[str, list[int]] = {}   # term -> the new document's [key, tf, gap, tf, ...]
    for f, frequencies in enumerate(stat.frequencies):
        for term, tf in frequencies.items():
            if term in added:   # in an earlier field too: the gap from that posting
                postings = added[term]
                postings += (n * width + f - sum(postings[0::2]), tf)
            else:
                added[term] = [n * width + f, tf]
    old_counts = {term: data.counts.get(term, 0) for term in added}
    for term, postings in added.items():
        if not old_counts[term]:
            bisect.insort(data.terms, term, key=utf16_key)
        data.counts[term] = old_counts[term] + len(postings) // 2
    data.lengths.extend(stat.lengths)
    data.metas.append(meta)

    groups = {(s.terms[0], s.terms[-1]): same for s, same in state.shards if s.piece < 0}
    parts = {(s.terms[0], s.piece): same for s, same in state.shards if s.piece >= 0}
    lasts = [utf16_key(s.terms[-1]) for s, _ in state.shards]

    def kept(shard: Shard) -> str | None:
        if shard.piece < 0:
            if any(term in added for term in shard.terms):
                return None
            return groups.get((shard.terms[0], shard.terms[-1]))
        term = shard.terms[0]
        # New postings go at the end: only the last piece it had changes.
        if term in added and shard.piece >= pieces(old_counts[term], size) - 1:
            return None
        return parts.get((term, shard.piece))

    loaded: dict[str, dict] = {}

    def shard_text(i: int) -> dict:
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
            at = bisect.bisect_left(lasts, utf16_key(term))
            if before > size:
                at += piece
            for i in range(at, at + max(1, pieces(before, size) - piece)):
                part = shard_text(i).get(term)
                if part is None:
                    raise Stale(f"shard-{state.shards[i][1]}.json has no {term!r}")
                _extend(row, part)
        _extend(row, added.get(term, []))
        return row

    written = site_files(data, rows, kept, size)
    state.keys.append(key)
    state.docs.append(doc)
    state.shards = written.shards
    return written


def _extend(row: list[int], postings: list[int]) -> None:
    """Add ``postings`` (first key absolute, the rest gaps) to a gap-encoded row."""
    if postings:
        start = len(row)
        last = sum(row[0::2])
        row.extend(postings)
        row[start] -= last
