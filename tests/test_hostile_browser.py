"""Hostile text in a real browser: markup, template and Markdown syntax, YAML
syntax, control characters, right-to-left marks and a 300-letter word in every
field of a hand-written page stay inert, read as written, and never push a
page wider than the screen, on a desktop or a phone.

tests/test_build.py checks the HTML source; this checks what chromium runs and
shows.
"""
from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass

import pytest

from generator.text import one_line
from tests.site_support import REPO, build_site_at, serve

pytestmark = pytest.mark.browser

PWN = "window.__pwned=1"
LONG_WORD = ("Pneumonoultramicroscopic" * 13)[:300]  # no space or hyphen to break at
MARKUP = (f'<script>{PWN}</script> <img src=x onerror="{PWN}"> {{{{ 7*7 }}}} {{% raw %}} # h '
          f"[x](javascript:{PWN}) **b** `tick` --- key: value &anchor *alias")
ODD = "bell\x07 esc\x1b[31m nul\x00 \u202ereversed\u200f rtl-mark"

# A search for this finds the hand-written page and nothing else.
MARKER = "Quokkafest"
TITLE = f"{MARKER} {MARKUP} {ODD} {LONG_WORD}"
DESCRIPTION = f"Described as {MARKUP} {ODD} {LONG_WORD}"
SHOW = f"Show {MARKUP} {LONG_WORD}"
TOPICS = [f"Topic {MARKUP}", LONG_WORD, "{{ 7*7 }}"]
BODY = f"""{MARKER} begins: <script>{PWN}</script> and <img src=x onerror="{PWN}"> and {{{{ 7*7 }}}} {{% raw %}}.

# h

[x](javascript:{PWN}) **b** `tick` and `{LONG_WORD}` and {LONG_WORD}

---

key: value &anchor *alias {ODD}
"""


def _hand_written_page() -> str:
    # Quoted the way a careful user would write them; JSON strings are valid YAML.
    topics = "".join(f"- {json.dumps(t)}\n" for t in TOPICS)
    return (f"---\ntitle: {json.dumps(TITLE)}\ndescription: {json.dumps(DESCRIPTION)}\n"
            f"show: {json.dumps(SHOW)}\ndate: 2023-03-04\nduration: 5m\ntopics:\n{topics}---\n\n{BODY}")


@dataclass(frozen=True)
class Served:
    url: str                     # the site's root
    topic_urls: dict[str, str]   # each hostile topic's page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Served:
    root = tmp_path_factory.mktemp("hostile-browser")
    transcripts = root / "transcripts"
    transcripts.mkdir()
    for path in [*REPO.glob("seeds/*.txt"), *REPO.glob("tests/fixtures/hostile/*.txt")]:
        shutil.copy(path, transcripts)
    page_file = root / "content/episodes/quokkafest.md"
    page_file.parent.mkdir(parents=True)
    page_file.write_text(_hand_written_page(), encoding="utf-8")
    out, report, log = build_site_at(root, transcripts, cache_dir=str(root / ".cache"))
    assert report.errors == 0, log
    index = (out / "topics/index.html").read_text(encoding="utf-8")
    links = {html.unescape(name): href
             for href, name in re.findall(r'<li><a href="/([^"]+)">([^<]*)</a>', index)}
    with serve(out) as url:
        yield Served(url, {name: url + links[one_line(name)] for name in TOPICS})


@pytest.fixture
def watched(page):
    """The page fixture, also recording any dialog a script opens (and dismissing it)."""
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()
    page.on("dialog", on_dialog)
    return page


def _open(page, url: str) -> None:
    page.goto(url)  # waits for the load event: any injected script or image has run or failed by then


def _assert_inert(page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined", "a hostile script ran"
    assert page.dialogs == [], page.dialogs
    assert page.errors == [], page.errors
    injected = page.evaluate("""() => {
        const found = [];
        for (const el of document.querySelectorAll('main *, header *, footer *')) {
            if (['SCRIPT', 'IMG', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push(el.tagName);
            for (const a of el.attributes) {
                if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) found.push(el.tagName + ' ' + a.name);
            }
        }
        return found;
    }""")
    assert injected == [], injected


def _texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def _assert_no_sideways_scroll(page) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"


def test_episode_page_shows_every_field_as_written(watched, site):
    page = watched
    _open(page, site.url + "episodes/quokkafest.html")
    _assert_inert(page)
    assert page.text_content("h1") == one_line(TITLE)
    assert page.title().startswith(one_line(TITLE) + " · ")
    assert page.text_content(".lede") == one_line(DESCRIPTION)
    assert page.text_content(".eyebrow") == one_line(SHOW)
    assert _texts(page, ".topics .chips a") == [one_line(t) for t in TOPICS]
    transcript = page.text_content(".transcript")
    # The body is Markdown written by hand: emphasis and headings are the author's to use,
    # but markup, template syntax and script links come out as the characters typed.
    for literal in (f"<script>{PWN}</script>", f'<img src=x onerror="{PWN}">', "{{ 7*7 }}", "{% raw %}",
                    f"[x](javascript:{PWN})", LONG_WORD, "key: value &anchor *alias"):
        assert literal in transcript, literal
    assert "49" not in page.text_content("main")
    _assert_no_sideways_scroll(page)
    page.screenshot(path="/tmp/hostile.png", full_page=True)  # at 375 px, for a person to look at


def test_home_page_card_shows_the_episode_as_written(watched, site):
    page = watched
    _open(page, site.url)
    _assert_inert(page)
    assert one_line(TITLE) in _texts(page, ".card-title")
    assert one_line(DESCRIPTION) in _texts(page, ".card-excerpt")
    assert any(one_line(SHOW) in meta for meta in _texts(page, ".card-meta"))
    # The title's right-to-left override stays inside it: what follows it on
    # the page keeps its own order.
    for selector in (".card-title a", ".card-meta span"):
        assert page.eval_on_selector(selector, "e => getComputedStyle(e).unicodeBidi") == "isolate", selector
    _assert_no_sideways_scroll(page)


@pytest.mark.parametrize("topic", TOPICS, ids=["markup", "long word", "template"])
def test_topic_page_names_the_topic_as_written(watched, site, topic):
    page = watched
    _open(page, site.topic_urls[topic])
    _assert_inert(page)
    assert page.text_content("h1") == one_line(topic)
    assert one_line(TITLE) in _texts(page, ".card-title")
    _assert_no_sideways_scroll(page)


def test_year_page_lists_the_episode_as_written(watched, site):
    page = watched
    _open(page, site.url + "archive/2023.html")
    _assert_inert(page)
    assert one_line(TITLE) in _texts(page, ".card-title")
    _assert_no_sideways_scroll(page)


def test_search_finds_it_and_shows_it_as_written(watched, site):
    page = watched
    _open(page, site.url + f"search/?q={MARKER}")
    page.wait_for_selector("#search-results[data-state=complete] li a.result", timeout=10_000)
    _assert_inert(page)
    assert _texts(page, ".result-title") == [one_line(TITLE)]
    assert one_line(SHOW) in page.text_content(".result-meta")
    snippet = page.text_content(".result-snippet")
    assert f"<script>{PWN}</script>" in snippet and "{{ 7*7 }}" in snippet
    _assert_no_sideways_scroll(page)
    # Following the result marks the words on the episode page, still inertly.
    page.wait_for_load_state("networkidle")  # leaving earlier would abort the icon's request
    page.click("#search-results a.result")
    page.wait_for_selector(".transcript p.is-hit mark")
    _assert_inert(page)
