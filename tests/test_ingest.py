"""Ingest against real files: statuses, never losing a person's edits, stable ids."""

import argparse
import os
from pathlib import Path

import pytest

from generator.commands.ingest import run as run_ingest_command
from generator.config import load_config
from generator.content import read_article
from generator.ingest import ingest

CAPTURE = """Kozlov visits Pyongyang for trade talks

By Jane Roe | November 15, 2023

A Russian delegation led by Natural Resources Minister Alexander Kozlov arrived in Pyongyang on Tuesday to \
discuss cooperation in trade, economy, science and technology, state media said.

The visit comes as ties between Moscow and Pyongyang grow, worrying officials in Washington and Seoul, who \
say the North has shipped artillery shells to Russia for its war in Ukraine.
"""


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text(
        "title: Test\ntopics:\n  - name: North Korea\n    terms: [Pyongyang]\n  - name: Sport\n", encoding="utf-8")
    (tmp_path / "captures").mkdir()
    (tmp_path / "captures" / "a.txt").write_text(CAPTURE, encoding="utf-8")
    return tmp_path


def articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def snapshot(root: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in articles(root)}


def test_first_ingest_writes_one_article_with_topics_and_provenance(digest):
    cfg = load_config(digest)
    [result] = ingest(cfg, [cfg.path("captures")], progress=False)
    assert result.status == "new"
    [path] = articles(digest)
    article = read_article(path, cfg.tz)
    assert article.topics == ("North Korea",)
    assert article.provenance.capture == "captures/a.txt"
    assert len(article.provenance.sha256) == 64
    assert path.parent.parent.name == "articles"


def test_reingest_of_unchanged_captures_changes_no_file(digest):
    cfg = load_config(digest)
    ingest(cfg, [cfg.path("captures")], progress=False)
    before = snapshot(digest)
    [result] = ingest(cfg, [cfg.path("captures")], progress=False)
    assert result.status == "unchanged"
    assert snapshot(digest) == before


def test_changed_capture_updates_an_untouched_article_and_keeps_its_id(digest):
    cfg = load_config(digest)
    ingest(cfg, [cfg.path("captures")], progress=False)
    [path] = articles(digest)
    first_id = read_article(path, cfg.tz).id
    capture = digest / "captures" / "a.txt"
    capture.write_text(CAPTURE + "\nAnalysts expect more visits to follow in the coming months, officials said.\n",
                       encoding="utf-8")
    [result] = ingest(cfg, [cfg.path("captures")], progress=False)
    assert result.status == "updated"
    assert read_article(path, cfg.tz).id == first_id
    assert "more visits" in read_article(path, cfg.tz).body


def test_an_edited_article_is_kept_and_force_keeps_a_backup(digest):
    cfg = load_config(digest)
    ingest(cfg, [cfg.path("captures")], progress=False)
    [path] = articles(digest)
    edited = path.read_text(encoding="utf-8").replace("state media said", "state media said (my note)")
    path.write_text(edited, encoding="utf-8")
    capture = digest / "captures" / "a.txt"
    capture.write_text(CAPTURE + "\nA later paragraph added when the page was updated by the outlet.\n",
                       encoding="utf-8")
    [result] = ingest(cfg, [cfg.path("captures")], progress=False)
    assert result.status == "kept"
    assert path.read_text(encoding="utf-8") == edited
    [result] = ingest(cfg, [cfg.path("captures")], force=True, progress=False)
    assert result.status == "updated"
    assert path.with_suffix(".md.bak").read_text(encoding="utf-8") == edited
    assert "(my note)" not in path.read_text(encoding="utf-8")


def test_two_captures_of_the_same_text_give_one_article(digest):
    (digest / "captures" / "b.txt").write_text(CAPTURE, encoding="utf-8")
    cfg = load_config(digest)
    statuses = sorted(r.status for r in ingest(cfg, [cfg.path("captures")], progress=False))
    assert statuses == ["merged", "new"]
    assert len(articles(digest)) == 1
    assert {r.status for r in ingest(cfg, [cfg.path("captures")], progress=False)} == {"unchanged"}


