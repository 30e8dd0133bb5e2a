"""Issue 14's "keep only the speed-ups that pay": each micro-optimisation
against the plain code, as a share of a real build.

For each size, a real cold build and then a real +1 build (the newest
transcript) run as child processes, as `make bench` runs them. Their CPU time
(user + system, the workers' included) is the whole a trick is a share of.
While they run, each child records what the tricks' stages were given:

- getattr: the pages rendered (a sample of at most ``--sample`` per
  template, and how many there were), rendered again here through a
  jinja2.Environment with the getattr override (bench/removed_tricks.py)
  and through the plain one the generator has now;
- yaml: the pages imported (sampled likewise), written again here by the
  hand-written emitter, which also handed the importer the Episode so that
  it did not parse the page, and by yaml.dump followed by the parse;
- sitemap: the sitemap's pages, written line by line and by ElementTree;
- dist-info: the library versions of the cache's salt, read once per build
  by the hand-written dist-info reader and by importlib.metadata, each in a
  fresh interpreter holding the standard modules a build loads anyway
  (importing importlib.metadata and what only it needs is counted against it);
- renameat2: the commit's swap of the new site for the old, one atomic
  renameat2(RENAME_EXCHANGE) against the two renames of the fallback;
- gc: the build with the cyclic garbage collector paused (build.build_site)
  against the same build with it running, whole builds in child processes:
  the +1 build undone and made again ``--repeats`` times each way, and one
  more cold build with the collector running.

Trick and plain run interleaved in this process, best of ``--repeats``, in
CPU time; a sampled stage is scaled up to all its pages. Each pair is
checked to give the same bytes. A trick pays if it saves more than 5 % of
the cold or the +1 build at some size.

    .venv/bin/python -m bench.tricks [--sizes 1000,10000] [--repeats 5] [--sample 200]

(also ``python -m bench.run --tricks-sizes 1000,10000``).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import shutil
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.run import OUT, REPO, add_newest, prepare, set_aside, take_out_newest

BAR = 0.05   # a trick pays if it saves more than this share of a build
TRICKS = ("getattr", "yaml", "sitemap", "dist-info", "renameat2", "gc")


# --- recording, in the child that builds ---------------------------------------------------------

def _sample(items: list, limit: int) -> list:
    """At most ``limit`` items, evenly spread."""
    if len(items) <= limit:
        return list(items)
    return [items[i * len(items) // limit] for i in range(limit)]


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the build's workers)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def record(root: Path, into: Path, limit: int, collect: bool = False) -> None:
    """Build ``root`` (import + build) as bench.build_once does, noting what
    the tricks' stages were given; then write the notes and this build's
    CPU time (this process and its workers) to ``into``. ``collect``: with
    the garbage collector running through the build (the plain code)."""
    from bench import build_once
    from generator import build, feeds, importer

    if collect:
        build._collector_paused = contextlib.nullcontext

    notes: dict = {"render": {}, "import": [[], 0], "sitemap": []}

    def recording(module, real):
        def parallel_map(fn, items, **kwargs):
            items = list(items)
            if fn is build._render:
                by_template: dict[str, list] = {}
                for job in items:
                    if job[1] is not None:
                        by_template.setdefault(job[1], []).append(job)
                for template, jobs in by_template.items():
                    kept, count = notes["render"].setdefault(template, [[], 0])
                    kept += _sample(jobs, limit)
                    notes["render"][template][1] = count + len(jobs)
            elif fn is importer._write_page:
                notes["import"][0] += _sample(items, limit)
                notes["import"][1] += len(items)
            return real(fn, items, **kwargs)
        module.parallel_map = parallel_map

    recording(build, build.parallel_map)
    recording(importer, importer.parallel_map)
    real_sitemap = feeds.sitemap

    def sitemap(pages, urls):
        notes["sitemap"].append((list(pages), urls))
        return real_sitemap(pages, urls)
    feeds.sitemap = sitemap

    before = _cpu()   # the benchmark's own imports are no part of the build
    started = time.perf_counter()
    stats = build_once.main(root, "http://localhost:8000/")
    wall = time.perf_counter() - started
    cpu = _cpu() - before
    for template, (kept, count) in notes["render"].items():   # a sample of the samples, if rendered in batches
        notes["render"][template] = [_sample(kept, limit), count]
    notes["import"][0] = _sample(notes["import"][0], limit)
    with open(into, "wb") as f:
        pickle.dump({"cpu": cpu, "wall": wall, "episodes": stats["episodes"], "notes": notes}, f)


def recorded_build(root: Path, name: str, limit: int, collect: bool = False) -> dict:
    into = root / f"{name}.tricks.pickle"
    subprocess.run([sys.executable, "-m", "bench.tricks", "--record", str(root), str(into), "--sample", str(limit),
                    *(["--collect"] if collect else [])], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    with open(into, "rb") as f:
        data = pickle.load(f)
    into.unlink()
    return data


# --- replaying, trick against plain ------------------------------------------------------------

def best_of(repeats: int, runs: dict) -> dict[str, float]:
    """The least CPU seconds of each run, the runs interleaved."""
    best = {name: float("inf") for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return best


def _same(a, b, what: str) -> None:
    if a != b:
        raise SystemExit(f"{what}: the trick and the plain code disagree")


def replay_getattr(notes: dict, repeats: int) -> dict[str, float]:
    from bench.removed_tricks import getattr_renderer
    from generator.load import page_body
    from generator.render import Renderer
    from generator.views import transcript_blocks

    templates = REPO / "templates"
    trick, plain = getattr_renderer(templates), Renderer(templates)
    total = {"trick": 0.0, "plain": 0.0}
    for template, (jobs, count) in notes["render"].items():
        contexts = []
        for job in jobs:
            context, page = job[2], job[4]
            if page is not None:
                context["episode"]["blocks"] = transcript_blocks(page_body(Path(page)),
                                                                 context["episode"]["audio_seconds"])
            contexts.append(context)
        _same([trick.render(template, c) for c in contexts], [plain.render(template, c) for c in contexts],
              f"getattr, {template}")
        best = best_of(repeats, {name: (lambda r=r: [r.render(template, c) for c in contexts])
                                 for name, r in (("trick", trick), ("plain", plain))})
        for name in total:
            total[name] += best[name] * count / len(jobs)
    return total


def replay_yaml(notes: dict, repeats: int) -> dict[str, float]:
    from bench.removed_tricks import imported_page
    from generator.content import episode_meta, page_text, parse_episode
    from generator.importer import _prepare

    jobs, count = notes["import"]
    if not jobs:
        return {"trick": 0.0, "plain": 0.0}
    pages = []
    for path, t, slug, topics_limit, ignore_topics, _ in jobs:
        prepared = _prepare(t, topics_limit, ignore_topics)
        meta = episode_meta(t.title, t.show, t.date, t.duration, t.audio_format, t.description, slug,
                            prepared.topics, t.source, t.sha256)
        pages.append((meta, prepared.paragraphs, path))

    def trick():
        out = []
        for meta, paragraphs, path in pages:
            text, episode = imported_page(meta, paragraphs, path)
            data = text.encode("utf-8")
            out.append((data, episode or parse_episode(data, path)))
        return out

    def plain():
        out = []
        for meta, paragraphs, path in pages:
            data = page_text(meta, paragraphs).encode("utf-8")
            out.append((data, parse_episode(data, path)))
        return out

    _same(trick(), plain(), "yaml")
    best = best_of(repeats, {"trick": trick, "plain": plain})
    return {name: seconds * count / len(jobs) for name, seconds in best.items()}


def replay_sitemap(notes: dict, repeats: int) -> dict[str, float]:
    from bench.removed_tricks import line_sitemap
    from generator.feeds import sitemap

    calls = notes["sitemap"]
    _same([line_sitemap(*c) for c in calls], [sitemap(*c) for c in calls], "sitemap")
    return best_of(repeats, {"trick": lambda: [line_sitemap(*c) for c in calls],
                             "plain": lambda: [sitemap(*c) for c in calls]})


# Loaded by any build that writes a feed (the RSS dates need email.utils),
# so importing importlib.metadata costs only what it adds to them: zipfile,
# csv, importlib.resources and itself (python -X importtime, old and new).
_LOADED_BY_A_BUILD = ("pathlib", "email.message", "email.utils", "tempfile", "shutil", "bz2", "lzma", "typing",
                      "textwrap", "fnmatch", "ipaddress", "socket", "random", "importlib.util")

_VERSIONS_CHILD = """
import importlib, json, sys, time
for module in sys.argv[2:]:
    importlib.import_module(module)
