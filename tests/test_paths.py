"""No title, show, topic, slug or file name can make a build read or write
outside its own folders: text from transcripts and pages only ever becomes
a safe slug, and a slug that is not one is reported, not followed."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from generator.content import load_episode
from generator.slugs import slugify
from tests.site_support import build_site_at

# Far enough down that any run of '..' in the inputs below lands inside tmp_path, where it is seen.
DEPTH = "d1/d2/d3/d4/d5/d6"
ESCAPE = f"/tmp/podcast-archive-escape-{uuid.uuid4().hex}"
SAFE_SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Transcript file name -> (show, title).
TRANSCRIPTS = {
    "traversal.txt": ("../../../../..", "../../../etc/passwd"),
    "dots.txt": ("..", ".."),
    "absolute.txt": (ESCAPE, ESCAPE),
    "windows.txt": ("C:\\Windows", "C:\\x\\..\\..\\y"),
    "nul.txt": ("Show\x00name", "Title with \x00 a NUL"),
    "with spaces in it.txt": ("Made-Up Radio", "A title for a file name with spaces"),
    "ünïcödé ✓ Кириллица.txt": ("Made-Up Radio", "A title for a file name in Unicode"),
    "..txt": ("Made-Up Radio", "A title for a file named dot-dot-txt"),
    "back\\slash\\..\\..\\name.txt": ("Made-Up Radio", "A title for a file name with backslashes"),
}
# A hand-written page's file name -> (front matter lines, the line a bad slug is on or None).
PAGES = {
    "relative-slug.md": (["slug: ../../x"], 4),
    "absolute-slug.md": ([f"slug: {ESCAPE}"], 4),
    "windows-slug.md": ([r"slug: 'C:\x'"], 4),
    "dot-slug.md": (["slug: '..'"], 4),
    "nul-slug.md": (['slug: "x\\0y"'], 4),
    "..md": ([], 1),  # no slug: the file name's stem, '.', is used and refused
    "hostile-topics.md": (["slug: hostile-topics", "show: ../../../..",
                           "topics: ['../../x', '..', '/etc', 'C:\\x', '" + ESCAPE + "', 'a/b']"], None),
    # Names a file beside the transcripts folder's grandparents, which must never be read.
    "source-file.md": (["slug: source-file", "source: {file: ../../../../secret.txt, sha256: made-up}"], None),
}
SECRET = "Zyzzogeton"


def _export(show: str, title: str) -> str:
    return (f"Archive.fm\n\n{show}\n\n{title}\n\nDuration:\n24m\nBroadcast on:\n25 May 2024\n\n"
            "Freedonia and Ruritania met again. Freedonia said little and Ruritania said less.\n")


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    top = tmp_path_factory.mktemp("paths")
    root = top / DEPTH / "root"
    source = root / "transcripts"
    source.mkdir(parents=True)
    for name, (show, title) in TRANSCRIPTS.items():
        (source / name).write_text(_export(show, title), encoding="utf-8")
    episodes = root / "content/episodes"
    episodes.mkdir(parents=True)
    for name, (lines, _) in PAGES.items():
        front = "\n".join([f"title: {json.dumps(name)}", "date: 2024-05-26", *lines])
        (episodes / name).write_text(f"---\n{front}\n---\n\nFreedonia, said by hand.\n", encoding="utf-8")
    (root / "../../../secret.txt").write_text(_export("Secret", SECRET), encoding="utf-8")
    before = _files(top)
    out, report, log = build_site_at(root, source, cache_dir=str(root / ".cache"))
    return root, out, log, _files(top) - before


def test_every_file_the_build_creates_is_inside_its_folders(built):
    root, out, _, created = built
    allowed = [out, root / "content", root / ".cache"]
    outside = sorted(str(p) for p in created if not any(p.is_relative_to(folder) for folder in allowed))
    assert outside == []
    assert not Path(ESCAPE).exists()
    assert created, "the build wrote nothing: the check above proves nothing"


def test_no_file_outside_the_inputs_is_read_into_the_site(built):
    _, out, _, _ = built
    assert [p for p in _files(out) if SECRET.encode() in p.read_bytes()] == []


def test_every_page_lives_at_a_safe_slug(built):
    _, out, _, _ = built
    for kind in ("episodes", "topics", "shows"):
        names = [p.stem for p in (out / kind).iterdir() if p.suffix in (".html", ".txt")]
        assert names, kind
        assert [n for n in names if not SAFE_SEGMENT.fullmatch(n)] == [], kind
    # Each hostile title still has its page.
    titles = [re.search(r"<h1>(.*?)</h1>", p.read_text(encoding="utf-8"))[1]
              for p in out.glob("episodes/*.html")]
    for needle in ("../../../etc/passwd", ESCAPE, "C:\\x\\..\\..\\y", "Title with a NUL",
                   "hostile-topics.md"):
        assert any(needle in t for t in titles), needle


def test_a_slug_that_is_not_one_is_an_error_with_file_and_line(built):
    root, out, log, _ = built
    for name, (_, line) in PAGES.items():
        if line is None:
            continue
        page = root / "content/episodes" / name
        assert re.search(rf"^error: {re.escape(str(page))}:{line}: 'slug' must be", log, re.M), (name, log)
    assert (out / "episodes/hostile-topics.html").is_file()


@pytest.mark.parametrize("name", ["with spaces in it.txt", "ünïcödé ✓ Кириллица.txt",
                                  "back\\slash\\..\\..\\name.txt"])
def test_a_transcript_file_name_is_only_a_name(built, name):
    root, out, _, _ = built
    _, title = TRANSCRIPTS[name]
    episode = load_episode(root / "content/episodes" / f"{slugify(title)}.md")
    assert episode.source_file == name
    assert (out / "episodes" / f"{episode.slug}.html").is_file()
