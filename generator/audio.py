"""The audio stage: each episode's audio, from its page's front matter or
matched from the show's own podcast feed, and a report of what was missed.

An item matches an episode when its channel is the episode's show, its
title is the episode's title (both normalised: case, accents, quote and dash
styles, punctuation, a leading episode number), and its pubDate falls on the
broadcast day, the day before or the day after, read in some time zone from
UTC-12 to UTC+14. Where an item could be either of two episodes, or an
episode either of two items, neither is matched: a missing player is better
than the wrong audio.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import shown
from generator.podcast_feed import Feed, FeedItem

if TYPE_CHECKING:
    from generator.content import Episode

UNMATCHED_FILE = "audio-unmatched.txt"   # in cache_dir: the episodes the last build found no audio for


@dataclass(frozen=True)
class Audio:
    """An episode's audio file, as the show's feed (or the page) gives it."""
    url: str
    type: str = ""          # MIME type as given, e.g. audio/mpeg; "" if not given
    length: str = ""        # bytes, as given; "" if not given
    duration: int | None = None   # seconds, from itunes:duration or the page
    image: str = ""         # the item's itunes:image, or the channel's
    source: str = ""        # the feed entry it came from, or "front matter"


def audio_type(url: str) -> str:
    """The MIME type a file name suggests, for audio set by hand without one."""
    import mimetypes
    from urllib.parse import urlsplit

    guessed = mimetypes.guess_type(urlsplit(url).path)[0] or ""
    return guessed if guessed.startswith("audio/") else "audio/mpeg"


# Normalising titles -------------------------------------------------------------------------

# '#123 –', 'Ep. 12:', 'Ep12:', 'Episode 7 -', '#5' at the start of a title; a bare number
# only with a separator ('123. ', '12 | '), so '2024 in review' keeps its year.
_EPISODE_NUMBER = re.compile(r"^\s*(?:(?:(?:episode|ep)(?:\b|(?=\d))\.?\s*#?|#)\s*\d+\s*[:.|/)\]-]*|\d+\s*[:.|/)\]-]+(?=\s))\s*",
                             re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """Case and accents gone, '&' as 'and', every dash, quote and other punctuation a space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("&", " and "))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Apostrophes join words ("Putin's" and "Putin’s" and "Putins" alike).
    bare = bare.replace("'", "").replace("\u2019", "").replace("\u02bc", "")
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def normalise_title(title: str) -> str:
    # Dashes first, so '#123 – Title' and '#123 - Title' lose the same prefix.
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", unicodedata.normalize("NFKC", title))
    return _fold(_EPISODE_NUMBER.sub("", text, count=1))


def normalise_show(show: str) -> str:
    return _fold(show)


# Dates --------------------------------------------------------------------------------------

_EARLIEST_ZONE = 14 * 3600   # UTC+14 starts a day 14 hours before UTC
_LATEST_ZONE = 12 * 3600     # UTC-12 ends it 12 hours after
_DAY = 86400


def _utc_seconds(moment: dt.datetime) -> float:
    """Seconds in UTC since the calendar's start. Plain numbers, because a
    feed's 'Fri, 31 Dec 9999 23:00 -1200' is year 10000 in UTC, which no
    datetime can hold."""
    offset = moment.utcoffset() or dt.timedelta()
    clock = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return moment.toordinal() * _DAY + clock - offset.total_seconds()


def day_distance(published: dt.datetime, broadcast: dt.date) -> int | None:
    """0 when ``published`` falls on the broadcast day in some time zone, 1
    when on the day before or after, None when further away."""
    moment = _utc_seconds(published)
    day = broadcast.toordinal() * _DAY
    for distance in (0, 1):
        start = day - distance * _DAY - _EARLIEST_ZONE
        end = day + (1 + distance) * _DAY + _LATEST_ZONE
        if start <= moment < end:
            return distance
    return None


def closeness(published: dt.datetime, broadcast: dt.date) -> tuple[int, int] | None:
    """How near an item's pubDate is to a broadcast day, for ranking two
    candidates: ``day_distance`` first, then the days between the broadcast
    and the pubDate's own date in the zone it was written in."""
    distance = day_distance(published, broadcast)
    return None if distance is None else (distance, abs((published.date() - broadcast).days))


