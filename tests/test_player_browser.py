"""The audio player in Chromium, playing real audio: a generated WAV
answered (with Range support) wherever the page asks for the enclosure, so
nothing leaves the machine."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.audio_support import AudioHost, wav
from tests.site_support import build_site_at, serve

pytestmark = pytest.mark.browser
FEEDS = Path(__file__).parent / "fixtures" / "feeds"
EPISODE = "episodes/putin-lukashenko-prepare-for-nato-escalation.html"
OTHER = "episodes/belarus-joins-sco-eurasia-grows-stronger.html"
ENCLOSURES = "https://audio.example.invalid/**"
SECONDS = 1475   # the made-up feed's itunes:duration for EPISODE


@pytest.fixture(scope="module")
def audio_data():
    return wav(SECONDS)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    out, report, log = build_site_at(tmp_path_factory.mktemp("player"))
    assert report.clean, log
    with serve(out) as url:
        yield url


@pytest.fixture
def host(page, audio_data):
    host = AudioHost(audio_data)
    page.route(ENCLOSURES, host)
    return host


def _state(page) -> dict:
    return page.evaluate("""() => {
        const a = document.getElementById('episode-audio');
        const cur = document.querySelectorAll('[aria-current="true"]');
        return {time: a.currentTime, paused: a.paused, current: cur.length === 1 ? cur[0].id : cur.length,
                marked: [...document.querySelectorAll('.transcript p.is-playing')].map(p => p.id)};
    }""")


def _errors(page) -> list[str]:
    """The page's errors, less the media requests Chromium itself cancels on a seek."""
    return [e for e in page.errors if not e.startswith("request failed: https://audio.example.invalid/")]


def _wait_playing_past(page, seconds: float) -> None:
    page.wait_for_function(f"(() => {{ const a = document.getElementById('episode-audio');"
                           f" return !a.paused && a.currentTime > {seconds}; }})()", timeout=15000)


def test_nothing_is_fetched_before_play_then_play_from_here_seeks_and_plays(page, site_url, host):
    page.goto(site_url + EPISODE)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assert host.requests == []          # preload="none": the host hears nothing until play
    assert page.locator("audio").count() == 1
    assert page.get_attribute("audio", "preload") == "none"
    button = page.locator("#p-6 .play-from")
    start = int(button.get_attribute("data-start"))
    assert button.is_visible() and " ".join(button.text_content().split()) == f"▶ Play from ≈{start // 60}:{start % 60:02d}"
    button.click()
    _wait_playing_past(page, start + 0.2)
    state = _state(page)
    assert start <= state["time"] < start + 5
    assert state["current"] == "p-6" and state["marked"] == ["p-6"]
    assert host.requests and all(r["url"].endswith("/putin-lukashenko.mp3") for r in host.requests)
    assert _errors(page) == []


def test_the_marked_paragraph_follows_playback_and_the_page_follows_it(page, site_url, host):
    page.goto(site_url + EPISODE)
    starts = page.eval_on_selector_all(".play-from", "bs => bs.map(b => Number(b.dataset.start))")
    assert starts == sorted(starts) and starts[0] == 0 and starts[-1] < SECONDS
    page.locator("#p-2 .play-from").click()
    _wait_playing_past(page, starts[1])
    assert _state(page)["current"] == "p-2"
    # Just before paragraph 4 starts: the mark moves on by itself as the audio plays.
    page.evaluate(f"document.getElementById('episode-audio').currentTime = {starts[3] - 1}")
    page.wait_for_function("document.querySelector('[aria-current=\"true\"]').id === 'p-3'")
    page.wait_for_function("document.querySelector('[aria-current=\"true\"]').id === 'p-4'", timeout=5000)
    assert _state(page)["marked"] == ["p-4"]
    # Far ahead: the page scrolls to the paragraph being spoken.
    page.evaluate(f"document.getElementById('episode-audio').currentTime = {starts[20] + 1}")
    page.wait_for_function("document.querySelector('[aria-current=\"true\"]').id === 'p-21'")
    page.wait_for_timeout(300)
    assert page.evaluate("(() => { const r = document.getElementById('p-21').getBoundingClientRect();"
                         " return r.top < innerHeight && r.bottom > 0; })()")
    # The listener scrolls away to read elsewhere: the page no longer jumps back.
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(600)
    page.evaluate("window.scrollBy(0, 10)")   # a scroll of the listener's own
    page.wait_for_timeout(300)
    page.evaluate(f"document.getElementById('episode-audio').currentTime = {starts[25] + 1}")
    page.wait_for_function("document.querySelector('[aria-current=\"true\"]').id === 'p-26'")
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") < 200
    assert _errors(page) == []


