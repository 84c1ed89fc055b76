"""Watching the digest's sources and rebuilding when they change.

Pieces, each small and separately testable:

- ``watch_plan``: which folders and files to watch, and which to ignore (output, caches).
- ``is_editor_temp`` / ``Relevance``: which file events matter at all.
- ``Debouncer``: turns a burst of events (an editor's write-temp-and-rename, 1,000 captures copied in)
  into one batch: it fires after a quiet period, or after a maximum wait while events keep coming.
- ``Watcher``: watchdog observer feeding the debouncer; re-plans when site.yaml moves folders.
- ``rebuild_loop``: one build per batch, never two at once, each outcome handed to a callback.

Convergence: build ingests new captures into ``content/``; those writes arrive as events and cause at
most one more build, which ingests nothing (only new captures are ingested) and, as every output is
written only when its bytes change, writes nothing that is watched. The output folder and the cache are
never watched, so a build can never trigger itself.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from generator.config import CONFIG_NAME, SiteConfig, load_config
from generator.errors import DigestError
from generator.ignored import IGNORE_FILE

RESEARCH_DONE = Path("(research or search index ready)")  # the trigger of a rebuild they ask for
QUIET_SECONDS = 0.05  # editors finish a save (temp file, rename) within a few milliseconds
MAX_WAIT_SECONDS = 1.0  # a steady stream of changes still rebuilds about once a second
STOP_SECONDS = 5.0  # Ctrl-C: how long to wait for a clean stop before leaving anyway
HARD_MAX_SECONDS = 5.0  # ... unless a file is still being written; then at most this long

# Events that can change a file's bytes. Opened/closed-without-write/attribute events are left out:
# the build itself opens every source file, and those events must not start another build.
CONTENT_EVENTS = {EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED, EVENT_TYPE_DELETED,
                  EVENT_TYPE_CLOSED}
# Editor scratch files: vim (.swp/.swx/.swo, its write test file 4913, backup~), emacs (.#lock, #auto#),
# and the generic .tmp of atomic writers.
TEMP_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")


class BuildResult(Protocol):
    """What a build reports (``generator.build.BuildReport`` satisfies it): changed site paths."""

    @property
    def written(self) -> list[str]: ...

    @property
    def removed(self) -> list[str]: ...


class BuildSite(Protocol):
    """``generator.build.build_site``, passed in so the watcher and server can be tested with any build."""

    def __call__(self, cfg: SiteConfig, *, drafts: bool = ..., ingest_new: bool = ...,
                 out: Path | None = ...) -> BuildResult: ...


Build = Callable[[frozenset[Path]], BuildResult]  # one build, given the changed paths that triggered it


@dataclass(frozen=True)
class WatchPlan:
    """Folders watched recursively, single files watched, and folders whose events are ignored."""

    folders: tuple[Path, ...]
    files: tuple[Path, ...]
    ignored: tuple[Path, ...]

    def relevant(self, path: Path) -> bool:
        """True when a change to ``path`` can change the site."""
        if is_editor_temp(path.name) or any(path.is_relative_to(i) for i in self.ignored):
            return False
        return path in self.files or any(path.is_relative_to(f) for f in self.folders)

    def parents(self) -> tuple[Path, ...]:
        """Folders watched non-recursively: where the single files and the not-yet-created folders live."""
        return tuple(sorted({p.parent for p in (*self.files, *self.folders)}))


def watch_plan(cfg: SiteConfig, extra_ignored: Iterable[Path] = ()) -> WatchPlan:
    """Sources of the site: captures, content, themes (the site's and the bundled ones), templates,
    static, site.yaml, and .digestignore (a line deleted there takes a capture back)."""
    from generator.themes import BUNDLED_THEMES  # themes shipped with digest: edited while developing one

    folders = (*(cfg.path(name) for name in ("captures", "content", "themes", "templates", "static")),
               BUNDLED_THEMES)
    ignored = (cfg.path("output"), cfg.path("cache"), *(p.resolve() for p in extra_ignored))
    return WatchPlan(folders, (cfg.root / CONFIG_NAME, cfg.root / IGNORE_FILE), ignored)


Snapshot = dict[Path, tuple[int, int]]  # watched file -> (size, mtime)


def snapshot(plan: WatchPlan) -> Snapshot:
    """Every file ``plan`` watches, with its size and mtime (to see what changed while nothing watched)."""
    found: Snapshot = {}
    candidates = [*plan.files]
    for folder in plan.folders:
        for parent, _folders, names in os.walk(folder):
            candidates.extend(Path(parent, name) for name in names)
    for path in candidates:
        if plan.relevant(path):
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed_between(before: Snapshot, after: Snapshot) -> set[Path]:
    """Files added, removed or changed from one snapshot to the other."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def is_editor_temp(name: str) -> bool:
    return (name.endswith(TEMP_SUFFIXES) or name == "4913" or name.startswith(".#")
            or (name.startswith("#") and name.endswith("#")))


@dataclass
class Debouncer:
    """Collects changed paths; ``next_batch`` returns them once things have settled.

    A batch is due ``quiet`` seconds after the last event, or ``max_wait`` after the first one if events
    keep coming. While a file is still being written (created or modified, not yet closed) the max wait
    stretches to ``hard_max``, so a build does not read a half-copied capture.
    """

    quiet: float = QUIET_SECONDS
    max_wait: float = MAX_WAIT_SECONDS
    hard_max: float = HARD_MAX_SECONDS
    clock: Callable[[], float] = time.monotonic
    _cond: threading.Condition = field(default_factory=threading.Condition, init=False)
    _pending: set[Path] = field(default_factory=set, init=False)
    _writing: set[Path] = field(default_factory=set, init=False)
    _first: float = field(default=0.0, init=False)
    _last: float = field(default=0.0, init=False)
    _closed: bool = field(default=False, init=False)

    def add(self, path: Path, *, writing: bool = False) -> None:
        """Record a change; ``writing`` says the file may still be open for writing."""
        with self._cond:
            now = self.clock()
            if not self._pending:
                self._first = now
            self._pending.add(path)
            self._last = now
            if writing:
                self._writing.add(path)
            else:
                self._writing.discard(path)
            self._cond.notify_all()

    def next_batch(self) -> set[Path] | None:
        """Block until a batch is due and return it; None once ``close`` was called."""
        with self._cond:
            while not self._closed:
                if not self._pending:
                    self._cond.wait()
                    continue
                wait = self._due() - self.clock()
                if wait <= 0:
                    batch, self._pending, self._writing = self._pending, set(), set()
                    return batch
                self._cond.wait(wait)
            return None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _due(self) -> float:
        cap = self.hard_max if self._writing else self.max_wait
        return min(self._last + self.quiet, self._first + cap)


class BackgroundJob(Protocol):
    """Work a preview runs beside its builds (``DeferredResearch``, ``DeferredSearch``)."""

    on_ready: Callable[[], None] | None

    @property
    def has_news(self) -> bool: ...


def rebuild_when_ready(debouncer: Debouncer, *jobs: BackgroundJob) -> None:
    """Each job asks for a rebuild when it finishes; one that finished before anyone listened, at once."""
    for job in jobs:
        job.on_ready = partial(debouncer.add, RESEARCH_DONE)
    if any(job.has_news for job in jobs):
        debouncer.add(RESEARCH_DONE)


class _Handler(FileSystemEventHandler):
    """Feeds relevant watchdog events into the debouncer."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CONTENT_EVENTS:
            return
        writing = event.event_type in (EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED) and not event.is_directory
        gone = event.event_type in (EVENT_TYPE_DELETED, EVENT_TYPE_MOVED)
        self.watcher.event(Path(_text(event.src_path)), writing=writing, gone=gone)
        if dest := getattr(event, "dest_path", ""):
            self.watcher.event(Path(_text(dest)))


def _text(raw: str | bytes) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class Watcher:
    """A watchdog observer over a ``WatchPlan`` that can be re-planned while running.

    Lock order: watchdog calls ``event`` holding its own lock, so ``event`` only reads the plan and never
    (re)schedules; scheduling happens in ``start``/``update`` (the rebuild thread) and never holds
    ``_lock`` while calling into the observer.
    """

    def __init__(self, plan: WatchPlan, debouncer: Debouncer) -> None:
        self.debouncer = debouncer
        self._observer: Any = Observer()
        self._handler = _Handler(self)
        self._lock = threading.Lock()  # guards _plan and _dead
        self._schedule_lock = threading.Lock()  # guards _watches; never taken by watchdog's thread
        self._plan = plan
        self._watches: dict[tuple[Path, bool], Any] = {}
        self._dead: set[Path] = set()  # watched folders deleted since the last _schedule

    def start(self) -> None:
        self._schedule()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def update(self, plan: WatchPlan) -> None:
        """Watch what ``plan`` says from now on: site.yaml may have moved a folder, or a watched folder
        may have been created since (its creation is an event, so a build, which calls this first)."""
        with self._lock:
            self._plan = plan
        self._schedule()

    def event(self, path: Path, *, writing: bool = False, gone: bool = False) -> None:
        """A file event: ``writing`` when the file may still be open for writing, ``gone`` when the path
        was deleted or moved away."""
        with self._lock:
            plan = self._plan
            if gone:
                self._dead |= {folder for folder in plan.folders if folder.is_relative_to(path)}
        if plan.relevant(path):
            self.debouncer.add(path, writing=writing)

    def _schedule(self) -> None:
        """Make the observer's watches match the plan. Folders that do not exist yet are seen appearing
        through their parent's (non-recursive) watch; a watch whose folder was deleted (its watch died
        with it, even if ``git checkout`` made it again at once) is replaced."""
        with self._lock:
            plan, dead, self._dead = self._plan, self._dead, set()
        with self._schedule_lock:
            wanted = {(p, False) for p in plan.parents() if p.is_dir()}
            wanted |= {(p, True) for p in plan.folders if p.is_dir()}
            for key in [k for k in self._watches if k not in wanted or k[0] in dead]:
                self._observer.unschedule(self._watches.pop(key))
            for path, recursive in sorted(wanted - set(self._watches)):
                self._watches[(path, recursive)] = self._observer.schedule(
                    self._handler, str(path), recursive=recursive)


@dataclass(frozen=True)
class Outcome:
    """One build: its result, or the error that stopped it (the previous output is then untouched)."""

    result: BuildResult | None
    error: DigestError | None
    seconds: float
    trigger: frozenset[Path] = frozenset()

    @property
    def changed(self) -> frozenset[str]:
        if self.result is None:
            return frozenset()
        return frozenset(self.result.written) | frozenset(self.result.removed)


def run_build(build: Build, trigger: frozenset[Path] = frozenset()) -> Outcome:
    """Run one build; a user error becomes part of the outcome instead of ending the session."""
    start = time.perf_counter()
    try:
        result = build(trigger)
    except DigestError as exc:
        return Outcome(None, exc, time.perf_counter() - start, trigger)
    except Exception as exc:  # a bug in the build must not end the session: show it, keep watching
        traceback.print_exc()
        error = DigestError(f"internal error {type(exc).__name__}: {exc} (a bug in digest; the traceback "
                            "is in the terminal)")
        return Outcome(None, error, time.perf_counter() - start, trigger)
    return Outcome(result, None, time.perf_counter() - start, trigger)


def rebuild_loop(debouncer: Debouncer, rebuild: Callable[[frozenset[Path]], object]) -> None:
    """Rebuild once per debounced batch until the debouncer is closed; changes made during a build
    form the next batch."""
    while (batch := debouncer.next_batch()) is not None:
        rebuild(frozenset(batch))


def describe(outcome: Outcome) -> str:
    """One line for the terminal."""
    if outcome.error is not None:
        return f"build failed: {outcome.error}"
    assert outcome.result is not None
    written, removed = len(outcome.result.written), len(outcome.result.removed)
    return f"built in {outcome.seconds:.2f} s: {written} written, {removed} removed"


@dataclass
class WatchSession:
    """Watcher + debouncer + rebuild thread, started and stopped together (used by serve and watch).

    Builds run one at a time (``rebuild`` holds a lock), whether started by a batch of changes or by the
    command itself; each outcome goes to ``on_outcome``.
    """

    plan: WatchPlan
    build: Build
    on_outcome: Callable[[Outcome], None]
    debouncer: Debouncer = field(default_factory=Debouncer)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _watcher: Watcher | None = field(default=None, init=False)

    def start(self) -> None:
        """Start watching and the rebuild thread (daemon: a build in progress never blocks Ctrl-C)."""
        self._watcher = Watcher(self.plan, self.debouncer)
        self._watcher.start()
        threading.Thread(target=rebuild_loop, name="digest-rebuild", daemon=True,
                         args=(self.debouncer, self.rebuild)).start()

    def rebuild(self, trigger: frozenset[Path] = frozenset()) -> Outcome:
        with self._lock:
            outcome = run_build(self.build, trigger)
            self.on_outcome(outcome)
        return outcome

    @property
    def building(self) -> bool:
        return self._lock.locked()

    def update(self, plan: WatchPlan) -> None:
        """Watch a new plan (called by builds, which know the current site.yaml)."""
        self.plan = plan
        if self._watcher is not None:
            self._watcher.update(plan)

    def stop(self) -> None:
        """Stop watching; a build in progress is not waited for (its writes are atomic)."""
        self.debouncer.close()
        if self._watcher is not None:
            self._watcher.stop()


def stop_on_sigterm() -> None:
    """SIGTERM (a service manager, ``docker stop``, ``kill``) stops the way Ctrl-C does: helper processes
    killed, watches and event streams closed. Without this the process would die at once and leave its
    helpers running. Call from the main thread."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def wait_for_interrupt() -> None:
    """Block the main thread until Ctrl-C. It waits in short slices because the kernel may hand SIGINT to
    a busy thread (a build); Python then raises KeyboardInterrupt only once the main thread runs again."""
    never = threading.Event()
    while not never.wait(0.25):
        pass


