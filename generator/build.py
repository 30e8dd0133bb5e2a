"""The build: load the whole site, then render every page into a staging
folder that replaces the output folder only when complete."""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from generator import feeds, search
from generator.config import SiteConfig
from generator.content import Episode
from generator.errors import Report
from generator.output import Output, check_output_dir
from generator.render import Renderer
from generator.search import SearchDoc
from generator.site import Site, build_model
from generator.urls import Urls
from generator.views import Views, display_date

ASSETS = Path(__file__).parent / "assets"


@dataclass
class BuildResult:
    episodes: int
    files: int
    out: Path
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)   # seconds per stage, for the benchmark

    def line(self) -> str:
        return f"built: {self.episodes} episodes, {self.files} files in {self.out} ({self.seconds:.1f} s)"


def _progress(total: int):
    """A progress bar on a terminal; silent in CI and when output is piped."""
    quiet = not sys.stderr.isatty() or bool(os.environ.get("CI"))
    return tqdm(total=total, disable=quiet, unit="page", leave=False, file=sys.stderr)


def _build_time() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() else None


def transcript_text(site: Site, urls: Urls, episode: Episode) -> str:
    """The plain-text download: a three-line header block, then one block per
    paragraph. Search fetches this file to show a snippet of paragraph N."""
    meta = " · ".join(x for x in (episode.show, display_date(episode.date)) if x)
    header = f"{episode.title}\n{meta}\n{urls.absolute(urls.episode(episode.slug))}"
    return "\n\n".join((header, *site.bodies[episode.slug].paragraphs)) + "\n"


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def search_index(site: Site, urls: Urls) -> str:
    """The compact lunr index plus what a result shows, for search/index.json."""
    docs, meta = [], []
    for i, episode in enumerate(site.episodes):
        docs.append(SearchDoc(ref=_base36(i), title=episode.title, topics=episode.topics,
                              paragraphs=site.bodies[episode.slug].paragraphs))
        meta.append({"u": urls.episode(episode.slug), "t": episode.title, "s": episode.show,
                     "d": display_date(episode.date)})
    return search.to_json(search.build_index(docs, meta))


def _theme_assets(config: SiteConfig) -> list[tuple[Path, str]]:
    found = []
    for folder in (ASSETS, config.templates_dir / "assets"):
        if folder.is_dir():
            found += [(p, p.relative_to(folder).as_posix()) for p in sorted(folder.rglob("*")) if p.is_file()]
    lunr = config.root / "node_modules" / "lunr" / "lunr.min.js"
    if lunr.is_file():
        found.append((lunr, "lunr.min.js"))
    return found


def build_site(config: SiteConfig, report: Report) -> BuildResult:
    started = time.perf_counter()
    check_output_dir(config.output_dir, [config.root, config.content_dir, config.source_dir,
                                         config.templates_dir])
    site = build_model(config, report)
    stages = {"load": time.perf_counter() - started}
    urls = Urls(config.base_url)
    views = Views(site, urls)
    renderer = Renderer(config.templates_dir)

    pages: list[tuple[str, str, dict]] = []
    pages += [("home.html", name, ctx) for name, ctx in views.home_pages()]
    pages += [("archive.html", *views.archive_page())]
    pages += [("year.html", name, ctx) for name, ctx in views.year_pages()]
    pages += [("topics.html", *views.topics_page())]
    pages += [("topic.html", name, ctx) for name, ctx in views.topic_pages()]
    pages += [("shows.html" if name == urls.shows() else "show.html", name, ctx)
              for name, ctx in views.show_pages()]
    pages += [("search.html", *views.search_page()), ("404.html", *views.not_found_page())]

    rendering = time.perf_counter()
    with Output(config.output_dir) as out, _progress(len(site.episodes) + len(pages)) as bar:
        for index, episode in enumerate(site.episodes):
            name, ctx = views.episode_page(index)
            out.write(urls.output_file(name), renderer.render("episode.html", ctx))
            out.write(urls.transcript(episode.slug), transcript_text(site, urls, episode))
            bar.update()
        for template, name, ctx in pages:
            out.write(urls.output_file(name), renderer.render(template, ctx))
            bar.update()

        out.write("feed.xml", feeds.rss(site, urls, _build_time()))
        out.write("feed.json", feeds.json_feed(site, urls))
        dates = {urls.episode(e.slug): e.date for e in site.episodes}
        listed = [urls.episode(e.slug) for e in site.episodes] + [n for _, n, _ in pages if n != "404.html"]
        out.write("sitemap.xml", feeds.sitemap([(n, dates.get(n)) for n in sorted(listed)], urls))
        out.write("robots.txt", feeds.robots(urls))
        indexing = time.perf_counter()
        out.write("search/index.json", search_index(site, urls))
        stages["search"] = time.perf_counter() - indexing
        out.write(".nojekyll", "")
        if config.cname:
            out.write("CNAME", config.cname + "\n")
        for source, name in _theme_assets(config):
            out.copy(source, urls.asset(name))
        committing = time.perf_counter()
        out.commit()
        files = out.files
    stages["write"] = out.write_seconds + time.perf_counter() - committing
    stages["render"] = committing - rendering - stages["search"] - out.write_seconds
    return BuildResult(len(site.episodes), files, config.output_dir, time.perf_counter() - started, stages)
