"""Documents, queries and comparisons shared by the search tests."""
from __future__ import annotations

from pathlib import Path

from generator.paragraphs import split_paragraphs
from generator.search import SearchDoc
from generator.search_shards import EpisodeMeta, shard_files
from generator.transcript import read_transcript

REPO = Path(__file__).resolve().parent.parent

MADE_UP = [
    SearchDoc("a", "Erdoğan in Kyïv", ("Türkiye", "Ukraine"),
              ("Recep Tayyip Erdoğan flew to Kyïv on Tuesday. It's the president's third visit.",
               "The talks in Kyïv were about grain, drones and the Black Sea.")),
    SearchDoc("b", "Escalation ladders", ("NATO",),
              ("Each side keeps escalating. The escalation is slow, then fast.",
               "Nobody wants a war; everybody prepares for one. The U.S. says so too.")),
    SearchDoc("c", "Grain deal", (),
              ("A short episode about the grain corridor and Black Sea shipping insurance.",)),
    SearchDoc("d", "Putin’s day in Minsk", ("Belarus", "Russia"),
              ("Putin’s state visit to Minsk — a day of ceremony. Lukashenko’s guests ate well.",
               "Tactical nuclear drills were discussed; the co-operation runs deep.")),
]

QUERIES = [
    "lukashenko", "Lukashenko", "putin", "belarus", "escalating", "escalation", "escalate",
    "title:putin", "title:belarus", "topics:nato", "topics:ukraine",
    '"tactical nuclear"', '"black sea"', '"nato escalation"',
    "+putin -sco", "+lukashenko -kazakhstan", "+belarus +kazakhstan", "-putin",
    "erdogan", "Erdogan", "Erdoğan", "ERDOGAN", "kyiv", "Kyiv", "KYÏV",
    "day", "days", "today", "putin's", "putin’s", "u.s", "co-operation", "drones",
    "nuclear drills", "escal*", "lukashenko^10 putin", "minsk~1", "zzzyzzx",
]


def write_shards(compact: dict, folder: Path, shard_postings: int | None = None) -> str:
    """The search/ files of a compact index in ``folder`` (every document in 2020)."""
    metas = [EpisodeMeta(f"episodes/{ref}.html", ref, "", "", 2020) for ref in compact["refs"]]
    files = shard_files(compact, metas, *(() if shard_postings is None else (shard_postings,)))
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return str(folder)


def search_files_text(out: Path) -> str:
    """Every file of a built site's search index (manifest, shards, metadata), as one text."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((out / "search").glob("*.json")))


def seed_docs() -> list[SearchDoc]:
    docs = []
    for i, path in enumerate(sorted((REPO / "seeds").glob("*.txt"))):
        t = read_transcript(path)
        docs.append(SearchDoc(str(i), t.title, ("Belarus", "Russia", "Putin"), tuple(split_paragraphs(t.text))))
    return docs


def ranking(results) -> list[set[str]]:
    """Refs in order, refs with tied scores together (their order is arbitrary)."""
    groups: list[set[str]] = []
    last = None
    for r in results:
        ref, score = (r["ref"], r["score"]) if isinstance(r, dict) else r
        if last is None or abs(score - last) > 1e-6:
            groups.append(set())
        groups[-1].add(ref)
        last = score
    return groups


def by_term(serialized: dict) -> tuple:
    """A serialized index with term indexes replaced by the terms, which lunr numbers as it meets them."""
    names = {posting["_index"]: term for term, posting in serialized["invertedIndex"]}
    postings = {term: {k: v for k, v in p.items() if k != "_index"} for term, p in serialized["invertedIndex"]}
    vectors = [(ref, {names[e[i]]: e[i + 1] for i in range(0, len(e), 2)}) for ref, e in serialized["fieldVectors"]]
    return serialized["version"], serialized["fields"], serialized["pipeline"], postings, vectors
