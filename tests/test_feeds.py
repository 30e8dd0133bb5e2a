"""The sitemap is written line by line rather than through ElementTree, which
took a tenth of a rebuild; it must be the very bytes ElementTree writes."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import example, given
from hypothesis import strategies as st

from generator.feeds import SITEMAP_NS, _tree_sitemap, sitemap
from generator.urls import Urls

_names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_pages = st.lists(st.tuples(_names, st.none() | st.dates()), max_size=6)
_bases = st.sampled_from(["http://localhost:8000/", "https://example.org/a&b/<c>/", "https://ex.org/é/"])


@given(_pages, _bases)
@example([("episodes/a&b<c>.html", dt.date(2024, 5, 25)), ("", None), ("x\x00\x1b\r\n\u2028", None)],
         "https://example.org/a&b/<c>/")
@example([], "http://localhost:8000/")
def test_the_sitemap_is_what_elementtree_writes(pages, base):
    urls = Urls(base)
    assert sitemap(pages, urls) == _tree_sitemap(pages, urls)


def test_the_sitemap_lists_each_page_with_its_date():
    urls = Urls("https://example.org/show/")
    root = ET.fromstring(sitemap([("", None), ("episodes/a.html", dt.date(2024, 5, 25))], urls))
    ns = {"s": SITEMAP_NS}
    assert [e.findtext("s:loc", namespaces=ns) for e in root.findall("s:url", ns)] == \
        ["https://example.org/show/", "https://example.org/show/episodes/a.html"]
    assert root.findtext("s:url/s:lastmod", namespaces=ns) == "2024-05-25"
