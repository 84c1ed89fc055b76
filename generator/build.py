"""``build_site``: content/ -> the site, as load everything, render everything in memory, then write.

Nothing touches the output folder until every page and feed has rendered, so a bad article or template
leaves the previous site as it was. Files are written atomically and only when their bytes change, and
files of the output folder that this build did not produce are removed, so a second build with no
change writes nothing and a renamed or deleted article leaves nothing stale behind.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from generator.cache import (
    CACHE_KEY,
    BuildState,
    DerivedStore,
    FileEntry,
    Manifest,
    Session,
    build_lock,
    clear_manifest,
    collector_paused,
    load_ingest_mark,
    load_manifest,
    load_state,
    save_ingest_mark,
    save_manifest,
    save_state,
    templates_folder,
)
from generator.config import SiteConfig
from generator.content import MAX_ARTICLE_BYTES, parse_article_bytes
from generator.errors import DigestError
from generator.files import read_regular
from generator.fingerprint import fingerprint
from generator.output import STAGING, Job, Staging, walk_files
from generator.parallel import fork_map
from generator.research.search import STALE_MARK
from generator.reuse import NOTHING
from generator.stages import Stages
from generator.themes import search_path

if TYPE_CHECKING:
    from generator.model import Loaded, Site

KEEP_NAMES = frozenset({".git"})  # never pruned: a deploy checkout may live in the output folder


@dataclass
class BuildReport:
    """Site paths of output files whose bytes changed (``written``) or that were deleted (``removed``)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    articles: int = 0
    ingested: list[str] = field(default_factory=list)  # content files written from new captures
    stages: Stages = field(default_factory=Stages)


def build_site(cfg: SiteConfig, *, drafts: bool = False, ingest_new: bool = True,
               out: Path | None = None, use_cache: bool = True, session: Session | None = None,
               progress: Callable[[str], None] | None = None) -> BuildReport:
    """Build the site into ``out`` (default: the configured output folder). Raises DigestError on bad
    input, in which case nothing in ``out`` has changed.

    With the build cache (``folders.cache``), unchanged content files are not parsed again and outputs
    whose inputs did not change are neither rendered nor written; the output is the same either way.
    A ``session`` (kept by a preview between builds) holds the cache's state in memory; its background
    work (research, search indexing) is stopped while the build runs. ``progress`` is told what each
    stage does as it starts ("rendering 4,312 of 4,312 pages")."""
    session = session or Session(reuse=NOTHING)
    # One build of a digest at a time (its cache and its output are shared); a build without the cache
    # (tests, one-off builds into a folder of their own) takes no lock, and so writes nothing to the cache.
    with build_lock(cfg.path("cache"), _warn) if use_cache else nullcontext(), session.background_paused():
        return _build_site(cfg, drafts, ingest_new, out, use_cache, session, Stages(progress=progress))


def _build_site(cfg: SiteConfig, drafts: bool, ingest_new: bool, out: Path | None, use_cache: bool,
                session: Session, stages: Stages) -> BuildReport:
    out = (out or cfg.path("output")).resolve()
    check_output_folder(cfg, out)
    cache_root = cfg.path("cache") if use_cache else None
    content_stats = content_file_stats(cfg)
    if ingest_new:
        stages.begin("looking for new captures")
    ingested = ingest_captures(cfg, cache_root, content_stats) if ingest_new else []
    if ingest_new:
        stages.lap("ingest")
    if ingested:
        content_stats = content_file_stats(cfg)
    settings = fingerprint(CACHE_KEY, out.as_posix(), drafts)
    signature = input_signature(cfg, settings, content_stats) if cache_root else ""
    # A preview's output folder lies in the cache, where only we write: its session knows what is there
    # (which files, and that they are as its last build left them). Any other output folder is walked,
    # so files someone else put there are pruned, and its files are checked against the manifest.
    own_folder = in_cache(out, cache_root)
    known = session.recall_manifest(cache_root, settings) if own_folder and cache_root and out.is_dir() else None
    manifest = known or (load_manifest(cache_root) if cache_root else Manifest())
    intact = {name: (size, mtime) for name, size, mtime in manifest.outputs} if known \
        else intact_outputs(out, manifest.outputs)
    if cache_root:
        if manifest.signature == signature and manifest.outputs and len(intact) == len(manifest.outputs) \
                and not session.has_news:
            # Nothing the site is made from changed, and the output files are as we left them.
            stages.lap("check")
            return BuildReport(articles=manifest.articles, ingested=ingested, stages=stages)
        clear_manifest(cache_root)
    present = {name for name, _size, _mtime in known.outputs} if known else existing_outputs(out)
    written, removed, produced, articles = full_build(cfg, out, drafts, cache_root, settings, present,
                                                     intact, content_stats, stages, session)
    if cache_root:
        behind = cfg.research and session.behind
        # It vouches for a site equal to a `digest build` only when no background work was left undone;
        # its list of intact outputs holds either way (without it, the next build re-renders every page).
        manifest = Manifest(signature="" if behind else signature, articles=articles,
                            outputs=output_stats(out, produced, intact, written))
        save_manifest(cache_root, manifest)
        session.manifest = manifest
    stages.lap("cache")  # the derived values, parsed files, fingerprints and manifest
    return BuildReport(written=written, removed=removed, articles=articles, ingested=ingested, stages=stages)


