"""The fast path of render_body: plain paragraphs rendered without
markdown-it must come out exactly as markdown-it renders them, and the
importer's pages must take it."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from hypothesis import event, given, strategies as st

from generator import markup
from generator.content import escape_markdown, load_episode
from generator.errors import Report
from generator.importer import import_transcripts
from generator.markup import Block, markdown_it_blocks, plain_paragraph_blocks, render_body
from generator.text import strip_controls

TESTS = Path(__file__).resolve().parent

# Every character that means something to Markdown somewhere, whitespace
# markdown-it and Python disagree about, and plain letters to hold it together.
TRICKY = list("\\`*_[]()!<>&#;=+-.)|~:{}\"'@$%^?/,0123456789 \t\r\n") + [
    "\xa0", "\u2028", "\u3000", "\u200a", "\ufeff", "\x0b", "\x85", "é", "ß", "Σ", "東",
    "a", "b", "x", "http", "amp", "copy", "#123", "x41"]
PIECES = TRICKY + ["\\" + c for c in "\\`*_[]<>&#=+-.)|~{}!\"'"] + [
    "\n\n", "\n\n\n", "  \n", "\\\n", "```", "~~~", "---", "***", "1. ", "2) ", "- ", "> ", "# ",
    "    ", "&amp;", "&#35;", "<http://a.b>", "[a](b)", "[a]: b", "![a](b)", "`c`", "*e*", "__s__"]
INK = [piece for piece in TRICKY if not piece.isspace()] + ["hello", "world", "1990s", "3.5", "\x01", "\x7f"]
WORDS = st.lists(st.sampled_from(INK), min_size=1, max_size=6).map("".join)   # as str.split() makes them


def markdown_it_body(text: str) -> tuple[Block, ...]:
    return markdown_it_blocks(strip_controls(text))


# Mostly pieces the fast path accepts, so that it often does.
COMMON = ["a", "b", "x", " ", " ", "\n", "\n\n", "é", ".", ",", "!", "#", ">", "~", "|", "\\\\", "\\*", "\\&"]


@given(st.lists(st.sampled_from(PIECES + COMMON * 4), max_size=40).map("".join))
def test_fast_path_renders_as_markdown_it(text):
    text = strip_controls(text)
    fast = plain_paragraph_blocks(text)
    event("fast path" if fast is not None else "markdown-it")
    if fast is not None:
        assert fast == markdown_it_blocks(text)


@given(st.lists(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), max_size=6))
def test_imported_paragraphs_take_the_fast_path(paragraphs):
    # What content.page_text writes, minus the front matter.
    body = "\n" + "\n\n".join(escape_markdown(p) for p in paragraphs) + "\n"
    fast = plain_paragraph_blocks(strip_controls(body))
    # A control character goes after escaping, and can leave a line start
    # unescaped ("\x01- a" is a list item); other paragraphs must be plain.
    if all(strip_controls(p) == p for p in paragraphs):
        assert fast is not None
    if fast is not None:
        assert fast == markdown_it_body(body)


@pytest.mark.parametrize("body", [
    "", "\n\n", "One.\n", "\nOne.\n\nTwo \\* three \\& \"four\" \\<b\\>.\n",
    "A soft\nbreak\n\n\n\nand a gap.", "1\\. not a list\n\n\\- nor this\n\n\\# nor this",
    "Caf\u00e9 \u2028 \u3000 spaced\ttab \\\\ back \\` tick", "a > b, c ~ d, e | f, 5 + 3 = 8, #1!",
])
def test_plain_bodies_take_the_fast_path(body):
    fast = plain_paragraph_blocks(strip_controls(body))
    assert fast is not None
    assert fast == markdown_it_body(body)


@pytest.mark.parametrize("body", [
    "# Heading", "> quote", "- item", "+ item", "* item", "1. item", "2) item", "Title\n===",
    "Title\n---", "    code", "\tcode", "```\nfence\n```", "~~~\nfence\n~~~", "***", "___",
    "<div>x</div>", "*em*", "_em_", "`code`", "[link](x)", "![img](x)", "<http://x.y>", "&amp;",
    "&copy;", "hard  \nbreak", "hard\\\nbreak", "back\\slash", "end\\", " lead", "trail ",
    "a\r\nb", "[ref]: /url", "| a | b |", "\xa0lead", "trail\u3000",
])
def test_anything_else_goes_to_markdown_it(body):
    assert plain_paragraph_blocks(strip_controls(body)) is None
    assert render_body(body).blocks == markdown_it_body(body)


def _import(source: Path, content: Path) -> list[Path]:
    import_transcripts(source, content, Report(stream=io.StringIO()))
    return sorted((content / "episodes").glob("*.md"))


def test_every_imported_page_takes_the_fast_path(tmp_path, seeds_dir, transcripts_dir):
    pages = [*_import(seeds_dir, tmp_path / "seeds"), *_import(transcripts_dir, tmp_path / "fixtures"),
             *_import(TESTS / "fixtures" / "hostile", tmp_path / "hostile"),
             *_import(TESTS / "fixtures" / "search", tmp_path / "search"),
             *sorted((TESTS / "golden" / "content").glob("*.md"))]
    assert len(pages) > 15
    for page in pages:
        text = strip_controls(load_episode(page).body)
        fast = plain_paragraph_blocks(text)
        assert fast is not None, page.name
        assert fast == markdown_it_blocks(text), page.name


def test_the_odd_spaces_are_what_str_split_splits_at():
    # The fast path takes a paragraph as its own plain text if it has none of these.
    spaces = {ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace()}
    assert set(markup._ODD_SPACES) == spaces - {" ", "\n"}
