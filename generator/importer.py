"""The import stage: transcripts in the source folder become content pages.

Safe to run again and again: an unchanged transcript costs one hash and
touches nothing; a changed one rewrites its page only if nobody edited that
page by hand; a page's slug, once written, never changes.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.content import episode_meta, is_hand_edited, page_text, read_front_matter, write_atomic
from generator.errors import ContentError, GeneratorError, Report, TranscriptError
from generator.paragraphs import split_paragraphs
from generator.slugs import slugify, unique_slug
from generator.topics import extract_topics
from generator.transcript import Transcript, parse_transcript

EPISODES = "episodes"


@dataclass
class ImportSummary:
    added: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: int = 0
    kept_edits: list[Path] = field(default_factory=list)
    failed: int = 0
    pending: list[Path] = field(default_factory=list)   # too fresh: maybe still being copied in
    parse_seconds: float = 0.0   # reading and parsing transcripts, for the benchmark

    def line(self) -> str:
        return (f"imported: {len(self.added)} new, {len(self.updated)} updated, {self.unchanged} unchanged"
                + (f", {len(self.kept_edits)} kept (edited by hand)" if self.kept_edits else "")
                + (f", {self.failed} failed" if self.failed else "")
                + (f", {len(self.pending)} waiting (still being written?)" if self.pending else ""))


@dataclass(frozen=True)
class _Existing:
    path: Path
    source_sha256: str
    text: str


def _existing_pages(episodes_dir: Path) -> tuple[dict[str, _Existing], set[str]]:
    """Imported pages by source file name, and every slug already in use."""
    by_source: dict[str, _Existing] = {}
    taken: set[str] = set()
    for path in sorted(episodes_dir.glob("*.md")):
        taken.add(path.stem)
        try:
            text = path.read_text(encoding="utf-8")
            meta, _, _ = read_front_matter(text, path)
        except (ContentError, OSError, UnicodeDecodeError):
            continue  # a broken page is reported when the site loads it; never overwrite it
        if isinstance(meta.get("slug"), str):
            taken.add(meta["slug"])
        source = meta.get("source")
        if isinstance(source, dict) and isinstance(source.get("file"), str):
            by_source[source["file"]] = _Existing(path, str(source.get("sha256", "")), text)
    return by_source, taken


def page_for(transcript: Transcript, slug: str, topics_limit: int, ignore_topics: tuple[str, ...]) -> str:
    """The content page text for a transcript (pure: same input, same bytes)."""
    topics = extract_topics(transcript.text, transcript.show, topics_limit, ignore_topics)
    meta = episode_meta(transcript.title, transcript.show, transcript.date, transcript.duration,
                        transcript.audio_format, transcript.description, slug, topics,
                        transcript.source, transcript.sha256)
    return page_text(meta, split_paragraphs(transcript.text))


def transcript_files(source_dir: Path) -> list[Path]:
    return sorted(p for p in source_dir.glob("*.txt") if p.is_file() and not p.name.startswith("."))


def _modified_within(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False  # reading it reports the problem


def import_transcripts(source_dir: Path, content_dir: Path, report: Report, *,
                       topics_limit: int = 12, ignore_topics: tuple[str, ...] = (),
                       settle_seconds: float = 0) -> ImportSummary:
    """Bring content/episodes/ up to date with the transcripts in ``source_dir``.

    A transcript modified less than ``settle_seconds`` ago is left for a later
    run (listed in ``pending``): it may be a copy still in progress."""
    if not source_dir.is_dir():
        raise GeneratorError("transcripts folder not found", source_dir)
    episodes_dir = content_dir / EPISODES
    existing, taken = _existing_pages(episodes_dir)
    summary = ImportSummary()
    for path in transcript_files(source_dir):
        if settle_seconds > 0 and _modified_within(path, settle_seconds):
            summary.pending.append(path)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.error(TranscriptError(f"cannot read: {exc.strerror or exc}", path))
            summary.failed += 1
            continue
        old = existing.get(path.name)
        if old and old.source_sha256 == hashlib.sha256(data).hexdigest():
            summary.unchanged += 1
            continue
        started = time.perf_counter()
        try:
            transcript = parse_transcript(data, path)
        except TranscriptError as exc:
            report.error(exc)
            summary.failed += 1
            continue
        finally:
            summary.parse_seconds += time.perf_counter() - started
        for warning in transcript.warnings:
            report.warn(f"{path}: {warning}")
        if old is not None:
            if is_hand_edited(old.text):
                report.warn(f"{old.path}: its transcript {path.name} changed, but the page was edited by "
                            f"hand, so it was kept; delete the page and import again to take the new version")
                summary.kept_edits.append(old.path)
                continue
            slug = old.path.stem
            write_atomic(old.path, page_for(transcript, slug, topics_limit, ignore_topics))
            summary.updated.append(old.path)
            continue
        wanted = slugify(transcript.title) or slugify(path.stem) or "episode"
        slug = unique_slug(wanted, taken, transcript.date.isoformat())
        taken.add(slug)
        target = episodes_dir / f"{slug}.md"
        write_atomic(target, page_for(transcript, slug, topics_limit, ignore_topics))
        summary.added.append(target)
    return summary


def import_site(config: SiteConfig, report: Report, *, settle_seconds: float = 0) -> ImportSummary:
    """import_transcripts with everything taken from the site's config."""
    return import_transcripts(config.source_dir, config.content_dir, report,
                              topics_limit=config.topics_per_episode, ignore_topics=config.ignore_topics,
                              settle_seconds=settle_seconds)
