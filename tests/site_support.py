"""Helpers for tests that build a whole site: building one into a temporary
folder, checking its links, and serving it over loopback."""
from __future__ import annotations

import contextlib
import functools
import http.server
import io
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from generator.build import build_site
from generator.config import load_config
from generator.errors import Report
from generator.importer import import_site

REPO = Path(__file__).resolve().parent.parent


def build_site_at(root: Path, transcripts: Path | None = None, base_url: str = "http://localhost:8000/",
                  **overrides) -> tuple[Path, Report, str]:
    """Import ``transcripts`` (default: the seeds) into ``root``/content and
    build into ``root``/_site with the repo's templates. Returns (out, report, log)."""
    log = io.StringIO()
    report = Report(stream=log)
    config = load_config(REPO / "site.yaml", {
        "source_dir": str(transcripts or REPO / "seeds"),
        "content_dir": str(root / "content"),
        "output_dir": str(root / "_site"),
        "base_url": base_url,
        **overrides,
    })
    import_site(config, report)
    build_site(config, report)
    return config.output_dir, report, log.getvalue()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


@functools.lru_cache(maxsize=4096)
def _parse(path: Path, mtime: float) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def parse_html(path: Path) -> _Links:
    return _parse(path, path.stat().st_mtime)


def broken_links(out: Path, base_url: str) -> list[str]:
    """Every internal link or anchor in the built site that leads nowhere."""
    base_path = urlsplit(base_url).path
    problems = []
    for page in sorted(out.rglob("*.html")):
        parsed = parse_html(page)
        for link in parsed.links:
            url, fragment = urldefrag(link)
            parts = urlsplit(url)
            if parts.query and not parts.scheme:   # ?t=SECONDS: the page is the same file
                url = parts.path
            if parts.scheme in ("http", "https", "mailto", "data"):
                if parts.scheme in ("http", "https") and url.startswith(base_url):
                    url = url[len(base_url) - len(base_path):]
                else:
                    continue
            if url == "":
                target = page
            elif not url.startswith(base_path):
                problems.append(f"{page.relative_to(out)}: {link} is outside the base path {base_path}")
                continue
            else:
                target = out / unquote(url[len(base_path):])
                if target.is_dir() or url.endswith("/"):
                    target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(out)}: {link} -> missing {target.relative_to(out)}")
            elif fragment and target.suffix == ".html" and fragment not in parse_html(target).ids:
                problems.append(f"{page.relative_to(out)}: {link} -> no id '{fragment}'")
    return problems


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its base path, like GitHub Pages, with the
    site's 404.html for anything missing."""
    base_path = "/"

    def translate_path(self, path):
        path = urlsplit(path).path
        if not path.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_base__")
        return super().translate_path("/" + path[len(self.base_path):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(out: Path, base_path: str = "/"):
    """A static server on a free loopback port; yields the site's root URL."""
    handler = functools.partial(type("H", (_Handler,), {"base_path": base_path}), directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()


def copy_tree(src: Path, dst: Path) -> Path:
    return Path(shutil.copytree(src, dst))
