"""Reading the show's own feed: refused whole when it is not plain RSS,
fetched over HTTP with conditional requests and a last good copy that
keeps a build going while the host is down."""
from __future__ import annotations

import contextlib
import http.server
import io
import socket
import threading
import time
from pathlib import Path

import pytest

from generator import podcast_feed
from generator.errors import Report
from generator.podcast_feed import FeedError, parse_feed, read_feeds

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def _read(name: str):
    return parse_feed((FEEDS / name).read_bytes(), name)


def test_a_feed_gives_its_items_with_enclosures_exactly_as_written():
    feed, warnings = _read("matching.xml")
    assert feed.title == "The Duran Podcast"
    assert feed.image == "https://show.example.com/artwork.jpg"
    first = next(i for i in feed.items if i.guid == "made-up-101")
    assert first.enclosure.url == "https://media.example.com/duran/101.mp3?src=feed&n=1"
    assert (first.enclosure.length, first.enclosure.type) == ("23456789", "audio/mpeg")
    assert first.duration == 1475 and first.image == "https://show.example.com/101.jpg"
    assert next(i for i in feed.items if i.guid == "made-up-112").duration == 12 * 60 + 41
    trailer = next(i for i in feed.items if i.guid == "made-up-trailer")
    assert trailer.enclosure is None


def test_enclosures_that_are_not_http_are_refused_with_a_warning():
    feed, warnings = _read("matching.xml")
    assert [i.enclosure for i in feed.items if i.guid in ("made-up-bad-url", "made-up-file-url")] == [None, None]
    assert len(warnings) == 2
    assert "javascript:alert(1)" in warnings[0] and "not http(s)" in warnings[0]
    assert "file:///etc/passwd" in warnings[1]


@pytest.mark.parametrize("name, reason", [
    ("doctype.xml", "DTD"), ("entity_bomb.xml", "DTD"), ("external_entity.xml", "DTD"),
    ("not_rss.xml", "not an RSS feed"), ("not_xml.xml", "not XML"),
])
def test_a_hostile_or_wrong_feed_is_refused_whole(name, reason):
    started = time.perf_counter()
    with pytest.raises(FeedError, match=reason):
        _read(name)
    assert time.perf_counter() - started < 5   # the bomb is never expanded


def test_a_refused_feed_is_one_warning_naming_it_and_gives_nothing(tmp_path):
    log = io.StringIO()
    report = Report(stream=log)
    feeds = read_feeds(("doctype.xml", "not_rss.xml", "empty_channel.xml", "missing.xml"), FEEDS, tmp_path, report)
    lines = log.getvalue().splitlines()
    assert [f.source for f in feeds] == ["empty_channel.xml"] and feeds[0].items == ()
    assert lines[0].startswith("warning: doctype.xml: refused: it declares a DTD")
    assert lines[1].startswith("warning: not_rss.xml: not an RSS feed")
    assert lines[2].startswith("warning: missing.xml: cannot read")
    assert report.warnings == 3


def test_itunes_durations():
    assert [podcast_feed.parse_duration(t) for t in ("1475", "24:35", "1:02:03", "", "1h", "x:10", "0")] == \
        [1475, 24 * 60 + 35, 3723, None, None, None, None]
    # Past three days a duration is a typo: "play from here" would otherwise sit days in.
    assert [podcast_feed.parse_duration(t) for t in ("72:00:00", "72:00:01", "999999999", "99:99:99")] == \
        [72 * 3600, None, None, None]


# Over HTTP, against a server of our own on 127.0.0.1 -------------------------------------------

