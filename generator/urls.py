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
    def home(page: int = 1) -> str:
        return "" if page == 1 else f"page/{page}.html"

    @staticmethod
    def episode(slug: str) -> str:
        return f"episodes/{slug}.html"

    @staticmethod
    def transcript(slug: str) -> str:
        # Beside the page, same name: the search worker derives one from the other.
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
    def shows() -> str:
        return "shows/"

    @staticmethod
    def show(slug: str) -> str:
        return f"shows/{slug}.html"

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
