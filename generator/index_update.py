"""Keeping the search index up to date as episodes arrive.

Rebuilding the index of a thousand transcripts for one new episode costs
seconds, most of it turning millions of posting numbers into JSON. The
state kept here holds each term's postings as JSON text already, cut where
a new document can change them: a posting's key is ``field * documents +
document`` (see ``search``), so one more document first or last moves every
key of field f by the same amount, and in the gap encoding only the first
number of each field's run of a row changes. An update shifts those numbers,
adds the new document's own postings, and joins the text: the same bytes
``search.to_json`` gives for the index built from scratch.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from generator.search import FIELDS, DocTokens


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
    """The state of an index ``search.compact_index`` built, given the
    per-field posting counts it filled in."""
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
    """Exactly ``search.to_json`` of the index the state describes."""
    parts = []
    for key, value in state.compact.items():
        parts.append(f"{_dumps(key)}:{_dumps(value)}")
        if key == "lengths":   # the compact index's order: ... refs, lengths, terms, postings, docs
            parts.append(f'"terms":{_dumps(state.terms)}')
            parts.append('"postings":[' + ",".join(map(_row, state.runs)) + "]")
    return "{" + ",".join(parts) + "}"


def insert(state: IndexState, at: int, key: str, refs: list[str], stat: DocTokens, meta_entry=None) -> None:
    """Add one document first (``at`` 0) or last, as if the index had been
    built with it from the start."""
    n = len(state.keys)
    if at not in (0, n):
        raise ValueError(f"a document can be inserted first or last, not at {at}")
    size = n + 1
    shift = [f + 1 if at == 0 else f for f in range(len(FIELDS))]
    for term_runs in state.runs:
        for run in term_runs:
            run[1] += shift[run[0]]
            run[2] += shift[run[0]]
    fresh = {term for frequencies in stat.frequencies for term in frequencies}.difference(state.terms)
    if fresh:   # merged in one go: inserting them one by one would move the long lists each time
        old = dict(zip(state.terms, state.runs))
        state.terms = sorted(state.terms + sorted(fresh))
        state.runs = [old.get(term) or [] for term in state.terms]
    where = {term: i for i, term in enumerate(state.terms)}
    for f, frequencies in enumerate(stat.frequencies):
        new_key = f * size + (0 if at == 0 else n)
        for term, tf in frequencies.items():
            i = where[term]
            term_runs = state.runs[i]
            run = next((r for r in term_runs if r[0] == f), None)
            if run is None:
                term_runs.append([f, new_key, new_key, f",{tf}"])
                term_runs.sort(key=lambda r: r[0])
            elif at == 0:
                run[3] = f",{tf},{run[1] - new_key}{run[3]}"
                run[1] = new_key
            else:
                run[3] = f"{run[3]},{new_key - run[2]},{tf}"
                run[2] = new_key
    state.keys.insert(at, key)
    state.compact["refs"] = list(refs)
    for f, row in enumerate(state.compact["lengths"]):
        row.insert(at, stat.lengths[f])
    if "docs" in state.compact:
        state.compact["docs"].insert(at, meta_entry)
