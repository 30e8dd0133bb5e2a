"""`watch` on a machine that receives transcripts: a file dropped into the
transcripts folder is on the site within seconds, but not before it is
completely written; the loop never feeds on its own writes."""
from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
import watchfiles

from generator.config import load_config
from generator.errors import ConfigError, Report
from generator.importer import import_transcripts
from generator.watch import change_filter, watched_paths
from tests.live_support import OLD, Command, make_project, running, wait_for
from tests.site_support import REPO
from tests.search_support import search_files_text

BASIC = REPO / "tests/fixtures/transcripts/basic.txt"


def _pages(root: Path) -> list[Path]:
    return sorted((root / "content/episodes").glob("*.md"))


def test_the_importer_leaves_a_freshly_modified_transcript_for_later(tmp_path):
    source = tmp_path / "transcripts"
    source.mkdir()
    shutil.copyfile(BASIC, source / "basic.txt")
    log = io.StringIO()
    summary = import_transcripts(source, tmp_path / "content", Report(stream=log), settle_seconds=60)
    assert summary.pending == [source / "basic.txt"] and summary.added == [] and log.getvalue() == ""
    assert summary.line().endswith(", 1 waiting (still being written?)")
    assert not _pages(tmp_path)
    os.utime(source / "basic.txt", (OLD, OLD))
    summary = import_transcripts(source, tmp_path / "content", Report(stream=log), settle_seconds=60)
    assert summary.pending == [] and len(summary.added) == 1
    # The default imports at once, as `build` and `import` always did.
    shutil.copyfile(BASIC, source / "again.txt")
    summary = import_transcripts(source, tmp_path / "content", Report(stream=log))
    assert summary.pending == [] and summary.unchanged == 1 and len(summary.added) == 1


def test_only_inputs_are_watched_never_the_output_staging_or_cache(tmp_path):
    config = load_config(make_project(tmp_path))
    (tmp_path / "content").mkdir()
    paths = watched_paths(config)
    assert tmp_path / "templates" in paths and tmp_path / "transcripts" in paths
    assert not any(p == tmp_path / "templates" / "assets" for p in paths)   # inside templates/
    keep = change_filter(config)
    added = watchfiles.Change.added
    for path in ("templates/home.html", "templates/assets/style.css", "transcripts/new.txt",
                 "content/episodes/a.md"):
        assert keep(added, str(tmp_path / path)), path
    for path in ("_site/index.html", f".{'_site'}.building-123/index.html", "._site.old-9/feed.xml", "._site.old-9-0/feed.xml",
                 "._site.incoming-9/search/x.json",
                 ".cache/x", "content/episodes/.a.md.k2j3.tmp", "templates/.home.html.swp",
                 "templates/home.html~"):
        assert not keep(added, str(tmp_path / path)), path


def test_a_dropped_transcript_reaches_every_page_that_lists_it(tmp_path):
    config = make_project(tmp_path)
    # Its topics are its own: with a page for every topic, those list it too.
    config.write_text(config.read_text(encoding="utf-8") + "topic_page_episodes: 1\n", encoding="utf-8")
    with running(config, "watch") as live:
        assert "start: imported: 2 new" in live.log.getvalue()
        before = live.attempts()
        shutil.copyfile(BASIC, tmp_path / "transcripts" / "dropped.txt")
        live.wait_rebuilt(before, timeout=5)
        [page] = [p for p in _pages(tmp_path) if p.stem.startswith("freedonia")]
        out = tmp_path / "_site"
        link = f"/episodes/{page.stem}.html"
        assert "Freedonia" in (out / "episodes" / f"{page.stem}.html").read_text(encoding="utf-8")
        assert link in (out / "index.html").read_text(encoding="utf-8")
        assert link in (out / "feed.xml").read_text(encoding="utf-8")
        assert any(link in item["url"] for item in json.loads((out / "feed.json").read_text())["items"])
        assert f'"{link[1:]}"' in search_files_text(out)   # site-relative
        assert any(link in p.read_text(encoding="utf-8") for p in (out / "topics").glob("*.html"))
        line = live.log.getvalue().splitlines()[-1]
        assert "transcripts/dropped.txt complete: imported: 1 new, 0 updated, 2 unchanged" in line
        assert "built: 3 episodes" in line
        # The importer wrote a page into content/, a watched folder: no rebuild for that.
        rebuilt = live.attempts()
        with pytest.raises(AssertionError):
            live.wait_rebuilt(rebuilt, timeout=1.0)
        assert "error:" not in live.errors.getvalue()


