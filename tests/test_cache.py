"""File digests remembered by stat: an unchanged file is not read again, and
no change to a file, however sly, is missed."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator import cache as cache_module
from generator.cache import PAGE_DIGESTS, Cache, Digests


@pytest.fixture
def settled(monkeypatch):
    """Every file counts as settled at once (normally after two seconds)."""
    monkeypatch.setattr(cache_module, "SETTLED_NS", -10**12)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, settled, monkeypatch):
    page = tmp_path / "page.md"
    page.write_bytes(b"words")
    digests = Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS)
    assert digests.known_or_read(page)[0] == _sha(b"words")
    digests.save()

    def no_reading(path):
        raise AssertionError(f"{path} was read again")
    monkeypatch.setattr(cache_module, "read_file", no_reading)
    assert Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS).known_or_read(page)[0] == _sha(b"words")


def test_a_file_rewritten_with_its_old_size_and_times_is_read_again(tmp_path: Path, settled):
    page = tmp_path / "page.md"
    page.write_bytes(b"words")
    before = page.stat()
    digests = Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS)
    digests.known_or_read(page)[0]
    digests.save()
    page.write_bytes(b"WORDS")   # same size, same inode
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))   # and the old modification time
    assert Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS).known_or_read(page)[0] == _sha(b"WORDS")


def test_a_file_changed_just_now_is_not_remembered(tmp_path: Path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_bytes(b"words")
    digests = Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS)
    assert digests.known_or_read(page)[0] == _sha(b"words")
    digests.save()
    reads = []
    real_read = cache_module.read_file
    monkeypatch.setattr(cache_module, "read_file", lambda path: reads.append(path) or real_read(path))
    assert Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS).known_or_read(page)[0] == _sha(b"words")
    assert reads == [page]   # still inside its two seconds: read again


def test_a_deleted_file_is_forgotten(tmp_path: Path, settled):
    pages = [tmp_path / "a.md", tmp_path / "b.md"]
    for page in pages:
        page.write_bytes(page.name.encode())
    digests = Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS)
    for page in pages:
        digests.known_or_read(page)[0]
    digests.save()
    pages[1].unlink()
    digests = Digests(Cache(tmp_path / ".cache"), PAGE_DIGESTS)
    digests.known_or_read(pages[0])[0]
    digests.save()
    assert list(Cache(tmp_path / ".cache").get_pack(PAGE_DIGESTS)) == [str(pages[0])]


def test_the_cache_is_keyed_by_the_versions_the_libraries_report():
    import importlib

    from generator.cache import LIBRARIES, _library_versions
    versions = _library_versions()
    for module in LIBRARIES:
        library = importlib.import_module(module)
        assert versions[module] == (getattr(library, "__version__", None) or library.__VERSION__)


def test_a_stray_version_record_elsewhere_on_the_path_is_not_believed(tmp_path: Path, monkeypatch):
    import sys

    from generator.cache import _library_versions
    (tmp_path / "jinja2-9.9.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert _library_versions()["jinja2"] != "9.9"


def test_the_cache_holds_only_the_kinds_and_packs_it_lists(tmp_path):
    cache = Cache(tmp_path / ".cache")
    for call in (lambda: cache.get("pages", "k"), lambda: cache.put("Page", "k", 1),
                 lambda: cache.get_pack("episode_keys"), lambda: cache.put_pack("page-digest", {})):
        with pytest.raises(ValueError, match="cache.py"):
            call()
    assert not (tmp_path / ".cache").exists()


def _pack_files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (folder / "packs").iterdir()}


def test_a_pack_changed_in_a_few_entries_writes_only_a_delta_and_reads_back_whole(tmp_path: Path):
    folder = tmp_path / ".cache"
    entries = {f"k{i}": (i, f"value {i}") for i in range(1000)}
    Cache(folder).put_pack(PAGE_DIGESTS, entries)
    base = _pack_files(folder)
    for step in range(3):   # a build a day: each reads what the last left, and changes a few entries
        cache = Cache(folder)
        entries = cache.get_pack(PAGE_DIGESTS)
        entries[f"new{step}"] = (step, "added")
        entries[f"k{step}"] = (step, "changed")
        del entries[f"k{500 + step}"]
        cache.put_pack(PAGE_DIGESTS, entries)
        assert Cache(folder).get_pack(PAGE_DIGESTS) == entries
    after = _pack_files(folder)
    assert after[PAGE_DIGESTS] == base[PAGE_DIGESTS], "the pack itself was rewritten"
    assert PAGE_DIGESTS + ".delta" in after


def test_a_pack_changed_in_many_entries_is_written_again_whole(tmp_path: Path):
    folder = tmp_path / ".cache"
    Cache(folder).put_pack(PAGE_DIGESTS, {f"k{i}": i for i in range(1000)})
    base = _pack_files(folder)
    cache = Cache(folder)
    entries = {**cache.get_pack(PAGE_DIGESTS), **{f"new{i}": i for i in range(200)}}
    cache.put_pack(PAGE_DIGESTS, entries)
    assert _pack_files(folder).keys() == {PAGE_DIGESTS} and _pack_files(folder) != base
    assert Cache(folder).get_pack(PAGE_DIGESTS) == entries


def test_a_delta_left_by_another_base_or_damaged_is_not_applied(tmp_path: Path):
    folder = tmp_path / ".cache"
    first = {f"k{i}": i for i in range(1000)}
    Cache(folder).put_pack(PAGE_DIGESTS, first)
    cache = Cache(folder)
    cache.put_pack(PAGE_DIGESTS, {**cache.get_pack(PAGE_DIGESTS), "extra": 1})
    delta = (folder / "packs" / (PAGE_DIGESTS + ".delta")).read_bytes()
    Cache(folder).put_pack(PAGE_DIGESTS, {"other": 2})   # another build, another pack
    (folder / "packs" / (PAGE_DIGESTS + ".delta")).write_bytes(delta)
    assert Cache(folder).get_pack(PAGE_DIGESTS) == {"other": 2}
    Cache(folder).put_pack(PAGE_DIGESTS, first)
    (folder / "packs" / (PAGE_DIGESTS + ".delta")).write_bytes(delta[:20])
    assert Cache(folder).get_pack(PAGE_DIGESTS) == first
