"""axe-core finds no accessibility violations on the pages listeners use most,
in light and dark mode, at desktop and phone widths."""
from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.site_support import build_site_at, serve

PAGES = ["", "episodes/putin-lukashenko-prepare-for-nato-escalation.html", "topics/putin.html",
         "search/?q=Lukashenko", "archive/2024.html", "404.html"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    out, _, _ = build_site_at(tmp_path_factory.mktemp("a11y"))
    with serve(out) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(page, site_url: str, path: str, scheme: str):
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.errors == [], page.errors


@pytest.mark.browser
def test_phone_width_has_no_horizontal_scroll(page, site_url: str):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in PAGES:
        page.goto(site_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px at 360px"


@pytest.mark.browser
def test_transcript_measure_is_readable(page, site_url: str):
    page.goto(site_url + PAGES[1])
    width, font, line = page.evaluate("""() => {
        const p = document.querySelector('#p-1'); const s = getComputedStyle(p);
        return [p.getBoundingClientRect().width, parseFloat(s.fontSize), parseFloat(s.lineHeight)];
    }""")
    characters = width / (font * 0.5)  # an average character is about half an em wide
    assert 55 <= characters <= 85, characters
    assert line / font >= 1.5


@pytest.mark.browser
def test_skip_link_moves_focus_to_the_content(page, site_url: str):
    page.goto(site_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
