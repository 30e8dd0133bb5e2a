"""The sitemap, as a crawler reads it: every page's address, and its date."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import example, given
from hypothesis import strategies as st

from generator import feeds
from generator.feeds import SITEMAP_NS, sitemap
from generator.text import strip_controls
from generator.urls import Urls

_names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_pages = st.lists(st.tuples(_names, st.none() | st.dates()), max_size=6)
_bases = st.sampled_from(["http://localhost:8000/", "https://example.org/a&b/<c>/", "https://ex.org/é/"])


@given(_pages, _bases)
@example([("episodes/a&b<c>.html", dt.date(2024, 5, 25)), ("", None), ("x\x00\x1b\r\n\u2028", None)],
         "https://example.org/a&b/<c>/")
@example([], "http://localhost:8000/")
def test_a_sitemap_reader_finds_every_page_with_its_date(pages, base):
    urls = Urls(base)
    root = ET.fromstring(sitemap(pages, urls))
    ns = {"s": SITEMAP_NS}
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    found = [(e.findtext("s:loc", namespaces=ns), e.findtext("s:lastmod", namespaces=ns))
             for e in root.findall("s:url", ns)]
    assert found == [(strip_controls(urls.absolute(name)), date.isoformat() if date else None)
                     for name, date in pages]


def test_the_sitemap_lists_each_page_with_its_date():
    urls = Urls("https://example.org/show/")
    root = ET.fromstring(sitemap([("", None), ("episodes/a.html", dt.date(2024, 5, 25))], urls))
    ns = {"s": SITEMAP_NS}
    assert [e.findtext("s:loc", namespaces=ns) for e in root.findall("s:url", ns)] == \
        ["https://example.org/show/", "https://example.org/show/episodes/a.html"]
    assert root.findtext("s:url/s:lastmod", namespaces=ns) == "2024-05-25"


def _episodes(n: int, first: dt.date = dt.date(2020, 1, 1)) -> list[tuple[str, dt.date]]:
    return [(f"episodes/e{i:05}.html", first + dt.timedelta(days=i)) for i in range(n)]


def test_the_sitemap_files_hold_every_page_once_and_none_holds_too_many(monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_URLS", 100)
    episodes, others = _episodes(1000), [f"topics/t{i}.html" for i in range(250)] + [""]
    files = feeds.sitemap_files(episodes, others)
    rows = [row for part in files.values() for row in part]
    assert sorted(rows, key=str) == sorted(episodes + [(name, None) for name in others], key=str)
    assert all(0 < len(part) <= 100 for part in files.values())
    assert {"sitemap-episodes-2020.xml", "sitemap-episodes-2020-2.xml", "sitemap-topics-t-3.xml",
            "sitemap-pages.xml"} <= set(files)


def test_a_new_episode_and_its_new_topic_change_only_the_sitemap_files_they_fall_in():
    episodes, others = _episodes(1500), ["", "page/1.html", "topics/apples.html", "topics/bees.html", "topics/"]
    before = feeds.sitemap_files(episodes, others)
    after = feeds.sitemap_files(episodes + [("episodes/new.html", dt.date(2024, 6, 1))], others + ["topics/birds.html"])
    assert before.keys() == after.keys()
    assert [name for name in after if after[name] != before[name]] == ["sitemap-episodes-2024.xml",
                                                                       "sitemap-topics-b.xml"]


def test_the_sitemap_index_names_each_file():
    urls = Urls("https://example.org/show/")
    root = ET.fromstring(feeds.sitemap_index(["sitemap-pages.xml", "sitemap-episodes-2024.xml"], urls))
    ns = {"s": SITEMAP_NS}
    assert root.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    assert [e.text for e in root.findall("s:sitemap/s:loc", ns)] == \
        ["https://example.org/show/sitemap-pages.xml", "https://example.org/show/sitemap-episodes-2024.xml"]
