"""Reading an input file: only a regular file, never past the size cap, and
never blocking, even when the file was swapped for something else after the
folder was listed."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator.cache import PAGE_DIGESTS, Cache, Digests
from generator.inputs import Unreadable, list_inputs, read_file


def _within(seconds: float, call):
    """call(), in a thread: the result or exception, or a failure if it blocks."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "reading blocked"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_fifo_is_refused_at_once_without_a_writer(tmp_path: Path):
    os.mkfifo(tmp_path / "page.md")
    with pytest.raises(Unreadable, match="a FIFO"):
        _within(10, lambda: read_file(tmp_path / "page.md"))


def test_a_file_swapped_for_a_fifo_after_listing_is_still_refused(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("---\ntitle: A\n---\n")
    assert list_inputs(tmp_path, "*.md").files == [page]
    page.unlink()
    os.mkfifo(page)
    with pytest.raises(Unreadable):
        _within(10, lambda: Digests(Cache(None), PAGE_DIGESTS).known_or_read(page))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_not_read(device):
    with pytest.raises(Unreadable, match="character device"):
        _within(10, lambda: read_file(Path(device)))


def test_a_file_at_the_cap_is_read_and_one_byte_more_is_not(tmp_path: Path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"a" * 1000)
    assert read_file(path, limit=1000) == b"a" * 1000
    path.write_bytes(b"a" * 1001)
    with pytest.raises(Unreadable, match="too large"):
        read_file(path, limit=1000)


def test_a_loop_of_links_is_skipped_with_a_warning(tmp_path: Path):
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    listing = list_inputs(tmp_path, "*.txt")
    assert listing.files == [] and len(listing.warnings) == 2
    assert all(reason == "a loop of symbolic links; skipped" for _, reason in listing.warnings)
