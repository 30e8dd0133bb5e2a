"""site.yaml: defaults, every problem reported at once, flags override the file."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import os

import pytest

from generator.config import SiteConfig, load_config
from generator.errors import ConfigError


def _config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str, overrides: dict | None = None) -> list[str]:
    path = _config_file(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    assert info.value.path == str(path)
    return info.value.problems


def test_the_repository_site_yaml_is_valid():
    root = Path(__file__).resolve().parents[1]
    config = load_config(root / "site.yaml")
    assert config.source_dir == root / "seeds" and config.content_dir == root / "content"


def test_an_empty_file_means_every_default_with_folders_beside_it(tmp_path):
    config = load_config(_config_file(tmp_path, ""))
    for field in dataclasses.fields(SiteConfig):
        default, value = getattr(SiteConfig(), field.name), getattr(config, field.name)
        if isinstance(default, Path) and field.name != "root":
            assert value == tmp_path / default, field.name
        elif field.name != "root":
            assert value == default, field.name


def test_no_config_file_at_all_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config().page_size == SiteConfig.page_size


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_values_are_read_and_folders_resolved_against_the_config_file(tmp_path):
    config = load_config(_config_file(tmp_path, (
        "title: Made-Up Radio Transcripts\nbase_url: https://example.invalid/radio\nsource_dir: transcripts\n"
        "page_size: 5\nignore_topics: [Pat, Freedonia]\n")))
    assert config.title == "Made-Up Radio Transcripts"
    assert config.base_url == "https://example.invalid/radio/"
    assert config.base_path == "/radio/"
    assert config.source_dir == tmp_path / "transcripts"
    assert config.page_size == 5 and config.ignore_topics == ("Pat", "Freedonia")


def test_every_problem_is_reported_together(tmp_path):
    problems = _problems(tmp_path, (
        "titel: Typo\npage_size: 0\nbase_url: not a url\nsource_dir: 12\nignore_topics: Pat\n"
        "feed_items: many\ncname: https://example.invalid/\n"))
    assert len(problems) == 7
    assert "key 'titel': unknown key (did you mean 'title'?)" in problems
    assert "key 'page_size': must be from 1 to 1000, not 0" in problems
    assert any(p.startswith("key 'base_url': must be an absolute http(s) URL") for p in problems)
    assert "key 'source_dir': must be a folder path" in problems
    assert "key 'ignore_topics': must be a list of words" in problems
    assert any(p.startswith("key 'feed_items': must be a whole number") for p in problems)
    assert any(p.startswith("key 'cname': must be a bare domain name") for p in problems)


def test_problems_print_with_the_file_name(tmp_path):
    path = _config_file(tmp_path, "page_size: true\nbogus: 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).splitlines() == [
        f"{path}: key 'page_size': must be a whole number from 1 to 1000",
        f"{path}: key 'bogus': unknown key",
    ]


@pytest.mark.parametrize("text, problem", [
    ("title: [unclosed\n", "not valid YAML"),
    ("- a\n- list\n", "must be a mapping"),
    ("base_url: https://example.invalid/?q=1\n", "must not have a query"),
])
def test_a_file_that_is_not_a_config_is_explained(tmp_path, text, problem):
    assert any(problem in p for p in _problems(tmp_path, text))


def test_yaml_errors_give_the_line(tmp_path):
    assert _problems(tmp_path, "title: ok\npage_size: 3\nbad: [\n")[0].startswith("line ")


def test_flags_override_the_file_and_are_relative_to_where_the_user_stands(tmp_path, monkeypatch):
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    path = _config_file(tmp_path, "source_dir: transcripts\nbase_url: https://example.invalid/\n")
    config = load_config(path, {"source_dir": "mine", "base_url": "https://other.invalid/x",
                                "content_dir": None})
    assert config.source_dir == here / "mine"
    assert config.content_dir == tmp_path / "content"
    assert config.base_url == "https://other.invalid/x/"


def test_bad_flags_are_named_as_flags(tmp_path):
    problems = _problems(tmp_path, "page_size: 0\n", {"base_url": "ftp://example.invalid/"})
    assert "key 'page_size': must be from 1 to 1000, not 0" in problems
    assert any(p.startswith("--base-url: must be an absolute http(s) URL") for p in problems)


def test_podcast_feeds_are_paths_or_http_urls(tmp_path):
    config = load_config(_config_file(tmp_path, "podcast_feeds:\n- feeds/show.xml\n- https://feeds.example.com/x\n"))
    assert config.podcast_feeds == ("feeds/show.xml", "https://feeds.example.com/x")
    assert load_config(_config_file(tmp_path, "title: x\n")).podcast_feeds == ()
    with pytest.raises(ConfigError) as caught:
        load_config(_config_file(tmp_path, "podcast_feeds: https://feeds.example.com/x\n"))
    assert caught.value.problems == ["key 'podcast_feeds': must be a list of feed files (relative to site.yaml) "
                                     "or http(s) URLs"]
    with pytest.raises(ConfigError) as caught:
        load_config(_config_file(tmp_path, "podcast_feeds:\n- ftp://feeds.example.com/x\n"))
    assert "only http(s) URLs or file paths" in caught.value.problems[0]


@pytest.mark.parametrize("text, line, problem", [
    ("title: &a [x, x]\ndescription: [*a, *a]\n", 2, "uses a YAML alias"),
    ("title: ok\nauthor: " + "[" * 30 + "]" * 30 + "\n", 2, "nests lists or mappings more than 20 deep"),
    ("title: !!binary aGVsbG8=\n", 1, "has a value tagged '!!binary'"),
    ("# " + "x" * 10_000 + '\ntitle: "\\ud800"\n', 2, "a lone surrogate escape"),   # long: past libyaml
    ("title: ok\nauthor: " + "[" * 2000 + "]" * 2000 + "\n", 2, "more than 20 deep"),
])
def test_a_hostile_config_is_refused_before_it_expands(tmp_path, text, line, problem):
    # The same guard as front matter: a 500-byte alias bomb would take minutes and gigabytes.
    [found] = _problems(tmp_path, text)
    assert found.startswith(f"line {line}: ") and problem in found, found


@pytest.mark.parametrize("make, reason", [
    (lambda path: os.mkfifo(path), "a FIFO (named pipe), not a regular file"),
    (lambda path: path.write_bytes(b"# " + b"x" * (2 * 1024 * 1024)), "too large to read"),
])
def test_a_config_that_is_no_ordinary_small_file_is_refused_unread(tmp_path, make, reason):
    path = tmp_path / "site.yaml"
    make(path)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"cannot read: {reason}" in str(info.value)