def test_a_transcript_still_being_written_is_imported_only_when_complete(tmp_path):
    data = BASIC.read_bytes()
    half = data.index(b"Freedonia says")
    with running(make_project(tmp_path), "watch", settle_seconds=1.0) as live:
        before = live.attempts()
        target = tmp_path / "transcripts" / "arriving.txt"
        with open(target, "wb") as f:
            f.write(data[:half])
            f.flush()
            time.sleep(0.6)   # longer than the debounce, shorter than the settle time
            assert "waiting for transcripts/arriving.txt" in live.log.getvalue()
            assert live.attempts() == before and len(_pages(tmp_path)) == 2
            f.write(data[half:])
        live.wait_rebuilt(before, timeout=5)
        assert live.attempts() == before + 1
        [page] = [p for p in _pages(tmp_path) if p.stem.startswith("freedonia")]
        assert "Take care." in page.read_text(encoding="utf-8")
        assert "error:" not in live.errors.getvalue()


def test_errors_do_not_stop_the_loop(tmp_path):
    with running(make_project(tmp_path), "watch") as live:
        template = tmp_path / "templates/episode.html"
        good = template.read_text(encoding="utf-8")
        before = live.attempts()
        template.write_text(good + "{% endif %}\n", encoding="utf-8")
        live.wait_rebuilt(before)
        assert not live.rebuilder.state.ok
        assert "failed (see above); the last good site is kept" in live.log.getvalue()
        assert "templates/episode.html" in live.rebuilder.state.errors[0]
        before = live.attempts()
        template.write_text(good, encoding="utf-8")
        live.wait_rebuilt(before)
        assert live.rebuilder.state.ok and live.rebuilder.state.errors == ()


def test_a_transcripts_folder_that_arrives_later_is_watched_and_imported(tmp_path):
    config = make_project(tmp_path)
    os.rename(tmp_path / "transcripts", tmp_path / "incoming")
    with running(config, "watch") as live:
        assert not live.rebuilder.state.ok and "transcripts folder not found" in live.rebuilder.state.errors[0]
        before = live.attempts()
        os.rename(tmp_path / "incoming", tmp_path / "transcripts")   # arrives whole, files and all
        live.wait_rebuilt(before)
        assert live.rebuilder.state.ok and len(_pages(tmp_path)) == 2
        assert "watched folders changed: imported: 2 new" in live.log.getvalue()


def test_the_watch_command_rebuilds_and_stops_on_ctrl_c(tmp_path):
    command = Command("watch", "--config", str(make_project(tmp_path)), cwd=tmp_path)
    command.wait_line(lambda line: line.startswith("watching for changes"))
    shutil.copyfile(BASIC, tmp_path / "transcripts" / "dropped.txt")
    # The command's own settle time (1 s) and debounce apply here.
    line = command.wait_line(lambda line: "dropped.txt" in line and "imported:" in line)
    assert "transcripts/dropped.txt complete: imported: 1 new" in line and "built: 3 episodes" in line
    assert "Freedonia" in (tmp_path / "_site/index.html").read_text(encoding="utf-8")
    status, rest, stderr = command.interrupt()
    assert status == 0, stderr
    assert rest == "stopped\n" and "Traceback" not in stderr


PAGE = b"---\ntitle: Freedonia by hand\ndate: 2024-01-02\nduration: 5m\n---\n\nWritten by hand.\n"
NOT_UTF8 = [b"\xff\xfe-x.txt", b"caf\xe9.txt", b"\x80.md"]


@pytest.mark.parametrize("name", NOT_UTF8, ids=["ff-fe", "latin-1", "lone-continuation"])
def test_a_file_name_that_is_not_utf8_does_not_stop_the_loop(tmp_path, name):
    with running(make_project(tmp_path), "watch") as live:
        folder = os.fsencode(tmp_path / ("content/episodes" if name.endswith(b".md") else "transcripts"))
        before = live.attempts()
        bad = os.path.join(folder, name)
        with open(bad, "wb") as f:
            f.write(PAGE if name.endswith(b".md") else BASIC.read_bytes())
        live.wait_rebuilt(before)   # the change was seen, whatever the build made of it
        assert "a file whose name is not UTF-8 changed" in live.log.getvalue()
        # The loop goes on: later changes are seen and built.
        os.rename(bad, os.path.join(folder, b"renamed" + os.path.splitext(name)[1]))
        wait_for(lambda: live.rebuilder.state.ok and live.rebuilder.state.errors == ()
                 and "Freedonia" in (tmp_path / "_site/index.html").read_text(encoding="utf-8"),
                 10, f"the renamed file built:\n{live.log.getvalue()}{live.errors.getvalue()}")
        shutil.copyfile(BASIC, tmp_path / "transcripts" / "another.txt")
        wait_for(lambda: "transcripts/another.txt complete: imported: 1 new" in live.log.getvalue(), 10,
                 f"another.txt imported:\n{live.log.getvalue()}")


