"""The sitemap, as a crawler reads it: every page's address, and its date."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import example, given
from hypothesis import strategies as st

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
