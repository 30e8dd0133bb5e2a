"""The no-op: when nothing an import and build read has changed since the
last one, and the output is as that build left it, neither runs.

"Nothing changed" is judged the way git judges a clean work tree: by what
stat says of every input file (size, modification time, inode, mode), not by
reading them, which is a few tens of milliseconds for 20,000 files; the
config's values and the generator's code are part of the same key.

A build is remembered only if what it read stood still while it read it:
the sources (transcripts, templates, feed files) are looked at before the
import and again after the build, the pages under content/ after the
import (which writes them) and again after the build, and each pair must
agree. The look after the import is the one before it with the pages the
import wrote looked at again, and the import and the build take each
file's stat from these looks rather than asking again: a +1 build at
10,000 episodes stat'd content/ five times and the transcripts three.

A file modified within a second before the last look could be modified
again in the same clock tick and keep its mtime, so then nothing is
remembered (git's "racily clean" entries). Only a build that reported
nothing is remembered: a warning or an error is reported again on every
build, as it must be for --strict. A podcast feed given as a URL makes
every build ask the show's host (a conditional GET), so then there is no
shortcut.
"""
from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.cache import UNCHANGED, Cache, make_key
from generator.config import SiteConfig
from generator.errors import Report
from generator.output import as_left, built_key
from generator.summaries import AudioLine, BuildResult, ImportSummary

ASSETS = Path(__file__).parent / "assets"   # build.ASSETS, without importing the build

RACY_NS = 1_000_000_000   # far more than any file system's mtime tick


@dataclass(frozen=True)
class Look:
    """What stat said of the inputs at one moment."""
    sources: str        # key of the config, code, transcripts, templates, assets and feed files
    content: str        # key of the pages under content/
    sources_newest: int   # the newest change time among the sources, ns
    content_newest: int
    taken_ns: int
    # Each file's stat by path, for the import and the build to use rather
    # than stat every file again (cache.Digests); and the content rows, for
    # content_look to update after the import wrote a few pages.
    stats: dict[str, os.stat_result] = field(default_factory=dict, compare=False, repr=False)
    content_rows: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class _Record:
    sources: str
    content: str
    output: str       # the site key the build left in the output folder
    transcripts: int
    result: BuildResult


