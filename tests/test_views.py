"""View models: what the templates get for each page."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from generator.config import SiteConfig
from generator.content import Episode
from generator.load import Bodies, Loaded
from generator.site import Site
from generator.urls import Urls
from generator.audio import Audio
from generator.views import MONTHS, EpisodeInputs, ListingInputs, Views, YearInputs
from tests.growth_support import assert_linear


def _site(n: int, page_size: int) -> Site:
    """n episodes, one every ten days (so a year every 36 or so), newest first."""
    first = dt.date(1990, 1, 1)
    episodes = [Episode(path=Path(f"e{i}.md"), slug=f"e{i}", title=f"Episode {i}", show="", audio_format="mp3",
                        date=first + dt.timedelta(days=10 * i), duration=60, description="", topics=(),
                        source_file="", body="", body_line=1) for i in reversed(range(n))]
    pages = {e.slug: Loaded(e, e.slug, "Some words of the episode", 5) for e in episodes}
    config = dataclasses.replace(SiteConfig(), page_size=page_size)
    return Site(config=config, episodes=episodes, pages=pages, bodies=Bodies([]), topics={}, topic_slugs={},
                shows={}, show_slugs={})


def test_the_home_page_lists_the_years_and_the_numbered_pages_do_not():
    views = Views(_site(100, 10), Urls("http://localhost:8000/"))
    home = next(inputs for inputs in views.listings() if inputs.kind == "home")
    pages = dict(views.listing_pages(home))
    assert [y["year"] for y in pages[""]["years"]] == list(range(1992, 1989, -1))
    assert sum(y["count"] for y in pages[""]["years"]) == 100
    assert all("years" not in page for name, page in pages.items() if name)


def test_home_pages_cost_grows_linearly_with_the_archive():
    # Two episodes a page: a year list worked out again for every numbered
    # page (it once was) costs the number of pages times the number of episodes.
    def prepare(n: int):
        views = Views(_site(n, 2), Urls("http://localhost:8000/"))
        return lambda: [views.listing_pages(inputs) for inputs in views.listings()]
    assert_linear(prepare, 1000)


def _changed(inputs: EpisodeInputs, views: Views) -> dict[str, EpisodeInputs]:
    """The inputs with each field in turn given another value a page would show."""
    page = inputs.page
    other = views.card(views.site.episodes[-1])
    return {
        "page": dataclasses.replace(inputs, page=Loaded(dataclasses.replace(page.episode, title="Retitled"),
                                                        page.key + "-edited", page.lead, page.word_count)),
        "newer": dataclasses.replace(inputs, newer=other),
        "older": dataclasses.replace(inputs, older=None),
        "related": dataclasses.replace(inputs, related=(other,)),
        "topics": dataclasses.replace(inputs, topics=(("Cats", "cats"),)),
        "show_slug": dataclasses.replace(inputs, show_slug="other-show"),
        "audio": dataclasses.replace(inputs, audio=Audio("https://example.com/e5.mp3", "audio/mpeg")),
    }


def test_every_input_of_an_episode_page_is_in_its_key_and_on_the_page():
    # A rebuild re-renders an episode page only when this key changes: a
    # field the page shows but the key left out would leave pages stale.
    views = Views(_site(10, 5), Urls("http://localhost:8000/"))
    inputs = views.episode_inputs(5)
    changed = _changed(inputs, views)
    assert set(changed) == {f.name for f in dataclasses.fields(EpisodeInputs)}
    for field, edited in changed.items():
        assert edited.key("salt") != inputs.key("salt"), field
        assert views.episode_page(edited) != views.episode_page(inputs), field
    assert inputs.key("salt") == views.episode_inputs(5).key("salt")
    assert inputs.key("salt") != inputs.key("another salt")


def test_an_episode_page_is_made_from_its_inputs_alone():
    # The same inputs on a site that holds nothing else give the same page:
    # episode_page reads no other part of the site, which its key would miss.
    urls = Urls("http://localhost:8000/")
    site = _site(10, 5)
    inputs = Views(site, urls).episode_inputs(5)
    empty = dataclasses.replace(site, episodes=[], pages={})
    assert Views(empty, urls).episode_page(inputs) == Views(site, urls).episode_page(inputs)


def test_every_input_of_a_listing_is_in_its_key_and_on_its_pages():
    # A rebuild looks at a listing's pages only when this key changes.
    views = Views(_site(30, 5), Urls("http://localhost:8000/"))
    home = next(inputs for inputs in views.listings() if inputs.kind == "home")
    topic = ListingInputs("topic", "cats", "Cats", home.cards[:12], ())
    changed = {
        "kind": (topic, dataclasses.replace(topic, kind="show")),
        "slug": (topic, dataclasses.replace(topic, slug="felines")),
        "name": (topic, dataclasses.replace(topic, name="Felines")),
        "cards": (topic, dataclasses.replace(topic, cards=home.cards[1:13])),
        "years": (home, dataclasses.replace(home, years=home.years[1:])),
    }
    assert set(changed) == {f.name for f in dataclasses.fields(ListingInputs)}
    for field, (inputs, edited) in changed.items():
        assert edited.key("salt") != inputs.key("salt"), field
        assert views.listing_pages(edited) != views.listing_pages(inputs), field
    assert topic.key("salt") == ListingInputs("topic", "cats", "Cats", home.cards[:12], ()).key("salt")


def test_a_listing_is_made_from_its_inputs_alone():
    urls = Urls("http://localhost:8000/")
    site = _site(30, 5)
    views = Views(site, urls)
    listing = views.listings()[0]
    empty = dataclasses.replace(site, episodes=[], pages={})
    assert Views(empty, urls).listing_pages(listing) == views.listing_pages(listing)


def test_a_card_is_keyed_by_its_episode_page():
    # The page's key is a hash of its bytes: a card of an edited page is another card.
    site = _site(3, 5)
    episode = site.episodes[0]
    card = Views(site, Urls("http://localhost:8000/")).card(episode)
    edited = dataclasses.replace(site, pages={**site.pages, episode.slug: dataclasses.replace(
        site.pages[episode.slug], key="edited")})
    assert Views(edited, Urls("http://localhost:8000/")).card(episode).digest != card.digest
    assert card["title"] == "Episode 2" and card["url"] == "/episodes/e2.html"


def test_every_input_of_a_year_page_is_in_its_key_and_on_its_page():
    views = Views(_site(100, 5), Urls("http://localhost:8000/"))
    year = views.years()[1]
    changed = {
        "year": dataclasses.replace(year, year=year.year + 10),
        "cards": dataclasses.replace(year, cards=year.cards[1:]),
        "newer": dataclasses.replace(year, newer=None),
        "older": dataclasses.replace(year, older=year.older - 1),
    }
    assert set(changed) == {f.name for f in dataclasses.fields(YearInputs)}
    for field, edited in changed.items():
        assert edited.key("salt") != year.key("salt"), field
        assert views.listing_pages(edited) != views.listing_pages(year), field
    name, page = views.year_page(year)
    assert name == f"archive/{year.year}.html" and page["count"] == len(year.cards)
    assert [m["name"] for m in page["months"]] == sorted({m["name"] for m in page["months"]},
                                                         key=lambda m: -MONTHS.index(m))