# Matching -----------------------------------------------------------------------------------

@dataclass
class AudioReport:
    """What the build says about audio at its end."""
    feeds: tuple[str, ...]
    episodes: int = 0                 # episodes that could have audio (not cleared by hand)
    matched: int = 0                  # from a feed
    pinned: int = 0                   # set by hand in front matter
    cleared: int = 0                  # cleared by hand
    unmatched: list[str] = field(default_factory=list)   # "DATE  TITLE  (content/episodes/x.md)"

    def line(self) -> str:
        extra = [f"{self.pinned} set by hand"] * bool(self.pinned) + [f"{self.cleared} cleared by hand"] * bool(self.cleared)
        return (f"audio: {self.matched + self.pinned} of {self.episodes} episodes matched "
                f"(feed: {', '.join(self.feeds) or 'none read'}{'; ' if extra else ''}{'; '.join(extra)})")

    def unmatched_text(self) -> str:
        head = f"# Episodes without audio after the last build ({len(self.unmatched)}); {self.line()}\n"
        return head + "".join(line + "\n" for line in self.unmatched)


def _item_audio(item: FeedItem, feed: Feed) -> Audio:
    enclosure = item.enclosure
    return Audio(url=enclosure.url, type=enclosure.type, length=enclosure.length, duration=item.duration,
                 image=item.image or feed.image, source=feed.source)


def match_items(episodes: list[Episode], feeds: list[Feed]) -> tuple[dict[str, Audio], list[str]]:
    """Audio by episode slug from the feeds, and a warning per tie.

    Episodes are indexed by (show, title) once; each item then looks up only
    the episodes of its own title, so 10,000 episodes cost 10,000 look-ups,
    not 10,000 squared comparisons."""
    index: dict[tuple[str, str], list[Episode]] = defaultdict(list)
    for episode in episodes:
        index[normalise_show(episode.show), normalise_title(episode.title)].append(episode)
    # For each side, its candidates on the other side with their day distance.
    of_item: dict[int, list[tuple[tuple[int, int], Episode]]] = {}
    of_episode: dict[str, list[tuple[tuple[int, int], int]]] = defaultdict(list)
    items: list[tuple[FeedItem, Feed]] = []
    for feed in feeds:
        show = normalise_show(feed.title)
        for item in feed.items:
            if item.enclosure is None or item.published is None:
                continue   # a trailer, or an item that cannot be placed in time
            found = []
            for episode in index.get((show, normalise_title(item.title)), ()):
                distance = closeness(item.published, episode.date)
                if distance is not None:
                    found.append((distance, episode))
            if found:
                number = len(items)
                items.append((item, feed))
                of_item[number] = found
                for distance, episode in found:
                    of_episode[episode.slug].append((distance, number))
    audio: dict[str, Audio] = {}
    warnings: list[str] = []
    winners: dict[str, int | None] = {}   # each episode's closest item, found once: a feed can hold
    for number, found in of_item.items():   # thousands of items of one title
        item, feed = items[number]
        best = _unique_best(found)
        if best is None:
            named = [f"{e.date.isoformat()} {e.slug}" for _, e in found]
            names = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
            warnings.append(f"{feed.source}: item {item.title!r} could be any of several episodes ({names}); "
                            "matched to none")
            continue
        rivals = of_episode[best.slug]
        if best.slug not in winners:
            winners[best.slug] = _unique_best(rivals)
            if winners[best.slug] is None:
                when = sorted(items[n][0].published.isoformat() for _, n in rivals)
                shown = ", ".join(when[:5]) + (f" and {len(when) - 5} more" if len(when) > 5 else "")
                warnings.append(f"{best.path}: several feed items could be its audio (published {shown}); "
                                "matched to none")
        if winners[best.slug] != number:   # another item is closer to this episode, or ties with this one
            continue
        audio[best.slug] = _item_audio(item, feed)
    return audio, sorted(set(warnings))


def _unique_best(candidates: list[tuple[tuple[int, int], object]]):
    """The candidate strictly closest in days, or None where two tie."""
    ordered = sorted(candidates, key=lambda c: c[0])
    if len(ordered) > 1 and ordered[0][0] == ordered[1][0]:
        return None
    return ordered[0][1]