def test_only_new_never_touches_existing_articles(digest):
    cfg = load_config(digest)
    ingest(cfg, [cfg.path("captures")], progress=False)
    before = snapshot(digest)
    (digest / "captures" / "a.txt").write_text(CAPTURE + "\nChanged.\n", encoding="utf-8")
    results = ingest(cfg, [cfg.path("captures")], only_new=True, progress=False)
    assert results == []
    assert snapshot(digest) == before


def test_bad_captures_fail_alone(digest, capsys):
    (digest / "captures" / "empty.txt").write_text("   \n", encoding="utf-8")
    big = digest / "captures" / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    cfg = load_config(digest)

    args = argparse.Namespace(root=str(digest), paths=[], force=False)
    assert run_ingest_command(args) == 1
    out = capsys.readouterr().out
    assert "failed    captures/empty.txt" in out and "empty capture" in out
    assert "failed    captures/huge.txt" in out and "too large" in out
    assert "new       captures/a.txt" in out
    assert len(articles(digest)) == 1
    assert cfg  # config loaded fine alongside failures


def test_large_batches_use_worker_processes_and_match_serial_output(digest):
    cfg = load_config(digest)
    for i in range(70):
        (digest / "captures" / f"c{i:03}.txt").write_text(
            CAPTURE.replace("Kozlov visits", f"Visit number {i}:").replace("Tuesday", f"day {i}"),
            encoding="utf-8")
    results = ingest(cfg, [cfg.path("captures")], progress=False)
    assert [r.capture.name for r in results] == sorted(p.name for p in (digest / "captures").iterdir())
    assert sum(r.status == "new" for r in results) == 71
    assert os.cpu_count()


def test_the_capture_time_is_recorded_and_is_not_a_publication_date(digest):
    capture = digest / "captures" / "a.txt"
    capture.write_text("An undated piece\n\n" + CAPTURE.split("\n\n", 2)[2], encoding="utf-8")
    os.utime(capture, (1_700_000_000, 1_700_000_000))
    cfg = load_config(digest)
    ingest(cfg, [cfg.path("captures")], progress=False)
    [path] = articles(digest)
    article = read_article(path, cfg.tz)
    assert article.captured == "2023-11-14T22:13:20+00:00"
    assert article.date is None


def test_two_ingests_at_once_make_one_article(digest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`digest add` ingesting while the preview's build ingests the same new capture: both read the
    content folder before either wrote, and each made the article (a second file, ``-<id>.md``).
    The barrier holds each ingest after it read the content folder until the other has too, or 3 s."""
    import contextlib
    import threading
    from collections.abc import Iterator
    from typing import Any

    import generator.ingest as ingest_module
    from generator.ingest import Made

    cfg = load_config(digest)
    barrier = threading.Barrier(2, timeout=3)
    make_all = ingest_module.make_all

    def make_all_when_both_looked(*args: Any, **kwargs: Any) -> Iterator[Made]:
        # (With one ingest at a time the other waits for this one to finish: the barrier breaks.)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        yield from make_all(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "make_all", make_all_when_both_looked)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(
        [r.status for r in ingest(cfg, [digest / "captures"], progress=False)])) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(articles(digest)) == 1
    assert sorted(results) == [["new"], ["unchanged"]]


def test_the_ingest_lock_is_free_once_released_even_with_a_child_forked_meanwhile(digest: Path) -> None:
    """A process forked while an ingest held the lock (a build's worker, the preview's helper) keeps a copy
    of its descriptor: the lock must still be free for the next ingest when the holder is done."""
    import fcntl
    import signal

    from generator.ingest import ingest_lock

    cfg = load_config(digest)
    with ingest_lock(cfg):
        child = os.fork()
        if child == 0:  # the forked process outlives the lock
            signal.pause()
            os._exit(0)
    try:
        with open(cfg.path("cache") / "ingest.lock", "a") as other:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if still held
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
