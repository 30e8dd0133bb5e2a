"""The no-op build (generator/unchanged.py): when nothing it reads changed,
`build` runs neither the import nor the build, and any change at all, to a
transcript, a page, a template, a stylesheet, the config, a feed file or
the output itself, makes it build as before."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_incremental import differences, site_tree
from tests.site_support import REPO

NO_OP = "nothing changed since the last build"


def _project(root: Path) -> Path:
    shutil.copytree(REPO / "seeds", root / "transcripts")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "feeds" / "the-duran-podcast.made-up.xml", root / "feed.xml")
    (root / "site.yaml").write_text("title: No-op test\nsource_dir: transcripts\ncontent_dir: content\n"
                                    "output_dir: _site\ntemplates_dir: templates\npodcast_feeds: [feed.xml]\n",
                                    encoding="utf-8")
    return root


def _build(root: Path, *flags: str) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "generator", "build", "--config", "site.yaml", *flags],
                         cwd=root, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    return run


def _settled(root: Path, *flags: str) -> subprocess.CompletedProcess:
    """A build, then time enough for its look at the inputs to be trusted (RACY_NS)."""
    run = _build(root, *flags)
    assert run.returncode == 0, run.stderr
    time.sleep(1.1)
    return run


@pytest.fixture
def project(tmp_path):
    root = _project(tmp_path / "site")
    _settled(root)   # imports the pages: just written, so this look is not trusted yet
    _settled(root)
    return root


def test_a_build_with_nothing_changed_skips_both_stages_and_says_so(project):
    before = {p: p.stat().st_mtime_ns for p in (project / "_site").rglob("*")}
    run = _build(project)
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.splitlines()[0] == "imported: 0 new, 0 updated, 2 unchanged"
    assert NO_OP in run.stdout.splitlines()[1] and "built: 2 episodes" in run.stdout
    assert "audio: 2 of 2 episodes matched" in run.stdout
    assert {p: p.stat().st_mtime_ns for p in (project / "_site").rglob("*")} == before


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


CHANGES = {
    "a transcript edited": lambda r: _append(next((r / "transcripts").glob("*.txt")), "\nOne more sentence.\n"),
    "a transcript added": lambda r: shutil.copy(REPO / "tests/fixtures/transcripts/basic.txt", r / "transcripts/new.txt"),
    "a page edited by hand": lambda r: _append(next((r / "content/episodes").glob("*.md")), "\nA note.\n"),
    "a template edited": lambda r: _append(r / "templates/episode.html", "\n<!-- edited -->\n"),
    "a stylesheet edited": lambda r: _append(r / "templates/assets/style.css", "\n.x { color: red; }\n"),
    "the feed file edited": lambda r: (r / "feed.xml").write_text(
        (r / "feed.xml").read_text(encoding="utf-8").replace("<itunes:duration>", "<itunes:duration>1", 1),
        encoding="utf-8"),
    "the config changed": lambda r: _append(r / "site.yaml", "page_size: 7\n"),
    "an output file edited": lambda r: _append(r / "_site/index.html", "<!-- mine -->"),
    "an output file deleted": lambda r: (r / "_site/feed.json").unlink(),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_builds_what_a_clean_build_builds(project, tmp_path, change):
    CHANGES[change](project)
    run = _build(project)
    assert run.returncode == 0, run.stderr
    assert NO_OP not in run.stdout
    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("_site", ".cache", "content"))
    shutil.copytree(project / "content", clean / "content")
    assert _build(clean).returncode == 0
    assert differences(site_tree(project / "_site"), site_tree(clean / "_site")) == []


def test_the_build_after_a_new_transcript_is_a_no_op(project, monkeypatch):
    """The daily case: a transcript arrives, a build imports it, and the
    next build has nothing to do. The look after the import is the one
    before it with only the pages written looked at again; were it not what
    a fresh look sees, no build would ever be remembered after an import."""
    shutil.copy(REPO / "tests/fixtures/transcripts/basic.txt", project / "transcripts/new.txt")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")   # as _build's
    # As at 10,000 episodes, the build outlasts the racy second after the page was written.
    _in_process_build(project, during_build=lambda root: time.sleep(1.1))
    before = {p: p.stat().st_mtime_ns for p in (project / "_site").rglob("*")}
    run = _build(project)
    assert run.returncode == 0, run.stderr
    assert NO_OP in run.stdout and "built: 3 episodes" in run.stdout
    assert {p: p.stat().st_mtime_ns for p in (project / "_site").rglob("*")} == before


def test_a_page_edited_by_hand_just_before_the_import_is_kept(project):
    """An editor saves a page between the look at the inputs and the import,
    whose transcript changed too: the look's stat of the page says it is as
    the import wrote it, but the edit must not be overwritten."""
    time.sleep(2.1)   # the pages' digests are remembered by their stat from here on
    _append(project / "templates/home.html", "\n<!-- changed -->\n")
    _settled(project)
    transcript = sorted((project / "transcripts").glob("*.txt"))[0]
    page = next(p for p in (project / "content/episodes").glob("*.md")
                if transcript.name in p.read_text(encoding="utf-8"))
    _append(transcript, "\nOne more sentence.\n")
    time.sleep(1.1)
    log = _in_process_build(project, before_import=lambda root: _append(page, "\nMY HAND NOTE\n"))
    assert "MY HAND NOTE" in page.read_text(encoding="utf-8")
    assert f"{page}: its transcript {transcript.name} changed, but the page was edited by hand" in log


def test_a_flag_that_changes_the_config_is_a_change(project):
    run = _build(project, "--base-url", "https://example.org/archive/")
    assert NO_OP not in run.stdout
    assert "https://example.org/archive/" in (project / "_site/feed.xml").read_text(encoding="utf-8")


def test_a_build_that_reported_a_problem_reports_it_again(project):
    shutil.copy(REPO / "tests/fixtures/transcripts/bad_date.txt", project / "transcripts/bad.txt")
    for _ in range(2):
        run = _build(project, "--strict")
        assert run.returncode == 1 and "bad.txt" in run.stderr and NO_OP not in run.stdout
        time.sleep(1.1)


def test_a_file_changed_just_before_the_last_look_is_not_trusted(tmp_path):
    root = _project(tmp_path / "site")
    _settled(root)
    _append(next((root / "transcripts").glob("*.txt")), "\nWritten just before the build.\n")
    assert _build(root).returncode == 0   # its look sees a transcript a moment old
    time.sleep(1.1)
    assert NO_OP not in _build(root).stdout
    time.sleep(1.1)
    assert NO_OP in _build(root).stdout


def _in_process_build(root: Path, during_import=None, during_build=None, before_import=None) -> None:
    """The build command's steps, with a change made while they run."""
    import io

    from generator import unchanged
    from generator.build import build_site
    from generator.config import load_config
    from generator.errors import Report
    from generator.importer import import_site

    config = load_config(root / "site.yaml")
    report = Report(stream=io.StringIO())
    hit, before = unchanged.last_build(config)
    assert hit is None
    if before_import:
        before_import(root)
    summary = import_site(config, report, stats=before.stats)
    if during_import:
        during_import(root)
    imported = unchanged.content_look(config, before, summary.added + summary.updated)
    result = build_site(config, report, imported.stats)
    if during_build:
        during_build(root)
    unchanged.remember(config, report, summary, result, before, imported)
    return report.stream.getvalue()


