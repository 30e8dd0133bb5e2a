"""The sharded search in headless chromium: what the page and its worker
download, filters and sort in the URL, the prefix of the word being typed,
no layout shift, and a deploy under an open tab."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from bench.corpus import archive_fm_text, episodes
from generator.search import stem
from generator.search_shards import meta_name, shard_name
from tests.site_support import REPO, build_site_at, serve

pytestmark = pytest.mark.browser
YEARS = (2019, 2020, 2021)


def _sources(root: Path, extra: int = 0) -> Path:
    source = root / "transcripts"
    source.mkdir(parents=True, exist_ok=True)
    for folder in (REPO / "seeds", REPO / "tests/fixtures/search"):
        for path in folder.glob("*.txt"):
            shutil.copy(path, source)
    # Synthetic episodes in three shows and three years, for the filters.
    for i, episode in enumerate(episodes(9 + extra, 400, seed=7)):
        episode = dataclasses.replace(episode, date=dt.date(YEARS[i % 3], 1 + i % 12, 1 + i % 28))
        (source / f"synthetic-{i:02d}.txt").write_text(archive_fm_text(episode), encoding="utf-8")
    return source


def _build(root: Path, extra: int = 0) -> Path:
    out, report, log = build_site_at(root, _sources(root, extra))
    assert report.errors == 0, log
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = _build(tmp_path_factory.mktemp("shards"))
    with serve(out) as url:
        yield out, url


def _manifest(out: Path) -> dict:
    return json.loads((out / "search" / json.loads((out / "search/latest.json").read_text())["manifest"]).read_text())


def _requests(page) -> list[str]:
    urls: list[str] = []
    page.context.on("request", lambda r: urls.append(r.url))
    return urls


def _results(page, timeout=10_000) -> list[dict]:
    page.wait_for_selector("#search-results[data-state=complete] li a.result", timeout=timeout)
    return page.eval_on_selector_all("#search-results a.result", """links => links.map(a => ({
        title: a.querySelector('.result-title').textContent, href: a.getAttribute('href'),
        meta: a.querySelector('.result-meta').textContent}))""")


def _listed(page) -> list[tuple[str, str, str]]:
    """Each result's title, page, and show and date."""
    return [(r["title"], r["href"].split("?")[0].split("#")[0], r["meta"]) for r in _results(page)]


def _shard_of(manifest: dict, term: str) -> list[str]:
    return [shard_name(manifest, i) for i, s in enumerate(manifest["shards"]) if s[0] <= term <= s[1]]


def test_a_query_loads_the_manifest_its_shards_and_the_shown_results_only(page, site):
    out, url = site
    manifest = _manifest(out)
    requests = _requests(page)
    page.goto(url + "search/?q=Lukashenko")
    results = _results(page)
    page.wait_for_function("document.querySelectorAll('.result-snippet mark').length > 0")
    searched = sorted({u.split("/search/")[1] for u in requests if "/search/" in u and not u.endswith("/search/")
                       and "?q=" not in u})
    assert searched == sorted([json.loads((out / "search/latest.json").read_text())["manifest"],
                               *_shard_of(manifest, "lukashenko"), meta_name(manifest, 0), manifest["docs"]])
    pages = {u.split(url)[1] for u in requests if "/episodes/" in u}
    assert pages and pages <= {r["href"].split("?")[0].split("#")[0].lstrip("/") for r in results}
    assert not [u for u in requests if u.endswith(".txt")]
    assert page.errors == []


def test_filters_and_sort_are_in_the_url_and_count_the_hits(page, site):
    out, url = site
    page.goto(url + "search/?q=" + quote("russia"))
    everything = _results(page)
    page.select_option("#search-year", "2020")
    page.wait_for_url(re.compile(r"year=2020"))
    in_2020 = _results(page)
    assert 0 < len(in_2020) < len(everything)
    assert all("2020" in r["meta"] for r in in_2020)
    label = page.eval_on_selector("#search-year option[value='2020']", "o => o.textContent")
    assert label == f"2020 ({len(in_2020)})"
    page.focus("#search-show")   # show counts are loaded when the filter is used
    page.wait_for_function("document.querySelector('#search-show option:nth-child(2)').textContent.includes('(')")
    show = page.eval_on_selector("#search-show option:nth-child(2)", "o => o.value")
    page.select_option("#search-show", show)
    page.select_option("#search-sort", "date")
    page.wait_for_url(re.compile(r"sort=date"))
    both = _results(page)
    assert all(show in r["meta"] and "2020" in r["meta"] for r in both)
    assert f"show={quote(show).replace('%20', '+')}" in page.url or f"show={quote(show)}" in page.url
    # Reloading the URL gives the same page.
    page.goto(page.url)
    assert _results(page) == both
    assert page.input_value("#search-show") == show and page.input_value("#search-sort") == "date"
    assert page.errors == []


def test_sort_by_date_lists_newest_first(page, site):
    _, url = site
    page.goto(url + "search/?q=russia&sort=date")
    dates = [dt.datetime.strptime(re.search(r"\d{1,2} \w+ \d{4}", r["meta"]).group(0), "%d %B %Y")
             for r in _results(page)]
    assert dates == sorted(dates, reverse=True) and len(dates) > 3


