"""View models: the plain dicts templates receive. Templates never see an
Episode or the Site, only what a page shows, already formatted and linked.
"""
from __future__ import annotations

import datetime as dt
import functools
import heapq
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import quote

from generator.audio import Audio, audio_type, clock, paragraph_starts
from generator.cache import make_key
from generator.content import Episode
from generator.load import Loaded
from generator.markup import Body
from generator.site import Site
from generator.units import format_duration, iso_duration
from generator.urls import Urls

WORDS_PER_MINUTE = 200
EXCERPT_WORDS = 40
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


ALL_TOPICS_UP_TO = 300    # topics the topics index lists in full (~30 KB); past that:
TOP_TOPICS = 100          # the most discussed, on the topics index
TOPICS_PER_PAGE = 1500    # on a page per initial: ~130 bytes each, about 200 KB a page


def fixed_pages(total: int, size: int) -> tuple[int, int]:
    """How a listing of ``total`` episodes, newest first, is paginated so
    that pages never shift: (numbered pages, episodes on the front page).

    Counted from the oldest, episodes 1 to ``size`` are page 1, the next
    ``size`` page 2, and so on. The front page (the home page, a topic's
    page) shows the newest page and, when that one is not full, the page
    before it too: between ``size`` and 2 × ``size`` - 1 episodes. Only the
    full pages older than those get numbered pages of their own, so a
    numbered page always holds the same ``size`` episodes; a new episode
    changes the front page, and once every ``size`` episodes makes one more
    numbered page (and gives the one before it a link to it)."""
    if total == 0:
        return 0, 0
    newest = math.ceil(total / size)            # pages counted from the oldest, the last maybe part-full
    front_from = newest - (1 if total % size == 0 else 2)   # 0-based: the oldest page on the front
    numbered = max(0, front_from)
    return numbered, total - numbered * size


def topic_letter(slug: str) -> str:
    """The topics index page a topic is listed on: its slug's initial, or
    0-9 for a digit (a slug is ASCII: "Éire" is listed under e)."""
    return slug[0] if "a" <= slug[0] <= "z" else "0-9"


def display_date(date: dt.date) -> str:
    """'25 May 2024', the same whatever the machine's locale."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def transcript_header(urls: Urls, episode: Episode) -> str:
    """The plain-text download's first block: title, show and date, the page's address."""
    meta = " · ".join(x for x in (episode.show, display_date(episode.date)) if x)
    return f"{episode.title}\n{meta}\n{urls.absolute(urls.episode(episode.slug))}"


def excerpt(site: Site, episode: Episode, words: int = EXCERPT_WORDS) -> str:
    return episode.description or lead_excerpt(site.pages[episode.slug].lead, words)


def lead_excerpt(lead: str, words: int) -> str:
    """The first ``words`` words of a transcript's lead (``Loaded.lead``)."""
    split = lead.split()   # words hold no spaces: these are the words joined
    return " ".join(split[:words]) + "…" if len(split) > words else " ".join(split)


class Card(Mapping):
    """An episode as listed on other pages: a read-only mapping to templates.
    A page listing hundreds of episodes is keyed by their cards' digests
    rather than all their text; not being a dict is what lets ``json.dumps``
    hand a Card to ``key_default`` for that.

    A card shows only what its episode's page says (and the site's base
    path, which is in every page's salt), so the digest is that page's key:
    a hash of its path and bytes, salted with the code. The fields are
    worked out only when a page that lists the card is rendered."""
    __slots__ = ("digest", "_make", "_fields")

    def __init__(self, digest: str, make):
        self.digest = digest
        self._make = make        # () -> the fields, called once
        self._fields: dict | None = None

    @property
    def contents(self) -> dict:
        if self._fields is None:
            self._fields, self._make = self._make(), None
        return self._fields

    def __reduce__(self):   # to a render worker: the fields themselves
        return _card, (self.digest, self.contents)

    def __repr__(self) -> str:   # what a key holds of it (see _key_part)
        return f"<card {self.digest}>"

    def __getitem__(self, key: str):
        return self.contents[key]

    def __iter__(self):
        return iter(self.contents)

    def __len__(self) -> int:
        return len(self.contents)


def _card(digest: str, fields: dict) -> Card:
    card = Card(digest, None)
    card._fields = fields
    return card


def key_default(value) -> str:
    """``json.dumps``'s ``default`` for a page's key: a Card stands for its digest."""
    return value.digest if isinstance(value, Card) else str(value)


