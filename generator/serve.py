"""The preview server: serves the output folder the way GitHub Pages will
(under the base URL's path, the site's 404.html for anything missing), and
tells open pages to reload after each rebuild.

Live reload exists only in what this server sends: a <script> is added to
HTML responses, and the script listens to Server-Sent Events at
/__live/events. The files on disk are exactly what ``build`` writes.
"""
from __future__ import annotations

import io
import json
import mimetypes
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

from generator.errors import GeneratorError
from generator.watch import BuildState, Rebuilder, run

EVENTS = "/__live/events"
SCRIPT = "/__live/reload.js"
KEEPALIVE_SECONDS = 15
# A client has this long from connecting to send its whole request line and
# headers: one that sends nothing, or a byte now and then, is dropped, so
# idle and slow connections cannot pile up threads.
REQUEST_SECONDS = 10.0
# A client that stops reading what it is sent is dropped after this long.
SEND_SECONDS = 30.0

# Reloads when the site was rebuilt since this page was served; shows the
# latest build's errors on top of the page otherwise. textContent only: error
# text is never parsed as HTML. Each message is one line of its own, whatever
# a file name in it holds.
RELOAD_JS = b"""(() => {
  const served = document.currentScript.dataset.site;
  // Control characters, line and paragraph separators and bidi controls,
  // shown as \\uXXXX: none can start a line of its own or reorder the rest.
  // So are lone surrogates (from a file name that is not UTF-8), shown otherwise as a "?" box.
  const unseen = new RegExp("[\\\\u0000-\\\\u001f\\\\u007f-\\\\u009f\\\\u200e\\\\u200f\\\\u2028\\\\u2029" +
    "\\\\u202a-\\\\u202e\\\\u2066-\\\\u2069]|[\\\\ud800-\\\\udbff](?![\\\\udc00-\\\\udfff])|(?<![\\\\ud800-\\\\udbff])[\\\\udc00-\\\\udfff]", "g");
  const visible = (text) => String(text).replace(unseen,
    (c) => "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  let box = null;
  function show(state) {
    if (!state.errors.length) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "live-errors";
      box.setAttribute("role", "alert");
      Object.assign(box.style, {position: "fixed", inset: "auto 0 0 0", zIndex: 2147483647,
        maxHeight: "60vh", overflow: "auto", padding: "1em", margin: 0, background: "#2b0b0b",
        color: "#ffdede", font: "14px/1.45 ui-monospace, monospace", borderTop: "4px solid #e5484d"});
      box.title = "Click to hide until the next build";
      box.addEventListener("click", () => { box.hidden = true; });
      document.body.append(box);
    }
    box.hidden = false;
    const title = document.createElement("strong");
    title.textContent = state.ok ? "Built, but these files were left out:"
                                 : "Rebuild failed; this is the last good site:";
    const list = document.createElement("ul");
    Object.assign(list.style, {listStyle: "none", margin: "0.5em 0 0", padding: 0});
    for (const error of state.errors) {
      const item = document.createElement("li");
      Object.assign(item.style, {whiteSpace: "pre-wrap", overflowWrap: "anywhere", margin: "0 0 0.25em"});
      item.textContent = visible(error);
      list.append(item);
    }
    box.replaceChildren(title, list);
  }
  function update(event) {
    const state = JSON.parse(event.data);
    if (state.site !== served) { location.reload(); return; }
    show(state);
  }
  // A hidden tab lets go of its connection: browsers allow only six per
  // server, and every open preview tab would otherwise hold one.
  let events = null;
  function connect() {
    events = new EventSource("/__live/events");
    for (const name of ["hello", "reload", "error"]) events.addEventListener(name, update);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && events) { events.close(); events = null; }
    else if (!document.hidden && !events) connect();
  });
  if (!document.hidden) connect();
})();
"""

_NO_SITE = b"""<!doctype html><meta charset="utf-8"><title>Not built yet</title>
<body><p>The site has not been built yet; this page reloads when it is.</p></body>
"""
_NOT_FOUND = b"""<!doctype html><meta charset="utf-8"><title>Not found</title>
<body><p>Not found (and the site has no 404.html).</p></body>
"""