def leave(stop: Callable[[], None], session: WatchSession) -> None:
    """After Ctrl-C: run ``stop`` (giving up after a few seconds), and when a build is still running, exit
    at once rather than wait for it: its writes are atomic, so abandoning it loses nothing."""
    worker = threading.Thread(target=stop, name="digest-stop", daemon=True)
    worker.start()
    worker.join(STOP_SECONDS)
    if session.building or worker.is_alive():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def needs_ingest(cfg: SiteConfig, trigger: frozenset[Path]) -> bool:
    """Ingest looks for new captures by reading every article, which is slow with thousands of them:
    only do it on the first build and when captures/, site.yaml or .digestignore changed."""
    captures = cfg.path("captures")
    return not trigger or any(p.is_relative_to(captures) or p.name in (CONFIG_NAME, IGNORE_FILE) for p in trigger)


def start_watching(root: Path, build_site: BuildSite, *, drafts: bool = False,
                   on_outcome: Callable[[Outcome], None] = lambda outcome: None) -> WatchSession:
    """``digest watch``: build the output folder now and after every change (site.yaml re-read each time).
    Returns the running session after the first build; ``stop()`` ends it."""
    def build(trigger: frozenset[Path]) -> BuildResult:
        site = load_config(root)
        session.update(watch_plan(site))
        return build_site(site, drafts=drafts, ingest_new=needs_ingest(site, trigger))

    session = WatchSession(watch_plan(load_config(root)), build, on_outcome)
    session.start()  # before the first build, so no edit made during it is missed
    session.rebuild()
    return session