class _FeedServer(http.server.BaseHTTPRequestHandler):
    body = (FEEDS / "same_title.xml").read_bytes()
    requests: list[dict] = []

    def do_GET(self):
        self.requests.append(dict(self.headers))
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", '"v1"')
        self.send_header("Last-Modified", "Sat, 25 May 2024 15:00:00 GMT")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _server():
    handler = type("H", (_FeedServer,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", handler.requests, server
    finally:
        server.shutdown()
        server.server_close()


def _fetch(url, cache, timeout=2.0):
    log = io.StringIO()
    report = Report(stream=log)
    feeds = read_feeds((url,), Path("."), cache, report, timeout=timeout)
    return feeds, log.getvalue(), report


def test_a_second_fetch_is_conditional_and_a_304_uses_the_copy(tmp_path):
    with _server() as (url, requests, _):
        first, log1, _ = _fetch(url, tmp_path)
        second, log2, report = _fetch(url, tmp_path)
    assert "If-None-Match" not in requests[0]
    assert requests[1]["If-None-Match"] == '"v1"'
    assert requests[1]["If-Modified-Since"] == "Sat, 25 May 2024 15:00:00 GMT"
    assert requests[0]["User-Agent"].startswith("podcast-archive/")
    assert len(second) == 1 and second[0].items == first[0].items and report.clean, log1 + log2


def test_a_cache_that_cannot_be_written_costs_the_copy_not_the_build(tmp_path):
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")
    with _server() as (url, _, _):
        feeds, log, report = _fetch(url, cache)
    assert len(feeds) == 1 and report.warnings == 1
    assert log.startswith(f"warning: {url}: cannot keep a copy in {cache}") and log.count("\n") == 1, log


def test_with_the_host_down_the_copy_fetched_before_is_used_with_a_warning(tmp_path):
    with _server() as (url, _, _):
        _fetch(url, tmp_path)
    feeds, log, report = _fetch(url, tmp_path)   # the server is gone: connection refused
    assert len(feeds) == 1 and len(feeds[0].items) == 2
    assert log.startswith(f"warning: {url}: cannot be fetched") and "using the copy fetched before" in log
    assert report.warnings == 1


def test_with_the_host_down_and_no_copy_there_is_no_audio_and_a_warning(tmp_path):
    with _server() as (url, _, _):
        pass
    feeds, log, _ = _fetch(url, tmp_path)
    assert feeds == [] and f"warning: {url}: cannot be fetched" in log and "no audio from this feed" in log


def test_a_server_that_never_answers_times_out(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)   # accepts the connection, never says a word
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"
        started = time.perf_counter()
        feeds, log, _ = _fetch(url, tmp_path, timeout=0.5)
        elapsed = time.perf_counter() - started
    finally:
        silent.close()
    assert feeds == [] and "timed out" in log, log
    assert elapsed < 5


def test_an_http_error_keeps_the_copy(tmp_path):
    with _server() as (url, _, server):
        _fetch(url, tmp_path)
        server.RequestHandlerClass.do_GET = lambda self: self.send_error(503)
        feeds, log, _ = _fetch(url, tmp_path)
    assert len(feeds) == 1 and "HTTP 503" in log and "using the copy fetched before" in log


from hypothesis import given, strategies as st  # noqa: E402

_xmlish = st.lists(st.sampled_from(["<rss>", "</rss>", "<channel>", "</channel>", "<item>", "</item>", "<title>",
                                    "</title>", "<enclosure url='http://a.example/x' length='1'/>", "<pubDate>",
                                    "</pubDate>", "Sat, 25 May 2024 14:05:00 +0000", "<!DOCTYPE x>", "&amp;",
                                    "&lt;", "<itunes:duration xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'>",
                                    "</itunes:duration>", "99:99:99", "\x00", "é", "<![CDATA[x]]>"]), max_size=30)


@given(st.one_of(st.binary(max_size=200), _xmlish.map(lambda parts: "".join(parts).encode())))
def test_any_bytes_parse_or_are_refused_with_a_reason(data):
    try:
        feed, warnings = parse_feed(data, "fuzz")
    except FeedError as exc:
        assert str(exc)
    else:
        assert all(isinstance(w, str) for w in warnings)


def test_a_page_that_is_not_a_feed_does_not_replace_the_good_copy(tmp_path):
    with _server() as (url, _, server):
        _fetch(url, tmp_path)
        server.RequestHandlerClass.body = (FEEDS / "not_xml.xml").read_bytes()
        # The host answers 200 with an error page, whatever the request says.
        server.RequestHandlerClass.do_GET = lambda self: (
            self.send_response(200), self.send_header("Content-Length", str(len(self.body))),
            self.end_headers(), self.wfile.write(self.body))
        feeds, log, _ = _fetch(url, tmp_path)
        again, log2, _ = _fetch(url, tmp_path)
    assert len(feeds) == 1 and len(feeds[0].items) == 2 and "not XML" in log
    assert "using the copy fetched before" in log and len(again) == 1


def test_a_redirect_to_another_scheme_is_not_followed(tmp_path):
    with _server() as (url, _, server):
        def redirect(self):
            self.send_response(302)
            self.send_header("Location", "file:///etc/hostname")
            self.end_headers()
        server.RequestHandlerClass.do_GET = redirect
        feeds, log, _ = _fetch(url, tmp_path)
    assert feeds == [] and f"warning: {url}: HTTP 302" in log, log


def test_a_feed_path_that_is_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    import os
    import subprocess
    import sys

    os.mkfifo(tmp_path / "fifo.xml")   # no writer: reading it would block for good
    (tmp_path / "zero.xml").symlink_to("/dev/zero")   # never ends
    code = ("import io, sys; from pathlib import Path; from generator.errors import Report; "
            "from generator.podcast_feed import read_feeds; log = io.StringIO(); "
            "feeds = read_feeds(('fifo.xml', 'zero.xml'), Path(sys.argv[1]), Path(sys.argv[1]), Report(stream=log)); "
            "print(len(feeds)); print(log.getvalue(), end='')")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=30)
    lines = done.stdout.splitlines()
    assert lines[0] == "0", done.stdout + done.stderr
    assert lines[1].startswith("warning: fifo.xml: cannot read: a FIFO (named pipe), not a regular file")
    assert lines[2].startswith("warning: zero.xml: cannot read: a character device, not a regular file")


def test_a_server_that_trickles_its_answer_is_cut_off_in_bounded_time(tmp_path):
    class Trickle(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            try:   # a byte every 0.1 s: each wait is well inside the timeout, the whole never ends
                for byte in b"<rss><channel><title>T</title>" + b" " * 10_000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.perf_counter()
        feeds, log, _ = _fetch(f"http://127.0.0.1:{server.server_address[1]}/feed.xml", tmp_path, timeout=0.5)
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    assert feeds == [] and "the answer took longer than 3 seconds" in log, log
    assert elapsed < 10


def test_a_url_with_a_space_or_a_garbled_answer_is_a_warning_not_a_crash(tmp_path):
    garbled = socket.socket()
    garbled.bind(("127.0.0.1", 0))
    garbled.listen(1)
    port = garbled.getsockname()[1]

    def answer():   # not HTTP at all: http.client raises BadStatusLine
        connection, _ = garbled.accept()
        connection.recv(65536)
        connection.sendall(b"HELLO THERE\r\n\r\n")
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    try:
        for url in (f"http://127.0.0.1:{port}/my show.xml", f"http://127.0.0.1:{port}/feed.xml"):
            feeds, log, report = _fetch(url, tmp_path)
            assert feeds == [] and log.startswith(f"warning: {url}: cannot be fetched") and report.warnings == 1, log
            assert len(log.splitlines()) == 1
    finally:
        garbled.close()