started = time.process_time()
import importlib.metadata
metadata = time.process_time() - started
import bench.removed_tricks, generator.cache
versions = bench.removed_tricks.library_versions if sys.argv[1] == "trick" else generator.cache._library_versions
started = time.process_time()
found = versions()
print(json.dumps({"seconds": time.process_time() - started + (metadata if sys.argv[1] == "plain" else 0.0),
                  "versions": found}))
"""


def replay_dist_info(repeats: int) -> dict[str, float]:
    """Once per build, each in a fresh interpreter (the libraries' specs not
    yet found, importlib.metadata not yet imported)."""
    best, found = {"trick": float("inf"), "plain": float("inf")}, {}
    for _ in range(repeats):
        for name in best:
            out = subprocess.run([sys.executable, "-c", _VERSIONS_CHILD, name, *_LOADED_BY_A_BUILD], cwd=REPO,
                                 check=True, capture_output=True, text=True).stdout
            result = json.loads(out)
            best[name] = min(best[name], result["seconds"])
            found[name] = result["versions"]
    _same(found["trick"], found["plain"], "dist-info")
    return best


def replay_renameat2(repeats: int, swaps: int = 200) -> dict[str, float]:
    """One commit's swap of staging for the site, per build."""
    from generator.output import _exchange

    folder = OUT / "tricks-rename"
    set_aside(folder)
    site, staging, old = folder / "_site", folder / "staging", folder / "old"
    for path in (site, staging):
        path.mkdir(parents=True)
        (path / "index.html").write_text(path.name)

    def trick():
        for _ in range(swaps):
            if not _exchange(staging, site):
                raise SystemExit("renameat2: not supported here")

    def plain():
        free, ready = old, staging
        for _ in range(swaps):
            os.rename(site, free)    # the old site out of the way: for a moment there is no site
            os.rename(ready, site)
            free, ready = ready, free   # the old site serves as the next swap's new one

    best = best_of(repeats, {"trick": trick, "plain": plain})
    set_aside(folder)
    return {name: seconds / swaps for name, seconds in best.items()}


