"""The output folder is replaced in one step: whoever reads the site (the
preview server, a deploy copying it) finds the old one or the new one,
never none. This is what the renameat2 swap is kept for."""
from __future__ import annotations

import os
from pathlib import Path

from generator import output
from generator.output import Output


def test_the_site_is_there_after_every_rename_of_a_rebuild(tmp_path: Path, monkeypatch):
    out, manifest = tmp_path / "_site", tmp_path / "cache" / "manifest.json"
    with Output(out, manifest) as site:
        site.write("index.html", "the old site\n")
        site.commit("old")

    seen = []

    def check(what: str) -> None:
        try:
            seen.append((what, (out / "index.html").read_text(encoding="utf-8")))
        except OSError:
            seen.append((what, None))

    real_rename, real_exchange = os.rename, output._exchange

    def rename(a, b, *args, **kwargs):
        real_rename(a, b, *args, **kwargs)
        check(f"rename {Path(a).name} -> {Path(b).name}")

    def exchange(a, b):
        swapped = real_exchange(a, b)
        check(f"exchange {a.name} <-> {b.name}" if swapped else "exchange not supported")
        return swapped

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(output, "_exchange", exchange)
    with Output(out, manifest) as site:
        site.write("index.html", "the new site\n")
        site.commit("new")

    assert seen and all(text is not None for _, text in seen), seen
    assert seen[-1][1] == "the new site\n"
    assert (out / "index.html").read_text(encoding="utf-8") == "the new site\n"


def _site(out: Path, manifest: Path, pages: dict[str, str], copy: bool) -> Output:
    site = Output(out, manifest)
    site.__enter__()
    if copy:
        site.start_staging()
    for name, text in pages.items():
        site.write(name, text)
    return site


def test_a_rebuild_goes_waiting_copying_then_copied_and_keeps_what_it_reused(tmp_path: Path):
    out, manifest = tmp_path / "_site", tmp_path / "cache" / "manifest.json"
    site = _site(out, manifest, {}, copy=True)
    assert site.phase is output.Phase.WAITING   # no old site to copy
    site.write("a.html", "a\n")
    site.write("b.html", "b\n")
    assert site.phase is output.Phase.FRESH
    site.commit("first")
    site.__exit__(None, None, None)

    site = _site(out, manifest, {}, copy=True)
    assert site.phase is output.Phase.COPYING
    site.write("a.html", "a\n")   # the same: kept, nothing staged for it
    assert site.phase is output.Phase.COPYING
    site.write("c.html", "c\n")
    assert site.phase is output.Phase.COPIED
    site.commit("second")
    site.__exit__(None, None, None)
    # b.html was not made again: the copy brought it, and the commit dropped it.
    assert sorted(p.name for p in out.glob("*.html")) == ["a.html", "c.html"]


def test_a_rebuild_without_a_copy_links_what_it_kept_before_its_first_write(tmp_path: Path):
    out, manifest = tmp_path / "_site", tmp_path / "cache" / "manifest.json"
    site = _site(out, manifest, {"a.html": "a\n", "b.html": "b\n"}, copy=False)
    site.commit("first")
    site.__exit__(None, None, None)
    site = _site(out, manifest, {"a.html": "a\n"}, copy=False)
    assert site.phase is output.Phase.WAITING
    site.write("b.html", "B\n")
    assert site.phase is output.Phase.FRESH
    site.commit("second")
    site.__exit__(None, None, None)
    assert {p.name: p.read_text() for p in out.glob("*.html")} == {"a.html": "a\n", "b.html": "B\n"}