@dataclass(frozen=True)
class EpisodeInputs:
    """Everything an episode page is made from beyond what every page shares
    (the config, the templates, ``Views.common``). ``Views.episode_page``
    reads nothing else, and ``key`` hashes every field, so a field added
    here is in the key too: a rebuild checks this, not the page's context,
    which costs ten times as much to make."""
    page: Loaded                      # the episode, its lead and word count; in the key as its content hash
    newer: Card | None
    older: Card | None
    related: tuple[Card, ...]
    topics: tuple[tuple[str, str], ...]   # (name, slug of its page, or "" when it has none)
    show_slug: str                    # "" when the archive has one show
    audio: Audio | None

    def key(self, salt: str) -> str:
        return inputs_key(self, salt)


def inputs_key(inputs, salt: str) -> str:
    """The key of a dataclass of a page's inputs: every field, so that a field added is in the key too."""
    return make_key(salt, *(_key_part(getattr(inputs, name)) for name in _field_names(type(inputs))))


@functools.cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _key_part(value) -> str:
    """A field as text for a key: a page as its key, anything else as its
    repr, in which a Card is its digest."""
    if isinstance(value, Loaded):
        return f"{value.episode.slug}\0{value.key}"
    return repr(value)


@dataclass(frozen=True)
class ListingInputs:
    """Everything the pages of one listing (the home page's, a topic's, a
    show's) are made from beyond what every page shares, as EpisodeInputs
    is for an episode page: ``Views.listing_pages`` reads nothing else. A
    rebuild checks this key, one per listing, not the contexts of its
    pages: at 10,000 episodes that is 3,000 keys in place of 15,000 pages.
    YearInputs is the same for a year's page."""
    kind: str                             # "home", "topic" or "show": the template and what it calls the group
    slug: str                             # the topic's or the show's; "" for home
    name: str                             # the topic's or the show's; the site's title for home
    cards: tuple[Card, ...]               # newest first
    years: tuple[tuple[int, int], ...]    # home: (year, episodes) of the year links; () otherwise

    def key(self, salt: str) -> str:
        return inputs_key(self, salt)

    @property
    def template(self) -> str:
        return f"{self.kind}.html"


@dataclass(frozen=True)
class YearInputs:
    """What a year's page in the archive is made from (``Views.year_page`` reads nothing else)."""
    year: int
    cards: tuple[Card, ...]   # newest first
    newer: int | None         # the years it links to, if any
    older: int | None

    template = "year.html"

    def key(self, salt: str) -> str:
        return inputs_key(self, salt)


def transcript_blocks(body: Body, audio_seconds: int = 0) -> list[dict]:
    """An episode page's ``episode.blocks``: the transcript itself, and with
    audio each paragraph's estimated start in seconds (``start``; assets/player.js shows it)."""
    if not audio_seconds:
        return [{"html": b.html, "number": b.number} for b in body.blocks]
    starts = iter(paragraph_starts(body.paragraphs, audio_seconds))
    blocks = []
    for b in body.blocks:
        block = {"html": b.html, "number": b.number}
        if b.number:
            block["start"] = next(starts)
        blocks.append(block)
    return blocks


_MIME_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+")


