"""The build: load the whole site, then render every page into a staging
folder that replaces the output folder only when complete."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from generator import audio, feeds, index_update, related, search, search_shards, transcript_html
from generator.cache import EPISODE_KEYS, LISTING_KEYS, PAGE, SEARCH_INDEX, Cache, make_key
from generator.config import SiteConfig
from generator.content import Episode
from generator.errors import ContentError, Report
from generator.load import cached_tokens, page_body
from generator.output import Output, check_output_dir, manifest_path, output_name
from generator.site import Site, build_model
from generator.summaries import BuildResult
from generator.workers import Background, gc_paused, parallel_map
from generator.urls import Urls
from generator.views import Views, display_date, key_default, transcript_blocks, transcript_header

ASSETS = Path(__file__).parent / "assets"


def _progress(pages: Iterable, total: int) -> Iterable:
    """A progress bar on a terminal; silent in CI and when output is piped."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return pages
    from tqdm import tqdm   # here: importing it costs a no-op rebuild a tenth of its time
    return tqdm(pages, total=total, unit="page", leave=False, file=sys.stderr)


def _build_time() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() else None


def transcript_text(site: Site, urls: Urls, episode: Episode) -> str:
    """The plain-text download: a three-line header block, then one block per
    paragraph."""
    return _download_text(transcript_header(urls, episode), site.bodies[episode.slug].paragraphs)


def _download_text(header: str, paragraphs: tuple[str, ...]) -> str:
    return "\n\n".join((header, *paragraphs)) + "\n"


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _search_order(site: Site) -> tuple[list[Episode], list[int]]:
    """The episodes in the search index's order, and their numbers: ascending, by date."""
    numbers = search_shards.doc_numbers([(e.date, e.slug) for e in site.episodes])
    order = sorted(range(len(numbers)), key=numbers.__getitem__)
    return [site.episodes[i] for i in order], [numbers[i] for i in order]


def _search_meta(episodes: list[Episode], urls: Urls) -> list[dict]:
    """What a search result shows of each episode."""
    return [{"u": urls.episode(e.slug), "t": e.title, "s": e.show, "d": display_date(e.date),
             "y": e.date.year if e.date else None} for e in episodes]


def _search_job(site: Site, episodes: list[Episode], numbers: list[int], meta: list[dict]) -> tuple:
    """Everything ``search_index`` needs, small enough to send to a worker."""
    config = site.config
    sources = [(site.pages[e.slug].key, e.path) for e in episodes]
    return (config.cache_dir, config.ignore_topics, meta, sources, numbers, output_name(config.output_dir),
            config.output_dir)


def search_index(job: tuple, afresh: bool = False) -> tuple[dict[str, str], list[str]]:
    """The files of search/ (see ``search_shards``): the lunr index in term
    shards, and what a result shows. Returns the files to write and the
    names of the last build's files to keep as they are.

    If the last index differs only by one episode added (the usual new
    transcript, or a back-filled old one), only the shards that episode
    changes are made, from the last build's; ``afresh`` makes every file anew."""
    # The collector took 10-30 % of the step (1,000 episodes), traversing the
    # tokens and postings it makes (which hold no cycles) over and over.
    # Re-measure: .venv/bin/python -m bench.index_step --sizes 1000 --repeats 5
    with gc_paused():
        return _search_index(job, afresh)