def _write_in_pieces(path: Path, cuts: list[int], pause: float) -> threading.Thread:
    """A copy in progress: BASIC written piece by piece (cut at ``cuts``),
    ``pause`` seconds between pieces, in a thread of its own."""
    data = BASIC.read_bytes()
    bounds = [0, *cuts, len(data)]

    def write() -> None:
        with open(path, "wb") as f:
            for start, end in zip(bounds, bounds[1:]):
                if start:
                    time.sleep(pause)
                f.write(data[start:end])
                f.flush()
    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def _cuts(*markers: bytes) -> list[int]:
    data = BASIC.read_bytes()
    return [data.index(m) for m in markers]


def test_a_copy_that_pauses_is_imported_once_and_whole(tmp_path):
    """The `watch` command as it comes: a writer pausing 1.5 s between pieces,
    mid-header and mid-text, is not published until it is done."""
    command = Command("watch", "--config", str(make_project(tmp_path)), cwd=tmp_path)
    command.wait_line(lambda line: line.startswith("watching for changes"))
    writer = _write_in_pieces(tmp_path / "transcripts/arriving.txt",
                              _cuts(b"Broadcast on", b"Freedonia says", b"Zenda"), pause=1.5)
    line = command.wait_line(lambda line: "arriving.txt" in line and "imported:" in line, timeout=30)
    assert not writer.is_alive(), "imported before the copy was done"
    assert "transcripts/arriving.txt complete: imported: 1 new" in line
    [page] = [p for p in _pages(tmp_path) if p.stem.startswith("freedonia")]
    assert "Take care." in page.read_text(encoding="utf-8")
    status, rest, stderr = command.interrupt()
    assert status == 0, stderr
    imports = [l for l in command.stdout + rest.splitlines() if "imported:" in l and "arriving" in l]
    assert len(imports) == 1, imports
    assert "error:" not in stderr


@pytest.mark.parametrize("cut_at", [b"Duration", b"24m", b"All right"], ids=["title", "duration", "text"])
def test_a_copy_cut_short_waits_for_its_header_and_text(tmp_path, cut_at):
    config = make_project(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "watch_settle_seconds: 0.4\n", encoding="utf-8")
    with running(config, "watch", settle_seconds=None) as live:
        assert live.rebuilder.settle_seconds == 0.4
        before = live.attempts()
        writer = _write_in_pieces(tmp_path / "transcripts/arriving.txt", _cuts(cut_at), pause=2.5)
        wait_for(lambda: "no whole Archive.fm header and transcript text yet" in live.log.getvalue(), 5,
                 f"the wait to be told:\n{live.log.getvalue()}")
        assert writer.is_alive() and live.attempts() == before   # no rebuild, no error for it
        writer.join()
        wait_for(lambda: "arriving.txt complete: imported: 1 new" in live.log.getvalue(), 10,
                 f"the whole copy imported:\n{live.log.getvalue()}")
        assert live.rebuilder.state.ok and live.rebuilder.state.errors == ()
        assert "error:" not in live.errors.getvalue()


def test_a_mistake_before_the_end_is_reported_at_once(tmp_path):
    # Not a copy cut short: a bad date with text after it is an error to show, not to wait for.
    with running(make_project(tmp_path), "watch") as live:
        shutil.copyfile(REPO / "tests/fixtures/transcripts/bad_date.txt", tmp_path / "transcripts/bad.txt")
        wait_for(lambda: any("bad.txt" in e for e in live.rebuilder.state.errors), 10,
                 f"the error:\n{live.log.getvalue()}")
        assert "no whole Archive.fm header" not in live.log.getvalue()


@pytest.mark.parametrize("value, ok", [("2.5", True), ("0", True), ("-1", False), ("abc", False),
                                       ("true", False), (".nan", False), ("99999", False)])
def test_watch_settle_seconds_is_checked(tmp_path, value, ok):
    config = make_project(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + f"watch_settle_seconds: {value}\n", encoding="utf-8")
    if ok:
        assert load_config(config).watch_settle_seconds == float(value)
    else:
        with pytest.raises(ConfigError) as caught:
            load_config(config)
        assert caught.value.problems[0].startswith("key 'watch_settle_seconds': must be a number of seconds")


def test_a_rebuild_lets_go_of_the_site_it_built(tmp_path):
    # The build pauses the garbage collector and ends by freezing what it
    # made (workers.gc_paused); a preview session lives on, and must not
    # hold the last build's site model in memory until the next change.
    import gc
    import weakref

    from generator import build
    from generator.watch import Rebuilder

    config = load_config(make_project(tmp_path))
    made = []
    real = build.Views

    def views(site, urls):
        made.append(weakref.ref(site))
        cycle = [site]
        cycle.append(cycle)   # as a build's objects may: only the collector frees the site now
        return real(site, urls)

    build.Views, was_enabled = views, gc.isenabled()
    gc.enable()
    try:
        rebuilder = Rebuilder(config, lambda: config, tmp_path / "site.yaml", out=io.StringIO(), err=io.StringIO())
        assert rebuilder.rebuild("start").ok
    finally:
        build.Views = real
        if not was_enabled:
            gc.disable()
    assert made and made[0]() is None