# Characters a URL may hold as they are; the rest (quotes, <, >, spaces, newlines)
# are percent-encoded so that src and href hold a valid URL, not just an escaped one.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def audio_view(audio: Audio | None, episode: Episode) -> dict | None:
    """The player's part of an episode page. The feed's itunes:duration is
    the best duration known; the export's ('24m') is rounded, so the total
    shown from it is marked as an estimate until the audio itself says."""
    if audio is None:
        return None
    seconds = audio.duration or episode.duration
    return {"url": quote(audio.url, safe=_URL_SAFE), "type": audio.type if _MIME_TYPE.fullmatch(audio.type) else "",
            "seconds": seconds, "total_display": ("" if audio.duration else "≈") + clock(seconds)}


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
        # A topic as an episode page links it: (name, slug of its page, or "" when it has none).
        self._topic_links = {name: (name, slug if self.has_page(slug) else "")
                             for name, slug in site.topic_slugs.items()}
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
                "transcript_js_url": urls.link(urls.asset("transcript.js")),
                "player_js_url": urls.link(urls.asset("player.js")),
                "player_css_url": urls.link(urls.asset("player.css")),
                "image": site.podcast_image,   # the show's artwork from its feed: og:image, never an <img>
            }
        }

    def _page(self, name: str, title: str, description: str = "", kind: str = "website", image: str = "",
              **extra) -> dict:
        site_title = self.site.config.title
        return {**self.common, **extra, "page": {
            "image": image or self.site.podcast_image,
            "title": title, "full_title": f"{title} · {site_title}" if title != site_title else title,
            "description": description or self.site.config.description, "kind": kind,
            "canonical": self.urls.absolute(name), "url": self.urls.link(name)}}

    def card(self, episode: Episode) -> Card:
        """An episode as listed on other pages (shared: never change one)."""
        return self.card_of(episode.slug)

    def card_of(self, slug: str) -> Card:
        if (card := self._cards.get(slug)) is None:
            card = self._cards[slug] = Card("card:" + self.site.pages[slug].key,
                                            functools.partial(self._card_fields, self.by_slug[slug]))
        return card

    def _card_fields(self, episode: Episode) -> dict:
        return {"title": episode.title, "url": self.urls.link(self.urls.episode(episode.slug)),
                "date": episode.date.isoformat(), "date_display": display_date(episode.date),
                "show": episode.show, "duration": format_duration(episode.duration),
                "excerpt": excerpt(self.site, episode)}

    def has_page(self, topic_slug: str) -> bool:
        """Whether a topic has a page: enough episodes share it (site.yaml's topic_page_episodes)."""
        return len(self.site.topics[topic_slug].episodes) >= self.site.config.topic_page_episodes

    @functools.cached_property
    def _by_year(self) -> dict[int, list[Episode]]:
        return self.site.years()   # once: the archive, the home page and the years' pages all list them

    def _paged_topics(self) -> list:
        return [t for t in self.site.topics.values() if self.has_page(t.slug)]

    # Pages -------------------------------------------------------------------------------------

    def listings(self) -> list[ListingInputs]:
        """The home page's listing, each topic's that has a page, and each show's when there are several."""
        site, card, card_of = self.site, self.card, self.card_of
        out = [ListingInputs("home", "", site.config.title, tuple(map(card, site.episodes)),
                             tuple((year, len(eps)) for year, eps in self._by_year.items()))]
        out += [ListingInputs("topic", t.slug, t.name, tuple(map(card_of, t.episodes)), ())
                for t in self._paged_topics()]
        if len(site.shows) > 1:
            out += [ListingInputs("show", s.slug, s.name, tuple(map(card_of, s.episodes)), ())
                    for s in site.shows.values()]
        return out

    def years(self) -> list[YearInputs]:
        """Each year's page in the archive, newest first."""
        years = list(self._by_year.items())
        return [YearInputs(year, tuple(map(self.card, episodes)), years[i - 1][0] if i > 0 else None,
                           years[i + 1][0] if i + 1 < len(years) else None)
                for i, (year, episodes) in enumerate(years)]

    def listing_pages(self, inputs: ListingInputs | YearInputs) -> list[tuple[str, dict]]:
        """(name, context) of a listing's front page and its numbered pages, from its inputs alone."""
        if isinstance(inputs, YearInputs):
            return [self.year_page(inputs)]
        urls, kind = self.urls, inputs.kind
        if kind == "home":
            front, numbered = urls.home(), urls.home_page
            years = [{"year": year, "url": urls.link(urls.year(year)), "count": count}
                     for year, count in inputs.years]
        else:
            if kind == "topic":
                front, numbered = urls.topic(inputs.slug), functools.partial(urls.topic_page, inputs.slug)
            else:
                front, numbered = urls.show(inputs.slug), functools.partial(urls.show_page, inputs.slug)
            group = {"name": inputs.name, "url": urls.link(front)}
            description = f"Episodes about {inputs.name}" if kind == "topic" else f"Episodes of {inputs.name}"
        pages = []
        for name, cards, pagination in self._listing(inputs.cards, front, numbered):
            number = pagination["number"]
            if kind == "home" and number:
                context = self._page(name, f"Episodes, page {number}", episodes=cards, pagination=pagination)
            elif kind == "home":
                context = self._page(name, inputs.name, episodes=cards, pagination=pagination,
                                     total=len(inputs.cards), years=years)
            else:
                title = f"{inputs.name}, page {number}" if number else inputs.name
                extra = {} if number else {"total": len(inputs.cards)}
                context = self._page(name, title, description, episodes=cards, pagination=pagination,
                                     **{kind: group}, **extra)
            pages.append((name, context))
        return pages

    def _listing(self, cards: tuple[Card, ...], front: str, numbered) -> list[tuple[str, list[Card], dict]]:
        """(name, cards, pagination) of a listing's front page and of its
        numbered pages (``fixed_pages``; ``numbered(N)`` names page N). The
        pagination of a numbered page holds nothing that a newer episode
        changes (no totals, no count of pages): it is rendered once, then reused."""
        size = self.site.config.page_size
        total = len(cards)
        pages, shown = fixed_pages(total, size)
        link = self.urls.link
        out = [(front, list(cards[:shown]),
                {"number": 0, "newer_url": "", "older_url": link(numbered(pages)) if pages else ""})]
        for number in range(1, pages + 1):
            chunk = cards[total - number * size:total - (number - 1) * size]
            out.append((numbered(number), list(chunk), {
                "number": number,
                "newer_url": link(numbered(number + 1)) if number < pages else link(front),
                "older_url": link(numbered(number - 1)) if number > 1 else "",
                "first": chunk[-1]["date_display"], "last": chunk[0]["date_display"]}))
        return out

    def _year_links(self) -> list[dict]:
        return [{"year": year, "url": self.urls.link(self.urls.year(year)), "count": len(eps)}
                for year, eps in self._by_year.items()]

    def episode_blocks(self, slug: str) -> list[dict]:
        """The transcript itself, which ``episode_page`` leaves out: the build
        adds it as ``episode.blocks`` only when the page has to be rendered."""
        audio = audio_view(self.site.audio.get(slug), self.by_slug[slug])
        return transcript_blocks(self.site.bodies[slug], audio["seconds"] if audio else 0)

    def episode_inputs(self, index: int) -> EpisodeInputs:
        """What the episode at ``index`` (newest first) is rendered from."""
        site, episodes = self.site, self.site.episodes
        episode = episodes[index]
        return EpisodeInputs(
            page=site.pages[episode.slug],
            newer=self.card(episodes[index - 1]) if index > 0 else None,
            older=self.card(episodes[index + 1]) if index + 1 < len(episodes) else None,
            related=tuple(map(self.card_of, site.related.get(episode.slug, ()))),
            topics=tuple(map(self._topic_links.__getitem__, episode.topics)),
            show_slug=site.show_slugs[episode.show] if episode.show and len(site.shows) > 1 else "",
            audio=site.audio.get(episode.slug))

    def episode_page(self, inputs: EpisodeInputs) -> tuple[str, dict]:
        """(name, context) of an episode page, from its inputs alone (see EpisodeInputs)."""
        episode, urls, found = inputs.page.episode, self.urls, inputs.audio
        name = urls.episode(episode.slug)
        words = inputs.page.word_count
        audio = audio_view(found, episode)
        view = {
            "title": episode.title, "show": episode.show,
            "show_url": urls.link(urls.show(inputs.show_slug)) if inputs.show_slug else "",
            "description": episode.description,
            "date": episode.date.isoformat(), "date_display": display_date(episode.date),
            "year_url": urls.link(urls.year(episode.date.year)),
            "duration": format_duration(episode.duration), "duration_iso": iso_duration(episode.duration),
            "audio_format": episode.audio_format,
            "audio": audio, "audio_seconds": audio["seconds"] if audio else 0,
            "word_count": words, "reading_minutes": max(1, round(words / WORDS_PER_MINUTE)),
            "topics": [{"name": name, "url": urls.link(urls.topic(slug)) if slug else ""}
                       for name, slug in inputs.topics],
            # Without a .txt on the site, the page makes the download (assets/transcript.js).
            "transcript_url": urls.link(urls.transcript(episode.slug)) if self.site.config.transcript_files else "",
            "transcript_file": f"{episode.slug}.txt",
            "transcript_header": transcript_header(urls, episode),
            "newer": inputs.newer, "older": inputs.older, "related": list(inputs.related),
        }
        description = episode.description or lead_excerpt(inputs.page.lead, 30)
        jsonld = {
            "@context": "https://schema.org", "@type": "PodcastEpisode",
            "name": episode.title, "url": urls.absolute(name),
            "datePublished": episode.date.isoformat(), "duration": iso_duration(episode.duration),
            "description": description,
            "partOfSeries": {"@type": "PodcastSeries", "name": episode.show or self.site.config.title},
        }
        if found:
            jsonld["associatedMedia"] = {"@type": "AudioObject", "contentUrl": found.url,
                                         "encodingFormat": found.type or audio_type(found.url),
                                         "duration": iso_duration(audio["seconds"])}
        return name, self._page(name, episode.title, description, kind="article", episode=view,
                                jsonld=json_for_script(jsonld), image=found.image if found else "")

    def archive_page(self) -> tuple[str, dict]:
        name = self.urls.archive()
        return name, self._page(name, "Archive", years=self._year_links())

    def year_page(self, inputs: YearInputs) -> tuple[str, dict]:
        """(name, context) of a year's page, its episodes by month, from its inputs alone."""
        months: list[dict] = []
        for card in inputs.cards:
            month = MONTHS[int(card["date"][5:7]) - 1]
            if not months or months[-1]["name"] != month:
                months.append({"name": month, "id": month.lower(), "episodes": []})
            months[-1]["episodes"].append(card)
        name, link, year = self.urls.year(inputs.year), self.urls.link, self.urls.year
        newer, older = inputs.newer, inputs.older
        return name, self._page(
            name, f"Episodes from {inputs.year}", year=inputs.year, months=months, count=len(inputs.cards),
            newer={"year": newer, "url": link(year(newer))} if newer else None,
            older={"year": older, "url": link(year(older))} if older else None)

    def topics_pages(self) -> list[tuple[str, dict]]:
        """The topics index. Up to ALL_TOPICS_UP_TO topics it lists them all;
        past that (tens of thousands of topics would make one page of
        megabytes) it shows the most discussed and an A–Z, with a page per
        initial, continued on further pages past TOPICS_PER_PAGE."""
        urls, link = self.urls, self.urls.link
        paged = self._paged_topics()
        entries = [{"name": t.name, "url": link(urls.topic(t.slug)), "count": len(t.episodes)} for t in paged]
        name = urls.topics()
        if len(entries) <= ALL_TOPICS_UP_TO:
            return [(name, self._page(name, "Topics", topics=entries, letters=[], letter=None, total=len(entries),
                                      pagination=None))]
        by_letter: dict[str, list[dict]] = {}
        for topic, entry in zip(paged, entries):
            by_letter.setdefault(topic_letter(topic.slug), []).append(entry)
        # On every letter's page: nothing in it may change when a topic is added under another letter.
        letters = [{"letter": letter, "label": letter.upper().replace("-", "–"),
                    "url": link(urls.topic_letter(letter))} for letter in sorted(by_letter)]
        top = heapq.nsmallest(TOP_TOPICS, entries, key=lambda e: (-e["count"], e["name"].casefold()))
        pages = [(name, self._page(name, "Topics", topics=top, letters=letters, letter=None, total=len(entries),
                                   pagination=None))]
        for letter in letters:
            found = by_letter[letter["letter"]]
            parts = max(1, math.ceil(len(found) / TOPICS_PER_PAGE))
            for part in range(1, parts + 1):
                name = urls.topic_letter(letter["letter"], part)
                title = f"Topics: {letter['label']}" + (f", page {part}" if part > 1 else "")
                pagination = {
                    "number": part,
                    "newer_url": link(urls.topic_letter(letter["letter"], part - 1)) if part > 1 else "",
                    "older_url": link(urls.topic_letter(letter["letter"], part + 1)) if part < parts else "",
                } if parts > 1 else None
                pages.append((name, self._page(
                    name, title, topics=found[(part - 1) * TOPICS_PER_PAGE:part * TOPICS_PER_PAGE],
                    letters=letters, letter=letter, total=len(found), pagination=pagination)))
        return pages

    def shows_page(self) -> list[tuple[str, dict]]:
        """The list of shows, when there are several."""
        if len(self.site.shows) < 2:
            return []
        shows = [{"name": s.name, "url": self.urls.link(self.urls.show(s.slug)), "count": len(s.episodes)}
                 for s in self.site.shows.values()]
        return [(self.urls.shows(), self._page(self.urls.shows(), "Shows", shows=shows))]

    def search_page(self, manifest: str) -> tuple[str, dict]:
        """``manifest``: the search index manifest's file name under search/."""
        name = self.urls.search()
        return name, self._page(name, "Search", "Search every transcript in the archive.",
                                search={"manifest_url": self.urls.link(name + manifest),
                                        "shows": sorted({e.show for e in self.site.episodes if e.show}),
                                        "years": sorted({e.date.year for e in self.site.episodes}, reverse=True)})

    def not_found_page(self) -> tuple[str, dict]:
        return "404.html", self._page("404.html", "Page not found")
