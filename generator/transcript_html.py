"""The HTML transcript a podcast app reads (Podcasting 2.0's text/html form):
one <p> per paragraph and nothing else, no timings, since these transcripts
have none. A file of its own beside the episode page, so that this and the
plain-text download can each be changed or dropped without the other.
"""
from __future__ import annotations

from html import escape

from generator.cache import make_key
from generator.output import Output
from generator.site import Site
from generator.urls import Urls


def transcript_html(title: str, language: str, canonical: str, paragraphs: list[str]) -> str:
    """``paragraphs`` are inner HTML, already escaped (a Body's blocks)."""
    head = (f'<!doctype html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)} (transcript)</title>\n"
            f'<link rel="canonical" href="{escape(canonical)}">\n'
            # The episode page is the one to find in a search engine; this is its text for apps.
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n')
    return head + "".join(f"<p>{p}</p>\n" for p in paragraphs) + "</body>\n</html>\n"


def write_transcripts(out: Output, site: Site, urls: Urls) -> None:
    """Each episode's HTML transcript, written afresh only when its page changed."""
    language = site.config.language
    for episode in site.episodes:
        name = urls.transcript_html(episode.slug)
        canonical = urls.absolute(urls.episode(episode.slug))
        key = make_key("transcript-html", episode.title, language, canonical, site.pages[episode.slug].key)
        if out.reuse(name, key):
            continue
        body = site.bodies[episode.slug]
        out.write(name, transcript_html(episode.title, language, canonical,
                                        [b.html for b in body.blocks if b.number]), key)
