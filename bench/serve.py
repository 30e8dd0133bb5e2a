"""A static server on 127.0.0.1 that compresses as GitHub Pages does, and
keeps a log of every response body it sent, so the benchmark counts the
bytes of whatever the search page fetched, whatever its files are called.

Text types go out with Content-Encoding: gzip (level 6, what Pages and most
servers use); other types (images, Pagefind's already-compressed index
files) go out as they are.
"""
from __future__ import annotations

import gzip
import http.server
import mimetypes
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

GZIP_LEVEL = 6
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
                    "image/svg+xml", "application/manifest+json", "application/wasm")
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
         ".txt": "text/plain; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".css": "text/css", ".svg": "image/svg+xml", ".xml": "application/xml",
         ".wasm": "application/wasm"}


@dataclass(frozen=True)
class Sent:
    path: str          # the URL path, without query
    status: int
    body_bytes: int    # as sent: gzip size for compressed types


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def compressible(kind: str) -> bool:
    return kind.startswith(COMPRESSED_TYPES)


class StaticServer:
    """Serve ``mounts`` ({url prefix: folder}, the longest prefix wins) until stopped."""

    def __init__(self, mounts: dict[str, Path]):
        self.mounts = sorted(((p, Path(d)) for p, d in mounts.items()), key=lambda m: -len(m[0]))
        self.log: list[Sent] = []
        self._gzipped: dict[tuple, bytes] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"   # keep-alive, as browsers and Pages use

            def do_GET(self):
                server._answer(self, head=False)

            def do_HEAD(self):
                server._answer(self, head=True)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # the browser closing a connection early is not news

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "StaticServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def take_log(self) -> list[Sent]:
        with self._lock:
            log, self.log = self.log, []
        return log

    def file_for(self, url_path: str) -> Path | None:
        for prefix, folder in self.mounts:
            if url_path.startswith(prefix):
                rest = url_path[len(prefix):]
                file = (folder / rest).resolve()
                if not file.is_relative_to(folder.resolve()):
                    return None
                if file.is_dir():
                    file = file / "index.html"
                return file if file.is_file() else None
        return None

    def body(self, file: Path, gzipped: bool) -> bytes:
        data = file.read_bytes()
        if not gzipped:
            return data
        stat = file.stat()
        key = (file, stat.st_size, stat.st_mtime_ns)
        if key not in self._gzipped:
            self._gzipped[key] = gzip.compress(data, GZIP_LEVEL, mtime=0)
        return self._gzipped[key]

    def _answer(self, handler, head: bool) -> None:
        url_path = urllib.parse.unquote(urllib.parse.urlsplit(handler.path).path)
        file = self.file_for(url_path)
        if file is None:
            body = b"not found"
            handler.send_response(404)
            handler.send_header("Content-Type", "text/plain")
            kind, gzipped = "text/plain", False
        else:
            kind = content_type(file)
            gzipped = compressible(kind) and "gzip" in handler.headers.get("Accept-Encoding", "")
            body = self.body(file, gzipped)
            handler.send_response(200)
            handler.send_header("Content-Type", kind)
            if gzipped:
                handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Cache-Control", "max-age=600")   # what Pages sends
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        # Logged before the body goes out: a client that has read the answer
        # must find it in the log.
        with self._lock:
            self.log.append(Sent(url_path, 404 if file is None else 200, 0 if head else len(body)))
        if not head:
            handler.wfile.write(body)
