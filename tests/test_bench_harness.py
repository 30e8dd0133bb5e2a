"""The benchmark's measuring tools: what `make bench` reports is only as good
as its server's byte counts, its view of a Web Worker's requests and its
reading of the built search folder."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from bench.run import differing_files, find_search_path, index_layout
from bench.serve import StaticServer


def fetch(url: str, gzip_ok: bool = True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_server_gzips_text_as_pages_does_and_logs_the_bytes_sent(tmp_path):
    text = ("a transcript line that repeats " * 500).encode()
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "one.txt").write_bytes(text)
    (tmp_path / "blob.pf_index").write_bytes(os.urandom(3000))
    with StaticServer({"/": tmp_path}) as server:
        status, headers, body = fetch(server.base + "/episodes/one.txt")
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == text and len(body) < len(text) / 10
        status, headers, body = fetch(server.base + "/blob.pf_index")
        assert status == 200 and headers["Content-Encoding"] is None and len(body) == 3000
        assert fetch(server.base + "/missing.json")[0] == 404
        log = server.take_log()
    assert [(s.path, s.status) for s in log] == [
        ("/episodes/one.txt", 200), ("/blob.pf_index", 200), ("/missing.json", 404)]
    assert log[0].body_bytes == len(gzip.compress(text, 6, mtime=0)) and log[1].body_bytes == 3000
    assert server.take_log() == []


def test_server_refuses_paths_outside_its_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "secret.txt").write_text("no")
    with StaticServer({"/": site}) as server:
        assert server.file_for("/../secret.txt") is None
        assert server.file_for("/%2e%2e/secret.txt") is None


def test_index_layout_tells_a_single_index_from_shards(tmp_path):
    single = tmp_path / "single"
    (single / "search").mkdir(parents=True)
    (single / "index.html").write_text('<form role="search" action="/search/"></form>')
    (single / "search" / "index.html").write_text("<p>page</p>")
    (single / "search" / "index.json").write_text('{"terms": []}')
    layout = index_layout(single)
    assert layout["files"] == 1 and layout["shards"] is None

    sharded = tmp_path / "sharded"
    shutil.copytree(single, sharded)
    (sharded / "search" / "index.json").unlink()
    (sharded / "search" / "manifest-0a1b.json").write_text('{"shards": 3}')
    for i, words in enumerate(["a", "b" * 4000, "c"]):
        (sharded / "search" / f"shard-{i}-ffee.json").write_text(os.urandom(200).hex() + words)
    (sharded / "search" / "meta-0-aa.json").write_text("[]")
    layout = index_layout(sharded)
    assert layout["shards"] == 3
    assert layout["largest_shard"][0] == "shard-1-ffee.json"


def test_search_page_is_found_from_the_home_page_form(tmp_path):
    (tmp_path / "index.html").write_text('<header><form class="search-box" role="search" '
                                         'action="/archive/find/" method="get"></form></header>')
    assert find_search_path(tmp_path) == "/archive/find/"


def test_differing_files_names_changed_missing_and_extra_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "x").mkdir(parents=True)
        (root / "x" / "same.html").write_text("same")
    (a / "changed.html").write_text("one")
    (b / "changed.html").write_text("two")
    (a / "only-a.txt").write_text("a")
    (b / "x" / "only-b.txt").write_text("b")
    assert differing_files(a, b) == ["changed.html", "only-a.txt", "x/only-b.txt"]
    assert differing_files(a / "x", a / "x") == []


WORKER_PAGE = """<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<input id="site-search"><ol id="search-results"></ol>
<script>
const worker = new Worker('/worker.js')
worker.onmessage = e => {
  const li = document.createElement('li'), a = document.createElement('a')
  a.href = '/' + e.data; a.textContent = e.data; li.append(a)
  document.getElementById('search-results').replaceChildren(li)
}
worker.postMessage(new URLSearchParams(location.search).get('q'))
document.getElementById('site-search').addEventListener('input', e => worker.postMessage(e.target.value))
</script>"""
WORKER = """onmessage = async e => {
  const shard = await (await fetch('/search/shard-' + e.data.length % 2 + '.json')).json()
  postMessage(shard.word + ':' + e.data)
}"""


@pytest.mark.browser
def test_measure_load_counts_the_workers_fetches_and_times_the_first_result_link(tmp_path):
    from bench import browser
    from bench.cdp import Chromium

    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("browser tests must run in CI: /usr/bin/chromium not found")
        pytest.skip("/usr/bin/chromium not found")
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "index.html").write_text(WORKER_PAGE)
    (tmp_path / "worker.js").write_text(WORKER)
    for i in range(2):
        (tmp_path / "search" / f"shard-{i}.json").write_text('{"word": "w%d", "pad": "%s"}' % (i, "x" * 50_000))
    (tmp_path / "big.bin").write_bytes(os.urandom(100_000))
    with StaticServer({"/": tmp_path}) as server, Chromium() as chrome:
        load = browser.measure_load(chrome, server, server.base + "/search/?q=abc", None)
        assert load.first_ms is not None and load.first_ms > 0
        assert sorted(s.path for s in load.sent) == ["/search/", "/search/shard-1.json", "/worker.js"]
        assert load.worker_paths == {"/search/shard-1.json"}
        assert load.unseen == []
        kinds = load.by_kind("/search/")
        assert kinds["index"] == len(gzip.compress(('{"word": "w1", "pad": "%s"}' % ("x" * 50_000)).encode(), 6, mtime=0))
        assert set(kinds) == {"page", "scripts", "index"}

        session = browser.query_session(chrome, server, server.base + "/search/", ["abc", "ab", "abcd", "a", "xy"])
        assert len(session["later_ms"]) == 4 and None not in session["later_ms"]
        assert session["heap_bytes"] > 0

        # The page's network emulation slows the worker's own fetches: 100 KB at 200 KB/s.
        check = browser.emulation_check(chrome, server, server.base + "/search/?q=a", "/big.bin", 100_000)
        assert check["worker_ms"] >= 600


def test_the_old_index_step_is_the_single_index_json_of_the_same_documents():
    """bench/old_index.py, the reference issue 12's index-step target is
    timed against, indexes what today's compact index holds (in its old
    layout: keys field by field)."""
    from bench import old_index
    from bench.corpus import episodes
    from generator.search import FIELDS, SearchDoc, compact_index, doc_tokens

    docs = [SearchDoc(str(i), e.title, e.topics, (e.text,)) for i, e in enumerate(episodes(40, 300))]
    tokens = [doc_tokens(doc) for doc in docs]
    refs, meta = [doc.ref for doc in docs], [{"t": doc.title} for doc in docs]
    counts: dict = {}
    old = json.loads(old_index.to_json(old_index.state_of(refs, old_index.compact_index(refs, tokens, meta, counts),
                                                          counts)))
    new = compact_index(refs, tokens, meta)

    def postings(compact: dict, place) -> dict:
        out = {}
        for term, row in zip(compact["terms"], compact["postings"]):
            key = 0
            for j in range(0, len(row), 2):
                key += row[j]
                out[term, *place(key)] = row[j + 1]
        return out

    assert (old["terms"], old["lengths"], old["docs"]) == (new["terms"], new["lengths"], new["docs"])
    assert postings(old, lambda key: divmod(key, len(refs))) == \
        postings(new, lambda key: divmod(key, len(FIELDS))[::-1])


def test_index_step_bench_times_the_old_a_full_and_a_newest_episode_build(tmp_path):
    from bench.index_step import measure

    row = measure(12, 1, tmp_path / "cache")
    assert set(row["seconds"]) == {"old", "full", "newest"} and row["full_vs_old"] > 0 and row["newest_vs_old"] > 0
    assert not (tmp_path / "cache").exists()


def test_the_stat_passes_bench_knows_every_digest_both_ways(tmp_path):
    """With the look's stats, the import and the loader know each page's
    and transcript's digest as they do asking stat again: the shortcut
    the bench times is the one the build takes, and it loses nothing."""
    from bench.corpus import write_archive_fm
    from bench.run import run_build
    from bench.stat_passes import measure

    write_archive_fm(tmp_path / "seeds", 12, 300)
    run_build(tmp_path)
    row = measure(tmp_path, 1)
    assert row["known"] == [3 * 12]   # two passes over the pages, one over the transcripts


def test_the_newest_episode_is_tried_again_on_the_archive_without_it(tmp_path):
    from bench.corpus import write_archive_fm
    from bench.run import newest_builds, run_build

    write_archive_fm(tmp_path / "seeds", 12, 300)
    run_build(tmp_path)
    stats = newest_builds(tmp_path, 12, 2)
    assert len(stats["tries"]) == 2 and stats["wall"] == min(stats["tries"]) and stats["episodes"] == 13
    # Each try added the same episode, once: one more page, and the site shows 13 episodes.
    assert len(list((tmp_path / "content" / "episodes").glob("*.md"))) == 13
    assert "13 episodes" in (tmp_path / "_site" / "index.html").read_text(encoding="utf-8")


def test_the_tricks_bench_replays_what_a_build_did_and_each_pair_agrees(tmp_path):
    from bench import tricks
    from bench.corpus import write_archive_fm

    write_archive_fm(tmp_path / "seeds", 12)
    build = tricks.recorded_build(tmp_path, "cold", limit=5)
    notes = build["notes"]
    assert build["episodes"] == 12 and build["cpu"] > 0
    assert notes["render"]["episode.html"][1] == 12 and len(notes["render"]["episode.html"][0]) == 5
    assert notes["import"][1] == 12
    assert len(notes["sitemap"]) == len(list((tmp_path / "_site").glob("sitemap-*.xml"))) >= 2
    # Each replay raises SystemExit if the trick and the plain code give different bytes.
    for replay in (tricks.replay_getattr, tricks.replay_yaml, tricks.replay_sitemap):
        seconds = replay(notes, 1)
        assert seconds["trick"] > 0 and seconds["plain"] > 0


def test_the_tricks_bench_builds_with_and_without_the_collector(tmp_path):
    from bench import tricks
    from bench.corpus import write_archive_fm
    from bench.run import add_newest

    write_archive_fm(tmp_path / "seeds", 12)
    tricks.recorded_build(tmp_path, "cold", limit=1)
    pages = set((tmp_path / "content" / "episodes").glob("*.md"))
    add_newest(tmp_path, 12)
    tricks.recorded_build(tmp_path, "plus1", limit=1)
    seconds = tricks.replay_gc(tmp_path, 12, pages, 1)
    assert seconds["+1"]["trick"] > 0 and seconds["+1"]["plain"] > 0 and seconds["cold"]["plain"] > 0
    # It leaves the archive with the newest episode, built from nothing.
    assert len(list((tmp_path / "content" / "episodes").glob("*.md"))) == 13
    assert (tmp_path / "_site" / "index.html").read_text(encoding="utf-8").count('class="card') >= 1
