"""Research for a live preview, without making every save wait for it.

Grouping stories and finding related articles looks at all articles together: about a minute at 10,000
articles, against a second or so for the rest of a rebuild. ``digest build`` waits for it; a preview
(``serve``, ``watch``) should not. So a preview computes it once, synchronously, on its first build (from
``OPEN_FIRST_AT`` articles on, not even then: the first pages show none, and catch up), and afterwards
in a separate process: a rebuild uses the latest finished analysis (which may not know about the last
few edits yet), and when the new one finishes the preview is told (``on_ready``) and rebuilds again, so
the pages catch up. A separate process, not a thread: the analysis is mostly Python and would
hold the GIL against the rebuilds it is meant to spare.

Pages only ever show what the stale analysis says about articles that still exist (see
``generator.render.research_context``), and the final rebuild equals a ``digest build``.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from generator.research.search import BACKGROUND_NICENESS

if TYPE_CHECKING:
    from multiprocessing.synchronize import Lock as ProcessLock

    from generator.model import Loaded, Store
    from generator.research.analysis import Research


# Articles: from here a preview's first build waits neither for the analysis nor for the search index (at
# 10,000 articles a minute and 20 s, against 30 s for the pages), which catch up in the background.
OPEN_FIRST_AT = 2000


def nothing_found_yet() -> Research:
    """The analysis a large preview's first pages show: no stories, copies or related articles."""
    from generator.research.analysis import Research

    return Research(stories=(), duplicates=(), related={}, hidden=frozenset())


def research_key(published: Sequence[Loaded], tz: ZoneInfo) -> str:
    """Changes whenever anything the analysis reads may have changed: every published file's hash."""
    hasher = hashlib.sha1(str(tz).encode(), usedforsecurity=False)
    for item in published:
        hasher.update((item.sha or repr(item.article)).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


REMEMBERED = "research"  # the build cache keeps one analysis: the last one, with its key


def _remembered(store: Store | None) -> tuple[str, Research] | None:
    """The last analysis the build cache keeps, with its key (whatever articles it was made from)."""
    from generator.research.analysis import Research

    found = store.get(REMEMBERED) if store is not None else None
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], str) and isinstance(found[1], Research):
        return found
    return None


def remembered_analysis(published: Sequence[Loaded], tz: ZoneInfo, store: Store | None) -> Research:
    """The analysis of ``published``; the build cache keeps the last one, so a build whose articles did
    not change (a template edit, a restart of the preview) does not redo it."""
    from generator.research.analysis import analyse

    key = research_key(published, tz)
    found = _remembered(store)
    if found is not None and found[0] == key:
        return found[1]
    research = analyse([item.article for item in published], tz, store=store)
    if store is not None:
        store.put(REMEMBERED, (key, research))
    return research


def last_analysis(cache_root: Path | None) -> tuple[str, Research] | None:
    """The analysis the build cache remembers, if any, with its key."""
    from generator.cache import DerivedStore

    store = DerivedStore(cache_root)
    try:
        return _remembered(store)
    finally:
        store.close()


