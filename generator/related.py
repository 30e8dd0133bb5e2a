"""Related episodes: for each episode, the ones sharing its rarest topics.

An episode's list depends only on the episodes it shares a topic with: a
topic's weight is a function of its own episode count, not of the size of
the archive, and ties go to the episode closest in date, then by slug, not
by position. So a rebuild works out again only the episodes that share a
topic that counts (not too common) with one that was added, removed,
retagged or redated: at 10,000 episodes a new one touches about an eighth
of them, not all.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict

from generator.cache import RELATED, Cache, make_key
from generator.content import Episode

# A topic on more episodes than this says little ("Russia" on a Russia
# podcast) and is skipped, which keeps the work linear: at most this many
# candidates per topic of an episode.
TOO_COMMON = 500
# A topic on df episodes weighs log(1 + RARITY / df): rarer topics count for
# more. A constant, not the archive's size, so that a new episode changes
# the weight of its own topics only.
RARITY = 10_000


Signature = tuple[int, tuple[str, ...]]   # an episode's date (ordinal) and topic slugs


def signatures(episodes: list[Episode], topic_slugs: dict[str, str]) -> dict[str, Signature]:
    """What an episode's own part in the table depends on, by slug."""
    return {e.slug: (e.date.toordinal(), tuple(sorted({topic_slugs[t] for t in e.topics}))) for e in episodes}


def topic_weight(episodes: int) -> float | None:
    """What sharing a topic on this many episodes counts for (None: nothing,
    too common). The count is rounded up to a power of two, so that a new
    episode changes its topics' weights only when a count passes one: for
    every other topic, the lists of the episodes that have it stay as they
    were, but for the new episode as a candidate (``_update``)."""
    if not 0 < episodes <= TOO_COMMON:
        return None
    return math.log(1 + RARITY / (1 << (episodes - 1).bit_length()))


def related_episodes(signed: dict[str, Signature], count: int,
                     only: set[str] | None = None) -> dict[str, tuple[str, ...]]:
    """The ``count`` episodes related to each episode (to each in ``only``,
    if given), best first."""
    slugs = list(signed)
    days = [signed[s][0] for s in slugs]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, slug in enumerate(slugs):
        for topic in signed[slug][1]:
            postings[topic].append(i)
    weight = {t: w for t, p in postings.items() if (w := topic_weight(len(p))) is not None}
    out: dict[str, tuple[str, ...]] = {}
    for i, slug in enumerate(slugs):
        if only is not None and slug not in only:
            continue
        scores: dict[int, float] = {}
        get = scores.get
        for topic in signed[slug][1]:
            w = weight.get(topic)
            if w is not None:
                for j in postings[topic]:
                    scores[j] = get(j, 0.0) + w
        scores.pop(i, None)
        if len(scores) > count:
            # Only scores near the top can make the cut; sorting just those
            # keeps this fast when a topic is shared by hundreds of episodes.
            floor = heapq.nlargest(count, scores.values())[-1] - 1e-6
            scores = {j: s for j, s in scores.items() if s >= floor}
        best = _best(scores, days[i], days.__getitem__, slugs.__getitem__, count)
        out[slug] = tuple(slugs[j] for j in best)
    return out


def _best(scores: dict, day: int, day_of, slug_of, count: int) -> list:
    """The ``count`` best of ``scores`` (candidate -> score): highest score,
    then closest in date, then by slug. The one order of every list."""
    return sorted(scores, key=lambda j: (-round(scores[j], 9), abs(day_of(j) - day), slug_of(j)))[:count]


def related_table(episodes: list[Episode], topic_slugs: dict[str, str], count: int,
                  cache: Cache) -> dict[str, tuple[str, ...]]:
    """``related_episodes`` for every episode, worked out again only for the
    episodes whose lists can have changed since the last build."""
    signed = signatures(episodes, topic_slugs)
    settings = make_key(RELATED, str(count), str(TOO_COMMON), str(RARITY))
    last = cache.get_pack(RELATED)
    related = None
    if last.get("settings") == settings:
        try:
            if last["signatures"] == signed and last["related"].keys() == signed.keys():
                return last["related"]   # nothing changed: nothing to store either
            related = _update(last["signatures"], last["related"], signed, count)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):   # a pack not as written: a miss
            related = None
    if related is None:
        related = related_episodes(signed, count)
    cache.put_pack(RELATED, {"settings": settings, "signatures": signed, "related": related})
    return related


def _update(before: dict, related: dict, signed: dict, count: int) -> dict[str, tuple[str, ...]]:
    """The last table with the lists that can have changed worked out again."""
    changed = {s for s in signed.keys() | before.keys() if signed.get(s) != before.get(s)}
    topics = {t for s in changed for sig in (signed.get(s), before.get(s)) if sig for t in sig[1]}
    was, now = _counts(before, topics), _counts(signed, topics)
    if changed.isdisjoint(before):
        # Only new episodes (the usual rebuild): an episode sharing with them
        # only topics whose weight stayed as it was keeps its candidates and
        # their scores, and gains the new ones; its list is the best of its
        # old list and those. Where a weight changed, the list is made again.
        moved = {t for t in topics if topic_weight(was[t]) != topic_weight(now[t])}
        shared = {t for t in topics if topic_weight(now[t]) is not None} - moved
        redo = {s for s, (_, own) in signed.items() if s in changed or not moved.isdisjoint(own)}
        gaining = [s for s, (_, own) in signed.items() if s not in redo and not shared.isdisjoint(own)]
        fresh = related_episodes(signed, count, redo)
        fresh.update(_with_new(signed, related, gaining, changed, count))
        return {s: fresh[s] if s in fresh else related[s] for s in signed}
    # A topic too common both before and after weighs nothing in either table:
    # sharing only such topics with a changed episode changes no list.
    topics = {t for t in topics if min(was[t], now[t]) <= TOO_COMMON}
    redo = {s for s, (_, own) in signed.items() if s in changed or not topics.isdisjoint(own)}
    fresh = related_episodes(signed, count, redo)
    # In the archive's order, as a clean build makes it.
    return {s: fresh[s] if s in redo else related[s] for s in signed}


def _with_new(signed: dict[str, Signature], related: dict[str, tuple[str, ...]], gaining: list[str],
              added: set[str], count: int) -> dict[str, tuple[str, ...]]:
    """The lists of ``gaining`` with the ``added`` episodes as candidates
    too, ranked as ``related_episodes`` ranks (the same sums, in the same order)."""
    counts = _counts(signed, {t for slug in gaining for t in signed[slug][1]})
    weight = {t: topic_weight(n) for t, n in counts.items()}
    out = {}
    for slug in gaining:
        day, own = signed[slug]

        def score(other: str) -> float:
            theirs = set(signed[other][1])
            total = 0.0
            for topic in own:
                w = weight[topic]
                if w is not None and topic in theirs:
                    total += w
            return total
        candidates = {other: score(other) for other in (*related[slug], *added)}
        candidates = {other: s for other, s in candidates.items() if s > 0}
        out[slug] = tuple(_best(candidates, day, lambda other: signed[other][0], lambda other: other, count))
    return out


def _counts(signed: dict[str, Signature], topics: set[str]) -> dict[str, int]:
    """How many episodes have each of ``topics``."""
    counts = dict.fromkeys(topics, 0)
    for _, own in signed.values():
        for topic in own:
            if topic in counts:
                counts[topic] += 1
    return counts
