#!/usr/bin/env python3
"""Live-reload benchmark (issue 4): time from saving an article to the open page having reloaded with it.

    python benchmarks/bench_reload.py                 # the sample digest (this repo's site.yaml + content)
    python benchmarks/bench_reload.py --n 10000       # a synthetic digest from ../shared/tools/gen_corpus.py

Runs the real ``digest serve`` on a copy (the sample is never touched) and Debian's Chromium. Each of
``--edits`` saves rewrites one article's body with a new marker; the time is from just before the write
to the reloaded page's ``load`` event (``performance.timeOrigin + loadEventEnd``, same clock). The
server's own "built in" lines give the build's share. Prints the median, and min/max. A script, not a test.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.watch import QUIET_SECONDS

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "tools" / "gen_corpus.py"
SAMPLE_PARTS = ("site.yaml", "captures", "content", "themes", "templates", "static")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SITE_YAML = """title: Benchmark digest
base_url: https://user.github.io/digest/
timezone: UTC
per_page: 50
feed_limit: 50
"""
MARKER = re.compile(r"\n\nreload-bench-[0-9a-f]+\n?$")
RELOADED = """m => {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav && nav.loadEventEnd > 0 && document.body.innerText.includes(m);
}"""


@dataclass
class Server:
    """``digest serve`` in a subprocess; its "built in N s" lines are collected as they come."""

    process: subprocess.Popen[str]
    url: str = ""
    builds: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, root: Path) -> Server:
        digest = str(Path(sys.executable).parent / "digest")
        process = subprocess.Popen([digest, "-C", str(root), "serve", "--port", "0"], text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        server = cls(process)
        ready = threading.Event()
        threading.Thread(target=server._read, args=(ready,), daemon=True).start()
        if not ready.wait(timeout=1800) or not server.url:
            sys.exit("digest serve did not start:\n" + "".join(server.lines[-20:]))
        return server

    def _read(self, ready: threading.Event) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("serving "):
                self.url = line.split()[1]
                ready.set()
            elif match := re.match(r"built in ([\d.]+) s", line):
                self.builds.append(float(match.group(1)))
            elif line.startswith("build failed"):
                self.failures.append(line)
        ready.set()

    def stop(self) -> None:
        """Ctrl-C, as a person would; a server that does not stop within a minute is a bug worth seeing."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            print("digest serve did not stop within 60 s of Ctrl-C", file=sys.stderr)


def sample_digest(work: Path) -> Path:
    for part in SAMPLE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, work / part)
        elif source.is_file():
            shutil.copy2(source, work / part)
    return work


def synthetic_digest(work: Path, n: int) -> Path:
    if not GEN.is_file():
        sys.exit(f"{GEN} is absent (../shared is not next to this repo): cannot generate {n} articles; "
                 "run without --n to measure the sample digest")
    (work / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    subprocess.run([sys.executable, str(GEN), "--n", str(n), "--flavor", "yaml", "--out", str(work / "content")],
                   check=True, stdout=subprocess.DEVNULL)
    return work


def set_marker(path: Path, marker: str) -> None:
    text = MARKER.sub("", path.read_text(encoding="utf-8").rstrip("\n") + "\n")
    path.write_text(text.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")


def page_of(server: Server, root: Path, article: Path) -> str:
    """The URL of ``article``'s page: mark it once and find the marker in the served output."""
    marker = f"reload-bench-{secrets.token_hex(6)}"
    count = len(server.builds)
    set_marker(article, marker)
    site = root / ".digest-cache" / "serve"
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        if server.failures:
            sys.exit("the build failed, nothing to measure:\n" + "".join(server.failures))
        if len(server.builds) > count:
            for page in site.glob("articles/**/index.html"):
                if marker.encode() in page.read_bytes():
                    return server.url + page.parent.relative_to(site).as_posix() + "/"
        time.sleep(0.1)
    sys.exit("the marked article never appeared in the served output:\n" + "".join(server.lines[-20:]))


def measure(page: Any, article: Path, edits: int) -> list[float]:
    """Milliseconds from each save to the reloaded page's load event."""
    times = []
    for _ in range(edits):
        marker = f"reload-bench-{secrets.token_hex(6)}"
        saved = time.time() * 1000
        set_marker(article, marker)
        # Polled every 100 ms, not on every animation frame: the time is the page's own navigation timing,
        # so polling only has to notice it, and polling each frame (innerText lays the page out) took CPU
        # from the build being measured on a two-core machine.
        page.wait_for_function(RELOADED, arg=marker, timeout=600_000, polling=100)
        loaded = page.evaluate("performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd")
        times.append(loaded - saved)
        page.wait_for_timeout(300)  # let the follow-up events of this save settle before the next one
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=0, help="synthetic digest of N articles (default: the sample)")
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    # Started in the background (``nohup ... &``), this script inherits SIGINT ignored, and so would the
    # server, which then could not be stopped with Ctrl-C at the end: let the children take it again.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="digest-reload-") as tmp:
        root = synthetic_digest(Path(tmp), args.n) if args.n else sample_digest(Path(tmp))
        started = time.perf_counter()
        server = Server.start(root)
        startup = time.perf_counter() - started
        try:
            articles = sorted((root / "content").rglob("*.md"))
            article = articles[len(articles) // 2]
            url = page_of(server, root, article)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                builds_before = len(server.builds)
                times = measure(page, article, args.edits)
                browser.close()
            builds = server.builds[builds_before:]
        finally:
            server.stop()
    label = f"{args.n} synthetic articles" if args.n else f"sample digest ({len(articles)} articles)"
    print(f"{label}: serve start-up (first build) {startup:.2f} s")
    print(f"save -> reloaded page, {len(times)} edits: median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f})")
    if builds:
        print(f"build share: median {statistics.median(builds) * 1000:.0f} ms over {len(builds)} builds "
              f"(debounce quiet period {QUIET_SECONDS * 1000:.0f} ms; the rest is events, reload and page load)")


if __name__ == "__main__":
    main()
