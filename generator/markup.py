"""Markdown bodies to HTML blocks, with numbered paragraphs.

Each top-level paragraph becomes a block with a stable number (the anchor
``#p-N``) and its plain text, which the .txt download and the search index
reuse. Raw HTML in a body is never passed through: a transcript is text.
A body of plain paragraphs, which is what the importer writes, is rendered
without markdown-it, to the same blocks.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from generator.text import strip_controls


@functools.cache
def _parser():
    # Made on first use: a rebuild that finds every body cached never needs it.
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Block:
    html: str           # inner HTML for a paragraph, whole HTML for anything else
    number: int = 0     # 1.. for a top-level paragraph, 0 for other blocks
    text: str = ""      # plain text of a paragraph


@dataclass(frozen=True)
class Body:
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.number)

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def _plain(children) -> str:
    parts = []
    for token in children or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:
            parts.append(_plain(token.children))
    return "".join(parts)


def render_body(markdown: str) -> Body:
    text = strip_controls(markdown)
    blocks = plain_paragraph_blocks(text)
    return Body(blocks if blocks is not None else markdown_it_blocks(text))


def markdown_it_blocks(text: str) -> tuple[Block, ...]:
    """Any Markdown, through markdown-it: the reference for every body."""
    _md = _parser()
    tokens = _md.parse(text)
    blocks: list[Block] = []
    number = 0
    start = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "paragraph_open" and token.level == 0:
            if start < i:
                blocks.append(Block(_md.renderer.render(tokens[start:i], _md.options, {})))
            inline = tokens[i + 1]
            number += 1
            html = _md.renderer.renderInline(inline.children or [], _md.options, {})
            blocks.append(Block(html, number, " ".join(_plain(inline.children).split())))
            i += 3  # paragraph_open, inline, paragraph_close
            start = i
            continue
        i += 1
    if start < len(tokens):
        blocks.append(Block(_md.renderer.render(tokens[start:], _md.options, {})))
    return tuple(blocks)


# --- The fast path: a body of plain paragraphs, as the importer writes them ---
#
# An imported body is spoken words in paragraphs, with everything Markdown
# could read as markup backslash-escaped (content.escape_markdown). For such a
# body markdown-it's output is known without parsing: each paragraph is its
# unescaped text, HTML-escaped, with its line breaks kept. The checks below
# accept only text where that is provably so and leave the rest to
# markdown-it; tests/test_markup_fast.py compares the two paths.

# A backslash before ASCII punctuation stands for the punctuation itself.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Left once escapes are removed, these could start inline markup: a code
# span, emphasis, a link or image ('!' alone is text), an autolink, an entity,
# a hard break or a literal backslash. '\r' is a line end to markdown-it. The
# commonmark preset has no strikethrough, tables or typographer, so '~', '|'
# and quotes inside a line are text.
_INLINE_MARKUP = "\\`*_[]<&\r"
# Line starts that could begin a block other than a paragraph, or end one
# (headings, quotes, lists, rules, setext underlines, fences; '|' in case
# tables are ever turned on), and leading whitespace, which indents or is
# trimmed. A blank line with spaces on it is turned away too.
_BLOCK_START = re.compile(r"[^\S\n]|[#>\-+=~|]|\d+[.)]")
_BLANK_LINES = re.compile(r"\n\n+")
# What str.split() splits at besides ' ' and '\n' (tests/test_markup_fast.py checks the list).
_ODD_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
             "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def plain_paragraph_blocks(text: str) -> tuple[Block, ...] | None:
    """markdown_it_blocks(text) for a body of plain paragraphs, None for any other body."""
    if "\\" in text:
        bare, content = _ESCAPE.sub("", text), _ESCAPE.sub(r"\1", text)
    else:
        bare = content = text
    # Plain 'in' scans are many times quicker than one regex over the body.
    if any(ch in bare for ch in _INLINE_MARKUP):
        return None
    # Line by line; whitespace ending a line is trimmed, or makes a hard break.
    if any(_BLOCK_START.match(line) or line[-1].isspace() for line in text.split("\n") if line):
        return None
    paragraphs = _BLANK_LINES.split(content.strip("\n"))
    if paragraphs == [""]:
        return ()
    # markdown-it's escapeHtml, which is all it does to a text token ('in'
    # first: it is quicker than a replace that finds nothing)
    html = paragraphs
    if any(ch in content for ch in '&<>"'):
        escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        html = _BLANK_LINES.split(escaped.strip("\n"))
    # With single spaces its only whitespace, a paragraph's plain text is
    # itself; splitting and joining every paragraph is costly, checking is not.
    # A line break inside a paragraph is a soft break: a newline in the HTML,
    # a space in the text.
    spaced = "  " not in content and not any(ch in content for ch in _ODD_SPACES)
    return tuple(Block(h, n, p if spaced and "\n" not in p else " ".join(p.split()))
                 for n, (p, h) in enumerate(zip(paragraphs, html), 1))