def in_cache(out: Path, cache_root: Path | None) -> bool:
    """Whether ``out`` is a preview's own output folder (inside the build cache): no one else reads it
    while it is written, so it is updated in place rather than swapped in whole."""
    return cache_root is not None and out.is_relative_to(cache_root.resolve())


def full_build(cfg: SiteConfig, out: Path, drafts: bool, cache_root: Path | None, settings: str,
               present: set[str], intact: dict[str, tuple[int, int]], content_stats: dict[str, tuple[int, int]],
               stages: Stages, session: Session) -> tuple[list[str], list[str], set[str], int]:
    """Load, model, render what changed, write. Returns (written, removed, every output file, number of
    articles).

    ``present``: the output folder's files (what is not produced again is pruned); ``intact``: those the
    last build wrote and nobody changed since (only they may be kept without rendering); ``content_stats``:
    the content files, by (size, mtime)."""
    # Imported here: the no-change path above must not pay for Jinja, Markdown and feedgen imports.
    from generator.exports import export_jobs
    from generator.feeds import feed_jobs
    from generator.merged import pointer_jobs
    from generator.model import build_model
    from generator.render import page_jobs, pages, static_jobs
    from generator.research.search import bundle_for_build
    from generator.sitefiles import site_file_jobs

    stages.begin(f"reading {len(content_stats):,} articles")
    state = (session.recall(cache_root, settings) or load_state(cache_root)) if cache_root else BuildState()
    known_loaded = session.loaded
    session.forget()  # until this build succeeds: a failed build's state is never reused
    reuse = session.reuse
    reuse.start((cfg, drafts))
    # What the build loads and models lives until it ends: spare the garbage collector from scanning it
    # again and again (at 10,000 articles that cost a quarter of an edit rebuild).
    gc.freeze()
    store = DerivedStore(cache_root)
    # A preview's folder (in the cache, read by its server only) is updated in place, at the speed a save
    # needs; any other output folder gets the whole new site at once (see output.Staging).
    staging = Staging(out, swap=not in_cache(out, cache_root))
    try:
        # Loading and modelling make many objects and no cyclic garbage: with the collector on, its full
        # scans of the growing model cost 40 % of the model stage at 100,000 articles.
        with collector_paused():
            files = load_files(cfg, state.files, content_stats)
            stages.lap("load")
            stages.begin(f"modelling the site from {len(files):,} articles"
                         + (" (stories, duplicates, related articles)" if cfg.research else ""))
            deferred = session.research
            loaded = {path: _loaded(known_loaded, path, entry) for path, entry in sorted(files.items())}
            site = build_model(cfg, [item for _entry, item in loaded.values()], drafts=drafts, store=store,
                               research_source=partial(deferred.research, cache_root=cache_root) if deferred
                               else None, reuse=reuse)
            memo: dict[int, tuple[object, str]] = {}
            every_page = pages(site, reuse)
            html_jobs = page_jobs(site, every_page, memo, reuse,
                                  templates_folder(cache_root) if cache_root else None) + pointer_jobs(site)
            other_jobs = [*feed_jobs(site, memo, reuse), *export_jobs(site, memo, reuse),
                          *site_file_jobs(site, every_page, reuse), *static_jobs(cfg)]
            jobs = [*html_jobs, *other_jobs]
            check_static_overlap(jobs)
            previous = state.outputs if state.settings == settings else {}

            def is_stale(job: Job) -> bool:
                return job.fingerprint is None or job.path not in intact or previous.get(job.path) != job.fingerprint

            stale_pages = [job for job in html_jobs if is_stale(job)]
            gc.freeze()  # before the collector is back on, or its first pass scans all of the above
        stages.lap("model")
        stages.begin(f"rendering {len(stale_pages):,} of {len(html_jobs):,} pages")
        derive_ahead(site, store, len(stale_pages))
        produced = {job.path for job in jobs}
        changed = render_and_stage(stale_pages, staging, store)
        stages.lap("render")
        stages.begin("feeds and sitemap" + (", search index" if cfg.research else ""))
        with ThreadPoolExecutor(max_workers=1) as background:
            # Pagefind indexes the pages (a process of its own) while the feeds render.
            search_entries = session.search.bundle if session.search else \
                partial(bundle_for_build, reindex=STALE_MARK in present)
            search = background.submit(search_entries, staging.read, frozenset(produced), frozenset(changed),
                                       present, cfg.language) if cfg.research else None
            changed |= render_and_stage([job for job in other_jobs if is_stale(job)], staging, store)
            stages.lap("feeds")
            if search is not None:
                stage_search_bundle(search.result(), staging, produced, changed)
                if session.search and session.search.behind:
                    stage_stale_mark(staging, produced, changed)
                stages.lap("search")
        stages.begin(f"publishing {len(produced):,} files ({len(changed):,} changed)")
        written = sorted(changed)
        removed = sorted(name for name in present - produced if not any(part in KEEP_NAMES for part in
                                                                          Path(name).parts))
        staging.commit(produced | (present - produced - set(removed)), present)
        stages.lap("write")
        if session.search and cfg.research:
            session.search.committed(out, cfg.language)  # the pages are all in place now
        if cache_root:
            stages.begin("saving the build cache")
            store.flush()
            fingerprints = {job.path: job.fingerprint for job in jobs if job.fingerprint is not None}
            saved = save_state(cache_root, BuildState(settings=settings, files=files, outputs=fingerprints), state)
            session.keep(cache_root, settings, saved, loaded)
        reuse.finish()
    finally:
        gc.unfreeze()
        staging.discard()
        store.close()
    return written, removed, produced, len(site.articles)


