"""`make bench`: the archive-scale benchmark.

For each size it builds a synthetic archive (bench/corpus.py) and prints a
table: cold build, no-op rebuild, one-new-transcript rebuild, time per stage,
peak memory, output size and the search payload; and, in the same run,
build_index against lunr.lunr() on the same documents, and the search page's
timings in headless chromium against a local server.

    .venv/bin/python -m bench.run [--sizes 100,1000,5000] [--lunr-max 1000] [--browser-size 1000]
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.corpus import archive_fm_text, episodes, write_archive_fm
from generator.paragraphs import split_paragraphs
from generator.search import SearchDoc, build_index, lunr_index

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
TRASH = OUT / ".trash"
GZIP_LEVEL = 6
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def run_build(root: Path) -> dict:
    """import + build in a child process: its timings, wall time and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.build_once", str(root)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"build failed in {root}")
    stats = json.loads(out)
    stats["wall"] = time.perf_counter() - started
    stats["peak_mb"] = usage.ru_maxrss / 1024
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


def prepare(n: int) -> Path:
    """A fresh root with n transcripts (the corpus is regenerated each run: it is deterministic)."""
    root = OUT / str(n)
    set_aside(root)
    write_archive_fm(root / "seeds", n)
    return root


def lunr_ratio(root: Path) -> tuple[float, float]:
    """(build_index seconds, lunr.lunr() seconds) on the same documents."""
    from generator.content import load_episode
    from generator.markup import render_body

    docs = []
    for i, path in enumerate(sorted((root / "content" / "episodes").glob("*.md"))):
        episode = load_episode(path)
        docs.append(SearchDoc(format(i, "x"), episode.title, episode.topics, render_body(episode.body).paragraphs))
    started = time.perf_counter()
    build_index(docs)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    lunr_index(docs)
    return ours, time.perf_counter() - started


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the browser closing a connection early is not news


def browser_timings(site: Path, words: list[str]) -> dict:
    """First results after opening search/?q=WORD, later queries, and the gzip
    bytes of everything the page downloaded to answer its first query."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            downloaded: list[str] = []
            page.on("requestfinished", lambda r: downloaded.append(r.url))
            # Timed inside the page: a polling test driver would add its own delay.
            page.add_init_script("""new MutationObserver((_, seen) => {
                const list = document.getElementById('search-results')
                if (!list || !list.querySelector('li')) return
                window.__first = window.__first || performance.now()
                if (list.dataset.state === 'complete') { window.__complete = performance.now(); seen.disconnect() }
            }).observe(document, {subtree: true, childList: true, attributes: true})""")
            page.goto(base + f"search/?q={words[0]}")
            page.wait_for_function("window.__complete")
            first_ms, snippets_ms = page.evaluate("[window.__first, window.__complete]")
            payload = sum(_gzip_size(site, base, u) for u in downloaded)
            later = []
            for word in words[1:]:
                later.append(page.evaluate("""word => new Promise(resolve => {
                    const input = document.getElementById('site-search')
                    const list = document.getElementById('search-results')
                    const start = performance.now()
                    const seen = new MutationObserver(() => {
                      const status = document.getElementById('search-status').textContent
                      if (status.includes('“' + word + '”')) { seen.disconnect(); resolve(performance.now() - start) }
                    })
                    seen.observe(document.getElementById('search-app'), {subtree: true, childList: true, characterData: true})
                    input.value = word
                    input.dispatchEvent(new Event('input'))
                })""", word))
            browser.close()
    finally:
        server.shutdown()
    return {"first_ms": first_ms, "snippets_ms": snippets_ms, "later_ms": later, "payload": payload}


def _gzip_size(site: Path, base: str, url: str) -> int:
    path = url[len(base):].split("?")[0].split("#")[0]
    file = site / path
    if path == "" or path.endswith("/"):
        file = file / "index.html"
    return len(gzip.compress(file.read_bytes(), GZIP_LEVEL)) if file.is_file() else 0


def add_one(root: Path, n: int) -> None:
    """Drop one more transcript into the archive: the next day's episode, as
    a daily show's new transcript would be."""
    [extra] = episodes(1, seed=12345)
    extra = dataclasses.replace(extra, date=extra.date + dt.timedelta(days=n))
    (root / "seeds" / "9999_one_more.txt").write_text(archive_fm_text(extra), encoding="utf-8")


