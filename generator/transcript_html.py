"""The HTML transcript a podcast app reads (Podcasting 2.0's text/html form):
one <p> per paragraph and nothing else, no timings, since these transcripts
have none. A file of its own beside the episode page, so that this and the
plain-text download can each be changed or dropped without the other.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from generator.cache import make_key
from generator.errors import ContentError
from generator.load import page_body
from generator.output import Output
from generator.site import Site
from generator.urls import Urls
from generator.workers import parallel_map


def transcript_html(title: str, language: str, canonical: str, paragraphs: list[str]) -> str:
    """``paragraphs`` are inner HTML, already escaped (a Body's blocks)."""
    head = (f'<!doctype html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)} (transcript)</title>\n"
            f'<link rel="canonical" href="{escape(canonical)}">\n'
            # The episode page is the one to find in a search engine; this is its text for apps.
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n')
    return head + "".join(f"<p>{p}</p>\n" for p in paragraphs) + "</body>\n</html>\n"


def _write(job: tuple[str, str, str, str, str]) -> bool:
    """One transcript, in a worker process when there are many; False if
    its page cannot be read (the caller then reports why)."""
    page, title, language, canonical, target = job
    try:
        body = page_body(Path(page))
    except ContentError:
        return False
    html = transcript_html(title, language, canonical, [b.html for b in body.blocks if b.number])
    Path(target).write_bytes(html.encode("utf-8"))
    return True


def write_transcripts(out: Output, site: Site, urls: Urls) -> None:
    """Each episode's HTML transcript, written afresh only when its page
    changed, on every core when there are many."""
    language = site.config.language
    todo, jobs = [], []
    for episode in site.episodes:
        name = urls.transcript_html(episode.slug)
        canonical = urls.absolute(urls.episode(episode.slug))
        key = make_key("transcript-html", episode.title, language, canonical, site.pages[episode.slug].key)
        if out.reuse(name, key):
            continue
        todo.append((name, key, episode, canonical))
        jobs.append((str(episode.path), episode.title, language, canonical, str(out.path_for(name))))
    for (name, key, episode, canonical), done in zip(todo, parallel_map(_write, jobs)):
        if done:
            out.written(name, key)
            continue
        body = site.bodies[episode.slug]   # raises the page's error
        out.write(name, transcript_html(episode.title, language, canonical,
                                        [b.html for b in body.blocks if b.number]), key)
