"""The rebuild loop shared by ``serve`` and ``watch``: wait for changes to the
site's inputs, debounce them, import and build again, and tell whoever listens
(the console, the preview server) how it went.

A failed rebuild changes nothing on disk (the build swaps in a complete
folder or nothing), so the last good site stays; the loop records the error
and keeps watching.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO
from urllib.parse import urlsplit

import watchfiles
from watchfiles._rust_notify import WatchfilesRustInternalError

from generator.build import ASSETS, build_site
from generator.config import SiteConfig
from generator.errors import ConfigError, GeneratorError, Report, TranscriptError
from generator.content import EPISODES
from generator.importer import import_site
from generator.inputs import read_file
from generator.transcript import parse_transcript
from generator.workers import collect_frozen

DEBOUNCE_MS = 1600      # longest a burst of changes is gathered before rebuilding
STEP_MS = 200           # quiet time that ends a burst
TICK_MS = 250           # how often to look at site.yaml and at transcripts waiting to settle
_WRITE_ATOMIC_TEMP = re.compile(r"^\..+\.tmp$")   # content.write_atomic's temporary files


@dataclass(frozen=True)
class BuildState:
    """How the latest rebuild went: what the server and the browser are told."""
    attempt: int                 # rebuilds tried so far
    site: int                    # successful builds so far; a page built before the latest one reloads
    ok: bool                     # False: nothing was rebuilt, the last good site stays
    errors: tuple[str, ...]      # "error: PATH:LINE: message" lines, bad single files included
                                 # (and "warning: ..." lines with --strict)
    out: Path                    # the folder to serve
    base_path: str               # the URL path the site lives under: '/' or '/repo/'


def watched_paths(config: SiteConfig) -> list[Path]:
    """The folders whose files go into the site (site.yaml is polled instead:
    editors replace a file by renaming, which a watch on the file loses)."""
    wanted = [config.source_dir, config.content_dir, config.templates_dir, ASSETS]
    # A podcast feed kept as a file: its folder, so editing the feed rebuilds
    # (not the site's own folder, which holds the output and everything else).
    feed_folders = {(config.root / f).parent.resolve() for f in config.podcast_feeds
                    if urlsplit(f).scheme not in ("http", "https")}
    wanted += sorted(feed_folders - {config.root.resolve()})
    existing = sorted({p.resolve() for p in wanted if p.is_dir()})
    # A folder inside another one is already watched with it (templates/assets).
    return [p for p in existing if not any(q in p.parents for q in existing)]


def change_filter(config: SiteConfig) -> Callable[[watchfiles.Change, str], bool]:
    """Which file events count: never the build's own output, staging folder or cache."""
    default = watchfiles.DefaultFilter()
    skip = (config.output_dir.resolve(), config.cache_dir.resolve())
    staging = re.compile(rf"^\.{re.escape(config.output_dir.name)}\.(building|old|incoming)-\d+(-\d+)?$")

    def keep(change: watchfiles.Change, path: str) -> bool:
        p = Path(path)
        return (default(change, path)
                and not any(p == s or s in p.parents for s in skip)
                and not any(staging.match(part) for part in p.parts)
                and not _WRITE_ATOMIC_TEMP.match(p.name))
    return keep


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def has_header_and_body(path: Path) -> bool:
    """Whether a transcript holds a whole Archive.fm header and some text
    after it, as a finished export does and a copy cut short may not.

    The parser decides: a problem it finds on the file's last line or past
    it is where a cut-off copy ends; one before it is a real mistake, which
    the import reports as usual. Only a regular file is read (a FIFO would
    never answer); anything else is the import's to report."""
    try:
        data = read_file(path)
    except OSError:
        return True
    try:
        parse_transcript(data, path)
    except TranscriptError as exc:
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        last = max((i for i, line in enumerate(lines, start=1) if line.strip()), default=0)
        return exc.line is not None and exc.line < last
    return True


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(text: str) -> str:
    """A file name for the rebuild lines: the bytes of a name that is not
    UTF-8 as \\xNN (printing them raw would raise UnicodeEncodeError), control
    characters as escapes, so a name cannot break or forge a line."""
    try:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:   # a lone surrogate that no file name decoded to
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


class _Tee(io.TextIOBase):
    """The build's report: echoed to the console and kept for the browser."""

    def __init__(self, console: TextIO):
        self.console = console
        self.text = io.StringIO()

    def write(self, s: str) -> int:
        self.console.write(s)
        self.text.write(s)
        return len(s)

    def flush(self) -> None:
        self.console.flush()

    def errors(self, strict: bool) -> tuple[str, ...]:
        kinds = ("error: ", "warning: ") if strict else ("error: ",)
        # Lines end at '\n' only: print writes nothing else, and splitlines() would
        # also end one at a \x1c, \x85 or \u2028 inside a message.
        return tuple(line for line in self.text.getvalue().split("\n") if line.startswith(kinds))


