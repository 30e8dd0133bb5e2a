"""The import stage: transcripts in the source folder become content pages.

Safe to run again and again: an unchanged transcript costs one hash and
touches nothing; a changed one rewrites its page only if nobody edited that
page by hand; a page's slug, once written, never changes.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.cache import FACTS, PAGE_DIGESTS, TRANSCRIPT_DIGESTS, Cache, Digests
from generator.config import SiteConfig
from generator.content import (EPISODES, decode_page, episode_meta, is_hand_edited, page_text,
                               read_front_matter, write_atomic)
from generator.errors import ContentError, GeneratorError, Report, TranscriptError
from generator.inputs import list_inputs, read_file
from generator.load import Loaded, add_to_pack, warm
from generator.paragraphs import sentences, split_paragraphs
from generator.slugs import slugify, unique_slug
from generator.summaries import ImportSummary
from generator.topics import extract_topics
from generator.transcript import Transcript, parse_transcript
from generator.workers import parallel_map

# From this many new pages, the import adds them to the build's page pack
# itself; for fewer, the build reading their entries costs less than the pack.
PACK_AFTER = 48


@dataclass(frozen=True)
class _Existing:
    path: Path
    source_sha256: str
    hand_edited: bool


def _page_facts(path: Path, data: bytes) -> tuple[str | None, str | None, str, bool]:
    """(slug, source file, source sha256, edited by hand) of an existing page."""
    try:
        text = decode_page(data, path)
        meta, _, _ = read_front_matter(text, path)
    except ContentError:
        return None, None, "", True  # a broken page is reported when the site loads it; never overwrite it
    slug = meta.get("slug") if isinstance(meta.get("slug"), str) else None
    source = meta.get("source")
    if isinstance(source, dict) and isinstance(source.get("file"), str):
        return slug, source["file"], str(source.get("sha256", "")), is_hand_edited(text)
    return slug, None, "", True


def _edited_by_hand_now(path: Path) -> bool:
    """Whether a page about to be made again from its changed transcript
    is now edited by hand. The page's facts were judged by the stat the
    look before the import took, and an editor may have saved the page
    since: read it again rather than overwrite someone's edit."""
    try:
        return _page_facts(path, read_file(path))[3]
    except OSError:
        return False   # gone: made anew, as a deleted page is


def _facts_key(path: Path, digest: str) -> tuple[str, str]:
    # The pack as a whole is salted with the code (Cache.put_pack): the page and its bytes' digest are enough.
    return str(path), digest


def _existing_pages(content_dir: Path, pack: dict, facts_used: dict,
                    digests: Digests) -> tuple[dict[str, _Existing], set[str]]:
    """Imported pages by source file name, and every slug already in use.
    ``pack`` holds the facts of pages seen before; ``facts_used`` gets the
    facts of every page there now. A page that may not be read is reported
    when the site is loaded; here its name is only kept from new pages."""
    by_source: dict[str, _Existing] = {}
    listing = list_inputs(content_dir / EPISODES, "*.md", content_dir)
    taken: set[str] = {path.stem for path in listing.refused()}
    for path in listing.files:
        taken.add(path.stem)
        try:
            # Reading front matter is most of a no-op import; the facts are cached by content.
            digest, data = digests.known_or_read(path)
            key = _facts_key(path, digest)
            facts = pack.get(key)
            if not (isinstance(facts, tuple) and len(facts) == 4):
                if data is None:
                    data, digest = digests.read(path)
                    key = _facts_key(path, digest)
                facts = _page_facts(path, data)
        except OSError:
            continue
        facts_used[key] = facts
        slug, source_file, source_sha256, hand_edited = facts
        if slug:
            taken.add(slug)
        if source_file:
            by_source[source_file] = _Existing(path, source_sha256, hand_edited)
    return by_source, taken


@dataclass(frozen=True)
class _Prepared:
    """A parsed transcript with the slow parts of its page worked out."""
    transcript: Transcript
    topics: list[str]
    paragraphs: list[str]


def _prepare(transcript: Transcript, topics_limit: int, ignore_topics: tuple[str, ...]) -> _Prepared:
    spoken = sentences(transcript.text.split())   # both topics and paragraphs need these
    topics = extract_topics(transcript.text, transcript.show, topics_limit, ignore_topics, spoken)
    return _Prepared(transcript, topics, split_paragraphs(transcript.text, spoken))


def _page(prepared: _Prepared, slug: str) -> str:
    """The content page text (pure: same input, same bytes)."""
    t = prepared.transcript
    meta = episode_meta(t.title, t.show, t.date, t.duration, t.audio_format, t.description, slug,
                        prepared.topics, t.source, t.sha256)
    return page_text(meta, prepared.paragraphs)


def _transcript_files(source_dir: Path, report: Report, summary: ImportSummary) -> list[Path]:
    """The transcripts that may be read; the files refused are reported."""
    listing = list_inputs(source_dir, "*.txt", hidden=False)
    for path, reason in listing.errors:
        report.error(TranscriptError(reason, path))
        summary.failed += 1
    for path, reason in listing.warnings:
        report.warn(f"{path}: {reason}")
    return listing.files


