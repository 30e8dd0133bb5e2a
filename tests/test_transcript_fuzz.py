"""Property tests: whatever bytes arrive, the parser answers with an episode or
with the project's own error naming the file and line; and the words spoken
survive paragraph splitting and Markdown rendering exactly.

`HYPOTHESIS_PROFILE=long` (see conftest.py) runs these far longer.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import tempfile
from pathlib import Path

from hypothesis import assume, event, example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.content import escape_markdown
from generator.errors import Report, TranscriptError
from generator.importer import import_transcripts
from generator.paragraphs import split_paragraphs
from generator.transcript import Transcript, parse_transcript
from generator.units import format_duration

PATH = "fuzz/made_up.txt"
MARKDOWN = MarkdownIt("commonmark", {"html": False})

# Printable text as a real export could hold it: no control characters, surrogates or unassigned code points.
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cn"))
_LINE_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp"))
any_line = st.text(_LINE_CHARS, max_size=50)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
good_dates = st.dates(min_value=dt.date(1000, 1, 1)).map(lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}")
good_durations = st.integers(1, 20 * 3600).map(format_duration)
dates = st.one_of(good_dates, any_line, st.sampled_from([
    "25 May 2024", "7 Feb 2023", "7 February 2023", "May 25, 2024", "2024-05-25", "32 May 2024",
    "29 Feb 2023", "0000-01-01", "9999-12-31", "25 Smarch 2024", "", "٢٥ May ٢٠٢٤"]))
durations = st.one_of(good_durations, any_line, st.sampled_from([
    "24m", "1h", "1h 12m", "2h 3m", "45s", "1:12:00", "99:99", "0m", "", "about an hour", "1h 1h", "-5m",
    "9" * 5000 + "h", "٣m"]))
labels = st.sampled_from(["Duration", "Broadcast on", "Audio Format", "duration", "BROADCAST ON",
                          "Audio format", "Language", "Duration ", "Broadcast  on", "Notes"])


@st.composite
def header_field(draw) -> list[str]:
    label = draw(labels)
    value = draw(st.one_of(dates, durations, any_line))
    if draw(st.booleans()):
        return [f"{label}: {value}"]
    return [f"{label}:", value]


@st.composite
def mangled_export(draw) -> bytes:
    """Something shaped like an Archive.fm export, with any part missing, repeated or garbled.

    Each part is usually as exports have it and sometimes broken, so that the
    date, duration and body handling are reached, not only the first line.
    """
    def usually(common, rare):
        return draw(common) if draw(st.integers(0, 3)) else draw(rare)

    magic = usually(st.just("Archive.fm"), st.sampled_from(
        ["archive.fm", " Archive.fm ", "Archive.fm:", "Archive", "", "\ufeffArchive.fm"]))
    item = st.text(_LINE_CHARS, min_size=1, max_size=50)
    items = usually(st.lists(item, min_size=2, max_size=3), st.lists(item, max_size=6))
    fields = usually(st.tuples(st.just("Duration:"), durations, st.just("Broadcast on:"), dates).map(list),
                     st.just([]))
    extra = usually(st.just([]), st.lists(header_field(), max_size=4))
    body = usually(st.lists(st.text(_CHARS, min_size=1, max_size=200), min_size=1, max_size=3),
                   st.lists(st.text(_CHARS, max_size=20), max_size=2))

    chunks = [[magic]] + [[line] for line in items] + draw(st.permutations([fields] + extra)) + [[b] for b in body]
    blank_after = draw(st.lists(st.integers(0, 2), min_size=len(chunks), max_size=len(chunks)))
    text = "".join("\n".join(chunk) + "\n" * (1 + n) for chunk, n in zip(chunks, blank_after))
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    data = text.encode(usually(st.just("utf-8"), st.sampled_from(["utf-8-sig", "cp1252", "utf-16"])),
                       errors="replace")
    # Flip a few bytes past the first line (the choices above break that one), as a damaged download would.
    for _ in range(usually(st.just(0), st.integers(1, 5))):
        if len(data) > 12:
            i = draw(st.integers(12, len(data) - 1))
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data


def assert_episode_or_located_error(data: bytes) -> None:
    try:
        transcript = parse_transcript(data, PATH)
    except TranscriptError as err:
        assert err.path == PATH
        assert isinstance(err.line, int) and not isinstance(err.line, bool)
        # At most one past the last line: "the transcript should have started here".
        assert 1 <= err.line <= data.count(b"\n") + data.count(b"\r") + 2
        assert err.message and str(err) == f"{PATH}:{err.line}: {err.message}"
        event("error: " + re.sub(r"'.*?'", "'...'", err.message.split(" (")[0]))  # see --hypothesis-show-statistics
        return
    assert isinstance(transcript, Transcript)
    for value in (transcript.show, transcript.title, transcript.text):
        assert value.strip() and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", value)
    for value in (transcript.show, transcript.title, transcript.description, transcript.audio_format):
        assert "\n" not in value and "\r" not in value
    assert isinstance(transcript.date, dt.date) and transcript.duration > 0
    event("episode")


@given(st.binary(max_size=3000))
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"Archive.fm")
@example(b"Archive.fm\n\x00\n\x00\nDuration:\n24m\nBroadcast on:\n25 May 2024\n\x00")
def test_any_bytes_give_an_episode_or_a_located_error(data):
    assert_episode_or_located_error(data)


@given(st.binary(max_size=1000))
def test_any_bytes_after_the_magic_line_give_an_episode_or_a_located_error(data):
    assert_episode_or_located_error(b"Archive.fm\n" + data)


@given(mangled_export())
def test_mangled_headers_give_an_episode_or_a_located_error(data):
    assert_episode_or_located_error(data)


# File names as a careless copy or a hostile archive could have them: any
# bytes but '/' and NUL (which no file name holds), often not UTF-8, often
# with control characters, bidi overrides and line breaks in them.
_NAME_CHARS = st.sampled_from(["a", "-", " ", "\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u202e",
                               "\u200f", "\ufeff", "é", "error: ", "'", '"', "\\", "%", "*"])
file_names = st.one_of(
    st.lists(_NAME_CHARS, min_size=1, max_size=12).map(lambda parts: os.fsencode("".join(parts))),
    st.binary(min_size=1, max_size=60).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")),
).map(lambda name: name + b".txt").filter(lambda name: not name.startswith(b"."))
GOOD_EXPORT = (Path(__file__).parent / "fixtures" / "transcripts" / "basic.txt").read_bytes()


@given(names=st.lists(file_names, min_size=1, max_size=4, unique=True),
       contents=st.lists(st.sampled_from([GOOD_EXPORT, b"Not an export.\n", b"Archive.fm\n\nno more"]),
                         min_size=4, max_size=4))
@example(names=[b"bad\nerror: forged.txt", b"\xff\xfe-x.txt"], contents=[b"Not an export.\n", GOOD_EXPORT] * 2)
def test_any_file_name_gives_a_page_or_one_printable_message_line(names, contents):
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "seeds"
        source.mkdir()
        for name, data in zip(names, contents):
            with open(os.fsencode(source) + b"/" + name, "wb") as f:
                f.write(data)
        stream = io.StringIO()
        summary = import_transcripts(source, Path(folder) / "content", Report(stream=stream))
        lines = stream.getvalue().splitlines()
        assert stream.getvalue().count("\n") == len(lines)   # no line break inside a message
        for line in lines:
            assert line.startswith(("error: ", "warning: ")) and line.isprintable(), repr(line)
        readable = [name for name in names if _utf8(name)]
        good = sum(data == GOOD_EXPORT for name, data in zip(names, contents) if _utf8(name))
        assert len(summary.added) == good
        assert summary.failed == len(names) - good
        assert sum(line.startswith("error: ") for line in lines) == len(names) - good
        event(f"{len(names) - len(readable)} name(s) not UTF-8")


def _utf8(name: bytes) -> bool:
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _one_line(text: str) -> str:
    return " ".join(text.split())


@st.composite
def well_formed_export(draw):
    """A valid export and what a reader sees in it: (bytes, expected fields, transcript words)."""
    names = st.text(_LINE_CHARS, min_size=1, max_size=60).filter(lambda s: _one_line(s) != "")
    show, title = draw(names), draw(names)
    description = draw(st.one_of(st.just(""), names))
    # A title line that reads as a header label is not a title: that is the format, not a bug.
    for line in (show, title, description):
        assume(not re.match(r"\s*(duration|broadcast on|audio format)\s*:", line, re.IGNORECASE))
    day = draw(st.dates(min_value=dt.date(1000, 1, 1)))
    seconds = draw(st.integers(1, 20 * 3600))
    audio = draw(st.sampled_from(["", "mp3", "m4a", "ogg"]))
    words = draw(st.lists(st.text(_CHARS, min_size=1, max_size=15).filter(lambda w: w.split() == [w]),
                          min_size=1, max_size=80))
    body = " ".join(words)
    first_body_line = body.split("\n")[0]
    assume(len(first_body_line) > 40 or not re.match(r"[A-Za-z][A-Za-z ]{0,30}\s*:", first_body_line))

    lines = ["Archive.fm", "", show, "", title, ""] + ([description, ""] if description else [])
    lines += ["Duration:", format_duration(seconds), "Broadcast on:",
              f"{day.day} {MONTHS[day.month - 1]} {day.year}"]
    lines += ["Audio Format:", audio] if audio else []
    lines += ["", body, ""]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    data = newline.join(lines).encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    expected = (_one_line(show), _one_line(title), _one_line(description), day, seconds, audio)
    return data, expected, words


@given(well_formed_export())
def test_a_well_formed_export_reads_back_exactly(case):
    data, (show, title, description, day, seconds, audio), words = case
    t = parse_transcript(data, PATH)
    assert (t.show, t.title, t.date, t.duration, t.audio_format) == (show, title, day, seconds, audio)
    assert t.description == ("" if description.casefold() == title.casefold() else description)
    assert t.text.split() == words
    assert t.warnings == ()


# Words a transcript might hold that Markdown, HTML or a template engine would otherwise interpret.
SPECIAL_WORDS = ["<script>alert(1)</script>", "{{", "}}", "{%", "%}", "{{site.title}}", "*stars*", "**bold**",
                 "_under_", "__dunder__", "[links](x)", "[ref]:", "![img](y)", "`code`", "```", "~~~", "#",
                 "##", "1.", "2)", "-", "+", "*", ">", "&amp;", "&", "&#35;", "&copy", "<b>", "</p>", "<!--",
                 "-->", "\\", "\\*", "|", "---", "===", "***", "___", "<http://x.invalid>", "a_b_c", "x*y*z"]
words = st.lists(st.one_of(st.sampled_from(SPECIAL_WORDS),
                           st.text(_CHARS, min_size=1, max_size=12).filter(lambda w: w.split() == [w])),
                 min_size=1, max_size=300)
separators = st.sampled_from([" ", " ", " ", ". ", "? ", "\n\n", "\n", "  "])


@st.composite
def spoken_text(draw) -> str:
    ws = draw(words)
    return "".join(w + draw(separators) for w in ws)


@given(spoken_text())
@example("Mr. Smith met Dr. Who at 5 p.m. in the U.S. " * 20)
@example("\n\n".join(["One sentence here."] * 5))
def test_paragraphs_keep_the_exact_word_sequence(text):
    paragraphs = split_paragraphs(text)
    assert " ".join(paragraphs).split() == text.split()
    assert all(p and "\n" not in p and p == p.strip() for p in paragraphs)


def _rendered_words(markdown: str) -> list[str]:
    rendered = MARKDOWN.render(markdown)
    inner = re.sub(r"</?p>", "", rendered)
    assert "<" not in inner, f"Markdown turned the words into markup: {rendered!r}"
    return html.unescape(inner).split()


@given(spoken_text())
@example("<script>alert(1)</script> {{ x }} *stars* _under_ [links](x) `code` # heading 1. list - list "
         "> quote &amp; done.")
@example("# heading")
@example("1. list")
@example("- list")
@example("> quote")
def test_escaped_paragraphs_render_as_the_literal_words(text):
    paragraphs = split_paragraphs(text)
    body = "\n\n".join(escape_markdown(p) for p in paragraphs)
    assert _rendered_words(body) == text.split()
    # Each paragraph stays a paragraph of its own: nothing merges, splits or nests.
    assert MARKDOWN.render(body).count("<p>") == len(paragraphs)
