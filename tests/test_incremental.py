"""Incremental builds: a rebuild that reuses the cache (``cache_dir``) must
write exactly what a clean build of the same inputs writes, and no killed,
interrupted or corrupted build may damage the site that is already there or
poison the builds after it.

Every build runs the real CLI in a subprocess, in a temporary root with its
own site.yaml, transcripts, content, output folder and cache, so nothing is
shared between roots but the repository's code (and, until a step copies
them, its templates).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import html
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.corpus import archive_fm_text, episodes, write_archive_fm
from tests.site_support import REPO
from tests.search_support import search_files_text

OUT, CACHE, SOURCE, CONTENT = "_site", ".cache", "transcripts", "content"
MARKER = ".podcast-archive-build"
SEED_PAGE = "putin-lukashenko-prepare-for-nato-escalation"


# --- roots, builds and output trees -------------------------------------------------------------

def make_root(root: Path, synthetic: int) -> Path:
    """A site root: the repo's site.yaml with every folder inside the root
    (templates still the repo's), ``synthetic`` bench transcripts and the two seeds."""
    config = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    config.update(source_dir=SOURCE, content_dir=CONTENT, output_dir=OUT, cache_dir=CACHE,
                  templates_dir=str(REPO / "templates"))
    root.mkdir(parents=True)
    write_config(root, config)
    write_archive_fm(root / SOURCE, synthetic)
    for seed in (REPO / "seeds").glob("*.txt"):
        shutil.copy2(seed, root / SOURCE)
    return root


def read_config(root: Path) -> dict:
    return yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))


