"""View models: the plain dicts templates receive. Templates never see an
Episode or the Site, only what a page shows, already formatted and linked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping

from generator.content import Episode
from generator.markup import Body
from generator.site import Site
from generator.units import format_duration, iso_duration
from generator.urls import Urls

WORDS_PER_MINUTE = 200
EXCERPT_WORDS = 40
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def display_date(date: dt.date) -> str:
    """'25 May 2024', the same whatever the machine's locale."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def excerpt(site: Site, episode: Episode, words: int = EXCERPT_WORDS) -> str:
    if episode.description:
        return episode.description
    lead = site.pages[episode.slug].lead.split()   # words hold no spaces: these are the words joined
    return " ".join(lead[:words]) + "…" if len(lead) > words else " ".join(lead)


class Card(Mapping):
    """An episode as listed on other pages: a read-only mapping to templates,
    with a digest of its content. A page listing hundreds of episodes is
    keyed by their digests rather than all their text; not being a dict is
    what lets ``json.dumps`` hand a Card to ``key_default`` for that."""
    __slots__ = ("_fields", "digest")

    def __init__(self, fields: dict):
        self._fields = fields
        text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self.digest = "card:" + hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def __reduce__(self):   # to a render worker: the fields and the digest, not worked out again
        return _card, (self._fields, self.digest)

    def __getitem__(self, key: str):
        return self._fields[key]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


def _card(fields: dict, digest: str) -> Card:
    card = Card.__new__(Card)
    card._fields, card.digest = fields, digest
    return card


def key_default(value) -> str:
    """``json.dumps``'s ``default`` for a page's key: a Card stands for its digest."""
    return value.digest if isinstance(value, Card) else str(value)


def transcript_blocks(body: Body) -> list[dict]:
    """An episode page's ``episode.blocks``: the transcript itself."""
    return [{"html": b.html, "number": b.number} for b in body.blocks]


