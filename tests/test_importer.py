"""The import stage: transcripts become pages, and importing again is safe."""
from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.content import load_episode
from generator.errors import GeneratorError, Report
from generator.importer import import_transcripts

BAD = {"bad_not_export.txt", "bad_no_transcript.txt", "bad_date.txt", "bad_duration.txt"}
OLD = 1_000_000_000  # a page mtime (2001) no import could produce by accident


def run_import(source: Path, content: Path):
    """Import and return (summary, report, the messages a user would see)."""
    stream = io.StringIO()
    report = Report(stream=stream)
    summary = import_transcripts(source, content, report)
    return summary, report, stream.getvalue()


def pages(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((content / "episodes").glob("*.md"))}


def source_of(page: Path) -> str:
    return load_episode(page).source_file


def page_for_source(content: Path, name: str) -> Path:
    return next(p for p in (content / "episodes").glob("*.md") if source_of(p) == name)


def _single(source: Path, tmp_path: Path, *names: str) -> Path:
    """A source folder holding only the named transcripts from ``source``."""
    folder = tmp_path / "only"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(source / name, folder / name)
    return folder


def test_every_good_transcript_becomes_one_page_and_bad_ones_are_reported(archive, tmp_path):
    content = tmp_path / "content"
    summary, report, out = run_import(archive, content)
    good = {p.name for p in archive.glob("*.txt")} - BAD
    assert sorted(source_of(content / "episodes" / name) for name in pages(content)) == sorted(good)
    assert (len(summary.added), summary.failed, report.errors) == (len(good), len(BAD), len(BAD))
    errors = [re.match(r"error: (.+):(\d+): ", line) for line in out.splitlines() if line.startswith("error")]
    assert sorted(Path(m[1]).name for m in errors) == sorted(BAD)


def test_pages_load_and_keep_the_transcript_header(archive, tmp_path):
    content = tmp_path / "content"
    run_import(archive, content)
    episode = load_episode(page_for_source(content, "other_show.txt"))
    assert (episode.show, episode.title, episode.description, episode.duration, episode.audio_format) == (
        "Invented Affairs Hour", "A different made-up show", "Another invented programme entirely", 4320, "m4a")


def test_cp1252_transcript_is_imported_with_a_warning_naming_it(archive, tmp_path):
    summary, report, out = run_import(archive, tmp_path / "content")
    page = page_for_source(tmp_path / "content", "cp1252.txt")
    assert load_episode(page).title == "Café prices in € – a “made-up” story"
    assert "Zoë’s café" in page.read_text(encoding="utf-8")
    assert report.warnings == 1
    assert [line for line in out.splitlines() if line.startswith("warning: ")] == [
        f"warning: {archive / 'cp1252.txt'}: not UTF-8 (byte 30); decoded as Windows-1252"]


def test_slugs_are_ascii_and_stay_inside_the_content_folder(archive, tmp_path):
    content = tmp_path / "content"
    run_import(archive, content)
    assert page_for_source(content, "non_ascii_title.txt").name == "erdogan-and-the-imaginary-lodz-bridge.md"
    assert page_for_source(content, "path_title.txt").name == "etc-passwd.md"
    assert load_episode(content / "episodes" / "etc-passwd.md").title == "../../etc/passwd"
    # Nothing was written anywhere but content/episodes/.
    written = [p for p in tmp_path.rglob("*") if p.is_file() and archive not in p.parents]
    assert all(p.parent == content / "episodes" for p in written)


def test_duplicate_titles_get_distinct_slugs_that_do_not_depend_on_the_run(transcripts_dir, tmp_path):
    pair = ("same_title_1.txt", "same_title_2.txt")
    source = _single(transcripts_dir, tmp_path, *pair)
    slugs = []
    for run in ("first", "second"):
        run_import(source, tmp_path / run)
        slugs.append({name: page_for_source(tmp_path / run, name).stem for name in pair})
    assert slugs[0] == slugs[1]
    assert len(set(slugs[0].values())) == 2
    assert all(s.startswith("the-invented-weekly-roundup") for s in slugs[0].values())


def test_duplicate_title_added_later_leaves_the_first_page_alone(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "same_title_2.txt")
    content = tmp_path / "content"
    run_import(source, content)
    first = page_for_source(content, "same_title_2.txt")
    before = first.read_bytes()
    shutil.copy(transcripts_dir / "same_title_1.txt", source)
    summary, _, _ = run_import(source, content)
    assert len(summary.added) == 1 and first.read_bytes() == before
    assert page_for_source(content, "same_title_1.txt") != first


def test_same_title_same_day_still_gets_distinct_slugs(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "same_title_1.txt")
    (source / "same_title_3.txt").write_bytes((source / "same_title_1.txt").read_bytes() + b" Again.")
    shutil.copy(source / "same_title_1.txt", source / "same_title_4.txt")
    run_import(source, tmp_path / "content")
    assert len(pages(tmp_path / "content")) == 3


def test_reimport_of_unchanged_transcripts_touches_nothing(archive, tmp_path):
    content = tmp_path / "content"
    run_import(archive, content)
    for page in (content / "episodes").iterdir():
        os.utime(page, ns=(OLD * 10**9, OLD * 10**9))
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (content / "episodes").iterdir()}
    summary, _, out = run_import(archive, content)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (content / "episodes").iterdir()}
    assert after == before
    assert (summary.added, summary.updated, summary.unchanged) == ([], [], len(before))
    assert "warning" not in out  # the cp1252 file was not even read again