def write_config(root: Path, config: dict) -> None:
    (root / "site.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                    encoding="utf-8")


def _command(root: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--config", str(root / "site.yaml")]


def _env() -> dict[str, str]:
    # Both builds of a comparison must see the same environment; a build date
    # in the feeds would differ between them for reasons unrelated to caching.
    return {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}


def build(root: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(_command(root), cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"build of {root} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
    return done


def start_build(root: Path) -> subprocess.Popen:
    # Its own process group, so a signal reaches the build and anything it
    # starts, as Ctrl-C in a terminal or a cancelled CI job would.
    return subprocess.Popen(_command(root), cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def site_tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path: its sha256, or where it
    links to (a link into the cache is not the file a clean build writes)."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                tree[rel] = f"symlink to {os.readlink(path)}"
            elif name in filenames:
                tree[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return tree


def differences(got: dict[str, str], want: dict[str, str]) -> list[str]:
    return ([f"missing: {p}" for p in sorted(want.keys() - got.keys())]
            + [f"extra: {p}" for p in sorted(got.keys() - want.keys())]
            + [f"differs: {p}" for p in sorted(want.keys() & got.keys()) if got[p] != want[p]])


def copy_inputs(root: Path, elsewhere: Path) -> Path:
    """A new root with ``root``'s inputs and no cache or output. content/ is
    copied, not imported again, so slugs match."""
    elsewhere.mkdir(parents=True)
    shutil.copy2(root / "site.yaml", elsewhere / "site.yaml")
    for folder in (SOURCE, CONTENT, "templates"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, elsewhere / folder)
    return elsewhere


def clean_build_of(root: Path, elsewhere: Path) -> dict[str, str]:
    build(copy_inputs(root, elsewhere))
    return site_tree(elsewhere / OUT)


def start_clean_build(root: Path, elsewhere: Path) -> subprocess.Popen:
    """clean_build_of in the background; finish_clean_build waits for it."""
    return subprocess.Popen(_command(copy_inputs(root, elsewhere)), cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_clean_build(proc: subprocess.Popen) -> dict[str, str]:
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"clean build failed ({proc.returncode}):\n{stdout}{stderr}"
    return site_tree(Path(proc.args[-1]).parent / OUT)


def assert_same_tree(got: dict[str, str], want: dict[str, str], after: str) -> None:
    assert MARKER in got and MARKER in want
    diffs = differences(got, want)
    assert not diffs, f"after {after}, the rebuild differs from a clean build in {len(diffs)} file(s):\n" \
                      + "\n".join(diffs[:20])


def assert_same_as_clean(root: Path, elsewhere: Path, after: str) -> None:
    assert_same_tree(site_tree(root / OUT), clean_build_of(root, elsewhere), after)


class CleanComparisons:
    """assert_same_as_clean, with each clean build running in the background
    while the test makes its next change and rebuilds (the two share no
    files), which nearly halves the time on two cores. A failure is reported
    at the next check or at the end, still naming the step it belongs to."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started = 0
        self.pending: tuple[str, dict[str, str], subprocess.Popen] | None = None

    def check(self, root: Path, after: str) -> None:
        self.finish()
        got = site_tree(root / OUT)
        proc = start_clean_build(root, self.tmp_path / f"clean-{self.started}")
        self.started += 1
        self.pending = (after, got, proc)

    def finish(self) -> None:
        if self.pending is None:
            return
        (after, got, proc), self.pending = self.pending, None
        assert_same_tree(got, finish_clean_build(proc), after)

    def __enter__(self) -> "CleanComparisons":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()
        elif self.pending is not None:
            self.pending[2].kill()
            self.pending[2].communicate()


def staging_folders(root: Path) -> list[Path]:
    return sorted(root.glob(f".{OUT}.building-*"))


def read(out: Path, page: str) -> str:
    return (out / page).read_text(encoding="utf-8")


def files_naming(out: Path, name: str) -> list[str]:
    """The site's files that name the page ``name``: a link to it, its entry
    in a feed or the sitemap, a search result leading to it."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.relative_to(out).as_posix() != name
                  and name.encode() in p.read_bytes())


def episode_pages(out: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in out.glob("episodes/*.html")}


# --- 1. clean and incremental builds are byte-identical -----------------------------------------

@pytest.mark.parametrize("files", [False, True], ids=["downloads made in the page", "transcript files"])
def test_each_rebuild_writes_what_a_clean_build_writes(tmp_path: Path, files: bool):
    root = make_root(tmp_path / "site", synthetic=30)
    write_config(root, {**read_config(root), "transcript_files": files})
    out = root / OUT
    build(root)
    with CleanComparisons(tmp_path) as clean:
        clean.check(root, "the first build")

        # New transcripts change the home page, archive, topics, feeds and
        # search index, not just add pages.
        write_archive_fm(root / SOURCE, 3, seed=1)
        build(root)
        titles = {f"<h1>{html.escape(e.title)}</h1>" for e in episodes(3, seed=1)}
        shown = {h1 for page in episode_pages(out).values() for h1 in titles if h1 in page}
        assert shown == titles
        clean.check(root, "adding 3 transcripts")

        # One new transcript, the newest, then one older than all: the usual
        # case, where the last search index is updated rather than rebuilt.
        for name, date in (("newest", dt.date(2099, 1, 1)), ("oldest", dt.date(1990, 1, 1))):
            [extra] = episodes(1, seed=len(name))
            extra = dataclasses.replace(extra, title=f"The {name} one", date=date)
            (root / SOURCE / f"9999_{name}.txt").write_text(archive_fm_text(extra), encoding="utf-8")
            build(root)
            assert f"The {name} one" in search_files_text(out)
            clean.check(root, f"adding the {name} transcript")

        # A changed transcript is re-imported; its page and the search index must follow.
        changed = sorted((root / SOURCE).glob("0005_*.txt"))[0]
        changed.write_text(changed.read_text(encoding="utf-8").rstrip("\n") + " Zanzibarquokka arrived.\n",
                           encoding="utf-8")
        build(root)
        assert sum("Zanzibarquokka arrived." in page for page in episode_pages(out).values()) == 1
        clean.check(root, "changing a transcript")

        # A hand edit that keeps the file's size and modification time: the
        # cache is promised to key on content, and size and mtime do not tell
        # this edit apart (rsync -t, tar, a clock with one-second steps).
        page = root / CONTENT / "episodes" / f"{SEED_PAGE}.md"
        text = page.read_text(encoding="utf-8")
        stat = page.stat()
        title = "Putin & Lukashenko prepare for NATO escalation"
        first_paragraph = text.split("---\n\n", 1)[1].split("\n\n", 1)[0]
        edited = (text.replace(f"title: {title}", f"title: {title.upper()}", 1)
                      .replace(first_paragraph, first_paragraph.upper(), 1))
        assert edited != text and len(edited.encode()) == len(text.encode())
        page.write_text(edited, encoding="utf-8")
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        build(root)
        shown = read(out, f"episodes/{SEED_PAGE}.html")
        assert f"<h1>{html.escape(title.upper())}</h1>" in shown
        assert "ALL RIGHT, ALEXANDER." in shown
        assert html.escape(title.upper()) in read(out, "index.html")
        clean.check(root, "hand-editing a page (same size and mtime)")

        # A page written by hand, with no transcript behind it.
        (root / CONTENT / "episodes" / "listener-mail.md").write_text(
            "---\ntitle: Listener mail and a correction\ndate: 2024-06-01\n"
            "topics:\n- NATO\n- Lukashenko\n---\n\n"
            "We got *a lot* of mail about the last episode.\n\n- one correction\n- one apology\n",
            encoding="utf-8")
        build(root)
        assert "<h1>Listener mail and a correction</h1>" in read(out, "episodes/listener-mail.html")
        assert "Listener mail and a correction" in read(out, "topics/nato.html")
        clean.check(root, "adding a hand-written page")

        # The site title is in every page's header and in the feeds; an
        # ignored topic changes the site model, not any one page's text.
        assert f"episodes/{SEED_PAGE}.html" in files_naming(out, "topics/nato.html")
        config = read_config(root)
        config.update(title="Renamed Transcript Archive", ignore_topics=["NATO"])
        write_config(root, config)
        build(root)
        for name in ("index.html", f"episodes/{SEED_PAGE}.html", "feed.xml"):
            assert "Renamed Transcript Archive" in read(out, name), name
        # The topic's page is gone, and nothing leads to it any more.
        assert not (out / "topics" / "nato.html").exists()
        assert files_naming(out, "topics/nato.html") == []
        clean.check(root, "changing the site title and ignore_topics")

        # Settings no page shows as text, but that shape the listings.
        config.update(page_size=3)
        write_config(root, config)
        build(root)
        clean.check(root, "changing page_size")
        # Built for the local preview, then for the real host into the same folder:
        # every canonical link and feed address changes, the paths do not.
        config.update(base_url="https://example.org/")
        write_config(root, config)
        build(root)
        assert '<link rel="canonical" href="https://example.org/">' in read(out, "index.html")
        clean.check(root, "changing the host in base_url")

        # Own templates: the edit is to base.html, which every page extends
        # but none renders directly, and to a stylesheet copied verbatim.
        shutil.copytree(REPO / "templates", root / "templates")
        del config["templates_dir"]   # the default, templates/ beside site.yaml
        write_config(root, config)
        base = root / "templates" / "base.html"
        base.write_text(base.read_text(encoding="utf-8").replace(
            "</footer>", '<p class="colophon">Typeset by hand.</p>\n</footer>', 1), encoding="utf-8")
        with (root / "templates" / "assets" / "style.css").open("a", encoding="utf-8") as css:
            css.write(".colophon { font-style: italic; }\n")
        build(root)
        for name in ("index.html", f"episodes/{SEED_PAGE}.html", "episodes/listener-mail.html",
                     "404.html"):
            assert "Typeset by hand." in read(out, name), name
        assert ".colophon" in read(out, "assets/style.css")
        clean.check(root, "changing a template and a stylesheet")

        # Deleting pages: the hand-written one, and an imported episode
        # together with its transcript (a page alone would be imported again).
        (root / CONTENT / "episodes" / "listener-mail.md").unlink()
        gone = next(p for p in (root / CONTENT / "episodes").glob("*.md")
                    if changed.name in p.read_text(encoding="utf-8"))
        gone.unlink()
        changed.unlink()
        removed = ["episodes/listener-mail.html", f"episodes/{gone.stem}.html"]
        removed += [f"episodes/{gone.stem}.txt", f"transcripts/{gone.stem}.html"] if files else []
        assert all((out / name).is_file() and files_naming(out, name) for name in removed)
        build(root)
        # Their pages and downloads are gone, and no page, feed, sitemap or
        # search result still leads to one.
        for name in removed:
            assert not (out / name).exists(), name
            assert files_naming(out, name) == [], name
        assert "Listener mail" not in read(out, "index.html")
        assert "zanzibarquokka" not in search_files_text(out)
        clean.check(root, "deleting two pages")


def files_by_identity(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file's inode and sha256: a file the rebuild reused is the same
    file (a hard link from the last site), one it wrote again is a new inode."""
    return {rel: (os.stat(folder / rel).st_ino, sha) for rel, sha in site_tree(folder).items()}


def related_of(page: Path) -> list[str]:
    """The links from an episode page's related episodes on (none for a download)."""
    text = page.read_text(encoding="utf-8") if page.suffix == ".html" else ""
    _, found, related = text.partition('id="related-heading"')
    return re.findall(r'href="([^"]+)"', related) if found else []


def test_a_new_newest_episode_rewrites_only_what_shows_it(tmp_path: Path):
    root = make_root(tmp_path / "site", synthetic=40)
    write_config(root, {**read_config(root), "page_size": 5})
    out = root / OUT
    build(root)
    before = files_by_identity(out)
    related_before = {rel: related_of(out / rel) for rel in before if rel.startswith("episodes/")}

    [extra] = episodes(1, seed=7)
    extra = dataclasses.replace(extra, title="The newest one", date=dt.date(2099, 1, 1))
    (root / SOURCE / "9999_newest.txt").write_text(archive_fm_text(extra), encoding="utf-8")
    build(root)
    after = files_by_identity(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]} - {MARKER}
    new = after.keys() - before.keys()
    [page] = [rel for rel in new if rel.startswith("episodes/") and rel.endswith(".html")]

    # Nothing is written again only to come out the same.
    same_bytes = sorted(rel for rel in changed - new if after[rel][1] == before[rel][1])
    assert not same_bytes, f"rewritten with the same bytes: {same_bytes[:20]}"

    # What may change: a file new in this build, one that links to a new
    # file (the neighbour, related episodes, listings showing the episode,
    # the numbered page just before a new one), an episode whose related
    # episodes changed (each topic's weight depends on the archive's size),
    # the topics index pages listing its topics (with their counts), the
    # site-wide summaries, and the search index's pointer to its new
    # manifest with the search page that names it (changed shards are new files).
    html = {rel: read(out, rel) for rel in after if rel.endswith(".html")}
    new_links = {'href="/' + rel.removesuffix("index.html") + '"' for rel in new}
    its_topics = set(re.findall(r'href="(/topics/[^"/]+\.html)"', html[page]))
    assert its_topics, "the new episode has topics"
    allowed = new | {"feed.xml", "feed.json", "sitemap.xml", "search/latest.json", "search/index.html",
                     "archive/index.html", "shows/index.html", "topics/index.html"}
    allowed |= {rel for rel, text in html.items() if any(link in text for link in new_links)}
    allowed |= {rel for rel in changed if rel in related_before and related_of(out / rel) != related_before[rel]}
    allowed |= {rel for rel, text in html.items()
                if rel.startswith("topics/index/") and any(f'href="{t}"' in text for t in its_topics)}
    new_locs = {"/" + rel.removesuffix("index.html") + "</loc>" for rel in new}
    allowed |= {rel for rel in after if rel.startswith("sitemap-") and any(loc in read(out, rel) for loc in new_locs)}
    unexpected = sorted(changed - allowed)
    assert not unexpected, f"adding the newest episode rewrote {len(unexpected)} unrelated file(s): {unexpected[:20]}"

    # What a reader (and a cache) sees: the oldest pages are the very same files.
    numbered = sorted((p for p in before if p.startswith("page/")), key=lambda p: int(p[5:-5]))
    assert len(numbered) >= 6
    for rel in numbered[:-1]:
        assert after[rel] == before[rel], f"{rel} was written again"
    print(f"+1 newest: {len(changed)} of {len(after)} files changed ({len(new)} new)")
    assert_same_as_clean(root, tmp_path / "clean", "adding the newest episode")


# --- 2. a build killed part-way leaves the previous site whole ---------------------------------

def _wait_until(proc: subprocess.Popen, moment: str, condition, timeout: float = 120) -> None:
    """Until ``condition(proc, seconds since it started)`` holds."""
    started = time.monotonic()
    deadline = started + timeout
    while not condition(proc, time.monotonic() - started):
        if proc.poll() is not None:
            raise AssertionError(f"the build ended ({proc.returncode}) before {moment}, so it could not be "
                                 f"stopped then:\n" + "".join(proc.communicate()))
        assert time.monotonic() < deadline, f"no {moment} within {timeout} s"
        time.sleep(0.002)


def staging_of(root: Path, proc: subprocess.Popen) -> Path:
    return root / f".{OUT}.building-{proc.pid}"


def _files_in(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def process_group(pgid: int) -> dict[int, tuple[str, str]]:
    """Live processes of a process group, as pid: (state, command line);
    zombies waiting to be reaped are dead."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        if int(pgrp) == pgid and state != "Z":
            found[int(stat.parent.name)] = (state, command[:150])
    return found


def _assert_group_ends(pgid: int, moment: str, timeout: float = 10) -> None:
    """Helpers of a stopped build must not live on: they hold memory, may go
    on writing, and keep the build's stdout open (so `make site | tee log`
    or a CI step would hang)."""
    deadline = time.monotonic() + timeout
    while process_group(pgid):
        if time.monotonic() > deadline:
            left = "\n".join(f"{pid} {state} {cmd}" for pid, (state, cmd) in process_group(pgid).items())
            raise AssertionError(f"stopped at {moment}, the build left processes running {timeout} s later:\n"
                                 + left)
        time.sleep(0.01)


def stop_build(root: Path, sig: signal.Signals, moment: str, condition,
               whole_group: bool = True) -> subprocess.CompletedProcess:
    """Start a build and send it ``sig`` at ``moment``: to its whole process
    group (Ctrl-C, a cancelled CI job) or to the main process alone (kill -9
    PID, the OOM killer), whose helpers, if any, must then end by themselves."""
    proc = start_build(root)
    try:
        _wait_until(proc, moment, condition)
        if whole_group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        proc.wait(timeout=120)
        _assert_group_ends(proc.pid, moment)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)   # whatever a failed check left running
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


# Big enough that writing the site takes a while (about 1,100 files, over a
# second), so each moment below falls well inside a build.
SYNTHETIC = 120


def test_a_killed_or_interrupted_build_leaves_the_previous_site_whole(tmp_path: Path):
    root = make_root(tmp_path / "site", synthetic=SYNTHETIC)
    out = root / OUT
    build(root)
    before = site_tree(out)

    write_archive_fm(root / SOURCE, 20, seed=2)
    config = read_config(root)
    config["title"] = "Renamed Transcript Archive"
    write_config(root, config)

    pages_before = len(list((root / CONTENT / "episodes").glob("*.md")))

    def importing(proc: subprocess.Popen, elapsed: float) -> bool:
        return len(list((root / CONTENT / "episodes").glob("*.md"))) > pages_before

    # Only this build's own staging folder counts: a killed build leaves one
    # behind (the next build clears it), and its files must not fire a moment early.
    def staging_for(seconds: float):
        appeared: dict[int, float] = {}

        def condition(proc: subprocess.Popen, elapsed: float) -> bool:
            if proc.pid not in appeared and staging_of(root, proc).exists():
                appeared[proc.pid] = elapsed
            return proc.pid in appeared and elapsed - appeared[proc.pid] >= seconds
        return condition

    def staging_a_quarter_written(proc: subprocess.Popen, elapsed: float) -> bool:
        return _files_in(staging_of(root, proc)) >= len(before) // 4

    def pool_running(proc: subprocess.Popen, elapsed: float) -> bool:
        # A busy worker pool: the main process and four or more (fork
        # server, resource tracker, two or more workers) for a moment.
        # Without one, early in the writing.
        if len(process_group(proc.pid)) >= 5:
            pool_seen.setdefault(proc.pid, elapsed)
            if elapsed - pool_seen[proc.pid] >= 0.05:
                return True
        return early_in_writing(proc, elapsed)

    pool_seen: dict[int, float] = {}
    early_in_writing = staging_for(0.2)
    moments = [
        ("the first new transcript imported", importing, True),
        ("the staging folder appearing", staging_for(0), False),
        ("the build running a pool of helper processes", pool_running, False),
        ("a quarter of the site written", staging_a_quarter_written, True),
    ]
    for moment, condition, whole_group in moments:
        killed = stop_build(root, signal.SIGKILL, moment, condition, whole_group)
        assert killed.returncode == -signal.SIGKILL, f"killed at {moment}: {killed}"
        diffs = differences(site_tree(out), before)
        assert not diffs, f"after a build was killed at {moment}, the site changed:\n" + "\n".join(diffs[:20])

    interrupted = stop_build(root, signal.SIGINT, "a quarter of the site written", staging_a_quarter_written)
    assert interrupted.returncode != 0, interrupted
    diffs = differences(site_tree(out), before)
    assert not diffs, "after Ctrl-C, the site changed:\n" + "\n".join(diffs[:20])
    # Ctrl-C is a clean stop: no hidden half-site left beside the output
    # (it would show in `git status` until the next build).
    assert staging_folders(root) == [], interrupted.stderr
    print(f"Ctrl-C: exit {interrupted.returncode}, stderr:\n{interrupted.stderr}")

    # Every stopped build but the first got past importing, so the inputs
    # are final: the clean build of them runs alongside the next one.
    content = site_tree(root / CONTENT)
    reference = start_clean_build(root, tmp_path / "clean")
    build(root)
    assert site_tree(root / CONTENT) == content
    # What the killed builds left is cleared; the site this build replaced
    # is being deleted in the background (output._remove_later), so give that a moment.
    deadline = time.monotonic() + 10
    while any(root.glob(f".{OUT}.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in root.glob(f".{OUT}.*")) == []
    assert "Renamed Transcript Archive" in read(out, "index.html")
    assert len(episode_pages(out)) == SYNTHETIC + 2 + 20
    assert_same_tree(site_tree(out), finish_clean_build(reference), "builds that were killed")


# --- 3. a corrupted cache is not trusted -------------------------------------------------------

def _garbage(path: Path) -> None:
    size = max(path.stat().st_size, 64)
    path.write_bytes(random.Random(path.name).randbytes(size))


def _half(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def test_a_corrupted_cache_neither_crashes_nor_changes_the_site(tmp_path: Path):
    root = make_root(tmp_path / "site", synthetic=10)
    build(root)
    cached = [p for p in (root / CACHE).rglob("*") if p.is_file()]
    assert cached, f"the build left nothing in cache_dir ({root / CACHE}), so there is nothing to corrupt"
    want = clean_build_of(root, tmp_path / "clean")

    # A disk filling up, a crash mid-write or a user's stray edit: whatever
    # is in the cache, the site must come out as if there were none.
    for corrupt in (_garbage, _half, _empty):
        for path in (p for p in (root / CACHE).rglob("*") if p.is_file()):
            corrupt(path)
        done = build(root)
        assert "Traceback" not in done.stderr, done.stderr
        diffs = differences(site_tree(root / OUT), want)
        assert not diffs, f"with a cache corrupted by {corrupt.__name__}, the site differs:\n" \
                          + "\n".join(diffs[:20])


def test_output_files_changed_or_deleted_by_hand_are_rebuilt(tmp_path: Path):
    root = make_root(tmp_path / "site", synthetic=10)
    out = root / OUT
    build(root)
    want = clean_build_of(root, tmp_path / "clean")

    # The output folder is the build's alone ("replaced on every build"), so
    # a rebuild must not keep a reused file that someone changed since: a
    # deploy script that edited pages in place, a file deleted by mistake.
    with (out / "index.html").open("a", encoding="utf-8") as page:
        page.write("<!-- analytics snippet -->\n")
    (out / "episodes" / f"{SEED_PAGE}.html").write_text("edited", encoding="utf-8")
    (out / "feed.xml").unlink()
    build(root)
    diffs = differences(site_tree(out), want)
    assert not diffs, "the rebuild kept output files changed by hand:\n" + "\n".join(diffs[:20])


def test_search_files_changed_by_hand_are_not_built_on(tmp_path: Path):
    # A new episode's index is made from the last build's shards: one
    # changed by hand (same name, other words) must not leak into it.
    root = make_root(tmp_path / "site", synthetic=12)
    out = root / OUT
    build(root)
    for shard in sorted((out / "search").glob("shard-*.json")):
        shard.write_text(shard.read_text(encoding="utf-8").replace(",1,", ",7,"), encoding="utf-8")
    [extra] = episodes(1, seed=3)
    extra = dataclasses.replace(extra, title="The newest one", date=dt.date(2099, 1, 1))
    (root / SOURCE / "9999_newest.txt").write_text(archive_fm_text(extra), encoding="utf-8")
    build(root)
    assert_same_as_clean(root, tmp_path / "clean", "adding an episode after the shards were edited")


def _hold_every_file(out: Path, holder: Path) -> dict[str, str]:
    """Hard links to every file of the site as it is, like the open files of a
    server or a deploy still reading it; returns the tree they must keep."""
    tree = site_tree(out)
    for rel in tree:
        (holder / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(out / rel, holder / rel)
    return tree


def test_a_rebuild_never_writes_into_the_site_it_replaces(tmp_path: Path):
    root = make_root(tmp_path / "site", synthetic=3)
    shutil.copytree(REPO / "templates", root / "templates")
    config = read_config(root)
    del config["templates_dir"]
    write_config(root, config)
    out = root / OUT
    build(root)

    # Reusing unchanged files by hard link is fine; writing through such a
    # link is not: while the rebuild runs, and after a build killed at the
    # wrong moment, the old site would be part old, part new. A theme file
    # that overrides a built-in asset of the same name is one way to get there.
    def rebuild_holding_the_old_site(after: str) -> None:
        holder = tmp_path / f"held-{after}".replace(" ", "-")
        held = _hold_every_file(out, holder)
        build(root)
        diffs = differences(site_tree(holder), held)
        assert not diffs, f"after {after}, the rebuild wrote into files of the previous site:\n" \
                          + "\n".join(diffs)

    override = root / "templates" / "assets" / "search-box.js"
    override.write_text("// the site's own search box\n", encoding="utf-8")
    rebuild_holding_the_old_site("overriding a built-in asset")

    override.write_text("// changed\n", encoding="utf-8")
    write_config(root, {**config, "title": "Renamed Transcript Archive"})
    rebuild_holding_the_old_site("changing the override and the title")
    assert read(out, "assets/search-box.js") == "// changed\n"
    assert_same_as_clean(root, tmp_path / "clean", "overriding a built-in asset")