def _search_index(job: tuple, afresh: bool) -> tuple[dict[str, str], list[str]]:
    cache_folder, ignore_topics, meta, sources, numbers, slot, output_dir = job
    cache = Cache(cache_folder)
    keys = [key for key, _ in sources]
    metas = [search_shards.EpisodeMeta(m["u"], m["t"], m["s"], m["d"], m["y"]) for m in meta]
    state = None if afresh else index_update.unpack(cache.get(SEARCH_INDEX, slot))
    written = None
    try:
        at = index_update.inserted_at(state, keys, meta, numbers) if state else None
        if at is not None:
            key, path = sources[at]
            folder = Path(output_dir) / search_shards.FOLDER
            written = index_update.insert(state, at, numbers[at], key, meta[at], metas[at],
                                          cached_tokens(cache, key, path, ignore_topics),
                                          lambda name: (folder / name).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - index_update.Stale, or a state that is not what it was: build afresh
        written = None
    if written is None:
        tokens = (cached_tokens(cache, key, path, ignore_topics) for key, path in sources)
        compact = search.compact_index([_base36(number) for number in numbers], tokens, numbers=numbers)
        data, written = search_shards.index_files(compact, metas)
        state = index_update.state_of(keys, meta, data, written)
    cache.put(SEARCH_INDEX, slot, index_update.pack(state))
    return written.files, written.kept


def _written_search_index(job: tuple) -> tuple[dict[str, str], list[str], str, float]:
    """``search_index`` on the other core, which also writes the files into
    ``job``'s folder (``Output.incoming``) for the build to move in: at
    10,000 episodes a new transcript changes some 500 of them, and making
    a file costs this machine's kernel half a millisecond, 0.25 s of the
    main process in all. Returns each file's name and key (its content
    hash), the kept files' names, the manifest's name and the seconds taken.
    Re-measure: python -m bench.stages (its "place search files")."""
    started = time.perf_counter()
    search_job, folder = job
    files, kept = search_index(search_job)
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    keys = {}
    for name, text in files.items():
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        keys[name] = hashlib.sha256(data).hexdigest()
    return keys, kept, search_shards.manifest_name(files), time.perf_counter() - started


def _context_json(context: dict) -> str:
    """A page's context as text for its key; the site-wide part, the same on
    every page, is keyed once (in ``page_salt``), not once per page."""
    return _KEY_JSON({k: v for k, v in context.items() if k != "site"})


# Made once: json.dumps with options builds a new encoder on every call.
_KEY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=key_default).encode


def _templates_key(templates_dir: Path) -> str:
    """Every template file's name and bytes: any edit re-renders every page.
    Linked folders are followed, as Jinja follows them (each folder once)."""
    files: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, names in os.walk(templates_dir, followlinks=True):
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        files += [Path(folder, name) for name in names if os.path.isfile(os.path.join(folder, name))]
    parts: list[str | bytes] = []
    for path in sorted(files, key=lambda p: p.relative_to(templates_dir).as_posix()):
        parts += [path.relative_to(templates_dir).as_posix(), path.read_bytes()]
    return make_key("templates", *parts)


def _render(job: tuple) -> bool:
    """Write one page, and an episode's transcript download, in a worker
    process when there are many. An episode's transcript is rendered from
    its page; False if that cannot be read (the caller then reports it)."""
    templates, template, context, target, page, download = job
    if page is not None:
        try:
            body = page_body(Path(page))
        except ContentError:
            return False
        if download:
            header, txt_target = download
            Path(txt_target).write_bytes(_download_text(header, body.paragraphs).encode("utf-8"))
        if template is None:
            return True
        context["episode"]["blocks"] = transcript_blocks(body, context["episode"]["audio_seconds"])
    Path(target).write_bytes(_renderer(*templates).render(template, context).encode("utf-8"))
    return True


@functools.lru_cache(maxsize=4)
def _renderer(templates_dir: Path, templates_key: str):
    """The templates as they are now (``templates_key``): a Renderer never
    looks at its files again, and ``serve`` needs a new one after an edit."""
    from generator.render import Renderer   # here: Jinja is slow to import, and a no-op build never renders
    return Renderer(templates_dir)


