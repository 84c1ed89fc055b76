"""The build cache: one folder (``folders.cache``, default ``.digest-cache/``) that may be deleted at any
time without changing the output; it only saves work.

- ``files.pickle`` and ``state.pickle``: parsed articles by file (trusted while the file's size and mtime
  are unchanged; the second file holds those changed since the first was written) and the fingerprint of
  every output file of the last build (a page whose inputs did not change is neither rendered nor
  written again).
- ``derived.sqlite``: HTML, summary and reading time per Markdown body (by its content file's hash), read
  row by row, so an edit rebuild touches only the bodies of the pages it re-renders (or all at once, for a
  rebuild of many pages: see ``build.derive_ahead``).
- ``templates/``: compiled templates (Jinja's bytecode cache, see ``generator.render.CompiledTemplates``).

A cache written by another digest version, or one that cannot be read, is ignored and rebuilt, never
trusted: every entry is keyed by ``CACHE_KEY`` and a failed read counts as an empty cache.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib.util
import os
import pickle
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.content import Article
from generator.locks import exclusive
from generator.reuse import Reuse

if TYPE_CHECKING:
    from generator.model import Loaded
    from generator.research.deferred import DeferredResearch, DeferredSearch

FORMAT = 8  # 2: Markdown HTML stored compressed; 3: reading time counts words split at spaces;
# 4: derived values keyed by content file hash; 5: reading time counts the words of the parsed text only;
# 6: articles carry confidence, reviewed, duplicate_of and notes; feeds give an undated article no
# publication date; 7: both branches of format 6 together; 8: facts from either Markdown renderer's tree
# (a hard line break separates words)


def renderer_identity() -> str:
    """The Markdown renderers a build uses (see ``generator.markdown``) and their versions: stored HTML and
    facts came from them. Read without importing markdown-it-py or importlib.metadata (75 ms together),
    which a build with nothing to do never needs."""
    names = ["markdown-it-py"]
    try:
        import markdown_it_pyrs  # 3 ms; whether it imports is what decides the fast path
        names.append(f"markdown-it-pyrs {getattr(markdown_it_pyrs, '__version__', '?')}")
    except ImportError:
        pass
    spec = importlib.util.find_spec("markdown_it")
    source = Path(spec.origin).read_text("utf-8") if spec and spec.origin else ""
    version = re.search(r"""__version__\s*=\s*["']([^"']+)""", source)
    names[0] += f" {version.group(1) if version else '?'}"
    return " + ".join(names)


CACHE_KEY = f"digest {__version__} format {FORMAT} python {sys.version_info[:2]} {renderer_identity()}"
BUILD_FOLDER = "build"


@dataclass(frozen=True)
class FileEntry:
    """A content file as last parsed: its stat signature, its bytes' hash and the article."""

    mtime_ns: int
    size: int
    sha: str
    article: Article


@dataclass(frozen=True)
class Manifest:
    """The last build in brief, read before anything else: equal signatures mean nothing to do."""

    key: str = CACHE_KEY
    signature: str = ""  # of every input file (name, size, mtime) and the build settings
    outputs: tuple[tuple[str, int, int], ...] = ()  # every output file (site path, size, mtime) after it
    articles: int = 0


@dataclass
class BuildState:
    """What the last successful build knew; ``settings`` says what the fingerprints are valid for."""

    key: str = CACHE_KEY
    settings: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # output site path -> input fingerprint
    base: Base | None = None  # where ``files`` came from (see ``save_state``)


@dataclass(frozen=True)
class Base:
    """Parsed content files as of some build. Rewriting 10,000 parsed articles costs more than the rest
    of an edit rebuild, so later builds store only what changed since (``Delta``) until that grows."""

    key: str = CACHE_KEY
    token: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class Delta:
    key: str = CACHE_KEY
    base: str = ""  # token of the Base it applies to
    settings: str = ""
    changed: dict[str, FileEntry] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)


