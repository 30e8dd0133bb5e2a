"""Search index benchmark: build_index against lunr.lunr() on the same
synthetic episodes in the same run, and the gzip payload the search page
downloads.

    .venv/bin/python -m bench.search_bench [--episodes 1000] [--lunr-episodes N]

lunr.lunr() on 1,000 episodes takes about a minute on two cores; --lunr-episodes
times it on the first N only and scales linearly, and the output says so.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import time
from pathlib import Path

import lunr
from lunr.index import Index

from bench.corpus import episodes
from generator.paragraphs import split_paragraphs
from generator.search import (
    BOOSTS, FIELDS, SearchDoc, build_index, expand_index, lunr_documents, lunr_index, to_json,
)
from generator.slugs import slugify

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
ASSETS = [REPO / "node_modules/lunr/lunr.min.js", REPO / "generator/assets/search-pipeline.js",
          REPO / "generator/assets/search-index.js"]
QUERIES = ["nato", "putin russia", "title:ukraine", "+west -war", '"united states"']
GZIP_LEVEL = 6   # what web servers, GitHub Pages among them, typically use

NODE_LOAD = """
globalThis.lunr = require(process.argv[1] + '/node_modules/lunr/lunr.js')
require(process.argv[1] + '/generator/assets/search-pipeline.js')
require(process.argv[1] + '/generator/assets/search-index.js')
const ms = t => (performance.now() - t).toFixed(0) + ' ms'
let t = performance.now()
const compact = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'))
const parse = ms(t); t = performance.now()
const index = archiveSearch.loadIndex(compact)
const load = ms(t); t = performance.now()
const hits = index.search('nato').length
console.log(`JSON.parse ${parse}, loadIndex ${load}, first query ${ms(t)} (${hits} hits)`)
"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, GZIP_LEVEL))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--words", type=int, default=3500)
    parser.add_argument("--lunr-episodes", type=int, help="time lunr.lunr() on only this many episodes")
    parser.add_argument("--baseline", choices=("ours", "default"), default="ours",
                        help="lunr.lunr() with our pipeline (default) or with lunr.py's default one")
    args = parser.parse_args()

    corpus, seconds = timed(lambda: episodes(args.episodes, args.words))
    docs = [SearchDoc(format(i, "x"), e.title, e.topics, tuple(split_paragraphs(e.text)))
            for i, e in enumerate(corpus)]
    words = sum(len(e.text.split()) for e in corpus)
    print(f"corpus: {len(docs)} episodes, {words:,} words ({words // len(docs):,} per episode), "
          f"generated in {seconds:.1f} s")

    # First, so that build_index starts with a cold token memo.
    compact, ours = timed(lambda: build_index(docs))
    print(f"build_index: {ours:.2f} s, {len(compact['terms']):,} terms")

    subset = docs[:args.lunr_episodes] if args.lunr_episodes else docs
    if args.baseline == "ours":
        reference, theirs = timed(lambda: lunr_index(subset))
        how = "same fields, boosts and pipeline"
    else:
        fields = [{"field_name": name, "boost": boost} for name, boost in zip(FIELDS, BOOSTS)]
        reference, theirs = timed(lambda: lunr.lunr("ref", fields, lunr_documents(subset)))
        how = "same fields and boosts, lunr.py's default pipeline"
    if len(subset) < len(docs):
        scaled = theirs * len(docs) / len(subset)
        print(f"lunr.lunr(): {theirs:.1f} s on the first {len(subset)} episodes only ({how}); "
              f"scaled linearly to {len(docs)}: {scaled:.1f} s")
        print(f"ratio: {scaled / ours:.1f}x (EXTRAPOLATED from {len(subset)} episodes; target >= 5x)")
    else:
        print(f"lunr.lunr(): {theirs:.1f} s ({how})")
        print(f"ratio: {theirs / ours:.1f}x (target >= 5x)")

    if args.baseline == "ours" and len(subset) == len(docs):
        loaded = Index.load(expand_index(compact))
        agree = sum([r["ref"] for r in loaded.search(q)][:10] == [r["ref"] for r in reference.search(q)][:10]
                    for q in QUERIES)
        print(f"top-10 refs agree with lunr.lunr() on {agree}/{len(QUERIES)} queries")

    meta = [{"url": f"/episodes/{slugify(e.title)}/", "title": e.title, "show": e.show,
             "date": e.date.isoformat()} for e in corpus]
    index_bytes = to_json(compact).encode()
    with_meta = to_json({**compact, "docs": meta}).encode()
    assets = sum(gz(path.read_bytes()) for path in ASSETS if path.exists())
    n = len(docs)
    print(f"payload, gzip -{GZIP_LEVEL}, per episode: index {gz(index_bytes) / n:,.0f} B "
          f"({len(index_bytes) / n:,.0f} B raw); with result metadata {gz(with_meta) / n:,.0f} B; "
          f"with lunr.min.js and search JS too {(gz(with_meta) + assets) / n:,.0f} B (target <= 2,500 B)")

    OUT.mkdir(parents=True, exist_ok=True)
    index_file = OUT / "search-index.json"
    index_file.write_bytes(with_meta)
    node = shutil.which("node")
    if node and ASSETS[0].exists():
        proc = subprocess.run([node, "-e", NODE_LOAD, str(REPO), str(index_file)], capture_output=True, text=True)
        print("lunr.js (node):", proc.stdout.strip() or proc.stderr.strip())
    else:
        print("lunr.js (node): skipped, no node or node_modules/lunr")
    print(f"wrote {index_file.relative_to(REPO)}")


if __name__ == "__main__":
    main()
