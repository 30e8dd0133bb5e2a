"""The no-op: when nothing an import and build read has changed since the
last one, and the output is as that build left it, neither runs.

"Nothing changed" is judged the way git judges a clean work tree: by what
stat says of every input file (size, modification time, inode, mode), not by
reading them, which is a few tens of milliseconds for 20,000 files; the
config's values and the generator's code are part of the same key. A file
modified shortly before the last build took its look could have been
modified again within the same clock tick and keep its mtime, so such a
look is not trusted (git's "racily clean" entries). Only a build that
reported nothing is remembered: a warning or an error is reported again on
every build, as it must be for --strict. A podcast feed given as a URL
makes every build ask the show's host (a conditional GET), so then there is
no shortcut.
"""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, replace
from pathlib import Path

from generator.cache import Cache, make_key
from generator.config import SiteConfig
from generator.errors import Report
from generator.output import as_left, built_key
from generator.summaries import AudioLine, BuildResult, ImportSummary

ASSETS = Path(__file__).parent / "assets"   # build.ASSETS, without importing the build

KIND = "unchanged"
RACY_NS = 1_000_000_000   # far more than any file system's mtime tick


@dataclass(frozen=True)
class _Record:
    inputs: str       # input_state() after the build
    newest_ns: int    # the newest input's mtime then
    taken_ns: int     # when that look was taken
    output: str       # output_state() after the build
    transcripts: int
    result: BuildResult


def _rows(folder: str, deep: bool, rows: list[str], newest: list[int]) -> None:
    """A line per entry of ``folder`` (and of its folders' when ``deep``).
    Strings and scandir rather than Paths: this is the whole cost of a no-op."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        rows.append(f"{folder!r}\0unreadable {exc.errno}")
        return
    for entry in entries:
        try:
            st = entry.stat()   # a link's target, which is what is read
        except OSError as exc:
            rows.append(f"{entry.path!r}\0missing {exc.errno}")
            continue
        _add(entry.path, st, rows, newest)
        if deep and stat.S_ISDIR(st.st_mode) and not entry.is_symlink():
            _rows(entry.path, True, rows, newest)


def _row(path: str, rows: list[str], newest: list[int]) -> None:
    try:
        _add(path, os.stat(path), rows, newest)
    except OSError as exc:
        rows.append(f"{path!r}\0missing {exc.errno}")


def _add(path: str, st: os.stat_result, rows: list[str], newest: list[int]) -> None:
    if not stat.S_ISDIR(st.st_mode):
        newest[0] = max(newest[0], st.st_mtime_ns, st.st_ctime_ns)
    rows.append(f"{path!r}\0{st.st_mode}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}")


def input_state(config: SiteConfig) -> tuple[str, int] | None:
    """A key for everything the import and build read, and the newest
    input's change time; None when a feed must be asked over the network."""
    if any("://" in feed for feed in config.podcast_feeds):
        return None
    rows: list[str] = [repr(config), os.environ.get("SOURCE_DATE_EPOCH", "")]
    newest = [0]
    _rows(os.fspath(config.source_dir), False, rows, newest)
    _rows(os.fspath(config.content_dir), True, rows, newest)
    _rows(os.fspath(config.templates_dir), True, rows, newest)
    _rows(os.fspath(ASSETS), True, rows, newest)   # the code's own stylesheet and icons (code_salt covers its .js)
    for feed in config.podcast_feeds:
        _row(os.fspath(config.root / feed), rows, newest)
    return make_key(KIND, *rows), newest[0]


def _cache(config: SiteConfig) -> tuple[Cache, str]:
    """The cache, and the key of this output folder's record in it."""
    return Cache(config.cache_dir), make_key("last build", str(config.output_dir.resolve()))


def last_build(config: SiteConfig) -> tuple[ImportSummary, BuildResult] | None:
    """What the import and build would report, if they would change nothing."""
    started = time.perf_counter()
    cache, key = _cache(config)
    record = cache.get(KIND, key)
    if not isinstance(record, _Record) or record.newest_ns > record.taken_ns - RACY_NS:
        return None
    state = input_state(config)
    if state is None or state[0] != record.inputs or as_left(config.output_dir, config.cache_dir) != record.output:
        return None
    stages = dict.fromkeys(record.result.stages, 0.0)
    return (ImportSummary(unchanged=record.transcripts),
            replace(record.result, seconds=time.perf_counter() - started, stages=stages, unchanged=True))


def remember(config: SiteConfig, report: Report, summary: ImportSummary, result: BuildResult) -> None:
    """Keep what a build that reported nothing saw, for the next one."""
    cache, key = _cache(config)
    taken = time.time_ns()
    state = input_state(config) if report.clean and not summary.pending else None
    # What this build just wrote is as it left it: its key is enough.
    output = built_key(config.output_dir, config.cache_dir) if state else None
    if state is None or output is None:
        cache.put(KIND, key, None)
        return
    transcripts = len(summary.added) + len(summary.updated) + summary.unchanged
    audio = result.audio and AudioLine(result.audio.line(), tuple(result.audio.unmatched))
    cache.put(KIND, key, _Record(state[0], state[1], taken, output, transcripts, replace(result, audio=audio)))
