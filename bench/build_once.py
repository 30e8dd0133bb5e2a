"""One import + build in this process, printing its timings as JSON; the
benchmark runs it as a child process to measure wall time and peak memory.

    python -m bench.build_once ROOT [BASE_URL]
"""
from __future__ import annotations

import io
import json
import resource
import sys
import time
from pathlib import Path

from generator import unchanged
from generator.config import load_config
from generator.errors import Report

REPO = Path(__file__).resolve().parent.parent


def main(root: Path, base_url: str) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    report = Report(stream=io.StringIO())
    config = load_config(REPO / "site.yaml", {
        "source_dir": str(root / "seeds"), "content_dir": str(root / "content"),
        "output_dir": str(root / "_site"), "cache_dir": str(root / ".cache"), "base_url": base_url})
    # As the build command does: nothing to do when nothing changed.
    nothing_new, before = unchanged.last_build(config)
    if nothing_new:
        summary, result = nothing_new
        return {"total": time.perf_counter() - started, "cpu": time.process_time() - cpu, "parse": 0.0, "import": 0.0,
                **result.stages,
                "errors": report.errors, "episodes": result.episodes, "unchanged": True}
    from generator.build import build_site   # as the build command does: only when there is work
    from generator.importer import import_site

    imported = time.perf_counter()
    summary = import_site(config, report, stats=before and before.stats)
    import_seconds = time.perf_counter() - imported
    looked = unchanged.content_look(config, before, summary.added + summary.updated)
    result = build_site(config, report, looked.stats)
    unchanged.remember(config, report, summary, result, before, looked)
    return {"total": time.perf_counter() - started, "cpu": time.process_time() - cpu, "parse": summary.parse_seconds,
            "import": import_seconds - summary.parse_seconds, **result.stages,
            "errors": report.errors, "episodes": result.episodes}


def peak_mb() -> float:
    """The largest resident size of this process since its exec (VmHWM) and
    of the workers it reaped (their ru_maxrss, which starts from this
    process's size when they fork). Not this process's own ru_maxrss: Linux
    keeps that across exec, so it would start at the benchmark's own size."""
    own = 0.0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


if __name__ == "__main__":
    stats = main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "http://localhost:8000/")
    print(json.dumps({**stats, "peak_mb": peak_mb()}))
