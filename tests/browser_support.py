"""Debian's chromium driven by Playwright, for the browser tests.

Locally a machine without chromium skips these tests; in CI (CI=true) a
missing browser is a failure, never a skip.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not CHROMIUM.exists() or not shutil.which(str(CHROMIUM)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield recording(context.new_page())
    context.close()


def recording(page):
    """``page``, recording its console errors and failed requests in ``page.errors``."""
    page.errors = []
    page.on("console", lambda m: page.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
    # Leaving a document aborts its requests still in flight (the header box's
    # warm-up fetch of search/latest.json, a snippet's episode page): the
    # browser's doing, not a failure the reader sees. Any other failure counts.
    # A request made while the next document is already on its way (the
    # warm-up's prefetch, just as Enter is pressed) is left behind too.
    documents = {"started": 0, "shown": 0}
    born: dict = {}

    def started(request) -> None:
        if request.is_navigation_request() and request.frame == page.main_frame:
            documents["started"] += 1
        # The document it belongs to: the one shown, or the one on its way.
        born[request] = documents["shown"]

    def shown(frame) -> None:
        if frame == page.main_frame:
            documents["shown"] = documents["started"]

    def failed(request) -> None:
        left = born.pop(request, documents["shown"]) < documents["started"]
        if not (left and request.failure == "net::ERR_ABORTED"):
            page.errors.append(f"request failed: {request.url} ({request.failure})")

    page.on("request", started)
    page.on("framenavigated", shown)
    page.on("requestfailed", failed)
    return page
