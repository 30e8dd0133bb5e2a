"""Related episodes: rarer shared topics first, and a rebuild that works
out again only the lists a change can reach, with the same result."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest

from generator.cache import RELATED, Cache
from generator.content import Episode
from generator import related
from generator.related import TOO_COMMON, related_episodes, related_table, signatures


def _episode(slug: str, day: int, topics: tuple[str, ...]) -> Episode:
    return Episode(path=Path(f"{slug}.md"), slug=slug, title=slug, show="", audio_format="mp3",
                   date=dt.date(2000, 1, 1) + dt.timedelta(days=day), duration=60, description="",
                   topics=topics, source_file="", body="", body_line=1)


def _related(episodes: list[Episode], count: int = 4) -> dict[str, tuple[str, ...]]:
    slugs = {t: t.lower() for e in episodes for t in e.topics}
    return related_episodes(signatures(episodes, slugs), count)


def test_a_rarer_shared_topic_counts_for_more():
    common = [_episode(f"c{i}", i, ("Common",)) for i in range(20)]
    episodes = [_episode("a", 100, ("Common", "Rare")), _episode("b", 0, ("Rare",)),
                _episode("near", 99, ("Common",)), *common]
    assert _related(episodes, 1)["a"] == ("b",)


def test_ties_go_to_the_episode_closest_in_date():
    episodes = [_episode(f"e{day}", day, ("Ferries",)) for day in (0, 10, 14, 30)]
    assert _related(episodes, 2)["e10"] == ("e14", "e0")


def test_a_topic_on_too_many_episodes_relates_nothing():
    episodes = [_episode(f"e{i}", i, ("Everything",)) for i in range(TOO_COMMON + 1)]
    assert set(_related(episodes).values()) == {()}


def _archive(rng: random.Random, n: int) -> list[Episode]:
    names = [f"Topic {k}" for k in range(60)]
    return [_episode(f"e{i}", rng.randrange(3000), tuple(rng.sample(names, rng.randrange(0, 5)))) for i in range(n)]


@pytest.mark.parametrize("too_common", [TOO_COMMON, 10, 11])
def test_a_rebuild_after_each_kind_of_change_equals_a_clean_build(tmp_path: Path, monkeypatch, too_common: int):
    # With 10 or 11, many of the 60 topics (about 10 episodes each) are too
    # common to count, and the changes below take some across that line.
    monkeypatch.setattr(related, "TOO_COMMON", too_common)
    rng = random.Random(7)
    episodes = sorted(_archive(rng, 300), key=lambda e: e.date, reverse=True)
    cache = Cache(tmp_path / "cache")
    slugs = {f"Topic {k}": f"topic-{k}" for k in range(61)}
    related_table(episodes, slugs, 4, cache)
    changes = {
        "newest": lambda eps: [_episode("new", 4000, ("Topic 1", "Topic 2")), *eps],
        "mid-archive": lambda eps: eps[:150] + [_episode("old", 1500, ("Topic 3", "Topic 60"))] + eps[150:],
        "retagged": lambda eps: [dataclasses.replace(eps[10], topics=("Topic 5",)), *eps[:10], *eps[11:]],
        "redated": lambda eps: [dataclasses.replace(eps[20], date=dt.date(2001, 1, 1)), *eps[:20], *eps[21:]],
        "removed": lambda eps: eps[:40] + eps[41:],
    }
    for change, edit in changes.items():
        episodes = edit(episodes)
        again = related_table(episodes, slugs, 4, cache)
        clean = related_table(episodes, slugs, 4, Cache(None))
        assert again == clean, change
        assert list(again) == [e.slug for e in episodes], change


def test_a_related_pack_not_as_written_is_only_a_miss(tmp_path: Path):
    episodes = _archive(random.Random(5), 60)
    slugs = {t: t for e in episodes for t in e.topics}
    cache = Cache(tmp_path / "cache")
    want = related_table(episodes, slugs, 4, Cache(None))
    related_table(episodes, slugs, 4, cache)
    pack = cache.get_pack(RELATED)
    for damaged in ({**pack, "related": {}}, {**pack, "signatures": None}, {**pack, "related": [1, 2]}):
        cache.put_pack(RELATED, damaged)
        assert related_table(episodes[1:], slugs, 4, cache) == related_table(episodes[1:], slugs, 4, Cache(None))
        cache.put_pack(RELATED, damaged)
        assert related_table(episodes, slugs, 4, cache) == want


def test_random_changes_give_the_lists_a_clean_build_gives(monkeypatch):
    # Small archives whose topic counts keep crossing powers of two and the
    # too-common line, most steps only adding episodes (the fast path).
    from generator.related import _update
    mismatches = []
    for seed in range(150):
        rng = random.Random(seed)
        monkeypatch.setattr(related, "TOO_COMMON", rng.choice([2, 3, 5, 8, 500]))
        names = [f"t{i}" for i in range(rng.randrange(3, 15))]

        def topics() -> tuple[str, ...]:
            return tuple(sorted(set(rng.sample(names, rng.randrange(0, 4)))))
        signed = {f"e{i}": (rng.randrange(50), topics()) for i in range(rng.randrange(5, 60))}
        table = related_episodes(signed, 3)
        for step in range(6):
            new = dict(signed)
            only_adding = rng.random() < 0.6
            for _ in range(rng.randrange(1, 4)):
                change = "add" if only_adding or not new else rng.choice(["add", "remove", "retag", "redate"])
                slug = rng.choice(list(new)) if new else ""
                if change == "add":
                    new[f"n{step}-{rng.randrange(1000)}"] = (rng.randrange(50), topics())
                elif change == "remove":
                    del new[slug]
                elif change == "retag":
                    new[slug] = (new[slug][0], topics())
                else:
                    new[slug] = (rng.randrange(50), new[slug][1])
            clean = related_episodes(new, 3)
            if _update(signed, table, new, 3) != clean:
                mismatches.append((seed, step))
            signed, table = new, clean
    assert mismatches == []
