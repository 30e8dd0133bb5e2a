"""The Archive.fm reader: every fixture variant, the seeds, and the errors a
user sees for a file that cannot be an episode."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import TranscriptError
from generator.text import one_line, strip_controls
from generator.transcript import _one_line, parse_transcript, read_transcript

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
MADE_UP = "Made-Up Radio"

# What a reader of each fixture sees in it; (show, title, description, date, seconds, audio format).
GOOD = {
    "basic.txt": (MADE_UP, "Freedonia and Ruritania sign an invented treaty",
                  "A made-up episode about two fictional countries", dt.date(2024, 5, 25), 24 * 60, "mp3"),
    "crlf.txt": (MADE_UP, "Windows line endings in an invented export", "", dt.date(2023, 2, 7), 3600, "mp3"),
    "bom.txt": (MADE_UP, "An invented episode saved with a byte-order mark", "", dt.date(2023, 2, 7), 45, "mp3"),
    "cp1252.txt": (MADE_UP, "Café prices in € – a “made-up” story", "", dt.date(2024, 5, 25), 24 * 60, "mp3"),
    "no_audio_format.txt": (MADE_UP, "An invented episode with no audio format", "", dt.date(2024, 5, 25),
                            24 * 60, ""),
    "no_description.txt": (MADE_UP, "An invented episode with no description line", "", dt.date(2024, 5, 25),
                           24 * 60, "mp3"),
    "other_show.txt": ("Invented Affairs Hour", "A different made-up show", "Another invented programme entirely",
                       dt.date(2024, 5, 25), 3600 + 12 * 60, "m4a"),
    "non_ascii_title.txt": (MADE_UP, "Erdoğan and the imaginary Łódź bridge", "", dt.date(2024, 5, 25),
                            2 * 3600 + 3 * 60, "mp3"),
    "path_title.txt": (MADE_UP, "../../etc/passwd", "", dt.date(2024, 5, 25), 24 * 60, "mp3"),
    "same_title_1.txt": (MADE_UP, "The invented weekly roundup", "", dt.date(2023, 2, 7), 24 * 60, "mp3"),
    "same_title_2.txt": (MADE_UP, "The invented weekly roundup", "", dt.date(2023, 2, 14), 24 * 60, "mp3"),
    "markdown_special.txt": (MADE_UP, "Stars *and* <b>tags</b> & {{ braces }} # [not](a-link)", "",
                             dt.date(2024, 5, 25), 24 * 60, "mp3"),
}

# Files that cannot be an episode: the reason shown, and the text of the line the error must point at
# (None: the line just past the header, where the transcript should have started).
BAD = {
    "bad_not_export.txt": ("not an Archive.fm export", "Made-up meeting notes"),
    "bad_no_transcript.txt": ("no transcript text", None),
    "bad_date.txt": ("unreadable date '32 Smarch 2024'", "32 Smarch 2024"),
    "bad_duration.txt": ("unreadable duration 'about an hour'", "about an hour"),
}


def test_every_fixture_file_is_covered_here():
    assert {p.name for p in FIXTURES.glob("*.txt")} == set(GOOD) | set(BAD)


def _parse(name: str):
    path = FIXTURES / name
    return parse_transcript(path.read_bytes(), path)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_fixture_header_is_read(name):
    t = _parse(name)
    assert (t.show, t.title, t.description, t.date, t.duration, t.audio_format) == GOOD[name]
    assert t.source == name


@pytest.mark.parametrize("name", sorted(GOOD))
def test_fixture_transcript_text_is_the_spoken_words_only(name):
    data = (FIXTURES / name).read_bytes()
    raw = data.decode("cp1252") if name == "cp1252.txt" else data.decode("utf-8-sig")
    last_paragraph = raw.replace("\r\n", "\n").strip().split("\n\n")[-1]
    t = _parse(name)
    assert t.text.split() == last_paragraph.split()
    assert "invented" in t.text and t.text.endswith("[Music]")


def test_fixtures_hold_the_bytes_they_are_meant_to_test():
    # An editor or git that "fixes" these files would silently turn the tests into no-ops.
    crlf = (FIXTURES / "crlf.txt").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 10
    assert (FIXTURES / "bom.txt").read_bytes().startswith(b"\xef\xbb\xbfArchive.fm\n")
    cp1252 = (FIXTURES / "cp1252.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    assert "Zoë’s café" in cp1252.decode("cp1252")


def test_crlf_export_reads_the_same_as_lf():
    crlf = (FIXTURES / "crlf.txt").read_bytes()
    as_crlf = parse_transcript(crlf, "crlf.txt")
    as_lf = parse_transcript(crlf.replace(b"\r\n", b"\n"), "crlf.txt")
    as_cr = parse_transcript(crlf.replace(b"\r\n", b"\r"), "crlf.txt")
    assert "\r" not in as_crlf.text and "\r" not in as_crlf.title
    for other in (as_lf, as_cr):
        assert (other.title, other.date, other.duration, other.text) == \
            (as_crlf.title, as_crlf.date, as_crlf.duration, as_crlf.text)


def test_byte_order_mark_is_not_part_of_anything():
    t = _parse("bom.txt")
    assert "\ufeff" not in t.show + t.title + t.text


def test_cp1252_export_is_kept_with_a_warning():
    t = _parse("cp1252.txt")
    assert "Zoë’s café in Ruritania charges 3 € for a coffee – “too much”" in t.text
    assert len(t.warnings) == 1 and "UTF-8" in t.warnings[0] and "1252" in t.warnings[0]


def test_utf8_exports_have_no_warnings():
    assert all(_parse(name).warnings == () for name in GOOD if name != "cp1252.txt")


def test_source_hash_is_of_the_raw_bytes():
    # The importer relies on it to tell an unchanged file from a changed one.
    data = (FIXTURES / "basic.txt").read_bytes()
    assert _parse("basic.txt").sha256 == hashlib.sha256(data).hexdigest()
    assert parse_transcript(data + b" ", "basic.txt").sha256 != hashlib.sha256(data).hexdigest()


def _line_of(name: str, text: str) -> int:
    lines = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.strip() == text)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_error_names_file_line_and_reason(name):
    reason, line_text = BAD[name]
    with pytest.raises(TranscriptError) as info:
        _parse(name)
    err = info.value
    assert err.path == str(FIXTURES / name)
    assert reason in err.message
    if line_text is None:
        header_end = _line_of(name, "mp3")
        assert err.line > header_end
    else:
        assert err.line == _line_of(name, line_text)
    assert str(err) == f"{FIXTURES / name}:{err.line}: {err.message}"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"\n\n  \n", "empty file"),
    (b"Archive.fm\n\nMade-Up Radio\n", "missing title"),
    (b"Archive.fm\n\nMade-Up Radio\n\nA title\n\nBroadcast on:\n25 May 2024\n\nWords.", "missing 'Duration:'"),
    (b"Archive.fm\n\nMade-Up Radio\n\nA title\n\nDuration:\n24m\n\nWords.", "missing 'Broadcast on:'"),
    (b"Archive.fm\n\nMade-Up Radio\n\nA title\n\nDuration:\n\n24m\nBroadcast on:\n25 May 2024\n\nWords.",
     "no value"),
    (b"Archive.fm\nShow\nTitle\nDescription\nOne line too many\nFive\nDuration:\n24m\n", "no 'Duration:'"),
])
def test_malformed_headers_are_explained(data, reason):
    with pytest.raises(TranscriptError, match=reason) as info:
        parse_transcript(data, "made-up.txt")
    assert info.value.path == "made-up.txt" and info.value.line >= 1


def test_values_on_the_label_line_are_accepted():
    data = (b"Archive.fm\nMade-Up Radio\nA title\nDuration: 1h 12m\nBroadcast on: 7 February 2023\n"
            b"Audio Format: mp3\n\nInvented words. [Music]\n")
    t = parse_transcript(data, "inline.txt")
    assert (t.duration, t.date, t.audio_format, t.text) == (4320, dt.date(2023, 2, 7), "mp3", "Invented words. [Music]")


def test_control_characters_are_dropped_from_title_and_text():
    data = b"Archive.fm\nMade-Up Radio\nA \x07title\x00\nDuration:\n24m\nBroadcast on:\n25 May 2024\n\nIn\x1bvented.\n"
    t = parse_transcript(data, "controls.txt")
    assert (t.title, t.text) == ("A title", "Invented.")


def test_paragraph_breaks_inside_the_transcript_are_kept():
    data = b"Archive.fm\nMade-Up Radio\nA title\nDuration:\n24m\nBroadcast on:\n25 May 2024\n\nOne.\n\nTwo\nthree.\n"
    assert parse_transcript(data, "p.txt").text == "One.\n\nTwo three."


@pytest.mark.parametrize("seed, title, date, seconds", [
    ("000_c076a2ace7a3298f.txt", "Putin & Lukashenko prepare for NATO escalation", dt.date(2024, 5, 25), 24 * 60),
    ("003_016b23e006a442db.txt", "Belarus joins SCO. Eurasia grows stronger", dt.date(2024, 7, 7), 12 * 60),
])
def test_seeds_are_read(seeds_dir, seed, title, date, seconds):
    t = read_transcript(seeds_dir / seed)
    assert (t.show, t.title, t.date, t.duration, t.audio_format) == ("The Duran Podcast", title, date, seconds, "mp3")
    # The description repeats the title in both seeds, so it is not kept twice.
    assert t.description == ""
    assert t.text.startswith("All right, Alexander") and t.text.endswith("Take care. [Music]")
    raw_body = (seeds_dir / seed).read_text(encoding="utf-8").split("\n\n", 5)[-1]
    assert t.text.split() == raw_body.split()


def test_unreadable_file_is_a_transcript_error(tmp_path):
    with pytest.raises(TranscriptError) as info:
        read_transcript(tmp_path / "missing.txt")
    assert info.value.path == str(tmp_path / "missing.txt") and "cannot read" in info.value.message


# Every line of an export goes through _one_line, which skips one_line's work
# for a line that is clean already; it must give what one_line gives.

def test_a_printable_character_is_never_whitespace_but_space_nor_a_control_character():
    # What _one_line's shortcut rests on, for every code point.
    for code in range(0x110000):
        ch = chr(code)
        if ch.isprintable():
            assert ch == " " or not ch.isspace(), hex(code)
            assert strip_controls(ch) == ch, hex(code)


_LINE_CHARS = st.one_of(st.characters(), st.sampled_from(" \t\x00\x0b\x0c\x1c\x85\xa0\u2028\u3000\ufeff\ufffe"))


@given(st.text(_LINE_CHARS) | st.lists(st.sampled_from(["a", "b", " ", "  ", "\t", "\x00", "é"])).map("".join))
def test_the_clean_line_shortcut_gives_what_one_line_gives(line):
    assert _one_line(line) == one_line(line)
