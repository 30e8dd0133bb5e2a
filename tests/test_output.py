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
