"""Publishing survives kills and concurrency: real ``digest build`` processes, killed with SIGKILL at
random moments or run two at once, must leave the output folder entirely one complete site, and the next
build must repair whatever a killed one left.

The builds run with a ``sitecustomize`` that slows every link, rename and unlink a little (so the moments
a kill can land on include the publishing steps, which are otherwise a few milliseconds) and can hide
RENAME_EXCHANGE (to test the fallback that publishes with plain renames)."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import load_config
from generator.output import SPARE_SUFFIX, SWAP_SUFFIX, Staging, exchange, recover, spare_folder, swap
from tests.trees import tree

SITECUSTOMIZE = '''
import os, time
_pause = float(os.environ.get("DIGEST_TEST_SLOW_FS", "0"))
_log = os.environ.get("DIGEST_TEST_OPS_LOG")
_fd = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT) if _log else None
if _pause:
    for _name in ("link", "replace", "rename", "unlink"):
        def _slowed(*args, _original=getattr(os, _name), **kwargs):
            if _fd is not None:
                os.write(_fd, b".")  # one byte per file system step: the test kills after the n-th
            time.sleep(_pause)
            return _original(*args, **kwargs)
        setattr(os, _name, _slowed)
if os.environ.get("DIGEST_TEST_NO_EXCHANGE"):
    import generator.output
    generator.output.exchange = lambda first, second: False
'''

ARTICLE = """---
id: {n:016x}
title: Report number {n} on the talks
date: '2023-{month:02d}-{day:02d}T10:00:00+00:00'
source: Outlet {outlet}
topics: [Talks]
---
{body}
"""
SITE = "title: Kill test\nbase_url: https://example.org/k/\nper_page: 3\ndescription: {description}\n"


def write_state(root: Path, state: int) -> None:
    """State 0: the base digest; 1: one article edited (a few pages change, most are kept); 2: the
    description changed (every page changes)."""
    root.mkdir(exist_ok=True)
    (root / "site.yaml").write_text(SITE.format(description="Beta" if state == 2 else "Alpha"), encoding="utf-8")
    folder = root / "content" / "articles" / "2023"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 31):
        body = f"Delegates met for round {n} of the talks in the capital.\n\nThey agreed on little."
        if n == 7 and state == 1:
            body = "An edited report: the talks collapsed.\n"
        (folder / f"report-{n}.md").write_text(ARTICLE.format(n=n, month=1 + n % 12, day=1 + n % 27,
                                                              outlet=n % 4, body=body), encoding="utf-8")


@pytest.fixture
def slow_env(tmp_path: Path) -> dict[str, str]:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    repo = Path(__file__).resolve().parent.parent
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(repo)]), "DIGEST_TEST_SLOW_FS": "0.002"}


def start_build(root: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "generator.cli", "-C", str(root), "build", "--no-ingest"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group: the kill takes its workers too


def cold_trees(root: Path, tmp_path: Path) -> list[dict[str, bytes]]:
    trees = []
    for state in range(3):
        write_state(root, state)
        out = tmp_path / f"cold-{state}"
        build_site(load_config(root), ingest_new=False, out=out, use_cache=False)
        trees.append(tree(out))
    assert trees[0] != trees[1] != trees[2] != trees[0]
    return trees


@pytest.mark.parametrize("mode", ["exchange", "renames"])
def test_a_build_killed_at_any_moment_leaves_a_whole_site_and_the_next_build_repairs(
        tmp_path: Path, slow_env: dict[str, str], mode: str) -> None:
    if mode == "exchange" and not exchange_works(tmp_path):
        pytest.skip("this file system has no RENAME_EXCHANGE")
    env = {**slow_env, **({"DIGEST_TEST_NO_EXCHANGE": "1"} if mode == "renames" else {})}
    root = tmp_path / "digest"
    expected = cold_trees(root, tmp_path)
    write_state(root, 2)
    assert start_build(root, env).wait(timeout=300) == 0
    write_state(root, 0)  # every page changes, as in a build after a killed one (its manifest is gone)
    log = tmp_path / "steps.log"
    env["DIGEST_TEST_OPS_LOG"] = str(log)
    assert start_build(root, env).wait(timeout=300) == 0
    steps = log.stat().st_size  # link, rename, replace and unlink calls of a whole build
    out = root / "_site"
    assert tree(out) == expected[0]
    chance = random.Random(16)
    outcomes = []
    attempts = 8 if mode == "exchange" else 5
    for attempt in range(attempts):
        state = (attempt + 1) % 3
        write_state(root, state)
        log.unlink()
        kill_after = chance.randint(1, steps + steps // 10)  # the n-th step, from start-up to past the end
        build = start_build(root, env)
        while build.poll() is None and (not log.exists() or log.stat().st_size < kill_after):
            time.sleep(0.001)
        with contextlib.suppress(ProcessLookupError):  # (it finished first)
            os.killpg(build.pid, signal.SIGKILL)
        build.communicate(timeout=60)
        parked = out.parent / f".{out.name}{SWAP_SUFFIX}"
        if not out.exists():  # only between the two renames of the fallback
            assert mode == "renames" and tree(parked) in expected
            outcomes.append("missing")
            continue
        found = tree(out)
        assert found in expected, f"attempt {attempt}, step {kill_after} of {steps}: a mixed site"
        outcomes.append(f"step {kill_after}: state {expected.index(found)}")
    final = start_build(root, env)
    assert final.wait(timeout=300) == 0
    assert tree(out) == expected[attempts % 3], outcomes  # repaired, whatever the kills left
    assert not (out.parent / f".{out.name}{SWAP_SUFFIX}").exists()
    again = start_build(root, env)
    stdout, _ = again.communicate(timeout=300)
    assert "0 files written" in stdout and tree(out) == expected[attempts % 3]


def exchange_works(tmp_path: Path) -> bool:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    return exchange(tmp_path / "x", tmp_path / "y")


def test_two_builds_at_once_wait_for_each_other_and_leave_the_new_site(tmp_path: Path,
                                                                       slow_env: dict[str, str]) -> None:
    root = tmp_path / "digest"
    expected = cold_trees(root, tmp_path)
    write_state(root, 0)
    assert start_build(root, slow_env).wait(timeout=300) == 0
    write_state(root, 2)  # every page changes
    builds = [start_build(root, slow_env) for _ in range(2)]
    results = [build.communicate(timeout=300) for build in builds]
    assert [build.returncode for build in builds] == [0, 0], results
    waited = [stderr for _stdout, stderr in results if "waiting for another build of this digest" in stderr]
    assert len(waited) == 1, results  # the second said why it did nothing yet
    out = root / "_site"
    assert tree(out) == expected[2]
    third = start_build(root, slow_env)
    stdout, _ = third.communicate(timeout=300)
    assert "0 files written" in stdout and tree(out) == expected[2]


def test_the_fallback_swap_recovers_from_a_kill_between_its_renames(tmp_path: Path) -> None:
    """Without RENAME_EXCHANGE the old site is parked under another name for a moment; a kill there
    leaves the output folder missing (never half-written) and the next build puts the old one back."""
    out = tmp_path / "_site"
    out.mkdir()
    (out / "index.html").write_bytes(b"old")
    spare = spare_folder(out)
    spare.mkdir()
    (spare / "index.html").write_bytes(b"new")
    parked = tmp_path / f"._site{SWAP_SUFFIX}"
    os.rename(out, parked)  # the first of the fallback's renames, then the kill
    recover(out)
    assert tree(out) == {"index.html": b"old"} and not parked.exists()
    # A kill after the second rename: the new site is in place, the old one parked.
    os.rename(out, parked)
    os.rename(spare, out)
    recover(out)
    assert tree(out) == {"index.html": b"new"} and tree(spare) == {"index.html": b"old"}


def test_swap_publishes_the_spare_folder_and_keeps_the_old_site_in_it(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for renames_only in (False, True):
        if renames_only:
            monkeypatch.setattr("generator.output.exchange", lambda first, second: False)
        out = tmp_path / f"out-{renames_only}"
        out.mkdir()
        (out / "a.html").write_bytes(b"old a")
        spare = spare_folder(out)
        spare.mkdir()
        (spare / "a.html").write_bytes(b"new a")
        swap(out, spare)
        assert tree(out) == {"a.html": b"new a"} and tree(spare) == {"a.html": b"old a"}
        assert spare.name == f".{out.name}{SPARE_SUFFIX}"


def test_unchanged_files_are_hard_links_and_a_spare_file_is_never_written_in_place(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    first = Staging(out, swap=True)
    for path in ("index.html", "articles/a/index.html", "articles/b/index.html"):
        first.stage(path, f"{path} v1".encode())
    first.commit({"index.html", "articles/a/index.html", "articles/b/index.html"}, set())
    present = set(tree(out))
    second = Staging(out, swap=True)
    assert second.stage("articles/a/index.html", b"a v2") is True
    assert second.stage("articles/b/index.html", b"articles/b/index.html v1") is False
    second.commit({"index.html", "articles/a/index.html", "articles/b/index.html"}, present)
    assert tree(out) == {"index.html": b"index.html v1", "articles/a/index.html": b"a v2",
                         "articles/b/index.html": b"articles/b/index.html v1"}
    spare = spare_folder(out)
    assert (out / "index.html").stat().st_ino == (spare / "index.html").stat().st_ino  # linked, not copied
    # The next build stages over a spare file that is the live one: the live file must not change.
    third = Staging(out, swap=True)
    third.stage("index.html", b"index v3")
    assert (out / "index.html").read_bytes() == b"index.html v1"
    third.commit({"index.html"}, set(tree(out)))  # two pages gone: absent from the new site
    assert tree(out) == {"index.html": b"index v3"}


def test_an_output_folder_that_was_a_plain_folder_is_published_whole(site: Path) -> None:
    """A site built by an earlier digest (no spare folder yet) is replaced whole too; stray files there
    are pruned, a .git folder there is kept."""
    out = site / "_site"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "stray.html").write_text("not ours")
    report = build_site(load_config(site), ingest_new=False)
    assert "stray.html" in report.removed and not (out / "stray.html").exists()
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    shutil.rmtree(out / ".git")
    assert "index.html" in tree(out)
