"""The show's own podcast feeds: fetched (with a cache that outlives the
host being down) and parsed as the untrusted input they are.

A feed is somebody else's XML. It is parsed by defusedxml, which refuses a
DOCTYPE (and so any entity, the billion-laughs kind included) before
anything is expanded; whatever is refused contributes nothing to the site.
Nothing here can fail a build: every problem is a warning.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.cache import write_replacing
from generator.errors import Report
from generator.inputs import read_file
from generator.text import one_line

TIMEOUT_SECONDS = 10.0
USER_AGENT = "podcast-archive/0.1 (static transcript archive; fetches the show's feed for its audio links)"
MAX_BYTES = 64 * 1024 * 1024   # a feed larger than this is not a podcast feed
DOWNLOAD_TIMEOUTS = 6           # the whole answer must arrive within this many timeouts (a minute)
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
FEEDS_CACHE = "feeds"   # folder under cache_dir: the last good copy of each fetched feed


class FeedError(Exception):
    """A feed refused: ``str(exc)`` is the reason shown to the user."""


@dataclass(frozen=True)
class Enclosure:
    """An item's <enclosure>, its attributes exactly as the feed gives them."""
    url: str
    length: str
    type: str


@dataclass(frozen=True)
class FeedItem:
    title: str
    published: dt.datetime | None   # aware
    enclosure: Enclosure | None
    duration: int | None            # seconds, from itunes:duration
    image: str                      # itunes:image href, or ""
    guid: str


@dataclass(frozen=True)
class Feed:
    source: str                     # the entry in site.yaml, as the user wrote it
    title: str
    image: str                      # the channel's itunes:image (or <image><url>), or ""
    items: tuple[FeedItem, ...]


def is_url(entry: str) -> bool:
    return urlsplit(entry).scheme in ("http", "https")


def _http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# Longer than any episode a feed really carries (24-hour marathons exist):
# past it a duration is a typo, and would place "play from here" days in.
LONGEST_EPISODE = 72 * 3600


def parse_duration(text: str) -> int | None:
    """itunes:duration: seconds ('1475'), 'MM:SS' or 'HH:MM:SS'; None if
    unreadable or longer than LONGEST_EPISODE."""
    text = text.strip()
    parts = text.split(":")
    if not text or len(parts) > 3 or not all(p.isdigit() and len(p) <= 9 for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds if 0 < seconds <= LONGEST_EPISODE else None


def parse_pub_date(text: str) -> dt.datetime | None:
    """An RFC 822 date as feeds write it; a date without a zone is taken as UTC."""
    try:
        moment = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return one_line(found.text or "") if found is not None else ""


def _image(element) -> str:
    itunes = element.find(f"{{{ITUNES_NS}}}image")
    href = (itunes.get("href") or "").strip() if itunes is not None else ""
    if not href and element.find("image") is not None:
        href = _text(element.find("image"), "url")
    return href if _http_url(href) else ""


def _item(element, source: str, warnings: list[str]) -> FeedItem:
    title = _text(element, "title")
    enclosure = None
    found = element.find("enclosure")
    if found is not None:
        url = (found.get("url") or "").strip()
        if _http_url(url):
            enclosure = Enclosure(url, (found.get("length") or "").strip(), (found.get("type") or "").strip())
        else:
            warnings.append(f"{source}: item {title!r}: enclosure URL is not http(s), refused: {url[:80]!r}")
    return FeedItem(title=title, published=parse_pub_date(_text(element, "pubDate")), enclosure=enclosure,
                    duration=parse_duration(_text(element, f"{{{ITUNES_NS}}}duration")),
                    image=_image(element), guid=_text(element, "guid"))


def parse_feed(data: bytes, source: str) -> tuple[Feed, list[str]]:
    """The feed and warnings about single items. Raises FeedError for a feed
    refused whole: a DOCTYPE or entities, not XML, not RSS."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(f"refused: it declares a DTD or entities ({type(exc).__name__})") from None
    except ParseError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root.tag != "rss" or root.find("channel") is None:
        raise FeedError(f"not an RSS feed (its root element is <{str(root.tag)[:60]}>, not <rss><channel>)")
    channel = root.find("channel")
    warnings: list[str] = []
    items = tuple(_item(e, source, warnings) for e in channel.findall("item"))
    return Feed(source, _text(channel, "title"), _image(channel), items), warnings


# Fetching -----------------------------------------------------------------------------------

def _cache_paths(cache_dir: Path, url: str) -> tuple[Path, Path]:
    name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    folder = cache_dir / FEEDS_CACHE
    return folder / f"{name}.xml", folder / f"{name}.json"


def _cached(cache_dir: Path, url: str) -> tuple[bytes | None, dict]:
    body_path, meta_path = _cache_paths(cache_dir, url)
    try:
        body = body_path.read_bytes()
    except OSError:
        return None, {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    return body, meta if isinstance(meta, dict) else {}


def remember(cache_dir: Path, url: str, body: bytes, headers) -> None:
    """Keep ``body`` as the last good copy, with what a conditional request needs."""
    body_path, meta_path = _cache_paths(cache_dir, url)
    body_path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"url": url, "etag": headers.get("ETag") or "", "last_modified": headers.get("Last-Modified") or ""}
    write_replacing(body_path, lambda f: f.write(body))
    write_replacing(meta_path, lambda f: f.write(json.dumps(meta).encode("utf-8")))


def _opener() -> urllib.request.OpenerDirector:
    """HTTP(S) only: a redirect to ftp: or file: is an error, not a fetch."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPRedirectHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), urllib.request.UnknownHandler()):
        opener.add_handler(handler)
    return opener


def _read_body(response, timeout: float) -> bytes:
    """At most MAX_BYTES, within DOWNLOAD_TIMEOUTS timeouts in all: the socket's
    timeout bounds each wait, so a host sending a byte every few seconds would
    otherwise hold the build for days."""
    limit = timeout * DOWNLOAD_TIMEOUTS
    deadline = time.monotonic() + limit
    chunks, size = [], 0
    while chunk := response.read1(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise FeedError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
        if time.monotonic() > deadline:
            raise FeedError(f"cannot be fetched: the answer took longer than {limit:g} seconds")
    return b"".join(chunks)


def _download(url: str, meta: dict, timeout: float) -> tuple[int, bytes, object]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/rss+xml, "
                                                   "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"})
    if meta.get("etag"):
        request.add_header("If-None-Match", meta["etag"])
    if meta.get("last_modified"):
        request.add_header("If-Modified-Since", meta["last_modified"])
    try:
        with _opener().open(request, timeout=timeout) as response:
            return response.status, _read_body(response, timeout), response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", exc.headers
        raise FeedError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:   # refused, unreachable, timed out
        reason = getattr(exc, "reason", exc)
        raise FeedError(f"cannot be fetched: {reason}") from None
    except http.client.HTTPException as exc:   # a space in the URL, a garbled or cut-off answer
        raise FeedError(f"cannot be fetched: {type(exc).__name__}: {exc}") from None


