"""Markdown bodies to HTML blocks, with numbered paragraphs.

Each top-level paragraph becomes a block with a stable number (the anchor
``#p-N``) and its plain text, which the .txt download and the search index
reuse. Raw HTML in a body is never passed through: a transcript is text.
"""
from __future__ import annotations

import functools
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
    _md = _parser()
    tokens = _md.parse(strip_controls(markdown))
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
    return Body(tuple(blocks))
