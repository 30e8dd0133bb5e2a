"""Whole-site build: every page there, links and anchors sound at the root
and under a sub-path, output reproducible, hostile text shown literally."""
from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.errors import BuildError
from tests.site_support import REPO, broken_links, build_site_at

SUBPATH = "https://user.github.io/repo/"
HOSTILE = REPO / "tests" / "fixtures" / "hostile"


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory) -> Path:
    out, report, log = build_site_at(tmp_path_factory.mktemp("root"))
    assert report.clean, log
    return out


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory) -> Path:
    out, report, log = build_site_at(tmp_path_factory.mktemp("sub"), base_url=SUBPATH)
    assert report.clean, log
    return out


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    out, report, log = build_site_at(tmp_path_factory.mktemp("hostile"), transcripts=HOSTILE)
    assert report.errors == 0, log
    return out


def _episode_pages(out: Path) -> list[Path]:
    return sorted(out.glob("episodes/*.html"))


def test_every_kind_of_page_is_written(seed_site: Path):
    for name in ["index.html", "404.html", "archive/index.html", "archive/2024.html",
                 "topics/index.html", "topics/putin.html", "search/index.html",
                 "feed.xml", "feed.json", "sitemap.xml", "robots.txt", ".nojekyll", "assets/style.css"]:
        assert (seed_site / name).is_file(), name
    assert len(_episode_pages(seed_site)) == 2
    # A topic of one episode only has no page (topic_page_episodes: 2).
    assert not (seed_site / "topics/lukashenko.html").exists()
    # One show only: no show pages.
    assert not (seed_site / "shows").exists()


def test_no_broken_internal_links_or_anchors_at_root(seed_site: Path):
    assert broken_links(seed_site, "http://localhost:8000/") == []


def test_no_broken_internal_links_or_anchors_under_a_subpath(subpath_site: Path):
    assert broken_links(subpath_site, SUBPATH) == []
    home = (subpath_site / "index.html").read_text()
    assert 'href="/repo/assets/style.css"' in home
    assert not re.search(r'(href|src)="/(?!repo/)', home), "a root link escapes the /repo/ sub-path"
    feed = (subpath_site / "feed.xml").read_text()
    assert "<link>https://user.github.io/repo/episodes/" in feed


def test_link_checker_notices_a_broken_link(seed_site: Path, tmp_path: Path):
    copy = Path(shutil.copytree(seed_site, tmp_path / "copy"))
    page = copy / "index.html"
    page.write_text(page.read_text().replace("</main>", '<a href="/nowhere/">x</a><a href="#p-999">y</a></main>'))
    problems = broken_links(copy, "http://localhost:8000/")
    assert any("/nowhere/" in p for p in problems) and any("p-999" in p for p in problems)


