"""Hostile and careless input on the build's Python side (issue 15): odd file
names, files that are not files, symbolic links out of the archive, YAML
bombs, surrogates, tags and runaway values. Each is reported on one line
naming the file, is skipped, and costs the rest of the archive nothing: the
build still publishes it, exits 0, and exits 1 under --strict.

The builds run `python -m generator` in a process of its own, with a time
limit and a memory cap, as a user would run it: an input that hangs or eats
memory then fails the test instead of taking the test run with it.
"""
from __future__ import annotations

import itertools
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.content import load_episode, parse_episode
from generator.errors import ContentError, Report, TranscriptError
from generator.paragraphs import sentences, split_paragraphs
from generator.topics import extract_topics
from tests.growth_support import assert_linear

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
GOOD = REPO / "tests" / "fixtures" / "transcripts" / "basic.txt"
GOOD_PAGE = "freedonia-and-ruritania-sign-an-invented-treaty.html"   # what GOOD is published as
MEMORY_CAP = 2 * 2**30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A user's site folder: site.yaml, seeds/ with one good transcript, content/episodes/."""
    (tmp_path / "site.yaml").write_text(f"templates_dir: {REPO / 'templates'}\n", encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    shutil.copy(GOOD, tmp_path / "seeds" / "basic.txt")
    (tmp_path / "content" / "episodes").mkdir(parents=True)
    return tmp_path


def run(site: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=site, env=env, capture_output=True,
                          timeout=timeout, preexec_fn=_limit_memory)


def _messages(result: subprocess.CompletedProcess) -> list[str]:
    return result.stderr.decode("utf-8", "replace").splitlines()


def build_skipping(site: Path, kind: str, pattern: str) -> str:
    """Build, then again with --strict; the one ``kind`` ('error' or
    'warning') line that names the bad file, after checking what the issue
    asks of every bad input. Returns that line."""
    result = run(site, "build")
    lines = _messages(result)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-3000:]
    assert "Traceback" not in result.stderr.decode("utf-8", "replace")
    # Every line is a message of its own: nothing a file holds or is named can start one.
    assert all(line.startswith(("error: ", "warning: ")) for line in lines), lines
    matching = [line for line in lines if re.search(pattern, line)]
    assert len(matching) == 1 and matching[0].startswith(f"{kind}: "), lines
    assert (site / "_site" / "episodes" / GOOD_PAGE).is_file(), "the rest of the archive was not built"
    strict = run(site, "build", "--strict")
    assert strict.returncode == 1, strict.stderr.decode("utf-8", "replace")[-3000:]
    assert (site / "_site" / "episodes" / GOOD_PAGE).is_file()
    return matching[0]


# Row 1: a file name that is not UTF-8.

def test_a_transcript_whose_name_is_not_utf8_is_reported_and_the_rest_builds(site):
    shutil.copy(GOOD, os.fsencode(site / "seeds") + b"/\xff\xfe-x.txt")
    line = build_skipping(site, "error", r"-x\.txt")
    assert line.endswith(r"seeds/\xff\xfe-x.txt: the file name is not UTF-8 text, so no page or URL can hold it; "
                         "rename the file")


def test_a_page_whose_name_is_not_utf8_is_reported_and_the_rest_builds(site):
    page = b"---\ntitle: A made-up page\ndate: 2024-05-25\nslug: made-up-page\n---\n\nWords.\n"
    (Path(os.fsdecode(os.fsencode(site / "content" / "episodes") + b"/caf\xe9.md"))).write_bytes(page)
    line = build_skipping(site, "error", r"caf")
    assert r"episodes/caf\xe9.md: the file name is not UTF-8" in line
    assert not (site / "_site" / "episodes" / "made-up-page.html").exists()


# Row 2: FIFOs, sockets and devices are not read (reading a FIFO blocks for good).

def test_a_fifo_among_the_pages_is_skipped_without_blocking(site):
    os.mkfifo(site / "content" / "episodes" / "fifo.md")
    line = build_skipping(site, "warning", r"fifo\.md")
    assert line.endswith("episodes/fifo.md: a FIFO (named pipe), not a regular file; skipped")


def test_a_fifo_among_the_transcripts_is_skipped_with_a_warning(site):
    os.mkfifo(site / "seeds" / "fifo.txt")
    line = build_skipping(site, "warning", r"fifo\.txt")
    assert "a FIFO (named pipe), not a regular file; skipped" in line


def test_a_link_to_a_fifo_inside_the_folder_is_skipped_too(site):
    os.mkfifo(site / "seeds" / "pipe")
    (site / "seeds" / "link.txt").symlink_to("pipe")
    build_skipping(site, "warning", r"link\.txt: a FIFO")


def test_a_socket_among_the_transcripts_is_skipped(site):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(site / "seeds" / "sock.txt"))
        build_skipping(site, "warning", r"sock\.txt: a socket, not a regular file; skipped")


