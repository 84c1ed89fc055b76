"""One digest-wide exclusive lock per kind of work (builds, ingests), across processes and threads.

``flock`` is dropped by the kernel when its holder ends, however it ends, so a kill -9 leaves no stale
lock. It is unlocked explicitly, not only by closing: a process forked while it was held (a build's
worker, a preview's helper) keeps a copy of the descriptor, and closing only ours would leave the lock
held for as long as that process lives.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, waiting: Callable[[str], None] | None, message: str) -> Iterator[None]:
    """Hold the lock file ``path``. When another process holds it, ``waiting`` is told ``message`` with
    the holder's process id once, so nobody wonders why nothing happens, and this one waits its turn."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                waiting(f"{message} (process {holder})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
