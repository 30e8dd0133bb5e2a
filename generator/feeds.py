"""Machine-readable outputs: RSS 2.0, JSON Feed 1.1, sitemap.xml, robots.txt.

No build timestamps: the same inputs give the same bytes. A feed date comes
from SOURCE_DATE_EPOCH only when the caller passes one.
"""
from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from generator.site import Site
from generator.text import strip_controls
from generator.urls import Urls
from generator.audio import audio_type
from generator.podcast_feed import ITUNES_NS
from generator.views import excerpt

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_URLS = 10_000   # addresses in one sitemap file; the protocol allows 50,000
ET.register_namespace("podcast", PODCAST_NS)
ET.register_namespace("itunes", ITUNES_NS)
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("", SITEMAP_NS)


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)


def _rfc822(moment: dt.datetime) -> str:
    from email.utils import format_datetime   # here: the email package is slow to import
    return format_datetime(moment)


def _feed_episodes(site: Site):
    limit = site.config.feed_items
    return site.episodes[:limit] if limit else site.episodes


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = strip_controls(text)
    return element


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def rss(site: Site, urls: Urls, built_at: dt.datetime | None = None) -> bytes:
    config = site.config
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", config.title)
    _sub(channel, "link", urls.absolute(urls.home()))
    _sub(channel, "description", config.description or config.title)
    _sub(channel, "language", config.language)
    _sub(channel, f"{{{ATOM_NS}}}link", href=urls.absolute("feed.xml"), rel="self", type="application/rss+xml")
    if built_at:
        _sub(channel, "lastBuildDate", _rfc822(built_at))
    if site.podcast_image:
        _sub(channel, f"{{{ITUNES_NS}}}image", href=site.podcast_image)
    for episode in _feed_episodes(site):
        item = _sub(channel, "item")
        link = urls.absolute(urls.episode(episode.slug))
        _sub(item, "title", episode.title)
        _sub(item, "link", link)
        _sub(item, "guid", link, isPermaLink="true")
        _sub(item, "pubDate", _rfc822(_midnight(episode.date)))
        _sub(item, "description", excerpt(site, episode))
        for topic in episode.topics:
            _sub(item, "category", topic)
        audio = site.audio.get(episode.slug)
        if audio:
            _enclosure(item, audio)
        if config.transcript_files:
            _sub(item, f"{{{PODCAST_NS}}}transcript", url=urls.absolute(urls.transcript(episode.slug)),
                 type="text/plain", language=config.language)
        # Without transcript files of its own, the episode page is the HTML transcript.
        html = urls.transcript_html(episode.slug) if config.transcript_files else urls.episode(episode.slug)
        _sub(item, f"{{{PODCAST_NS}}}transcript", url=urls.absolute(html), type="text/html",
             language=config.language)
    return _xml(root)


def _byte_count(length: str) -> int | None:
    """An enclosure's length as a number of bytes, if it is one (ASCII digits,
    short of a petabyte); None for "unknown", "12 MB" or "١٢"."""
    return int(length) if length.isascii() and length.isdigit() and len(length) <= 15 else None


def _enclosure(item: ET.Element, audio) -> None:
    """The enclosure as the show's feed gives it. RSS requires length and
    type; where a page's hand-set audio leaves them out, 0 ('unknown') and
    the type the file name suggests stand in; so does 0 for a length that is
    not a number of bytes ("unknown", "12 MB": the show feed's own mistake)."""
    _sub(item, "enclosure", url=audio.url, length=str(_byte_count(audio.length) or 0), type=audio.type or audio_type(audio.url))
    if audio.duration:
        _sub(item, f"{{{ITUNES_NS}}}duration", str(audio.duration))
    if audio.image:
        _sub(item, f"{{{ITUNES_NS}}}image", href=audio.image)



def json_feed(site: Site, urls: Urls) -> bytes:
    config = site.config
    items = []
    for episode in _feed_episodes(site):
        link = urls.absolute(urls.episode(episode.slug))
        item = {"id": link, "url": link, "title": episode.title,
                "content_text": excerpt(site, episode),
                "date_published": _midnight(episode.date).isoformat().replace("+00:00", "Z"),
                "attachments": [{"url": urls.absolute(urls.transcript(episode.slug)),
                                 "mime_type": "text/plain", "title": "Transcript"}]}
        if episode.topics:
            item["tags"] = list(episode.topics)
        audio = site.audio.get(episode.slug)
        if audio:
            attachment = {"url": audio.url, "mime_type": audio.type or audio_type(audio.url), "title": "Audio"}
            if size := _byte_count(audio.length):
                attachment["size_in_bytes"] = size
            if audio.duration:
                attachment["duration_in_seconds"] = audio.duration
            item["attachments"].insert(0, attachment)
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": config.title,
            "home_page_url": urls.absolute(urls.home()), "feed_url": urls.absolute("feed.json"),
            "description": config.description, "language": config.language, "items": items}
    if config.author:
        feed["authors"] = [{"name": config.author}]
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def sitemap(pages: list[tuple[str, dt.date | None]], urls: Urls) -> bytes:
    """One file of the sitemap: each page's address, and its date if it has one."""
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for name, lastmod in pages:
        entry = _sub(root, f"{{{SITEMAP_NS}}}url")
        _sub(entry, f"{{{SITEMAP_NS}}}loc", urls.absolute(name))
        if lastmod:
            _sub(entry, f"{{{SITEMAP_NS}}}lastmod", lastmod.isoformat())
    return _xml(root)


def sitemap_files(episodes: list[tuple[str, dt.date]], others: list[str]) -> dict[str, list[tuple[str, dt.date | None]]]:
    """The sitemap's files (names under the site) and the pages each lists.
    The episodes go by year and the topics' pages by initial, so that a new
    episode, or a new topic, changes only the files it falls in (and
    rebuilds cost what changed); the other pages have a file of their own.
    Each is cut into files of at most SITEMAP_URLS addresses: crawlers read
    no more than 50,000 from one file, and an archive's topics can pass that.
    The files sit beside sitemap.xml, at the top of the site: a sitemap may
    list only addresses under its own folder."""
    groups: dict[str, list[tuple[str, dt.date | None]]] = {}
    for name, date in sorted(episodes):
        groups.setdefault(f"episodes-{date.year}", []).append((name, date))
    groups["pages"] = []
    for name in sorted(others):
        folder, _, rest = name.partition("/")
        groups.setdefault(f"topics-{rest[0]}" if folder == "topics" and rest else "pages", []).append((name, None))
    files = {}
    for group, rows in sorted(groups.items()):
        for start in range(0, max(1, len(rows)), SITEMAP_URLS):
            part = start // SITEMAP_URLS + 1
            files[f"sitemap-{group}.xml" if part == 1 else f"sitemap-{group}-{part}.xml"] = \
                rows[start:start + SITEMAP_URLS]
    return files


def sitemap_index(files: list[str], urls: Urls) -> bytes:
    """sitemap.xml: the address of each of the sitemap's files."""
    root = ET.Element(f"{{{SITEMAP_NS}}}sitemapindex")
    for name in files:
        _sub(_sub(root, f"{{{SITEMAP_NS}}}sitemap"), f"{{{SITEMAP_NS}}}loc", urls.absolute(name))
    return _xml(root)


def robots(urls: Urls) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n"