def analyse_now(published: Sequence[Loaded], tz: ZoneInfo, cache_root: Path | None,
                guard: AbstractContextManager[Any] | None = None) -> Research:
    """The analysis, with the build cache (also run in the helper process, with the ``guard`` it holds
    while it uses the cache's database; see ``DeferredResearch.pause``)."""
    from generator.cache import DerivedStore

    store = DerivedStore(cache_root, guard)
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
        self._handed_out = ""  # key of the analysis the last build used
        self._asked = ""  # key of the articles the last build had
        self._collector: threading.Thread | None = None  # waits for the helper process and reaps it
        # Held by the helper around each use of the build cache's database, and by a build that stops it.
        # (One per helper: a helper killed while holding it must not leave the next one locked out.)
        self._guard: ProcessLock | None = None
        self._paused = False  # a build is running: start no helper until it ends
        self._stopped: tuple[BaseProcess, ProcessLock] | None = None  # the helper and its guard, while stopped

    def research(self, published: Sequence[Loaded], tz: ZoneInfo, cache_root: Path | None) -> Research:
        """The analysis for ``published`` if it is done, else the latest one (and the new one starts)."""
        key = research_key(published, tz)
        with self._lock:
            self._asked = key
            if self._done is None:
                # A preview started on a digest built before: the analysis the cache remembers serves
                # (stale if articles changed since) while the new one runs, instead of making the first
                # rebuild after an edit wait a minute for it at 10,000 articles.
                self._done = last_analysis(cache_root)
            if self._done is None and len(published) >= OPEN_FIRST_AT:
                # A large digest's first preview: its pages open without stories and related articles,
                # which arrive with the analysis (a preview of a fresh 10,000-article digest waited for it
                # a minute, of two and a half).
                self._done = ("", nothing_found_yet())
            done = self._done
            if done is not None and done[0] == key:
                self._handed_out = key
                return done[1]
            if done is not None:
                self._wanted = (key, published, tz, cache_root)
                if self._running is None and not self._closed and not self._paused:
                    self._start()
                self._handed_out = done[0]
                return done[1]
        research = analyse_now(published, tz, cache_root)  # a small digest's first build waits (seconds)
        with self._lock:
            self._done, self._handed_out = (key, research), key
        return research

    @property
    def has_news(self) -> bool:
        """Is there a finished analysis no build has used yet?"""
        with self._lock:
            return self._done is not None and self._done[0] != self._handed_out

    @property
    def pending(self) -> bool:
        """Is an analysis running, or waiting for the build in progress to end?"""
        with self._lock:
            return self._running is not None or self._wanted is not None

    def pause(self) -> None:
        """A build someone waits for begins: stop the helper until ``resume`` (the two would share this
        machine's cores). Only outside its uses of the database, which the build reads and writes too: a
        helper stopped inside a transaction would keep the build waiting on the lock."""
        with self._lock:
            self._paused = True
            running, guard = self._running, self._guard
        if running is None or guard is None or not guard.acquire(timeout=PAUSE_WAIT_SECONDS):
            return  # nothing to stop, or in a long write: let it finish alongside the build
        with self._lock:
            if running is self._running and _signal_running(running, signal.SIGSTOP):
                self._stopped = (running, guard)  # (the guard stays held until resume)
                return
        guard.release()

    def resume(self) -> None:
        """The build ended: continue the helper, or start the analysis the build asked for."""
        with self._lock:
            self._paused = False
            stopped, self._stopped = self._stopped, None
            if stopped is not None:
                process, guard = stopped
                _signal_running(process, signal.SIGCONT)
                guard.release()
            if self._wanted is not None and self._running is None and not self._closed:
                self._start()

    @property
    def behind(self) -> bool:
        """Did the last build use an analysis of other articles than its own (a stale one)?"""
        with self._lock:
            return self._asked != self._handed_out

    def close(self) -> None:
        """Stop: an analysis in progress is killed (it only ever adds to the cache, in one transaction)."""
        with self._lock:
            self._closed, self._wanted, running, collector = True, None, self._running, self._collector
            stopped, self._stopped = self._stopped, None
        if running is not None:
            running.kill()  # (also when stopped for a build)
        if stopped is not None:
            stopped[1].release()
        if collector is not None:
            collector.join(5)  # it reaps the process (only one thread may wait for it)

    def _start(self) -> None:
        """Under the lock: start the analysis ``_wanted`` asks for, in a process of its own. (spawn, not
        fork: the preview runs threads, and a fork would copy their locks.)"""
        assert self._wanted is not None
        key, published, tz, cache_root = self._wanted
        self._wanted = None
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        self._guard = context.Lock()
        process = context.Process(target=_analyse_into, args=(sender, list(published), tz, cache_root, self._guard),
                                  name="digest-research", daemon=True)
        process.start()
        sender.close()
        self._running = process
        self._collector = threading.Thread(target=self._collect, args=(key, receiver, process),
                                           name="digest-research-wait", daemon=True)
        self._collector.start()

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
            if self._stopped is not None and self._stopped[0] is process:  # it died while stopped
                self._stopped[1].release()
                self._stopped = None
            if ok:
                self._done = (key, value)
                notify = True
            elif value is not None:
                print(f"digest: warning: research analysis failed: {value}", file=sys.stderr)
            if self._wanted is not None and self._wanted[0] == key:
                self._wanted = None
            if self._wanted is not None and not self._closed:
                if not self._paused:  # (else the build's end starts it)
                    self._start()  # edits came in meanwhile: analyse again before asking for a rebuild
                notify = False
        if notify and self.on_ready is not None and not self._closed:
            self.on_ready()


def _analyse_into(sender: Connection, published: Sequence[Loaded], tz: ZoneInfo, cache_root: Path | None,
                  guard: AbstractContextManager[Any]) -> None:
    """In the helper process: the analysis, sent back as (True, research) or (False, message)."""
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICENESS)  # the rebuild someone waits for comes first
    try:
        sender.send((True, analyse_now(published, tz, cache_root, guard)))
    except Exception as exc:  # reported by the preview, which keeps the previous analysis
        sender.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


PAUSE_WAIT_SECONDS = 0.2  # how long a build waits for the research helper to leave the database


def _signal_running(process: BaseProcess, sent: signal.Signals) -> bool:
    """Signal the helper if it has not ended (once reaped, its pid may belong to another process)."""
    if process.pid is None or process.exitcode is not None:
        return False
    try:
        os.kill(process.pid, sent)
    except ProcessLookupError:  # it just ended
        return False
    return True


