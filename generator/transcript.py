"""The Archive.fm export format: bytes in, a Transcript (or a TranscriptError
naming file and line) out.

An export looks like::

    Archive.fm
    <blank>
    Show name
    <blank>
    Title
    <blank>
    Description (often the title again)
    <blank>
    Duration:
    24m
    Broadcast on:
    25 May 2024
    Audio Format:
    mp3
    <blank>
    The transcript as one long paragraph ... [Music]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from generator.errors import TranscriptError, quoted
from generator.inputs import read_file
from generator.text import one_line
from generator.units import parse_date, parse_duration

MAGIC = "archive.fm"
_KNOWN_LABELS = {"duration": "duration", "broadcast on": "date", "audio format": "audio_format"}
_LABEL = re.compile(r"([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(.*)")


@dataclass(frozen=True)
class Transcript:
    source: str            # file name, as the front matter records it
    sha256: str            # of the raw bytes: detects a changed transcript
    show: str
    title: str
    description: str       # "" when absent or the same as the title
    date: dt.date
    duration: int          # seconds
    audio_format: str      # "" when absent
    text: str              # paragraphs of the export, "\n\n"-separated, whitespace collapsed
    warnings: tuple[str, ...] = ()


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of a file, and a warning when it was not UTF-8.

    A non-UTF-8 export is almost always Windows-1252; decoding it that way
    keeps the episode instead of losing it. Latin-1 catches the five bytes
    cp1252 leaves undefined, so decoding never fails.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        warning = f"not UTF-8 (byte {exc.start}); decoded as Windows-1252"
    try:
        return data.decode("cp1252"), warning
    except UnicodeDecodeError:
        return data.decode("latin-1"), warning


def _one_line(line: str) -> str:
    """``one_line(line)``, without its work when the line is clean already.

    A printable line holds no control character and no whitespace but the
    plain space (every other whitespace character is unprintable), so when it
    also has no leading, trailing or doubled space, one_line would give it
    back unchanged. That is nearly every line of an export, the transcript's
    one long line included, and splitting that into words only to join them
    again is most of the cost of reading it.
    """
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return one_line(line)


def _label(line: str) -> tuple[str, str] | None:
    m = _LABEL.fullmatch(line)
    return (m[1].strip().lower(), m[2].strip()) if m else None


def parse_transcript(data: bytes, path: str | Path) -> Transcript:
    """Parse one export. Raises TranscriptError(path, line, reason)."""
    name = Path(path).name
    text, decode_warning = decode(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_one_line(line) for line in text.split("\n")]
    numbered = [(i, line) for i, line in enumerate(lines, start=1) if line]

    if not numbered:
        raise TranscriptError("empty file, not an Archive.fm export", path, 1)
    first_no, first = numbered[0]
    if first.lower() != MAGIC:
        # Its words are not quoted: a file that is not an export may be anything at all.
        raise TranscriptError("not an Archive.fm export (its first line should be 'Archive.fm')",
                              path, first_no)

    items: list[tuple[int, str]] = []     # show, title, description before the labels
    fields: dict[str, tuple[int, str]] = {}
    pos = 1
    body_start = None
    while pos < len(numbered):
        line_no, line = numbered[pos]
        label = _label(line)
        is_field = label is not None and (label[0] in _KNOWN_LABELS or (fields and len(line) <= 40))
        if not is_field:
            if fields:
                body_start = pos
                break
            items.append((line_no, line))
            if len(items) > 3:
                raise TranscriptError("no 'Duration:' or 'Broadcast on:' header after the title",
                                      path, line_no)
            pos += 1
            continue
        key, value = label
        value_no = line_no
        if not value:
            nxt = numbered[pos + 1] if pos + 1 < len(numbered) else None
            if nxt is None or nxt[0] != line_no + 1 or _label(nxt[1]) and _label(nxt[1])[0] in _KNOWN_LABELS:
                raise TranscriptError(f"{quoted(line)} has no value on the next line", path, line_no)
            value_no, value = nxt
            pos += 1
        if key in _KNOWN_LABELS:
            fields[_KNOWN_LABELS[key]] = (value_no, value)
        pos += 1

    if len(items) < 2:
        where = items[0][0] if items else first_no + 1
        raise TranscriptError("missing title (expected the show name, then the title)", path, where)
    for key, label in (("duration", "Duration"), ("date", "Broadcast on")):
        if key not in fields:
            raise TranscriptError(f"missing '{label}:' header", path, numbered[-1][0] if body_start is None
                                  else numbered[body_start][0])
    if body_start is None:
        raise TranscriptError("no transcript text after the header", path, len(lines))

    date_no, date_text = fields["date"]
    dur_no, dur_text = fields["duration"]
    try:
        date = parse_date(date_text)
    except ValueError as exc:
        raise TranscriptError(str(exc), path, date_no) from None
    try:
        duration = parse_duration(dur_text)
    except ValueError as exc:
        raise TranscriptError(str(exc), path, dur_no) from None

    # A paragraph is a run of non-blank lines. Each line is one_line-clean, so
    # joining a run with single spaces already gives its whitespace collapsed.
    body_lines = lines[numbered[body_start][0] - 1:]
    body = "\n\n".join(" ".join(run) for nonblank, run in groupby(body_lines, key=bool) if nonblank)

    show, title = items[0][1], items[1][1]
    description = items[2][1] if len(items) > 2 else ""
    if description.casefold() == title.casefold():
        description = ""
    return Transcript(
        source=name,
        sha256=hashlib.sha256(data).hexdigest(),
        show=show,
        title=title,
        description=description,
        date=date,
        duration=duration,
        audio_format=fields.get("audio_format", (0, ""))[1],
        text=body,
        warnings=(decode_warning,) if decode_warning else (),
    )


def read_transcript(path: Path) -> Transcript:
    try:
        data = read_file(path)
    except OSError as exc:
        raise TranscriptError(f"cannot read: {exc.strerror or exc}", path) from None
    return parse_transcript(data, path)