def speed_probe() -> float:
    """Seconds for a fixed pure-Python loop. This machine's speed swings by
    up to 2x within minutes, so a row's figures are printed with the probe
    taken before and after it: compare rows only where the probes agree."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--lunr-max", type=int, default=1000, help="time lunr.lunr() up to this many episodes")
    parser.add_argument("--browser-size", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        root = prepare(n)
        probe_before = speed_probe()
        cold = run_build(root)
        noop = run_build(root)
        add_one(root, n)
        one = run_build(root)
        site = root / "_site"
        index_gz_bytes = len(gzip.compress((site / "search/index.json").read_bytes(), GZIP_LEVEL))
        out_mb = folder_bytes(site) / 2**20
        browser = browser_timings(site, ["nato", "putin", "ukraine", "west", "russia"]) \
            if n == args.browser_size else None
        # As a fresh clone of a site repository builds: pages already imported, no cache, no site.
        set_aside(site)
        set_aside(root / ".cache")
        from_pages = run_build(root)
        row = {"n": n, "cold": cold, "noop": noop, "one": one, "from_pages": from_pages, "out_mb": out_mb,
               "index_gz_per_episode": index_gz_bytes / (n + 1), "probe": (probe_before, speed_probe())}
        if n <= args.lunr_max:
            row["ours"], row["lunr"] = lunr_ratio(root)
        if browser:
            row["browser"] = browser
        rows.append(row)
        print_row(row)
    shutil.rmtree(TRASH, ignore_errors=True)
    print()
    print_table(rows)


def print_row(row: dict) -> None:
    print(f"[{row['n']} episodes] " + json.dumps(row, default=lambda x: round(x, 3))[:2000], flush=True)


def print_table(rows: list[dict]) -> None:
    print("| episodes | speed probe before/after | cold build | cold, pages already imported | no-op rebuild | +1 transcript | parse | import | load | render | search index | write | peak memory | output | index gzip/episode | build_index vs lunr.lunr() |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        c = r["cold"]
        peak = max(r[k]["peak_mb"] for k in ("cold", "noop", "one", "from_pages"))
        ratio = f"{r['ours']:.1f} s vs {r['lunr']:.1f} s = {r['lunr'] / r['ours']:.1f}x" if "lunr" in r else "not timed"
        print(f"| {r['n']:,} | {r['probe'][0]:.2f}/{r['probe'][1]:.2f} s | {c['wall']:.1f} s | {r['from_pages']['wall']:.1f} s | {r['noop']['wall']:.2f} s | "
              f"{r['one']['wall']:.2f} s | {c['parse']:.1f} s | {c['import']:.1f} s | {c['load']:.1f} s | "
              f"{c['render']:.1f} s | {c['search']:.1f} s | {c['write']:.1f} s | {peak:.0f} MB | "
              f"{r['out_mb']:.0f} MB | {r['index_gz_per_episode']:,.0f} B | {ratio} |")
    for r in rows:
        if "browser" in r:
            b = r["browser"]
            print(f"\nsearch page at {r['n']:,} episodes (headless chromium, local server): first results "
                  f"{b['first_ms']:.0f} ms after opening search/?q=nato (snippets complete at "
                  f"{b['snippets_ms']:.0f} ms); later queries "
                  + ", ".join(f"{t:.0f}" for t in b["later_ms"]) + " ms; "
                  f"payload for the first query {b['payload'] / 1024:.0f} KiB gzip = "
                  f"{b['payload'] / (r['n'] + 1):,.0f} B per episode")


if __name__ == "__main__":
    main()
