"""A marathon episode: one 200,000-word transcript (about 22 hours of talk)
imports and builds like any other, with every word kept."""
from __future__ import annotations

import dataclasses
import re

from bench.corpus import archive_fm_text, episodes
from tests.site_support import build_site_at

WORDS = 200_000


def test_a_200000_word_transcript_builds_with_every_word(tmp_path):
    # The corpus draws a length near the one asked for; ask for more and cut to exactly WORDS.
    episode = episodes(1, words=WORDS * 5 // 4, seed=7)[0]
    words = episode.text.split()[:WORDS]
    episode = dataclasses.replace(episode, text=" ".join(words))
    source = tmp_path / "transcripts"
    source.mkdir()
    (source / "marathon.txt").write_text(archive_fm_text(episode), encoding="utf-8")

    out, report, log = build_site_at(tmp_path / "root", source, cache_dir=str(tmp_path / "root/.cache"),
                                     transcript_files=True)
    assert report.clean, log

    [page] = out.glob("episodes/*.html")
    html = page.read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r'<p id="p-(\d+)"[ >]', html)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= WORDS // 160, "paragraphs longer than the splitter allows"
    assert "<dd>200,000</dd>" in html

    download = page.with_suffix(".txt")
    _header, body = download.read_text(encoding="utf-8").split("\n\n", 1)
    assert body.split() == words