DELTA_SHARE = 20  # rewrite the base once more than 1/20 of the files changed since it was written...
DELTA_MIN = 64  # ...and more than this many


def _folder(cache_root: Path) -> Path:
    return cache_root / BUILD_FOLDER


def templates_folder(cache_root: Path) -> Path:
    return _folder(cache_root) / "templates"


# What reading a damaged, cut-short or foreign pickle can raise: such a cache reads as empty.
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError,
               IndexError, KeyError, OverflowError, RecursionError, MemoryError)


@contextmanager
def collector_paused() -> Iterator[None]:
    """For work that creates many objects and no cyclic garbage (unpickling, building the site model):
    collections during it would only cost time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _read(path: Path, kind: type[Any]) -> Any:
    with collector_paused():
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except _UNREADABLE:
            return kind()
    return value if isinstance(value, kind) and value.key == CACHE_KEY else kind()


def _write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


LOCK_NAME = "build.lock"


def build_lock(cache_root: Path, waiting: Callable[[str], None]) -> AbstractContextManager[None]:
    """Held while a build of this digest runs: a second build (another terminal, a preview's rebuild, a
    deploy) waits for the first instead of mixing its files and cache entries with it. It waits rather
    than fails because the other build ends by itself, usually within seconds, and a `digest build`
    typed while a preview rebuilds should just work."""
    return exclusive(cache_root / LOCK_NAME, waiting, "waiting for another build of this digest to finish")


def load_manifest(cache_root: Path) -> Manifest:
    manifest: Manifest = _read(_folder(cache_root) / "manifest.pickle", Manifest)
    return manifest


@dataclass
class Session:
    """What a long-running preview or watcher keeps between its builds: the last build's state, so an
    edit rebuild does not read and unpickle it again (at 10,000 articles, a third of a second); the
    manifest it saved, which lists the files it left in the output folder, so a preview's folder (our own,
    under the cache, where nobody else writes) need not be walked or stat-ed again; the model's inputs
    made from unchanged files, and the model's steps (``reuse``)."""

    state: BuildState | None = None
    where: tuple[Path, str] | None = None  # (cache folder, build settings) the rest belongs to
    research: DeferredResearch | None = None  # the research analysis, done in the background
    search: DeferredSearch | None = None  # the search index, likewise
    loaded: dict[str, tuple[FileEntry, Loaded]] = field(default_factory=dict)  # by content file
    reuse: Reuse = field(default_factory=Reuse)  # the last build's model, pages and fingerprints
    manifest: Manifest | None = None  # the one the last build saved

    def recall_manifest(self, cache_root: Path, settings: str) -> Manifest | None:
        return self.manifest if self.where == (cache_root, settings) else None

    def recall(self, cache_root: Path, settings: str) -> BuildState | None:
        return self.state if self.where == (cache_root, settings) else None

    def keep(self, cache_root: Path, settings: str, state: BuildState,
             loaded: dict[str, tuple[FileEntry, Loaded]]) -> None:
        self.state, self.where, self.loaded = state, (cache_root, settings), loaded

    def forget(self) -> None:
        self.state = self.where = self.manifest = None
        self.loaded = {}

    @property
    def outputs(self) -> frozenset[str]:
        """The output folder's files after the last build (those its manifest lists)."""
        return frozenset(name for name, _size, _mtime in self.manifest.outputs) if self.manifest else frozenset()

    @contextmanager
    def background_paused(self) -> Iterator[None]:
        """While a build runs: the background research and search indexing are stopped (on a machine of
        a few cores they would slow the rebuild someone waits for by a third) and continue after it."""
        with ExitStack() as paused:  # every job paused is resumed, even when another one fails
            for job in (self.research, self.search):
                if job is not None:
                    job.pause()
                    paused.callback(job.resume)
            yield

    @property
    def has_news(self) -> bool:
        """Did background work finish that the next build must put in place (even with no file changed)?"""
        return any(job is not None and job.has_news for job in (self.research, self.search))

    @property
    def behind(self) -> bool:
        """Did the last build show background work that was not done yet (stale research or search)?"""
        return any(job is not None and job.behind for job in (self.research, self.search))


