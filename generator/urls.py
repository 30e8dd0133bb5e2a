"""The one place that knows where every page lives.

Pages are named by a site-relative path: a listing is a folder served as
its index.html (``topics/``), a single page is a file (``topics/nato.html``,
``episodes/slug.html``). From that one name come the link used in HTML (with
the base URL's path, so a GitHub Pages project site under ``/repo/`` works),
the absolute URL for feeds and canonical links, and the file written in the
output folder.

Single pages are files rather than folders of their own because a build
writes a complete new site and swaps it in: thousands of episodes and topics
as folders would mean thousands of directories to create on every rebuild,
which on a slow disk costs more than the rest of an incremental build.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit


class Urls:
    def __init__(self, base_url: str):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.base_path = urlsplit(self.base_url).path or "/"
        self._quoted: dict[str, str] = {}   # a page links to the same few names many times

    # Site-relative names of every kind of page.
    @staticmethod
    def home() -> str:
        return ""

    # A listing's numbered pages count from its oldest episodes, so page N
    # always shows the same ones (see views.fixed_pages); the listing's own
    # name shows the newest.
    @staticmethod
    def home_page(number: int) -> str:
        return f"page/{number}.html"

    @staticmethod
    def episode(slug: str) -> str:
        return f"episodes/{slug}.html"

    @staticmethod
    def transcript(slug: str) -> str:
        # The plain-text download, beside the page under the same name.
        return f"episodes/{slug}.txt"

    @staticmethod
    def transcript_html(slug: str) -> str:
        # The Podcasting 2.0 text/html transcript (generator/transcript_html.py).
        return f"transcripts/{slug}.html"

    @staticmethod
    def archive() -> str:
        return "archive/"

    @staticmethod
    def year(year: int) -> str:
        return f"archive/{year}.html"

    @staticmethod
    def topics() -> str:
        return "topics/"

    @staticmethod
    def topic(slug: str) -> str:
        return f"topics/{slug}.html"

    @staticmethod
    def topic_page(slug: str, number: int) -> str:
        # A folder only for the few topics big enough to need one; a slug
        # never holds a "/", so this cannot be another topic's page.
        return f"topics/{slug}/{number}.html"

    @staticmethod
    def topic_letter(letter: str, part: int = 1) -> str:
        # "index" is never a topic's slug (site.RESERVED_SLUGS), so no topic's pages live here.
        return f"topics/index/{letter}.html" if part == 1 else f"topics/index/{letter}-{part}.html"

    @staticmethod
    def shows() -> str:
        return "shows/"

    @staticmethod
    def show(slug: str) -> str:
        return f"shows/{slug}.html"

    @staticmethod
    def show_page(slug: str, number: int) -> str:
        return f"shows/{slug}/{number}.html"

    @staticmethod
    def search() -> str:
        return "search/"

    @staticmethod
    def asset(name: str) -> str:
        return f"assets/{name}"

    # What a name becomes.
    def link(self, name: str) -> str:
        """Root-relative URL for HTML: works from any page, the 404 page included."""
        return self.base_path + self._quote(name)

    def absolute(self, name: str) -> str:
        return self.base_url + self._quote(name)

    def _quote(self, name: str) -> str:
        if (quoted := self._quoted.get(name)) is None:
            quoted = self._quoted[name] = quote(name)
        return quoted

    @staticmethod
    def output_file(name: str) -> str:
        """File to write for a name: folders get an index.html."""
        return name + "index.html" if name == "" or name.endswith("/") else name
