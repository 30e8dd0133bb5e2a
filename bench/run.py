"""`make bench`: the archive-scale benchmark.

For each size it builds a synthetic archive (bench/corpus.py) and measures:

- builds: cold, no-op, +1 newest transcript (best of three tries), +1 mid-archive (a back-filled old
  episode), an edited page, and a clean build of the same inputs ("pages
  already imported", as a fresh clone builds), whose output is compared byte
  for byte with the incremental one; time per stage, peak memory, site size,
  bytes per episode, the largest HTML page;
- build_index against lunr.lunr() on the same documents, same process;
- the index step (build.search_index) against the single-file one of before
  the sharding, and the +1 newest update against that (bench/index_step.py);
- with --tricks-sizes, each micro-optimisation against the plain code, as a
  share of a cold and a +1 build (bench/tricks.py);
- the search page in headless Chromium, served gzip-compressed from
  127.0.0.1: bytes downloaded and time to first results for a one-word, a
  two-word and a phrase query, on localhost and on Lighthouse's mobile
  network profile; the worker's JS heap after five queries; new queries on
  words whose shards are loaded, asked of the worker; the index's
  shards; and the same for Pagefind on the same pages (bench/pagefind.py).

A 1,000-episode archive of hour-long episodes (~9,000 words) gives the site
size per episode.

    .venv/bin/python -m bench.run [--sizes 100,1000,10000] [--browser-sizes 1000,10000]
        [--hour-long 1000] [--lunr-max 1000] [--index-step-sizes 1000,10000] [--index-step-repeats 5]
        [--newest-repeats 3] [--tricks-sizes 1000,10000] [--no-browser] [--no-pagefind] [--result-selector CSS]

The default run takes about half an hour on the project's 2-core machine.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import filecmp
import gzip
import html.parser
import json
import os
import subprocess
import sys
import shutil
import time
import urllib.parse
from pathlib import Path

from bench.corpus import archive_fm_text, episodes, write_archive_fm
from bench.report import print_tables

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
TRASH = OUT / ".trash"
GZIP_LEVEL = 6
HOUR_WORDS = 9000
# The synthetic text is random words, so real phrases are rare in it: "united
# states" is in no episode of 1,000. "russia going" is in about one in twenty.
QUERIES = [("one word", "nato"), ("two words", "putin ukraine"), ("phrase", '"russia going"')]
SESSION_QUERIES = ["nato", "putin", "ukraine", "west", "russia"]
# New queries on words whose shards the page has loaded, combined differently
# (issue 12: "later queries whose shards are loaded ≤ 50 ms").
LOADED_WARM = "russia nato ukraine"
LOADED_QUERIES = ["russia", "russia nato", "+nato -russia", "title:russia", "ukrain*"]

# --- builds -----------------------------------------------------------------

def run_build(root: Path) -> dict:
    """import + build in a child process: its timings, wall time and peak RSS
    (of the largest single process: wait4 reports the child's and its reaped
    workers' maximum)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.build_once", str(root)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"build failed in {root}")
    stats = json.loads(out)
    stats["wall"] = time.perf_counter() - started
    # The child measures its own peak: wait4's ru_maxrss would include this
    # process's size, which Linux carries across the child's exec.
    stats.setdefault("peak_mb", usage.ru_maxrss / 1024)
    return stats


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def set_aside(path: Path) -> None:
    """Move ``path`` into the trash, emptied after the last measurement.

    This machine's ext4 has no journal, and without one ext4 will not reuse an
    inode for a minute or more after its file was deleted: every new file's
    inode search then steps past each recently deleted one. Right after
    deleting thousands of files, creating a file took 1.2 ms instead of
    0.2 ms: a cold build of 1,000 episodes took 3.6 s more system time and
    2.6 s more wall time. A cold build on a fresh clone
    follows no such deletion, so none may come just before one here.
    """
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{path.name}-{time.time_ns()}")


def prepare(name: str, n: int, words: int = 3500) -> Path:
    """A fresh root with n transcripts (the corpus is regenerated each run: it is deterministic)."""
    root = OUT / name
    set_aside(root)
    write_archive_fm(root / "seeds", n, words)
    # As an export that has sat in its folder a while. The cache remembers a
    # file's digest by its stat only once it is SETTLED_NS old (git's racily
    # clean rule): a corpus written just before the cold build would make the
    # first rebuild after it read and hash every transcript again, once (0.5 s
    # at 10,000 episodes), and the +1 measured would be that, not a day's +1.
    settle()
    return root


def settle() -> None:
    from generator.cache import SETTLED_NS
    time.sleep(SETTLED_NS / 1e9 + 0.1)


NEWEST_FILE = "9999_one_more.txt"


def add_newest(root: Path, n: int) -> None:
    """The next day's transcript, as a daily show's new episode would arrive."""
    [extra] = episodes(1, seed=12345)
    extra = dataclasses.replace(extra, date=extra.date + dt.timedelta(days=n))
    (root / "seeds" / NEWEST_FILE).write_text(archive_fm_text(extra), encoding="utf-8")


def newest_builds(root: Path, n: int, repeats: int) -> dict:
    """+1 newest, ``repeats`` times: the new transcript and its page taken
    out and the archive built (not timed) between the tries. The best try's
    timings, every try's wall time (``tries``) and the largest peak memory:
    one +1 on this machine swings by a third from one minute to the next."""
    pages = set((root / "content" / "episodes").glob("*.md"))
    tries = []
    for i in range(repeats):
        if i:
            take_out_newest(root, pages)
            run_build(root)
            settle()
        add_newest(root, n)
        tries.append(run_build(root))
    best = min(tries, key=lambda stats: stats["wall"])
    return {**best, "peak_mb": max(t["peak_mb"] for t in tries), "tries": [t["wall"] for t in tries]}


def take_out_newest(root: Path, pages_before: set[Path]) -> None:
    """Undo add_newest: its transcript and the page the import made of it (not built)."""
    (root / "seeds" / NEWEST_FILE).unlink()
    for page in set((root / "content" / "episodes").glob("*.md")) - pages_before:
        page.unlink()


def add_mid_archive(root: Path, n: int) -> None:
    """A back-filled old episode, dated in the middle of the archive."""
    [extra] = episodes(1, seed=54321)
    extra = dataclasses.replace(extra, date=extra.date + dt.timedelta(days=n // 2))
    (root / "seeds" / "9998_back_filled.txt").write_text(archive_fm_text(extra), encoding="utf-8")


def edit_page(root: Path) -> Path:
    """A hand edit to one imported page in the middle of the archive: a correction at its end."""
    pages = sorted((root / "content" / "episodes").glob("*.md"))
    page = pages[len(pages) // 2]
    with page.open("a", encoding="utf-8") as f:
        f.write("\nA correction added by hand: the benchmark edited this page.\n")
    return page


def differing_files(a: Path, b: Path) -> list[str]:
    """Files present in only one tree, or with different bytes."""
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    differ = sorted(files_a ^ files_b)
    differ += [f for f in sorted(files_a & files_b) if not filecmp.cmp(a / f, b / f, shallow=False)]
    return sorted(differ)


def largest_page(site: Path) -> tuple[str, int]:
    path = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    return path.relative_to(site).as_posix(), path.stat().st_size


def search_folder(site: Path) -> Path:
    return site / find_search_path(site).strip("/")


def index_layout(site: Path) -> dict:
    """What the search index is made of, read from the built search/ folder:
    a single index file (today) gives no shard figures; a sharded one gives
    the shard count and the largest shard (gzip). Shards are the files named
    *shard*, or else the most numerous group of files sharing a name prefix
    (the manifest aside)."""
    folder = search_folder(site)
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".html"]
    gz = {p: len(gzip.compress(p.read_bytes(), GZIP_LEVEL)) for p in files}
    groups: dict[str, list[Path]] = {}
    for p in files:
        rel = p.relative_to(folder).as_posix()
        groups.setdefault(rel.split("/")[0] if "/" in rel else _prefix(p.name), []).append(p)
    layout = {"files": len(files), "gzip": sum(gz.values()),
              "groups": {k: len(v) for k, v in sorted(groups.items())}, "shards": None, "largest_shard": None}
    if len(files) > 1:
        named = [k for k in groups if "shard" in k]
        key = named[0] if named else max((k for k in groups if k != "manifest"), key=lambda k: len(groups[k]))
        biggest = max(groups[key], key=gz.get)
        layout["shards"] = len(groups[key])
        layout["largest_shard"] = (biggest.relative_to(folder).as_posix(), gz[biggest])
    return layout


def _prefix(name: str) -> str:
    for i, c in enumerate(name):
        if c in "-_." or c.isdigit():
            return name[:i] or name
    return name


def build_row(n: int, lunr_max: int, newest_repeats: int = 1) -> dict:
    root = prepare(str(n), n)
    probe_before = speed_probe()
    row: dict = {"n": n, "cold": run_build(root), "noop": run_build(root)}
    row["newest"] = newest_builds(root, n, newest_repeats)
    add_mid_archive(root, n)
    row["mid"] = run_build(root)
    edit_page(root)
    row["edited"] = run_build(root)
    incremental = root / "_site-incremental"
    (root / "_site").rename(incremental)
    # A clean build of the same inputs, as a fresh clone of a site repository
    # builds: pages already imported, no cache, no site.
    set_aside(root / ".cache")
    row["from_pages"] = run_build(root)
    site = root / "_site"
    row["differ"] = differing_files(incremental, site)
    set_aside(incremental)
    row["episodes"] = row["from_pages"]["episodes"]
    row["site_bytes"] = folder_bytes(site)
    row["largest_page"] = largest_page(site)
    row["index"] = index_layout(site)
    row["probe"] = (probe_before, speed_probe())
    if n <= lunr_max:
        row["lunr"] = lunr_ratio(root)
    return row


def hour_long_row(n: int) -> dict:
    root = prepare(f"{n}-hour", n, HOUR_WORDS)
    cold = run_build(root)
    site = root / "_site"
    row = {"n": n, "words": HOUR_WORDS, "cold": cold, "episodes": cold["episodes"],
           "site_bytes": folder_bytes(site), "largest_page": largest_page(site),
           "episodes_bytes": folder_bytes(site / "episodes") if (site / "episodes").is_dir() else 0}
    return row


def lunr_ratio(root: Path) -> dict:
    """build_index and lunr.lunr() (same fields, boosts and pipeline) on the same documents."""
    try:
        from generator.content import load_episode
        from generator.markup import render_body
        from generator.search import SearchDoc, build_index, lunr_index
    except ImportError as error:
        return {"error": f"not timed: {error}"}
    docs = []
    for i, path in enumerate(sorted((root / "content" / "episodes").glob("*.md"))):
        episode = load_episode(path)
        docs.append(SearchDoc(format(i, "x"), episode.title, episode.topics, render_body(episode.body).paragraphs))
    started = time.perf_counter()
    build_index(docs)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    lunr_index(docs)
    return {"ours": ours, "lunr": time.perf_counter() - started}


def speed_probe() -> float:
    """Seconds for a fixed pure-Python loop. This machine's speed swings by
    up to 2x within minutes, so a row's figures are printed with the probe
    taken before and after it: compare rows only where the probes agree."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


# --- the search page ----------------------------------------------------------

class _SearchForm(html.parser.HTMLParser):
    action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("role") == "search" and self.action is None:
            self.action = attrs.get("action")


def find_search_path(site: Path) -> str:
    """The search page's URL path, as a reader finds it: the home page's search form."""
    form = _SearchForm()
    form.feed((site / "index.html").read_text(encoding="utf-8"))
    action = urllib.parse.urlsplit(form.action or "/search/").path
    return action if action.startswith("/") else "/" + action


def search_row(root: Path, pagefind: bool) -> dict:
    from bench import browser, pagefind as pf
    from bench.cdp import Chromium
    from bench.serve import StaticServer

    site = root / "_site"
    search_path = find_search_path(site)
    extra = root / "bench-extra"
    extra.mkdir(exist_ok=True)
    (extra / "incompressible.bin").write_bytes(os.urandom(200_000))
    mounts = {"/": site, "/__bench__/": extra}
    engines = {"ours": search_path}
    row: dict = {"search_path": search_path}
    if pagefind:
        bundle = root / "pagefind"
        set_aside(bundle)
        row["pagefind_index"] = pf.index_site(site, bundle)
        mounts[pf.BUNDLE_PATH] = bundle
        mounts[pf.PAGE_PATH] = pf.write_page(extra / "pagefind-page")
        engines["pagefind"] = pf.PAGE_PATH
    with StaticServer(mounts) as server, Chromium() as chrome:
        row["emulation"] = browser.emulation_check(chrome, server, server.base + "/404.html",
                                                   "/__bench__/incompressible.bin", 200_000)
        for engine, path in engines.items():
            # A first load, not counted: the browser's own start-up costs would fall on one query.
            browser.measure_load(chrome, server, server.base + path + "?q=" + QUERIES[0][1], None)
            results = row[engine] = {"queries": {}}
            for label, q in QUERIES:
                url = server.base + path + "?q=" + urllib.parse.quote(q)
                for profile, network in (("localhost", None), ("mobile", browser.MOBILE)):
                    load = browser.measure_load(chrome, server, url, network)
                    results["queries"][f"{label}/{profile}"] = {
                        "q": q, "first_ms": load.first_ms, "bytes": load.bytes, "requests": len(load.sent),
                        "worker_requests": len(load.worker_paths), "kinds": load.by_kind(search_path),
                        "unseen_by_devtools": load.unseen}
            results["session"] = browser.query_session(chrome, server, server.base + path, SESSION_QUERIES)
            if engine == "ours":   # the Pagefind page has no worker of ours to ask
                results["loaded"] = browser.loaded_queries(chrome, server, server.base + path,
                                                           urllib.parse.quote(LOADED_WARM), LOADED_QUERIES)
    return row


# --- main ---------------------------------------------------------------------

def sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="archive sizes to build (episodes)")
    parser.add_argument("--browser-sizes", default="1000,10000",
                        help="sizes at which to measure the search page (those also in --sizes)")
    parser.add_argument("--hour-long", type=int, default=1000,
                        help=f"episodes of the ~{HOUR_WORDS:,}-word archive for the size per episode; 0 skips it")
    parser.add_argument("--lunr-max", type=int, default=1000, help="time lunr.lunr() up to this many episodes")
    parser.add_argument("--newest-repeats", type=int, default=3,
                        help="+1 newest: best of this many tries (the archive built without it between)")
    parser.add_argument("--index-step-sizes", default="1000,10000",
                        help="time the index step against the single-file one at these sizes (its own corpus)")
    parser.add_argument("--index-step-repeats", type=int, default=5, help="best of this many, interleaved")
    parser.add_argument("--tricks-sizes", default="",
                        help="measure the micro-optimisations against the plain code at these sizes "
                             "(bench/tricks.py; e.g. 1000,10000); none by default")
    parser.add_argument("--no-browser", action="store_true", help="skip the search page measurements")
    parser.add_argument("--no-pagefind", action="store_true", help="skip Pagefind")
    parser.add_argument("--result-selector", help="CSS selector of a result link on the search page "
                        "(first results = the first match appearing); default: #search-results li a[href]")
    args = parser.parse_args()
    if args.result_selector:
        from bench import browser
        browser.RESULT_LINK = args.result_selector
    rows = []
    browser_sizes = set() if args.no_browser else set(sizes(args.browser_sizes))
    for n in sizes(args.sizes):
        row = build_row(n, args.lunr_max, args.newest_repeats)
        if n in browser_sizes:
            row["search"] = search_row(OUT / str(n), not args.no_pagefind)
        rows.append(row)
        print_row(row)
    from bench import index_step
    index_rows = []
    for n in sizes(args.index_step_sizes):
        index_rows.append(index_step.measure(n, args.index_step_repeats))
        print(f"[index step, {n} episodes] " + json.dumps(_rounded(index_rows[-1])), flush=True)
    from bench import tricks
    trick_rows = []
    for n in sizes(args.tricks_sizes):
        trick_rows.append(tricks.measure(n))
        print(f"[tricks, {n} episodes] " + json.dumps(_rounded(trick_rows[-1])), flush=True)
    hour = None
    if args.hour_long:
        hour = hour_long_row(args.hour_long)
        print_row(hour)
    shutil.rmtree(TRASH, ignore_errors=True)
    print()
    print_tables(rows, hour, index_rows)
    if trick_rows:
        tricks.print_rows(trick_rows)


def print_row(row: dict) -> None:
    print(f"[{row['n']} episodes] " + json.dumps(_rounded(row))[:8000], flush=True)


def _rounded(x):
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    return x


if __name__ == "__main__":
    main()
