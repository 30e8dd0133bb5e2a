"""What the archive publishes about each episode's audio: feed.xml as a
podcast feed (read back by feedparser, as podcast apps' libraries would),
the HTML transcript, JSON-LD and og:image."""
from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest

from generator.podcast_feed import parse_feed
from tests.site_support import REPO, build_site_at

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
SHOW_FEED = REPO / "feeds" / "the-duran-podcast.made-up.xml"
BASE = "http://localhost:8000/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out, report, log = build_site_at(tmp_path_factory.mktemp("podcast"))
    assert report.clean, log
    return out


@pytest.fixture(scope="module")
def files_site(tmp_path_factory) -> Path:
    """The same site, with a .txt and an HTML transcript file per episode (transcript_files: true)."""
    out, report, log = build_site_at(tmp_path_factory.mktemp("podcast-files"), transcript_files=True)
    assert report.clean, log
    return out


def test_feed_xml_carries_each_enclosure_exactly_as_the_show_feed_gives_it(site):
    ours = feedparser.parse((site / "feed.xml").read_bytes())
    assert not ours.bozo, ours.bozo_exception
    show, _ = parse_feed(SHOW_FEED.read_bytes(), "show")
    theirs = {i.title: i for i in show.items if i.enclosure}
    assert len(ours.entries) == 2
    for entry in ours.entries:
        item = theirs[entry.title]
        (enclosure,) = entry.enclosures
        assert (enclosure.href, enclosure.length, enclosure.type) == \
            (item.enclosure.url, item.enclosure.length, item.enclosure.type)
        assert int(entry.itunes_duration) == item.duration
    assert ours.feed.image.href == show.image


def test_feed_xml_offers_the_episode_page_as_the_html_transcript(site):
    text = (site / "feed.xml").read_text()
    for slug in ("putin-lukashenko-prepare-for-nato-escalation", "belarus-joins-sco-eurasia-grows-stronger"):
        assert f'<podcast:transcript url="{BASE}episodes/{slug}.html" type="text/html" language="en" />' in text
        assert (site / f"episodes/{slug}.html").is_file()
    assert "text/plain" not in text and "captions" not in text
    assert not list(site.glob("episodes/*.txt")) and not (site / "transcripts").exists()


def test_with_transcript_files_the_feed_offers_them_as_text_and_as_html(files_site):
    text = (files_site / "feed.xml").read_text()
    for slug in ("putin-lukashenko-prepare-for-nato-escalation", "belarus-joins-sco-eurasia-grows-stronger"):
        assert f'<podcast:transcript url="{BASE}episodes/{slug}.txt" type="text/plain" language="en" />' in text
        assert f'<podcast:transcript url="{BASE}transcripts/{slug}.html" type="text/html" language="en" />' in text
        assert (files_site / f"episodes/{slug}.txt").is_file() and (files_site / f"transcripts/{slug}.html").is_file()
    assert "captions" not in text


def test_the_html_transcript_is_one_p_per_paragraph_without_timings(files_site):
    slug = "putin-lukashenko-prepare-for-nato-escalation"
    html = (files_site / f"transcripts/{slug}.html").read_text()
    plain = (files_site / f"episodes/{slug}.txt").read_text().split("\n\n")[1:]
    paragraphs = re.findall(r"<p>(.*?)</p>", html)
    assert [p.replace("&#x27;", "'").replace("&amp;", "&") for p in paragraphs] == [p.strip() for p in plain]
    assert "<time" not in html and "data-start" not in html and "≈" not in html and "<script" not in html
    assert f'<link rel="canonical" href="{BASE}episodes/{slug}.html">' in html


def test_json_ld_has_the_audio_object(site):
    html = (site / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert data["associatedMedia"] == {"@type": "AudioObject", "encodingFormat": "audio/mpeg",
                                       "contentUrl": "https://audio.example.invalid/the-duran/putin-lukashenko.mp3",
                                       "duration": "PT24M35S"}
    assert '<meta property="og:image" content="https://show.example.invalid/artwork.jpg">' in html
    assert not re.search(r"<img[^>]+src=\"https?://", html)


def test_hand_set_audio_without_length_or_type_still_makes_a_valid_enclosure(tmp_path):
    out, report, log = build_site_at(tmp_path, podcast_feeds=[])
    page = tmp_path / "content/episodes/putin-lukashenko-prepare-for-nato-escalation.md"
    page.write_text(page.read_text().replace("slug:", "audio:\n  url: https://media.example.com/a.m4a\nslug:", 1))
    out, report, log = build_site_at(tmp_path, podcast_feeds=[])
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.title.startswith("Putin"))
    assert [(e.href, e.length, e.type) for e in entry.enclosures] == [("https://media.example.com/a.m4a", "0", "audio/mp4")]
    assert "itunes_duration" not in entry
    other = next(e for e in parsed.entries if not e.title.startswith("Putin"))
    assert other.enclosures == []
    feed = json.loads((out / "feed.json").read_text())
    assert feed["items"][1]["attachments"][0] == {"url": "https://media.example.com/a.m4a", "mime_type": "audio/mp4",
                                                  "title": "Audio"}


@pytest.mark.parametrize("length", ["12 MB", "unknown", "١٢", "9" * 40])
def test_a_feed_length_that_is_not_a_byte_count_is_published_as_unknown(tmp_path, length):
    feed = tmp_path / "show.xml"
    feed.write_text(SHOW_FEED.read_text().replace('length="23600000"', f'length="{length}"'))
    out, report, log = build_site_at(tmp_path, podcast_feeds=[str(feed)])
    entry = next(e for e in feedparser.parse((out / "feed.xml").read_bytes()).entries if e.title.startswith("Putin"))
    assert [(e.href, e.length) for e in entry.enclosures] == \
        [("https://audio.example.invalid/the-duran/putin-lukashenko.mp3", "0")]
    item = next(i for i in json.loads((out / "feed.json").read_text())["items"] if i["title"].startswith("Putin"))
    assert "size_in_bytes" not in item["attachments"][0]


def test_hostile_feed_values_are_escaped_in_feed_xml(tmp_path):
    out, report, log = build_site_at(tmp_path, podcast_feeds=[str(FEEDS / "hostile.xml")])
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo
    entry = next(e for e in parsed.entries if e.title.startswith("Putin"))
    assert entry.enclosures[0].href.endswith("&b='<img src=x onerror=window.pwned=2>")
    html = (out / "episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()
    assert '<meta property="og:image" content="https://show.example.com/a.jpg&#34; onerror=&#34;alert(1)">' in html