def derive_ahead(site: Site, store: DerivedStore, stale: int) -> None:
    """Before a render of many pages (on every core, where there are two): every body's values at hand,
    so that no worker asks the store, or parses, for the same body again. What the store remembers is
    read in one pass; bodies it does not know are parsed once, on every core when there are enough.
    A small rebuild stays lazy: each page asks for what it shows."""
    if stale < RENDER_PARALLEL_MIN:
        return
    from generator.model import derive

    views = [view for view in (*site.articles, *site.copies) if not view.derived.held()]
    remembered = store.get_many([view.derived.key for view in views])
    unknown = [view for view in views if not view.derived.recall(remembered.get(view.derived.key))]
    parsed = fork_map(derive, [view.article.body for view in unknown], min_items=RENDER_PARALLEL_MIN)
    for view, values in zip(unknown, parsed, strict=True):
        view.derived.prime(values)


# A page costs 1-10 ms to render (a list page of 50 articles the most), a body 1-3 ms to parse; forking
# the workers about 50 ms. So a rebuild that re-renders the 200 pages of a home list (an article added)
# renders them on every core.
RENDER_PARALLEL_MIN = 100


def render_and_stage(stale: list[Job], staging: Staging, store: DerivedStore) -> set[str]:
    """Render the outputs whose inputs changed; the site paths whose bytes changed (now staged)."""
    def render(job: Job) -> bool:
        return staging.stage(job.path, job.render())

    flags = fork_map(render, stale, in_worker=store.reopen_in_worker, min_items=RENDER_PARALLEL_MIN)
    changed = {job.path for job, flag in zip(stale, flags, strict=True) if flag}
    staging.mark(changed)  # (a worker's own record of what it staged ends with it)
    return changed


def stage_search_bundle(bundle: dict[str, bytes | None], staging: Staging, produced: set[str],
                        changed: set[str]) -> None:
    """Add the Pagefind bundle to the outputs (entries of None: the bundle in place is kept)."""
    for path, data in bundle.items():
        produced.add(path)
        if data is not None and staging.stage(path, data):
            changed.add(path)


def stage_stale_mark(staging: Staging, produced: set[str], changed: set[str]) -> None:
    """A preview kept a search bundle that does not index its pages yet: say so in the output folder
    itself (deleting the cache cannot lose it), so the next build that is not a preview re-indexes. A
    build whose bundle is current does not produce the mark, so it is pruned."""
    produced.add(STALE_MARK)
    if staging.stage(STALE_MARK, b"This folder's search index does not cover every page yet.\n"):
        changed.add(STALE_MARK)


