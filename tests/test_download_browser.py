"""The plain-text download an episode page makes in the browser
(assets/transcript.js) holds the bytes the .txt file would: for every page
of the hostile site, whose text has markup, control characters, odd spaces
and 200,000-character words, and a hand-written page of Markdown."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.site_support import serve
from tests.test_hostile_browser import build_hostile_site

pytestmark = pytest.mark.browser

MARKDOWN = ("---\ntitle: Written in Markdown\ndate: 2023-03-06\nduration: 5m\n---\n\n"
            "Some *emphasis*, **strong** and `code`,\na soft line break and a [link](https://example.com/).\n\n"
            "![An image's alt text](pic.png) then\u00a0a no-break space,\u2003an em space,\ttabs and \ufeff.\n\n"
            "# A heading, which is no paragraph\n\nThe last paragraph.  \nAfter a hard break.\n")


def _site(root: Path, **overrides) -> Path:
    root.mkdir()
    (root / "content/episodes").mkdir(parents=True)
    (root / "content/episodes/written-in-markdown.md").write_text(MARKDOWN, encoding="utf-8")
    return build_hostile_site(root, **overrides)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("download")
    return _site(root / "made-in-page"), _site(root / "files", transcript_files=True)


def test_the_download_made_in_the_page_is_the_txt_file_byte_for_byte(page, sites):
    out, files = sites
    pages = sorted(out.glob("episodes/*.html"))
    assert len(pages) >= 8 and not list(out.glob("episodes/*.txt"))
    page.route("**/pic.png", lambda route: route.fulfill(status=204))   # the Markdown page's image
    with serve(out) as url:
        for path in pages:
            page.goto(url + "episodes/" + path.name)
            button = page.locator("button[data-download]")
            assert button.is_visible()
            with page.expect_download() as download:
                button.click()
            assert download.value.suggested_filename == path.stem + ".txt"
            made = Path(download.value.path()).read_bytes()
            assert made == (files / "episodes" / (path.stem + ".txt")).read_bytes(), path.name
    assert page.errors == []


def test_paragraph_links_get_their_spoken_names_from_the_script(page, sites):
    out, _ = sites
    with serve(out) as url:
        page.goto(url + "episodes/written-in-markdown.html")
        link = page.locator("#p-2 .para-link")
        assert link.get_attribute("aria-label") == "Link to paragraph 2"
        assert link.get_attribute("href") == "#p-2"