def json_for_script(data) -> str:
    """JSON that cannot end a <script> element early, whatever a title holds."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Views:
    """Builds every page's context from one Site and one Urls."""

    def __init__(self, site: Site, urls: Urls):
        self.site = site
        self.urls = urls
        self.by_slug = site.by_slug()
        self._cards: dict[str, Card] = {}
        config = site.config
        self.common = {
            "site": {
                "title": config.title,
                "description": config.description,
                "language": config.language,
                "base_path": urls.base_path,
                "home_url": urls.link(urls.home()),
                "archive_url": urls.link(urls.archive()),
                "topics_url": urls.link(urls.topics()),
                "shows_url": urls.link(urls.shows()) if len(site.shows) > 1 else "",
                "search_url": urls.link(urls.search()),
                "feed_url": urls.link("feed.xml"),
                "json_feed_url": urls.link("feed.json"),
                "css_url": urls.link(urls.asset("style.css")),
                "icon_url": urls.link(urls.asset("icon.svg")),
                "search_box_js_url": urls.link(urls.asset("search-box.js")),
                "highlight_js_url": urls.link(urls.asset("highlight.js")),
            }
        }

    def _page(self, name: str, title: str, description: str = "", kind: str = "website", **extra) -> dict:
        site_title = self.site.config.title
        return {**self.common, **extra, "page": {
            "title": title, "full_title": f"{title} · {site_title}" if title != site_title else title,
            "description": description or self.site.config.description, "kind": kind,
            "canonical": self.urls.absolute(name), "url": self.urls.link(name)}}

    def card(self, episode: Episode) -> Card:
        """An episode as listed on other pages (shared: never change one)."""
        if (card := self._cards.get(episode.slug)) is None:
            card = self._cards[episode.slug] = self._card(episode)
        return card

    def _card(self, episode: Episode) -> Card:
        return Card({"title": episode.title, "url": self.urls.link(self.urls.episode(episode.slug)),
                     "date": episode.date.isoformat(), "date_display": display_date(episode.date),
                     "show": episode.show, "duration": format_duration(episode.duration),
                     "excerpt": excerpt(self.site, episode)})

    def _topic_links(self, episode: Episode) -> list[dict]:
        return [{"name": name, "url": self.urls.link(self.urls.topic(self.site.topic_slugs[name]))}
                for name in episode.topics]

    # Pages -------------------------------------------------------------------------------------

    def home_pages(self) -> list[tuple[str, dict]]:
        size = self.site.config.page_size
        episodes = self.site.episodes
        count = max(1, math.ceil(len(episodes) / size))
        pages = []
        for number in range(1, count + 1):
            name = self.urls.home(number)
            chunk = episodes[(number - 1) * size:number * size]
            pagination = {
                "number": number, "count": count,
                "newer_url": self.urls.link(self.urls.home(number - 1)) if number > 1 else "",
                "older_url": self.urls.link(self.urls.home(number + 1)) if number < count else "",
            }
            title = self.site.config.title if number == 1 else f"Episodes, page {number}"
            pages.append((name, self._page(
                name, title, episodes=[self.card(e) for e in chunk], pagination=pagination,
                total=len(episodes), years=self._year_links())))
        return pages

    def _year_links(self) -> list[dict]:
        return [{"year": year, "url": self.urls.link(self.urls.year(year)), "count": len(eps)}
                for year, eps in self.site.years().items()]

    def episode_blocks(self, slug: str) -> list[dict]:
        """The transcript itself, which ``episode_page`` leaves out: the build
        adds it as ``episode.blocks`` only when the page has to be rendered."""
        return transcript_blocks(self.site.bodies[slug])

    def episode_page(self, index: int) -> tuple[str, dict]:
        episodes = self.site.episodes
        episode = episodes[index]
        name = self.urls.episode(episode.slug)
        newer = episodes[index - 1] if index > 0 else None
        older = episodes[index + 1] if index + 1 < len(episodes) else None
        words = self.site.pages[episode.slug].word_count
        view = {
            "title": episode.title, "show": episode.show,
            "show_url": self.urls.link(self.urls.show(self.site.show_slugs[episode.show]))
            if episode.show and len(self.site.shows) > 1 else "",
            "description": episode.description,
            "date": episode.date.isoformat(), "date_display": display_date(episode.date),
            "year_url": self.urls.link(self.urls.year(episode.date.year)),
            "duration": format_duration(episode.duration), "duration_iso": iso_duration(episode.duration),
            "audio_format": episode.audio_format,
            "word_count": words, "reading_minutes": max(1, round(words / WORDS_PER_MINUTE)),
            "topics": self._topic_links(episode),
            "transcript_url": self.urls.link(self.urls.transcript(episode.slug)),
            "transcript_file": f"{episode.slug}.txt",
            "newer": self.card(newer) if newer else None,
            "older": self.card(older) if older else None,
            "related": [self.card(self.by_slug[s]) for s in self.site.related.get(episode.slug, ())],
        }
        description = episode.description or excerpt(self.site, episode, 30)
        jsonld = {
            "@context": "https://schema.org", "@type": "PodcastEpisode",
            "name": episode.title, "url": self.urls.absolute(name),
            "datePublished": episode.date.isoformat(), "duration": iso_duration(episode.duration),
            "description": description,
            "partOfSeries": {"@type": "PodcastSeries", "name": episode.show or self.site.config.title},
        }
        return name, self._page(name, episode.title, description, kind="article", episode=view,
                                jsonld=json_for_script(jsonld))

    def archive_page(self) -> tuple[str, dict]:
        name = self.urls.archive()
        return name, self._page(name, "Archive", years=self._year_links())

    def year_pages(self) -> list[tuple[str, dict]]:
        pages = []
        years = list(self.site.years().items())
        for i, (year, episodes) in enumerate(years):
            months: list[dict] = []
            for episode in episodes:
                month = MONTHS[episode.date.month - 1]
                if not months or months[-1]["name"] != month:
                    months.append({"name": month, "id": month.lower(), "episodes": []})
                months[-1]["episodes"].append(self.card(episode))
            name = self.urls.year(year)
            newer = years[i - 1][0] if i > 0 else None
            older = years[i + 1][0] if i + 1 < len(years) else None
            pages.append((name, self._page(
                name, f"Episodes from {year}", year=year, months=months, count=len(episodes),
                newer={"year": newer, "url": self.urls.link(self.urls.year(newer))} if newer else None,
                older={"year": older, "url": self.urls.link(self.urls.year(older))} if older else None)))
        return pages

    def topics_page(self) -> tuple[str, dict]:
        name = self.urls.topics()
        topics = [{"name": t.name, "url": self.urls.link(self.urls.topic(t.slug)), "count": len(t.episodes)}
                  for t in self.site.topics.values()]
        return name, self._page(name, "Topics", topics=topics)

    def topic_pages(self) -> list[tuple[str, dict]]:
        pages = []
        for topic in self.site.topics.values():
            name = self.urls.topic(topic.slug)
            pages.append((name, self._page(
                name, topic.name, f"Episodes about {topic.name}", topic={"name": topic.name},
                episodes=[self.card(self.by_slug[s]) for s in topic.episodes])))
        return pages

    def show_pages(self) -> list[tuple[str, dict]]:
        if len(self.site.shows) < 2:
            return []
        shows = [{"name": s.name, "url": self.urls.link(self.urls.show(s.slug)), "count": len(s.episodes)}
                 for s in self.site.shows.values()]
        pages = [(self.urls.shows(), self._page(self.urls.shows(), "Shows", shows=shows))]
        for show in self.site.shows.values():
            name = self.urls.show(show.slug)
            pages.append((name, self._page(
                name, show.name, f"Episodes of {show.name}", show={"name": show.name},
                episodes=[self.card(self.by_slug[s]) for s in show.episodes])))
        return pages

    def search_page(self, manifest: str) -> tuple[str, dict]:
        """``manifest``: the search index manifest's file name under search/."""
        name = self.urls.search()
        return name, self._page(name, "Search", "Search every transcript in the archive.",
                                search={"manifest_url": self.urls.link(name + manifest),
                                        "shows": sorted({e.show for e in self.site.episodes if e.show}),
                                        "years": sorted({e.date.year for e in self.site.episodes}, reverse=True)})

    def not_found_page(self) -> tuple[str, dict]:
        return "404.html", self._page("404.html", "Page not found")