def test_equally_good_matches_list_newest_first(page, site):
    # Only an excluded word: every other episode matches, all with one score.
    _, url = site
    page.goto(url + "search/?q=" + quote("-zzzyzzx"))
    dates = [dt.datetime.strptime(re.search(r"\d{1,2} \w+ \d{4}", r["meta"]).group(0), "%d %B %Y")
             for r in _results(page)]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 3


def test_the_word_being_typed_matches_as_a_prefix_of_the_stems(page, site):
    _, url = site
    page.goto(url + "search/")
    page.wait_for_function("document.getElementById('search-status').textContent.includes('Type to search')")
    page.keyboard.type("escalat")
    titles = [r["title"] for r in _results(page)]
    assert "Putin & Lukashenko prepare for NATO escalation" in titles
    page.keyboard.press("Enter")   # complete: no prefix
    page.wait_for_function("document.getElementById('search-status').textContent.includes('No episodes match')")
    page.goto(url + "search/?q=escalat")
    page.wait_for_function("document.getElementById('search-status').textContent.includes('No episodes match')")
    assert page.errors == []


def test_a_query_over_the_bounds_says_so_and_answers_fast(page, site):
    _, url = site
    page.goto(url + "search/?q=" + quote("pneumonoultramicroscopic~5"))
    page.wait_for_function("document.getElementById('search-status').textContent.includes('No episodes match')",
                           timeout=3000)
    page.goto(url + "search/?q=" + quote("*a*"))
    page.wait_for_function("document.getElementById('search-status').textContent.includes('only 100 are searched')",
                           timeout=3000)
    assert page.errors == []


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_results_arriving_do_not_shift_the_page(browser, site, width):
    _, url = site
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.add_init_script("""window.__shift = 0; new PerformanceObserver(list => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value
    }).observe({type: 'layout-shift', buffered: true})""")
    page.route(re.compile(r".*/episodes/.*\.html$"), lambda route: (page.wait_for_timeout(300), route.continue_()))
    page.goto(url + "search/?q=russia")
    _results(page)
    page.wait_for_function("document.querySelectorAll('.result-snippet mark').length > 1")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__shift") == 0
    context.close()


def test_a_deploy_under_an_open_tab_does_not_break_it(browser, page, tmp_path):
    out = _build(tmp_path / "site", extra=150)   # enough postings for several shards
    old = _manifest(out)
    assert len(old["shards"]) >= 2
    first = _shard_of(old, "russia")
    elsewhere = [(shard_name(old, i), t) for i in range(len(old["shards"])) if [shard_name(old, i)] != first
                 for t in json.loads((out / "search" / shard_name(old, i)).read_text())["t"]]
    with serve(out) as url:
        page.goto(url + "search/?q=russia")
        _results(page)
        # Rebuild with more episodes: the shards holding their words get new names.
        _sources(tmp_path / "site", extra=153)
        out2, report, log = build_site_at(tmp_path / "site", tmp_path / "site" / "transcripts")
        assert report.errors == 0, log
        new = _manifest(out2)
        assert old["docs"] != new["docs"]
        # A word the open page has not loaded yet: its old shard is gone.
        new_terms = set(json.loads((out2 / "search" / new["terms"]).read_text()))
        other = next(t for name, t in elsewhere if not (out2 / "search" / name).exists()
                     and t in new_terms and t.isalpha() and stem(t) == t and len(t) > 4)
        requests = _requests(page)
        page.fill("#site-search", other)
        page.keyboard.press("Enter")
        page.wait_for_function(f"document.getElementById('search-status').textContent.includes('“{other}”')")
        assert _results(page)
        assert any(u.endswith("/search/latest.json") for u in requests)
        assert any(u.endswith("/search/" + name) for u in requests for name in _shard_of(new, other))
        # The open tab now answers as a tab opened after the deploy does, for
        # the new word and for one whose old shards it had loaded.
        fresh = browser.new_page()
        for q in (other, "russia"):
            if q != other:
                page.fill("#site-search", q)
                page.keyboard.press("Enter")
                page.wait_for_function(f"document.getElementById('search-status').textContent.includes('“{q}”')")
            fresh.goto(url + "search/?q=" + quote(q))
            # (Snippets arrive later, one by one: their paragraph is not compared.)
            assert _listed(page) == _listed(fresh)
        fresh.close()
        assert not [e for e in page.errors if "404" not in e]


def test_focusing_the_box_on_another_page_fetches_the_current_manifest(page, site):
    out, url = site
    manifest = json.loads((out / "search/latest.json").read_text())["manifest"]
    requests = _requests(page)
    page.goto(url + "topics/")
    assert not [u for u in requests if "/search/" in u]
    page.keyboard.press("/")
    page.wait_for_function("document.querySelector('link[rel=prefetch]') !== null")
    page.wait_for_timeout(300)
    assert [u.split("/search/")[1] for u in requests if "/search/" in u] == ["latest.json", manifest]