def test_a_t_link_opens_at_its_paragraph_ready_to_play_from_there(page, site_url, host):
    page.goto(site_url + EPISODE)
    page.locator("#p-8 .play-from").click()
    _wait_playing_past(page, 1)
    link = page.locator(".share-time")
    assert link.inner_text().startswith("Copy link to ≈")
    href = link.get_attribute("href")
    assert href.startswith("/" + EPISODE + "?t=") and href.endswith("#p-8")
    seconds = int(href[href.index("?t=") + 3:href.index("#")])

    fresh = page.context.new_page()
    fresh.errors = []
    fresh.on("pageerror", lambda e: fresh.errors.append(str(e)))
    requests_before = len(host.requests)
    fresh.route(ENCLOSURES, host)
    fresh.goto(site_url + href[1:])
    fresh.wait_for_load_state("networkidle")
    assert len(host.requests) == requests_before    # ready, but still nothing fetched
    assert fresh.evaluate("document.querySelector('.is-cued').id") == "p-8"
    assert fresh.evaluate("(() => { const r = document.getElementById('p-8').getBoundingClientRect();"
                          " return r.top >= 0 && r.top < innerHeight; })()")
    assert f"Ready to play from ≈{seconds // 60}:{seconds % 60:02d}" in fresh.inner_text(".listen-note")
    fresh.evaluate("document.getElementById('episode-audio').play()")
    _wait_playing_past(fresh, seconds)
    state = _state(fresh)
    assert seconds <= state["time"] < seconds + 5 and state["current"] == "p-8"
    assert fresh.errors == []


def test_the_keyboard_alone_plays_and_pauses(page, site_url, host):
    page.goto(site_url + EPISODE)
    page.focus("#p-3 .para-link")
    page.keyboard.press("Tab")     # the paragraph's play-from-here button is next in the tab order
    assert page.evaluate("document.activeElement.closest('p').id") == "p-3"
    assert page.evaluate("document.activeElement.className") == "play-from"
    page.keyboard.press("Enter")
    start = int(page.get_attribute("#p-3 .play-from", "data-start"))
    _wait_playing_past(page, start + 0.2)
    page.focus("#episode-audio")
    page.keyboard.press("Space")   # the native controls: space pauses
    page.wait_for_function("document.getElementById('episode-audio').paused")
    page.keyboard.press("Space")
    page.wait_for_function("!document.getElementById('episode-audio').paused")
    elapsed = page.inner_text("[data-elapsed]")
    assert elapsed != "0:00" and page.inner_text("[data-total]") == "24:35"   # the file's own length now
    assert _errors(page) == []


def test_without_javascript_the_plain_audio_element_is_all_there_is(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + EPISODE)
    assert page.locator("audio[controls]").is_visible()
    assert page.locator(".play-from").first.is_hidden() and page.locator(".listen-status").is_hidden()
    context.close()


def test_an_episode_without_audio_shows_no_player(page, tmp_path, audio_data):
    out, _, _ = build_site_at(tmp_path, podcast_feeds=[])
    with serve(out) as url:
        page.goto(url + EPISODE)
        assert page.locator("audio, .listen, .play-from, .share-time").count() == 0
        assert page.evaluate("[...document.scripts].some(s => s.src.endsWith('player.js'))") is False


def test_a_hostile_enclosure_url_is_only_an_escaped_attribute(page, tmp_path, audio_data):
    out, _, log = build_site_at(tmp_path, podcast_feeds=[str(FEEDS / "hostile.xml")])
    host = AudioHost(audio_data)
    page.route("https://media.example.invalid/**", host)
    with serve(out) as url:
        page.goto(url + EPISODE)
        page.wait_for_load_state("networkidle")
        src = page.get_attribute("#episode-audio source", "src")
        raw = ("https://media.example.invalid/x.mp3?a=\"><script>window.pwned=1</script>"
               "&b='<img src=x onerror=window.pwned=2>")
        # Percent-encoded (so the page is valid HTML), it is still the feed's address.
        assert not set('"<> ') & set(src)
        assert page.evaluate("([a, b]) => new URL(a).href === new URL(b).href", [src, raw])
        assert page.get_attribute("#episode-audio source", "type") is None   # not a MIME type: left out
        assert page.locator("main script, main img").count() == 0
        page.locator("#p-1 .play-from").click()
        page.wait_for_timeout(1500)
        assert host.requests, "the hostile URL is requested as a URL, nothing more"
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.querySelectorAll('[onerror], [onplay]').length") == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_playing_page_is_clean_in_axe(page, site_url, host, scheme, width):
    from axe_playwright_python.sync_playwright import Axe

    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site_url + EPISODE)
    page.locator("#p-5 .play-from").click()
    _wait_playing_past(page, 1)
    page.wait_for_timeout(300)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