def _theme_assets(config: SiteConfig, report: Report) -> dict[str, Path]:
    """Asset name -> file; a theme's file replaces a built-in one of the same name."""
    found: dict[str, Path] = {}
    for folder in (ASSETS, config.templates_dir / "assets"):
        if folder.is_dir():
            found.update((p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*")) if p.is_file())
    # lunr.js from npm: beside site.yaml, else beside the generator (an archive
    # kept in a folder of its own, built with this checkout's generator).
    places = [root / "node_modules" / "lunr" / "lunr.min.js" for root in (config.root, ASSETS.parents[1])]
    lunr = next((p for p in places if p.is_file()), None)
    if lunr:
        found["lunr.min.js"] = lunr
    elif "lunr.min.js" not in found:
        report.warn(f"{places[0]}: lunr.js not found (run `npm ci` beside site.yaml): the search page will not work")
    return found


def _other_pages(views: Views, urls: Urls) -> list[tuple[str, str, dict]]:
    """(template, name, context) of every page but the episodes', the listings' and the years'."""
    pages: list[tuple[str, str, dict]] = []
    pages += [("archive.html", *views.archive_page())]
    pages += [("topics.html", name, ctx) for name, ctx in views.topics_pages()]
    pages += [("shows.html", name, ctx) for name, ctx in views.shows_page()]
    pages += [("404.html", *views.not_found_page())]
    return pages


@dataclass
class _Todo:
    """Output with its key, rendered if the key changed since the last
    build: a page, or for an episode its page and/or its transcript download."""
    template: str | None      # None: only the download changed
    name: str
    key: str
    context: dict
    slug: str | None = None   # an episode's
    download: tuple[str, str] | None = None   # (name, key) of the episode's download, if changed


def _episodes_to_render(out: Output, site: Site, urls: Urls, views: Views, page_salt: str,
                        cache: Cache) -> list[_Todo]:
    """Episode pages and transcript downloads whose key changed. A page's key
    stands the page's content hash in for its transcript, so checking it
    costs no Markdown."""
    salt = make_key(page_salt, repr(site.config))
    known = cache.get_pack(EPISODE_KEYS)
    keys: dict[str, str] = {}
    todo = []
    for index, episode in enumerate(site.episodes):
        inputs = views.episode_inputs(index)
        inputs_key = inputs.key(salt)
        name, ctx, key = urls.episode(episode.slug), None, known.get(inputs_key)
        if key is None:
            name, ctx = views.episode_page(inputs)
            key = make_key("episode.html", page_salt, _context_json(ctx), inputs.page.key)
        keys[inputs_key] = key
        page_changed = not out.reuse(urls.output_file(name), key)
        download = None
        if site.config.transcript_files:
            txt_key = make_key("txt", transcript_header(urls, episode), site.pages[episode.slug].key)
            if not out.reuse(urls.transcript(episode.slug), txt_key):
                download = (urls.transcript(episode.slug), txt_key)
        if page_changed or download:
            if ctx is None:
                name, ctx = views.episode_page(inputs)
            todo.append(_Todo("episode.html" if page_changed else None, name, key, ctx, episode.slug, download))
    if keys != known:
        cache.put_pack(EPISODE_KEYS, keys)
    return todo


def _pages_to_render(out: Output, pages: list[tuple[str, str, dict]], urls: Urls, page_salt: str) -> list[_Todo]:
    return _changed(out, _keyed(pages, page_salt), urls)


def _keyed(pages: list[tuple[str, str, dict]], page_salt: str) -> list[_Todo]:
    """Each page (template, name, context) with its key."""
    return [_Todo(template, name, make_key(template, page_salt, _context_json(ctx)), ctx)
            for template, name, ctx in pages]


def _changed(out: Output, pages: list[_Todo], urls: Urls) -> list[_Todo]:
    """The pages whose file from the last build cannot be kept."""
    return [t for t in pages if not out.reuse(urls.output_file(t.name), t.key)]


def _listings_to_render(out: Output, views: Views, urls: Urls, page_salt: str,
                        cache: Cache) -> tuple[list[_Todo], list[str]]:
    """Listing pages whose key changed, and the name of every listing page.
    A listing whose inputs are as they were keeps the page keys it had, so
    the contexts of its pages are made only when it changed."""
    # The config too: page_size, for one, shapes a listing and shows nowhere as text.
    salt = make_key(page_salt, repr(views.site.config))
    known = cache.get_pack(LISTING_KEYS)
    keys: dict[str, list[tuple[str, str]]] = {}
    todo: list[_Todo] = []
    names: list[str] = []
    for inputs in views.listings() + views.years():
        inputs_key = inputs.key(salt)
        pages = known.get(inputs_key)
        if pages is None or not all(out.reuse(urls.output_file(name), key) for name, key in pages):
            made = _keyed([(inputs.template, name, ctx) for name, ctx in views.listing_pages(inputs)], page_salt)
            pages = [(t.name, t.key) for t in made]
            todo += _changed(out, made, urls)
        keys[inputs_key] = pages
        names += [name for name, _ in pages]
    if keys != known:
        cache.put_pack(LISTING_KEYS, keys)
    return todo, names


def _render_pages(out: Output, todo: list[_Todo], site: Site, urls: Urls, views: Views, templates_key: str) -> None:
    """Render and write on every core when there are many pages; each worker
    writes its files straight into the staging folder."""
    templates = (site.config.templates_dir.resolve(), templates_key)
    jobs = []
    for t in todo:
        target = str(out.path_for(urls.output_file(t.name))) if t.template else None
        download = None
        if t.download:
            download = (transcript_header(urls, views.by_slug[t.slug]), str(out.path_for(t.download[0])))
        jobs.append((templates, t.template, t.context, target,
                     str(views.by_slug[t.slug].path) if t.slug else None, download))
    for t, done in zip(todo, _progress(parallel_map(_render, jobs), len(todo))):
        if not done:   # its page could not be read: done here, which reports why
            episode = views.by_slug[t.slug]
            if t.download:
                out.write(t.download[0], transcript_text(site, urls, episode), t.download[1])
            if t.template:
                t.context["episode"]["blocks"] = views.episode_blocks(t.slug)
                out.write(urls.output_file(t.name), _renderer(*templates).render(t.template, t.context), t.key)
            continue
        if t.download:
            out.written(t.download[0], t.download[1])
        if t.template:
            out.written(urls.output_file(t.name), t.key)


def _write_feeds(out: Output, site: Site, urls: Urls, pages: list[str]) -> None:
    """The feeds, and the sitemap of ``pages`` (every page's name but the episodes')."""
    out.write("feed.xml", feeds.rss(site, urls, _build_time()))
    out.write("feed.json", feeds.json_feed(site, urls))
    files = feeds.sitemap_files([(urls.episode(e.slug), e.date) for e in site.episodes],
                                [n for n in pages if n != "404.html"] + [urls.search()])
    for name, rows in files.items():
        key = make_key("sitemap", urls.base_url, "\n".join(f"{page}\0{date}" for page, date in rows))
        if not out.reuse(name, key):
            out.write(name, feeds.sitemap(rows, urls), key)
    out.write("sitemap.xml", feeds.sitemap_index(list(files), urls))
    out.write("robots.txt", feeds.robots(urls))


def _write_static(out: Output, config: SiteConfig, urls: Urls, assets: dict[str, Path]) -> None:
    out.write(".nojekyll", "")
    if config.cname:
        out.write("CNAME", config.cname + "\n")
    for name, source in assets.items():
        out.copy(source, urls.asset(name))


def _reuse_search_files(out: Output, index_key: str) -> str | None:
    """The manifest's name if the last build's search files were made from
    ``index_key`` and are all kept, else None."""
    pointer = search_shards.FOLDER + "latest.json"
    if not out._unchanged(pointer, index_key):
        return None
    try:
        manifest = json.loads((out.final / pointer).read_text(encoding="utf-8"))["manifest"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    names = [name for name in out.old if name.startswith(search_shards.FOLDER) and name.endswith(".json")]
    if not all(out._unchanged(name, out.old[name][0]) for name in names):
        return None
    for name in names:
        out.reuse(name, out.old[name][0])
    return manifest


def _keep_search_files(out: Output, names: list[str]) -> bool:
    """Keep the last build's search files ``names``, if each is as it was written."""
    for name in names:
        entry = out.old.get(search_shards.FOLDER + name)
        # Named by a hash of their content, of which their key is the whole.
        if not entry or name != search_shards.file_name("shard", entry[0]) \
                or not out.reuse(search_shards.FOLDER + name, entry[0]):
            return False
    return True


def _manifest(config: SiteConfig) -> Path:
    """Where the cache remembers what the build wrote into this output folder."""
    return manifest_path(config.cache_dir, config.output_dir)


def build_site(config: SiteConfig, report: Report, stats: Mapping[str, os.stat_result] | None = None) -> BuildResult:
    """``stats``: what stat said of the pages under content/ a moment ago
    (unchanged.content_look), so that they are not all asked again."""
    # The collector took 0.4 s of a 3 s rebuild (+1 episode, 10,000 episodes),
    # traversing the loaded site, which lives for the whole build, again and
    # again; the build makes little cyclic garbage, and the render workers
    # collect as usual (workers._start_worker). Re-measure: python -m bench.tricks
    with _collector_paused():
        return _build_site(config, report, stats)


def _collector_paused():
    # A name of its own, for bench.tricks to measure the build without the
    # pause and only it (search_index keeps its own).
    return gc_paused()


def _build_site(config: SiteConfig, report: Report, stats: Mapping[str, os.stat_result] | None) -> BuildResult:
    started = time.perf_counter()
    check_output_dir(config.output_dir, [config.root, config.content_dir, config.source_dir,
                                         config.templates_dir])
    cache = Cache(config.cache_dir)
    site = build_model(config, report, cache, stats)
    stages = {"load": time.perf_counter() - started, "search": 0.0}
    urls = Urls(config.base_url)

    rendering = time.perf_counter()
    with Output(config.output_dir, _manifest(config)) as out, contextlib.ExitStack() as running:
        # The search index first, if it changed: it takes seconds at 10,000
        # episodes, on the other core, and needs nothing the rest makes.
        in_order, numbers = _search_order(site)
        search_meta = _search_meta(in_order, urls)
        search_job = _search_job(site, in_order, numbers, search_meta)
        index_key = make_key("search", str(search_shards.SHARD_FORMAT), json.dumps(search_meta, ensure_ascii=False),
                             *(site.pages[e.slug].key for e in in_order), repr(numbers))
        indexing, manifest = None, _reuse_search_files(out, index_key)
        if manifest is None:
            indexing = running.enter_context(Background(_written_search_index, (search_job, str(out.incoming))))
        matching = time.perf_counter()
        site.audio, site.podcast_image, audio_report = audio.episode_audio(config, site.episodes, report)
        stages["audio"] = time.perf_counter() - matching
        views = Views(site, urls)
        # Every page depends on the templates and on the site-wide part of its context.
        templates_key = _templates_key(config.templates_dir)
        page_salt = make_key(templates_key, json.dumps(views.common, sort_keys=True))
        assets = _theme_assets(config, report)
        site_key = make_key("site", page_salt, repr(config), os.environ.get("SOURCE_DATE_EPOCH", ""),
                            *(f"{name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}" for name, path in assets.items()),
                            *(site.pages[e.slug].key for e in site.episodes), repr(sorted(site.audio.items())))
        if out.intact(site_key):   # nothing changed since the last build: no page needs even a look
            stages["render"] = stages["write"] = 0.0
            return BuildResult(len(site.episodes), out.files, config.output_dir,
                               time.perf_counter() - started, stages, audio_report)
        out.start_staging()
        pages = _other_pages(views, urls)
        site.related = related.related_table(site.episodes, site.topic_slugs, config.related_count, cache)
        todo = _episodes_to_render(out, site, urls, views, page_salt, cache)
        listed, listings = _listings_to_render(out, views, urls, page_salt, cache)
        todo += listed + _pages_to_render(out, pages, urls, page_salt)
        _render_pages(out, todo, site, urls, views, templates_key)
        if site.config.transcript_files:
            transcript_html.write_transcripts(out, site, urls)
        _write_feeds(out, site, urls, listings + [name for _, name, _ in pages])
        if indexing:
            keys, kept, manifest, stages["search"] = indexing.result()
            if _keep_search_files(out, kept):
                for name, key in keys.items():
                    out.place(search_shards.FOLDER + name, out.incoming / name,
                              index_key if name == "latest.json" else key)
            else:   # changed since the last build: make them all anew
                files, _ = search_index(search_job, afresh=True)
                for name, text in files.items():
                    out.write(search_shards.FOLDER + name, text, index_key if name == "latest.json" else None)
                manifest = search_shards.manifest_name(files)
        # The search page names the current manifest, so it needs no round trip to find it.
        _render_pages(out, _pages_to_render(out, [("search.html", *views.search_page(manifest))], urls, page_salt),
                      site, urls, views, templates_key)
        _write_static(out, config, urls, assets)
        committing = time.perf_counter()
        out.commit(site_key)
    cache.prune(PAGE)
    stages["write"] = out.write_seconds + time.perf_counter() - committing
    stages["render"] = committing - rendering - out.write_seconds - stages["audio"]
    return BuildResult(len(site.episodes), out.files, config.output_dir, time.perf_counter() - started, stages,
                       audio_report)
