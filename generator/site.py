"""The whole-site model: every episode loaded and checked before anything
is rendered, so navigation, topics, related episodes and links agree.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from generator.cache import Cache, make_key
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


def related_episodes(episodes: list[Episode], topic_slugs: dict[str, str], count: int) -> dict[str, tuple[str, ...]]:
    """For each episode, the ones sharing the rarest topics with it.

    Shared topics are weighted by inverse frequency so that a topic every
    episode mentions ("Russia" on a Russia podcast) says little; ties go to
    the episode closest in date. Topics on more than a fifth of a large
    archive are skipped to keep this linear rather than quadratic.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    own = [sorted({topic_slugs[t] for t in episode.topics}) for episode in episodes]
    for i, slugs in enumerate(own):
        for topic in slugs:
            postings[topic].append(i)
    n = len(episodes)
    too_common = max(50, n // 5)
    weight = {t: math.log(1 + n / len(p)) for t, p in postings.items()}
    shared = [[(weight[t], postings[t]) for t in slugs if len(postings[t]) <= too_common] for slugs in own]
    out: dict[str, tuple[str, ...]] = {}
    for i, episode in enumerate(episodes):
        scores: dict[int, float] = {}
        get = scores.get
        for w, members in shared[i]:
            for j in members:
                scores[j] = get(j, 0.0) + w
        scores.pop(i, None)
        if len(scores) > count:
            # Only scores near the top can make the cut; sorting just those
            # keeps this fast when a topic is shared by hundreds of episodes.
            floor = heapq.nlargest(count, scores.values())[-1] - 1e-6
            scores = {j: s for j, s in scores.items() if s >= floor}
        best = sorted(scores, key=lambda j: (-round(scores[j], 9), abs(j - i), j))[:count]
        out[episode.slug] = tuple(episodes[j].slug for j in best)
    return out


def build_model(config: SiteConfig, report: Report, cache: Cache | None = None) -> Site:
    """Load and cross-reference everything the templates will need, but the
    related episodes (``related_table``): the build works those out while
    the search index is made in the background."""
    cache = cache or Cache(config.cache_dir)
    pages = load_pages(config.content_dir, config.ignore_topics, cache, report)
    episodes = [p.episode for p in pages]

    # "NATO" on one page and "Nato" on another are one topic, shown as first seen.
    canonical: dict[str, str] = {}
    for episode in episodes:
        for name in episode.topics:
            canonical.setdefault(name.casefold(), name)
    group_slugs = _group_slugs(list(canonical.values()), "topic")
    topic_slugs = {name: group_slugs[canonical[name.casefold()]] for e in episodes for name in e.topics}
    members: dict[str, list[str]] = defaultdict(list)
    for episode in episodes:
        for name in {canonical[t.casefold()] for t in episode.topics}:
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


def related_table(site: Site, cache: Cache) -> dict[str, tuple[str, ...]]:
    """``related_episodes`` for the site, cached: every rebuild needs it, and
    it looks at every pair of episodes sharing a topic (seconds at 10,000
    episodes, and any new episode changes every topic's weight)."""
    episodes, topic_slugs = site.episodes, site.topic_slugs
    key = make_key("related", str(site.config.related_count),
                   *(f"{e.slug}\0" + "\0".join(topic_slugs[t] for t in e.topics) for e in episodes))
    related = cache.get("related", key)
    if not isinstance(related, dict):
        related = related_episodes(episodes, topic_slugs, site.config.related_count)
        cache.put("related", key, related)
    return related