class DeferredSearch:
    """The preview's search bundle, re-indexed in the background.

    Pagefind re-indexes every article page whenever one changes (half a minute at 10,000 articles), so a
    preview keeps the bundle it has, indexes the written site after the build (``committed``), and asks
    for a rebuild (``on_ready``) that puts the new bundle in place. A generation count says whether the
    pages changed while Pagefind ran; then that bundle is dropped and indexing runs again.
    """

    def __init__(self) -> None:
        self.on_ready: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._generation = 0  # increases whenever an indexed page changes
        self._indexed = -1  # the generation the bundle in place was made from
        self._ready: tuple[int, dict[str, bytes]] | None = None
        self._used = False  # has a build asked for a bundle yet
        self._running = False
        self._indexer: threading.Thread | None = None
        self._pagefind: subprocess.Popen[str] | None = None  # the indexing process, while it runs
        self._closed = False
        self._paused = False  # a build is running: Pagefind is stopped, and starts only after it
        self._stopped: subprocess.Popen[str] | None = None  # Pagefind, while stopped for a build
        self._wanted: tuple[Path, str | None] | None = None  # an indexing asked for during a build

    def bundle(self, read: Callable[[str], bytes], produced: frozenset[str], changed: frozenset[str],
               present: set[str], language: str | None = None) -> dict[str, bytes | None]:
        """The build's search entries, as ``bundle_for_build`` returns them (None: keep the file)."""
        from generator.research.search import BUNDLE, bundle_for_build, indexed_pages_changed

        existing = [path for path in present if path.startswith(BUNDLE)]
        with self._lock:
            self._used = True
            if indexed_pages_changed(produced, changed, present):
                self._generation += 1
            if self._ready is not None and self._ready[0] == self._generation:
                generation, ready = self._ready
                self._ready, self._indexed = None, generation
                return dict(ready)
            if existing:
                return dict.fromkeys(existing)  # the bundle in place, until the new one is ready
            if sum(1 for path in produced if path.startswith("articles/")) >= OPEN_FIRST_AT:
                return {}  # a large digest's first preview: indexed after it opens (``committed``)
            generation = self._generation
        bundle = bundle_for_build(read, produced, changed, present, language)  # the first build: at once
        with self._lock:
            self._indexed = generation
        return bundle

    @property
    def has_news(self) -> bool:
        """Is there a new bundle waiting for a build to put it in place?"""
        with self._lock:
            return self._ready is not None

    @property
    def behind(self) -> bool:
        """Does the bundle the last build kept fail to index its pages? (One kept from before this
        preview started counts as behind until it has been indexed again.)"""
        with self._lock:
            return self._used and self._indexed != self._generation

    def pause(self) -> None:
        """A build someone waits for begins: stop Pagefind until ``resume`` (it only reads the pages and
        writes a scratch folder of its own, so it can be stopped anywhere)."""
        with self._lock:
            self._paused = True
            if self._pagefind is not None:
                self._stop(self._pagefind)

    def _stop(self, pagefind: subprocess.Popen[str]) -> None:
        """Under the lock: stop Pagefind for the build (``send_signal`` skips a process that has ended,
        whose pid may belong to another one by now)."""
        self._stopped = pagefind
        pagefind.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            stopped, self._stopped = self._stopped, None
            wanted, self._wanted = self._wanted, None
            if stopped is not None:
                stopped.send_signal(signal.SIGCONT)
        if wanted is not None:
            self.committed(*wanted)

    def committed(self, out: Path, language: str | None) -> None:
        """After a build wrote its pages: index them in the background if the bundle is behind (once the
        build has ended, when it is paused)."""
        with self._lock:
            if self._paused:
                self._wanted = (out, language)
                return
            if self._running or self._closed or self._indexed == self._generation:
                return
            self._running, generation = True, self._generation
            self._indexer = threading.Thread(target=self._index, args=(out, language, generation),
                                             name="digest-search", daemon=True)
            self._indexer.start()

    def close(self) -> None:
        """Stop: indexing in progress is killed, and its scratch folder removed."""
        with self._lock:
            self._closed, pagefind, indexer = True, self._pagefind, self._indexer
            self._stopped = self._wanted = None  # (killing a stopped Pagefind needs no SIGCONT)
        if pagefind is not None:
            pagefind.kill()
        if indexer is not None and indexer is not threading.current_thread():
            indexer.join(5)

    def _started(self, pagefind: subprocess.Popen[str]) -> None:
        with self._lock:
            self._pagefind = pagefind
            closed = self._closed
            if self._paused and not closed:  # started just before a build: it waits for its end too
                self._stop(pagefind)
        if closed:  # close() came between the start and now
            pagefind.kill()

    def _index(self, out: Path, language: str | None, generation: int) -> None:
        from generator.errors import DigestError
        from generator.research.search import index_written_site

        try:
            bundle: dict[str, bytes] | None = index_written_site(out, language, started=self._started)
        except (DigestError, OSError) as exc:
            if not self._closed:
                print(f"digest: warning: search index not updated: {exc}", file=sys.stderr)
            bundle = None
        with self._lock:
            self._running, self._pagefind = False, None
            current = generation == self._generation
            if bundle is not None and current:
                self._ready = (generation, bundle)
            notify = bundle is not None and current and not self._closed
        if not current:
            self.committed(out, language)  # the pages changed while Pagefind read them: again
        if notify and self.on_ready is not None:
            self.on_ready()