def _rows(folder: str, deep: bool, rows: dict[str, str], newest: list[int], stats: dict[str, os.stat_result],
          seen: set | None = None) -> None:
    """A line per entry of ``folder`` (and of its folders' when ``deep``,
    through links too, as the loader reads them; each folder once), by path.
    Strings and scandir rather than Paths: this is the whole cost of a no-op."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError as exc:
        rows[folder] = f"{folder!r}\0unreadable {exc.errno}"
        return
    for entry in entries:
        if not _add(entry.path, rows, newest, stats):
            continue
        st = stats[entry.path]
        if deep and stat.S_ISDIR(st.st_mode):
            seen = seen if seen is not None else set()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                _rows(entry.path, True, rows, newest, stats, seen)


def _add(path: str, rows: dict[str, str], newest: list[int], stats: dict[str, os.stat_result]) -> bool:
    """The row of one path (a link's target, which is what is read); False if stat failed."""
    try:
        st = stats[path] = os.stat(path)
    except OSError as exc:
        rows[path] = f"{path!r}\0missing {exc.errno}"
        stats.pop(path, None)
        return False
    if not stat.S_ISDIR(st.st_mode):
        newest[0] = max(newest[0], st.st_mtime_ns, st.st_ctime_ns)
    rows[path] = f"{path!r}\0{st.st_mode}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    return True


def _key(rows: dict[str, str], *fixed: str) -> str:
    # Sorted, so a look updated path by path (content_look) has the key a fresh one would.
    return make_key(UNCHANGED, *fixed, *sorted(rows.values()))


def look(config: SiteConfig) -> Look | None:
    """What stat says of everything the import and build read now; None
    when a feed must be asked over the network."""
    if any("://" in feed for feed in config.podcast_feeds):
        return None
    taken = time.time_ns()
    rows: dict[str, str] = {}
    stats: dict[str, os.stat_result] = {}
    newest = [0]
    _rows(os.fspath(config.source_dir), False, rows, newest, stats)
    _rows(os.fspath(config.templates_dir), True, rows, newest, stats)
    _rows(os.fspath(ASSETS), True, rows, newest, stats)   # the code's own stylesheet and icons (code_salt covers its .js)
    for feed in config.podcast_feeds:
        _add(os.fspath(config.root / feed), rows, newest, stats)
    content = content_look(config)
    sources = _key(rows, repr(config), os.environ.get("SOURCE_DATE_EPOCH", ""))
    return Look(sources, content.content, newest[0], content.content_newest, taken,
                {**stats, **content.stats}, content.content_rows)


def _cache(config: SiteConfig) -> tuple[Cache, str]:
    """The cache, and the key of this output folder's record in it."""
    return Cache(config.cache_dir), make_key("last build", str(config.output_dir.resolve()))


def last_build(config: SiteConfig) -> tuple[tuple[ImportSummary, BuildResult] | None, Look | None]:
    """What the import and build would report if they would change nothing
    (else None), and the look at the inputs taken to find out, which
    ``remember`` compares with its own."""
    started = time.perf_counter()
    cache, key = _cache(config)
    now = look(config)
    record = cache.get(UNCHANGED, key)
    if now is None or not isinstance(record, _Record) or (now.sources, now.content) != (record.sources, record.content) \
            or as_left(config.output_dir, config.cache_dir) != record.output:
        return None, now
    stages = dict.fromkeys(record.result.stages, 0.0)
    return (ImportSummary(unchanged=record.transcripts),
            replace(record.result, seconds=time.perf_counter() - started, stages=stages, unchanged=True)), now


def content_look(config: SiteConfig, before: Look | None = None, written: Iterable[Path] = ()) -> Look:
    """The pages under content/ as the build is about to read them: take it
    after the import. Given the look ``before`` the import and the pages it
    ``written``, only those are looked at again (and their folders):
    anything else that changed meanwhile shows in ``remember``'s look after
    the build, which then remembers nothing."""
    taken = time.time_ns()
    top = config.content_dir
    if before is None or not before.content_rows or os.fspath(top) in before.content_rows:   # none, or unreadable
        rows: dict[str, str] = {}
        stats: dict[str, os.stat_result] = {}
        newest = [0]
        _rows(os.fspath(top), True, rows, newest, stats)
        return Look("", _key(rows), 0, newest[0], taken, stats, rows)
    rows, stats = dict(before.content_rows), dict(before.stats)
    newest = [before.content_newest]   # the pages written are newer than any before
    for path in {p for page in written for p in (page, *page.parents) if p != top and p.is_relative_to(top)}:
        _add(os.fspath(path), rows, newest, stats)
    return Look("", _key(rows), 0, newest[0], taken, stats, rows)


def remember(config: SiteConfig, report: Report, summary: ImportSummary, result: BuildResult,
             before: Look | None, imported: Look | None) -> None:
    """Keep what a build that reported nothing saw, for the next one, if
    its inputs stood still while it read them: ``before`` was taken before
    the import, ``imported`` after it."""
    cache, key = _cache(config)
    after = look(config) if report.clean and not summary.pending and before and imported else None
    # A change after a look shows in the next one, but for a file written
    # again, at the same size, within the clock tick of the look itself: for
    # the last look that is the next build's risk, so a file that recent is
    # not trusted. For the looks before, it would take such a rewrite within
    # milliseconds of the import reading the file; they are not held to it,
    # so that transcripts copied in just before a build (a daily job's) do
    # not cost the next build its shortcut.
    trusted = (after is not None and after.sources == before.sources and after.content == imported.content
               and max(after.sources_newest, after.content_newest) <= after.taken_ns - RACY_NS)
    if not trusted:
        cache.put(UNCHANGED, key, None)
        return
    # What this build just wrote is as it left it: its key is enough.
    output = built_key(config.output_dir, config.cache_dir)
    transcripts = len(summary.added) + len(summary.updated) + summary.unchanged
    audio = result.audio and AudioLine(result.audio.line(), tuple(result.audio.unmatched))
    cache.put(UNCHANGED, key, _Record(after.sources, after.content, output, transcripts, replace(result, audio=audio)))
