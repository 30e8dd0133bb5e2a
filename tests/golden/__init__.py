"""Golden output: what the generator must produce, byte for byte, for the
two seeds (``content``, ``site``) and for a made-up archive of two shows
built with two episodes a page, so that every kind of pagination shows
(``paged``: tests/fixtures/paged).

Each golden is a folder under tests/golden/ that one function produces from
the seeds. The tests produce it again into a temporary folder and compare.
After an intended change to the output, `python -m tests.golden refresh`
(`make golden`) rewrites the folders, and reviewing the diff of tests/golden/
is reviewing the change.

To add a golden (the rendered site, say): write a function that produces it
into a given folder from the seeds, and add it to GOLDENS under the name of
its folder.
"""
from __future__ import annotations

import difflib
import io
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from generator.config import SiteConfig, load_config
from generator.errors import Report
from generator.importer import EPISODES, import_site

GOLDEN_DIR = Path(__file__).resolve().parent
REPO = GOLDEN_DIR.parents[1]
SEEDS = REPO / "seeds"
PAGED = REPO / "tests" / "fixtures" / "paged"
PAGED_PAGE_SIZE = 2


def seed_config(root: Path, source: Path = SEEDS, **overrides) -> SiteConfig:
    """The repository's site.yaml, reading the seeds (or ``source``) and writing under ``root``."""
    return load_config(REPO / "site.yaml", {"source_dir": str(source), "content_dir": str(root / "content"),
                                            "output_dir": str(root / "_site"), **overrides})


def import_seeds(config: SiteConfig) -> None:
    """Import as `python -m generator import` does; the transcripts must import cleanly."""
    log = io.StringIO()
    report = Report(stream=log)
    import_site(config, report)
    if not report.clean:
        raise RuntimeError(f"importing the transcripts was not clean:\n{log.getvalue()}")


def produce_content(dest: Path) -> None:
    """content/episodes/*.md for the seeds."""
    with tempfile.TemporaryDirectory() as tmp:
        config = seed_config(Path(tmp))
        import_seeds(config)
        dest.mkdir(parents=True, exist_ok=True)
        for page in sorted((config.content_dir / EPISODES).glob("*.md")):
            shutil.copyfile(page, dest / page.name)


# assets/ holds verbatim copies of generator/assets, templates/assets and
# lunr.js from npm: the golden is about what the build renders.
NOT_GOLDEN_PREFIX = "assets/"


def produce_site(dest: Path, source: Path = SEEDS, **overrides) -> None:
    """The whole rendered site for the seeds (or ``source``), as `make site` builds it."""
    from generator.build import build_site

    with tempfile.TemporaryDirectory() as tmp:
        config = seed_config(Path(tmp), source, **overrides)
        import_seeds(config)
        log = io.StringIO()
        report = Report(stream=log)
        build_site(config, report)
        if not report.clean:
            raise RuntimeError(f"building was not clean:\n{log.getvalue()}")
        for path in sorted(config.output_dir.rglob("*")):
            name = path.relative_to(config.output_dir).as_posix()
            if path.is_file() and not name.startswith(NOT_GOLDEN_PREFIX):
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest / name)


def produce_paged_site(dest: Path) -> None:
    """The whole site for tests/fixtures/paged, two episodes a page; its
    made-up shows have no podcast feed (the seeds' feed is for another show)."""
    produce_site(dest, PAGED, page_size=PAGED_PAGE_SIZE, podcast_feeds=[])


GOLDENS: dict[str, Callable[[Path], None]] = {
    "content": produce_content,
    "site": produce_site,
    "paged": produce_paged_site,
}


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(expected: Path, actual: Path, max_lines: int = 20) -> list[str]:
    """What differs between two folders, readably: missing, unexpected and changed files."""
    want, got = _files(expected), _files(actual)
    out = [f"missing: {name}" for name in want if name not in got]
    out += [f"unexpected: {name}" for name in got if name not in want]
    for name in sorted(want.keys() & got.keys()):
        old, new = want[name].read_bytes(), got[name].read_bytes()
        if old == new:
            continue
        try:
            diff = difflib.unified_diff(old.decode("utf-8").splitlines(), new.decode("utf-8").splitlines(),
                                        f"golden/{name}", f"now/{name}", lineterm="", n=1)
            out.append("\n".join(list(diff)[:max_lines]) or f"changed: {name} (line endings or final newline)")
        except UnicodeDecodeError:
            out.append(f"changed: {name} (binary)")
    return out


def refresh(name: str, root: Path = GOLDEN_DIR) -> Path:
    """Produce golden ``name`` afresh into ``root``/``name``, replacing what was there."""
    target = root / name
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        fresh = Path(tmp) / name
        GOLDENS[name](fresh)
        # Produce first, then swap: a failed refresh leaves the old golden in place.
        if target.exists():
            shutil.rmtree(target)
        fresh.rename(target)
    return target
