"""REFERENCE ONLY, not used by the site: this project's own index step as it
was before the index was sharded (commit c1f4faa^, one search/index.json).

Issue 12 asks that the sharded index step be no slower than this one, and
that adding the newest episode cost no more than this full build.
``bench/index_step.py`` times the two against each other. The code is kept
as it was then (``search.compact_index`` then ``index_update.state_of`` and
``index_update.to_json``), with ``compact_index`` copied too so that speeding
up today's does not speed up the reference. Do not import it from generator/.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from generator.search import BOOSTS, FIELDS, K1, B, LUNR_VERSION, SEARCH_PIPELINE, DocTokens

FORMAT = 1   # the compact format then: keys field * documents + document


# --- generator/search.py at c1f4faa^ (compact_index, _gaps) ---

def compact_index(refs: list[str], tokens: Iterable[DocTokens], meta: list | None = None,
                  counts: dict[str, list[int]] | None = None) -> dict:
    if len(set(refs)) != len(refs):
        raise ValueError("search documents need unique refs")
    if meta is not None and len(meta) != len(refs):
        raise ValueError(f"{len(meta)} metadata entries for {len(refs)} search documents")
    n = len(refs)
    by_field: list[dict[str, list[int]]] = [{} for _ in FIELDS]   # term -> [key, tf, key, tf, ...]
    lengths: list[list[int]] = [[] for _ in FIELDS]
    count = 0
    for d, stat in enumerate(tokens):
        count += 1
        for f, rows in enumerate(by_field):
            lengths[f].append(stat.lengths[f])
            key = f * n + d
            get = rows.get
            for term, tf in stat.frequencies[f].items():
                if (row := get(term)) is None:
                    rows[term] = [key, tf]
                else:
                    row += (key, tf)
    if count != n:
        raise ValueError(f"{count} token counts for {n} search documents")
    terms = sorted(set().union(*by_field))
    titles, topics, texts = by_field   # keys ascend field by field, so rows just join
    if counts is not None:
        counts.update((term, [len(rows.get(term, ())) // 2 for rows in by_field]) for term in terms)
    postings = []
    for term in terms:
        row = texts.get(term)
        if term in titles or term in topics:
            row = titles.get(term, []) + topics.get(term, []) + (row or [])
        postings.append(_gaps(row))
    compact = {
        "format": FORMAT, "lunr": LUNR_VERSION, "k1": K1, "b": B,
        "fields": list(FIELDS), "boosts": list(BOOSTS),
        "pipeline": [fn.label for fn in SEARCH_PIPELINE],
        "refs": refs,
        "lengths": lengths,
        "terms": terms,
        "postings": postings,
    }
    if meta is not None:
        compact["docs"] = meta
    return compact


def _gaps(keys_tfs: list[int]) -> list[int]:
    keys = keys_tfs[0::2]
    keys_tfs[2::2] = [b - a for a, b in zip(keys, keys[1:])]
    return keys_tfs


# --- generator/index_update.py at c1f4faa^ ---

@dataclass
class IndexState:
    keys: list[str]            # each document's page key, in document order
    compact: dict              # the compact index without "terms" and "postings"
    terms: list[str]           # code point order
    runs: list[list[list]]     # per term, per field it occurs in: [field, first key, last key, rest]
    # ``rest`` is the run's JSON after its first gap: ",tf" then ",gap,tf" for each further posting.


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def state_of(keys: list[str], compact: dict, counts: dict[str, list[int]]) -> IndexState:
    # Every row's JSON in one go (in C), cut apart: rows hold only numbers.
    texts = _dumps(compact["postings"])[2:-2].split("],[") if compact["postings"] else []
    runs = []
    for term, row, text in zip(compact["terms"], compact["postings"], texts):
        per_field = counts[term]
        if per_field.count(0) == len(per_field) - 1:   # in one field only, as most terms are
            first = row[0]
            runs.append([[per_field.index(max(per_field)), first, first + sum(row[2::2]), text[len(str(first)):]]])
            continue
        term_runs, start, last = [], 0, 0
        numbers = text.split(",")
        for f, count in enumerate(per_field):
            if count:
                end = start + 2 * count
                first = last + row[start]
                last = first + sum(row[start + 2:end:2])
                term_runs.append([f, first, last, "," + ",".join(numbers[start + 1:end])])
                start = end
        runs.append(term_runs)
    head = {k: v for k, v in compact.items() if k not in ("terms", "postings")}
    return IndexState(list(keys), head, list(compact["terms"]), runs)


def _row(term_runs: list[list]) -> str:
    pieces, last = [], 0
    for _, first, run_last, rest in term_runs:
        pieces.append(f"{first - last}{rest}")
        last = run_last
    return "[" + ",".join(pieces) + "]"


def to_json(state: IndexState) -> str:
    parts = []
    for key, value in state.compact.items():
        parts.append(f"{_dumps(key)}:{_dumps(value)}")
        if key == "lengths":   # the compact index's order: ... refs, lengths, terms, postings, docs
            parts.append(f'"terms":{_dumps(state.terms)}')
            parts.append('"postings":[' + ",".join(map(_row, state.runs)) + "]")
    return "{" + ",".join(parts) + "}"


# --- generator/build.py's search_index at c1f4faa^, for a clean build ---

def search_index(job: tuple) -> str:
    """The old index step of a build that finds no index to update: the
    text of search/index.json (the one-episode update is not kept here:
    issue 12 compares today's update with this full build)."""
    from generator.build import _base36
    from generator.cache import Cache
    from generator.load import cached_tokens

    cache_folder, ignore_topics, meta, sources, _, slot = job[:6]
    cache = Cache(cache_folder)
    keys = [key for key, _ in sources]
    refs = [_base36(i) for i in range(len(sources))]
    cache.get("index", slot)   # the old code looked, and found nothing it could update
    counts: dict[str, list[int]] = {}
    tokens = (cached_tokens(cache, key, path, ignore_topics) for key, path in sources)
    state = state_of(keys, compact_index(refs, tokens, meta, counts), counts)
    cache.put("index", slot, state)
    return to_json(state)