def ingest_captures(cfg: SiteConfig, cache_root: Path | None, content_stats: dict[str, tuple[int, int]]) -> list[str]:
    """Ingest captures that have no article yet; a capture that cannot be cleaned is a warning, not a
    failed build (the site is still built from what content/ holds).

    Finding out which captures are new means reading every article (seconds at 10,000 of them), so the
    build cache remembers the captures and articles of the last ingest that found nothing to do: while
    neither changed, there is nothing to look for."""
    captures = cfg.path("captures")
    if not captures.is_dir():
        return []
    mark = ingest_mark(cfg, captures, content_stats) if cache_root else ""
    if cache_root and load_ingest_mark(cache_root) == mark:
        return []
    # Imported here: the cleaner pulls in trafilatura and friends, which builds without ingest
    # (--no-ingest, deploy) do not need to load.
    from generator.ingest import UNREADABLE, ingest

    results = ingest(cfg, [captures], only_new=True, progress=False)
    for result in results:
        if result.status == "failed" and not result.message.startswith(UNREADABLE):
            _warn(f"not ingested: {result.message}")  # (an article that cannot be read fails the build)
    written = [str(r.article) for r in results if r.status in ("new", "updated") and r.article is not None]
    if cache_root and not written and not any(result.status == "failed" for result in results):
        save_ingest_mark(cache_root, mark)  # (a failure stays unmarked: it is reported on every build)
    return written


def ingest_mark(cfg: SiteConfig, captures: Path, content_stats: dict[str, tuple[int, int]]) -> str:
    """Every capture and article file by name, size and mtime, the captures .digestignore lists, and the
    settings (but the base URL, which a preview sets to its own address and ingest never reads)."""
    capture_stats = _file_stats(str(captures), lambda relative: not relative.startswith(".") and "/." not in relative)
    settings = fingerprint(dataclasses.replace(cfg, base_url=""))
    from generator.ignored import ignored_captures

    return hashlib.sha1(repr((CACHE_KEY, settings, sorted(ignored_captures(cfg)), sorted(capture_stats.items()),
                              sorted(content_stats.items()))).encode("utf-8", "surrogatepass"),
                        usedforsecurity=False).hexdigest()


def load_articles(cfg: SiteConfig) -> list[Loaded]:
    """Every article under content/; all bad files are reported together, one line each."""
    files = load_files(cfg, {}, content_file_stats(cfg))
    return [entry_to_loaded(path, entry) for path, entry in sorted(files.items())]


def _loaded(known: dict[str, tuple[FileEntry, Loaded]], path: str, entry: FileEntry) -> tuple[FileEntry, Loaded]:
    """The model's input for a content file: the one made last time when the file was not read again."""
    before = known.get(path)
    return before if before is not None and before[0] is entry else (entry, entry_to_loaded(path, entry))


def entry_to_loaded(path: str, entry: FileEntry) -> Loaded:
    from generator.model import Loaded  # see full_build: kept off the no-change path

    return Loaded(Path(path), entry.article, entry.sha)


def load_files(cfg: SiteConfig, known: dict[str, FileEntry],
               stats: dict[str, tuple[int, int]]) -> dict[str, FileEntry]:
    """Parse the content files (``stats``: path -> (size, mtime), from ``content_file_stats``), on every
    core when there are many; a file whose size and mtime match ``known`` is not read again. All bad
    files are reported together, one line each."""
    files: dict[str, FileEntry] = {}
    unknown: list[str] = []
    for key, (size, mtime_ns) in sorted(stats.items()):
        entry = known.get(key)
        if entry is not None and (entry.size, entry.mtime_ns) == (size, mtime_ns):
            files[key] = entry
        else:
            unknown.append(key)
    errors: list[DigestError] = []
    for key, read in zip(unknown, fork_map(partial(read_entry, cfg.tz), unknown), strict=True):
        if isinstance(read, DigestError):
            errors.append(read)
        else:
            files[key] = read
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DigestError("\n".join(str(e) for e in sorted(errors, key=str)))
    return files


def content_file_stats(cfg: SiteConfig) -> dict[str, tuple[int, int]]:
    """The articles' files (``*.md``) by path, with size and mtime; editor lock and swap files and
    hidden folders are skipped."""
    def is_article(relative: str) -> bool:
        return relative.endswith(".md") and not relative.startswith(".") and "/." not in relative

    return _file_stats(str(cfg.path("content")), is_article)


