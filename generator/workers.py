"""Per-episode work on every core.

Parsing a transcript, rendering a page's Markdown and rendering an episode
page are independent for each episode, so a large batch is spread over a
process pool. A small batch (the usual rebuild after one new transcript)
runs in this process: starting workers would cost more than it saves.

Workers are forked, the cheapest start, only while the build is the
process's one thread; ``serve`` builds from a thread while its HTTP threads
run, and forking a threaded process can copy a lock some other thread
holds, so there they come from a fork server instead.
"""
from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_BATCH = 48   # below this, one process is faster than two


def _context():
    """A plain fork while this process has one thread (the CLI): instant,
    with every module already loaded. Otherwise (``serve``) a fork server."""
    import multiprocessing   # here: a build that needs no worker never pays for importing it
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["generator.build"])
    return context


def _single() -> bool:
    return cores() < 2 or os.environ.get("PODCAST_ARCHIVE_WORKERS") == "1"


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, killed but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] not in "ZX"
    except FileNotFoundError:
        return False
    except (OSError, ValueError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _follow(build_pid: int) -> None:
    """Exit when the build does. A worker's parent is the fork server, not the
    build, so nothing else tells it that a killed build is gone; left alone it
    would hang on, holding the build's stdout open."""
    def watch() -> None:
        while process_alive(build_pid):
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="follow-build").start()


def _start_worker(build_pid: int) -> None:
    """A pool worker: it follows the build, and collects its garbage even
    if the build paused its collector (``gc_paused``) before forking it."""
    gc.enable()
    _follow(build_pid)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a job that makes millions of
    objects and no cycles (reference counting frees all it drops), so the
    collector does not traverse them again and again; back as it was after.

    The pause ends by freezing what is alive (``gc.freeze``): switched back
    on, the collector would first traverse every object made during the
    pause once more, 0.09 to 0.13 s at the end of a +1 build at 10,000
    episodes, just before a one-off build's process exits. A process that
    pauses again (the tests) first collects what the last pause froze, so
    nothing is kept for good; watch and serve collect it as soon as a
    rebuild is done (``collect_frozen``). Re-measure: python -m
    bench.stages (its "collector at the end")."""
    was_enabled = gc.isenabled()
    if was_enabled:
        collect_frozen()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def collect_frozen() -> None:
    """Collect what a pause froze (``gc_paused``), in a process that lives
    on after a build: a whole site model may hang on a cycle in it."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def parallel_map(fn: Callable[[T], R], items: Iterable[T], *, min_batch: int = MIN_BATCH) -> Iterator[R]:
    """``fn(x) for x in items``, in order, on every core when it pays.

    ``fn`` must be a module-level function. An exception in a worker is
    raised here, as it would be from the plain loop.
    """
    items = list(items)
    workers = min(cores(), len(items) // (min_batch // 2) if min_batch else len(items))
    if workers < 2 or len(items) < min_batch or _single():
        yield from map(fn, items)
        return
    # Frozen, the objects a forked worker inherits are never visited by its
    # garbage collector, which would otherwise write to (and so copy) every
    # memory page holding one.
    from concurrent.futures import ProcessPoolExecutor
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                                 initializer=_start_worker, initargs=(os.getpid(),)) as pool:
            yield from pool.map(fn, items, chunksize=max(1, min(32, len(items) // (workers * 8))))
    finally:
        gc.unfreeze()


def _run(fn, arg, conn, build_pid: int) -> None:
    _follow(build_pid)
    try:
        conn.send((True, fn(arg)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent to raise
        conn.send((False, exc))
    finally:
        conn.close()


class Background:
    """``fn(arg)`` in another process while this one carries on: the one big
    job of an incremental build (the search index) overlaps the rest.

    Use as a context manager; leaving it early stops the job. On one core
    the call simply runs when its result is asked for.
    """

    def __init__(self, fn: Callable[[T], R], arg: T):
        self._fn, self._arg = fn, arg
        self._process = None
        if not _single():
            context = _context()
            self._conn, child = context.Pipe(duplex=False)
            self._process = context.Process(target=_run, args=(fn, arg, child, os.getpid()), daemon=True)
            self._process.start()
            child.close()

    def result(self) -> R:
        if self._process is None:
            return self._fn(self._arg)
        try:
            ok, value = self._conn.recv()
        except EOFError:
            raise RuntimeError("a build worker process died") from None
        if not ok:
            raise value
        return value

    def __enter__(self) -> "Background":
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._conn.close()