def _undo_newest(root: Path, pages_before: set[Path]) -> None:
    """Back to the archive before add_newest, built."""
    take_out_newest(root, pages_before)
    recorded_build(root, "undo", 1)


def replay_gc(root: Path, n: int, pages_before: set[Path], repeats: int) -> dict[str, dict[str, float]]:
    """Whole builds, the collector paused (trick) or running (plain): the
    +1 build, best of ``repeats`` each way, interleaved; then the cold build
    once more with the collector running, against the recorded cold build.
    Leaves ``root`` as add_newest leaves it, built."""
    plus1 = {"trick": float("inf"), "plain": float("inf")}
    for _ in range(repeats):
        for name in plus1:
            _undo_newest(root, pages_before)
            add_newest(root, n)
            plus1[name] = min(plus1[name], recorded_build(root, "gc", 1, collect=name == "plain")["cpu"])
    for kept in ("content", "_site", ".cache"):
        shutil.rmtree(root / kept, ignore_errors=True)
    return {"+1": plus1, "cold": {"plain": recorded_build(root, "gc-cold", 1, collect=True)["cpu"]}}


SAMPLE = 200


def measure(n: int, repeats: int = 5, limit: int = SAMPLE) -> dict:
    root = prepare(f"tricks-{n}", n)
    builds = {"cold": recorded_build(root, "cold", limit)}
    pages_before = set((root / "content" / "episodes").glob("*.md"))
    add_newest(root, n)
    builds["+1"] = recorded_build(root, "plus1", limit)
    row = {"n": n, "repeats": repeats, "sample": limit,
           "builds": {k: {"cpu": b["cpu"], "wall": b["wall"], "episodes": b["episodes"],
                          "rendered": sum(count for _, count in b["notes"]["render"].values()),
                          "imported": b["notes"]["import"][1]} for k, b in builds.items()},
           "tricks": {}}
    once_per_build = {"dist-info": replay_dist_info(repeats), "renameat2": replay_renameat2(repeats)}
    for build, data in builds.items():
        notes = data["notes"]
        stages = {"getattr": replay_getattr(notes, repeats), "yaml": replay_yaml(notes, repeats),
                  "sitemap": replay_sitemap(notes, repeats), **once_per_build}
        for trick, seconds in stages.items():
            saved = seconds["plain"] - seconds["trick"]
            row["tricks"].setdefault(trick, {})[build] = {**seconds, "saved": saved, "share": saved / data["cpu"]}
    # Last: it builds the archive again from nothing.
    whole = replay_gc(root, n, pages_before, repeats)
    whole["cold"]["trick"] = builds["cold"]["cpu"]
    for build, seconds in whole.items():
        saved = seconds["plain"] - seconds["trick"]
        row["tricks"]["gc"] = {**row["tricks"].get("gc", {}),
                               build: {**seconds, "saved": saved, "share": saved / seconds["trick"]}}
    set_aside(root)
    return row