@pytest.mark.parametrize("when", ["after the import read it", "after the build read it"])
def test_an_input_changed_while_the_build_runs_is_not_forgotten(project, when):
    """A transcript still being copied, or a page saved by an editor, while a build runs."""
    # Something for this build to do, so that it reads the inputs afresh.
    _append(project / "templates/home.html", "\n<!-- changed -->\n")
    time.sleep(1.1)
    if when == "after the import read it":
        def edit(root):
            _append(next((root / "transcripts").glob("*.txt")), "\nA late sentence.\n")
        _in_process_build(project, during_import=edit)
    else:
        def edit(root):
            _append(next((root / "content/episodes").glob("*.md")), "\nA late note.\n")
        _in_process_build(project, during_build=edit)
    time.sleep(1.1)
    run = _build(project)
    assert NO_OP not in run.stdout
    assert "A late" in "".join(p.read_text(encoding="utf-8") for p in (project / "_site/episodes").glob("*.html"))


def test_pages_in_a_linked_folder_are_looked_at_too(project, tmp_path):
    """content/episodes may be a link to a folder elsewhere, which the loader follows."""
    elsewhere = tmp_path / "elsewhere"
    (project / "content/episodes").rename(elsewhere)
    (project / "content/episodes").symlink_to(elsewhere)
    _settled(project)
    _settled(project)
    page = next(elsewhere.glob("*.md"))
    with page.open("r+", encoding="utf-8") as f:   # in place: the folder's own times stay as they were
        text = f.read()
        f.seek(0)
        f.write(text.replace("---\n\n", "---\n\nEdited in place. ", 1))
    run = _build(project)
    assert NO_OP not in run.stdout
    assert "Edited in place." in "".join(p.read_text(encoding="utf-8") for p in (project / "_site/episodes").glob("*.html"))


def test_a_template_in_a_linked_folder_is_an_input(project, tmp_path):
    """templates/partials may link to a folder elsewhere: an edit there reaches every page."""
    partials = tmp_path / "partials"
    partials.mkdir()
    (partials / "note.html").write_text("<p class=\"note\">First note</p>\n", encoding="utf-8")
    (project / "templates/partials").symlink_to(partials)
    base = project / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", '{% include "partials/note.html" %}</footer>', 1),
                    encoding="utf-8")
    _settled(project)
    (partials / "note.html").write_text("<p class=\"note\">Second note</p>\n", encoding="utf-8")
    run = _build(project)
    assert NO_OP not in run.stdout
    assert "Second note" in (project / "_site/index.html").read_text(encoding="utf-8")
