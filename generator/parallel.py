"""Rendering many outputs on every core (cold builds of large sites).

Worker processes are forked so they inherit the site model instead of receiving it pickled (tens of MB at
10,000 articles). Forking a process that runs other threads (the preview server, the watcher) can copy a
lock held by one of them, so we fork only from a single-threaded process; otherwise we render serially.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from typing import Any

from generator.output import Job

PARALLEL_MIN_JOBS = 1500  # below this, forking and collecting results costs more than it saves

# Set in the parent just before forking and read by the forked children; never mutated elsewhere.
_FORKED: tuple[Sequence[Job], Any] | None = None


def worker_count(jobs: int) -> int:
    if jobs < PARALLEL_MIN_JOBS or threading.active_count() > 1 or os.environ.get("DIGEST_JOBS") == "1":
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(len(os.sched_getaffinity(0)), 8)


def render_all(jobs: Sequence[Job], store: Any) -> list[bytes]:
    """``job.render()`` for every job, in order; derived values the workers computed go into ``store``."""
    workers = worker_count(len(jobs))
    if workers == 1:
        return [job.render() for job in jobs]
    global _FORKED
    _FORKED = (jobs, store)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_render_share, [(index, workers) for index in range(workers)])
    finally:
        _FORKED = None
    results: list[bytes] = [b""] * len(jobs)
    for index, (rendered, derived) in enumerate(parts):
        results[index::workers] = rendered
        for key, value in derived.items():
            store.put(key, value)
    return results


def _render_share(share: tuple[int, int]) -> tuple[list[bytes], dict[str, Any]]:
    assert _FORKED is not None
    jobs, store = _FORKED
    index, workers = share
    store.forget_database()  # a database connection must not be used across fork
    rendered = [job.render() for job in jobs[index::workers]]
    return rendered, store.pending()
