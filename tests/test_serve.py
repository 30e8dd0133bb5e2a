"""`serve` as a publisher uses it: the real server on a free loopback port,
the site under its base path, live reload, errors in the browser, and
nothing outside the site folder ever served."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from generator import serve as serve_module
from generator.serve import SCRIPT
from generator.watch import BuildState
from tests.live_support import Command, EventStream, get, make_project, running, wait_for
from tests.site_support import REPO, parse_html

SUBPATH = "https://user.github.io/repo/"
TAG = re.compile(rb'<script src="/__live/reload\.js" data-site="[^"]+"></script>\n')


def _slugs(out: Path) -> list[str]:
    return sorted(p.stem for p in (out / "episodes").glob("*.html"))


def _break_line_5(template: Path) -> str:
    original = template.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    template.write_text("".join(lines[:4] + ["{% if %}\n"] + lines[4:]), encoding="utf-8")
    return original


def test_pages_are_served_with_a_live_script_that_is_not_on_disk(tmp_path):
    with running(make_project(tmp_path)) as live:
        out = tmp_path / "_site"
        status, headers, body = get(live, "/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert TAG.search(body) and b"__live" not in (out / "index.html").read_bytes()
        assert TAG.sub(b"", body) == (out / "index.html").read_bytes()
        slug = _slugs(out)[0]
        status, _, body = get(live, f"/episodes/{slug}.html")
        assert status == 200 and TAG.sub(b"", body) == (out / "episodes" / f"{slug}.html").read_bytes()
        status, _, body = get(live, "/robots.txt")
        assert status == 200 and body == (out / "robots.txt").read_bytes()
        status, headers, body = get(live, "/feed.xml")
        assert status == 200 and "xml" in headers["Content-Type"] and b"__live" not in body
        status, headers, body = get(live, "/", method="HEAD")
        assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
        status, headers, body = get(live, SCRIPT)
        assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"EventSource" in body
        assert not list(out.rglob("*reload*")), "the live-reload script must not be in the built site"


def test_a_sub_path_base_url_is_previewed_the_way_github_pages_serves_it(tmp_path):
    with running(make_project(tmp_path, SUBPATH)) as live:
        assert live.url.endswith("/repo/")
        out = tmp_path / "_site"
        slug = _slugs(out)[0]
        for path in ("/", "/repo"):
            status, headers, _ = get(live, path)
            assert (status, headers["Location"]) == (302, "/repo/")
        status, headers, _ = get(live, "/repo/topics?x=1")
        assert (status, headers["Location"]) == (302, "/repo/topics/?x=1")
        # As on Pages, a page answers without its .html too.
        status, _, page = get(live, f"/repo/episodes/{slug}")
        assert status == 200 and TAG.sub(b"", page) == (out / f"episodes/{slug}.html").read_bytes()
        status, _, home = get(live, "/repo/")
        assert status == 200 and TAG.sub(b"", home) == (out / "index.html").read_bytes()
        # Every root-relative link on the home page works, as it will on Pages.
        links = {link for link in parse_html(out / "index.html").links if link.startswith("/")}
        assert any(link.startswith("/repo/assets/") for link in links)
        for link in sorted(links):
            assert get(live, link.split("#")[0])[0] == 200, link
        status, _, body = get(live, f"/repo/episodes/{slug}.html")
        assert status == 200 and TAG.sub(b"", body) == (out / "episodes" / f"{slug}.html").read_bytes()
        not_found = (out / "404.html").read_bytes()
        for path in ("/repo/no-such-page/", f"/episodes/{slug}.html", "/repo/assets/nope.css"):
            status, _, body = get(live, path)
            assert status == 404 and TAG.sub(b"", body) == not_found, path


def test_paths_outside_the_site_folder_and_directory_listings_are_refused(tmp_path):
    config = make_project(tmp_path)
    secret = config.read_bytes()
    with running(config) as live:
        out = tmp_path / "_site"
        (out / "leak.yaml").symlink_to(config)
        (out / "leakdir").symlink_to(tmp_path, target_is_directory=True)
        (out / "assets" / "up").symlink_to("../..", target_is_directory=True)
        (out / "loop").symlink_to("loop")
        not_found = (out / "404.html").read_bytes()
        attempts = ["/../site.yaml", "/%2e%2e/site.yaml", "/%2E%2E/site.yaml", "/assets/../../site.yaml",
                    "/%2e%2e%2fsite.yaml", "/assets/%2e%2e/%2e%2e/site.yaml", "/..%2f..%2fsite.yaml",
                    "/..%5csite.yaml", "//etc/passwd", "/%2fetc/passwd", f"/{tmp_path}/site.yaml",
                    "/leak.yaml", "/leakdir/site.yaml", "/leakdir/", "/assets/up/site.yaml", "/%00",
                    "/episodes/", "/assets/", "/search/../../site.yaml", "/loop", "/loop/x",
                    "/" + "a" * 5000]
        for path in attempts:
            status, _, body = get(live, path)
            assert status == 404, path
            assert TAG.sub(b"", body) == not_found, path
            assert secret not in body and b"root:" not in body, path
        # A folder without index.html is a 404, never a listing, with or without the slash.
        assert not (out / "episodes" / "index.html").exists()
        assert get(live, "/episodes")[0] == 302 and get(live, "/episodes/")[0] == 404


def test_a_new_transcript_appears_after_the_rebuild_without_a_rebuild_loop(tmp_path):
    with running(make_project(tmp_path)) as live:
        before = live.attempts()
        shutil.copyfile(REPO / "tests/fixtures/transcripts/basic.txt", tmp_path / "transcripts" / "new.txt")
        live.wait_rebuilt(before)
        [md] = (tmp_path / "content/episodes").glob("freedonia*.md")
        slug = md.stem
        status, _, body = get(live, f"/episodes/{slug}.html")
        assert status == 200 and b"Freedonia" in body
        assert f"/episodes/{slug}.html".encode() in get(live, "/")[2]
        for feed in ("/feed.xml", "/feed.json"):
            assert slug.encode() in get(live, feed)[2], feed
        manifest = json.loads(get(live, "/search/latest.json")[2])["manifest"]
        assert get(live, f"/search/{manifest}")[0] == 200
        # The importer's own page writes must not start another rebuild.
        settled = live.attempts()
        with pytest.raises(AssertionError):
            live.wait_rebuilt(settled, timeout=1.0)
        assert "error:" not in live.errors.getvalue()


def test_open_pages_are_told_to_reload_after_a_rebuild(tmp_path):
    with running(make_project(tmp_path)) as live:
        events = EventStream(live)
        name, hello = events.next()
        assert name == "hello" and hello["ok"] and hello["errors"] == []
        served = TAG.search(get(live, "/")[2]).group(0)
        assert hello["site"].encode() in served
        with open(tmp_path / "templates/assets/style.css", "a", encoding="utf-8") as css:
            css.write("\n/* changed while serving */\n")
        name, state = events.next()
        assert name == "reload" and state["site"] != hello["site"] and state["errors"] == []
        assert b"changed while serving" in get(live, "/assets/style.css")[2]
        assert state["site"].encode() in get(live, "/")[2]
        events.close()


def test_a_broken_template_shows_its_line_while_the_last_good_site_is_served(tmp_path):
    with running(make_project(tmp_path)) as live:
        good = (tmp_path / "_site/index.html").read_bytes()
        events = EventStream(live)
        assert events.next()[0] == "hello"
        template = tmp_path / "templates/home.html"
        original = _break_line_5(template)
        name, state = events.next()
        assert name == "error" and not state["ok"]
        assert len(state["errors"]) == 1
        assert re.fullmatch(r"error: .*templates/home\.html:5: template syntax error: .+", state["errors"][0])
        assert state["errors"][0] in live.errors.getvalue()
        status, _, body = get(live, "/")
        assert status == 200 and TAG.sub(b"", body) == good
        assert (tmp_path / "_site/index.html").read_bytes() == good
        template.write_text(original, encoding="utf-8")
        name, state = events.next()
        assert name == "reload" and state["ok"] and state["errors"] == []
        events.close()


def test_a_bad_transcript_is_reported_and_the_rest_is_rebuilt(tmp_path):
    with running(make_project(tmp_path)) as live:
        events = EventStream(live)
        assert events.next()[0] == "hello"
        shutil.copyfile(REPO / "tests/fixtures/transcripts/bad_date.txt", tmp_path / "transcripts/bad.txt")
        shutil.copyfile(REPO / "tests/fixtures/transcripts/basic.txt", tmp_path / "transcripts/good.txt")
        # The two files may settle one rebuild apart.
        for _ in range(2):
            name, state = events.next()
            assert name == "reload" and state["ok"]
            if state["errors"] and list((tmp_path / "_site/episodes").glob("freedonia*")):
                break
        assert len(state["errors"]) == 1 and re.search(r"transcripts/bad\.txt:\d+: ", state["errors"][0])
        assert list((tmp_path / "_site/episodes").glob("freedonia*"))
        (tmp_path / "transcripts/bad.txt").unlink()
        name, state = events.next()
        assert name == "reload" and state["errors"] == []
        events.close()


def test_site_yaml_changes_rebuild_and_bad_values_are_shown(tmp_path):
    config = make_project(tmp_path)
    with running(config) as live:
        events = EventStream(live)
        assert events.next()[0] == "hello"
        good = config.read_text(encoding="utf-8")
        config.write_text(good + "titel: typo\n", encoding="utf-8")
        name, state = events.next()
        assert name == "error" and state["errors"] == [f"error: {config}: key 'titel': unknown key "
                                                       f"(did you mean 'title'?)"]
        # An editor that saves by writing a new file and renaming it over the old one.
        replacement = tmp_path / "site.yaml.new"
        replacement.write_text(good.replace("Live Test Archive", "Renamed Archive"), encoding="utf-8")
        os.replace(replacement, config)
        name, state = events.next()
        assert name == "reload" and state["errors"] == []
        assert b"Renamed Archive" in get(live, "/")[2]
        events.close()


@pytest.mark.browser
def test_the_browser_shows_the_error_then_reloads_when_it_is_fixed(tmp_path, page):
    with running(make_project(tmp_path)) as live:
        page.goto(live.url)
        page.wait_for_function("document.readyState === 'complete'")
        page.evaluate("window.notReloaded = true")
        template = tmp_path / "templates/home.html"
        original = _break_line_5(template)
        overlay = page.wait_for_selector("#live-errors", timeout=10_000)
        text = overlay.text_content()
        assert "Rebuild failed" in text and re.search(r"templates/home\.html:5: template syntax error", text)
        assert page.evaluate("window.notReloaded") is True
        assert page.locator("h1").first.text_content() == "Latest episodes"   # the last good site
        template.write_text(original.replace("Latest episodes", "Newest episodes"), encoding="utf-8")
        page.wait_for_function("!window.notReloaded && document.readyState === 'complete'", timeout=10_000)
        assert page.locator("h1").first.text_content() == "Newest episodes"
        assert page.locator("#live-errors").count() == 0
        problems = [e for e in page.errors if "/__live/" not in e]
        assert problems == []


def test_the_serve_command_prints_the_url_and_stops_on_ctrl_c(tmp_path):
    command = Command("serve", "--config", str(make_project(tmp_path, SUBPATH)), "--port", "0", cwd=tmp_path)
    line = command.wait_line(lambda line: line.startswith("serving: "))
    url = re.fullmatch(r"serving: (http://127\.0\.0\.1:\d+/repo/) \(Ctrl-C to stop\)\n", line)
    assert url, line
    assert re.search(r"start: imported: 2 new, .*; built: 2 episodes", "".join(command.stdout))
    with urllib.request.urlopen(url[1], timeout=10) as response:
        assert response.status == 200 and b"/__live/reload.js" in response.read()
    status, rest, stderr = command.interrupt()
    assert status == 0, stderr
    assert rest == "stopped\n" and "Traceback" not in stderr


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        while data := sock.recv(65536):
            pass   # an answer, then the end
        return data == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


@pytest.mark.parametrize("clients", [100, 30])
def test_idle_and_slow_clients_are_dropped_and_others_still_served(tmp_path, monkeypatch, clients):
    monkeypatch.setattr(serve_module, "REQUEST_SECONDS", 1.0, raising=False)
    with running(make_project(tmp_path)) as live:
        time.sleep(0.2)
        threads_before = threading.active_count()
        # A third send nothing, a third half a request line, a third a byte every 0.1 s.
        connecting = time.monotonic()
        socks = [socket.create_connection(live.host, timeout=5) for _ in range(clients)]
        assert time.monotonic() - connecting < 2, "connecting took long: too short a listen queue?"
        idle, partial, trickle = socks[0::3], socks[1::3], socks[2::3]
        for sock in partial:
            sock.sendall(b"GET /index.html HT")
        for sock in socks:
            sock.setblocking(False)   # so looking for the server's close does not wait
        started = time.monotonic()
        status, _, body = get(live, "/")   # served meanwhile
        assert status == 200 and b"Latest episodes" in body
        assert time.monotonic() - started < 2
        request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 10_000
        open_socks, sent = list(socks), 0
        while open_socks and time.monotonic() - started < 8:
            for sock in trickle:
                if sock in open_socks:
                    try:
                        sock.send(request[sent:sent + 1])
                    except OSError:
                        pass
            sent += 1
            time.sleep(0.1)
            open_socks = [s for s in open_socks if not _closed_by_server(s)]
        dropped_after = time.monotonic() - started
        assert open_socks == [], f"{len(open_socks)} of {clients} still open after {dropped_after:.1f} s"
        assert dropped_after < 4, dropped_after   # 1 s allowed, the rest is slack for a busy machine
        assert sent >= 5   # the trickling clients were still sending when dropped
        # Their threads are gone too, and the server still answers.
        wait_for(lambda: threading.active_count() <= threads_before, 5, "the handler threads to end")
        assert get(live, "/")[0] == 200
        for sock in socks:
            sock.close()


def test_a_request_line_that_arrives_in_pieces_in_time_is_answered(tmp_path, monkeypatch):
    monkeypatch.setattr(serve_module, "REQUEST_SECONDS", 2.0, raising=False)
    with running(make_project(tmp_path)) as live:
        with socket.create_connection(live.host, timeout=5) as sock:
            for piece in (b"GET / HT", b"TP/1.0\r\n", b"Host: x\r\n", b"\r\n"):
                sock.sendall(piece)
                time.sleep(0.3)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 200 ") and b"Latest episodes" in answer


FORGERIES = ["error: a.txt:1: name\nerror: forged.txt:2: a second line",
             "error: b.txt: carriage\rerror: return", "error: c.txt: colour \x1b[31mred\x1b[0m bell \x07 nul \x00",
             "error: d.txt: separators \u2028error: line \u2029error: paragraph \x85error: next \x1cfs",
             "error: e.txt: <img src=x onerror=\"window.__pwned=1\"> <b>bold</b> &amp;",
             "error: f.txt: \u202eoverride\u202c and \u2067isolate\u2069 \u200fmark",
             "error: g\udcff\udcfe.txt: not UTF-8, and an emoji \U0001F600 kept"]


@pytest.mark.browser
def test_the_overlay_shows_each_message_as_one_line_of_text(tmp_path, page):
    with running(make_project(tmp_path)) as live:
        page.goto(live.url)
        page.wait_for_function("document.readyState === 'complete'")
        state = live.rebuilder.state
        forged = BuildState(state.attempt + 1, state.site, False, tuple(FORGERIES), state.out, state.base_path)
        for listener in live.rebuilder.listeners:
            listener(forged)
        page.wait_for_selector("#live-errors")
        items = page.eval_on_selector_all("#live-errors li", """els => els.map(e => ({
            text: e.innerText, height: e.getBoundingClientRect().height,
            line: parseFloat(getComputedStyle(e).lineHeight)}))""")
        assert len(items) == len(FORGERIES)   # one entry per message, none forged
        for item, message in zip(items, FORGERIES):
            assert "\n" not in item["text"] and item["height"] < 1.5 * item["line"], item
            assert item["text"].startswith(message[:8])
            assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200f]", item["text"])
        assert "name\\u000aerror: forged.txt" in items[0]["text"]
        assert "\\u001b[31mred" in items[2]["text"]
        assert items[6]["text"].startswith("error: g\\udcff\\udcfe.txt") and "\U0001F600" in items[6]["text"]
        assert '<img src=x onerror="window.__pwned=1"> <b>bold</b> &amp;' in items[4]["text"]
        assert page.locator("#live-errors img, #live-errors b").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("#live-errors strong").text_content() == "Rebuild failed; this is the last good site:"


@pytest.mark.browser
def test_the_preview_survives_a_file_name_that_is_not_utf8_and_shows_its_error(tmp_path, page):
    with running(make_project(tmp_path)) as live:
        page.goto(live.url)
        page.wait_for_function("document.readyState === 'complete'")
        good = (tmp_path / "_site/index.html").read_bytes()
        before = live.attempts()
        name = os.path.join(os.fsencode(tmp_path / "transcripts"), b"\xff\xfe-x \x1b[31mred.txt")
        shutil.copyfile(REPO / "tests/fixtures/transcripts/bad_date.txt", name)
        # A rebuild or two (seen, then settled) and their reloads, then the error: such
        # a name is refused unread (generator/inputs.py), so the error is about the name.
        page.wait_for_function("(document.querySelector('#live-errors li') || {}).textContent"
                               "?.includes('red.txt: the file name is not UTF-8')", timeout=15_000)
        assert live.attempts() > before
        text = page.locator("#live-errors li").inner_text()
        assert "\n" not in text and "transcripts/\\xff\\xfe-x \\x1b[31mred.txt: " in text, text
        assert not re.search("[\x00-\x1f]", text), text
        # Still serving the site, still watching: fixing the file clears the error.
        status, _, body = get(live, "/")
        assert status == 200 and TAG.sub(b"", body) == good
        os.unlink(name)
        page.wait_for_function("!document.getElementById('live-errors')", timeout=10_000)
        assert get(live, "/")[0] == 200