def fetch(url: str, cache_dir: Path, report: Report, timeout: float | None = None) -> bytes | None:
    """The feed's bytes: fresh, or (304, or the host down) the last good copy.
    None, with a warning, when there is neither."""
    cached, meta = _cached(cache_dir, url)
    try:
        status, body, headers = _download(url, meta if cached is not None else {},
                                          TIMEOUT_SECONDS if timeout is None else timeout)
    except FeedError as exc:
        if cached is not None:
            report.warn(f"{url}: {exc}; using the copy fetched before")
            return cached
        report.warn(f"{url}: {exc}; no copy fetched before, so no audio from this feed")
        return None
    if status == 304 and cached is not None:
        return cached
    try:
        parse_feed(body, url)
    except FeedError as exc:   # a maintenance page served as 200, say: not a copy worth keeping
        if cached is not None:
            report.warn(f"{url}: {exc}; using the copy fetched before")
            return cached
        return body   # the caller refuses it with the reason
    try:
        remember(cache_dir, url, body, headers)
    except OSError as exc:   # a full disk or a read-only cache costs the copy, not the build
        report.warn(f"{url}: cannot keep a copy in {cache_dir}: {exc.strerror or exc}")
    return body


def read_feeds(entries: tuple[str, ...], root: Path, cache_dir: Path, report: Report,
               timeout: float | None = None) -> list[Feed]:
    """Every feed that could be read and parsed; the rest are warnings."""
    feeds = []
    for entry in entries:
        if is_url(entry):
            data = fetch(entry, cache_dir, report, timeout)
            if data is None:
                continue
        else:
            try:   # a FIFO or /dev/zero named here must not block or fill the build
                data = read_file(root / entry, MAX_BYTES)
            except OSError as exc:
                report.warn(f"{entry}: cannot read: {exc.strerror or exc}; no audio from this feed")
                continue
        try:
            feed, warnings = parse_feed(data, entry)
        except FeedError as exc:
            report.warn(f"{entry}: {exc}")
            continue
        for warning in warnings:
            report.warn(warning)
        feeds.append(feed)
    return feeds
