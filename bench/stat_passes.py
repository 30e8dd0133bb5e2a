"""What a +1 build spends asking stat about its inputs, beyond the looks
that make a no-op safe: the import's two passes (the pages' facts, the
transcripts' digests), the look after the import and the loader's pass
over the pages. Run as a build runs them, with the stats of the look
before the import (``cache.Digests``) and that look updated for the one
page the import wrote, and as before session 13, every file asked again;
interleaved in one process, best of ``repeats``.

    .venv/bin/python -m bench.stat_passes [--size 10000] [--repeats 4]

It builds its own archive first (bench/out/stat-passes-N): about a minute
and a half at 10,000 episodes.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.build_once import REPO
from bench.run import prepare, run_build, settle
from generator import unchanged
from generator.cache import PAGE_DIGESTS, TRANSCRIPT_DIGESTS, Cache, Digests
from generator.config import load_config
from generator.inputs import list_inputs
from generator.workers import gc_paused


def remember_digests(config) -> None:
    """Remember every page's and transcript's digest, as a build a while
    after the cold one does (cache.SETTLED_NS): the cold build wrote the
    pages too recently for theirs to be remembered."""
    settle()
    cache = Cache(config.cache_dir)
    for kind, files in ((PAGE_DIGESTS, _pages(config)), (TRANSCRIPT_DIGESTS, _transcripts(config))):
        digests = Digests(cache, kind)
        for path in files:
            digests.known_or_read(path)
        digests.save()


def _pages(config):
    return list_inputs(config.content_dir / "episodes", "*.md", config.content_dir).files


def _transcripts(config):
    return list_inputs(config.source_dir, "*.txt", hidden=False).files


def passes(config, before: unchanged.Look | None) -> tuple[float, int]:
    """Seconds for the passes, and how many files' digests were known (the same both ways)."""
    cache = Cache(config.cache_dir)
    pages, transcripts = _pages(config), _transcripts(config)
    stats = before.stats if before else None
    started = time.perf_counter()
    known = 0
    for kind, files in ((PAGE_DIGESTS, pages), (TRANSCRIPT_DIGESTS, transcripts), (PAGE_DIGESTS, pages)):
        digests = Digests(cache, kind, stats)
        known += sum(digests.known(path) is not None for path in files)
    if before:
        unchanged.content_look(config, before, pages[:1])
    else:
        unchanged.content_look(config)
    return time.perf_counter() - started, known


def measure(root: Path, repeats: int) -> dict:
    """Both ways on the archive built at ``root`` (seeds/, content/, _site/, .cache/)."""
    config = load_config(REPO / "site.yaml", {
        "source_dir": str(root / "seeds"), "content_dir": str(root / "content"),
        "output_dir": str(root / "_site"), "cache_dir": str(root / ".cache")})
    remember_digests(config)
    before = unchanged.look(config)
    asked, shared, known = [], [], set()
    with gc_paused():   # as the build runs
        for _ in range(repeats):
            seconds, known_asked = passes(config, None)
            asked.append(seconds)
            seconds, known_shared = passes(config, before)
            shared.append(seconds)
            known |= {known_asked, known_shared}
    return {"asked": min(asked), "shared": min(shared), "known": sorted(known)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    root = prepare(f"stat-passes-{args.size}", args.size)
    run_build(root)
    row = measure(root, args.repeats)
    print(f"{args.size:,} episodes: every file asked again {row['asked']:.3f} s, with the look's stats "
          f"{row['shared']:.3f} s (best of {args.repeats}; digests known: {row['known']})")


if __name__ == "__main__":
    main()