def test_episode_page_shows_what_a_listener_needs(seed_site: Path):
    html = (seed_site / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()
    assert "<h1>Putin &amp; Lukashenko prepare for NATO escalation</h1>" in html
    assert 'datetime="2024-05-25"' in html and "25 May 2024" in html
    assert "24m" in html and "min</dd>" in html
    assert re.search(r"<dd>3,\d{3}</dd>", html), "word count"
    paragraphs = re.findall(r'<p id="p-(\d+)"[ >]', html)
    assert paragraphs == [str(n) for n in range(1, len(paragraphs) + 1)] and len(paragraphs) > 10
    assert 'href="#p-1"' in html
    assert '<a href="/topics/putin.html">Putin</a>' in html   # in both episodes
    assert "<li><span>Lukashenko</span></li>" in html           # in this one only: no page to link to
    assert 'rel="next"' in html  # the newer episode
    assert "Related episodes" in html
    assert '<button type="button" data-download="putin-lukashenko-prepare-for-nato-escalation.txt"' in html


def test_plain_text_download_holds_every_word(tmp_path: Path):
    from generator.transcript import read_transcript

    out, report, log = build_site_at(tmp_path, transcript_files=True)
    assert report.clean, log
    transcript = read_transcript(REPO / "seeds" / "000_c076a2ace7a3298f.txt")
    text = (out / "episodes/putin-lukashenko-prepare-for-nato-escalation.txt").read_text()
    header, body = text.split("\n\n", 1)
    assert header.splitlines()[0] == transcript.title
    assert body.split() == transcript.text.split()
    page = (out / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()
    assert 'href="/episodes/putin-lukashenko-prepare-for-nato-escalation.txt" download=' in page


def test_by_default_the_page_makes_the_download_and_no_txt_is_written(seed_site: Path):
    page = (seed_site / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()
    assert '<button type="button" data-download="putin-lukashenko-prepare-for-nato-escalation.txt" ' in page
    assert sorted(p.name for p in seed_site.rglob("*.txt")) == ["robots.txt"]


def test_json_ld_describes_the_episode(seed_site: Path):
    html = (seed_site / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["@type"] == "PodcastEpisode"
    assert data["name"] == "Putin & Lukashenko prepare for NATO escalation"
    assert data["url"] == "http://localhost:8000/episodes/putin-lukashenko-prepare-for-nato-escalation.html"
    assert data["datePublished"] == "2024-05-25"
    assert data["duration"] == "PT24M"
    assert data["description"]
    assert data["partOfSeries"] == {"@type": "PodcastSeries", "name": "The Duran Podcast"}
    assert f'<link rel="canonical" href="{data["url"]}">' in html
    assert f'<meta property="og:url" content="{data["url"]}">' in html


def test_rss_feed_is_valid_and_points_at_transcripts(seed_site: Path):
    root = ET.parse(seed_site / "feed.xml").getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Belarus joins SCO. Eurasia grows stronger",
                                                    "Putin & Lukashenko prepare for NATO escalation"]
    for item in items:
        link = item.findtext("link")
        assert (seed_site / link.removeprefix("http://localhost:8000/")).is_file()
        transcript = item.find("{https://podcastindex.org/namespace/1.0}transcript")
        assert transcript.get("type") == "text/html" and transcript.get("url") == link
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} 00:00:00 \+0000", item.findtext("pubDate"))


def test_json_feed_is_version_1_1(seed_site: Path):
    feed = json.loads((seed_site / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://localhost:8000/feed.json"
    assert len(feed["items"]) == 2
    for item in feed["items"]:
        assert item["id"] and item["url"].startswith("http://localhost:8000/episodes/")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", item["date_published"])


def test_sitemap_lists_every_page(seed_site: Path):
    # As a crawler reads it: the index, then each file it names.
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    files = [e.text for e in ET.parse(seed_site / "sitemap.xml").getroot().findall("s:sitemap/s:loc", ns)]
    # A sitemap may list only addresses under its own folder: the files sit at the top.
    assert files and all(re.fullmatch(r"http://localhost:8000/sitemap-[a-z0-9-]+\.xml", f) for f in files)
    locs = {e.text for f in files for e in ET.parse(seed_site / f.removeprefix("http://localhost:8000/"))
            .getroot().findall("s:url/s:loc", ns)}
    pages = {"http://localhost:8000/" + str(p.relative_to(seed_site)).removesuffix("index.html")
             for p in seed_site.rglob("*.html") if p.name != "404.html" and p.parent.name != "transcripts"}
    assert locs == pages
    assert "Sitemap: http://localhost:8000/sitemap.xml" in (seed_site / "robots.txt").read_text()


def test_no_request_leaves_the_site(seed_site: Path):
    for page in seed_site.rglob("*.html"):
        html = page.read_text()
        # The show's audio is the one thing from elsewhere, fetched only when the listener presses play.
        players = re.findall(r"<audio [^>]*>.*?</audio>", html, re.DOTALL)
        assert all(p.startswith('<audio id="episode-audio" controls preload="none">') for p in players)
        html = re.sub(r"<audio [^>]*>.*?</audio>", "", html, flags=re.DOTALL)
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
            assert url.startswith("http://localhost:8000/"), f"{page}: {url}"
    css = (seed_site / "assets/style.css").read_text()
    assert "@import" not in css and "url(http" not in css


def test_hostile_text_renders_as_literal_text(hostile_site: Path):
    [page] = _episode_pages(hostile_site)
    html = page.read_text()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; {{ 7*7 }} *not bold* &amp; friends" in html
    first = html_lib.unescape(re.sub(r"<[^>]+>", "", re.search(r'<p id="p-1">(.*?)</p>', html, re.S)[1]))
    assert 'Here is <script>alert("body")</script> in the text.' in first
    assert "{{ 7*7 }}" in html and "{% if x %}" in html and "49" not in html
    assert "*stars*" in html and "_underscores_" in html and "`code`" in html
    assert "[a link](http://example.com)" in html and "<em>" not in html and "<code>" not in html
    assert "&amp;amp; stays" in html
    assert 'href="javascript:' not in html
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    assert "</script" not in json_ld.lower()
    assert json.loads(json_ld)["name"].startswith('<script>alert("title")')
    ET.parse(hostile_site / "feed.xml")  # still well-formed XML


def test_same_inputs_give_the_same_bytes(tmp_path: Path):
    first, _, _ = build_site_at(tmp_path / "a")
    second, _, _ = build_site_at(tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_template_error_names_the_template_and_line_and_keeps_the_old_site(tmp_path: Path):
    templates = Path(shutil.copytree(REPO / "templates", tmp_path / "templates"))
    out, _, _ = build_site_at(tmp_path, templates_dir=str(templates))
    before = (out / "index.html").read_bytes()
    lines = (templates / "home.html").read_text().splitlines()
    lines.insert(4, "  {{ episodes | no_such_filter }}")
    (templates / "home.html").write_text("\n".join(lines) + "\n")
    with pytest.raises(BuildError) as caught:
        build_site_at(tmp_path, templates_dir=str(templates))
    assert caught.value.path.endswith("home.html") and caught.value.line == 5
    assert (out / "index.html").read_bytes() == before

    (templates / "home.html").write_text('{% extends "base.html" %}\n{% block main %}\n{{ missing.attr }}\n'
                                         '{% endblock %}\n')
    with pytest.raises(BuildError) as caught:
        build_site_at(tmp_path, templates_dir=str(templates))
    assert caught.value.path.endswith("home.html") and caught.value.line == 3


def test_cli_build_reports_a_broken_page_and_builds_the_rest(tmp_path: Path):
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    args = [sys.executable, "-m", "generator", "build", "--config", str(REPO / "site.yaml"),
            "--source", "seeds", "--content", "content", "--out", "out"]
    first = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    page = next((tmp_path / "content/episodes").glob("belarus*.md"))
    page.write_text(page.read_text().replace("date: 2024-07-07", "date: someday"))
    second = subprocess.run(args + ["--strict"], cwd=tmp_path, capture_output=True, text=True)
    assert second.returncode == 1
    assert re.search(rf"error: {re.escape(str(page))}:4: unreadable date 'someday'", second.stderr), second.stderr
    assert (tmp_path / "out/episodes/putin-lukashenko-prepare-for-nato-escalation.html").is_file()
    assert not (tmp_path / "out/episodes/belarus-joins-sco-eurasia-grows-stronger.html").exists()


@pytest.mark.parametrize("front, line, reason", [
    ("title: Broken\ndate: 2024-05-25\ntopics: a: b\n", 4, "not valid YAML"),
    ("show: Made-Up Radio\ndate: 2024-05-25\n", 1, "missing 'title'"),
    ("title: Broken\ndate: yesterday\n", 3, "unreadable date 'yesterday'"),
    ("title: Broken\ndate: 2024-02-30\n", 3, "date"),  # looks like a YAML date, but there is no 30 February
], ids=["bad YAML", "no title", "a word for a date", "an impossible date"])
def test_cli_build_reports_broken_front_matter_on_its_line_and_builds_the_rest(tmp_path: Path, front, line,
                                                                             reason):
    # A site.yaml of its own, so that any cache the build keeps stays in tmp_path.
    (tmp_path / "site.yaml").write_text(f"templates_dir: {json.dumps(str(REPO / 'templates'))}\n")
    episodes = tmp_path / "content/episodes"
    episodes.mkdir(parents=True)
    (episodes / "good.md").write_text("---\ntitle: Still here\ndate: 2024-05-26\n---\n\nWords.\n")
    broken = episodes / "broken.md"
    broken.write_text(f"---\n{front}---\n\nWords.\n")
    (tmp_path / "transcripts").mkdir()
    args = [sys.executable, "-m", "generator", "build", "--config", "site.yaml", "--source", "transcripts"]
    for strict, status in ((False, 0), (True, 1)):
        run = subprocess.run(args + ["--strict"] * strict, cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == status, run.stderr
        assert re.search(rf"^error: {re.escape(str(broken))}:{line}: .*{re.escape(reason)}", run.stderr, re.M), \
            run.stderr
        assert "Traceback" not in run.stderr
        assert (tmp_path / "_site/episodes/good.html").is_file()
        assert not (tmp_path / "_site/episodes/broken.html").exists()


def test_base_url_flag_and_cname(tmp_path: Path):
    out, _, _ = build_site_at(tmp_path, base_url="https://podcast.example.com/", cname="podcast.example.com")
    assert (out / "CNAME").read_text() == "podcast.example.com\n"
    assert "https://podcast.example.com/episodes/" in (out / "feed.xml").read_text()


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path):
    own = tmp_path / "_site"
    own.mkdir()
    (own / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="not made by this tool"):
        build_site_at(tmp_path)
    assert (own / "notes.txt").read_text() == "mine"


def test_ignore_topics_also_cleans_pages_imported_before(tmp_path: Path):
    out, _, _ = build_site_at(tmp_path)
    assert (out / "topics/putin.html").is_file()
    out, _, _ = build_site_at(tmp_path, ignore_topics=["putin"])
    assert not (out / "topics/putin.html").exists()
    assert "/topics/putin/" not in (out / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()


def test_a_killed_builds_leftover_staging_folder_is_cleared(tmp_path: Path):
    abandoned = tmp_path / "._site.building-999999999"
    (abandoned / "episodes").mkdir(parents=True)
    build_site_at(tmp_path)
    assert not abandoned.exists()


def test_the_search_files_written_beside_the_site_are_moved_in_and_nothing_is_left(tmp_path: Path):
    abandoned = tmp_path / "._site.incoming-999999999"   # a killed build's search files
    abandoned.mkdir()
    (abandoned / "latest.json").write_text("{}")
    out, _, _ = build_site_at(tmp_path)
    pointer = json.loads((out / "search" / "latest.json").read_text())
    assert (out / "search" / pointer["manifest"]).is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("._site")) == []


def test_author_is_named_in_the_json_feed(tmp_path: Path):
    out, _, _ = build_site_at(tmp_path, author="Made-Up Media")
    assert json.loads((out / "feed.json").read_text())["authors"] == [{"name": "Made-Up Media"}]


# --- pagination that stays put -----------------------------------------------------------------

PAGED = REPO / "tests" / "fixtures" / "paged"
PAGE_SIZE = 2


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory) -> Path:
    out, report, log = build_site_at(tmp_path_factory.mktemp("paged"), transcripts=PAGED, page_size=PAGE_SIZE)
    assert report.clean, log
    return out


def _listed(page: Path) -> list[str]:
    """The episode links a listing page shows, in order."""
    return re.findall(r'class="card-title"><a href="([^"]+)"', page.read_text())


def _pagination_links(page: Path) -> dict[str, str]:
    nav = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', page.read_text(), re.S)
    return {"newer" if "Newer" in label else "older": href
            for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav[1])} if nav else {}


def _newest_first() -> list[str]:
    from generator.transcript import read_transcript
    from generator.slugs import slugify
    episodes = [read_transcript(p) for p in PAGED.glob("*.txt")]
    return [f"/episodes/{slugify(e.title)}.html" for e in sorted(episodes, key=lambda e: e.date, reverse=True)]


@pytest.mark.parametrize("front, numbered", [("index.html", "page/{}.html"),
                                             ("topics/zanzibar.html", "topics/zanzibar/{}.html")])
def test_a_listing_is_numbered_from_its_oldest_episodes(paged_site: Path, front: str, numbered: str):
    everything = _newest_first()   # Zanzibar is in every episode
    assert len(everything) == 9
    # Page 1 is the oldest two, shown newest first; every numbered page is full.
    assert _listed(paged_site / numbered.format(1)) == everything[-2:]
    pages = sorted(int(p.stem) for p in (paged_site / numbered.format(1)).parent.glob("*.html"))
    assert pages == [1, 2, 3]
    # The front page shows the newest page (one episode) and the full one before it; then
    # the numbered pages, newest first, show each of the rest exactly once.
    shown = _listed(paged_site / front)
    assert shown == everything[:3]
    for number in reversed(pages):
        shown += _listed(paged_site / numbered.format(number))
        assert len(_listed(paged_site / numbered.format(number))) == PAGE_SIZE
    assert shown == everything
    # Older leads from the front page down to page 1, Newer back up to the front page.
    assert _pagination_links(paged_site / front) == {"older": "/" + numbered.format(3)}
    assert _pagination_links(paged_site / numbered.format(3)) == {"newer": "/" + front.removesuffix("index.html"),
                                                                  "older": "/" + numbered.format(2)}
    assert _pagination_links(paged_site / numbered.format(1)) == {"newer": "/" + numbered.format(2)}


def test_a_shows_pages_are_numbered_too(paged_site: Path):
    front = _listed(paged_site / "shows/harbour-lights.html")
    older = _listed(paged_site / "shows/harbour-lights/1.html")
    assert len(front) == 3 and len(older) == PAGE_SIZE
    assert [u for u in _newest_first() if u in front + older] == front + older
    assert "5 episodes" in (paged_site / "shows/harbour-lights.html").read_text()


def test_paginated_links_resolve_at_the_root_and_under_a_subpath(paged_site: Path, tmp_path: Path):
    assert broken_links(paged_site, "http://localhost:8000/") == []
    out, report, log = build_site_at(tmp_path, transcripts=PAGED, page_size=PAGE_SIZE, base_url=SUBPATH)
    assert report.clean, log
    assert broken_links(out, SUBPATH) == []
    assert 'href="/repo/page/3.html"' in (out / "index.html").read_text()


def test_numbered_pages_never_change_as_the_archive_grows():
    from generator.views import fixed_pages
    for size in range(1, 6):
        before = fixed_pages(0, size)
        assert before == (0, 0)
        for total in range(1, 60):
            numbered, shown = fixed_pages(total, size)
            assert numbered * size + shown == total
            # The front page is never near empty, nor more than two pages' worth.
            assert min(total, size) <= shown <= 2 * size - 1
            # A numbered page, once there, stays (with the same episodes: counted from the oldest).
            assert numbered >= before[0]
            before = (numbered, shown)


def test_many_topics_are_listed_by_initial_not_on_one_page(tmp_path: Path, monkeypatch):
    # As if the seeds' 20 topics were the tens of thousands of a large archive.
    from generator import views
    monkeypatch.setattr(views, "ALL_TOPICS_UP_TO", 5)
    monkeypatch.setattr(views, "TOP_TOPICS", 3)
    monkeypatch.setattr(views, "TOPICS_PER_PAGE", 2)
    out, report, log = build_site_at(tmp_path, topic_page_episodes=1)
    assert report.clean, log
    index = (out / "topics/index.html").read_text()
    assert re.findall(r'<li><a href="/topics/([^"/]+)\.html">', index) == ["belarus", "putin", "russia"]
    assert '<a href="/topics/index/u.html">U</a>' in index
    listed = []
    for page in sorted((out / "topics/index").glob("*.html")):
        found = re.findall(r'<li><a href="/topics/([^"/]+)\.html">', page.read_text())
        assert 1 <= len(found) <= 2, page.name
        listed += found
    topics = sorted(p.stem for p in (out / "topics").glob("*.html") if p.name != "index.html")
    assert sorted(listed) == topics and len(topics) == 20
    # U holds UK, Ukraine and United States: two pages, linked both ways.
    assert re.findall(r'<li><a href="/topics/([^"/]+)\.html">', (out / "topics/index/u-2.html").read_text()) \
        == ["united-states"]
    assert 'href="/topics/index/u-2.html"' in (out / "topics/index/u.html").read_text()
    assert broken_links(out, "http://localhost:8000/") == []


@pytest.fixture(scope="module")
def paged_url(tmp_path_factory):
    """The paged archive served, with its three topics listed by initial as a large archive's would be."""
    from generator import views
    from tests.site_support import serve
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views, "ALL_TOPICS_UP_TO", 1)
        out, report, log = build_site_at(tmp_path_factory.mktemp("paged-a11y"), transcripts=PAGED,
                                         page_size=PAGE_SIZE)
    assert report.clean, log
    with serve(out) as url:
        yield url


PAGED_PAGES = ["", "page/1.html", "topics/zanzibar.html", "topics/zanzibar/2.html", "shows/harbour-lights/1.html",
               "topics/", "topics/index/z.html"]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_paginated_pages_have_no_axe_violations_and_fit_a_phone(page, paged_url: str, scheme: str):
    from axe_playwright_python.sync_playwright import Axe
    page.emulate_media(color_scheme=scheme)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 740})
        for path in PAGED_PAGES:
            page.goto(paged_url + path)
            page.wait_for_load_state("networkidle")   # a request cut off by the next page is no error
            if width == 1280:
                results = Axe().run(page)
                assert results.violations_count == 0, f"{path}: {results.generate_report()}"
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px at {width}px"
    assert page.errors == [], page.errors
    # The current initial is marked, for eyes and for screen readers.
    page.goto(paged_url + "topics/index/z.html")
    assert page.get_attribute('.letters a[aria-current="true"]', "href") == "/topics/index/z.html"