# --- report ------------------------------------------------------------------------------------

def print_rows(rows: list[dict]) -> None:
    print("Micro-optimisations (bench/tricks.py): CPU seconds a trick saves on its own stage (plain − trick, "
          "best of N, interleaved, one process), as a share of a real build's CPU time\n")
    print("| episodes | build | CPU | wall | pages rendered | transcripts imported |")
    print("|---:|---|---:|---:|---:|---:|")
    for row in rows:
        for build, b in row["builds"].items():
            print(f"| {row['n']:,} | {build} | {b['cpu']:.1f} s | {b['wall']:.1f} s | {b['rendered']:,} "
                  f"| {b['imported']:,} |")
    print()
    print("| trick | episodes | build | plain | trick | saved | share |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for trick in TRICKS:
        for row in rows:
            for build in row["builds"]:
                t = row["tricks"][trick][build]
                print(f"| {trick} | {row['n']:,} | {build} | {_ms(t['plain'])} | {_ms(t['trick'])} "
                      f"| {_ms(t['saved'])} | {100 * t['share']:.2f} % |")
    print()
    for trick in TRICKS:
        top = max(row["tricks"][trick][b]["share"] for row in rows for b in row["builds"])
        print(f"{trick}: at most {100 * top:.2f} % of a build: {'pays' if top > BAR else 'does not pay'} "
              f"(bar: {100 * BAR:.0f} %)")
    print()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if abs(seconds) >= 0.0001 else f"{seconds * 1e6:.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sample", type=int, default=SAMPLE, help="pages per template (and imports) replayed")
    parser.add_argument("--record", nargs=2, metavar=("ROOT", "INTO"), help=argparse.SUPPRESS)
    parser.add_argument("--collect", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record:
        record(Path(args.record[0]), Path(args.record[1]), args.sample, args.collect)
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        rows.append(measure(n, args.repeats, args.sample))
        print(f"[tricks, {n} episodes] " + json.dumps(rows[-1]), flush=True)
    print()
    print_rows(rows)


if __name__ == "__main__":
    main()