# A page that cannot be written, or a folder for the pages that cannot be made.

def test_a_folder_where_a_new_page_goes_is_reported_and_the_rest_builds(site):
    shutil.copy(REPO / "seeds" / "003_016b23e006a442db.txt", site / "seeds")   # published as belarus-joins-…
    (site / "content" / "episodes" / "belarus-joins-sco-eurasia-grows-stronger.md").mkdir()
    line = build_skipping(site, "error", r"belarus-joins")
    assert line.endswith("episodes/belarus-joins-sco-eurasia-grows-stronger.md: cannot write this page: Is a directory")


@pytest.mark.parametrize("blocked", ["a file named content", "a link to nothing for content/episodes"])
def test_a_pages_folder_that_cannot_be_made_is_one_error(site, blocked):
    shutil.rmtree(site / "content")
    if blocked == "a file named content":
        (site / "content").write_text("not a folder\n", encoding="utf-8")
        expected = "content: cannot make the folder for the pages: a file where the folder for the pages should be"
    else:
        (site / "content").mkdir()
        (site / "content" / "episodes").symlink_to(site / "nowhere")
        expected = "content/episodes: cannot make the folder for the pages: a symbolic link to nothing"
    result = run(site, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr.decode("utf-8", "replace")
    assert _messages(result) == [f"error: {site}/{expected}"]
    assert (site / "content").exists() and not (site / "_site").exists()   # nothing written over, nothing built


# Row 3: /dev/zero, and files too large to be a page or a transcript.

def test_a_page_linked_to_dev_zero_is_skipped(site):
    (site / "content" / "episodes" / "zero.md").symlink_to("/dev/zero")
    build_skipping(site, "warning", r"zero\.md")


def test_a_device_among_the_transcripts_is_skipped_even_inside_the_folder(site, tmp_path):
    # A link inside the folder to a link out of it: the outside check sees through both.
    (site / "seeds" / "inner").symlink_to("/dev/zero")
    (site / "seeds" / "zero.txt").symlink_to("inner")
    build_skipping(site, "warning", r"zero\.txt")


@pytest.mark.parametrize("folder,name", [("seeds", "huge.txt"), ("content/episodes", "huge.md")])
def test_a_file_too_large_to_be_input_is_not_read(site, folder, name):
    with open(site / folder / name, "wb") as f:
        f.truncate(40 * 2**20)   # sparse: 40 MB that take no disk
    line = build_skipping(site, "error", re.escape(name))
    assert line.endswith(f"{name}: cannot read: too large to read (40.0 MB; the limit is 32 MB)")


# Row 4: YAML alias bombs and deep nesting are refused before they expand.

def test_an_alias_bomb_is_refused_at_its_first_alias(site):
    shutil.copy(HOSTILE / "alias_bomb.md", site / "content" / "episodes")
    started = time.monotonic()
    line = build_skipping(site, "error", r"alias_bomb\.md")
    assert time.monotonic() - started < 30
    assert line.endswith("alias_bomb.md:6: front matter uses a YAML alias (*name); aliases are not allowed "
                         "here: write the value out")


def test_lists_nested_990_deep_are_refused(site):
    shutil.copy(HOSTILE / "deep_lists.md", site / "content" / "episodes")
    line = build_skipping(site, "error", r"deep_lists\.md")
    assert line.endswith("deep_lists.md:4: front matter nests lists or mappings more than 20 deep")


PAGE = "---\ntitle: A made-up page\ndate: 2024-05-25\n{extra}---\n\nWords.\n"
LONG = "description: " + "padding " * 1300 + "\n"   # past 10,000 characters: the pure-Python parser reads it


@pytest.mark.parametrize("extra,line", [
    pytest.param("show: &s Made-Up Radio\naudio_format: *s\n", 5, id="one scalar alias"),
    pytest.param("topics: &t [a, b]\nother: [*t, *t]\n", 5, id="a list alias"),
    pytest.param("base: &b {file: x.txt}\nsource:\n  <<: *b\n", 6, id="a merge key alias"),
    pytest.param("x: &a [1, 2]\nduration: [*a, *a, *a]\n", 5, id="a three-level bomb"),
    pytest.param(LONG + "show: &s Made-Up Radio\naudio_format: *s\n", 6, id="an alias in long front matter"),
    pytest.param("topics: " + "[" * 21 + "]" * 21 + "\n", 4, id="21 lists deep"),
    pytest.param("source: " + "{a: " * 25 + "x" + "}" * 25 + "\n", 4, id="25 mappings deep"),
    pytest.param(LONG + "topics: " + "[" * 5000 + "]" * 5000 + "\n", 5, id="5000 deep in long front matter"),
    pytest.param("topics:\n" + "".join("  " * i + "- \n" for i in range(40)), 24, id="40 deep in block style"),
])
def test_aliases_and_depth_are_refused_where_they_are(tmp_path, extra, line):
    path = tmp_path / "page.md"
    path.write_text(PAGE.format(extra=extra), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_episode(path)
    assert caught.value.line == line, caught.value
    assert re.search(r"alias|deep", caught.value.message), caught.value


def test_twenty_levels_are_still_allowed(tmp_path):
    path = tmp_path / "page.md"
    path.write_text(PAGE.format(extra="other: " + "[" * 19 + "]" * 19 + "\n"), encoding="utf-8")
    assert load_episode(path).title == "A made-up page"


# Row 5: a lone surrogate, in front matter of any length.

def test_a_lone_surrogate_in_long_front_matter_is_a_located_error(site):
    shutil.copy(HOSTILE / "surrogate_title.md", site / "content" / "episodes")
    line = build_skipping(site, "error", r"surrogate_title\.md")
    assert line.endswith(r"surrogate_title.md:2: front matter holds '\ud800', a lone surrogate escape: "
                         "it is not a character")


@pytest.mark.parametrize("extra,line", [
    pytest.param(LONG + 'topics:\n- fine\n- "a \\udfff b"\n', 7, id="in a topic"),
    pytest.param(LONG + 'show: "\\udc80"\n', 5, id="in the show"),
    pytest.param(LONG + 'source:\n  file: "x\\ud83d.txt"\n', 6, id="in the source file"),
    pytest.param(LONG + '"\\ud800": key\n', 5, id="in a key"),
    pytest.param('show: "\\ud800"\n', 4, id="short front matter"),
])
def test_surrogates_are_located_errors_wherever_they_are(tmp_path, extra, line):
    path = tmp_path / "page.md"
    path.write_text(PAGE.format(extra=extra), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_episode(path)
    assert caught.value.line == line, caught.value
    assert "surrogate" in caught.value.message or "escape" in caught.value.message, caught.value


# Row 7: a long run of dots inside a word costs linear time.

def _split_text(n: int):
    """Finding the sentences, paragraphs and topics of a text with words
    holding runs of ``n`` dots. Each text's words are new, as the
    sentence-end check remembers the words it has seen."""
    words = ["Putin", "said", "so."] * 200
    words += [f"x{next(_TEXTS)}{k}" + "." * n + "a." for k in range(2)] + ["Then", "NATO", "spoke."]
    text = " ".join(words)

    def split():
        spoken = sentences(text.split())
        split_paragraphs(text, spoken)
        extract_topics(text, "", 12, (), spoken)
    return split


_TEXTS = itertools.count()


def test_a_run_of_dots_inside_a_word_takes_linear_time():
    assert_linear(_split_text, 6_000)


def test_the_sentence_end_check_still_ends_sentences():
    words = "He left. She said “stop.” Then (really!) Dr. Who came. It ended…' Next U.S. No.".split()
    assert [" ".join(s) for s in sentences(words)] == [
        "He left.", "She said “stop.”", "Then (really!)", "Dr. Who came.", "It ended…'", "Next U.S. No."]


# Row 9: a file name cannot forge a message line.

def test_a_newline_in_a_transcript_name_cannot_forge_an_error_line(site):
    (site / "seeds" / "bad\nerror: forged.txt").write_text("Not an export at all.\n", encoding="utf-8")
    line = build_skipping(site, "error", r"forged")
    assert r"seeds/bad\nerror: forged.txt:1: not an Archive.fm export" in line


@pytest.mark.parametrize("name", ["a\rb.txt", "a\x1b[31mred.txt", "a\u202eevil.txt", "a\u2028b.txt", "a\x85b.txt",
                                  "a\tb.txt", "a\x7fb.txt", "a\u200fb.txt"],
                         ids=["carriage return", "terminal escape", "bidi override", "line separator", "NEL", "tab",
                              "delete", "right-to-left mark"])
def test_control_and_bidi_characters_in_names_are_escaped(tmp_path, name):
    import io

    from generator.importer import import_transcripts

    source = tmp_path / "seeds"
    source.mkdir()
    (source / name).write_text("Not an export.\n", encoding="utf-8")
    stream = io.StringIO()
    import_transcripts(source, tmp_path / "content", Report(stream=stream))
    out = stream.getvalue()
    assert out.count("\n") == 1 and out.startswith("error: ")
    line = out[:-1]
    assert line.isprintable(), repr(line)
    assert repr(name[1])[1:-1] in line


def test_a_long_value_is_shortened_in_the_message(tmp_path):
    data = GOOD.read_bytes().replace(b"25 May 2024", b"25 " + b"x" * 5000 + b" 2024")
    assert data != GOOD.read_bytes()
    from generator.transcript import parse_transcript

    with pytest.raises(TranscriptError) as caught:
        parse_transcript(data, tmp_path / "x.txt")
    assert len(str(caught.value)) < 200 + len(str(tmp_path)) and "…" in str(caught.value)


# Row 10: symbolic links out of the archive are not followed.

def test_a_link_to_an_export_outside_the_seeds_is_not_imported(site, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "private.txt"
    shutil.copy(REPO / "tests" / "fixtures" / "transcripts" / "other_show.txt", outside)
    (site / "seeds" / "private.txt").symlink_to(outside)
    line = build_skipping(site, "warning", r"private\.txt")
    assert line.endswith("seeds/private.txt: a symbolic link to a file outside " + str(site / "seeds")
                         + "; not followed")
    assert all("private.txt" not in p.read_text(encoding="utf-8")
               for p in (site / "content" / "episodes").glob("*.md"))


def test_a_link_to_etc_passwd_prints_nothing_of_it(site):
    (site / "seeds" / "passwd.txt").symlink_to("/etc/passwd")
    result = run(site, "build")
    first = Path("/etc/passwd").read_text().split("\n")[0]
    assert first and first not in result.stderr.decode("utf-8", "replace")
    build_skipping(site, "warning", r"passwd\.txt")


def test_a_file_that_is_not_an_export_is_not_quoted(site):
    (site / "seeds" / "notes.txt").write_text("secret-token-1234\nmore\n", encoding="utf-8")
    line = build_skipping(site, "error", r"notes\.txt")
    assert "secret" not in line and line.endswith("notes.txt:1: not an Archive.fm export (its first line should be "
                                                  "'Archive.fm')")


def test_a_page_linked_from_outside_the_content_folder_is_not_published(site, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "page.md"
    outside.write_text("---\ntitle: A private page\ndate: 2024-05-25\nslug: private-page\n---\n\nWords.\n")
    (site / "content" / "episodes" / "private-page.md").symlink_to(outside)
    build_skipping(site, "warning", r"private-page\.md: a symbolic link to a file outside")
    assert not (site / "_site" / "episodes" / "private-page.html").exists()


def test_links_that_stay_inside_their_folder_are_followed(site):
    (site / "seeds" / "kept").mkdir()
    shutil.move(site / "seeds" / "basic.txt", site / "seeds" / "kept" / "basic.txt")
    (site / "seeds" / "basic.txt").symlink_to("kept/basic.txt")
    result = run(site, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert (site / "_site" / "episodes" / GOOD_PAGE).is_file()


# Row 13: tags and runaway values.

def test_a_binary_title_is_refused_not_shown_as_bytes(site):
    shutil.copy(HOSTILE / "binary_title.md", site / "content" / "episodes")
    line = build_skipping(site, "error", r"binary_title\.md")
    assert line.endswith("binary_title.md:2: front matter has a value tagged '!!binary'; only plain text, numbers, "
                         "dates, lists and mappings are allowed")
    assert not any("b'hello'" in p.read_text(encoding="utf-8") for p in (site / "_site").rglob("*.html"))


def test_a_5000_digit_duration_is_not_echoed_whole(site):
    shutil.copy(HOSTILE / "long_duration.md", site / "content" / "episodes")
    line = build_skipping(site, "error", r"long_duration\.md")
    assert "long_duration.md:4: unreadable duration '999" in line and "9" * 100 not in line and "…" in line


@pytest.mark.parametrize("extra,tag", [
    ("topics: !!set {a, b}\n", "!!set"), ("show: !local x\n", "!local"), ("topics: !!omap [a: 1]\n", "!!omap"),
    ("show: !!python/name:os.system\n", "!!python/name:os.system"), ("description: !<tag:x.org,1:y> z\n", "tag:x.org,1:y"),
])
def test_other_tags_are_refused_on_their_line(tmp_path, extra, tag):
    path = tmp_path / "page.md"
    path.write_text(PAGE.format(extra=extra), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_episode(path)
    assert caught.value.line == 4 and f"tagged '{tag}'" in caught.value.message, caught.value


def test_text_fields_are_read_as_written():
    text = "---\ntitle: yes\nshow: 1e3\ndate: 2024-05-25\ntopics: [no, 12:30, 0x1F, ~]\n---\n\nWords.\n"
    episode = parse_episode(text.encode(), Path("content/episodes/made-up.md"))
    assert (episode.title, episode.show, episode.topics) == ("yes", "1e3", ("no", "12:30", "0x1F", "~"))


# Flags: a --base-url that is not UTF-8.

def test_a_base_url_that_is_not_utf8_is_a_config_error(site):
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--base-url", b"http://x/\xff/"], cwd=site,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, timeout=60)
    assert result.returncode == 2
    assert _messages(result) == ["error: site.yaml: --base-url: must be UTF-8 text (it holds a byte that is not, "
                                 "or a lone surrogate escape)"]
