"""Pagefind on the same built site, for comparison: index the episode pages
with npx pagefind (the pinned devDependency), and a small search page on its
JS API that shows ten results the way ours does (a list of links), so the
same measurement applies to both.

The bundle is written beside the site, not into it, and served at
/pagefind/; the page is served at /pagefind-bench/. Neither is committed to
the site's templates.
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE_PATH = "/pagefind-bench/"
BUNDLE_PATH = "/pagefind/"

# Pagefind's titles and excerpts come with each result's fragment, so its
# first results already carry what ours add as snippets.
PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Pagefind</title><link rel="icon" href="data:,">
<input id="site-search" type="search" autocomplete="off">
<ol id="search-results"></ol>
<script type="module">
const pagefind = await import("%(bundle)spagefind.js")
await pagefind.init()
const list = document.getElementById("search-results")
let latest = 0
async function run (q) {
  const id = ++latest
  const search = await pagefind.search(q)
  if (id !== latest || !search) return
  const data = await Promise.all(search.results.slice(0, 10).map(r => r.data()))
  if (id !== latest) return
  list.replaceChildren(...data.map(d => {
    const li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("p")
    a.href = d.url
    a.textContent = d.meta.title
    p.innerHTML = d.excerpt
    li.append(a, p)
    return li
  }))
}
const input = document.getElementById("site-search")
input.value = new URLSearchParams(location.search).get("q") || ""
input.addEventListener("input", () => run(input.value))
if (input.value) run(input.value)
</script>
</html>
"""


def write_page(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(PAGE % {"bundle": BUNDLE_PATH}, encoding="utf-8")
    return folder


def index_site(site: Path, bundle: Path) -> dict:
    """Run Pagefind on the site's episode pages: its wall time and peak memory."""
    binary = REPO / "node_modules" / ".bin" / "pagefind"
    if not binary.exists():
        raise SystemExit("pagefind is not installed: run make install")
    started = time.perf_counter()
    proc = subprocess.Popen([str(binary), "--site", str(site), "--output-path", str(bundle),
                             "--glob", "episodes/*.html", "--quiet"], cwd=REPO,
                            stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"pagefind failed on {site}")
    # npx's launcher is node; the indexer is its child: RUSAGE_CHILDREN covers both.
    return {"seconds": time.perf_counter() - started, "peak_mb": usage.ru_maxrss / 1024,
            **index_files(bundle)}


def index_files(bundle: Path) -> dict:
    chunks = sorted((bundle / "index").glob("*.pf_index"), key=lambda p: p.stat().st_size)
    return {"chunks": len(chunks), "largest_chunk": chunks[-1].stat().st_size if chunks else 0}