def test_a_topic_called_index_does_not_replace_the_topics_index(tmp_path: Path):
    episodes = tmp_path / "content" / "episodes"
    episodes.mkdir(parents=True)
    (episodes / "the-index.md").write_text("---\ntitle: On the index\ndate: 2024-06-01\ntopics:\n- Index\n---\n\n"
                                           "Words.\n", encoding="utf-8")
    out, report, log = build_site_at(tmp_path, topic_page_episodes=1)
    assert report.clean, log
    assert "<h1>Topics</h1>" in (out / "topics/index.html").read_text()
    assert "<h1>Index</h1>" in (out / "topics/index-2.html").read_text()
    assert 'href="/topics/index-2.html"' in (out / "episodes/the-index.html").read_text()


def _archive_of_its_own(root: Path) -> "SiteConfig":
    """An archive in a folder of its own (no node_modules), built with this checkout's generator."""
    from generator.config import load_config
    (root / "site.yaml").write_text(f"source_dir: {REPO / 'seeds'}\ntemplates_dir: {REPO / 'templates'}\n"
                                    "podcast_feeds: []\n")
    return load_config(root / "site.yaml", {})


def test_an_archive_without_node_modules_gets_lunr_from_beside_the_generator(tmp_path):
    import io
    from generator.build import build_site
    from generator.errors import Report
    from generator.importer import import_site
    config = _archive_of_its_own(tmp_path)
    report = Report(stream=io.StringIO())
    import_site(config, report)
    build_site(config, report)
    assert report.clean
    assert ((config.output_dir / "assets" / "lunr.min.js").read_bytes()
            == (REPO / "node_modules" / "lunr" / "lunr.min.js").read_bytes())


def test_no_lunr_anywhere_is_a_warning_that_says_search_will_not_work(tmp_path, monkeypatch):
    import io
    from generator import build
    from generator.errors import Report
    from generator.importer import import_site
    assets = shutil.copytree(build.ASSETS, tmp_path / "elsewhere" / "generator" / "assets")
    monkeypatch.setattr(build, "ASSETS", assets)
    config = _archive_of_its_own(tmp_path)
    log = io.StringIO()
    report = Report(stream=log)
    import_site(config, report)
    build.build_site(config, report)
    assert report.warnings == 1
    assert "lunr.js not found" in log.getvalue() and "search page will not work" in log.getvalue()
    assert not (config.output_dir / "assets" / "lunr.min.js").exists()
