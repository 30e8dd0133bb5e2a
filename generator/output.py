"""Writing the output folder: everything goes into a staging folder beside
it, which replaces the old site only once complete, so a build that fails or
is killed never leaves a half-written site."""
from __future__ import annotations

import ctypes
import enum
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from generator.errors import BuildError
from generator.workers import Background, process_alive

MARKER = ".podcast-archive-build"
_MARKER_TEXT = "Made by podcast-archive. This whole folder is replaced on every build.\n"
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _link_tree(job: tuple[str, str]) -> None:
    """Hard-link every file of one folder into a new one; runs in another
    process so that it overlaps the work of deciding what changed."""
    source, target = job
    for folder, _, files in os.walk(source):
        into = target + folder[len(source):]
        os.makedirs(into, exist_ok=True)
        for name in files:
            os.link(f"{folder}/{name}", f"{into}/{name}")


_cleaners: list[subprocess.Popen] = []


def _remove_later(folder: Path) -> None:
    """Delete a folder without waiting: the old site, thousands of files,
    is out of the way already and nobody needs to wait for its removal."""
    _cleaners[:] = [p for p in _cleaners if p.poll() is None]
    try:
        _cleaners.append(subprocess.Popen(["rm", "-rf", "--", str(folder)], stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def output_name(output_dir: Path) -> str:
    """A name for the output folder, under which the cache keeps what it
    remembers of the last build there (its manifest, its search index). Not
    salted with the code: each build replaces the entry, so there is only ever one."""
    return hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:16]


def manifest_path(cache_dir: Path, output_dir: Path) -> Path:
    """Where the cache remembers what the build wrote into ``output_dir``."""
    return cache_dir / "output" / f"{output_name(output_dir)}.json"


def built_key(output_dir: Path, cache_dir: Path) -> str:
    """The key of the site the last build wrote into ``output_dir`` (its
    manifest's record), without looking at the files."""
    return _read_manifest(manifest_path(cache_dir, output_dir))[0]


def as_left(output_dir: Path, cache_dir: Path) -> str | None:
    """The key of the site the last build wrote into ``output_dir``, if every
    file there is still as that build left it; else None."""
    out = Output(output_dir, manifest_path(cache_dir, output_dir))
    return out.old_site if out.old_site and out.intact(out.old_site) else None


def check_output_dir(out: Path, protected: list[Path]) -> None:
    """Refuse a folder this tool did not make, or one holding the user's own files."""
    out = out.resolve()
    for path in protected:
        path = path.resolve()
        if out == path or out in path.parents:
            raise BuildError(f"output folder would replace {path}; choose another --out", out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise BuildError("output folder exists and was not made by this tool; refusing to replace it "
                         "(choose another --out, or empty it yourself)", out)


class Phase(enum.Enum):
    """Where the staging folder is. A build goes WAITING, then COPYING if
    there is an old site to copy, then FRESH or COPIED at its first write
    (or never, if nothing changed)."""
    WAITING = "nothing staged: files kept so far are only listed"
    COPYING = "the old site is being hard-linked into staging, in another process"
    FRESH = "staging holds only what this build put there"
    COPIED = "staging started as a copy of the old site: kept files are there already"


class Output:
    """The site being written. Files are named by site-relative POSIX paths.

    A file whose key (its content hash, or for a page the hash of everything
    that goes into it) matches what the previous build wrote is hard-linked
    from the current site instead of written again. ``manifest`` records each
    file's key with the inode, size and mtime it was written with, so a file
    changed or replaced since is never mistaken for the one the key describes.
    If every file matches and none went away, the site is left exactly as it
    is; otherwise nothing is created until the first file that differs.
    ``phase`` (a Phase) is the whole of where staging stands.
    """

    def __init__(self, final: Path, manifest: Path | None = None):
        self.final = final.resolve()
        self.staging = self.final.parent / f".{self.final.name}.building-{os.getpid()}"
        self.manifest = manifest
        self.old_site, self.old = _read_manifest(manifest) if manifest else ("", {})
        self.new: dict[str, list] = {}
        self.phase = Phase.WAITING
        self.write_seconds = 0.0
        self._pending: list[str] = []   # kept while WAITING or COPYING, linked at FRESH
        self._dirs: set[Path] = set()
        self._placed: set[str] = set()   # names this build put in staging
        self._copier: Background | None = None   # while COPYING
        # Beside the site, on its disk: files another process writes for ``place`` to move in.
        self.incoming = self.final.parent / f".{self.final.name}.incoming-{os.getpid()}"

    @property
    def files(self) -> int:
        return len(self.new)

    @property
    def staged(self) -> bool:
        """Whether staging exists and is being written."""
        return self.phase in (Phase.FRESH, Phase.COPIED)

    def _remove_abandoned(self) -> None:
        """Staging folders of builds that were killed (their process is gone),
        and old sites a killed build had no time to delete."""
        for kind in ("building", "old", "incoming"):
            for folder in self.final.parent.glob(f".{self.final.name}.{kind}-*"):
                pid = folder.name.split(f".{kind}-", 1)[1].split("-")[0]
                if pid.isdigit() and (int(pid) == os.getpid() or not process_alive(int(pid))):
                    shutil.rmtree(folder, ignore_errors=True)

    def _old(self) -> Path:
        """A name, unused so far, for a folder on its way out."""
        for n in itertools.count():
            old = self.final.parent / f".{self.final.name}.old-{os.getpid()}-{n}"
            if not os.path.lexists(old):
                return old

    def __enter__(self) -> "Output":
        self._remove_abandoned()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._copier is not None:
            self._copier.__exit__(None, None, None)   # stop it before removing what it makes
        shutil.rmtree(self.incoming, ignore_errors=True)
        if self.staging.exists():
            if exc_type is None:
                old = self._old()
                try:
                    os.rename(self.staging, old)
                    _remove_later(old)
                    return
                except OSError:
                    pass
            shutil.rmtree(self.staging, ignore_errors=True)

    def start_staging(self) -> None:
        """Begin copying the old site into staging in the background: a
        rebuild usually keeps most files, and linking thousands of them
        then costs nothing on the way."""
        if self.phase is not Phase.WAITING or not (self.final / MARKER).is_file() or self.staging.exists():
            return
        self._copier = Background(_link_tree, (str(self.final), str(self.staging)))
        self.phase = Phase.COPYING

    @staticmethod
    def _name(name: str) -> str:
        """The name, checked without touching the disk: relative, no '..'."""
        parts = name.split("/")
        if not name or name.startswith("/") or "\0" in name or any(p in ("", ".", "..") for p in parts):
            raise BuildError(f"refusing to write outside the output folder: {name!r}")
        return name

    def _stage(self) -> None:
        """Make sure staging exists: FRESH or COPIED from here on."""
        if self.staged:
            return
        copied = False
        if self.phase is Phase.COPYING:
            try:
                self._copier.result()
                copied = True
            except (OSError, RuntimeError):   # a file went away mid-copy, or the copier died: start over
                shutil.rmtree(self.staging, ignore_errors=True)
            self._copier.__exit__(None, None, None)
            self._copier = None
        if copied:
            self.phase = Phase.COPIED   # the copy holds every file kept so far
        else:
            self.phase = Phase.FRESH
            self.staging.mkdir(parents=True)
            for name in self._pending:
                self._link(name)
        self._pending = []

    def _parent(self, target: Path) -> None:
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)

    def _fresh(self, name: str) -> Path:
        """The staging path for ``name``, with nothing there: a file already
        placed there may be a hard link into the live site, and writing
        through it would change the site being replaced."""
        target = self.staging / name
        if name in self._placed or self.phase is Phase.COPIED:   # a copied old site may have it too
            target.unlink(missing_ok=True)
        if name not in self._placed:
            self._parent(target)
            self._placed.add(name)
        return target

    def _link(self, name: str) -> None:
        target = self._fresh(name)
        try:
            os.link(self.final / name, target)
        except OSError:
            shutil.copy2(self.final / name, target)

    def _unchanged(self, name: str, key: str) -> bool:
        entry = self.old.get(name)
        if entry is None or entry[0] != key:
            return False
        try:
            st = os.lstat(f"{self.final}/{name}")   # a str, not a Path: this runs for every file
        except OSError:
            return False
        return [st.st_ino, st.st_size, st.st_mtime_ns] == entry[1:]

    def reuse(self, name: str, key: str) -> bool:
        """Keep the previous build's file if it was made from the same key."""
        name = self._name(name)
        if not self._unchanged(name, key):
            return False
        if self.staged:
            # In a copy, the old file is there already, unless this build wrote over it.
            if self.phase is Phase.FRESH or name in self._placed:
                self._link(name)
        elif name not in self.new:
            self._pending.append(name)
        self.new[name] = self.old[name]
        return True

    def write(self, name: str, data: str | bytes, key: str | None = None) -> None:
        """Write a file; ``key`` defaults to the hash of its content."""
        started = time.perf_counter()
        if isinstance(data, str):
            data = data.encode("utf-8")
        key = key or hashlib.sha256(data).hexdigest()
        if self.reuse(name, key):
            return
        name = self._name(name)
        self._stage()
        target = self._fresh(name)
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise BuildError(f"cannot write {name}: {exc.strerror or exc}", self.final) from None
        self.written(name, key)
        self.write_seconds += time.perf_counter() - started

    def place(self, name: str, source: Path, key: str) -> None:
        """Move in as ``name`` a file another process wrote in ``incoming``,
        unless the last build's file of that key can be kept."""
        if self.reuse(name, key):
            return
        started = time.perf_counter()
        target = self.path_for(name)
        try:
            os.replace(source, target)
        except OSError as exc:
            raise BuildError(f"cannot write {name}: {exc.strerror or exc}", self.final) from None
        self.written(name, key)
        self.write_seconds += time.perf_counter() - started

    def path_for(self, name: str) -> Path:
        """Where another process may write ``name``; ``written`` records it after."""
        name = self._name(name)
        self._stage()
        return self._fresh(name)

    def written(self, name: str, key: str) -> None:
        target = self.staging / self._name(name)
        try:
            st = os.lstat(target)
        except OSError as exc:
            raise BuildError(f"cannot write {name}: {exc.strerror or exc}", self.final) from None
        self.new[name] = [key, st.st_ino, st.st_size, st.st_mtime_ns]

    def copy(self, source: Path, name: str) -> None:
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise BuildError(f"cannot copy {source}: {exc.strerror or exc}", self.final) from None
        self.write(name, data)

    def intact(self, site_key: str) -> bool:
        """Whether the last build here built the site ``site_key`` names
        (a hash of all its inputs) and every file is still as it left it."""
        if not site_key or site_key != self.old_site or not (self.final / MARKER).exists():
            return False
        if all(self._unchanged(name, entry[0]) for name, entry in self.old.items()):
            self.new = dict(self.old)
            return True
        return False

    def _drop_unused(self) -> None:
        """Remove what the copy of the old site brought along but this build
        did not make: pages that went away, and anything else found there."""
        root = str(self.staging)
        for folder, dirs, files in os.walk(root, topdown=False):
            rel = folder[len(root) + 1:]
            for name in files:
                if (f"{rel}/{name}" if rel else name) not in self.new:
                    os.unlink(f"{folder}/{name}")
            if rel and not os.listdir(folder):
                os.rmdir(folder)

    def commit(self, site_key: str = "") -> bool:
        """Put the finished site in place of the old one; False if the old
        one was already exactly this site and was left alone."""
        if not self.staged and self.new.keys() == self.old.keys() and (self.final / MARKER).exists():
            if self.manifest and site_key != self.old_site:
                _write_manifest(self.manifest, site_key, self.new)
            return False
        self._stage()
        if self.phase is Phase.COPIED:
            self._drop_unused()
        (self.staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        if self.final.exists():
            if not _exchange(self.staging, self.final):
                old = self._old()
                os.rename(self.final, old)
                os.rename(self.staging, self.final)
                _remove_later(old)
            # else staging now holds the old site; __exit__ removes it.
        else:
            os.rename(self.staging, self.final)
        if self.manifest:
            _write_manifest(self.manifest, site_key, self.new)
        return True


def _read_manifest(path: Path) -> tuple[str, dict[str, list]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return "", {}
    site = data.get("site") if isinstance(data.get("site"), str) else ""
    return site, {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 4}


def _write_manifest(path: Path, site_key: str, files: dict[str, list]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"site": site_key, "files": files}, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # without it, the next build writes every file again: slower, still right
