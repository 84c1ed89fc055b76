"""``digest serve`` and ``digest watch`` as a person runs them: subprocesses, the real build, Chromium, Ctrl-C."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.test_serve_support import VOLCANO, chromium_context, make_digest

WAIT = 60_000  # ms: the real build ingests and renders; the machine is shared
DIGEST = [sys.executable, "-m", "generator.cli"]


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str
    root: Path
    guard: threading.Timer  # kills a hung process; cancelled at the end, so no thread outlives the test

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    def interrupt(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        """Ctrl-C (or another signal): the exit code and the rest of the output."""
        self.process.send_signal(signum)
        out, _ = self.process.communicate(timeout=60)
        self._stop_guard()
        return self.process.returncode, out

    def close(self) -> None:
        """Kill it if it still runs, and stop the guard (a live thread keeps later tests from forking)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        self._stop_guard()

    def _stop_guard(self) -> None:
        self.guard.cancel()
        self.guard.join()


def start(args: list[str], root: Path, ready: str) -> Running:
    process = subprocess.Popen([*DIGEST, "-C", str(root), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    guard = threading.Timer(600, process.kill)  # a hung process fails the test instead of hanging it
    guard.daemon = True
    guard.start()
    lines = []
    while line := process.stdout.readline():  # blocks until the first build is done and it says so
        lines.append(line)
        if line.startswith(ready):
            return Running(process, line.split()[1], root, guard)
    guard.cancel()
    raise AssertionError("".join(lines))


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Running]:
    running = start(["serve", "--port", "0"], make_digest(tmp_path / "digest"), "serving")
    yield running
    running.close()


def set_body(root: Path, stem: str, body: str) -> None:
    path = root / "content" / "articles" / f"{stem}.md"
    text = path.read_text()
    path.write_text(text[:text.index("\n---\n") + 5] + f"\n{body}\n")


@pytest.mark.browser
def test_serve_previews_under_the_base_path_and_live_reloads(serve: Running) -> None:
    from playwright.sync_api import expect

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/repo/", serve.url)
    with chromium_context() as context:
        page: Any = context.new_page()
        page.goto(f"http://127.0.0.1:{serve.port}/")
        assert page.url == serve.url  # "/" redirects to the base path
        home: Any = context.new_page()
        home.goto(serve.url)
        page.get_by_role("link", name="Article 0").first.click()
        expect(page.get_by_text("Some text.")).to_be_visible()

        set_body(serve.root, "a0", "Freshly edited text.")
        expect(page.get_by_text("Freshly edited text.")).to_be_visible(timeout=WAIT)

        (serve.root / "captures" / "volcano.txt").write_text(VOLCANO)
        expect(home.get_by_role("link", name="Volcano observatory reports calm week on the island").first) \
            .to_be_visible(timeout=WAIT)

        article = serve.root / "content" / "articles" / "a0.md"
        good = article.read_text()
        article.write_text(good.replace("title: Article 0", "title: [Article 0"))
        expect(page.locator("#digest-build-error")).to_contain_text("a0.md", timeout=WAIT)
        expect(page.get_by_text("Freshly edited text.")).to_be_visible()  # last good page still shown
        article.write_text(good)
        expect(page.locator("#digest-build-error")).to_have_count(0, timeout=WAIT)

        templates = serve.root / "templates"  # a folder that did not exist when serve started
        templates.mkdir()
        (templates / "article.html").write_text('{% extends "theme/article.html" %}\n{% if %}\n')
        expect(page.locator("#digest-build-error")).to_contain_text("article.html:2", timeout=WAIT)
        (templates / "article.html").unlink()
        expect(page.locator("#digest-build-error")).to_have_count(0, timeout=WAIT)

        missing = page.goto(serve.url + "no/such/page/")
        assert missing.status == 404
        expect(page).to_have_title(re.compile("not found", re.I))

    site = serve.root / ".digest-cache" / "serve"
    assert f"http://127.0.0.1:{serve.port}/repo/".encode() in (site / "feed.xml").read_bytes()
    assert not (serve.root / "_site").exists()  # a localhost build never lands where deploy looks
    assert not any(b"data-digest-live" in p.read_bytes() for p in site.rglob("*.html"))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_with_open_event_streams_exits_zero(serve: Running, signum: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=60)
    conn.request("GET", "/__digest/events?path=/repo/&since=x")
    stream = conn.getresponse()
    assert stream.readline().startswith(b"retry:")
    code, out = serve.interrupt(signum)
    assert code == 0, out
    assert "Traceback" not in out
    while stream.readline():  # the stream ends instead of hanging
        pass


def test_a_broken_site_yaml_at_start_is_one_line_and_exit_1(tmp_path: Path) -> None:
    root = make_digest(tmp_path / "digest")
    (root / "site.yaml").write_text("title: T\nbase_url: https://user.github.io/repo/\nnonsense: 1\n")
    result = subprocess.run([*DIGEST, "-C", str(root), "serve", "--port", "0"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "site.yaml:3" in result.stderr and "nonsense" in result.stderr


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    root = make_digest(tmp_path / "digest")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*DIGEST, "-C", str(root), "serve", "--port", str(port)], capture_output=True,
                                text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_watch_rebuilds_the_output_folder_with_the_real_base_url(tmp_path: Path) -> None:
    root = make_digest(tmp_path / "digest")
    running = start(["watch"], root, "watching")
    try:
        assert running.process.stdout is not None
        set_body(root, "a1", "Watched and rebuilt.")
        while line := running.process.stdout.readline():
            if line.startswith("built") and any(b"Watched and rebuilt." in p.read_bytes()
                                                for p in (root / "_site").rglob("*.html")):
                break
        assert b"https://user.github.io/repo/" in (root / "_site" / "feed.xml").read_bytes()
        assert not any(b"data-digest-live" in p.read_bytes() for p in (root / "_site").rglob("*.html"))
        code, out = running.interrupt()
        assert code == 0, out
    finally:
        running.close()
