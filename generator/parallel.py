"""Spreading work over every core (cold builds of large sites).

Worker processes are forked so they inherit the site model instead of receiving it pickled (tens of MB at
10,000 articles). Forking a process that runs other threads (the preview server, the watcher) can copy a
lock held by one of them, so we fork only from a single-threaded process; otherwise we work serially.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_MIN_ITEMS = 1500  # below this, forking and collecting results costs more than it saves

# Set in the parent just before forking and read by the forked children; never mutated elsewhere.
_FORKED: tuple[Callable[[Any], Any], Sequence[Any], Callable[[], None] | None] | None = None


def worker_count(items: int, min_items: int | None = None) -> int:
    enough = PARALLEL_MIN_ITEMS if min_items is None else min_items
    if items < enough or threading.active_count() > 1 or os.environ.get("DIGEST_JOBS") == "1":
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(len(os.sched_getaffinity(0)), 8)


def fork_map(function: Callable[[Item], Result], items: Sequence[Item],
             in_worker: Callable[[], None] | None = None, min_items: int | None = None) -> list[Result]:
    """``[function(item) for item in items]``, on every core when there are enough items.

    ``function`` and ``items`` reach the workers by fork (no pickling); only results travel back.
    ``in_worker`` runs first in each worker (to drop what must not be used across fork, such as a
    database connection). Workers take the items a run at a time, the next run when they are done with
    one, so a worker slowed by the machine (a busy core, another tenant of the host) does not leave the
    other idle at the end: with fixed halves, one worker of a cold build finished 3 s before the other.
    ``min_items``: fewer items than this are done here (default ``PARALLEL_MIN_ITEMS``; costly items
    pay for a fork sooner).
    """
    workers = worker_count(len(items), min_items)
    if workers == 1:
        return [function(item) for item in items]
    global _FORKED
    _FORKED = (function, items, in_worker)
    frozen_by_caller = gc.get_freeze_count() > 0
    gc.freeze()  # keep the collector from touching (and so copying) the parent's objects in every child
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
            parts = pool.map(_work_run, runs(len(items), workers), chunksize=1)
    finally:
        _FORKED = None
        if not frozen_by_caller:
            gc.unfreeze()
    return [result for part in parts for result in part]


RUNS_PER_WORKER = 24  # a run of a cold build's Markdown is then about 0.4 s; each costs two messages


def runs(count: int, workers: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive runs of items, about ``RUNS_PER_WORKER`` per worker."""
    size = max(1, -(-count // (workers * RUNS_PER_WORKER)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _start_worker() -> None:
    """Pool initializer: the preview turns SIGTERM into a clean stop; a worker must just die when the pool
    terminates it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


# The process whose ``in_worker`` has run: a worker takes many runs but sets up once. (Not in the pool
# initializer: an error there makes the pool start replacement workers forever, never returning it.)
_SET_UP_IN: int | None = None


def _work_run(run: tuple[int, int]) -> list[Any]:
    global _SET_UP_IN
    assert _FORKED is not None
    function, items, in_worker = _FORKED
    if in_worker is not None and os.getpid() != _SET_UP_IN:
        in_worker()  # an error here reaches the caller through pool.map
        _SET_UP_IN = os.getpid()
    start, stop = run
    return [function(item) for item in items[start:stop]]
