"""The watcher: real watchdog events on real files, the debouncer, ignore rules, convergence."""

from __future__ import annotations

import queue
import shutil
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.config import SiteConfig, load_config
from generator.errors import DigestError
from generator.themes import BUNDLED_THEMES
from generator.watch import (
    Debouncer,
    Outcome,
    WatchSession,
    is_editor_temp,
    needs_ingest,
    start_watching,
    wait_for_interrupt,
    watch_plan,
)
from tests.test_serve_support import VOLCANO, Report, make_digest, mini_build

TIMEOUT = 60.0  # generous: the machine is shared; nothing here asserts on timings


@dataclass
class Recorder:
    """Collects build outcomes; ``wait_for`` blocks until one matches."""

    outcomes: list[Outcome] = field(default_factory=list)
    _new: queue.Queue[Outcome] = field(default_factory=queue.Queue)

    def __call__(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self._new.put(outcome)

    def wait_for(self, test: object) -> Outcome:
        assert callable(test)
        while True:
            outcome = self._new.get(timeout=TIMEOUT)
            if test(outcome):
                return outcome


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    root = make_digest(tmp_path / "digest")
    (root / "static").mkdir()
    return root


def test_editor_temp_files_are_ignored() -> None:
    for name in ("a.md.swp", ".a.md.swx", "a.md~", "a.md.tmp", "4913", ".#a.md", "#a.md#", ".x.md.k2j.tmp"):
        assert is_editor_temp(name), name
    for name in ("a.md", "site.yaml", "4913.md", "notes.txt"):
        assert not is_editor_temp(name), name


def test_plan_ignores_output_and_cache_and_unrelated_files(digest: Path) -> None:
    cfg = load_config(digest)
    plan = watch_plan(cfg, [digest / ".digest-cache" / "serve"])
    assert plan.relevant(digest / "content" / "articles" / "a0.md")
    assert plan.relevant(digest / "site.yaml")
    assert plan.relevant(digest / "captures" / "new.txt")
    assert plan.relevant(digest / "themes" / "mine" / "templates" / "base.html")
    assert plan.relevant(BUNDLED_THEMES / "default" / "templates" / "base.html")
    assert not plan.relevant(digest / "_site" / "index.html")
    assert not plan.relevant(digest / ".digest-cache" / "serve" / "index.html")
    assert not plan.relevant(digest / "content" / "articles" / ".a0.md.swp")
    assert not plan.relevant(digest / "README.md")


def test_ingest_runs_first_and_when_captures_or_site_yaml_change(digest: Path) -> None:
    cfg = load_config(digest)
    assert needs_ingest(cfg, frozenset())
    assert needs_ingest(cfg, frozenset({digest / "captures" / "new.txt"}))
    assert needs_ingest(cfg, frozenset({digest / "site.yaml"}))
    assert not needs_ingest(cfg, frozenset({digest / "content" / "articles" / "a0.md", digest / "static"}))


def test_a_capture_taken_back_from_digestignore_is_ingested_by_the_preview(digest: Path) -> None:
    """Deleting a line of .digestignore takes a capture back: the preview must notice and ingest it."""
    cfg = load_config(digest)
    assert watch_plan(cfg).relevant(digest / ".digestignore")
    assert needs_ingest(cfg, frozenset({digest / ".digestignore"}))


def test_debouncer_turns_a_burst_into_one_batch() -> None:
    debouncer = Debouncer(quiet=0.2, max_wait=30)
    batches: list[set[Path]] = []
    consumer = threading.Thread(target=lambda: batches.extend(iter(debouncer.next_batch, None)))
    consumer.start()
    for n in range(1000):
        debouncer.add(Path(f"/c/{n}.txt"))
    debouncer.add(Path("/c/0.txt"))  # a second event for the same file
    while not batches:
        threading.Event().wait(0.05)
    debouncer.close()
    consumer.join(TIMEOUT)
    assert len(batches) == 1 and len(batches[0]) == 1000


def test_debouncer_max_wait_waits_for_a_file_being_written() -> None:
    """A file created but not yet closed is not handed to a build until it is closed (or hard_max)."""
    now = [0.0]
    debouncer = Debouncer(quiet=1.0, max_wait=2.0, hard_max=100.0, clock=lambda: now[0])
    for step in range(5):  # events every 0.5 s keep the quiet period from ever elapsing
        now[0] = step * 0.5
        debouncer.add(Path("/c/big.txt"), writing=True)
    assert debouncer._due() == 3.0  # last event + quiet: max wait suspended while writing
    debouncer.add(Path("/c/big.txt"))  # closed
    assert debouncer._due() == 2.0


def start(digest: Path, build: object, recorder: Recorder) -> WatchSession:
    assert callable(build)
    return start_watching(digest, build, on_outcome=recorder)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def sentinel_build(recorder: Recorder, sentinel: Path) -> Outcome:
    """Touch ``sentinel`` and wait for the build it triggers: every earlier event was batched before it."""
    sentinel.write_text(sentinel.name)
    return recorder.wait_for(lambda o: sentinel in o.trigger)


def test_copying_1000_captures_triggers_a_handful_of_builds(digest: Path, tmp_path: Path,
                                                            recorder: Recorder) -> None:
    def counting_build(cfg: object, **options: object) -> Report:
        return Report()

    source = tmp_path / "incoming"
    source.mkdir()
    for n in range(1000):
        (source / f"{n:04}.txt").write_text(f"Capture {n}\n\nSome text of capture {n}.\n")
    session = start(digest, counting_build, recorder)
    try:
        shutil.copytree(source, digest / "captures", dirs_exist_ok=True)
        done = sentinel_build(recorder, digest / "captures" / "zz-sentinel.txt")
        builds = recorder.outcomes[1:recorder.outcomes.index(done) + 1]
        seen = frozenset().union(*(o.trigger for o in builds))
        assert {digest / "captures" / f"{n:04}.txt" for n in range(1000)} <= seen
        assert len(builds) <= 10, [len(o.trigger) for o in builds]
    finally:
        session.stop()


def test_editor_saves_and_swap_files(digest: Path, recorder: Recorder) -> None:
    """vim's save (write test file 4913, rename to backup~, write new file) rebuilds the article; the swap
    and temp files never reach a build."""
    session = start(digest, mini_build, recorder)
    try:
        folder = digest / "content" / "articles"
        (folder / ".a0.md.swp").write_text("swap")
        (folder / "4913").write_text("")
        (folder / "4913").unlink()
        (folder / "a0.md").rename(folder / "a0.md~")
        (folder / "a0.md").write_text((folder / "a0.md~").read_text().replace("Article 0", "Article zero"))
        (folder / "a0.md~").unlink()
        done = sentinel_build(recorder, digest / "static" / "sentinel.txt")
        builds = recorder.outcomes[1:recorder.outcomes.index(done) + 1]
        triggers = frozenset().union(*(o.trigger for o in builds))
        assert triggers - {folder, digest / "static"} <= {folder / "a0.md", digest / "static" / "sentinel.txt"}
        assert any("articles/a0/index.html" in o.changed for o in builds)
    finally:
        session.stop()


def test_ingest_writing_content_converges(digest: Path, recorder: Recorder) -> None:
    """A capture dropped in: the build writes its article into content/, which triggers at most one more
    build; that one writes nothing, and nothing more is pending."""
    session = start(digest, mini_build, recorder)
    try:
        (digest / "captures" / "volcano.txt").write_text(VOLCANO)
        new = recorder.wait_for(lambda o: any("volcano-observatory" in name for name in o.changed))
        article = next((digest / "content").rglob("*volcano*.md"))
        follow_up = recorder.wait_for(lambda o: article in o.trigger)  # ingest's own write, seen once
        assert follow_up.result is not None and not follow_up.changed
        assert recorder.outcomes.index(follow_up) == recorder.outcomes.index(new) + 1
        done = sentinel_build(recorder, digest / "static" / "sentinel.txt")
        assert done.trigger <= {digest / "static", digest / "static" / "sentinel.txt"}  # nothing else pending
        assert recorder.outcomes.index(done) == recorder.outcomes.index(follow_up) + 1
    finally:
        session.stop()


def test_build_errors_are_reported_and_watching_goes_on(digest: Path, recorder: Recorder) -> None:
    session = start(digest, mini_build, recorder)
    try:
        bad = digest / "content" / "articles" / "a1.md"
        good = bad.read_text()
        bad.write_text("---\ntitle: [unclosed\n---\n")
        failed = recorder.wait_for(lambda o: o.error is not None)
        assert isinstance(failed.error, DigestError) and "a1.md" in str(failed.error)
        bad.write_text(good.replace("Article 1", "Article one"))
        recorder.wait_for(lambda o: "articles/a1/index.html" in o.changed)
    finally:
        session.stop()


def test_a_crashing_build_is_reported_and_watching_goes_on(digest: Path, recorder: Recorder) -> None:
    crashes = [RuntimeError("boom")]

    def flaky_build(cfg: SiteConfig, **options: Any) -> Report:
        if crashes:
            raise crashes.pop()
        return mini_build(cfg, **options)

    session = start(digest, flaky_build, recorder)
    try:
        assert recorder.outcomes[0].error is not None
        assert "internal error RuntimeError: boom" in str(recorder.outcomes[0].error)
        (digest / "static" / "style.css").write_text("p {}")
        recorder.wait_for(lambda o: "style.css" in o.changed)
    finally:
        session.stop()


def test_a_folder_deleted_and_made_again_is_watched_again(digest: Path, recorder: Recorder) -> None:
    """As ``git checkout`` does it: all between two builds, so the old watch died with the old folder."""
    session = start(digest, mini_build, recorder)
    try:
        shutil.rmtree(digest / "content")
        (digest / "content").mkdir()
        (digest / "content" / "back.md").write_text("---\nid: b1\ntitle: Back\n---\nText.\n")
        recorder.wait_for(lambda o: "articles/back/index.html" in o.changed)
        (digest / "content" / "again.md").write_text("---\nid: b2\ntitle: Again\n---\nText.\n")
        recorder.wait_for(lambda o: "articles/again/index.html" in o.changed)
    finally:
        session.stop()


def test_ctrl_c_delivered_to_another_thread_still_stops_the_main_thread() -> None:
    """The kernel may deliver SIGINT to the build thread; the waiting main thread must still notice."""
    main = threading.get_ident()
    rescued = threading.Event()

    def rescue() -> None:  # only if the main thread never noticed: interrupt it directly, and fail below
        rescued.set()
        signal.pthread_kill(main, signal.SIGINT)

    safety = threading.Timer(TIMEOUT, rescue)
    safety.start()
    # Another thread sends SIGINT to itself, once the main thread is (very likely) blocked waiting.
    other = threading.Timer(0.5, lambda: signal.pthread_kill(threading.get_ident(), signal.SIGINT))
    try:
        with pytest.raises(KeyboardInterrupt):
            other.start()
            wait_for_interrupt()
    finally:
        safety.cancel()
    assert not rescued.is_set()


def test_site_yaml_moving_a_folder_is_followed(digest: Path, recorder: Recorder) -> None:
    session = start(digest, mini_build, recorder)
    try:
        (digest / "notes" / "articles").mkdir(parents=True)
        (digest / "site.yaml").write_text((digest / "site.yaml").read_text() + "folders:\n  content: notes\n")
        recorder.wait_for(lambda o: o.result is not None and o.result.removed)
        (digest / "notes" / "articles" / "n.md").write_text("---\nid: n1\ntitle: Note\n---\nText.\n")
        recorder.wait_for(lambda o: "articles/n/index.html" in o.changed)
    finally:
        session.stop()

