"""Content pages: Markdown files with YAML front matter under content/.

This module owns the file format in both directions: writing a page for an
imported transcript (with the escaping that keeps spoken words literal) and
loading any page, imported or hand-written, into an Episode.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import reprlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator import yaml_input
from generator.audio import Audio
from generator.cache import write_replacing
from generator.errors import ContentError
from generator.inputs import read_file
from generator.text import one_line
from generator.units import format_duration, parse_date, parse_duration


_YAML_TAG = yaml_input.YAML_TAG
# Keys whose values are text: a plain scalar there is read as written, so
# 'title: yes' is "yes" (not True), 'title: 1e3' is "1e3" (not 1000.0).
_TEXT_KEYS = frozenset(("title", "show", "description", "audio_format", "slug"))
_AS_TEXT = frozenset(_YAML_TAG + name for name in ("int", "float", "bool", "timestamp"))


def _text_as_written(root: yaml.Node) -> None:
    """Retag the plain scalars under text keys (and the topics) as strings."""
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "topics" and isinstance(value, yaml.SequenceNode):
            items, tags = value.value, _AS_TEXT | {_YAML_TAG + "null"}   # '- ~' is the topic '~'
        elif key.value in _TEXT_KEYS:
            items, tags = [value], _AS_TEXT   # 'title:' stays missing
        else:
            continue
        for item in items:
            if isinstance(item, yaml.ScalarNode) and item.tag in tags:
                item.tag = _YAML_TAG + "str"


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

EPISODES = "episodes"   # content/episodes/: one page per episode
FENCE = "---"
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FINGERPRINT = re.compile(r"^(  page_sha256: )'?([0-9a-f]{64})'?$", re.MULTILINE)
_BLANK_FINGERPRINT = "f" * 64  # hex letters only, so YAML leaves it unquoted

# Characters Markdown or HTML (or a template engine, for '{') would interpret;
# backslash first, as escaping the others adds backslashes.
_SPECIAL_CHARS = "\\`*_[]<>&#{}|~"
_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


@dataclass(frozen=True)
class Episode:
    """One episode as the site sees it, loaded from a content page."""
    path: Path
    slug: str
    title: str
    show: str
    date: dt.date
    duration: int               # seconds
    audio_format: str
    description: str
    topics: tuple[str, ...]
    source_file: str
    body: str                   # Markdown
    body_line: int              # line of the file where the body starts
    audio: Audio | bool | None = None   # set by hand: an Audio pins it, False clears it, None leaves it to the feed


def escape_markdown(paragraph: str) -> str:
    """Escape a paragraph so Markdown renders it as the literal words spoken."""
    # A character at a time: scanning a long paragraph for one character is
    # much cheaper than for a class of fifteen, and most hold none of them.
    escaped = paragraph
    for ch in _SPECIAL_CHARS:
        if ch in escaped:
            escaped = escaped.replace(ch, "\\" + ch)
    m = _LINE_START.match(escaped)
    if m:
        lead = m[1]
        escaped = (lead + "\\" if lead[0].isdigit() else "\\" + lead) + escaped[m.end():]
    return escaped


def _fingerprint(text: str) -> str:
    # Every line the pattern matches starts with the key, so it need only run
    # up to the end of the key's last line: in an imported page that is in the
    # front matter, not the transcript below it.
    last = text.rfind("  page_sha256: ")
    if last >= 0:
        end = text.find("\n", last)
        end = len(text) if end < 0 else end
        text = _FINGERPRINT.sub(r"\g<1>" + _BLANK_FINGERPRINT, text[:end]) + text[end:]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dump(meta: dict) -> str:
    return yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
                     default_flow_style=False)


def page_text(meta: dict, paragraphs: list[str]) -> str:
    """A page as the importer writes it, stamped with a fingerprint of itself.

    ``meta['source']`` must be a dict; the fingerprint is added to it so that
    a later import can tell an untouched page from one the user edited.
    """
    meta = {**meta, "source": {**meta["source"], "page_sha256": _BLANK_FINGERPRINT}}
    body = "\n\n".join(map(escape_markdown, paragraphs))
    text = f"{FENCE}\n{_dump(meta)}{FENCE}\n\n{body}\n"
    digest = _fingerprint(text)
    return _FINGERPRINT.sub(lambda m: m[1] + digest, text, count=1)


def is_hand_edited(text: str) -> bool:
    """True unless the page is exactly as the importer wrote it."""
    m = _FINGERPRINT.search(text) if "  page_sha256: " in text else None
    return m is None or m[2] != _fingerprint(text)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter YAML, body, line where the body starts). Raises ContentError."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        raise ContentError("no front matter (the file must start with a '---' line)", path, 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip() == FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise ContentError("front matter is never closed with a '---' line", path, 1)


def read_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    """The parsed front matter mapping, the body and its first line."""
    front, body, body_line = split_front_matter(text, path)
    try:
        meta = yaml_input.load(front, _text_as_written)
    except (yaml.YAMLError, RecursionError) as exc:
        problem, line = yaml_input.problem(exc)
        raise ContentError(f"front matter {problem}", path, line + 2) from None   # +1: 1-based, +1: the fence
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be a mapping of key: value", path, 2)
    return meta, body, body_line


def _key_line(text: str, key: str) -> int:
    m = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _text_field(meta: dict, key: str, required: bool = False) -> str:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(key, f"missing '{key}'")
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError(key, f"'{key}' must be text, not a {'mapping' if isinstance(value, dict) else 'list'}")
    text = one_line(str(value))
    if required and not text:
        raise ValueError(key, f"'{key}' is empty (only spaces or control characters)")
    return text


def _audio_field(meta: dict) -> Audio | bool | None:
    """``audio:`` as written by hand: a mapping with a ``url`` pins the
    episode's audio; ``false`` (or an empty value) says it has none."""
    if "audio" not in meta:
        return None
    value = meta["audio"]
    if value is None or value is False or value == "":
        return False
    if not isinstance(value, dict):
        raise ValueError("audio", "'audio' must be a mapping with a 'url' (or false for no audio)")
    url = value.get("url")
    if not isinstance(url, str) or not re.match(r"https?://[^\s/]", url.strip()):
        raise ValueError("audio", "'audio' needs a 'url' starting with http:// or https://")
    unknown = sorted(str(k) for k in value if k not in ("url", "type", "length", "duration"))
    if unknown:
        raise ValueError("audio", f"'audio' has unknown key '{unknown[0]}' (it takes url, type, length, duration)")
    length = value.get("length", "")
    if isinstance(length, bool) or not (isinstance(length, int) and length >= 0 or str(length).isdigit()
                                        or length == ""):
        raise ValueError("audio", "'audio' 'length' must be a number of bytes")
    if len(str(length)) > 15:
        raise ValueError("audio", "'audio' 'length' is too large to be a number of bytes")
    duration = value.get("duration")
    if duration is not None:
        if isinstance(duration, bool):
            raise ValueError("audio", "'audio' 'duration' must look like '24m', '1:02:03' or a number of seconds")
        if not isinstance(duration, int):
            try:
                duration = parse_duration(str(duration))
            except ValueError as exc:
                raise ValueError("audio", f"'audio' {exc}") from None
        duration = max(duration, 0) or None
    kind = value.get("type") or ""
    if not isinstance(kind, str):
        raise ValueError("audio", "'audio' 'type' must be text such as audio/mpeg")
    return Audio(url=url.strip(), type=one_line(kind), length=str(length), duration=duration,
                 source="front matter")


