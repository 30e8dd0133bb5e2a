"""Writing the output folder: everything goes into a staging folder beside
it, which replaces the old site only once complete, so a build that fails or
is killed never leaves a half-written site."""
from __future__ import annotations

import ctypes
import os
import shutil
import time
from pathlib import Path, PurePosixPath

from generator.errors import BuildError

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


class Output:
    def __init__(self, final: Path):
        self.final = final.resolve()
        self.staging = self.final.parent / f".{self.final.name}.building-{os.getpid()}"
        self.files = 0
        self.write_seconds = 0.0

    def _remove_abandoned(self) -> None:
        """Staging folders of builds that were killed (their process is gone)."""
        for folder in self.final.parent.glob(f".{self.final.name}.building-*"):
            pid = folder.name.rsplit("-", 1)[-1]
            if pid.isdigit() and (int(pid) == os.getpid() or not Path(f"/proc/{pid}").exists()):
                shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> "Output":
        self._remove_abandoned()
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)

    def _target(self, name: PurePosixPath | str) -> Path:
        target = (self.staging / str(name)).resolve()
        if not target.is_relative_to(self.staging):
            raise BuildError(f"refusing to write outside the output folder: {name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, name: PurePosixPath | str, data: str | bytes) -> None:
        started = time.perf_counter()
        target = self._target(name)
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise BuildError(f"cannot write {name}: {exc.strerror or exc}", self.final) from None
        self.files += 1
        self.write_seconds += time.perf_counter() - started

    def copy(self, source: Path, name: PurePosixPath | str) -> None:
        try:
            shutil.copyfile(source, self._target(name))
        except OSError as exc:
            raise BuildError(f"cannot copy {source}: {exc.strerror or exc}", self.final) from None
        self.files += 1

    def commit(self) -> None:
        """Put the finished site in place of the old one."""
        self.write(MARKER, _MARKER_TEXT)
        if self.final.exists():
            if not _exchange(self.staging, self.final):
                old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
                os.rename(self.final, old)
                os.rename(self.staging, self.final)
                shutil.rmtree(old, ignore_errors=True)
                return
            # staging now holds the old site; __exit__ removes it.
        else:
            os.rename(self.staging, self.final)
