"""Issue 12's index-step targets: the sharded index step no slower than the
single-file one the project had before (bench/old_index.py, its own old
code), and adding the newest episode no slower than that old full build.

The index step is ``build.search_index``, as a build runs it: each page's
tokens read from the cache (a rebuild's tokens are always cached), the
index built or updated, its state put back in the cache, the search files
made. The three runs are interleaved in one process, best of ``repeats``,
in wall time and in the process's CPU time (on a shared machine the CPU
time is the steadier of the two; the ratios are given for both):

- old: bench/old_index.py's ``search_index``, which writes one index.json;
- full: today's ``build.search_index`` with no index state to update;
- newest: today's ``build.search_index`` with the state of the archive
  without its newest episode, which ``index_update`` updates.

    .venv/bin/python -m bench.index_step [--sizes 1000,10000] [--repeats 5]
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import json
import shutil
import time
from pathlib import Path

from bench import old_index
from bench.corpus import episodes
from generator import build, index_update
from generator.cache import PAGE, SEARCH_INDEX, Cache
from generator.search import SearchDoc, doc_tokens
from generator.search_shards import doc_numbers, manifest_name
from generator.views import display_date

OUT = Path(__file__).resolve().parent / "out"


def jobs(n: int, folder: Path) -> dict[str, tuple]:
    """The search_index jobs of an n-episode archive (and of it plus its
    newest episode), each page's tokens in a cache under ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    cache = Cache(folder)
    sources, meta, dates = [], [], []
    for i, episode in enumerate(episodes(n + 1)):   # oldest first, as the index numbers them
        key = hashlib.sha256(f"bench page {n} {i}".encode()).hexdigest()
        doc = SearchDoc(str(i), episode.title, episode.topics, (episode.text,))
        cache.put(PAGE, key, None, doc_tokens(doc))   # the page's Loaded is not needed here
        sources.append((key, folder / f"{key}.md"))   # never read: the tokens are cached
        meta.append({"u": f"episodes/{key[:12]}.html", "t": episode.title, "s": episode.show,
                     "d": display_date(episode.date), "y": episode.date.year})
        dates.append((episode.date, key[:12]))
    site = folder / "site"   # the last build's output, which an update reads shards from
    numbers = doc_numbers(dates)
    if numbers != sorted(numbers) or numbers[-1] != max(numbers):   # the corpus has one episode a day
        raise SystemExit("index step: the corpus is not in the index's order")
    without_newest = (folder, (), meta[:-1], sources[:-1], numbers[:-1])
    return {"old": (*without_newest, "old", site), "full": (*without_newest, "full", site),
            "newest": (folder, (), meta, sources, numbers, "newest", site)}


def _index_entry(folder: Path, slot: str) -> Path:
    return Cache(folder)._path(SEARCH_INDEX, slot)


def measure(n: int, repeats: int, folder: Path | None = None) -> dict:
    """Best seconds of each run, and the ratios to the old full build."""
    folder = folder or OUT / f"index-step-{n}"
    todo = jobs(n, folder)
    # The state the newest episode updates: today's index of the archive without it.
    site = todo["newest"][6]
    files, _ = build.search_index((*todo["full"][:5], "newest", site))
    (site / "search").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (site / "search" / name).write_text(text, encoding="utf-8")
    state = _index_entry(folder, "newest").read_bytes()
    # The newest run updates that state (it would build afresh otherwise, and time the wrong thing).
    newest = todo["newest"]
    kept = index_update.unpack(Cache(folder).get(SEARCH_INDEX, "newest"))
    if kept is None or index_update.inserted_at(kept, [k for k, _ in newest[3]], newest[2], newest[4]) != n:
        raise SystemExit("index step newest: the state it starts from is not the archive without its newest episode")
    best = {name: float("inf") for name in todo}
    best_cpu = {name: float("inf") for name in todo}
    for _ in range(repeats):
        for name, job in todo.items():
            entry = _index_entry(folder, job[5])
            if name == "newest":
                entry.write_bytes(state)
            else:
                entry.unlink(missing_ok=True)
            run = old_index.search_index if name == "old" else build.search_index
            gc.collect()
            started, started_cpu = time.perf_counter(), time.process_time()
            out = run(job)
            best_cpu[name] = min(best_cpu[name], time.process_time() - started_cpu)
            best[name] = min(best[name], time.perf_counter() - started)
            documents = len(json.loads(out)["refs"]) if name == "old" else json.loads(out[0][manifest_name(out[0])])["n"]
            if documents != len(job[3]):   # the run did what it is said to
                raise SystemExit(f"index step {name}: {documents} documents, expected {len(job[3])}")
            del out
    shutil.rmtree(folder, ignore_errors=True)
    return {"n": n, "repeats": repeats, "seconds": best, "cpu_seconds": best_cpu,
            "full_vs_old": best["full"] / best["old"], "newest_vs_old": best["newest"] / best["old"],
            "cpu_full_vs_old": best_cpu["full"] / best_cpu["old"],
            "cpu_newest_vs_old": best_cpu["newest"] / best_cpu["old"]}


def print_rows(rows: list[dict]) -> None:
    print("Index step (build.search_index, tokens cached, one process, interleaved, best of N): "
          "the single index.json of before the sharding (bench/old_index.py) against today's\n")
    print("| episodes | best of | time | old: one index.json | today: full build | ratio | today: +1 newest | ratio |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        for kind, s, prefix in (("wall", r["seconds"], ""), ("CPU", r.get("cpu_seconds"), "cpu_")):
            if s:
                print(f"| {r['n']:,} | {r['repeats']} | {kind} | {s['old']:.2f} s | {s['full']:.2f} s "
                      f"| {r[prefix + 'full_vs_old']:.2f} | {s['newest']:.2f} s | {r[prefix + 'newest_vs_old']:.2f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        rows.append(measure(n, args.repeats))
        print(rows[-1], flush=True)
    print_rows(rows)


if __name__ == "__main__":
    main()
