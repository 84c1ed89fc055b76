"""Research for a live preview, without making every save wait for it.

Grouping stories and finding related articles looks at all articles together: about a minute at 10,000
articles, against a second or so for the rest of a rebuild. ``digest build`` waits for it; a preview
(``serve``, ``watch``) should not. So a preview computes it once, synchronously, on its first build, and
afterwards in a separate process: a rebuild uses the latest finished analysis (which may not know about
the last few edits yet), and when the new one finishes the preview is told (``on_ready``) and rebuilds
again, so the pages catch up. A separate process, not a thread: the analysis is mostly Python and would
hold the GIL against the rebuilds it is meant to spare.

Pages only ever show what the stale analysis says about articles that still exist (see
``generator.render.research_context``), and the final rebuild equals a ``digest build``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sys
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from generator.model import Loaded, Store
    from generator.research.analysis import Research


def research_key(published: Sequence[Loaded], tz: ZoneInfo) -> str:
    """Changes whenever anything the analysis reads may have changed: every published file's hash."""
    hasher = hashlib.sha1(str(tz).encode(), usedforsecurity=False)
    for item in published:
        hasher.update((item.sha or repr(item.article)).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


REMEMBERED = "research"  # the build cache keeps one analysis: the last one, with its key


def remembered_analysis(published: Sequence[Loaded], tz: ZoneInfo, store: Store | None) -> Research:
    """The analysis of ``published``; the build cache keeps the last one, so a build whose articles did
    not change (a template edit, a restart of the preview) does not redo it."""
    from generator.research.analysis import Research, analyse

    key = research_key(published, tz)
    found = store.get(REMEMBERED) if store is not None else None
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key and isinstance(found[1], Research):
        return found[1]
    research = analyse([item.article for item in published], tz, store=store)
    if store is not None:
        store.put(REMEMBERED, (key, research))
    return research


def analyse_now(published: Sequence[Loaded], tz: ZoneInfo, cache_root: Path | None) -> Research:
    """The analysis, with the build cache (also run in the helper process)."""
    from generator.cache import DerivedStore

    store = DerivedStore(cache_root)
    try:
        research = remembered_analysis(published, tz, store)
        store.flush()
    finally:
        store.close()
    return research


class DeferredResearch:
    """The latest analysis, recomputed in the background when the articles change."""

    def __init__(self) -> None:
        self.on_ready: Callable[[], None] | None = None  # called (from a helper thread) when one finishes
        self._lock = threading.Lock()
        self._done: tuple[str, Research] | None = None
        self._running: multiprocessing.process.BaseProcess | None = None
        self._wanted: tuple[str, Sequence[Loaded], ZoneInfo, Path | None] | None = None
        self._closed = False

    def research(self, published: Sequence[Loaded], tz: ZoneInfo, cache_root: Path | None) -> Research:
        """The analysis for ``published`` if it is done, else the latest one (and the new one starts)."""
        key = research_key(published, tz)
        with self._lock:
            done = self._done
            if done is not None and done[0] == key:
                return done[1]
            if done is not None:
                self._wanted = (key, published, tz, cache_root)
                if self._running is None and not self._closed:
                    self._start()
                return done[1]
        research = analyse_now(published, tz, cache_root)  # the first build shows the whole site
        with self._lock:
            self._done = (key, research)
        return research

    @property
    def pending(self) -> bool:
        with self._lock:
            return self._running is not None

    def close(self) -> None:
        """Stop: an analysis in progress is killed (it only ever adds to the cache, in one transaction)."""
        with self._lock:
            self._closed, self._wanted, running = True, None, self._running
        if running is not None and running.is_alive():
            running.kill()
            running.join(5)

    def _start(self) -> None:
        """Under the lock: start the analysis ``_wanted`` asks for, in a process of its own. (spawn, not
        fork: the preview runs threads, and a fork would copy their locks.)"""
        assert self._wanted is not None
        key, published, tz, cache_root = self._wanted
        self._wanted = None
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_analyse_into, args=(sender, list(published), tz, cache_root),
                                  name="digest-research", daemon=True)
        process.start()
        sender.close()
        self._running = process
        threading.Thread(target=self._collect, args=(key, receiver, process), name="digest-research-wait",
                         daemon=True).start()

    def _collect(self, key: str, receiver: Connection, process: multiprocessing.process.BaseProcess) -> None:
        try:
            ok, value = receiver.recv()
        except (EOFError, OSError):  # killed by close(), or died
            ok, value = False, None
        finally:
            receiver.close()
            process.join()
        notify = False
        with self._lock:
            self._running = None
            if ok:
                self._done = (key, value)
                notify = True
            elif value is not None:
                print(f"digest: warning: research analysis failed: {value}", file=sys.stderr)
            if self._wanted is not None and self._wanted[0] == key:
                self._wanted = None
            if self._wanted is not None and not self._closed:
                self._start()  # edits came in meanwhile: analyse again before asking for a rebuild
                notify = False
        if notify and self.on_ready is not None and not self._closed:
            self.on_ready()


def _analyse_into(sender: Connection, published: Sequence[Loaded], tz: ZoneInfo, cache_root: Path | None) -> None:
    """In the helper process: the analysis, sent back as (True, research) or (False, message)."""
    try:
        sender.send((True, analyse_now(published, tz, cache_root)))
    except Exception as exc:  # reported by the preview, which keeps the previous analysis
        sender.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
