"""Every page the generator writes is valid HTML by the Nu Html Checker (the
W3C's validator, vnu.jar from the npm package vnu-jar, run on Debian's Java):
the seed site, the same under a sub-path base URL, and the hostile site the
browser tests use (hostile transcripts, a hand-written page full of markup,
control characters and a 300-letter word, and 200,000-character words).

One checker run per site, over all its HTML files: a JVM start per page
would cost more than the builds. Locally a machine without Java or
node_modules skips these tests; with CI=true that is a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.site_support import REPO, build_site_at
from tests.test_hostile_browser import build_hostile_site

VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"


def _java() -> str:
    java = shutil.which("java")
    missing = ("java not found (apt-get install default-jre-headless)" if not java
               else f"{VNU} not found (make install)" if not VNU.is_file() else "")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the HTML check must run in CI: {missing}")
        pytest.skip(missing)
    return java


def html_errors(out: Path) -> list[str]:
    """The checker's errors for every HTML file under ``out``, as 'FILE:LINE: message'."""
    pages = sorted(out.rglob("*.html"))
    assert pages, f"no HTML under {out}"
    run = subprocess.run([_java(), "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
                          *map(str, pages)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    messages = json.loads(run.stderr or run.stdout)["messages"]   # vnu writes its report on stderr
    return [f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
            for m in messages if m.get("type") in ("error", "non-document-error")]


def test_the_seed_site_is_valid_html(tmp_path):
    out, report, log = build_site_at(tmp_path)
    assert report.errors == 0, log
    assert (out / "topics/index.html").is_file()
    assert html_errors(out) == []


def test_a_sub_path_build_is_valid_html(tmp_path):
    out, report, log = build_site_at(tmp_path, base_url="https://user.github.io/repo/")
    assert report.errors == 0, log
    assert html_errors(out) == []


def test_the_hostile_site_is_valid_html(tmp_path):
    out = build_hostile_site(tmp_path)
    assert (out / "shows/index.html").is_file()   # several shows: the shows page is built too
    assert html_errors(out) == []


def test_the_checker_finds_an_error_when_there_is_one(tmp_path):
    # So a checker that reports nothing at all cannot pass the tests above.
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
                    '<body><span aria-label="3 episodes">3</span></body></html>', encoding="utf-8")
    [error] = html_errors(tmp_path)
    assert "bad.html:1:" in error and "aria-label" in error


def test_a_hostile_enclosure_url_gives_valid_html(tmp_path):
    # The feed's URL holds quotes, <, > and spaces: escaped, it cannot run, but
    # src and href must still be URLs the checker accepts.
    out, report, log = build_site_at(tmp_path, podcast_feeds=["tests/fixtures/feeds/hostile.xml"],
                                     cache_dir=str(tmp_path / ".cache"))
    assert report.errors == 0, log
    pages = [p for p in (out / "episodes").glob("*.html") if "<audio" in p.read_text(encoding="utf-8")]
    assert pages, log
    assert html_errors(out / "episodes") == []
