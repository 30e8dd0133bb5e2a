"""Keeping the search index up to date as episodes arrive.

The state kept here is the compact index itself (see ``search``) and each
term's number of postings per field. A posting's key is ``field * documents
+ document``, so one more document first or last moves every key of field f
by the same amount, and in the gap encoding only the first number of each
field's run of a row changes. An update shifts those numbers and adds the
new document's own postings: the same index ``search.compact_index`` builds
from scratch, which ``search_shards`` then writes out.

(The state once held each row as JSON text, for an index served as one
file; the sharded index needs the numbers, and keeping them as they are
saves turning every posting into text and back on each build.)
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from generator.search import FIELDS, DocTokens

STATE_FORMAT = 2


@dataclass
class IndexState:
    keys: list[str]            # each document's page key, in document order
    compact: dict              # the compact index, terms and postings included
    counts: list[list[int]]    # per term (in compact["terms"] order), its postings per field
    format: int = STATE_FORMAT  # a state pickled by an older build has none, or another


def current(state) -> bool:
    """Whether ``state`` (from the cache) is one this code can update."""
    # The instance's own attribute: the class's default would pass any old pickle.
    return isinstance(state, IndexState) and vars(state).get("format") == STATE_FORMAT


def state_of(keys: list[str], compact: dict, counts: dict[str, list[int]]) -> IndexState:
    """The state of an index ``search.compact_index`` built, given the
    per-field posting counts it filled in."""
    return IndexState(list(keys), compact, [counts[term] for term in compact["terms"]])


def to_json(state: IndexState) -> str:
    """Exactly ``search.to_json`` of the index the state describes."""
    return json.dumps(state.compact, ensure_ascii=False, separators=(",", ":"))


def insert(state: IndexState, at: int, key: str, refs: list[str], stat: DocTokens, meta_entry=None) -> None:
    """Add one document first (``at`` 0) or last, as if the index had been
    built with it from the start."""
    n = len(state.keys)
    if at not in (0, n):
        raise ValueError(f"a document can be inserted first or last, not at {at}")
    compact = state.compact
    size = n + 1
    shift = [f + 1 if at == 0 else f for f in range(len(FIELDS))]
    # Every key moves to the new numbering: only each field run's first gap changes.
    for row, per_field in zip(compact["postings"], state.counts):
        position, moved = 0, 0
        for f, count in enumerate(per_field):
            if count:
                row[position] += shift[f] - moved
                moved = shift[f]
                position += 2 * count
    known = set(compact["terms"])
    fresh = {term for frequencies in stat.frequencies for term in frequencies}.difference(known)
    if fresh:   # merged in one go: inserting them one by one would move the long lists each time
        old = dict(zip(compact["terms"], zip(compact["postings"], state.counts)))
        compact["terms"] = sorted(compact["terms"] + sorted(fresh))
        pairs = [old.get(term) or ([], [0] * len(FIELDS)) for term in compact["terms"]]
        compact["postings"] = [row for row, _ in pairs]
        state.counts = [per_field for _, per_field in pairs]
    where = {term: i for i, term in enumerate(compact["terms"])}
    rows, counts = compact["postings"], state.counts
    for f, frequencies in enumerate(stat.frequencies):
        new_key = f * size + (0 if at == 0 else n)
        for term, tf in frequencies.items():
            i = where[term]
            row, per_field = rows[i], counts[i]
            # First in its field's run, or last: after the postings of the fields before it (and of its own).
            position = 2 * (sum(per_field[:f]) + (0 if at == 0 else per_field[f]))
            before = sum(row[0:position:2])   # the key of the posting before, 0 if none
            gap = new_key - before
            if position < len(row):
                row[position] -= gap   # the next posting's gap, now from the new one
            row[position:position] = [gap, tf]
            per_field[f] += 1
    state.keys.insert(at, key)
    compact["refs"] = list(refs)
    for f, row in enumerate(compact["lengths"]):
        row.insert(at, stat.lengths[f])
    if "docs" in compact:
        compact["docs"].insert(at, meta_entry)
