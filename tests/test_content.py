"""Content pages: the Markdown + front matter files the importer writes and
the site loads, and the escaping that keeps spoken words literal."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.content import (_dump, _fingerprint, episode_meta, escape_markdown,
                               is_hand_edited, load_episode, page_text, write_atomic)
from bench import removed_tricks
from generator.errors import ContentError

MARKDOWN = MarkdownIt("commonmark", {"html": False})


def rendered_text(markdown: str) -> str:
    """The text a reader sees; fails if Markdown produced anything but plain paragraphs."""
    out = MARKDOWN.render(markdown)
    inner = re.sub(r"</?p>", "", out)
    assert "<" not in inner, f"Markdown turned the words into markup: {out!r}"
    return html.unescape(inner).strip()


@pytest.mark.parametrize("spoken", [
    "<script>alert('made up')</script>",
    "{{ site.title }} and {% raw %}",
    "*stars* and **double stars**",
    "_under_ and __double__ and snake_case_word",
    "[links](x) and ![images](y.png) and [ref]",
    "`code` and ``more code``",
    "# heading",
    "## also not a heading",
    "1. list",
    "2) list",
    "- list",
    "+ list",
    "* list",
    "> quote",
    "&amp; and &copy; and A & B and &#123;",
    "<!-- comment --> and <b>bold</b>",
    "<https://example.invalid> autolink",
    "back\\slash and a trailing backslash\\",
    "| a | table |",
    "~~strike~~ and ~~~ fence",
    "``` fence",
    "---",
    "===",
    "100% sure, 3 * 4 = 12, 1_000",
])
def test_escaped_paragraph_renders_as_the_literal_words(spoken):
    assert rendered_text(escape_markdown(spoken)) == spoken


def test_plain_words_are_not_escaped():
    # Escaping only what needs it keeps the Markdown readable for a user editing the page.
    spoken = "All right, Alexander. Let's talk about Putin's visit (in May) - it's 50% done!"
    assert escape_markdown(spoken) == spoken


def _meta(**changes) -> dict:
    meta = dict(title="Freedonia and Ruritania sign an invented treaty", show="Made-Up Radio",
                date=dt.date(2024, 5, 25), duration=4320, audio_format="mp3",
                description="A made-up episode", slug="freedonia-and-ruritania",
                topics=["Freedonia", "Ruritania"], source_file="basic.txt", source_sha256="ab" * 32)
    meta.update(changes)
    return episode_meta(**meta)


PARAGRAPHS = ["First invented paragraph, with *stars* and <tags>.", "Second invented paragraph. [Music]"]


def _write(tmp_path: Path, meta: dict | None = None, paragraphs: list[str] = PARAGRAPHS) -> Path:
    path = tmp_path / "episodes" / "page.md"
    write_atomic(path, page_text(meta or _meta(), paragraphs))
    return path


def test_page_front_matter_reads_as_a_user_expects(tmp_path):
    text = _write(tmp_path).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Freedonia and Ruritania sign an invented treaty\n")
    for line in ("show: Made-Up Radio", "date: 2024-05-25", "duration: 1h 12m", "audio_format: mp3",
                 "description: A made-up episode", "slug: freedonia-and-ruritania",
                 "topics:\n- Freedonia\n- Ruritania", "  file: basic.txt", f"  sha256: {'ab' * 32}"):
        assert f"\n{line}\n" in text
    assert "\n---\n\nFirst invented paragraph" in text


def test_page_leaves_out_empty_description_and_audio_format(tmp_path):
    text = _write(tmp_path, _meta(description="", audio_format="")).read_text(encoding="utf-8")
    assert "description:" not in text and "audio_format:" not in text


def test_page_loads_back_as_the_episode_that_was_written(tmp_path):
    episode = load_episode(_write(tmp_path))
    assert (episode.title, episode.show, episode.date, episode.duration, episode.audio_format,
            episode.description, episode.slug, episode.topics, episode.source_file) == (
        "Freedonia and Ruritania sign an invented treaty", "Made-Up Radio", dt.date(2024, 5, 25), 4320, "mp3",
        "A made-up episode", "freedonia-and-ruritania", ("Freedonia", "Ruritania"), "basic.txt")
    assert [rendered_text(p) for p in episode.body.strip().split("\n\n")] == PARAGRAPHS
    # body_line lets a later stage point at the right line of the file.
    lines = episode.path.read_text(encoding="utf-8").split("\n")
    assert lines[episode.body_line - 1:] == episode.body.split("\n")


@pytest.mark.parametrize("title", [
    "yes", "null", "2024-05-25", "42", "# not a comment", "key: value", "- a dash", "'quoted'", '"double"',
    "Erdoğan", "../../etc/passwd", "{{ braces }}", "[a, list]", "*stars* & <tags>", "@at", "%percent", "~",
])
def test_titles_that_look_like_yaml_survive_the_round_trip(tmp_path, title):
    assert load_episode(_write(tmp_path, _meta(title=title))).title == title


def test_page_text_is_deterministic():
    assert page_text(_meta(), PARAGRAPHS) == page_text(_meta(), PARAGRAPHS)


def test_a_fresh_page_is_not_hand_edited(tmp_path):
    assert not is_hand_edited(_write(tmp_path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("First invented", "First edited"),
    lambda t: t.replace("- Ruritania\n", ""),
    lambda t: t.replace("title: Freedonia", "title: Fredonia"),
    lambda t: t + "A paragraph the user added.\n",
    lambda t: t.rstrip("\n"),
    lambda t: re.sub(r"page_sha256: \w+", "page_sha256: " + "0" * 64, t),
    lambda t: re.sub(r"\n  page_sha256: \w+", "", t),
])
def test_any_edit_marks_the_page_as_hand_edited(tmp_path, edit):
    text = _write(tmp_path).read_text(encoding="utf-8")
    assert edit(text) != text
    assert is_hand_edited(edit(text))


def test_a_hand_written_page_is_hand_edited():
    assert is_hand_edited("---\ntitle: Written by hand\ndate: 2024-05-25\n---\n\nWords.\n")


def _bad_page(tmp_path: Path, text: str | bytes) -> ContentError:
    path = tmp_path / "bad.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ContentError) as info:
        load_episode(path)
    assert info.value.path == str(path)
    return info.value


@pytest.mark.parametrize("text, line, reason", [
    ("Just words, no front matter.\n", 1, "no front matter"),
    ("---\ntitle: Never closed\n", 1, "never closed"),
    ("---\ntitle: A\ndate: 2024-05-25\ntopics: a: b\n---\n", 4, "not valid YAML"),
    ("---\n- a list\n---\n", 2, "mapping"),
    ("---\ndate: 2024-05-25\n---\n", 1, "missing 'title'"),
    ("---\ntitle: A\n---\n", 1, "missing 'date'"),
    ("---\ntitle: A\ndate: 32 Smarch 2024\n---\n", 3, "unreadable date"),
    ("---\ntitle: A\ndate: 2024-05-25\nduration: about an hour\n---\n", 4, "unreadable duration"),
    ("---\ntitle: A\ndate: 2024-05-25\nslug: ../../etc/passwd\n---\n", 4, "'slug'"),
    ("---\ntitle: A\ndate: 2024-05-25\ntopics:\n  x: 1\n---\n", 4, "'topics'"),
    ("---\ntitle: [a, b]\ndate: 2024-05-25\n---\n", 2, "'title' must be text"),
])
def test_broken_pages_are_reported_with_file_and_line(tmp_path, text, line, reason):
    err = _bad_page(tmp_path, text)
    assert reason in err.message
    assert err.line == line


def test_a_page_that_is_not_utf8_is_reported(tmp_path):
    assert "not UTF-8" in _bad_page(tmp_path, "---\ntitle: Café\n---\n".encode("cp1252")).message


def test_write_atomic_leaves_only_the_page(tmp_path):
    path = tmp_path / "new" / "folder" / "page.md"
    write_atomic(path, "first\n")
    write_atomic(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert [p.name for p in path.parent.iterdir()] == ["page.md"]


def test_write_atomic_keeps_the_old_page_when_writing_fails(tmp_path):
    path = tmp_path / "page.md"
    write_atomic(path, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "half written \ud800")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


# Pages imported before session 7 had their front matter written by a
# hand-written emitter (kept as bench/removed_tricks.py) wherever it was sure
# of the dumper's output. The dumper now writes every page, and must write
# those very bytes: else a fresh clone importing the same transcripts would
# make pages that differ from the committed ones.

def test_an_imported_page_front_matter_is_what_the_old_emitter_wrote():
    meta = {**_meta(), "source": {**_meta()["source"], "page_sha256": "f" * 64}}
    assert removed_tricks._simple_front_matter(meta) == _dump(meta)


_YAML_LOOKALIKES = ["yes", "No", "ON", "y", "~", "null", "", "12", "-3", "0x1F", "0o17", "1_000", "1e3", "3.5", ".inf",
                    "12:30", "2024-05-25", "<<", "=", "-", "- a", "-a", "?", "? a", "?a", ":", ":a", "a:", "a: b",
                    "a:b", "#a", "a #b", "a#b", "---", "---a", "...", "'a'", "it's", '"a"', " a", "a ", "a  b", "%a",
                    "@a", "`a", "!a", "&a", "*a", "|a", ">a", "[a]", "{a}", ",a", "a,b", "x" * 10_001]
_YAML_TEXT = st.one_of(st.sampled_from(_YAML_LOOKALIKES), st.text(max_size=8),
                       st.text(alphabet="ab :#-?'\"!%@`[]{},.&*|>~\t\xa0\u2028é😀", max_size=8))


@given(st.dictionaries(st.sampled_from(["title", "date", "topics", "source", "no", "a b", "Title"]),
                       st.one_of(_YAML_TEXT, st.dates(), st.integers(), st.lists(_YAML_TEXT, max_size=3),
                                 st.dictionaries(st.sampled_from(["file", "on", "x"]), _YAML_TEXT, max_size=3)),
                       max_size=5))
def test_the_dumper_writes_what_the_old_emitter_wrote(meta):
    fast = removed_tricks._simple_front_matter(meta)
    assert fast is None or fast == _dump(meta)


def test_every_printable_character_is_written_as_the_old_emitter_wrote_it():
    chars = [chr(code) for code in range(0x10000) if chr(code).isprintable()]
    for where in ("{}", "x{}x", "{} x", "x {}"):
        meta = {"topics": [where.format(ch) for ch in chars]}
        assert removed_tricks._simple_front_matter(meta) == _dump(meta), where


def _escape_with_a_pattern(paragraph: str) -> str:
    escaped = re.sub(r"([\\`*_\[\]<>&#{}|~])", r"\\\1", paragraph)
    return re.sub(r"^([-+=]|\d+(?=[.)]))", lambda m: m[1] + "\\" if m[1][0].isdigit() else "\\" + m[1], escaped,
                  count=1)


@given(st.text(alphabet=st.one_of(st.sampled_from("\\`*_[]<>&#{}|~-+=.)1٣ \n"), st.characters()), max_size=40))
def test_escaping_a_character_at_a_time_is_escaping_with_the_pattern(paragraph):
    assert escape_markdown(paragraph) == _escape_with_a_pattern(paragraph)


_KEY_LINES = st.sampled_from(["  page_sha256: " + "a" * 64, "  page_sha256: '" + "0" * 64 + "'",
                              "  page_sha256: " + "f" * 63, " page_sha256: " + "a" * 64, "x  page_sha256: " + "a" * 64,
                              "title: x", "", "---", "words"])


@given(st.lists(st.one_of(_KEY_LINES, st.text(max_size=5)), max_size=8), st.sampled_from(["", "\n"]))
def test_the_fingerprint_is_of_the_page_with_every_fingerprint_line_blanked(lines, end):
    text = "\n".join(lines) + end
    blanked = re.sub(r"^(  page_sha256: )'?([0-9a-f]{64})'?$", r"\g<1>" + "f" * 64, text, flags=re.MULTILINE)
    assert _fingerprint(text) == hashlib.sha256(blanked.encode("utf-8")).hexdigest()
