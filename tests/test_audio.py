"""Matching feed items to episodes: show, title and day must agree, one
item per episode, and a tie matches nothing rather than the wrong audio.
Hand edits in front matter win."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from generator.audio import (Audio, attach_audio, day_distance, match_items, normalise_title,
                             paragraph_starts)
from generator.content import Episode, parse_episode
from generator.errors import ContentError, Report
from generator.podcast_feed import Enclosure, Feed, FeedItem, parse_feed
from tests.growth_support import assert_linear

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
DURAN = "The Duran Podcast"


def _episode(title, date, show=DURAN, slug=None, audio=None) -> Episode:
    slug = slug or normalise_title(title).replace(" ", "-") + "-" + date.isoformat()
    return Episode(path=Path(f"content/episodes/{slug}.md"), slug=slug, title=title, show=show, date=date,
                   duration=1440, audio_format="mp3", description="", topics=(), source_file="", body="",
                   body_line=1, audio=audio)


SEED_1 = _episode("Putin & Lukashenko prepare for NATO escalation", dt.date(2024, 5, 25), slug="putin")
SEED_2 = _episode("Belarus joins SCO. Eurasia grows stronger", dt.date(2024, 7, 7), slug="belarus")


def _feed(name):
    return parse_feed((FEEDS / name).read_bytes(), name)[0]


def test_titles_match_whatever_their_number_quotes_dashes_accents_and_case():
    same = ["#123 – Putin’s “plan” for Erdoğan", "Ep. 12: Putin's \"plan\" for Erdogan",
            "Episode 7 - PUTIN'S PLAN FOR ERDOGAN!", "123. Putin’s plan — for Erdoğan", "Ep12: Putin's plan for Erdogan",
            "Episode12 – Putin’s plan for Erdoğan"]
    assert len({normalise_title(t) for t in same}) == 1
    assert normalise_title("2024 in review") == "2024 in review"   # a year is not an episode number
    assert normalise_title("Epic 12: tales") == "epic 12 tales"     # a word that starts with 'ep' is not a number


def test_the_seed_feed_matches_both_seeds_and_nothing_else():
    audio, warnings = match_items([SEED_1, SEED_2], [_feed("matching.xml")])
    assert audio["putin"].url == "https://media.example.com/duran/101.mp3?src=feed&n=1"
    assert (audio["putin"].duration, audio["putin"].image) == (1475, "https://show.example.com/101.jpg")
    # numbered, and published at 23:30 in UTC-7, which is already the 8th in UTC
    assert audio["belarus"].url == "https://media.example.com/duran/112.mp3"
    assert audio["belarus"].image == "https://show.example.com/artwork.jpg"   # the channel's
    assert warnings == []


def test_a_rebroadcast_a_year_later_is_not_the_episode():
    later = _episode("Putin & Lukashenko prepare for NATO escalation", dt.date(2025, 5, 25), slug="again")
    audio, _ = match_items([SEED_1, later], [_feed("matching.xml")])
    assert audio["putin"].url.endswith("/101.mp3?src=feed&n=1")
    assert audio["again"].url.endswith("/rebroadcast-101.mp3")   # its own item, not the original's


def test_another_show_with_the_same_title_is_not_matched():
    other = _episode(SEED_1.title, SEED_1.date, show="Some Other Show", slug="other")
    audio, _ = match_items([other], [_feed("matching.xml")])
    assert audio == {}


def test_two_items_for_one_episode_tie_and_match_neither():
    audio, warnings = match_items([SEED_1], [_feed("ties.xml")])
    assert audio == {}
    assert len(warnings) == 1 and "several feed items could be its audio" in warnings[0]


def test_one_item_for_two_episodes_on_the_same_day_matches_neither():
    twin = _episode(SEED_1.title, SEED_1.date, slug="putin-twin")
    audio, warnings = match_items([SEED_1, twin], [_feed("matching.xml")])
    assert "putin" not in audio and "putin-twin" not in audio
    assert any("could be any of several episodes" in w for w in warnings)


def test_the_same_title_a_week_apart_goes_to_the_right_episode_each():
    show = "A Made-Up Show"
    first = _episode("Weekly roundup", dt.date(2024, 5, 1), show, "roundup-1")
    second = _episode("Weekly Roundup", dt.date(2024, 5, 8), show, "roundup-2")
    audio, warnings = match_items([second, first], [_feed("same_title.xml")])
    assert audio["roundup-1"].url.endswith("roundup-1.mp3") and audio["roundup-2"].url.endswith("roundup-2.mp3")
    assert warnings == []


def test_the_closer_day_wins_over_the_day_after():
    show = "A Made-Up Show"
    mine = _episode("Daily", dt.date(2024, 5, 2), show, "daily-2")
    feed = Feed("f", show, "", tuple(
        FeedItem("Daily", dt.datetime(2024, 5, d, 12, tzinfo=dt.timezone.utc),
                 Enclosure(f"https://media.example.com/{d}.mp3", "1", "audio/mpeg"), None, "", str(d))
        for d in (1, 2, 3)))
    audio, warnings = match_items([mine], [feed])
    assert audio["daily-2"].url.endswith("/2.mp3") and warnings == []


@pytest.mark.parametrize("published, distance", [
    ("2024-05-25T00:00:00+00:00", 0),
    ("2024-05-24T23:00:00-05:00", 0),    # the 25th in UTC, still the 24th where it was written
    ("2024-05-24T11:00:00+00:00", 0),    # already the 25th at UTC+14
    ("2024-05-26T11:00:00+00:00", 0),    # still the 25th at UTC-12
    ("2024-05-26T13:00:00+00:00", 1),
    ("2024-05-23T12:00:00+00:00", 1),
    ("2024-05-27T13:00:00+00:00", None),
    ("2024-05-22T09:00:00+00:00", None),
])
def test_a_day_either_side_in_any_time_zone(published, distance):
    assert day_distance(dt.datetime.fromisoformat(published), dt.date(2024, 5, 25)) == distance


def test_trailers_and_an_empty_channel_match_nothing_and_do_not_fail():
    audio, warnings = match_items([SEED_1], [_feed("empty_channel.xml")])
    assert audio == {} and warnings == []


def test_matching_grows_linearly_with_the_archive():
    def prepare(n):
        episodes = [_episode(f"Episode about topic {i}", dt.date(2020, 1, 1) + dt.timedelta(days=i), "Show",
                             f"e{i}") for i in range(n)]
        feed = Feed("f", "Show", "", tuple(
            FeedItem(f"#{i} – Episode about topic {i}",
                     dt.datetime.combine(e.date, dt.time(9), dt.timezone.utc),
                     Enclosure(f"https://media.example.com/{i}.mp3", "1", "audio/mpeg"), None, "", str(i))
            for i, e in enumerate(episodes)))

        def match():
            audio, _ = match_items(episodes, [feed])
            assert len(audio) == n
        return match
    assert_linear(prepare, 2500)


def test_hand_edits_win_and_the_report_counts_them():
    pinned = _episode("Pinned", dt.date(2024, 5, 25), slug="pinned",
                      audio=Audio("https://media.example.com/mine.mp3", source="front matter"))
    cleared = _episode(SEED_2.title, SEED_2.date, slug="cleared", audio=False)
    lonely = _episode("Never in the feed", dt.date(2024, 1, 1), slug="lonely")
    warned = []
    audio, report = attach_audio([SEED_1, pinned, cleared, lonely], [_feed("matching.xml")],
                                 ("matching.xml",), warned.append)
    assert audio["pinned"].url == "https://media.example.com/mine.mp3"
    assert "cleared" not in audio and audio["putin"].url.endswith("/101.mp3?src=feed&n=1")
    assert report.line() == "audio: 2 of 3 episodes matched (feed: matching.xml; 1 set by hand; 1 cleared by hand)"
    assert report.unmatched == ["2024-01-01  Never in the feed  (content/episodes/lonely.md)"]


def test_an_unmatched_title_is_listed_on_one_line_with_its_controls_escaped():
    forged = _episode("Never\nerror: forged \u202eevil", dt.date(2024, 1, 1), slug="forged")
    _, report = attach_audio([forged], [_feed("matching.xml")], ("matching.xml",), [].append)
    assert report.unmatched == ["2024-01-01  Never\\nerror: forged \\u202eevil  (content/episodes/forged.md)"]


def test_paragraph_starts_follow_the_words_before_them():
    assert paragraph_starts(["one two", "three four five six", "seven eight"], 80) == [0, 20, 60]
    assert paragraph_starts([], 80) == []
    assert paragraph_starts(["a", "b"], 10 ** 400)[1] == 10 ** 400 // 2   # a hand-typed duration, however absurd


# Front matter ------------------------------------------------------------------------------

def _page(audio_yaml: str) -> bytes:
    return f"---\ntitle: T\ndate: 2024-05-25\n{audio_yaml}\n---\n\nWords.\n".encode()


@pytest.mark.parametrize("text, expected", [
    ("", None),
    ("audio: false", False),
    ("audio:", False),
    ("audio: null", False),
    ("audio:\n  url: https://media.example.com/a.mp3", Audio("https://media.example.com/a.mp3", source="front matter")),
    ("audio:\n  url: https://media.example.com/a.mp3\n  type: audio/mp4\n  length: 1234\n  duration: 1h 2m",
     Audio("https://media.example.com/a.mp3", "audio/mp4", "1234", 3720, source="front matter")),
    ("audio:\n  url: https://media.example.com/a.mp3\n  duration: 1475",
     Audio("https://media.example.com/a.mp3", duration=1475, source="front matter")),
])
def test_front_matter_audio(text, expected):
    assert parse_episode(_page(text), Path("x.md")).audio == expected


@pytest.mark.parametrize("text, reason", [
    ("audio: https://media.example.com/a.mp3", "must be a mapping"),
    ("audio:\n  url: javascript:alert(1)", "http:// or https://"),
    ("audio:\n  type: audio/mpeg", "http:// or https://"),
    ("audio:\n  url: https://a.example.com/x.mp3\n  lenght: 3", "unknown key 'lenght'"),
    ("audio:\n  url: https://a.example.com/x.mp3\n  duration: soon", "unreadable duration"),
    ("audio:\n  url: https://a.example.com/x.mp3\n  length: -3", "number of bytes"),
    ("audio:\n  url: https://a.example.com/x.mp3\n  length: " + "9" * 5000, "too large"),
])
def test_bad_front_matter_audio_is_an_error_on_its_line(text, reason):
    with pytest.raises(ContentError, match=reason) as caught:
        parse_episode(_page(text), Path("x.md"))
    assert caught.value.line == 4


# The build, as a user runs it -----------------------------------------------------------------

def _site(tmp_path: Path, feeds: list[str]) -> Path:
    import shutil
    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo / "seeds", tmp_path / "seeds")
    shutil.copytree(FEEDS, tmp_path / "feeds")
    (tmp_path / "site.yaml").write_text(f"templates_dir: {repo / 'templates'}\npodcast_feeds:\n" + "".join(f"- feeds/{f}\n" for f in feeds))
    return tmp_path


def test_the_build_ends_with_the_audio_report_and_lists_the_unmatched_when_verbose(tmp_path):
    from tests.test_cli import generator
    root = _site(tmp_path, ["ties.xml", "doctype.xml"])
    run = generator("build", "--verbose", cwd=root)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-3] == "audio: 0 of 2 episodes matched (feed: feeds/ties.xml)"
    assert lines[-2:] == [f"  no audio: 2024-07-07  Belarus joins SCO. Eurasia grows stronger  "
                          f"({root / 'content/episodes/belarus-joins-sco-eurasia-grows-stronger.md'})",
                          f"  no audio: 2024-05-25  Putin & Lukashenko prepare for NATO escalation  "
                          f"({root / 'content/episodes/putin-lukashenko-prepare-for-nato-escalation.md'})"]
    assert "warning: feeds/doctype.xml: refused: it declares a DTD" in run.stderr
    assert "several feed items could be its audio" in run.stderr
    assert "Putin & Lukashenko" in (root / ".cache" / "audio-unmatched.txt").read_text()
    assert generator("build", "--strict", cwd=root).returncode == 1   # the warnings count


def test_a_hand_pinned_page_keeps_its_audio_through_a_reimport(tmp_path):
    from tests.test_cli import generator
    root = _site(tmp_path, ["matching.xml"])
    assert generator("build", cwd=root).returncode == 0
    page = root / "content/episodes/belarus-joins-sco-eurasia-grows-stronger.md"
    text = page.read_text().replace("slug:", "audio:\n  url: https://media.example.com/mine.mp3\nslug:", 1)
    page.write_text(text)
    putin = root / "content/episodes/putin-lukashenko-prepare-for-nato-escalation.md"
    putin.write_text(putin.read_text().replace("slug:", "audio: false\nslug:", 1))
    seed = root / "seeds/003_016b23e006a442db.txt"
    seed.write_text(seed.read_text() + " One more sentence.")   # the transcript changed
    run = generator("build", cwd=root)
    assert page.read_text() == text and "edited by hand" in run.stderr
    assert run.stdout.splitlines()[-1] == \
        "audio: 1 of 1 episodes matched (feed: feeds/matching.xml; 1 set by hand; 1 cleared by hand)"
    html = (root / "_site/episodes/belarus-joins-sco-eurasia-grows-stronger.html").read_text()
    assert "https://media.example.com/mine.mp3" in html
    assert "<audio" not in (root / "_site/episodes/putin-lukashenko-prepare-for-nato-escalation.html").read_text()


def test_a_changed_feed_changes_the_pages_on_the_next_build(tmp_path):
    from tests.test_cli import generator
    root = _site(tmp_path, ["matching.xml"])
    assert generator("build", cwd=root).returncode == 0
    page = root / "_site/episodes/putin-lukashenko-prepare-for-nato-escalation.html"
    assert "duran/101.mp3" in page.read_text()
    feed = root / "feeds/matching.xml"
    feed.write_text(feed.read_text().replace("duran/101.mp3", "duran/101-remastered.mp3"))
    assert generator("build", cwd=root).returncode == 0
    assert "duran/101-remastered.mp3" in page.read_text()
    assert "duran/101-remastered.mp3" in (root / "_site/feed.xml").read_text()
    feed.write_text("<rss><channel><title>The Duran Podcast</title></channel></rss>")
    run = generator("build", cwd=root)
    assert "<audio" not in page.read_text() and "audio: 0 of 2 episodes matched" in run.stdout


def test_serve_and_watch_watch_a_feed_file_and_list_the_unmatched_when_verbose(tmp_path):
    from generator.config import load_config
    from generator.watch import Rebuilder, watched_paths
    root = _site(tmp_path, ["ties.xml"])
    config = load_config(root / "site.yaml")
    assert (root / "feeds").resolve() in watched_paths(config)
    out, err = io.StringIO(), io.StringIO()
    rebuilder = Rebuilder(config, lambda: config, root / "site.yaml", verbose=True, out=out, err=err)
    assert rebuilder.rebuild("start").ok, err.getvalue()
    printed = out.getvalue()
    assert "audio: 0 of 2 episodes matched (feed: feeds/ties.xml)" in printed
    assert "  no audio: 2024-05-25  Putin & Lukashenko prepare for NATO escalation" in printed


@pytest.mark.parametrize("published, broadcast, distance", [
    ("Fri, 31 Dec 9999 23:00:00 -1200", dt.date.max, 0),    # year 10000 in UTC
    ("0001-01-01T00:00:00+14:00", dt.date.min, 0),         # year 0 in UTC (RFC 822 reads '0001' as 2001)
    ("Fri, 31 Dec 9999 12:00:00 +0000", dt.date.max, 0),    # the day after the broadcast is year 10000
    ("0001-01-01T12:00:00+00:00", dt.date.min, 0),
    ("Fri, 31 Dec 9999 12:00:00 +0000", dt.date(2024, 5, 25), None),
])
def test_dates_at_the_ends_of_the_calendar_do_not_crash_the_match(published, broadcast, distance):
    from generator.podcast_feed import parse_pub_date

    moment = dt.datetime.fromisoformat(published) if published[0].isdigit() else parse_pub_date(published)
    assert day_distance(moment, broadcast) == distance
    episode = _episode("Putin at the end of time", broadcast, slug="end")
    item = FeedItem("Putin at the end of time", moment, Enclosure("https://media.example.com/e.mp3", "1", "audio/mpeg"),
                    None, "", "e")
    audio, _ = match_items([episode], [Feed("f.xml", DURAN, "", (item,))])
    assert ("end" in audio) == (distance is not None)


def test_thousands_of_items_of_one_title_cost_linear_time_and_one_short_warning():
    def prepare(count):
        episode = _episode("Same title", dt.date(2024, 5, 25), slug="same")
        noon = dt.datetime(2024, 5, 25, 12, tzinfo=dt.timezone.utc)
        items = tuple(FeedItem("Same title", noon + dt.timedelta(seconds=i),
                               Enclosure(f"https://media.example.com/{i}.mp3", "1", "audio/mpeg"), None, "", str(i))
                      for i in range(count))
        return lambda: match_items([episode], [Feed("f.xml", DURAN, "", items)])

    audio, warnings = prepare(4000)()
    assert audio == {} and len(warnings) == 1 and "and 3995 more" in warnings[0] and len(warnings[0]) < 400
    assert_linear(prepare, 1000)   # quadratic was 4x for twice the items, and more


def test_an_item_that_could_be_any_of_many_episodes_gets_one_short_warning():
    episodes = [_episode("Same title", dt.date(2024, 5, 25), slug=f"same-{i}") for i in range(40)]
    item = FeedItem("Same title", dt.datetime(2024, 5, 25, 12, tzinfo=dt.timezone.utc),
                    Enclosure("https://media.example.com/x.mp3", "1", "audio/mpeg"), None, "", "x")
    audio, warnings = match_items(episodes, [Feed("f.xml", DURAN, "", (item,))])
    assert audio == {} and len(warnings) == 1
    assert "could be any of several episodes" in warnings[0] and "and 35 more" in warnings[0]
    assert len(warnings[0]) < 400


def test_a_rebuild_matches_again_only_when_the_feed_or_an_episode_changed(tmp_path, monkeypatch):
    # The match is kept with what it was made from; its warnings are given on every build.
    from generator import audio
    from generator.config import load_config
    from generator.site import build_model
    root = _site(tmp_path, ["same_title.xml", "matching.xml"])
    (root / "content" / "episodes").mkdir(parents=True)
    from generator.importer import import_site
    config = load_config(root / "site.yaml")
    import_site(config, Report(stream=io.StringIO()))
    matched = []
    real = audio.attach_audio
    monkeypatch.setattr(audio, "attach_audio", lambda *a: matched.append(1) or real(*a))

    def run():
        report = Report(stream=io.StringIO())
        site = build_model(config, report)
        found, _, summary = audio.episode_audio(config, site.episodes, report)
        return found, summary.line(), report.stream.getvalue()

    first = run()
    assert run() == first and len(matched) == 1
    feed = root / "feeds" / "matching.xml"
    feed.write_text(feed.read_text(encoding="utf-8").replace("https://", "https://cdn."), encoding="utf-8")
    changed = run()
    assert len(matched) == 2 and changed[0] != first[0]
    assert all(a.url.startswith("https://cdn.") for a in changed[0].values() if a.source.endswith("matching.xml"))
