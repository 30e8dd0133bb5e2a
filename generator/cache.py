"""The build cache: results of slow per-episode work, keyed by content hash.

A key is the SHA-256 of everything the result depends on, salted with the
generator's own source code, so editing a transcript, a page, a template or
the generator itself simply misses the old entries; nothing is ever
"invalidated" by hand. An entry is written to a temporary file and renamed,
so a build killed mid-write leaves either the whole entry or none. An entry
that cannot be read (truncated, garbage, another Python) is a miss: the work
is redone and the entry rewritten.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import itertools
import os
import pickle
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from generator.inputs import read_file

GENERATOR = Path(__file__).resolve().parent
VERSION = "1"


# The libraries whose output is part of ours: module -> distribution name.
LIBRARIES = {"jinja2": "jinja2", "lunr": "lunr", "markdown_it": "markdown_it_py", "yaml": "pyyaml"}


def _library_versions() -> dict[str, str]:
    """Each library's version, from the record of its distribution installed
    beside the copy Python would import (found without importing it: a build
    that renders nothing never loads Jinja), else as the library reports it."""
    versions = {}
    for module, distribution in LIBRARIES.items():
        spec = importlib.util.find_spec(module)
        found = []
        if spec is not None and spec.origin:
            where = Path(spec.origin).parent
            folder = where.parent if spec.submodule_search_locations else where
            found = list(importlib.metadata.distributions(name=distribution, path=[str(folder)]))
        if len(found) == 1:
            versions[module] = found[0].version
        else:   # not installed from a wheel, or more than one record of it: ask the library itself
            library = importlib.import_module(module)
            versions[module] = getattr(library, "__version__", None) or getattr(library, "__VERSION__", "?")
    return versions


@cache
def code_salt() -> str:
    """A hash of the generator's code and built-in assets, and the versions
    of the libraries that shape its output: an upgrade never reuses results
    an older version computed."""
    digest = hashlib.sha256(VERSION.encode())
    for module, version in _library_versions().items():
        digest.update(f"{module} {version}\0".encode())
    for path in sorted(GENERATOR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".js") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(GENERATOR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def _salted():
    return hashlib.sha256(code_salt().encode())


def make_key(*parts: str | bytes) -> str:
    """The key for a result computed from ``parts`` by this version of the code."""
    digest = _salted().copy()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


_tmp_names = itertools.count()
_made_dirs: set[Path] = set()


def write_replacing(path: Path, dump) -> None:
    """Write ``path`` through a temporary file renamed into place. The name
    is this process's own (pid and a counter), cheaper than ``mkstemp``'s
    random probing; a leftover of a dead process with our pid is fair game."""
    tmp = path.parent / f".{path.name}.{os.getpid()}-{next(_tmp_names)}.tmp"
    if path.parent not in _made_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        _made_dirs.add(path.parent)
    try:
        try:
            f = open(tmp, "wb")
        except FileNotFoundError:   # the folder went away since (cache deleted): make it again
            _made_dirs.discard(path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            f = open(tmp, "wb")
        with f:
            dump(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# Every kind of entry and every pack the build keeps: the one list of what
# the cache holds. ``Cache`` refuses any other name.
PAGE = "page"                                # entries: a page's Loaded, then its search tokens (load);
                                             # pack: the Loaded of every page the last build read (load)
SEARCH_INDEX = "index"                       # entries: the search index's update state, per output folder (build)
UNCHANGED = "unchanged"                      # entries: what the last build saw, per config (unchanged)
PAGE_DIGESTS = "page-digests"                # pack: each content page's sha256, by its stat (load, importer)
TRANSCRIPT_DIGESTS = "transcript-digests"    # pack: each transcript's sha256, by its stat (importer)
FACTS = "facts"                              # pack: what each existing page says about its transcript (importer)
EPISODE_KEYS = "episode-keys"                # pack: each episode page's inputs key -> its page key (build)
LISTING_KEYS = "listing-keys"                # pack: each listing's inputs key -> its pages' names and keys (build)
RELATED = "related"                          # pack: the last related-episodes table, and its inputs (related)
AUDIO = "audio"                              # entry: the last match of episodes to feed items, and its key (audio)
ENTRY_KINDS = frozenset({PAGE, SEARCH_INDEX, UNCHANGED, AUDIO})
PACK_KINDS = frozenset({PAGE, PAGE_DIGESTS, TRANSCRIPT_DIGESTS, FACTS, EPISODE_KEYS, LISTING_KEYS, RELATED})


# A pack of at least DELTA_FROM entries that changed in at most 1/DELTA_SHARE
# of them is written as a delta (``Cache.put_pack``).
DELTA_FROM = 256
DELTA_SHARE = 16
DELTA = ".delta"
_MISSING = object()


def _same(old, new) -> bool:
    return old is new or (old is not _MISSING and old == new)


def _known(kind: str, kinds: frozenset) -> str:
    if kind not in kinds:
        raise ValueError(f"{kind!r} is not a cache {'pack' if kinds is PACK_KINDS else 'kind'} (see cache.py)")
    return kind


class Cache:
    """Pickled values in ``folder/KIND/KEY``. Safe to share between processes:
    writers never overwrite a file in place and readers tolerate anything.

    An entry may hold several parts, read back one at a time: a reader that
    wants only the first part never unpickles the rest. A "pack" is one file
    holding many small entries of a kind, read in one go."""

    def __init__(self, folder: Path | None):
        self.folder = folder   # None: a cache that never holds anything
        self.used: dict[str, set[str]] = {}
        self._bases: dict[str, tuple[str, dict]] = {}   # each pack's file as read: its id and entries

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / _known(kind, ENTRY_KINDS) / key[:2] / key

    def get(self, kind: str, key: str, part: int = 0):
        """Part ``part`` of the stored value, or None."""
        self.used.setdefault(_known(kind, ENTRY_KINDS), set()).add(key)
        if self.folder is None:
            return None
        try:
            with open(self._path(kind, key), "rb") as f:
                stored_key, value, sizes = pickle.load(f)
                if stored_key != key:
                    return None
                if part:   # skip the parts before it unread
                    f.seek(sum(sizes[:part - 1]), os.SEEK_CUR)
                    value = pickle.loads(f.read(sizes[part - 1]))
        except Exception:  # noqa: BLE001 - a missing or damaged entry is only a miss
            return None
        return value

    def put(self, kind: str, key: str, value, *more) -> None:
        """Store a value (and further parts); a cache that cannot be written
        only costs speed."""
        self.used.setdefault(_known(kind, ENTRY_KINDS), set()).add(key)
        if self.folder is None:
            return

        parts = [pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL) for part in more]

        def dump(f) -> None:
            pickle.dump((key, value, [len(p) for p in parts]), f, protocol=pickle.HIGHEST_PROTOCOL)
            for part in parts:
                f.write(part)
        try:
            write_replacing(self._path(kind, key), dump)
        except OSError:
            pass

    def _pack_path(self, kind: str, suffix: str = "") -> Path:
        assert self.folder is not None
        return self.folder / "packs" / (kind + suffix)

    def get_pack(self, kind: str) -> dict:
        """The pack of ``kind``: a dict, empty if missing or damaged."""
        _known(kind, PACK_KINDS)
        if self.folder is None:
            return {}
        try:
            with open(self._pack_path(kind), "rb") as f:
                salt, base_id, entries = pickle.load(f)
            if salt != code_salt() or not isinstance(entries, dict):
                return {}
        except Exception:  # noqa: BLE001 - only a miss
            return {}
        self._bases[kind] = (base_id, dict(entries))
        try:
            with open(self._pack_path(kind, DELTA), "rb") as f:
                salt, delta_base, changed, removed = pickle.load(f)
            if salt == code_salt() and delta_base == base_id:
                merged = {**entries, **changed}   # applied to a copy: a delta that fails half-way is not applied
                for key in removed:
                    merged.pop(key, None)
                entries = merged
        except FileNotFoundError:
            pass
        except Exception:  # noqa: BLE001 - a damaged delta: the pack as it was before it
            pass
        return entries

    def put_pack(self, kind: str, entries: dict) -> None:
        """Replace the pack of ``kind``; it holds exactly ``entries``, so it
        never grows beyond what the last build used. A large pack read by
        this Cache that differs from what was read by a few entries gets
        only a delta file beside it: a new episode rewrites a few entries,
        not the 10,000 of every pack."""
        _known(kind, PACK_KINDS)
        if self.folder is None:
            return
        base_id, base = self._bases.get(kind, ("", {}))
        try:
            if len(base) >= DELTA_FROM:
                changed = {k: v for k, v in entries.items() if not _same(base.get(k, _MISSING), v)}
                removed = [k for k in base if k not in entries] if len(base) + len(changed) != len(entries) else []
                if len(changed) + len(removed) <= len(base) // DELTA_SHARE:
                    write_replacing(self._pack_path(kind, DELTA), lambda f: pickle.dump(
                        (code_salt(), base_id, changed, removed), f, protocol=pickle.HIGHEST_PROTOCOL))
                    return
            base_id = os.urandom(8).hex()
            write_replacing(self._pack_path(kind), lambda f: pickle.dump(
                (code_salt(), base_id, entries), f, protocol=pickle.HIGHEST_PROTOCOL))
            self._bases[kind] = (base_id, dict(entries))
            self._pack_path(kind, DELTA).unlink(missing_ok=True)
        except OSError:
            pass

    def prune(self, kind: str) -> None:
        """Delete the entries of ``kind`` this run did not use, so the cache
        stays the size of the archive rather than growing with every edit."""
        _known(kind, ENTRY_KINDS)
        if self.folder is None:
            return
        used = self.used.get(kind, set())
        root = self.folder / kind
        if not root.is_dir():
            return
        for shard in root.iterdir():
            try:
                for entry in shard.iterdir():
                    if entry.name not in used:
                        entry.unlink(missing_ok=True)
            except OSError:
                continue


SETTLED_NS = 2_000_000_000   # unchanged this long (2 s), a file is remembered by its stat


class Digests:
    """SHA-256 of files' bytes, remembered by their stat (inode, size,
    modification and change times) in a pack of ``kind``, so that a rebuild
    reads only the files that changed, as git does.

    Only a file unchanged for SETTLED_NS is remembered, and its stat is taken
    before it is read: whatever changes it afterwards also changes its change
    time, which nothing but the kernel sets, so a stale digest is never used.
    """

    def __init__(self, cache: Cache, kind: str, stats: Mapping[str, os.stat_result] | None = None):
        """``stats``: what stat said of the files a moment ago (unchanged.Look),
        used rather than asking again; a file it lacks is looked at now."""
        self._cache, self._kind = cache, kind
        self._known: dict[str, tuple] = cache.get_pack(kind)
        self._seen: dict[str, tuple] = {}
        self._stats = stats or {}

    def read(self, path: Path) -> tuple[bytes, str]:
        """The file's bytes and their digest. Raises OSError as reading does
        (inputs.Unreadable for a file that is not regular or too large)."""
        signature = _signature(path)
        data = read_file(path)
        return data, self._remember(path, signature, hashlib.sha256(data).hexdigest())

    def known(self, path: Path) -> str | None:
        """The file's digest if its stat is as when it was taken, else None."""
        name = str(path)
        known = self._known.get(name)
        if known is None:
            return None
        st = self._stats.get(name)
        if _signature_of(os.stat(path) if st is None else st) == known[0]:
            self._seen[name] = known
            return known[1]
        return None

    def known_or_read(self, path: Path) -> tuple[str, bytes | None]:
        """The file's digest, and its bytes only if reading them was needed
        to work it out (None when its stat is as remembered)."""
        digest = self.known(path)
        if digest is not None:
            return digest, None
        data, digest = self.read(path)
        return digest, data

    def _remember(self, path: Path, signature: tuple, digest: str) -> str:
        if time.time_ns() - signature[3] > SETTLED_NS:
            self._seen[str(path)] = (signature, digest)
        return digest

    def save(self) -> None:
        """Keep the files seen this run (a deleted file drops out)."""
        if self._seen != self._known:
            self._cache.put_pack(self._kind, self._seen)


def _signature(path: Path) -> tuple[int, int, int, int]:
    return _signature_of(os.stat(path))


def _signature_of(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns
