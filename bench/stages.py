"""One import + build of an archive in this process, as bench.build_once
runs it, with the wall time of each step of the build: where a +1 build's
seconds go. "collector at the end" is what leaving build_site's pause of
the garbage collector costs (workers.gc_paused).

    .venv/bin/python -m bench.stages ROOT

ROOT holds seeds/, content/, .cache/ and _site/, as bench/out/* do; make a
change first (bench.run.add_newest, say), or the build is a no-op.
"""
from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

from bench import build_once
from generator import audio, build, importer, output, related, transcript_html, unchanged

STEPS = [(unchanged, "last_build"), (importer, "import_site"), (unchanged, "content_look"),
         (build, "build_model"), (audio, "episode_audio"), (build, "Views"), (build, "_other_pages"),
         (related, "related_table"), (build, "_episodes_to_render"), (build, "_listings_to_render"),
         (build, "_render_pages"), (transcript_html, "write_transcripts"), (build, "_write_feeds"),
         (output.Output, "place"), (output.Output, "commit"), (unchanged, "remember"), (build, "_build_site"), (build, "build_site")]


def timed(steps) -> dict[str, float]:
    """Wrap each (owner, name) to add its wall time under its name."""
    seconds: dict[str, float] = {}
    for owner, name in steps:
        real = getattr(owner, name)

        @functools.wraps(real)
        def step(*args, _real=real, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _real(*args, **kwargs)
            finally:
                seconds[_name] = seconds.get(_name, 0.0) + time.perf_counter() - started
        setattr(owner, name, step)
    return seconds


def main(root: Path) -> None:
    seconds = timed(STEPS)
    started, cpu = time.perf_counter(), time.process_time()
    build_once.main(root, "http://localhost:8000/")
    total = time.perf_counter() - started
    for name, took in seconds.items():
        print(f"{'place search files' if name == 'place' else name:24} {took:7.3f} s")
    if "build_site" in seconds:
        print(f"{'collector at the end':24} {seconds['build_site'] - seconds['_build_site']:7.3f} s")
    print(f"{'import + build':24} {total:7.3f} s, {time.process_time() - cpu:.3f} s of this process's CPU")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
