"""Which files of seeds/ and content/ are read, and how.

Only a regular file is read: a FIFO would block the build for good, a device
such as /dev/zero never ends, and a socket cannot be read at all. A symbolic
link is followed only while it stays inside its folder, so a link committed
to the repository cannot publish a file from elsewhere on the machine. No
file is read past MAX_BYTES. A file name that is not UTF-8 cannot be written
into a page's front matter or a URL, so such a file is reported, not read.

The checks are made when the folder is listed (so the user hears about every
skipped file) and again on the open file itself, in case it was swapped
between the two.
"""
from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path


MAX_BYTES = 32 * 1024 * 1024   # a 4-hour episode's transcript is about 250 KB
_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


class Unreadable(OSError):
    """A file that is not read: not a regular file, or too large. ``strerror`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.strerror = reason


def _not_regular(mode: int) -> str | None:
    """What kind of file this is, when it is not a regular one."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _too_large(size: int, limit: int) -> Unreadable:
    return Unreadable(f"too large to read ({size / 2**20:.1f} MB; the limit is {limit // 2**20} MB)")


def read_file(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. Raises
    OSError as reading does, and Unreadable for any other kind of file or a
    larger one. Opening never blocks: O_NONBLOCK makes a FIFO with no writer
    open at once, and it is then refused unread."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb", closefd=True) as f:
        st = os.fstat(fd)
        kind = _not_regular(st.st_mode)
        if kind:
            raise Unreadable(f"{kind}, not a regular file")
        if st.st_size > limit:
            raise _too_large(st.st_size, limit)
        data = f.read(limit + 1)   # it may have grown since the fstat
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


@dataclass
class Listing:
    """The files of a folder that may be read, and those refused, each as
    (path, one-line reason): ``errors`` the user must fix (an episode is not
    published), ``warnings`` for files that are no input of ours."""
    files: list[Path] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)

    def refused(self) -> list[Path]:
        return [path for path, _ in self.errors + self.warnings]


def _link_problem(path: Path, root: Path, real_root: Path) -> str:
    """Why the symbolic link ``path`` is not followed, or '' if it leads inside
    ``root`` (whose resolved path is ``real_root``)."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):   # Python 3.11 raises RuntimeError for a loop
        return "a loop of symbolic links; skipped"
    return "" if target.is_relative_to(real_root) else f"a symbolic link to a file outside {root}; not followed"


def list_inputs(folder: Path, pattern: str, root: Path | None = None, *, hidden: bool = True) -> Listing:
    """The files in ``folder`` whose names match ``pattern`` (a glob such as
    '*.txt'), sorted (names starting with '.' left out unless ``hidden``); a
    symbolic link must resolve inside ``root`` (default: ``folder``)."""
    listing = Listing()
    root = root or folder
    try:
        real_root = root.resolve()
        with os.scandir(folder) as scan:
            # The entry knows the kind of a file that is not a link without a stat.
            entries = sorted((e for e in scan if fnmatch.fnmatchcase(e.name, pattern)), key=lambda e: e.name)
    except (OSError, RuntimeError):
        return listing   # no folder: nothing to read
    for entry in entries:
        name = entry.name
        path = folder / name
        if not hidden and name.startswith("."):
            continue
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            listing.errors.append((path, "the file name is not UTF-8 text, so no page or URL can hold it; "
                                         "rename the file"))
            continue
        if entry.is_file(follow_symlinks=False):
            listing.files.append(path)
            continue
        link = False
        try:
            link = entry.is_symlink()
            if link and (problem := _link_problem(path, root, real_root)):
                listing.warnings.append((path, problem))
                continue
            kind = _not_regular(os.stat(path).st_mode)
        except OSError as exc:
            if link:
                listing.warnings.append((path, f"a symbolic link to nothing ({exc.strerror or exc}); skipped"))
            else:
                listing.errors.append((path, f"cannot read: {exc.strerror or exc}"))
            continue
        if kind == "a folder":
            continue
        if kind:
            listing.warnings.append((path, f"{kind}, not a regular file; skipped"))
            continue
        listing.files.append(path)
    return listing