def attach_audio(episodes: list[Episode], feeds: list[Feed], feed_entries: tuple[str, ...],
                 warn) -> tuple[dict[str, Audio], AudioReport]:
    """Each episode's audio: its front matter's if it sets one (a pin wins,
    and ``audio: false`` means none), else the feed's match."""
    matched, warnings = match_items([e for e in episodes if e.audio is None], feeds)
    for warning in warnings:
        warn(warning)
    report = AudioReport(feeds=feed_entries)
    audio: dict[str, Audio] = {}
    for episode in episodes:
        if episode.audio is False:
            report.cleared += 1
            continue
        report.episodes += 1
        if isinstance(episode.audio, Audio):
            audio[episode.slug] = episode.audio
            report.pinned += 1
        elif episode.slug in matched:
            audio[episode.slug] = matched[episode.slug]
            report.matched += 1
        else:
            # Printed under --verbose: a title's control or bidi characters are shown escaped.
            report.unmatched.append(shown(f"{episode.date.isoformat()}  {episode.title}  ({episode.path})"))
    return audio, report


def _attach_cached(episodes: list[Episode], feeds: list[Feed], feed_entries: tuple[str, ...], warn,
                   cache_dir: Path) -> tuple[dict[str, Audio], AudioReport]:
    """``attach_audio``, or the last build's result when the feeds and what
    it reads of each episode are as they were: matching 10,000 episodes
    (their titles normalised) took 0.1 s of every build, a new episode or not.
    Its warnings are given again, as every build reports them."""
    from generator.cache import AUDIO, Cache, make_key

    cache = Cache(cache_dir)
    key = make_key("audio", repr(feeds), repr(feed_entries),
                   *(f"{e.slug}\0{e.show}\0{e.title}\0{e.date}\0{e.audio!r}\0{e.path}" for e in episodes))
    stored = cache.get(AUDIO, "match")
    if isinstance(stored, tuple) and len(stored) == 4 and stored[0] == key:
        _, audio, report, warnings = stored
    else:
        warnings = []
        audio, report = attach_audio(episodes, feeds, feed_entries, warnings.append)
        cache.put(AUDIO, "match", (key, audio, report, warnings))
    for warning in warnings:
        warn(warning)
    return audio, report


def write_unmatched(cache_dir: Path, report: AudioReport) -> Path:
    from generator.cache import write_replacing

    path = cache_dir / UNMATCHED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = report.unmatched_text().encode("utf-8")
    write_replacing(path, lambda f: f.write(text))
    return path


# Where a paragraph starts ----------------------------------------------------------------------

def paragraph_starts(paragraphs: tuple[str, ...] | list[str], seconds: int) -> list[int]:
    """Each paragraph's estimated start in whole seconds: the share of the
    transcript's words before it, times the duration. Speech runs at a
    roughly even pace, so the estimate drifts by seconds, not minutes."""
    counts = [len(p.split()) for p in paragraphs]
    total = sum(counts) or 1
    starts, before = [], 0
    for count in counts:
        starts.append(before * seconds // total)   # whole numbers: a huge hand-set duration cannot overflow
        before += count
    return starts


def clock(seconds: int) -> str:
    """'12:31', '1:02:05'."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def episode_audio(config, episodes: list[Episode], report, timeout: float | None = None
                  ) -> tuple[dict[str, Audio], str, AudioReport | None]:
    """The stage as the build runs it: read the feeds site.yaml names, match
    them, and keep the list of episodes left without audio in the cache.
    Returns the audio by slug, the show's image (the first feed's that has
    one) and the report, which is None when site.yaml names no feed."""
    from generator.podcast_feed import read_feeds

    feeds = read_feeds(config.podcast_feeds, config.root, config.cache_dir, report, timeout) \
        if config.podcast_feeds else []
    audio, summary = _attach_cached(episodes, feeds, tuple(f.source for f in feeds), report.warn, config.cache_dir)
    image = next((f.image for f in feeds if f.image), "")
    if not config.podcast_feeds:
        return audio, image, None
    try:
        write_unmatched(config.cache_dir, summary)
    except OSError as exc:
        report.warn(f"{config.cache_dir / UNMATCHED_FILE}: cannot write: {exc.strerror or exc}")
    return audio, image, summary
