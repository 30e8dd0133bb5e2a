"""The search index as the site serves it: term shards, a manifest, and small
metadata files, so a query downloads only what it needs.

Every posting carries the number lunr.js 2.3.9's Builder puts in the
document's field vector for that term (BM25 with the whole archive's idf,
field-length normalisation, the field's boost, rounded to 3 decimals). In
lunr.js 2.3.9 a hit's score is dot(query vector, field vector) / |query
vector| (``lunr.Vector.prototype.similarity``), and a query vector has
elements only at the query's own terms, so a lunr.Index holding just the
query's terms and those numbers scores every document exactly as the full
index does. ``assets/search-worker.js`` builds that index; PORT.md beside
this file records the argument and what is ported.

Files under search/, each named with a hash of content except the pointer:

    latest.json              {"manifest": "manifest-HASH.json"}  (for a tab opened before a deploy)
    manifest-HASH.json       see ``manifest`` below
    shard-SET-I.json         shard I: {"t": [term, ...], "p": [[gap, weight, gap, weight, ...], ...]}
    meta-SET-I.json          [[url, title, show, date], ...] for refs I * META_CHUNK onwards
    shows-HASH.json          [show number per ref]          (only for the show filter)
    terms-HASH.json          [every term]                   (only for leading wildcards and fuzzy terms)

SET is one hash of every shard and metadata file: all of them change
together anyway (a new document changes every term's idf, and the newest
shifts every ref), and one hash in the manifest instead of one per file
keeps the manifest, which every search downloads, a third of the size.

A posting's key is ``field * n + document`` (n documents), its gap the
difference from the key before it in the row (the first from 0), its weight
the field vector element times 1000 (an integer). Terms are in UTF-16 order,
as JavaScript compares strings. A shard holds a lexicographic range of terms
of about SHARD_POSTINGS postings; a term with more postings than that is cut
into pieces that each fill a shard of their own (a manifest entry whose
first and last term are that term).

Documents are numbered in the site's order, newest first (ref = base 36 of
the number), so sorting by date needs no data and a year is a range of refs.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass

SHARD_FORMAT = 2
SHARD_POSTINGS = 6000     # postings per shard: about 25 KB gzip
META_CHUNK = 25           # result metadata entries per file
FOLDER = "search/"


@dataclass(frozen=True)
class EpisodeMeta:
    url: str      # relative to the site root, e.g. episodes/slug.html
    title: str
    show: str
    date: str     # as shown
    year: int | None


def js_round(x: float) -> int:
    """JavaScript's Math.round for x >= 0 (ties go up; Python's round goes to even)."""
    r = math.floor(x)
    return r + 1 if x - r >= 0.5 else r


def utf16_key(term: str) -> bytes:
    return term.encode("utf-16-be")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _named(kind: str, text: str) -> tuple[str, str]:
    return f"{kind}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.json", text


def weights(compact: dict) -> list[list[int]]:
    """Per term (in ``compact["terms"]`` order), the posting row with each
    tf replaced by lunr's field vector element times 1000."""
    n = len(compact["refs"])
    k1, b, boosts = compact["k1"], compact["b"], compact["boosts"]
    # The Builder's denominator k1 * (1 - b + b * (length / average)), per key.
    denominators: list[float] = []
    for row in compact["lengths"]:
        average = sum(row) / n if n else 0
        # A field empty in every document has no postings to weigh (lunr would divide 0 by 0).
        denominators += [k1 * (1 - b + b * (length / average)) if average else 0.0 for length in row]
    boost_of = [boosts[key // n] for key in range(len(denominators))]
    k1_1 = k1 + 1
    floor = math.floor
    out = []
    for row in compact["postings"]:
        with_term = len(row) // 2
        idf = math.log(1 + abs((n - with_term + 0.5) / (with_term + 0.5)))
        # Operation for operation as lunr.Builder.createFieldVectors, so the
        # floats agree, then Math.round(score * 1000) (ties up, not to even);
        # a comprehension, as this runs once per posting of the archive.
        new = row[:]
        new[1::2] = [r + (s - r >= 0.5)
                     for key, tf in zip(itertools.accumulate(row[0::2]), row[1::2])
                     for s in (idf * (k1_1 * tf) / (denominators[key] + tf) * boost_of[key] * 1000,)
                     for r in (floor(s),)]
        out.append(new)
    return out


def _cut(row: list[int], size: int) -> list[list[int]]:
    """A long row in pieces of ``size`` postings, each piece's first gap made absolute."""
    pieces, key = [], 0
    for start in range(0, len(row), 2 * size):
        piece = row[start:start + 2 * size]
        first = key + piece[0]
        key = first + sum(piece[2::2])
        piece[0] = first
        pieces.append(piece)
    return pieces


def shard_files(compact: dict, metas: list[EpisodeMeta], shard_postings: int = SHARD_POSTINGS) -> dict[str, str]:
    """Every file under search/ (name -> text), latest.json included."""
    rows = weights(compact)
    order = sorted(range(len(compact["terms"])), key=lambda i: utf16_key(compact["terms"][i]))
    shard_texts: list[str] = []
    shards: list[list] = []   # [first term, last term]

    def flush(terms: list[str], postings: list[list[int]]) -> None:
        shard_texts.append(_dumps({"t": terms, "p": postings}))
        shards.append([terms[0], terms[-1]])

    terms: list[str] = []
    postings: list[list[int]] = []
    count = 0
    for i in order:
        term, row = compact["terms"][i], rows[i]
        size = len(row) // 2
        if size > shard_postings:   # a shard of its own per piece
            if terms:
                flush(terms, postings)
                terms, postings, count = [], [], 0
            for piece in _cut(row, shard_postings):
                flush([term], [piece])
            continue
        if count + size > shard_postings and terms:
            flush(terms, postings)
            terms, postings, count = [], [], 0
        terms.append(term)
        postings.append(row)
        count += size
    if terms:
        flush(terms, postings)

    meta_texts = [_dumps([[m.url, m.title, m.show, m.date] for m in metas[first:first + META_CHUNK]])
                  for first in range(0, len(metas), META_CHUNK)]
    digest = hashlib.sha256()
    for text in (*shard_texts, "\0", *meta_texts):
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    set_hash = digest.hexdigest()[:12]
    files: dict[str, str] = {}
    named = {"set": set_hash}   # what shard_name and meta_name read from a manifest
    files.update((shard_name(named, i), text) for i, text in enumerate(shard_texts))
    files.update((meta_name(named, i), text) for i, text in enumerate(meta_texts))
    show_names = sorted({m.show for m in metas if m.show})
    number = {name: i for i, name in enumerate(show_names)}
    shows_name, text = _named("shows", _dumps([number.get(m.show, -1) for m in metas]))
    files[shows_name] = text
    terms_name, text = _named("terms", _dumps([compact["terms"][i] for i in order]))
    files[terms_name] = text

    manifest = {
        "format": SHARD_FORMAT, "lunr": compact["lunr"], "fields": compact["fields"],
        "pipeline": compact["pipeline"], "n": len(compact["refs"]),
        "set": set_hash, "shards": shards, "metaFiles": len(meta_texts), "metaChunk": META_CHUNK,
        "shows": show_names, "showsFile": shows_name, "years": _years(metas), "terms": terms_name,
    }
    name, text = _named("manifest", _dumps(manifest))
    files[name] = text
    files["latest.json"] = _dumps({"manifest": name})
    return files


def _years(metas: list[EpisodeMeta]) -> list[list[int]]:
    """[year, first ref, last ref] for each year, newest first: the episodes
    are in date order, so each year is one run of refs."""
    years: list[list[int]] = []
    for d, meta in enumerate(metas):
        if meta.year is None:
            continue
        if years and years[-1][0] == meta.year and years[-1][2] == d - 1:
            years[-1][2] = d
        else:
            years.append([meta.year, d, d])
    return years


def shard_name(manifest: dict, i: int) -> str:
    """The file of shard ``i`` (``shardName`` in assets/search-index.js)."""
    return f"shard-{manifest['set']}-{i}.json"


def meta_name(manifest: dict, i: int) -> str:
    return f"meta-{manifest['set']}-{i}.json"


def manifest_name(files: dict[str, str]) -> str:
    return json.loads(files["latest.json"])["manifest"]
