"""The whole-site model: every episode loaded and checked before anything
is rendered, so navigation, topics, related episodes and links agree.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain

from generator.cache import Cache
from generator.config import SiteConfig
from generator.content import Episode
from generator.errors import Report
from generator.load import Bodies, Loaded, load_pages
from generator.slugs import slugify, unique_slug


@dataclass(frozen=True)
class Topic:
    name: str
    slug: str
    episodes: tuple[str, ...]   # episode slugs, newest first


@dataclass(frozen=True)
class Show:
    name: str
    slug: str
    episodes: tuple[str, ...]


@dataclass
class Site:
    config: SiteConfig
    episodes: list[Episode]                   # newest first
    pages: dict[str, Loaded]                  # by episode slug
    bodies: Bodies                            # Body by episode slug, read when needed
    topics: dict[str, Topic]                  # by topic slug, sorted by name
    topic_slugs: dict[str, str]               # topic name -> slug
    shows: dict[str, Show]                    # by show slug
    show_slugs: dict[str, str]                # show name -> slug
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    audio: dict = field(default_factory=dict)   # audio.Audio by episode slug, for those that have one
    podcast_image: str = ""                      # the show's artwork, from its own feed

    def by_slug(self) -> dict[str, Episode]:
        return {e.slug: e for e in self.episodes}

    def years(self) -> dict[int, list[Episode]]:
        out: dict[int, list[Episode]] = defaultdict(list)
        for episode in self.episodes:
            out[episode.date.year].append(episode)
        return dict(sorted(out.items(), reverse=True))


# topics/index.html is the list of topics, and topics/index/ its letter pages.
RESERVED_SLUGS = frozenset({"index"})


def _group_slugs(names: list[str], fallback: str) -> dict[str, str]:
    """A distinct slug for each name ('C' and 'C++' must not share a page)."""
    taken: set[str] = set(RESERVED_SLUGS)
    out: dict[str, str] = {}
    for name in sorted(names, key=str.casefold):
        out[name] = unique_slug(slugify(name) or fallback, taken)
        taken.add(out[name])
    return out


def build_model(config: SiteConfig, report: Report, cache: Cache | None = None,
                stats: Mapping[str, os.stat_result] | None = None) -> Site:
    """Load and cross-reference everything the templates will need, but the
    related episodes (``related.related_table``): the build works those out while
    the search index is made in the background. ``stats``: as for load_pages."""
    cache = cache or Cache(config.cache_dir)
    pages = load_pages(config.content_dir, config.ignore_topics, cache, report, stats)
    episodes = [p.episode for p in pages]

    # "NATO" on one page and "Nato" on another are one topic, shown as first seen.
    # Worked out once per spelling, of which 10,000 episodes have some
    # 25,000, rather than for each of their 120,000 topics.
    spellings = dict.fromkeys(chain.from_iterable(e.topics for e in episodes))   # in the order first seen
    canonical: dict[str, str] = {}
    for name in spellings:
        canonical.setdefault(name.casefold(), name)
    shown_as = {name: canonical[name.casefold()] for name in spellings}
    group_slugs = _group_slugs(list(canonical.values()), "topic")
    topic_slugs = {name: group_slugs[shown] for name, shown in shown_as.items()}
    members: dict[str, list[str]] = defaultdict(list)
    for episode in episodes:
        for name in set(map(shown_as.__getitem__, episode.topics)):
            members[name].append(episode.slug)
    topics = {topic_slugs[name]: Topic(name, topic_slugs[name], tuple(slugs))
              for name, slugs in sorted(members.items(), key=lambda kv: kv[0].casefold())}

    show_names = sorted({e.show for e in episodes if e.show})
    show_slugs = _group_slugs(show_names, "show")
    shows = {show_slugs[name]: Show(name, show_slugs[name], tuple(e.slug for e in episodes if e.show == name))
             for name in show_names}

    return Site(config=config, episodes=episodes, pages={p.episode.slug: p for p in pages},
                bodies=Bodies(pages), topics=topics, topic_slugs=topic_slugs,
                shows=shows, show_slugs=show_slugs)