class Rebuilder:
    """Runs import + build on demand and remembers what the loop needs between
    rebuilds: the current config, the latest state, the pages the importer
    itself wrote, and transcripts waiting until they are completely copied."""

    def __init__(self, config: SiteConfig, load_config: Callable[[], SiteConfig], config_file: Path | None,
                 *, settle_seconds: float | None = None, strict: bool = False, verbose: bool = False,
                 out: TextIO | None = None, err: TextIO | None = None):
        self.config = config
        self._load_config = load_config
        self.config_file = config_file.resolve() if config_file else None
        self._config_signature = _signature(self.config_file) if self.config_file else None
        self._settle_seconds = settle_seconds   # None: site.yaml's watch_settle_seconds
        self._said_incomplete: set[Path] = set()
        self.strict = strict   # warnings are shown and counted with the errors
        self.verbose = verbose   # list the episodes the podcast feeds gave no audio for
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.state = BuildState(0, 0, True, (), config.output_dir, config.base_path)
        self.listeners: list[Callable[[BuildState], None]] = []
        self.waiting: dict[Path, float] = {}          # transcript -> when it will have settled (inf:
                                                      # settled, but not a whole export yet)
        self._own_writes: dict[Path, tuple | None] = {}

    def rebuild(self, reason: str, *, reload_config: bool = False) -> BuildState:
        """Import and build once; never raises for anything the user can fix."""
        log = _Tee(self.err)
        report = Report(stream=log)
        line = ""
        try:
            if reload_config:
                self.config = self._load_config()
            config = self.config
            summary = import_site(config, report, settle_seconds=self.settle_seconds)
            self._remember_own_writes(config, summary.added + summary.updated)
            unfinished = [p for p in self.waiting if self._is_unfinished_transcript(p)]
            self.waiting = {p: self._settles_at(p) for p in [*summary.pending, *unfinished]}
            line = summary.line()
            result = build_site(config, report)
            line += "; " + result.line()
            if result.audio:
                line += "; " + result.audio.line()
                if self.verbose:
                    print("".join(f"  no audio: {u}\n" for u in result.audio.unmatched), end="", file=self.out)
            ok = True
        except ConfigError as exc:
            for problem in exc.problems:
                print(f"error: {exc.path}: {problem}", file=log)
            ok = False
        except GeneratorError as exc:
            report.error(exc)
            ok = False
        except Exception as exc:  # noqa: BLE001 - a bug must not end a preview session
            traceback.print_exc(file=self.err)
            print(f"error: unexpected {type(exc).__name__}: {exc} (traceback in the terminal)", file=log)
            ok = False
        errors = log.errors(self.strict)
        previous = self.state
        self.state = BuildState(previous.attempt + 1, previous.site + (1 if ok else 0), ok, errors,
                                self.config.output_dir, self.config.base_path)
        if ok:
            outcome = line + (f" ({len(errors)} error(s) above)" if errors else "")
        else:
            outcome = (line + "; " if line else "") + "failed (see above); the last good site is kept"
        print(f"{dt.datetime.now():%H:%M:%S} {reason}: {outcome}", file=self.out, flush=True)
        for listener in self.listeners:
            listener(self.state)
        collect_frozen()   # the build's objects, while the pages reload
        return self.state

    def _remember_own_writes(self, config: SiteConfig, pages: list[Path]) -> None:
        # The importer's page writes come back as file events; these let the
        # loop tell them from a person's edits and not rebuild for them.
        paths = [*pages, config.content_dir / EPISODES]
        self._own_writes = {p.resolve(): _signature(p) for p in paths}

    def _is_own_write(self, path: Path) -> bool:
        return path in self._own_writes and _signature(path) == self._own_writes[path]

    @property
    def settle_seconds(self) -> float:
        return self.config.watch_settle_seconds if self._settle_seconds is None else self._settle_seconds

    def _is_unfinished_transcript(self, path: Path) -> bool:
        """A transcript changed within the settle time, or one without a whole
        header and body yet: a copy that may still be in progress."""
        if path.parent != self.config.source_dir.resolve() or path.suffix != ".txt":
            return False
        sig = _signature(path)
        if sig is None:
            return False
        return time.time() - sig[0] / 1e9 < self.settle_seconds or not has_header_and_body(path)

    def what_changed(self, changes: set[tuple[watchfiles.Change, str]]) -> tuple[list[Path], bool]:
        """The changed inputs worth a rebuild, and whether site.yaml is among them.

        Transcripts still being written are put on the waiting list instead."""
        paths = {Path(p) for _, p in changes}
        paths = {p for p in paths if not self._is_own_write(p)}
        for path in sorted(p for p in paths if self._is_unfinished_transcript(p)):
            if path not in self.waiting:
                print(f"{dt.datetime.now():%H:%M:%S} waiting for {self._show(path)} to be completely written",
                      file=self.out, flush=True)
            self.waiting[path] = self._settles_at(path)
            self._said_incomplete.discard(path)
            paths.discard(path)
        config_changed = False
        if self.config_file:
            signature = _signature(self.config_file)
            if signature != self._config_signature:
                self._config_signature = signature
                config_changed = True
                paths.add(self.config_file)
        return sorted(paths), config_changed

    def _settles_at(self, path: Path) -> float:
        sig = _signature(path)
        return (sig[0] / 1e9 if sig else time.time()) + self.settle_seconds

    def settled(self) -> list[Path]:
        """Waiting transcripts now complete: unchanged for the settle time
        (looked at again, not trusted from the last event) and holding a whole
        header and body. The others wait on, for their next change."""
        now = time.time()
        done = []
        for path, due in sorted(self.waiting.items()):
            if due > now:
                continue
            if self._settles_at(path) > now:   # written again meanwhile
                self.waiting[path] = self._settles_at(path)
            elif not path.exists() or has_header_and_body(path):
                done.append(path)
            else:
                self.waiting[path] = math.inf
                if path not in self._said_incomplete:
                    self._said_incomplete.add(path)
                    print(f"{dt.datetime.now():%H:%M:%S} waiting for {self._show(path)}: no whole Archive.fm "
                          f"header and transcript text yet", file=self.out, flush=True)
        return done

    def _show(self, path: Path) -> str:
        try:
            return _printable(path.relative_to(self.config.root).as_posix())
        except ValueError:
            return _printable(str(path))

    def describe(self, paths: list[Path], verb: str = "changed") -> str:
        names = [self._show(p) for p in paths[:3]]
        more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
        return f"{', '.join(names)}{more} {verb}"


