"""The preview server over real sockets: containment, content types, redirects, 404, SSE, injection."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.config import SiteConfig
from generator.errors import FrontMatterError
from generator.serve import (
    Preview,
    ReloadHub,
    Target,
    content_type,
    inject,
    page_files,
    resolve,
    start_preview,
)
from tests.test_serve_support import make_digest, mini_build, write_article

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    root = make_digest(tmp_path / "digest")
    (tmp_path / "secret.txt").write_text(SECRET)  # next to the digest, outside the served folder
    running = start_preview(root, mini_build, port=0)
    try:
        yield running
    finally:
        running.stop()


def test_the_first_build_runs_before_any_thread_so_it_may_fork_workers(tmp_path: Path) -> None:
    threads_seen: list[int] = []

    def counting_build(cfg: SiteConfig, **options: Any) -> Any:
        threads_seen.append(threading.active_count())
        return mini_build(cfg, **options)

    root = make_digest(tmp_path / "digest")
    before = threading.active_count()  # 1 in `digest serve`; a test runner may have threads of its own
    running = start_preview(root, counting_build, port=0)
    try:
        # generator.parallel forks only from a single-threaded process. Nothing changed during that
        # build, so there is no second one (before: every start-up built twice).
        assert threads_seen[0] == before
        assert len(threads_seen) == 1
    finally:
        running.stop()


def test_an_edit_made_during_the_first_build_is_built_once_the_watcher_runs(tmp_path: Path) -> None:
    root = make_digest(tmp_path / "digest")
    builds: list[frozenset[str]] = []
    rebuilt = threading.Event()

    def editing_build(cfg: SiteConfig, **options: Any) -> Any:
        report = mini_build(cfg, **options)
        if not builds:  # an edit lands after the first build read its files, before anything watches
            write_article(root, "a0", "Edited during the first build")
        builds.append(frozenset(report.written))
        if len(builds) == 2:
            rebuilt.set()
        return report

    running = start_preview(root, editing_build, port=0)
    try:
        assert rebuilt.wait(30)
        assert "articles/a0/index.html" in builds[1]
        assert b"Edited during the first build" in fetch(running, "/repo/articles/a0/")[2]
    finally:
        running.stop()


def raw_get(preview: Preview, target: str) -> bytes:
    """Send a request line exactly as given (no client-side normalisation) and return the response."""
    with socket.create_connection(("127.0.0.1", preview.server.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def get(preview: Preview, target: str, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", preview.server.port, timeout=10)
    conn.request(method, target)
    response = conn.getresponse()
    response.read()  # so the body is available as .data below
    return response


def fetch(preview: Preview, target: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", preview.server.port, timeout=10)
    conn.request("GET", target)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_preview_is_built_for_localhost_into_the_cache_not_the_output_folder(preview: Preview) -> None:
    root = preview.server.mount.folder
    assert preview.url == f"http://127.0.0.1:{preview.server.port}/repo/"
    assert root.parent.name == ".digest-cache"
    assert not (root.parent.parent / "_site").exists()
    assert f"http://127.0.0.1:{preview.server.port}/repo/".encode() in (root / "feed.xml").read_bytes()


@pytest.mark.parametrize("target", [
    "/repo/../secret.txt", "/repo/../../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E/secret.txt",
    "/repo/..%2fsecret.txt", "/repo/%2e%2e%2fsecret.txt", "/repo/..%5csecret.txt", "/repo/..\\secret.txt",
    "/repo/articles/%2e%2e/%2e%2e/%2e%2e/secret.txt", "/repo/index.html%00", "/repo/%00/../secret.txt",
    "/../secret.txt", "/repo/link/secret.txt", "/repo/linked.txt", "/repo/%ff%fe",
    "//secret.txt", "/repo//etc/passwd", "/repo/%2fetc%2fpasswd", "http://x/repo/../secret.txt",
])
def test_nothing_outside_the_site_is_served(preview: Preview, target: str) -> None:
    site = preview.server.mount.folder
    for folder in (site.parent, site.parent.parent):  # the cache, the digest: secrets one and two levels up
        (folder / "secret.txt").write_text(SECRET)
    (site / "link").symlink_to(site.parent.parent.parent)  # a folder symlink leading out of the site
    (site / "linked.txt").symlink_to(site.parent.parent.parent / "secret.txt")
    response = raw_get(preview, target)
    assert SECRET.encode() not in response
    assert b"root:" not in response
    status = int(response.split(b" ", 2)[1])
    assert status in (400, 404), response[:200]


def test_resolve_keeps_inside_and_follows_symlinks_within(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text("x")
    (site / "b").symlink_to(site / "a")  # a symlink that stays inside is fine
    assert resolve(site, "/repo/", "/repo/b/").file == (site / "a" / "index.html")
    assert resolve(site, "/repo/", "/repo/a").redirect == "/repo/a/"
    assert resolve(site, "/repo/", "/").redirect == "/repo/"
    assert resolve(site, "/repo/", "/repo").redirect == "/repo/"
    assert resolve(site, "/repo/", "/other/a/").file is None
    assert resolve(site, "/", "/a/?x=1").file == (site / "a" / "index.html")
    (site / "index.html").write_text("home")
    assert resolve(site, "/", "/") == Target(file=site / "index.html")  # a site at the domain root


def test_redirects_and_folders(preview: Preview) -> None:
    for target, location in [("/", "/repo/"), ("/repo", "/repo/"), ("/repo/articles/a0", "/repo/articles/a0/"),
                             ("/repo/articles/a0?q=1", "/repo/articles/a0/?q=1")]:
        status, headers, _ = fetch(preview, target)
        assert (status, headers["Location"]) == (301, location), target
    status, headers, body = fetch(preview, "/repo/articles/a0/")
    assert status == 200 and b"<title>Article 0</title>" in body


def test_misses_get_the_sites_404_page_with_status_404(preview: Preview) -> None:
    status, headers, body = fetch(preview, "/repo/articles/nope/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<title>Not found</title>" in body
    status, _, body = fetch(preview, "/elsewhere/")  # outside the base path
    assert status == 404 and b"<title>Not found</title>" in body


def test_content_types(preview: Preview) -> None:
    site = preview.server.mount.folder
    (site / "atom.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"/>')
    (site / "sitemap.xml").write_text('<?xml version="1.0"?><urlset/>')
    (site / "app.js").write_text("1")
    (site / "data.json").write_text("{}")
    (site / "logo.svg").write_text("<svg/>")
    (site / "photo.png").write_bytes(b"\x89PNG")
    expected = {
        "/repo/feed.xml": "application/rss+xml; charset=utf-8",
        "/repo/atom.xml": "application/atom+xml; charset=utf-8",
        "/repo/sitemap.xml": "application/xml; charset=utf-8",
        "/repo/style.css": "text/css; charset=utf-8",
        "/repo/app.js": "text/javascript; charset=utf-8",
        "/repo/data.json": "application/json; charset=utf-8",
        "/repo/logo.svg": "image/svg+xml; charset=utf-8",
        "/repo/photo.png": "image/png",
        "/repo/": "text/html; charset=utf-8",
    }
    for target, kind in expected.items():
        status, headers, _ = fetch(preview, target)
        assert (status, headers["Content-Type"]) == (200, kind), target


def test_content_type_sniffs_feeds_past_comments() -> None:
    assert content_type(Path("x.xml"), b"<?xml version='1.0'?>\n<!-- hi -->\n<rss>").startswith("application/rss+xml")
    assert content_type(Path("x.xml"), b"<?xml version='1.0'?><feedback/>").startswith("application/xml")


def test_script_is_injected_into_served_html_only_never_on_disk(preview: Preview) -> None:
    site = preview.server.mount.folder
    on_disk = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    _, headers, body = fetch(preview, "/repo/articles/a0/")
    assert body.count(b"data-digest-live") == 1
    assert body.index(b"data-digest-live") < body.rindex(b"</body>")
    assert int(headers["Content-Length"]) == len(body)
    _, _, css = fetch(preview, "/repo/style.css")
    _, _, feed = fetch(preview, "/repo/feed.xml")
    assert b"data-digest-live" not in css + feed
    head = get(preview, "/repo/articles/a0/", method="HEAD")
    assert int(head.getheader("Content-Length") or 0) == len(body)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == on_disk
    assert not any(b"data-digest-live" in data for data in on_disk.values())


def test_inject_places_script_before_the_last_body_end() -> None:
    assert inject(b"<body>a</BODY >b", b"S") == b"<body>aS</BODY >b"
    assert inject(b"<p>no body end", b"S") == b"<p>no body endS"


def read_event(response: http.client.HTTPResponse) -> str:
    """The next event name on an SSE stream (skipping comments and retry lines)."""
    name = ""
    while True:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line == "" and name:
            return name


def open_events(preview: Preview, page: str, since: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", preview.server.port, timeout=30)
    conn.request("GET", f"/__digest/events?since={since}&path={page}")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    return response


def test_edit_sends_reload_after_the_build_and_errors_then_recovery(preview: Preview) -> None:
    root = preview.server.mount.folder.parent.parent
    stream = open_events(preview, "/repo/articles/a0/", preview.server.hub.token())
    write_article(root, "a0", "Article 0 edited")
    assert read_event(stream) == "reload"
    assert b"Article 0 edited" in fetch(preview, "/repo/articles/a0/")[2]  # the build had finished

    bad = root / "content" / "articles" / "a1.md"
    bad.write_text("---\ntitle: [unclosed\n---\nbody\n")
    assert read_event(stream) == "build-error"
    assert b"Article 0 edited" in fetch(preview, "/repo/articles/a0/")[2]  # last good output still served
    write_article(root, "a1", "Article 1 fixed")
    assert read_event(stream) == "reload"


def test_a_late_stream_learns_about_a_build_it_missed(preview: Preview) -> None:
    token = preview.server.hub.token()  # the page was served at this build
    root = preview.server.mount.folder.parent.parent
    write_article(root, "a2", "Article 2 edited")
    stream = open_events(preview, "/repo/", token)  # the home page lists a2's title, so it changed
    assert read_event(stream) == "reload"


def test_hub_reloads_only_pages_whose_output_changed() -> None:
    hub = ReloadHub()
    token = hub.token()
    a = hub.subscribe(page_files("/repo/", "/repo/articles/a/"), token)
    b = hub.subscribe(page_files("/repo/", "/repo/articles/b/"), token)
    new = hub.subscribe(page_files("/repo/", "/repo/articles/new"), token)  # a 404 until it exists
    hub.publish(frozenset({"articles/a/index.html", "index.html", "feed.xml"}))
    assert a.messages.get_nowait() is not None and b.messages.empty() and new.messages.empty()
    hub.publish(frozenset({"articles/new/index.html"}))
    assert new.messages.get_nowait() is not None and b.messages.empty()
    hub.publish(frozenset({"style.css"}))  # a shared asset: every page
    assert all(s.messages.qsize() == 1 for s in (a, b, new))
    hub.fail(FrontMatterError("bad", Path("content/x.md"), 3))
    late = hub.subscribe(page_files("/repo/", "/repo/"), token)
    assert b"content/x.md:3" in (late.messages.get_nowait() or b"")
    hub.close()
    assert late.messages.get_nowait() is None


def test_hub_history_answers_late_streams() -> None:
    hub = ReloadHub()
    first = hub.token()
    hub.publish(frozenset({"articles/a/index.html"}))
    assert hub.subscribe(page_files("/repo/", "/repo/articles/b/"), first).messages.empty()
    assert not hub.subscribe(page_files("/repo/", "/repo/articles/a/"), first).messages.empty()
    assert not hub.subscribe(frozenset(), "an-earlier-run.3").messages.empty()
    assert hub.subscribe(frozenset({"articles/a/index.html"}), hub.token()).messages.empty()