def _modified_within(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False  # reading it reports the problem


def import_transcripts(source_dir: Path, content_dir: Path, report: Report, *,
                       topics_limit: int = 12, ignore_topics: tuple[str, ...] = (),
                       settle_seconds: float = 0, cache: Cache | None = None,
                       stats: Mapping[str, os.stat_result] | None = None) -> ImportSummary:
    """Bring content/episodes/ up to date with the transcripts in ``source_dir``.

    A transcript modified less than ``settle_seconds`` ago is left for a later
    run (listed in ``pending``): it may be a copy still in progress.
    ``stats``: what stat said of the files a moment ago (cache.Digests)."""
    if not source_dir.is_dir():
        raise GeneratorError("transcripts folder not found", source_dir)
    cache = cache or Cache(None)
    episodes_dir = content_dir / EPISODES
    pack = cache.get_pack(FACTS)
    facts_used: dict = {}
    page_digests, transcript_digests = Digests(cache, PAGE_DIGESTS, stats), Digests(cache, TRANSCRIPT_DIGESTS, stats)
    existing, taken = _existing_pages(content_dir, pack, facts_used, page_digests)
    summary = ImportSummary()
    jobs = []
    for path in _transcript_files(source_dir, report, summary):
        if settle_seconds > 0 and _modified_within(path, settle_seconds):
            summary.pending.append(path)
            continue
        try:
            old = existing.get(path.name)
            digest, data = transcript_digests.known_or_read(path)
            if old and old.source_sha256 == digest:
                summary.unchanged += 1
                continue
            if data is None:   # remembered, but it is not what its page was made from
                data, _ = transcript_digests.read(path)
        except OSError as exc:
            report.error(TranscriptError(f"cannot read: {exc.strerror or exc}", path))
            summary.failed += 1
            continue
        jobs.append((path, data))
    transcript_digests.save()
    page_digests.save()

    # Parsed here, as a new page's slug depends on every title before it; the
    # slow part of an import (topics, paragraphs, the page, its cache entry)
    # then runs on every core in one pass.
    started = time.perf_counter()
    writes = []   # (page, transcript, slug)
    for path, data in jobs:
        try:
            transcript = parse_transcript(data, path)
        except TranscriptError as exc:
            report.error(exc)
            summary.failed += 1
            continue
        for warning in transcript.warnings:
            report.warn(f"{path}: {warning}")
        old = existing.get(path.name)
        if old is not None:
            if old.hand_edited or _edited_by_hand_now(old.path):
                report.warn(f"{old.path}: its transcript {path.name} changed, but the page was edited by "
                            f"hand, so it was kept; delete the page and import again to take the new version")
                summary.kept_edits.append(old.path)
                continue
            writes.append((old.path, transcript, old.path.stem))
            summary.updated.append(old.path)
            continue
        wanted = slugify(transcript.title) or slugify(path.stem) or "episode"
        slug = unique_slug(wanted, taken, transcript.date.isoformat())
        taken.add(slug)
        target = episodes_dir / f"{slug}.md"
        writes.append((target, transcript, slug))
        summary.added.append(target)
    summary.parse_seconds = time.perf_counter() - started
    if writes:
        _make_folder(episodes_dir)
    loaded = []
    for (target, *_), (key, facts, page) in zip(writes, parallel_map(
            _write_page, [(*w, topics_limit, ignore_topics, cache.folder) for w in writes])):
        if key is None:   # not written: ``page`` says why
            report.error(ContentError(page, target))
            summary.failed += 1
            for written in (summary.added, summary.updated):
                if target in written:
                    written.remove(target)
            continue
        facts_used[key] = facts
        if isinstance(page, Loaded):
            loaded.append(page)
    if facts_used != pack:
        cache.put_pack(FACTS, facts_used)
    if len(loaded) >= PACK_AFTER:
        add_to_pack(cache, loaded)
    return summary


def _make_folder(episodes_dir: Path) -> None:
    """content/episodes/, made if missing; one error for the whole import
    if it cannot be, rather than one per page."""
    try:
        episodes_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where, reason = episodes_dir, exc.strerror or str(exc)
        if episodes_dir.is_symlink():
            reason = "a symbolic link to nothing"
        elif file := next((p for p in episodes_dir.parents if p.exists() and not p.is_dir()), None):
            where, reason = file, "a file where the folder for the pages should be"
        raise GeneratorError(f"cannot make the folder for the pages: {reason}", where) from None


def _write_page(job: tuple[Path, Transcript, str, int, tuple[str, ...], Path | None]) -> tuple[str, tuple, object]:
    """Make and write one page; runs in a worker process for a large batch.
    It also loads the page into the cache, as the build is about to need it.
    Returns the page's facts (what the next import would read back from it)
    with their key, and the page as loaded; or None, None and why the page
    could not be written."""
    path, transcript, slug, topics_limit, ignore_topics, cache_folder = job
    data = _page(_prepare(transcript, topics_limit, ignore_topics), slug).encode("utf-8")
    try:
        write_atomic(path, data)
    except OSError as exc:   # a folder where the page goes, say
        return None, None, f"cannot write this page: {exc.strerror or exc}"
    digest = hashlib.sha256(data).hexdigest()
    loaded = warm(path, data, digest, ignore_topics, cache_folder)
    return _facts_key(path, digest), (slug, transcript.source, transcript.sha256, False), loaded


def import_site(config: SiteConfig, report: Report, *, settle_seconds: float = 0,
                stats: Mapping[str, os.stat_result] | None = None) -> ImportSummary:
    """import_transcripts with everything taken from the site's config."""
    return import_transcripts(config.source_dir, config.content_dir, report,
                              topics_limit=config.topics_per_episode, ignore_topics=config.ignore_topics,
                              settle_seconds=settle_seconds, cache=Cache(config.cache_dir), stats=stats)