class Live:
    """The latest build state, and a way to wait for the next one."""

    def __init__(self, state: BuildState):
        self.state = state
        self.boot = f"{time.time_ns():x}"   # a restarted server makes open pages reload
        self.closed = False
        self._changed = threading.Condition()

    def publish(self, state: BuildState) -> None:
        with self._changed:
            self.state = state
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> BuildState | None:
        """The state once a rebuild newer than ``seen`` is done (or the same
        one after ``timeout``); None when the server is stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.state.attempt != seen, timeout)
            return None if self.closed else self.state

    def version(self, state: BuildState) -> str:
        return f"{self.boot}-{state.site}"

    def message(self, state: BuildState) -> bytes:
        return json.dumps({"site": self.version(state), "ok": state.ok, "errors": list(state.errors)}).encode()


def inject(html: bytes, version: str) -> bytes:
    """The page with the live-reload script added before </body>."""
    tag = f'<script src="{SCRIPT}" data-site="{version}"></script>\n'.encode()
    at = html.lower().rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


def site_file(root: Path, rel: str) -> Path | None:
    """What a URL path (already unquoted, relative to the base path) names
    under ``root``, or None if it would leave ``root``, by '..' or by a symlink."""
    if "\0" in rel or "\\" in rel or rel.startswith("/") or any(p in (".", "..") for p in rel.split("/")):
        return None
    root = root.resolve()
    target = (root / rel).resolve()
    return target if target == root or target.is_relative_to(root) else None


def _content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    textual = kind.startswith("text/") or kind in ("application/json", "application/xml", "application/javascript")
    return f"{kind}; charset=utf-8" if textual else kind


class _DeadlineReader(io.RawIOBase):
    """A socket's input that fails with TimeoutError once ``deadline``
    (time.monotonic) has passed: a per-read timeout alone would let a client
    that sends one byte at a time hold its connection for ever."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request not received in time")
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server_version = "podcast-archive-preview"
    live: Live   # set on the subclass make_server creates
    request_seconds = REQUEST_SECONDS
    send_seconds = SEND_SECONDS

    def setup(self) -> None:
        super().setup()
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, time.monotonic() + self.request_seconds))

    def parse_request(self) -> bool:
        ok = super().parse_request()
        self.connection.settimeout(self.send_seconds)   # the request is in: from here on only writes
        return ok

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args) -> None:
        pass   # a request log would bury the rebuild lines

    def _respond(self, head: bool) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path == EVENTS:
            return self._events()
        if path == SCRIPT:
            return self._send(200, "text/javascript; charset=utf-8", RELOAD_JS, head)
        state = self.live.state   # before reading files: a newer site than this version only reloads again
        out, base = state.out, state.base_path
        if not out.is_dir():
            return self._send(503, "text/html; charset=utf-8", inject(_NO_SITE, self.live.version(state)), head)
        if base != "/" and path in ("/", base.rstrip("/")):
            return self._redirect(base)
        if not path.startswith(base):
            return self._not_found(out, state, head)
        try:
            rel = unquote(path[len(base):])
            target = site_file(out, rel)
            if target is not None and not target.exists() and rel and not rel.endswith("/"):
                # As GitHub Pages does: /episodes/slug serves episodes/slug.html.
                target = site_file(out, rel + ".html")
            if target is not None and target.is_dir():
                if not path.endswith("/"):
                    return self._redirect(path + "/" + (f"?{url.query}" if url.query else ""))
                target = site_file(out, (target / "index.html").relative_to(out.resolve()).as_posix())
            found = target is not None and target.is_file()
        except (OSError, RuntimeError):   # a name too long, a symlink loop
            found = False
        if not found:
            return self._not_found(out, state, head)
        self._send_file(target, 200, state, head)

    def _not_found(self, out: Path, state: BuildState, head: bool) -> None:
        page = out / "404.html"
        if page.is_file():
            return self._send_file(page, 404, state, head)
        self._send(404, "text/html; charset=utf-8", inject(_NOT_FOUND, self.live.version(state)), head)

    def _send_file(self, path: Path, status: int, state: BuildState, head: bool) -> None:
        try:
            body = path.read_bytes()
        except OSError:
            return self._send(404, "text/plain; charset=utf-8", b"not found\n", head)
        if path.suffix == ".html":
            body = inject(body, self.live.version(state))
        self._send(status, _content_type(path), body, head)

    def _send(self, status: int, content_type: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        # 302, not GitHub's 301: browsers keep a 301 forever, and a local port
        # serves other projects tomorrow.
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.live.state
        sent_site = state.site
        try:
            self._event("hello", state, retry=True)
            while True:
                newer = self.live.wait(state.attempt, KEEPALIVE_SECONDS)
                if newer is None:
                    return
                if newer.attempt == state.attempt:
                    self.wfile.write(b": keepalive\n\n")   # also finds tabs that went away
                    self.wfile.flush()
                    continue
                state = newer
                self._event("reload" if state.site != sent_site else "error", state)
                sent_site = state.site
        except (BrokenPipeError, ConnectionResetError, TimeoutError):   # gone, or stopped reading
            return

    def _event(self, name: str, state: BuildState, retry: bool = False) -> None:
        head = b"retry: 1000\n" if retry else b""
        self.wfile.write(head + b"event: " + name.encode() + b"\ndata: " + self.live.message(state) + b"\n\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    # socketserver's 5 makes a burst of connections (a page's assets, a few
    # tabs, or clients that never send a request) wait for the kernel to
    # retry their connects, a second and more each.
    request_queue_size = 128


def make_server(host: str, port: int, live: Live) -> ThreadingHTTPServer:
    """A server bound to ``host``:``port`` (0: any free port), not yet serving."""
    handler = type("Handler", (_Handler,), {"live": live, "request_seconds": REQUEST_SECONDS,
                                            "send_seconds": SEND_SECONDS})
    server_class = _Server
    if ":" in host:
        server_class = type("Server6", (_Server,), {"address_family": socket.AF_INET6})
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise GeneratorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def url_of(server: ThreadingHTTPServer, base_path: str) -> str:
    host, port = server.server_address[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{base_path}"


def serve(rebuilder: Rebuilder, host: str, port: int, *, out: TextIO | None = None, **loop_options) -> None:
    """Build, serve and rebuild on changes until Ctrl-C (or ``stop_event``)."""
    out = out or rebuilder.out
    live = Live(rebuilder.state)
    rebuilder.listeners.append(live.publish)
    server = make_server(host, port, live)
    thread = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    thread.start()

    def started() -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            print(f"warning: serving on {host}: other machines can reach this preview", file=out)
        print(f"serving: {url_of(server, rebuilder.state.base_path)} (Ctrl-C to stop)", file=out, flush=True)

    try:
        run(rebuilder, started=started, **loop_options)
    except KeyboardInterrupt:
        pass
    finally:
        live.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        print("stopped", file=out, flush=True)

