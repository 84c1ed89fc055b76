"""A preview's research analysis: first synchronously, then in a helper process while rebuilds go on."""

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.build import load_articles
from generator.cache import Session
from generator.config import load_config
from generator.research.deferred import DeferredResearch, analyse_now
from tests.trees import tree


def append_to_an_article(site: Path) -> None:
    path = sorted((site / "content").rglob("*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nWindmill quarry marmalade.\n", encoding="utf-8")


def use_pagefind_that_never_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing from now on runs a stand-in for Pagefind that sleeps a minute."""
    slow = tmp_path / "slow-pagefind"
    slow.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))


@contextmanager
def closed_at_the_end(session: Session) -> Iterator[Session]:
    """The preview stops (its background jobs are closed) when the block ends, however it ends."""
    try:
        yield session
    finally:
        for job in (session.research, session.search):
            if job is not None:
                job.close()


@contextmanager
def deferred_research() -> Iterator[tuple[DeferredResearch, threading.Event]]:
    """A preview's research (``ready`` is set when an analysis finishes), closed when the block ends."""
    deferred = DeferredResearch()
    ready = threading.Event()
    deferred.on_ready = ready.set
    try:
        yield deferred, ready
    finally:
        deferred.close()


def test_rebuilds_use_the_last_analysis_until_the_new_one_is_done(site: Path) -> None:
    cfg = load_config(site)
    with deferred_research() as (deferred, ready):
        first = deferred.research(load_articles(cfg), cfg.tz, None)
        assert not deferred.pending  # the first analysis is made at once
        assert deferred.research(load_articles(cfg), cfg.tz, None) is first  # nothing changed: same one

        path = sorted((site / "content").rglob("*.md"))[0]
        path.write_text(path.read_text(encoding="utf-8") + "\nA later paragraph.\n", encoding="utf-8")
        edited = load_articles(cfg)
        assert deferred.research(edited, cfg.tz, None) is first  # stale, at once...
        assert deferred.pending  # ...while the new analysis runs in a helper process
        assert ready.wait(timeout=120)
        assert deferred.has_news  # so the preview's next build runs even though no file changed since
        fresh = deferred.research(edited, cfg.tz, None)
        assert fresh is not first and not deferred.pending and not deferred.has_news
        assert fresh == analyse_now(edited, cfg.tz, None)


def test_a_preview_started_on_a_built_digest_serves_the_remembered_analysis_at_once(site: Path) -> None:
    cfg = load_config(site)
    cache_root = cfg.path("cache")
    remembered = analyse_now(load_articles(cfg), cfg.tz, cache_root)  # what a `digest build` left in the cache
    path = sorted((site / "content").rglob("*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited before the preview started.\n", encoding="utf-8")
    edited = load_articles(cfg)
    with deferred_research() as (deferred, ready):
        assert deferred.research(edited, cfg.tz, cache_root) == remembered  # at once, though stale...
        assert deferred.pending  # ...and the fresh one is on its way
        assert ready.wait(timeout=120)
        assert deferred.research(edited, cfg.tz, cache_root) == analyse_now(edited, cfg.tz, None)


def test_a_large_digest_s_first_preview_opens_before_its_analysis_and_catches_up(site: Path, tmp_path: Path,
                                                                                monkeypatch) -> None:
    from generator.build import build_site
    from generator.research import deferred as deferred_module

    monkeypatch.setattr(deferred_module, "OPEN_FIRST_AT", 1)  # the fixture site counts as large
    def with_related(folder: Path) -> list[str]:
        return sorted(path for path, data in tree(folder).items() if b'class="related"' in data)

    build_site(load_config(site), ingest_new=False, out=tmp_path / "built", use_cache=False)
    assert with_related(tmp_path / "built"), "the fixture's articles have related articles"
    research = DeferredResearch()
    ready = threading.Event()
    research.on_ready = ready.set
    with closed_at_the_end(Session(research=research)) as session:
        build_site(load_config(site), ingest_new=False, session=session)
        assert with_related(site / "_site") == []  # none yet...
        assert session.behind
        assert ready.wait(timeout=120)  # ...until the analysis is done
        build_site(load_config(site), ingest_new=False, session=session)
        assert not session.behind
    assert tree(site / "_site") == tree(tmp_path / "built")


def test_close_stops_an_analysis_in_progress(site: Path) -> None:
    cfg = load_config(site)
    deferred = DeferredResearch()
    called = threading.Event()
    deferred.on_ready = called.set
    deferred.research(load_articles(cfg), cfg.tz, None)
    path = sorted((site / "content").rglob("*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    deferred.research(load_articles(cfg), cfg.tz, None)
    assert deferred.pending
    running = deferred._running
    deferred.close()
    assert running is not None and not running.is_alive()  # no helper process outlives the preview
    assert not called.wait(timeout=2)


def test_builds_whose_articles_did_not_change_reuse_the_analysis(site: Path, monkeypatch) -> None:
    from generator.build import build_site
    from generator.research import analysis

    calls = []
    real = analysis.analyse

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "analyse", counted)
    build_site(load_config(site), ingest_new=False)
    assert len(calls) == 1
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "404.html").write_text('{% extends "theme/404.html" %}\n', encoding="utf-8")
    build_site(load_config(site), ingest_new=False)  # a template changed, no article did
    assert len(calls) == 1
    path = sorted((site / "content").rglob("*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    build_site(load_config(site), ingest_new=False)
    assert len(calls) == 2


def test_the_preview_search_index_catches_up_in_the_background(site: Path, tmp_path: Path) -> None:
    from generator.build import build_site
    from generator.research.deferred import DeferredSearch

    search = DeferredSearch()
    ready = threading.Event()
    search.on_ready = ready.set
    session = Session(search=search)
    build_site(load_config(site), ingest_new=False, session=session)
    entry = site / "_site" / "pagefind" / "pagefind-entry.json"
    first = entry.read_bytes()  # the first build indexes at once
    append_to_an_article(site)
    report = build_site(load_config(site), ingest_new=False, session=session)
    assert not any(p.startswith("pagefind/") for p in report.written)  # the page shows; the index follows
    assert ready.wait(timeout=60)
    report = build_site(load_config(site), ingest_new=False, session=session)
    assert "pagefind/pagefind-entry.json" in report.written and entry.read_bytes() != first
    cold = tmp_path / "cold"
    build_site(load_config(site), ingest_new=False, out=cold, use_cache=False)
    assert {p.relative_to(cold).as_posix(): p.read_bytes() for p in (cold / "pagefind").rglob("*") if p.is_file()} \
        == {p.relative_to(site / "_site").as_posix(): p.read_bytes()
            for p in (site / "_site" / "pagefind").rglob("*") if p.is_file()}


def test_a_large_digest_s_first_preview_opens_before_its_search_index(site: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    from generator.build import build_site
    from generator.research import deferred as deferred_module

    monkeypatch.setattr(deferred_module, "OPEN_FIRST_AT", 1)  # the fixture site counts as large
    search = deferred_module.DeferredSearch()
    ready = threading.Event()
    search.on_ready = ready.set
    with closed_at_the_end(Session(search=search)) as session:
        build_site(load_config(site), ingest_new=False, session=session)
        assert not (site / "_site" / "pagefind").exists()  # the pages first...
        assert session.behind
        assert ready.wait(timeout=60)  # ...then the index
        build_site(load_config(site), ingest_new=False, session=session)
        assert not session.behind
    build_site(load_config(site), ingest_new=False, out=tmp_path / "cold", use_cache=False)
    assert tree(site / "_site") == tree(tmp_path / "cold")


def test_a_build_after_a_preview_stopped_behind_catches_up(site: Path, tmp_path: Path) -> None:
    """`digest watch` shows a stale analysis and keeps the old search bundle while the new ones are
    made; stopped before they finish, it must not leave a cache that vouches for that site."""
    from generator.build import build_site
    from generator.cache import load_manifest
    from generator.research.deferred import DeferredSearch

    # The preview stops before its background work ends.
    with closed_at_the_end(Session(research=DeferredResearch(), search=DeferredSearch())) as session:
        build_site(load_config(site), ingest_new=False, session=session)
        append_to_an_article(site)
        build_site(load_config(site), ingest_new=False, session=session)
        assert session.behind
        # The cache must not vouch for this site, but still knows which outputs are intact: without
        # that, every rebuild while the analysis runs re-renders every page (seconds at 10,000).
        manifest = load_manifest(site / ".digest-cache")
        assert manifest.signature == "" and len(manifest.outputs) == len(tree(site / "_site"))
    report = build_site(load_config(site), ingest_new=False)
    assert "pagefind/pagefind-entry.json" in report.written
    build_site(load_config(site), ingest_new=False, out=tmp_path / "cold", use_cache=False)
    assert tree(site / "_site") == tree(tmp_path / "cold")


@pytest.mark.parametrize("cache", ["kept", "deleted"])
def test_a_build_after_a_preview_left_a_stale_search_bundle_reindexes(site: Path, tmp_path: Path, cache: str) -> None:
    """The mark lives in the output folder, so deleting the cache (always allowed) cannot lose it."""
    from generator.build import build_site
    from generator.research.deferred import DeferredSearch

    search = DeferredSearch()
    session = Session(search=search)
    build_site(load_config(site), ingest_new=False, session=session)
    assert not session.behind
    append_to_an_article(site)
    build_site(load_config(site), ingest_new=False, session=session)
    search.close()
    assert session.behind  # the page changed; the bundle in place does not index it yet
    if cache == "deleted":
        shutil.rmtree(site / ".digest-cache")
    report = build_site(load_config(site), ingest_new=False)  # a plain build: no page changes any more
    assert "pagefind/pagefind-entry.json" in report.written
    assert not build_site(load_config(site), ingest_new=False).written  # and once caught up, it stays so
    build_site(load_config(site), ingest_new=False, out=tmp_path / "cold", use_cache=False)
    assert tree(site / "_site") == tree(tmp_path / "cold")


def test_stopping_the_preview_stops_indexing_in_progress(site: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    import tempfile
    import time

    from generator.build import build_site
    from generator.research.deferred import DeferredSearch

    search = DeferredSearch()
    build_site(load_config(site), ingest_new=False, session=Session(search=search))  # indexed at once
    use_pagefind_that_never_finishes(tmp_path, monkeypatch)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    append_to_an_article(site)
    build_site(load_config(site), ingest_new=False, session=Session(search=search))
    deadline = time.monotonic() + 30
    while search._pagefind is None and time.monotonic() < deadline:
        time.sleep(0.05)
    pagefind = search._pagefind
    assert pagefind is not None and pagefind.poll() is None  # re-indexing in the background
    search.close()
    assert pagefind.poll() is not None  # killed, not left to run on after the preview
    assert list(scratch.iterdir()) == []  # and its scratch folder is gone
    assert "warning" not in capsys.readouterr().err


def test_stale_research_alone_withholds_the_vouch_until_it_catches_up(site: Path) -> None:
    from generator.build import build_site
    from generator.cache import load_manifest

    research = DeferredResearch()
    ready = threading.Event()
    research.on_ready = ready.set
    with closed_at_the_end(Session(research=research)) as session:
        build_site(load_config(site), ingest_new=False, session=session)
        assert load_manifest(site / ".digest-cache").signature  # current: vouched for
        append_to_an_article(site)
        build_site(load_config(site), ingest_new=False, session=session)
        assert session.behind and load_manifest(site / ".digest-cache").signature == ""
        assert ready.wait(timeout=120)
        build_site(load_config(site), ingest_new=False, session=session)  # the analysis caught up
        assert not session.behind and load_manifest(site / ".digest-cache").signature


def test_research_switched_off_in_a_preview_leaves_nothing_behind(site: Path) -> None:
    from generator.build import build_site
    from generator.research.deferred import DeferredSearch

    with closed_at_the_end(Session(research=DeferredResearch(), search=DeferredSearch())) as session:
        build_site(load_config(site), ingest_new=False, session=session)
        append_to_an_article(site)
        build_site(load_config(site), ingest_new=False, session=session)
        assert session.behind
        config = site / "site.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "research: false\n", encoding="utf-8")
        build_site(load_config(site), ingest_new=False, session=session)
        report = build_site(load_config(site), ingest_new=False, session=session)
        assert [lap.name for lap in report.stages.laps] == ["check"]  # nothing to catch up with: no change
        assert not (site / "_site" / ".digest-search-stale").exists()


def process_state(pid: int) -> str:
    """The state letter of /proc/<pid>/stat ("T": stopped)."""
    return Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]


def eventually(check, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@contextmanager
def analysing_an_edit(site: Path, cache_root: Path | None) -> Iterator[tuple[DeferredResearch, threading.Event]]:
    """A preview's research after one edit: the helper analysing it runs; ``ready`` is set when it is done.
    The helper is stopped when the block ends."""
    cfg = load_config(site)
    with deferred_research() as (deferred, ready):
        deferred.research(load_articles(cfg), cfg.tz, cache_root)
        append_to_an_article(site)
        deferred.research(load_articles(cfg), cfg.tz, cache_root)
        yield deferred, ready


def test_a_build_stops_the_research_helper_until_it_ends(site: Path) -> None:
    """The helper would take the other core from the rebuild someone waits for."""
    with analysing_an_edit(site, None) as (deferred, ready):
        running = deferred._running
        assert running is not None and running.pid is not None
        deferred.pause()
        assert eventually(lambda: process_state(running.pid) == "T")
        assert not ready.wait(timeout=3)  # no progress while the build runs
        deferred.resume()
        assert process_state(running.pid) != "T"
        assert ready.wait(timeout=120)  # and it finishes after it


def test_an_analysis_asked_for_during_a_build_starts_when_the_build_ends(site: Path) -> None:
    cfg = load_config(site)
    with deferred_research() as (deferred, ready):
        first = deferred.research(load_articles(cfg), cfg.tz, None)
        append_to_an_article(site)
        deferred.pause()
        assert deferred.research(load_articles(cfg), cfg.tz, None) is first  # the stale one, at once
        assert deferred.pending and deferred._running is None  # asked for, not started yet
        deferred.resume()
        assert deferred._running is not None
        assert ready.wait(timeout=120)


def test_a_build_stops_pagefind_and_an_indexing_asked_for_during_it_starts_after(site: Path, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    from generator.build import build_site
    from generator.research.deferred import DeferredSearch

    search = DeferredSearch()
    build_site(load_config(site), ingest_new=False, session=Session(search=search))  # indexed at once
    use_pagefind_that_never_finishes(tmp_path, monkeypatch)
    asked = []
    real = search.committed

    def committed(out: Path, language: str | None) -> None:
        real(out, language)
        asked.append(search._running)  # (whether the indexing started at once)

    monkeypatch.setattr(search, "committed", committed)
    try:
        append_to_an_article(site)
        build_site(load_config(site), ingest_new=False, session=Session(search=search))
        assert asked == [False, True]  # asked for during the build: not started then, but when it ended
        assert eventually(lambda: search._pagefind is not None)
        pagefind = search._pagefind
        assert pagefind is not None
        search.pause()  # the next build
        assert eventually(lambda: process_state(pagefind.pid) == "T")
        search.resume()
        assert process_state(pagefind.pid) != "T" and pagefind.poll() is None
    finally:
        search.close()


def test_the_research_helper_holds_its_guard_whenever_it_uses_the_database(tmp_path: Path, monkeypatch) -> None:
    """A build stops the helper only while it holds no lock of the database (see DeferredResearch.pause)."""
    import sqlite3

    from generator import cache

    class Guard:
        def __init__(self) -> None:
            self.held = False

        def __enter__(self) -> None:
            self.held = True

        def __exit__(self, *exc: object) -> None:
            self.held = False

    guard, used = Guard(), []
    real_open = cache._open_db

    def open_db(path: Path) -> sqlite3.Connection | None:
        used.append(("open", guard.held))
        return real_open(path)

    class Watched:
        """The store's connection, noting whether the guard is held at each use."""

        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def execute(self, *args: object) -> sqlite3.Cursor:
            used.append(("execute", guard.held))
            return self.db.execute(*args)  # type: ignore[arg-type]

        def executemany(self, *args: object) -> sqlite3.Cursor:
            used.append(("executemany", guard.held))
            return self.db.executemany(*args)  # type: ignore[arg-type]

        def __enter__(self) -> sqlite3.Connection:
            used.append(("transaction", guard.held))
            return self.db.__enter__()

        def __exit__(self, *exc: object) -> None:
            used.append(("commit", guard.held))
            self.db.__exit__(*exc)  # type: ignore[arg-type]

        def close(self) -> None:
            self.db.close()

    monkeypatch.setattr(cache, "_open_db", open_db)
    store = cache.DerivedStore(tmp_path, guard)
    assert store._db is not None
    store._db = Watched(store._db)  # type: ignore[assignment]
    store.put("key", "value")
    store.flush()
    assert store.get("key") == "value"
    store.close()
    assert {what for what, _held in used} == {"open", "transaction", "executemany", "commit", "execute"}
    assert all(held for _what, held in used)


def test_a_build_does_not_stop_a_helper_inside_its_database_work(site: Path) -> None:
    """Holding its guard means the helper is using the database: the build then lets it run (after a
    short wait) rather than keep it stopped inside a transaction the build would wait on."""
    with analysing_an_edit(site, load_config(site).path("cache")) as (deferred, ready):
        running, guard = deferred._running, deferred._guard
        assert running is not None and running.pid is not None and guard is not None
        assert guard.acquire(timeout=30)  # as the helper does around each use of the database
        try:
            deferred.pause()
            assert process_state(running.pid) != "T"
        finally:
            guard.release()
        deferred.resume()
        deferred.pause()  # out of its database work: stopped
        assert eventually(lambda: process_state(running.pid) == "T")
        deferred.resume()
        assert ready.wait(timeout=120)


def test_every_paused_job_is_resumed_when_another_fails_to_resume() -> None:
    from typing import Any, cast

    class Job:
        def __init__(self, fails: bool) -> None:
            self.fails, self.paused = fails, False

        def pause(self) -> None:
            self.paused = True

        def resume(self) -> None:
            self.paused = False
            if self.fails:
                raise OSError(24, "Too many open files")

    research, search = Job(fails=True), Job(fails=False)
    session = Session(research=cast(Any, research), search=cast(Any, search))
    with pytest.raises(OSError), session.background_paused():
        assert research.paused and search.paused
    assert not research.paused and not search.paused
