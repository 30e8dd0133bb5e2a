"""site.yaml: one typed schema with defaults, validated once.

Every unknown key and bad value is collected and reported together, so a user
fixes the file in one pass rather than one error per run.
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from generator import yaml_input
from generator.errors import ConfigError
from generator.inputs import read_file
from generator.text import SURROGATE

DEFAULT_CONFIG = "site.yaml"
CONFIG_BYTES = 1024 * 1024   # a site.yaml is a few hundred bytes; past this it is some other file


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Podcast Transcript Archive"
    description: str = "Searchable transcripts of every episode."
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    author: str = ""
    source_dir: Path = Path("seeds")
    content_dir: Path = Path("content")
    output_dir: Path = Path("_site")
    cache_dir: Path = Path(".cache")
    templates_dir: Path = Path("templates")
    page_size: int = 20
    feed_items: int = 50
    related_count: int = 4
    topics_per_episode: int = 12
    # A topic gets a page of its own once this many episodes share it: most
    # names occur in one episode only, and their pages would only list it.
    topic_page_episodes: int = 2
    ignore_topics: tuple[str, ...] = ()
    cname: str = ""
    podcast_feeds: tuple[str, ...] = ()   # the shows' own RSS feeds: paths (relative to site.yaml) or URLs
    # A .txt and a Podcasting 2.0 HTML file per episode beside its page. Off,
    # the page makes the same .txt in the browser, and the site is about half
    # the size: an archive of hour-long episodes then fits GitHub Pages' 1 GB.
    transcript_files: bool = False
    # watch/serve import a transcript once it is this long unchanged (and holds
    # a whole header and a body): a copy that pauses for less is not imported half-done.
    watch_settle_seconds: float = 5.0
    # Where the config came from; paths above are resolved against its folder.
    root: Path = field(default=Path("."), compare=False)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or '/repo/'."""
        return urlsplit(self.base_url).path or "/"


_PATH_KEYS = {"source_dir", "content_dir", "output_dir", "cache_dir", "templates_dir"}
_INT_LIMITS = {"page_size": (1, 1000), "feed_items": (0, 100000), "related_count": (0, 50),
               "topics_per_episode": (0, 100), "topic_page_episodes": (1, 1000)}
FLAG_NAMES = {"source_dir": "source", "content_dir": "content", "output_dir": "out",
              "base_url": "base-url"}
_KEYS = [f.name for f in dataclasses.fields(SiteConfig) if f.name != "root"]


def _not_utf8(value) -> bool:
    """Text no file can hold: a byte of a flag that was not UTF-8, or a '\\ud800' escape in site.yaml."""
    texts = value if isinstance(value, list) else [value]
    return any(isinstance(t, str) and not t.isascii() and SURROGATE.search(t) for t in texts)


def _check_value(key: str, value) -> tuple[object, str | None]:
    """Return the value coerced to the schema's type, or a reason it is bad."""
    if _not_utf8(value):
        return None, "must be UTF-8 text (it holds a byte that is not, or a lone surrogate escape)"
    if key in _PATH_KEYS:
        if not isinstance(value, str) or not value.strip():
            return None, "must be a folder path"
        return Path(value), None
    if key in _INT_LIMITS:
        lo, hi = _INT_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"must be a whole number from {lo} to {hi}"
        if not lo <= value <= hi:
            return None, f"must be from {lo} to {hi}, not {value}"
        return value, None
    if key == "watch_settle_seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3600:
            return None, f"must be a number of seconds from 0 to 3600, not {value!r}"[:120]
        return float(value), None
    if key == "transcript_files":
        if not isinstance(value, bool):
            return None, f"must be true or false, not {value!r}"[:120]
        return value, None
    if key == "ignore_topics":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, "must be a list of words"
        return tuple(value), None
    if key == "podcast_feeds":
        return _check_feeds(value)
    if value is None:
        value = ""
    if not isinstance(value, str):
        return None, "must be text"
    if key == "base_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None, "must be an absolute http(s) URL such as https://user.github.io/repo/"
        if parts.query or parts.fragment:
            return None, "must not have a query or fragment"
        return value if value.endswith("/") else value + "/", None
    if key == "cname" and value and ("/" in value or " " in value):
        return None, "must be a bare domain name such as podcast.example.com"
    return value, None


def _check_feeds(value) -> tuple[object, str | None]:
    if value is None:
        return (), None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None, "must be a list of feed files (relative to site.yaml) or http(s) URLs"
    for entry in value:
        parts = urlsplit(entry.strip())
        if len(parts.scheme) > 1 and parts.scheme not in ("http", "https"):   # one letter: a Windows drive
            return None, f"{entry!r}: only http(s) URLs or file paths"
        if parts.scheme in ("http", "https") and not parts.netloc:
            return None, f"{entry!r}: not a complete URL"
    return tuple(dict.fromkeys(v.strip() for v in value)), None


def _validate(data: dict, origin: str, values: dict, problems: list[str]) -> None:
    for key, raw in data.items():
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"key '{key}': unknown key{hint}")
            continue
        value, reason = _check_value(key, raw)
        if reason:
            problems.append(f"{origin.format(key=key)}: {reason}")
        else:
            values[key] = value


def load_config(path: Path | str | None = None, overrides: dict | None = None) -> SiteConfig:
    """Read site.yaml (a missing default file means all defaults) and apply flag overrides.

    Raises ConfigError listing every problem found, in file and flags alike.
    """
    explicit = path is not None
    path = Path(path or DEFAULT_CONFIG)
    data: dict = {}
    if path.exists():
        try:
            loaded = yaml_input.load(read_file(path, CONFIG_BYTES).decode("utf-8"))
        except (yaml.YAMLError, RecursionError) as exc:
            problem, line = yaml_input.problem(exc)
            raise ConfigError(path, [f"line {line + 1}: the file {problem}"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, [f"cannot read: {exc}"]) from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(path, ["must be a mapping of key: value"])
        data = loaded
    elif explicit:
        raise ConfigError(path, ["config file not found"])

    values: dict = {}
    problems: list[str] = []
    _validate(data, "key '{key}'", values, problems)
    flags: dict = {}
    for key, value in (overrides or {}).items():
        if value is not None:
            _validate({key: value}, f"--{FLAG_NAMES.get(key, key)}", flags, problems)
    if problems:
        raise ConfigError(path, problems)

    root = path.resolve().parent
    for key in _PATH_KEYS:
        if key in flags:
            flags[key] = flags[key].resolve()  # a flag is relative to where the user stands
        else:
            values[key] = root / values.get(key, getattr(SiteConfig, key))
    return SiteConfig(root=root, **{**values, **flags})
