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
from generator.views import EpisodeInputs, Views
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
    pages = dict(Views(_site(100, 10), Urls("http://localhost:8000/")).home_pages())
    assert [y["year"] for y in pages[""]["years"]] == list(range(1992, 1989, -1))
    assert sum(y["count"] for y in pages[""]["years"]) == 100
    assert all("years" not in page for name, page in pages.items() if name)


def test_home_pages_cost_grows_linearly_with_the_archive():
    # Two episodes a page: a year list worked out again for every numbered
    # page (it once was) costs the number of pages times the number of episodes.
    def prepare(n: int):
        views = Views(_site(n, 2), Urls("http://localhost:8000/"))
        return views.home_pages
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
