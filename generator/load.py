"""The load stage: every content page becomes an Episode, its Markdown
rendered to a Body, and its search tokens counted.

The Episode and the tokens are cached, in one entry, under the page's
content hash, so a rebuild re-reads only the pages that changed. The rest of
the build keeps just the small part (the Episode and its first words) in
memory, and a pack holds that part for every page so a rebuild reads it from
one file; the tokens are read back when the search index needs them. A Body
is not cached: rendering an imported page's Markdown again takes a fraction
of a millisecond, less than writing and reading back its HTML would.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.cache import PAGE, PAGE_DIGESTS, Cache, Digests, make_key
from generator.content import EPISODES, Episode, decode_page, parse_episode, split_front_matter
from generator.errors import ContentError, Report
from generator.inputs import list_inputs, read_file
from generator.markup import Body, render_body
from generator.search import DocTokens, SearchDoc, doc_tokens
from generator.workers import parallel_map

LEAD_WORDS = 64   # enough for any excerpt a page shows
TOKENS = 1   # the part after the Loaded


@dataclass(frozen=True)
class Loaded:
    """What the build keeps of a page: the Episode (its Markdown dropped) and
    the key under which its Body and search tokens are cached."""
    episode: Episode
    key: str
    # The first LEAD_WORDS + 1 words of the transcript, joined by spaces: one
    # string, not a tuple of words, makes the page pack three times faster to read.
    lead: str
    word_count: int


def _filter_topics(episode: Episode, ignore_topics: tuple[str, ...]) -> Episode:
    # Applied at load too, so editing ignore_topics also cleans pages imported before.
    if not ignore_topics:
        return episode
    ignored = {t.casefold() for t in ignore_topics}
    return dataclasses.replace(episode, topics=tuple(t for t in episode.topics if t.casefold() not in ignored))


def search_doc(episode: Episode, body: Body) -> SearchDoc:
    return SearchDoc(ref="", title=episode.title, topics=episode.topics, paragraphs=body.paragraphs)


def _lead(body: Body) -> str:
    words: list[str] = []
    for paragraph in body.paragraphs:
        words += paragraph.split()
        if len(words) > LEAD_WORDS:
            break
    return " ".join(words[:LEAD_WORDS + 1])


def page_key(path: Path, digest: str, ignore_topics: tuple[str, ...]) -> str:
    """The cache key of everything loaded from one page (``digest``: its bytes' sha256)."""
    return make_key("page", str(path), digest, "\n".join(ignore_topics))


def warm(path: Path, data: bytes, digest: str, ignore_topics: tuple[str, ...],
         cache_folder: Path | None) -> Loaded | ContentError:
    """Load a page just written, so the build finds it all in the cache."""
    return _load((path, data, page_key(path, digest, ignore_topics), ignore_topics, cache_folder))


def add_to_pack(cache: Cache, loaded: list[Loaded]) -> None:
    """Put pages just loaded into the pack the build reads first, which saves
    it reading back each one's own entry after a large import."""
    pack = cache.get_pack(PAGE)
    pack.update((page.key, page) for page in loaded)
    cache.put_pack(PAGE, pack)


def _load(job: tuple[Path, bytes, str, tuple[str, ...], Path | None]) -> Loaded | ContentError:
    """One page, start to finish; runs in a worker process for a large batch."""
    path, data, key, ignore_topics, cache_folder = job
    try:
        episode = _filter_topics(parse_episode(data, path), ignore_topics)
    except ContentError as exc:
        return exc
    body = render_body(episode.body)
    loaded = Loaded(dataclasses.replace(episode, body=""), key, _lead(body), body.word_count)
    Cache(cache_folder).put(PAGE, key, loaded, doc_tokens(search_doc(episode, body)))
    return loaded


def load_pages(content_dir: Path, ignore_topics: tuple[str, ...], cache: Cache, report: Report,
               stats: Mapping[str, os.stat_result] | None = None) -> list[Loaded]:
    """Every valid page, newest first; a broken page is reported and left out.
    ``stats``: what stat said of the pages a moment ago (cache.Digests)."""
    results: dict[Path, Loaded | ContentError] = {}
    jobs = []
    pack = cache.get_pack(PAGE)
    digests = Digests(cache, PAGE_DIGESTS, stats)
    listing = list_inputs(content_dir / EPISODES, "*.md", content_dir)
    for path, reason in listing.errors:
        results[path] = ContentError(reason, path)
    for path, reason in listing.warnings:
        report.warn(f"{path}: {reason}")
    for path in listing.files:
        try:
            digest, data = digests.known_or_read(path)   # an unchanged page is not read
            key = page_key(path, digest, ignore_topics)
            cached = pack.get(key)
            if not isinstance(cached, Loaded):
                cached = cache.get(PAGE, key)
            if isinstance(cached, Loaded):
                results[path] = cached
                continue
            if data is None:   # unchanged, but its cache entry is gone
                data, digest = digests.read(path)
                key = page_key(path, digest, ignore_topics)
        except OSError as exc:
            results[path] = ContentError(f"cannot read: {exc.strerror or exc}", path)
            continue
        jobs.append((path, data, key, ignore_topics, cache.folder))
    digests.save()
    for job, result in zip(jobs, parallel_map(_load, jobs)):
        results[job[0]] = result
    loaded = {r.key: r for r in results.values() if isinstance(r, Loaded)}
    cache.used.setdefault(PAGE, set()).update(loaded)   # entries written by workers, or only read: keep them
    if loaded.keys() != pack.keys():
        cache.put_pack(PAGE, loaded)

    pages: list[Loaded] = []
    seen: dict[str, Path] = {}
    for path in sorted(results, key=str):
        result = results[path]
        if isinstance(result, ContentError):
            report.error(result)
            continue
        slug = result.episode.slug
        if slug in seen:
            report.error(ContentError(f"slug '{slug}' is already used by {seen[slug]}", path, 1))
            continue
        seen[slug] = path
        pages.append(result)
    # Same date: the title decides, so the order never depends on the file system.
    pages.sort(key=lambda p: (p.episode.date, p.episode.title, p.episode.slug), reverse=True)
    return pages


def _read(path: Path) -> bytes:
    try:
        return read_file(path)
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", path) from None


def page_body(path: Path) -> Body:
    """A page's Body, from the page itself."""
    return render_body(split_front_matter(decode_page(_read(path), path), path)[1])


def _reread(path: Path, ignore_topics: tuple[str, ...]) -> tuple[Episode, Body]:
    """A page read again because its cache entry went missing (the cache was
    deleted mid-build, or cannot be written)."""
    episode = _filter_topics(parse_episode(_read(path), path), ignore_topics)
    return episode, render_body(episode.body)


def cached_tokens(cache: Cache, key: str, path: Path, ignore_topics: tuple[str, ...]) -> DocTokens:
    """A page's search tokens, from the cache or worked out again."""
    tokens = cache.get(PAGE, key, TOKENS)
    if not isinstance(tokens, DocTokens):
        tokens = doc_tokens(search_doc(*_reread(path, ignore_topics)))
    return tokens


class Bodies(Mapping):
    """Rendered bodies by episode slug, made when asked for."""

    def __init__(self, pages: list[Loaded]):
        self._pages = {p.episode.slug: p for p in pages}

    def __getitem__(self, slug: str) -> Body:
        return page_body(self._pages[slug].episode.path)

    def __iter__(self):
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)
