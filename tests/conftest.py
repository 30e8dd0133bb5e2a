"""Shared fixtures and the hypothesis profiles.

`HYPOTHESIS_PROFILE=long` runs every property test with many more examples
(slow; for a fuzzing session, not for every `make test`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# The browser and page fixtures (Debian's chromium through Playwright), one
# browser for the whole session.
pytest_plugins = ["tests.browser_support"]

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

settings.register_profile("quick", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(scope="session")
def transcripts_dir() -> Path:
    """The made-up fixture transcripts, one per variant (read only: copy before changing)."""
    return TESTS / "fixtures" / "transcripts"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The two real transcripts the site ships with (read only)."""
    return REPO / "seeds"


@pytest.fixture
def archive(tmp_path: Path, transcripts_dir: Path) -> Path:
    """A writable copy of the fixture transcripts, as a user's source folder."""
    return Path(shutil.copytree(transcripts_dir, tmp_path / "transcripts"))
