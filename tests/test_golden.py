"""The seeds give exactly the golden output under tests/golden/.

When one of these fails after an intended change, run `make golden` and
review the diff of tests/golden/ before committing it.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from generator.content import load_episode
from tests.golden import GOLDEN_DIR, GOLDENS, REPO, differences, produce_content, refresh


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_seeds_give_the_golden_output(tmp_path, name):
    GOLDENS[name](tmp_path / name)
    assert differences(GOLDEN_DIR / name, tmp_path / name) == [], "intended? run `make golden` and review"


def test_golden_content_is_one_loadable_page_per_seed():
    pages = sorted((GOLDEN_DIR / "content").glob("*.md"))
    assert sorted(load_episode(p).source_file for p in pages) == sorted(p.name for p in (REPO / "seeds").glob("*.txt"))


def test_differences_names_every_kind_of_change(tmp_path):
    produce_content(tmp_path / "now")
    first, second = sorted((tmp_path / "now").glob("*.md"))
    first.write_text(first.read_text(encoding="utf-8").replace("Putin", "Putln", 1), encoding="utf-8")
    second.rename(tmp_path / "now" / "renamed.md")
    found = differences(GOLDEN_DIR / "content", tmp_path / "now")
    assert found[:2] == [f"missing: {second.name}", "unexpected: renamed.md"]
    assert len(found) == 3 and "-" in found[2] and "+" in found[2] and "Putln" in found[2]


def test_refresh_replaces_the_whole_golden_folder(tmp_path):
    stale = tmp_path / "content" / "an-episode-that-no-longer-exists.md"
    stale.parent.mkdir()
    stale.write_text("stale\n", encoding="utf-8")
    refresh("content", root=tmp_path)
    assert differences(GOLDEN_DIR / "content", tmp_path / "content") == []
    assert [p.name for p in tmp_path.iterdir()] == ["content"]


def test_refresh_command_rejects_an_unknown_golden():
    result = subprocess.run([sys.executable, "-m", "tests.golden", "refresh", "no-such-golden"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "unknown golden no-such-golden" in result.stderr
