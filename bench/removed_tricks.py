"""The micro-optimisations session 7 took out of the generator, kept here
unchanged as the reference bench/tricks.py measures the plain code against
(as bench/old_index.py keeps the single-file index). Nothing in generator/
imports this module.

Each did the same as the plain code it stood in for, faster on its own
stage, and none saved as much as 5 % of a build (docs/benchmarks.md,
"Session 7: micro-optimisations").
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib
import importlib.util
import io
import os
import re
from pathlib import Path

import jinja2
import yaml

from generator.cache import LIBRARIES
from generator.content import (_BLANK_FINGERPRINT, _FINGERPRINT, FENCE, _dump, _Dumper, _episode_from, _fingerprint,
                               escape_markdown)
from generator.feeds import SITEMAP_NS, sitemap
from generator.render import Renderer
from generator.text import strip_controls

# --- the Jinja getattr override (was generator/render.py) -------------------------------------

_GENERIC_GETATTRIBUTE = tuple(t.__getattribute__ for t in (object, dict, list, tuple, str))


@functools.cache
def _class_attributes(cls: type) -> frozenset[str] | None:
    if cls.__getattribute__ not in _GENERIC_GETATTRIBUTE or hasattr(cls, "__getattr__") or cls.__dictoffset__:
        return None
    return frozenset(dir(cls))


class GetattrEnvironment(jinja2.Environment):
    """``a.b`` straight to the item wherever the attribute is sure to be missing."""

    def getattr(self, obj, attribute):
        names = _class_attributes(type(obj))
        if names is None or attribute in names:
            return super().getattr(obj, attribute)
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def getattr_renderer(templates_dir: Path) -> Renderer:
    """A Renderer as the build had it: the same options, the override's class."""
    renderer = Renderer(templates_dir)
    options = {name: getattr(renderer.env, name) for name in
               ("autoescape", "undefined", "trim_blocks", "lstrip_blocks", "keep_trailing_newline", "auto_reload")}
    renderer.env = GetattrEnvironment(loader=renderer.env.loader, **options)
    return renderer


# --- the hand-written YAML emitter (was generator/content.py) ---------------------------------

_RESOLVER = _Dumper(io.StringIO())
_STR_TAG = "tag:yaml.org,2002:str"
_DATE_TAG = "tag:yaml.org,2002:timestamp"
_PLAIN_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _resolves_to(value: str) -> str:
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))


def _yaml_scalar(value: str) -> str | None:
    if not value or len(value) > 10_000 or not value.isprintable() \
            or not (value.isascii() or max(value) <= "\uffff"):
        return None
    first = value[0]
    plain = not (first == " " or value[-1] == " "
                 or first in "#,[]{}&*!|>'\"%@`"
                 or (first in "?:-" and value[1:2] in ("", " "))
                 or value.startswith(("---", "..."))
                 or ": " in value or value[-1] == ":" or " #" in value)
    if plain and _resolves_to(value) == _STR_TAG:
        return value
    return "'" + value.replace("'", "''") + "'"


def _simple_front_matter(meta: dict) -> str | None:
    out = []
    seen = set()
    for key, value in meta.items():
        if type(key) is not str or not _PLAIN_KEY.fullmatch(key) or _resolves_to(key) != _STR_TAG:
            return None
        kind = type(value)
        if kind is str:
            text = _yaml_scalar(value)
            if text is None:
                return None
            out.append(f"{key}: {text}\n")
            continue
        if id(value) in seen:
            return None
        seen.add(id(value))
        if kind is dt.date:
            text = value.isoformat()
            if _resolves_to(text) != _DATE_TAG:
                return None
            out.append(f"{key}: {text}\n")
        elif kind is list and value:
            out.append(f"{key}:\n")
            for item in value:
                text = _yaml_scalar(item) if type(item) is str else None
                if text is None:
                    return None
                out.append(f"- {text}\n")
        elif kind is dict and value:
            out.append(f"{key}:\n")
            for sub_key, item in value.items():
                text = _yaml_scalar(item) if type(item) is str else None
                if text is None or type(sub_key) is not str or not _PLAIN_KEY.fullmatch(sub_key) \
                        or _resolves_to(sub_key) != _STR_TAG:
                    return None
                out.append(f"  {sub_key}: {text}\n")
        else:
            return None
    return "".join(out) if out else None


def imported_page(meta: dict, paragraphs: list[str], path: Path):
    """The page's text, and its Episode where that was certain without
    parsing the page (else None: the importer then parsed it)."""
    meta = {**meta, "source": {**meta["source"], "page_sha256": _BLANK_FINGERPRINT}}
    front = _simple_front_matter(meta)
    direct = front is not None
    if front is None:
        front = _dump(meta)
    body = "\n\n".join(map(escape_markdown, paragraphs))
    text = f"{FENCE}\n{front}{FENCE}\n\n{body}\n"
    digest = _fingerprint(text)
    text = _FINGERPRINT.sub(lambda m: m[1] + digest, text, count=1)
    if not direct or "\r" in text or _resolves_to(digest) != _STR_TAG:
        return text, None
    meta["source"]["page_sha256"] = digest
    try:
        return text, _episode_from(meta, f"\n{body}\n", front.count("\n") + 3, path)
    except ValueError:
        return text, None


# --- the hand-written dist-info reader (was generator/cache.py) -------------------------------

def library_versions() -> dict[str, str]:
    versions = {}
    for module, distribution in LIBRARIES.items():
        spec = importlib.util.find_spec(module)
        found = []
        if spec is not None and spec.origin:
            where = Path(spec.origin).parent
            folder = where.parent if spec.submodule_search_locations else where
            try:
                found = [name[:-len(".dist-info")].partition("-")[2] for name in os.listdir(folder)
                         if name.endswith(".dist-info")
                         and re.sub(r"[-_.]+", "_", name.partition("-")[0]).lower() == distribution]
            except OSError:
                pass
        if len(found) == 1:
            versions[module] = found[0]
        else:
            library = importlib.import_module(module)
            versions[module] = getattr(library, "__version__", None) or getattr(library, "__VERSION__", "?")
    return versions


# --- the line-by-line sitemap (was generator/feeds.py) ----------------------------------------

def _escape(text: str) -> str:
    return strip_controls(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def line_sitemap(pages, urls) -> bytes:
    if not pages:   # an empty element: ElementTree closes it in the start tag
        return sitemap(pages, urls)
    lines = ["<?xml version='1.0' encoding='utf-8'?>", f'<urlset xmlns="{SITEMAP_NS}">']
    for name, lastmod in pages:
        lines += ["  <url>", f"    <loc>{_escape(urls.absolute(name))}</loc>"]
        if lastmod:
            lines.append(f"    <lastmod>{lastmod.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")