BASE_CHUNK = 2000  # files per pickle in files.pickle


def _write_base(path: Path, base: Base) -> None:
    """The base in chunks: one pickle of 100,000 parsed files keeps a memo entry for every string it
    wrote (over half a GB); a fresh pickle per chunk keeps only a chunk's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(base.files)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(dataclasses.replace(base, files={}), handle, protocol=pickle.HIGHEST_PROTOCOL)
        for start in range(0, len(names), BASE_CHUNK):
            chunk = {name: base.files[name] for name in names[start:start + BASE_CHUNK]}
            pickle.dump(chunk, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, handle)  # the end: a file cut short reads as no base at all
    os.replace(tmp, path)


def _read_base(path: Path) -> Base:
    with collector_paused():
        try:
            with path.open("rb") as handle:
                base = pickle.load(handle)
                if not isinstance(base, Base) or base.key != CACHE_KEY:
                    return Base()
                while (chunk := pickle.load(handle)) is not None:
                    base.files.update(chunk)
        except _UNREADABLE:
            return Base()
    return base


def load_state(cache_root: Path) -> BuildState:
    base = _read_base(_folder(cache_root) / "files.pickle")
    delta: Delta = _read(_folder(cache_root) / "state.pickle", Delta)
    if not base.token:
        return BuildState()
    files = dict(base.files)
    if delta.base == base.token:
        files.update(delta.changed)
        for name in delta.removed:
            files.pop(name, None)
        return BuildState(settings=delta.settings, files=files, outputs=delta.outputs, base=base)
    return BuildState(files=files, base=base)  # parsed files stay good; output fingerprints are unknown


@dataclass(frozen=True)
class IngestMark:
    key: str = CACHE_KEY
    mark: str = ""  # see build.ingest_mark


def load_ingest_mark(cache_root: Path) -> str:
    found: IngestMark = _read(_folder(cache_root) / "ingest.pickle", IngestMark)
    return found.mark


def save_ingest_mark(cache_root: Path, mark: str) -> None:
    _write(_folder(cache_root) / "ingest.pickle", IngestMark(mark=mark))


def clear_manifest(cache_root: Path) -> None:
    """Before a build writes anything: a manifest must never vouch for a build that did not finish."""
    (_folder(cache_root) / "manifest.pickle").unlink(missing_ok=True)


def save_manifest(cache_root: Path, manifest: Manifest) -> None:
    _write(_folder(cache_root) / "manifest.pickle", manifest)


def save_state(cache_root: Path, state: BuildState, previous: BuildState) -> BuildState:
    """Store ``state``: as a delta over the base ``previous`` was loaded from while that stays small,
    else as a new base (written before the delta that names it, so a crash between leaves a mismatch,
    which reads as an empty cache, never as a wrong one). Returns ``state`` as ``load_state`` would
    read it back (a preview keeps it in memory for its next build)."""
    base = previous.base
    if base is not None:
        changed = {name: entry for name, entry in state.files.items() if base.files.get(name) is not entry}
        removed = tuple(name for name in base.files if name not in state.files)
        if len(changed) + len(removed) <= max(DELTA_MIN, len(state.files) // DELTA_SHARE):
            _write(_folder(cache_root) / "state.pickle", Delta(base=base.token, settings=state.settings,
                                                               changed=changed, removed=removed,
                                                               outputs=state.outputs))
            return dataclasses.replace(state, base=base)
    base = Base(token=os.urandom(8).hex(), files=state.files)
    _write_base(_folder(cache_root) / "files.pickle", base)
    _write(_folder(cache_root) / "state.pickle", Delta(base=base.token, settings=state.settings,
                                                       outputs=state.outputs))
    return dataclasses.replace(state, base=base)


class DerivedStore:
    """Persistent ``key -> value`` for values derived from one Markdown body (see ``model.Derived``).

    ``guard``: held around every use of the database (by a preview's research helper, which the preview
    stops while it builds: never inside a transaction, so the build is never kept waiting on a lock)."""

    def __init__(self, cache_root: Path | None, guard: AbstractContextManager[Any] | None = None) -> None:
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, Any] = {}
        self._path = _folder(cache_root) / "derived.sqlite" if cache_root is not None else None
        self._inherited: sqlite3.Connection | None = None
        self._guard = guard or nullcontext()
        if self._path is not None:
            with self._guard:
                self._db = _open_db(self._path)

    def get(self, key: str) -> Any:
        return self.get_many([key]).get(key)

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """``get`` for many keys, in a few queries; a key without a readable entry is left out."""
        found = {key: self._pending[key] for key in keys if key in self._pending}
        for key, data in self._rows([key for key in keys if key not in found]):
            value = _unpickled(data)
            if value is not None:
                found[key] = value
        return found

    def _rows(self, keys: list[str]) -> list[tuple[str, bytes]]:
        rows: list[tuple[str, bytes]] = []
        if self._db is None:
            return rows
        try:
            with self._guard:
                for start in range(0, len(keys), _BATCH):
                    batch = keys[start:start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    rows += self._db.execute(f"SELECT key, value FROM derived WHERE key IN ({marks})", batch)
        except sqlite3.Error:  # the store is unreadable: the bodies are derived again
            return []
        return rows

    def put(self, key: str, value: Any) -> None:
        self._pending[key] = value

    def flush(self) -> None:
        """Store what this build derived (after it succeeded)."""
        if self._db is None or not self._pending:
            return
        try:
            with self._guard, self._db:
                # A generator, not a list: at 100,000 articles the pickled values would be another GB.
                self._db.executemany("INSERT OR REPLACE INTO derived VALUES (?, ?)",
                                     ((k, pickle.dumps(v)) for k, v in self._pending.items()))
        except sqlite3.Error:
            return
        self._pending.clear()

    def reopen_in_worker(self) -> None:
        """In a forked worker: the parent's connection must not be used across fork (it stays referenced,
        unused and unclosed, until the worker exits), so read through a connection of its own. What a
        worker derives itself is not stored: only the parent writes."""
        self._inherited, self._db = self._db, None
        if self._inherited is not None and self._path is not None:
            try:
                self._db = sqlite3.connect(self._path.resolve().as_uri() + "?mode=ro", uri=True,
                                           check_same_thread=False)
            except sqlite3.Error:
                self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


_BATCH = 500  # keys per query (SQLite allows 999 parameters in older builds)


def _unpickled(value: bytes) -> Any:
    """A stored value; None for a damaged or foreign entry (derived again)."""
    try:
        return pickle.loads(value)
    except _UNREADABLE:
        return None


LOCK_WAIT_SECONDS = 5.0  # how long to wait for another process's transaction (a preview's research helper)


def _open_db(path: Path) -> sqlite3.Connection | None:
    """The store for this digest version; a corrupt or foreign file is replaced. One that another process
    keeps locked is left alone: this build goes without it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        try:
            db = sqlite3.connect(path, check_same_thread=False, timeout=LOCK_WAIT_SECONDS)
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS derived (key TEXT PRIMARY KEY, value BLOB)")
            row = db.execute("SELECT key FROM meta").fetchone()
            if row is None:
                with db:
                    db.execute("INSERT INTO meta VALUES (?)", (CACHE_KEY,))
            elif row[0] != CACHE_KEY:
                raise sqlite3.DatabaseError("cache from another digest version")
            return db
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                return None  # another process's transaction: nothing is wrong with the file
            if attempt:
                return None
            path.unlink(missing_ok=True)
    return None