def _episode_from(meta: dict, body: str, body_line: int, path: Path) -> Episode:
    """Validate front matter; raises ValueError(key, reason) for load_episode to place."""
    fail = ValueError
    title = _text_field(meta, "title", required=True)
    raw_date = meta.get("date")
    if isinstance(raw_date, dt.datetime):
        date = raw_date.date()
    elif isinstance(raw_date, dt.date):
        date = raw_date
    elif isinstance(raw_date, str):
        try:
            date = parse_date(raw_date)
        except ValueError as exc:
            raise fail("date", str(exc)) from None
    else:
        raise fail("date", "missing 'date'" if raw_date is None else f"'date' is not a date: {reprlib.repr(raw_date)}")
    raw_duration = meta.get("duration", 0)
    if isinstance(raw_duration, bool):
        raise fail("duration", "'duration' must look like '24m' or '1h 12m'")
    if isinstance(raw_duration, int):
        duration = max(raw_duration, 0)
    else:
        try:
            duration = parse_duration(str(raw_duration))
        except ValueError as exc:
            raise fail("duration", str(exc)) from None
    raw_topics = meta.get("topics") or []
    if isinstance(raw_topics, str):
        raw_topics = [raw_topics]
    if not isinstance(raw_topics, list) or any(isinstance(t, (dict, list)) for t in raw_topics):
        raise fail("topics", "'topics' must be a list of names")
    topics = tuple(dict.fromkeys(one_line(str(t)) for t in raw_topics if one_line(str(t))))
    slug = meta.get("slug") or path.stem
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
        raise fail("slug", f"'slug' must be lower-case letters, digits and single dashes, not {reprlib.repr(slug)}")
    source = meta.get("source") if isinstance(meta.get("source"), dict) else {}
    fields = {key: _text_field(meta, key) for key in ("show", "audio_format", "description")}
    return Episode(path=path, slug=slug, title=title, date=date, duration=duration, topics=topics,
                   source_file=str(source.get("file") or ""), body=body, body_line=body_line,
                   show=fields["show"], audio_format=fields["audio_format"], audio=_audio_field(meta),
                   description="" if fields["description"].casefold() == title.casefold()
                   else fields["description"])


def load_episode(path: Path) -> Episode:
    """Read and validate one page. Raises ContentError(path, line, reason)."""
    try:
        data = read_file(path)
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", path) from None
    return parse_episode(data, path)


def decode_page(data: bytes, path: Path) -> str:
    """A page's text, with line ends as a text-mode read would give them."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text (byte {exc.start})", path, data.count(b"\n", 0, exc.start) + 1) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def parse_episode(data: bytes, path: Path) -> Episode:
    """Validate one page's bytes, read from ``path``."""
    text = decode_page(data, path)
    meta, body, body_line = read_front_matter(text, path)
    try:
        return _episode_from(meta, body, body_line, path)
    except ValueError as exc:
        key, reason = exc.args
        raise ContentError(reason, path, _key_line(text, key) if key in meta else 1) from None


def episode_meta(title: str, show: str, date: dt.date, duration: int, audio_format: str,
                 description: str, slug: str, topics: list[str], source_file: str, source_sha256: str) -> dict:
    """Front matter for an imported page, in the order a reader expects."""
    meta: dict = {"title": one_line(title), "show": one_line(show), "date": date,
                  "duration": format_duration(duration)}
    if audio_format:
        meta["audio_format"] = one_line(audio_format)
    if one_line(description):
        meta["description"] = one_line(description)
    meta.update(slug=slug, topics=[one_line(t) for t in topics],
                source={"file": source_file, "sha256": source_sha256})
    return meta


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a page."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    write_replacing(path, lambda f: f.write(data))
