"""generator/workers.py: what the build's process-level helpers promise."""
from __future__ import annotations

import gc
import weakref

import pytest

from generator import workers
from generator.workers import gc_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_on_again_after_a_paused_job_even_one_that_fails(collector_on):
    with pytest.raises(ValueError):
        with gc_paused():
            assert not gc.isenabled()
            raise ValueError("the index step failed")
    assert gc.isenabled()   # else a long serve session would never collect a cycle again


class _Node:
    pass


def test_cycles_left_by_a_paused_build_are_collected_by_the_next_one(collector_on):
    # A pause ends by freezing what is alive, rather than letting the
    # collector traverse it all once more; a watch session builds again and
    # again, and must not keep each build's cyclic garbage for good.
    with gc_paused():
        node = _Node()
        node.me = node
        gone = weakref.ref(node)
        del node
    gc.collect()
    assert gone() is not None      # frozen: not even a full collection looks at it
    with gc_paused():
        assert gone() is None      # the next pause collected it first
    assert gc.get_freeze_count() > 0


def test_a_collector_that_was_off_stays_off(collector_on):
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def _collecting(_: int) -> bool:
    return gc.isenabled()


def test_pool_workers_collect_garbage_though_the_build_paused_its_collector(collector_on, monkeypatch):
    # Workers render thousands of pages; without a collector their cyclic garbage would pile up.
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.delenv("PODCAST_ARCHIVE_WORKERS", raising=False)
    with gc_paused():
        assert set(workers.parallel_map(_collecting, range(200), min_batch=2)) == {True}
        assert not gc.isenabled()
