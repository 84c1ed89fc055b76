"""Large builds load, parse Markdown and render on every core (forked workers) and stage their output
until everything rendered. These tests force that path on the small fixture site and check it gives the
serial build's bytes, fails without touching the previous site, and names the bad file."""

import os
import signal
import threading
from pathlib import Path

import pytest

from generator import build, model, parallel
from generator.build import build_site
from generator.config import load_config
from generator.errors import DigestError
from generator.output import STAGING, Staging
from tests.trees import tree


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ITEMS", 1)
    monkeypatch.setattr(build, "RENDER_PARALLEL_MIN", 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.delenv("DIGEST_JOBS", raising=False)
    assert parallel.worker_count(10) == 2, f"threads left running by earlier tests: {threading.enumerate()}"


def test_fork_map_keeps_order_and_runs_in_other_processes(forked: None) -> None:
    results = parallel.fork_map(lambda item: (item * 2, os.getpid()), list(range(7)))
    assert [value for value, _pid in results] == [0, 2, 4, 6, 8, 10, 12]
    assert os.getpid() not in {pid for _value, pid in results}


def test_workers_run_their_setup_once_and_die_on_sigterm(forked: None, tmp_path: Path) -> None:
    setups = tmp_path / "setups"
    setups.mkdir()

    def setup() -> None:
        with (setups / str(os.getpid())).open("a") as log:
            log.write("setup\n")

    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # the preview's own SIGTERM handler
    try:
        handlers = parallel.fork_map(lambda _item: (signal.getsignal(signal.SIGTERM), os.getpid()),
                                     list(range(40)), in_worker=setup)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert {handler for handler, _pid in handlers} == {signal.SIG_DFL}
    assert {str(pid) for _handler, pid in handlers} <= {path.name for path in setups.iterdir()}
    assert {path.read_text() for path in setups.iterdir()} == {"setup\n"}  # once per worker...
    with pytest.MonkeyPatch.context() as patched:  # ...even when one worker takes every run
        patched.setattr(parallel, "_FORKED", (lambda item: item, list(range(4)), setup))
        patched.setattr(parallel, "_SET_UP_IN", None)
        assert parallel._work_run((0, 2)) + parallel._work_run((2, 4)) == [0, 1, 2, 3]
    assert (setups / str(os.getpid())).read_text() == "setup\n"


def test_items_are_taken_in_runs_that_cover_each_item_once() -> None:
    for count in (1, 7, 48, 49, 10000):
        found = parallel.runs(count, 2)
        assert [i for start, stop in found for i in range(start, stop)] == list(range(count))
        assert len(found) <= 2 * parallel.RUNS_PER_WORKER


def test_a_worker_slowed_down_does_not_hold_back_the_others(forked: None, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    """The first item holds its worker until the other worker has done every other run (or 5 s passed):
    it can, taking the runs one after another; fixed halves would leave the slowed one its half."""
    import time

    def worker_of(item: int) -> int:
        (tmp_path / str(item)).touch()
        if item == 0:
            deadline = time.monotonic() + 5
            while len(list(tmp_path.iterdir())) < 15 and time.monotonic() < deadline:  # all but item 1
                time.sleep(0.01)
        return os.getpid()

    monkeypatch.setattr(parallel, "RUNS_PER_WORKER", 4)  # 8 runs of 2 items
    results = parallel.fork_map(worker_of, list(range(16)))
    slowed = results[0]
    assert results.count(slowed) == 2, "the slowed worker was given more than its first run"


def test_a_worker_setup_that_fails_reaches_the_caller(forked: None) -> None:
    def broken_setup() -> None:
        raise RuntimeError("no cache connection")

    with pytest.raises(RuntimeError, match="no cache connection"):  # not a pool re-forking workers forever
        parallel.fork_map(lambda item: item, list(range(10)), in_worker=broken_setup)


def test_parallel_build_equals_serial_build(site: Path, tmp_path: Path, forked: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    report = build_site(load_config(site), ingest_new=False)
    assert report.articles == 5 and not (site / "_site" / STAGING).exists()
    monkeypatch.setenv("DIGEST_JOBS", "1")
    build_site(load_config(site), ingest_new=False, out=tmp_path / "serial", use_cache=False)
    assert tree(site / "_site") == tree(tmp_path / "serial")


def test_failed_parallel_render_leaves_the_previous_site(site: Path, forked: None) -> None:
    build_site(load_config(site), ingest_new=False)
    before = tree(site / "_site")
    for path in (site / "content").rglob("*.md"):  # every page would change...
        path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: New ", 1), encoding="utf-8")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "topic.html").write_text("{{ no_such_variable }}\n", encoding="utf-8")  # ...one fails
    with pytest.raises(DigestError, match=r"topic\.html"):
        build_site(load_config(site), ingest_new=False)
    assert tree(site / "_site") == before


def test_bad_front_matter_found_by_a_worker_names_the_file(site: Path, forked: None) -> None:
    bad = sorted((site / "content").rglob("*.md"))[1]
    bad.write_text("---\ntitle: [unclosed\n---\n\nBody.\n", encoding="utf-8")
    with pytest.raises(DigestError) as error:
        build_site(load_config(site), ingest_new=False)
    assert str(error.value).startswith(str(bad))


def test_staging_commit_moves_new_folders_whole_and_replaces_changed_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "articles" / "old").mkdir(parents=True)
    (out / "articles" / "old" / "index.html").write_bytes(b"old")
    (out / "feed.xml").write_bytes(b"same")
    (out / "page").write_bytes(b"a file where a folder of pages now goes")
    staging = Staging(out)
    assert staging.stage("feed.xml", b"same") is False  # identical bytes are not staged
    assert staging.stage("articles/old/index.html", b"new") is True
    assert staging.stage("articles/added/index.html", b"added") is True
    assert staging.stage("page/2/index.html", b"two") is True
    assert (out / "articles" / "old" / "index.html").read_bytes() == b"old"  # nothing live until commit
    assert staging.read("articles/old/index.html") == b"new" and staging.read("feed.xml") == b"same"
    staging.commit({"articles/added/index.html", "articles/old/index.html", "feed.xml", "page/2/index.html"},
                   {"articles/old/index.html", "feed.xml", "page"})
    assert tree(out) == {"articles/added/index.html": b"added", "articles/old/index.html": b"new",
                         "feed.xml": b"same", "page/2/index.html": b"two"}


def test_forked_rebuild_workers_read_markdown_results_from_the_cache(site: Path, forked: None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(load_config(site), ingest_new=False)
    before = tree(site / "_site")
    # A rebuild of a few hundred pages: rendered in workers, without parsing every body up front first.
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ITEMS", 10**6)
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "unused.html").write_text("not used by any page\n")  # every page is re-rendered

    def no_parsing(body: str) -> model.DerivedValues:
        raise AssertionError("Markdown parsed again: the worker did not read the build cache")

    monkeypatch.setattr(model, "derive", no_parsing)
    report = build_site(load_config(site), ingest_new=False)
    assert report.written == [] and tree(site / "_site") == before
