"""The search index as the site serves it: term shards, a manifest, and small
metadata files, so a query downloads only what it needs.

A posting carries its term frequency; the browser works out the number
lunr.js 2.3.9's Builder puts in the document's field vector (BM25 with the
whole archive's idf and average field lengths, the field's boost, rounded
to 3 decimals) from it, the term's number of postings and the field
lengths. In lunr.js 2.3.9 a hit's score is dot(query vector, field vector)
/ |query vector| (``lunr.Vector.prototype.similarity``), and a query vector
has elements only at the query's own terms, so a lunr.Index holding just
the query's terms and those numbers scores every document exactly as the
full index does. ``assets/search-index.js`` builds that index; PORT.md
beside this file records the argument and what is ported.

Shipping frequencies rather than finished weights is what lets a rebuild
cost what changed: a weight depends on the number of documents and their
average length, so one new episode changed every weight in the archive; a
frequency never changes once written.

Files under search/, each named with a hash of its content except the pointer:

    latest.json              {"manifest": "manifest-HASH.json"}  (for a tab opened before a deploy)
    manifest-HASH.json       see ``site_files`` below
    shard-HASH.json          {"t": [term, ...], "p": [[gap, tf, gap, tf, ...], ...]}
    docs-HASH.json           {"n": [number, gap, gap, ...], "l": [terms in each field of each document]}
    meta-HASH.json           [[url, title, show, date], ...] for META_CHUNK documents
    shows-HASH.json          [show number per document]     (only for the show filter)
    terms-HASH.json          [every term]                   (only for leading wildcards and fuzzy terms)

A posting's key is ``number * fields + field``, its gap the difference from
the key before it in the row (the first from 0). Documents are numbered by
date (``doc_numbers``; ref = base 36 of the number) and indexed in number
order: a new episode, or a back-filled one, almost always takes a number no
other episode had, so it adds postings to its own terms' rows and moves no
other key. Sorting by date needs no data and a year is a range of numbers.
The docs file lists the numbers; the lengths, metadata and shows go by
position in that list. Terms are in UTF-16 order, as JavaScript compares
strings.

Shard boundaries depend only on each term and its number of postings (see
``layout``), never on where the last build cut, so an updated index is
byte for byte the one a clean build writes, and a new episode rewrites only
the shards holding its terms. A term with more than SHARD_POSTINGS postings
is cut into pieces of SHARD_POSTINGS from its first posting, each a shard of
its own (manifest entries whose first and last term are that term), so new
postings change only its last piece.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from typing import Callable

SHARD_FORMAT = 3
# The most postings a shard holds: about 20 KB gzip. Hash boundaries alone
# give shards of every size around the mean, and a common word, the kind
# people search for, tends to sit in a large one; the cap keeps those no
# larger than session 9's shards of finished weights (about 23 KB for 6,000).
# At 10,000 episodes this gives about 2,000 shards, and a new episode
# rewrites about 800 of them (measured on the bench archive).
SHARD_POSTINGS = 8000
META_CHUNK = 25           # result metadata entries per file
FOLDER = "search/"
# Document numbers: PER_DAY for each day (from 1 January of year 1), so
# that an episode back-filled on a day with room finds its number free.
PER_DAY = 16


@dataclass(frozen=True)
class EpisodeMeta:
    url: str      # relative to the site root, e.g. episodes/slug.html
    title: str
    show: str
    date: str     # as shown
    year: int | None


@dataclass(frozen=True)
class Shard:
    terms: tuple[str, ...]
    piece: int = -1   # which piece of a term too long for one shard, else -1


@dataclass
class IndexData:
    """What the files are made from, apart from the postings themselves."""
    header: dict                # lunr version, fields, boosts, k1, b, pipeline
    terms: list[str]            # UTF-16 order
    counts: dict[str, int]      # term -> postings, over all fields
    numbers: list[int]          # each document's number (see doc_numbers)
    lengths: list[int]          # terms in each field of each document, document by document
    metas: list[EpisodeMeta]    # by document


@dataclass
class Written:
    files: dict[str, str]       # name -> text, for every file but the kept shards
    kept: list[str]             # names of the last build's shard files this index reuses
    shards: list[tuple[Shard, str]]   # every shard and its content hash, in manifest order
    firsts: dict[tuple[str, int], int] = field(default_factory=dict)   # (term, piece) -> its first key, for pieces made


def utf16_key(term: str) -> bytes:
    return term.encode("utf-16-be")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


HASH_DIGITS = 12   # of a file's sha256 in its name


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def file_name(kind: str, digest: str) -> str:
    """The file of ``kind`` ("shard", "meta", ...) whose text has this sha256
    (the whole hex digest, or its first HASH_DIGITS digits: ``content_hash``)."""
    return f"{kind}-{digest[:HASH_DIGITS]}.json"


def _named(kind: str, text: str) -> tuple[str, str]:
    return file_name(kind, content_hash(text)), text


def doc_numbers(episodes: list[tuple[dt.date, str]]) -> list[int]:
    """A number for each (date, slug): ``date.toordinal() * PER_DAY`` plus a
    place in its day picked by a hash of the slug (the next free place if
    taken, in slug order), so adding an episode leaves the others' numbers
    alone unless it takes a place another one was pushed into. Ascending
    numbers are date order. A day with more than PER_DAY episodes has no
    room: then all are numbered 0, 1, 2 ... in date and slug order (every
    number moves when one is added, and the index is then built afresh)."""
    days: dict[int, list[str]] = {}
    for date, slug in episodes:
        days.setdefault(date.toordinal(), []).append(slug)
    if any(len(slugs) > PER_DAY for slugs in days.values()):
        order = sorted(range(len(episodes)), key=lambda i: (episodes[i][0], episodes[i][1]))
        out = [0] * len(episodes)
        for number, i in enumerate(order):
            out[i] = number
        return out
    number_of: dict[tuple[int, str], int] = {}
    for day, slugs in days.items():
        taken: set[int] = set()
        for slug in sorted(slugs):
            place = zlib.crc32(slug.encode("utf-8")) % PER_DAY
            while place in taken:
                place = (place + 1) % PER_DAY
            taken.add(place)
            number_of[day, slug] = day * PER_DAY + place
    return [number_of[date.toordinal(), slug] for date, slug in episodes]


def ends_shard(term: str, count: int, shard_postings: int = SHARD_POSTINGS) -> bool:
    """Whether a shard ends after ``term``: for a fixed share of terms,
    weighted by postings, one boundary per shard_postings postings.

    A hash rather than a running count: a count would move every later
    boundary when one term gains a posting."""
    return zlib.crc32(term.encode("utf-8")) * shard_postings < count << 32


def pieces(count: int, shard_postings: int = SHARD_POSTINGS) -> int:
    """Shards a term of ``count`` postings takes: 0 if it shares one."""
    return -(-count // shard_postings) if count > shard_postings else 0


def layout(terms: list[str], counts: dict[str, int], shard_postings: int = SHARD_POSTINGS) -> list[Shard]:
    """The shards of an index, from its terms (in UTF-16 order) and their
    counts alone: cut where ``ends_shard`` says, and before a shard would
    pass shard_postings."""
    out: list[Shard] = []
    group: list[str] = []
    size = 0
    for term in terms:
        count = counts[term]
        if count > shard_postings:
            if group:
                out.append(Shard(tuple(group)))
                group, size = [], 0
            out.extend(Shard((term,), k) for k in range(pieces(count, shard_postings)))
            continue
        if group and size + count > shard_postings:
            out.append(Shard(tuple(group)))
            group, size = [], 0
        group.append(term)
        size += count
        if ends_shard(term, count, shard_postings):
            out.append(Shard(tuple(group)))
            group, size = [], 0
    if group:
        out.append(Shard(tuple(group)))
    return out


def cut(row: list[int], size: int) -> list[list[int]]:
    """A row in pieces of ``size`` postings, each piece's first gap made absolute
    (the row's own first gap is absolute already)."""
    out, key = [], 0
    for start in range(0, len(row), 2 * size):
        piece = row[start:start + 2 * size]
        first = key + piece[0]
        key = first + sum(piece[2::2])
        piece[0] = first
        out.append(piece)
    return out


def site_files(data: IndexData, rows: Callable[[str, int], list[int]],
               kept: Callable[[Shard], str | None] = lambda shard: None,
               shard_postings: int = SHARD_POSTINGS) -> Written:
    """Every file under search/, latest.json included.

    ``rows(term, piece)`` gives the term's postings from that piece on (from
    the first for a term that shares a shard), first gap absolute;
    ``kept(shard)`` the hash of the last build's identical shard, if there
    is one, which is then neither made nor written again.
    """
    files: dict[str, str] = {}
    kept_names: list[str] = []
    shards: list[tuple[Shard, str]] = []
    firsts: dict[tuple[str, int], int] = {}
    plan = layout(data.terms, data.counts, shard_postings)
    i = 0
    while i < len(plan):
        shard = plan[i]
        if shard.piece < 0:
            same = kept(shard)
            if same is None:
                text = _dumps({"t": list(shard.terms), "p": [rows(t, 0) for t in shard.terms]})
                same = content_hash(text)
                files[file_name("shard", same)] = text
            else:
                kept_names.append(file_name("shard", same))
            shards.append((shard, same))
            i += 1
            continue
        term = shard.terms[0]
        count = pieces(data.counts[term], shard_postings)
        made = None
        for k in range(count):
            piece = plan[i + k]
            same = None if made is not None else kept(piece)
            if same is None:
                if made is None:
                    made = cut(rows(term, k), shard_postings)
                    first = k
                text = _dumps({"t": [term], "p": [made[k - first]]})
                firsts[term, k] = made[k - first][0]
                same = content_hash(text)
                files[file_name("shard", same)] = text
            else:
                kept_names.append(file_name("shard", same))
            shards.append((piece, same))
        i += count

    metas = data.metas
    meta_hashes = []
    for first in range(0, len(metas), META_CHUNK):
        text = _dumps([[m.url, m.title, m.show, m.date] for m in metas[first:first + META_CHUNK]])
        meta_hashes.append(content_hash(text))
        files[file_name("meta", meta_hashes[-1])] = text
    show_names = sorted({m.show for m in metas if m.show})
    number = {name: i for i, name in enumerate(show_names)}
    shows_name, text = _named("shows", _dumps([number.get(m.show, -1) for m in metas]))
    files[shows_name] = text
    terms_name, text = _named("terms", _dumps(data.terms))
    files[terms_name] = text
    gaps = [b - a for a, b in zip([0, *data.numbers], data.numbers)]
    docs_name, text = _named("docs", _dumps({"n": gaps, "l": data.lengths}))
    files[docs_name] = text

    manifest = {
        "format": SHARD_FORMAT, **data.header, "n": len(metas),
        "shards": [[shard.terms[0], shard.terms[-1], same] for shard, same in shards],
        "meta": meta_hashes, "metaChunk": META_CHUNK, "docs": docs_name,
        "shows": show_names, "showsFile": shows_name, "years": _years(metas, data.numbers), "terms": terms_name,
    }
    name, text = _named("manifest", _dumps(manifest))
    files[name] = text
    files["latest.json"] = _dumps({"manifest": name})
    return Written(files, kept_names, shards, firsts)


def index_data(compact: dict, metas: list[EpisodeMeta]) -> IndexData:
    """The IndexData of a compact index (``search.compact_index``)."""
    header = {key: compact[key] for key in ("lunr", "fields", "boosts", "k1", "b", "pipeline")}
    counts = {term: len(row) // 2 for term, row in zip(compact["terms"], compact["postings"])}
    lengths = [length for per_document in zip(*compact["lengths"]) for length in per_document]
    return IndexData(header, sorted(compact["terms"], key=utf16_key), counts, list(compact["numbers"]), lengths,
                     list(metas))


def index_files(compact: dict, metas: list[EpisodeMeta], shard_postings: int = SHARD_POSTINGS) -> tuple[IndexData, Written]:
    """The files of a compact index, all made afresh."""
    data = index_data(compact, metas)
    by_term = dict(zip(compact["terms"], compact["postings"]))

    # With nothing kept, every term is asked for from its first piece.
    return data, site_files(data, lambda term, piece: by_term[term], shard_postings=shard_postings)


def shard_files(compact: dict, metas: list[EpisodeMeta], shard_postings: int = SHARD_POSTINGS) -> dict[str, str]:
    """Every file under search/ (name -> text), latest.json included."""
    return index_files(compact, metas, shard_postings)[1].files


def _years(metas: list[EpisodeMeta], numbers: list[int]) -> list[list[int]]:
    """[year, first number, last number] for each run of documents in one year, in order."""
    years: list[list[int]] = []
    for d, (meta, number) in enumerate(zip(metas, numbers)):
        if meta.year is None:
            continue
        if years and years[-1][0] == meta.year and years[-1][3] == d - 1:
            years[-1][2:] = number, d
        else:
            years.append([meta.year, number, number, d])
    return [year[:3] for year in years]


def shard_name(manifest: dict, i: int) -> str:
    """The file of shard ``i`` (``shardName`` in assets/search-index.js)."""
    return file_name("shard", manifest["shards"][i][2])


def meta_name(manifest: dict, i: int) -> str:
    return file_name("meta", manifest["meta"][i])


def manifest_name(files: dict[str, str]) -> str:
    return json.loads(files["latest.json"])["manifest"]
