"""+1 newest builds of this checkout against another one (say, a `git
worktree` of the commit before a change), alternating, on an archive each:
one +1 on this machine swings by a third from one minute to the next, so
a change is judged by many interleaved pairs, not by two runs.

    git worktree add ../base HEAD~1
    .venv/bin/python -m bench.ab ../base [--size 10000] [--pairs 6]

Each archive (bench/out/ab-N-this, bench/out/ab-N-base) is made once and
kept: a cold build each (about a minute at 10,000 episodes); a later run
rebuilds them once if the code changed. In each pair, each checkout takes
the newest episode out and builds (not timed), then adds it again and
builds (timed), in the child process `make bench` uses.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.corpus import write_archive_fm
from bench.run import NEWEST_FILE, OUT, REPO, add_newest, settle


def build(checkout: Path, root: Path) -> tuple[float, float]:
    """Import and build ``root`` with ``checkout``'s generator: wall seconds,
    and the CPU seconds of the build's own process (its workers' aside),
    which the wall time waits for and which swings less than it."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.build_once", str(root)], cwd=checkout, check=True,
                          stdout=subprocess.PIPE, text=True)
    return time.perf_counter() - started, json.loads(done.stdout).get("cpu", float("nan"))


def archive(name: str, n: int) -> Path:
    root = OUT / name
    if not (root / "seeds").is_dir():
        write_archive_fm(root / "seeds", n)
    return root


def take_out_newest(root: Path) -> None:
    """The newest transcript and the page made of it, if there (found by its source: the slug depends on the title)."""
    (root / "seeds" / NEWEST_FILE).unlink(missing_ok=True)
    for page in (root / "content" / "episodes").glob("*.md"):
        if f"file: {NEWEST_FILE}" in page.read_text(encoding="utf-8")[:1000]:
            page.unlink()


def plus_one(checkout: Path, root: Path, n: int) -> tuple[float, float]:
    take_out_newest(root)
    build(checkout, root)
    settle()
    add_newest(root, n)
    return build(checkout, root)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", type=Path, help="the other checkout")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=6)
    args = parser.parse_args()
    sides = {"this": (REPO, archive(f"ab-{args.size}-this", args.size)),
             "base": (args.base.resolve(), archive(f"ab-{args.size}-base", args.size))}
    for checkout, root in sides.values():   # up to date with its code
        build(checkout, root)
    walls: dict[str, list[float]] = {"this": [], "base": []}
    cpus: dict[str, list[float]] = {"this": [], "base": []}
    for pair in range(args.pairs):
        order = ["this", "base"] if pair % 2 == 0 else ["base", "this"]
        for side in order:
            wall, cpu = plus_one(*sides[side], args.size)
            walls[side].append(wall)
            cpus[side].append(cpu)
        print(f"pair {pair + 1}: this {walls['this'][-1]:.2f} s ({cpus['this'][-1]:.2f} s CPU), "
              f"base {walls['base'][-1]:.2f} s ({cpus['base'][-1]:.2f} s CPU)", flush=True)
    print(json.dumps({"wall": walls, "cpu": cpus}))
    for what, runs in (("wall", walls), ("main-process CPU", cpus)):
        diffs = [a - b for a, b in zip(runs["this"], runs["base"])]
        print(f"+1 newest at {args.size:,}, {what}: this {statistics.mean(runs['this']):.3f} s "
              f"(best {min(runs['this']):.3f}), base {statistics.mean(runs['base']):.3f} s "
              f"(best {min(runs['base']):.3f}); difference {statistics.mean(diffs):+.3f} s mean, "
              f"{statistics.median(diffs):+.3f} s median over {args.pairs} pairs")


if __name__ == "__main__":
    main()