def read_entry(tz: ZoneInfo, key: str) -> FileEntry | DigestError:
    """One content file, parsed (errors are returned, so a worker process can hand them back)."""
    try:
        stat = os.stat(key)
        data = read_regular(Path(key), MAX_ARTICLE_BYTES)  # (a FIFO or a link to a device never ends)
        return FileEntry(stat.st_mtime_ns, stat.st_size, hashlib.sha1(data, usedforsecurity=False).hexdigest(),
                         parse_article_bytes(data, Path(key), tz))
    except DigestError as exc:
        return exc
    except OSError as exc:  # deleted or unreadable while we looked
        return DigestError(f"cannot read: {exc.strerror}", key)


def check_static_overlap(jobs: list[Job]) -> None:
    generated = {job.path for job in jobs if not job.path.startswith("static/")}
    for job in jobs:
        if job.path.startswith("static/") and job.path in generated:
            raise DigestError(f"static file would overwrite the generated {job.path}")


def existing_outputs(out: Path) -> set[str]:
    """Site paths of the files in the output folder now (a crashed build's staging folder aside)."""
    return {relative for relative, _entry in walk_files(str(out)) if not relative.startswith(STAGING + "/")}


def output_stats(out: Path, names: set[str], known: dict[str, tuple[int, int]],
                 written: list[str]) -> tuple[tuple[str, int, int], ...]:
    """(name, size, mtime) of every output file; ``known`` (from ``intact_outputs`` before the build)
    holds for every file this build did not write, so only the ``written`` ones are asked again."""
    rewritten = set(written)
    stats = []
    for name in sorted(names):
        seen = known.get(name)
        if seen is None or name in rewritten:
            stat = os.stat(f"{out}/{name}")
            seen = (stat.st_size, stat.st_mtime_ns)
        stats.append((name, *seen))
    return tuple(stats)


def intact_outputs(out: Path, recorded: tuple[tuple[str, int, int], ...]) -> dict[str, tuple[int, int]]:
    """The files the last build left that are still there unchanged, with their (size, mtime) (a stat
    each: no folder walk)."""
    intact = {}
    for name, size, mtime_ns in recorded:
        try:
            stat = os.stat(f"{out}/{name}")
        except OSError:
            continue
        if (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns):
            intact[name] = (size, mtime_ns)
    return intact


def input_signature(cfg: SiteConfig, settings: str, content_stats: dict[str, tuple[int, int]]) -> str:
    """Everything a build reads, by name, size and mtime: equal signatures mean an equal site."""
    folders = [*search_path(cfg, "templates"), *search_path(cfg, "static")]
    config = cfg.root / "site.yaml"
    stats = [(str(config), *_size_and_mtime(config)), *sorted((path, *stat) for path, stat in content_stats.items())]
    for folder in folders:
        stats.extend(_tree_stats(str(folder)))
    # Plain tuples of str and int: their repr is stable, and hashing it is much faster than a walk.
    return hashlib.sha1(repr((settings, fingerprint(cfg), stats)).encode("utf-8", "surrogatepass"),
                        usedforsecurity=False).hexdigest()


def _size_and_mtime(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)  # absent: defaults
    return (stat.st_size, stat.st_mtime_ns)


def _tree_stats(folder: str) -> list[tuple[str, int, int]]:
    return sorted((path, *stat) for path, stat in _file_stats(folder, lambda _relative: True).items())


def _file_stats(folder: str, wanted: Callable[[str], bool]) -> dict[str, tuple[int, int]]:
    """(size, mtime) by path of the files below ``folder`` whose relative path is ``wanted``."""
    found = {}
    for relative, entry in walk_files(folder):
        if wanted(relative):
            try:
                stat = entry.stat()
            except OSError:
                continue  # a dangling link, such as an editor's lock file
            found[entry.path] = (stat.st_size, stat.st_mtime_ns)
    return found


def check_output_folder(cfg: SiteConfig, out: Path) -> None:
    """The output folder is pruned, so it must never hold the site's own sources."""
    sources = [cfg.root, *(cfg.path(name) for name in ("content", "captures", "templates", "static", "themes"))]
    for source in sources:
        if source.is_relative_to(out) or (source != cfg.root and out.is_relative_to(source)):
            raise DigestError(f"output folder {out} overlaps {source}; choose a separate folder",
                              cfg.root / "site.yaml")


def _warn(message: str) -> None:
    print(f"digest: warning: {message}", file=sys.stderr)
