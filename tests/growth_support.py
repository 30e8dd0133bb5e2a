"""Telling linear time from quadratic in a test, on a busy machine.

Wall-clock ratios between two sizes are noisy when other processes share the
cores: CI once failed a linear function at 3.2x for twice the input. So this
counts the process's own CPU time (time the scheduler gives to others is not
counted), with the garbage collector paused (its passes grow with the heap,
not with the work), keeps the best of several runs, and compares sizes four
times apart: linear is 4x, quadratic 16x, and the bar sits between, at 8x.
"""
from __future__ import annotations

import gc
import time
from typing import Callable

FACTOR = 4
BAR = 8.0   # the geometric middle of 4x (linear) and 16x (quadratic)


def cpu_seconds(prepare: Callable[[], Callable[[], object]], runs: int = 5) -> float:
    """The least CPU time of ``runs`` calls, each of a new ``prepare()``
    (whose own cost, making the input, is not counted)."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(runs):
            call = prepare()
            started = time.process_time()
            call()
            best = min(best, time.process_time() - started)
    finally:
        if enabled:
            gc.enable()
    return best


def assert_linear(prepare: Callable[[int], Callable[[], object]], size: int, runs: int = 5,
                  floor: float = 0.002) -> None:
    """The work ``prepare(n)`` returns costs at most 8x more at four times ``size``.

    ``floor`` keeps a run too quick to time (the clock ticks in
    milliseconds) from making any ratio look huge."""
    prepare(size)()   # warm up: imports, caches, the first allocation of the heap
    small = max(cpu_seconds(lambda: prepare(size), runs), floor)
    large = cpu_seconds(lambda: prepare(size * FACTOR), runs)
    assert large < small * BAR, (f"{size}: {small:.4f} s, {size * FACTOR}: {large:.4f} s "
                                 f"({large / small:.1f}x for {FACTOR}x the input; linear is {FACTOR}x)")