def run(rebuilder: Rebuilder, *, stop_event=None, debounce_ms: int = DEBOUNCE_MS, step_ms: int = STEP_MS,
        tick_ms: int = TICK_MS, started: Callable[[], None] | None = None) -> None:
    """Build, then rebuild on every change until ``stop_event`` is set (or Ctrl-C).

    Each build from scratch runs once the watcher is in place, so a file that
    lands meanwhile is not missed: the first one, and the one after the set
    of watched folders changed (site.yaml moved one, or one was created)."""
    # The importer creates it anyway; watching it needs it to exist now.
    rebuilder.config.content_dir.mkdir(parents=True, exist_ok=True)
    fresh_start = "start"
    while True:
        paths = watched_paths(rebuilder.config)
        try:
            for changes in watchfiles.watch(*paths, watch_filter=change_filter(rebuilder.config),
                                            debounce=debounce_ms, step=step_ms, rust_timeout=tick_ms,
                                            yield_on_timeout=True, stop_event=stop_event):
                if fresh_start:
                    rebuilder.rebuild(fresh_start)
                    if started and fresh_start == "start":
                        started()
                    fresh_start = ""
                    continue
                changed, config_changed = rebuilder.what_changed(changes)
                settled = rebuilder.settled()
                if changed:
                    rebuilder.rebuild(rebuilder.describe(changed), reload_config=config_changed)
                elif settled:
                    rebuilder.rebuild(rebuilder.describe(settled, "complete"))
                if watched_paths(rebuilder.config) != paths:
                    fresh_start = "watched folders changed"
                    break
            else:
                return      # stop_event was set
        except WatchfilesRustInternalError as exc:
            # watchfiles gives up on a batch of events holding a file name
            # that is not UTF-8 ("Unable to decode path"), and its watcher
            # with it. Which files changed is lost, so a new watcher and a
            # build from scratch (which reads every folder) stand in for them.
            print(f"{dt.datetime.now():%H:%M:%S} watching again: {_printable(str(exc))}",
                  file=rebuilder.out, flush=True)
            fresh_start = "a file whose name is not UTF-8 changed"


def watch(rebuilder: Rebuilder, *, out: TextIO | None = None, **loop_options) -> None:
    """The ``watch`` command: rebuild on changes until Ctrl-C (or ``stop_event``)."""
    out = out or rebuilder.out

    def started() -> None:
        print("watching for changes (Ctrl-C to stop)", file=out, flush=True)

    try:
        run(rebuilder, started=started, **loop_options)
    except KeyboardInterrupt:
        pass
    print("stopped", file=out, flush=True)