def test_a_new_transcript_adds_a_page_and_leaves_the_rest(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    content = tmp_path / "content"
    run_import(source, content)
    before = pages(content)
    shutil.copy(transcripts_dir / "other_show.txt", source)
    summary, _, _ = run_import(source, content)
    after = pages(content)
    assert len(summary.added) == 1 and summary.unchanged == 1
    assert set(after) - set(before) == {"a-different-made-up-show.md"}
    assert {name: after[name] for name in before} == before


def test_a_changed_transcript_updates_its_page_under_the_same_slug(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    content = tmp_path / "content"
    run_import(source, content)
    page = page_for_source(content, "basic.txt")
    transcript = source / "basic.txt"
    transcript.write_text(transcript.read_text(encoding="utf-8")
                          .replace("Freedonia and Ruritania sign an invented treaty", "A retitled invented treaty")
                          .replace("Take care.", "Take care, Pat, and see you next week."), encoding="utf-8")
    summary, report, _ = run_import(source, content)
    assert summary.updated == [page] and report.clean
    assert pages(content).keys() == {page.name}
    episode = load_episode(page)
    assert episode.title == "A retitled invented treaty"
    assert episode.slug == page.stem == "freedonia-and-ruritania-sign-an-invented-treaty"
    assert "see you next week" in episode.body


def test_a_page_edited_by_hand_is_never_overwritten(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    content = tmp_path / "content"
    run_import(source, content)
    page = page_for_source(content, "basic.txt")
    page.write_text(page.read_text(encoding="utf-8").replace("- Ruritania\n", "- Ruritania\n- Zenda\n"),
                    encoding="utf-8")
    edited = page.read_bytes()
    with (source / "basic.txt").open("ab") as f:
        f.write(b" A sentence added to the invented transcript.")
    summary, report, out = run_import(source, content)
    assert page.read_bytes() == edited
    assert summary.kept_edits == [page] and summary.updated == []
    assert report.warnings == 1 and f"warning: {page}: " in out and "edited by hand" in out


def test_an_edited_page_with_an_unchanged_transcript_is_quietly_kept(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    content = tmp_path / "content"
    run_import(source, content)
    page = page_for_source(content, "basic.txt")
    page.write_text(page.read_text(encoding="utf-8") + "A note the user added.\n", encoding="utf-8")
    edited = page.read_bytes()
    summary, report, _ = run_import(source, content)
    assert page.read_bytes() == edited and report.clean and summary.unchanged == 1


def test_an_import_never_takes_the_file_name_of_a_hand_written_page(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    episodes = tmp_path / "content" / "episodes"
    episodes.mkdir(parents=True)
    mine = episodes / "freedonia-and-ruritania-sign-an-invented-treaty.md"
    mine.write_text("---\ntitle: My own page\ndate: 2024-05-25\n---\n\nWritten by hand.\n", encoding="utf-8")
    run_import(source, tmp_path / "content")
    assert mine.read_text(encoding="utf-8").endswith("Written by hand.\n")
    assert page_for_source(tmp_path / "content", "basic.txt") != mine


def test_a_broken_page_is_not_overwritten(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    episodes = tmp_path / "content" / "episodes"
    episodes.mkdir(parents=True)
    broken = episodes / "freedonia-and-ruritania-sign-an-invented-treaty.md"
    broken.write_bytes(b"no front matter at all\n")
    run_import(source, tmp_path / "content")
    assert broken.read_bytes() == b"no front matter at all\n"
    assert len(pages(tmp_path / "content")) == 2


def test_untitled_transcript_gets_a_slug_from_its_file_name(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "Episode 12.txt").write_bytes(b"Archive.fm\nMade-Up Radio\n???\nDuration:\n24m\nBroadcast on:\n"
                                            b"25 May 2024\n\nInvented words.\n")
    run_import(source, tmp_path / "content")
    assert list(pages(tmp_path / "content")) == ["episode-12.md"]


def test_only_txt_files_are_transcripts(transcripts_dir, tmp_path):
    source = _single(transcripts_dir, tmp_path, "basic.txt")
    (source / "notes.md").write_text("not a transcript", encoding="utf-8")
    (source / ".hidden.txt").write_text("an editor's backup", encoding="utf-8")
    summary, report, _ = run_import(source, tmp_path / "content")
    assert len(summary.added) == 1 and report.clean


def test_missing_source_folder_is_an_error(tmp_path):
    with pytest.raises(GeneratorError) as info:
        run_import(tmp_path / "nowhere", tmp_path / "content")
    assert info.value.path == str(tmp_path / "nowhere")


def test_summary_line_counts_what_happened(archive, tmp_path):
    good = len(list(archive.glob("*.txt"))) - len(BAD)
    summary, _, _ = run_import(archive, tmp_path / "content")
    assert summary.line() == f"imported: {good} new, 0 updated, 0 unchanged, {len(BAD)} failed"
    summary, _, _ = run_import(archive, tmp_path / "content")
    assert summary.line() == f"imported: 0 new, 0 updated, {good} unchanged, {len(BAD)} failed"
