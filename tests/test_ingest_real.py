"""Ingest and build on real material, through the real command line (issue 16): what ingest writes the
build accepts, a deleted article stays deleted, an article with a typo is still its capture's article,
two captures of one article give one article, and the output says what changed."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.config import load_config
from generator.content import read_article
from generator.ingest import read_ledger

FIXTURES = Path(__file__).parent / "fixtures"
BODY = ("Officials of the two countries met in the capital on Tuesday to talk about trade, {n} railways and "
        "fishing rights, the state news agency said. ") * 6
TOPICS = ["grain exports and fertiliser prices", "a new bridge over the border river", "student exchanges",
          "the price of oil shipped by sea", "fishing quotas in the northern waters"]


def run(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["-C", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text("title: Test\nresearch: false\n", encoding="utf-8")
    (tmp_path / "captures").mkdir()
    return tmp_path


def articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def long_title_capture(root: Path, name: str, n: int) -> None:
    title = "Officials from the two countries met today in the capital to discuss a wide range of issues"
    body = " ".join(f"On day {day} of the visit number {n} they talked about {TOPICS[(day * n) % 5]}, the "
                    f"{'first' if n == 1 else 'second'} delegation said." for day in range(12))
    (root / "captures" / name).write_text(f"{title}\n\nBy Jane Roe | November 15, 2023\n\n{body}\n",
                                          encoding="utf-8")


def test_same_day_captures_with_long_titles_build_and_a_deleted_article_stays_deleted(digest, capsys):
    long_title_capture(digest, "one.txt", 1)
    long_title_capture(digest, "two.txt", 2)
    code, out, err = run(capsys, digest, "build")
    assert code == 0, err
    assert "built 2 articles" in out
    assert len(list((digest / "_site" / "articles").iterdir())) == 2
    first, second = articles(digest)
    deleted = read_article(second, load_config(digest).tz).provenance.capture
    second.unlink()  # the user does not want this one
    code, out, err = run(capsys, digest, "build")
    assert code == 0, err
    assert articles(digest) == [first] and "built 1 article " in out
    code, out, _err = run(capsys, digest, "ingest")
    assert articles(digest) == [first]
    assert out.splitlines()[-2].startswith("1 unchanged, 1 deleted")
    assert "name a capture to ingest it again" in out.splitlines()[-1]
    # Named on the command line, the capture comes back.
    code, out, _err = run(capsys, digest, "ingest", str(digest / deleted))
    assert code == 0 and out.startswith(f"new       {deleted} -> ")
    assert len(articles(digest)) == 2
    assert run(capsys, digest, "build")[0] == 0


def test_the_record_of_ingested_captures_travels_with_the_content(digest, capsys):
    """A fresh clone (no build cache) must not bring a deleted article back either: the record lives in
    content/, next to the articles, not in the cache."""
    long_title_capture(digest, "one.txt", 1)
    assert run(capsys, digest, "build")[0] == 0
    [path] = articles(digest)
    path.unlink()
    shutil.rmtree(digest / ".digest-cache")
    assert "captures/one.txt" in (digest / "content" / "ingested.txt").read_text(encoding="utf-8")
    code, _out, err = run(capsys, digest, "build")
    assert code == 0, err
    assert articles(digest) == []


def test_a_typo_in_an_article_never_makes_a_second_copy(digest, capsys):
    long_title_capture(digest, "one.txt", 1)
    assert run(capsys, digest, "build")[0] == 0
    [path] = articles(digest)
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("date: '2023-11-15'", "date: '2019-13-45'"), encoding="utf-8")
    code, _out, err = run(capsys, digest, "build")
    assert code == 1
    assert err.strip() == (f"digest: error: {path}:4: date: '2019-13-45' is not a valid date (month must be "
                           "in 1..12); accepted forms: 2024-11-15, 2024-11-15T09:30, 2024-11-15T09:30:00+01:00")
    assert articles(digest) == [path]
    code, out, err = run(capsys, digest, "ingest")
    assert code == 1 and err == ""
    assert out.startswith(f"failed    captures/one.txt -> {path.relative_to(digest)}  (its article cannot be read: ")
    assert articles(digest) == [path]
    path.write_text(good, encoding="utf-8")  # the typo fixed
    code, out, _err = run(capsys, digest, "build")
    assert code == 0 and "built 1 article " in out
    assert articles(digest) == [path]


def test_html_and_text_captures_of_one_article_give_one_article_with_the_best_of_both(digest, capsys):
    for name in ("kozlov.html", "kozlov.txt"):
        shutil.copy(FIXTURES / "pair" / name, digest / "captures" / name)
    code, out, _err = run(capsys, digest, "ingest")
    assert code == 0
    assert out.splitlines()[-1].startswith("1 new, 1 merged;")
    [path] = articles(digest)
    cfg = load_config(digest)
    article = read_article(path, cfg.tz)
    assert article.url == "https://www.example-times.org/2023/11/15/kozlov-visits-pyongyang"  # the HTML's
    assert article.authors == ("Jane Roe", "John Doe")  # the text's fuller byline
    assert article.date == "2023-11-15T10:30:00+00:00"  # the text's time
    assert article.source == "The Example Times"
    assert (article.provenance.capture, article.provenance.also) == ("captures/kozlov.html",
                                                                     ("captures/kozlov.txt",))
    before = path.read_bytes()
    for _ in range(2):  # stable: nothing flips back and forth
        code, out, _err = run(capsys, digest, "ingest")
        assert out.splitlines() == [out.splitlines()[-1]] and out.startswith("2 unchanged;")
        assert path.read_bytes() == before
    assert run(capsys, digest, "build")[0] == 0
    assert articles(digest) == [path] and path.read_bytes() == before


def test_a_text_capture_added_later_joins_the_article_of_its_html_capture(digest, capsys):
    shutil.copy(FIXTURES / "pair" / "kozlov.html", digest / "captures" / "kozlov.html")
    assert run(capsys, digest, "build")[0] == 0
    shutil.copy(FIXTURES / "pair" / "kozlov.txt", digest / "captures" / "kozlov.txt")
    assert run(capsys, digest, "build")[0] == 0
    [path] = articles(digest)
    after_build = path.read_bytes()
    assert read_article(path, load_config(digest).tz).authors == ("Jane Roe", "John Doe")
    _code, out, _err = run(capsys, digest, "ingest")  # what build made is what ingest makes
    assert out.startswith("2 unchanged;") and path.read_bytes() == after_build


def test_ingest_prints_only_what_changed_and_a_summary(digest, capsys):
    for n in range(20):
        (digest / "captures" / f"c{n:02}.txt").write_text(
            f"Report number {n} on the talks\n\nBy Jane Roe | November 15, 2023\n\n{BODY.format(n=n)}\n",
            encoding="utf-8")
    code, out, _err = run(capsys, digest, "ingest")
    assert code == 0 and len(out.splitlines()) == 21
    (digest / "captures" / "c07.txt").write_text(
        f"Report number 7 on the talks\n\nBy Jane Roe | November 16, 2023\n\n{BODY.format(n=7)} More.\n",
        encoding="utf-8")
    code, out, _err = run(capsys, digest, "ingest")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("updated   captures/c07.txt -> ")
    assert lines[1].startswith("1 updated, 19 unchanged; 20 captures in ")


def test_topics_without_any_hint_at_suggest(digest, capsys):
    long_title_capture(digest, "one.txt", 1)
    assert run(capsys, digest, "ingest")[0] == 0
    code, out, _err = run(capsys, digest, "topics")
    assert code == 0 and "digest topics --suggest" in out


def test_an_impossible_date_in_one_article_neither_crashes_nor_stops_ingest(digest, capsys):
    long_title_capture(digest, "one.txt", 1)
    assert run(capsys, digest, "ingest")[0] == 0
    [path] = articles(digest)
    path.write_text(path.read_text(encoding="utf-8").replace("date: '2023-11-15'", "date: 2024-02-30"),
                    encoding="utf-8")
    long_title_capture(digest, "two.txt", 2)
    code, out, err = run(capsys, digest, "ingest")
    assert code == 1
    assert "new       captures/two.txt -> " in out  # the other capture is ingested all the same
    assert f"failed    captures/one.txt -> {path.relative_to(digest)}  (its article cannot be read: {path}:4: " \
           "date: '2024-02-30' is not a valid date" in out
    assert err == "" and len(articles(digest)) == 2


def test_ingest_killed_midway_loses_nothing_and_the_next_ingest_finishes(digest):
    for n in range(120):
        (digest / "captures" / f"c{n:03}.txt").write_text(
            f"Report number {n} on the talks\n\nBy Jane Roe | November 15, 2023\n\n{BODY.format(n=n)} "
            f"Item {n}: {' '.join(TOPICS[(n + k) % 5] for k in range(n % 5 + 1))}.\n", encoding="utf-8")
    command = [sys.executable, "-m", "generator.cli", "-C", str(digest), "ingest"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not any((digest / "content").rglob("*.md")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.kill()  # SIGKILL, in the middle of writing articles
    process.wait()
    written = len(articles(digest))
    cfg = load_config(digest)
    for path in articles(digest):
        read_article(path, cfg.tz)  # every file there is whole
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith(f"{120 - written} new, {written} unchanged" if written
                                                   else "120 new")
    assert len(articles(digest)) == 120
    assert len(read_ledger(cfg)) == 120


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(n) for n in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_ingest_killed_while_cleaning_leaves_no_worker_behind(digest):
    for n in range(200):
        (digest / "captures" / f"c{n:03}.txt").write_text(
            f"Report number {n} on the talks\n\nBy Jane Roe | November 15, 2023\n\n{BODY.format(n=n)}\n",
            encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "generator.cli", "-C", str(digest), "ingest"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not workers and process.poll() is None and time.monotonic() < deadline:
            workers = _children(process.pid)
            time.sleep(0.02)
        assert workers, "ingest finished before its worker processes could be seen"
        process.kill()
        process.wait()
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "orphaned ingest workers are still running"
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_two_ingests_at_once_write_each_article_once(digest):
    for n in range(80):
        (digest / "captures" / f"c{n:03}.txt").write_text(
            f"Report number {n} on the talks\n\nBy Jane Roe | November 15, 2023\n\n{BODY.format(n=n)}\n",
            encoding="utf-8")
    command = [sys.executable, "-m", "generator.cli", "-C", str(digest), "ingest"]
    first, second = (subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2))
    outputs = sorted(process.communicate(timeout=600)[0].splitlines()[-1] for process in (first, second))
    assert outputs[0].startswith("80 new;") and outputs[1].startswith("80 unchanged;")
    assert len(articles(digest)) == 80


def test_deleted_articles_stay_deleted_whatever_their_captures_are_called(digest, capsys):
    names = ["line\nbreak.txt", "trailing space.txt ", '"quoted".txt', "tab\there.txt", "ünïcødé.txt"]
    for n, name in enumerate(names):
        body = " ".join(f"On day {day} of visit {n} they talked about {TOPICS[(day + n) % 5]}." for day in range(15))
        (digest / "captures" / name).write_text(f"Visit {n} on the talks\n\nBy Jane Roe | November 15, 2023\n\n"
                                                f"{body}\n", encoding="utf-8")
    code, out, _err = run(capsys, digest, "ingest")
    assert code == 0 and out.splitlines()[-1].startswith("5 new;")
    for path in articles(digest):
        path.unlink()
    code, out, _err = run(capsys, digest, "ingest")
    assert out.splitlines()[0].startswith("5 deleted;") and articles(digest) == []
