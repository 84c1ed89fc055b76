"""Shared pieces for the serve/watch tests: a small digest on disk, a small real build, browser launch.

``mini_build`` has ``generator.build.build_site``'s contract (ingest new captures, read every article,
raise DigestError on bad input before writing anything, write only changed files, prune the rest,
report site paths) with a tiny theme, so the server and watcher are tested on their own; the
end-to-end tests run the real build through ``digest serve``.
"""

from __future__ import annotations

import html
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import SiteConfig
from generator.content import Article, read_article, write_text
from generator.ingest import ingest
from generator.output import write_if_changed
from generator.urls import Urls

BASE_URL = "https://user.github.io/repo/"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

# A plain-text capture, written for these tests.
VOLCANO = """Volcano observatory reports calm week on the island

by Jane Doe March 3, 2024 9:00 AM 2 min read

The island's volcano observatory said on Sunday that seismic activity had stayed low all week, with no new \
lava flows recorded on the northern slope.

Scientists from the observatory visited the crater twice and measured gas emissions that were well within \
the normal range for this time of year.

Local officials said the hiking trails near the summit would reopen on Monday, after being closed for two \
weeks as a precaution.

The observatory will keep publishing daily bulletins and will raise the alert level again if the readings \
change.
"""


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    articles: int = 0


def write_article(root: Path, stem: str, title: str, body: str = "Some text.") -> Path:
    path = root / "content" / "articles" / f"{stem}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(write_text(Article(id=f"id-{stem}", title=title, body=body)), encoding="utf-8")
    return path


def make_digest(root: Path, articles: int = 3) -> Path:
    """site.yaml for a GitHub project site plus a few articles."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(f"title: Test digest\nbase_url: {BASE_URL}\n", encoding="utf-8")
    (root / "captures").mkdir(exist_ok=True)
    for n in range(articles):
        write_article(root, f"a{n}", f"Article {n}")
    return root


def page(title: str, body: str, css: str) -> bytes:
    return (f'<!doctype html><html><head><title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" href="{css}"></head><body><h1>{html.escape(title)}</h1>{body}'
            f"</body></html>\n").encode()


def mini_build(cfg: SiteConfig, *, drafts: bool = False, ingest_new: bool = True,
               out: Path | None = None) -> Report:
    out = (out or cfg.path("output")).resolve()
    if ingest_new and cfg.path("captures").is_dir():
        ingest(cfg, [cfg.path("captures")], only_new=True, progress=False, warn=lambda m: None)
    articles = [(p.stem, read_article(p, cfg.tz)) for p in sorted(cfg.path("content").rglob("*.md"))]
    urls = Urls(cfg.base_url)
    files = {f"articles/{stem}/index.html": page(a.title, f"<p>{html.escape(a.body)}</p>", "../../style.css")
             for stem, a in articles}
    links = "".join(f'<li><a href="articles/{stem}/">{html.escape(a.title)}</a></li>' for stem, a in articles)
    files["index.html"] = page("Home", f"<ul>{links}</ul>", "style.css")
    files["404.html"] = page("Not found", "<p>No such page.</p>", urls.rooted("style.css"))
    files["style.css"] = (cfg.root / "static" / "style.css").read_bytes() \
        if (cfg.root / "static" / "style.css").is_file() else b"body { color: black; }\n"
    files["feed.xml"] = f'<?xml version="1.0"?><rss version="2.0"><channel><link>{urls.absolute("")}</link>' \
        f"</channel></rss>".encode()
    written = [name for name, data in sorted(files.items()) if write_if_changed(out / name, data)]
    return Report(written, prune(out, set(files)), len(articles))


def prune(out: Path, keep: set[str]) -> list[str]:
    removed = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.relative_to(out).as_posix() not in keep:
            path.unlink()
            removed.append(path.relative_to(out).as_posix())
    return removed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chromium_context() -> Iterator[Any]:
    """A fresh browser context in Debian's Chromium; open pages with ``new_page()``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser.new_context()
        finally:
            browser.close()
