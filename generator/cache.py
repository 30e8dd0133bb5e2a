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
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent
VERSION = "1"


@cache
def code_salt() -> str:
    """A hash of the generator's code and built-in assets, and the versions
    of the libraries that shape its output: an upgrade never reuses results
    an older version computed."""
    import jinja2, lunr, markdown_it, yaml   # noqa: E401 - their output is part of ours too
    digest = hashlib.sha256(VERSION.encode())
    for library in (jinja2, lunr, markdown_it, yaml):
        version = getattr(library, "__version__", None) or getattr(library, "__VERSION__", "?")
        digest.update(f"{library.__name__} {version}\0".encode())
    for path in sorted(GENERATOR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".js") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(GENERATOR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def make_key(*parts: str | bytes) -> str:
    """The key for a result computed from ``parts`` by this version of the code."""
    digest = hashlib.sha256(code_salt().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """Pickled values in ``folder/KIND/KEY``. Safe to share between processes:
    writers never overwrite a file in place and readers tolerate anything."""

    def __init__(self, folder: Path | None):
        self.folder = folder   # None: a cache that never holds anything
        self.used: dict[str, set[str]] = {}

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str):
        """The stored value, or None."""
        self.used.setdefault(kind, set()).add(key)
        if self.folder is None:
            return None
        try:
            with open(self._path(kind, key), "rb") as f:
                stored_key, value = pickle.load(f)
        except Exception:  # noqa: BLE001 - a missing or damaged entry is only a miss
            return None
        return value if stored_key == key else None

    def put(self, kind: str, key: str, value) -> None:
        """Store a value; a cache that cannot be written only costs speed."""
        self.used.setdefault(kind, set()).add(key)
        if self.folder is None:
            return
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    def prune(self, kind: str) -> None:
        """Delete the entries of ``kind`` this run did not use, so the cache
        stays the size of the archive rather than growing with every edit."""
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

