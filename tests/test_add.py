"""``digest add`` against real HTTP servers on 127.0.0.1: captures kept, errors one line each."""

import subprocess
import sys
from pathlib import Path

import pytest

from generator.clean.origin import saved_from_url
from generator.config import load_config
from generator.content import read_article
from generator.newcapture import capture_name, save_capture
from tests.webpages import Reply, article_page, serve


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text("title: Test\n", encoding="utf-8")
    return tmp_path


def digest_add(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(root), "add", *args],
                          capture_output=True, text=True, check=False, timeout=120)


def articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def test_add_follows_redirects_keeps_the_capture_and_ingests_it(digest):
    routes = {"/old": Reply(301, headers={"Location": "/news/ice-route"}),
              "/news/ice-route": Reply(body=article_page("Ice route opens early", canonical="https://elsewhere.example/x"))}
    with serve(routes) as base:
        done = digest_add(digest, f"{base}/old")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("new ")
    captures = list((digest / "captures").iterdir())
    assert [c.name for c in captures] == ["127-0-0-1-news-ice-route.html"]
    text = captures[0].read_text(encoding="utf-8")
    assert saved_from_url(text) == f"{base}/news/ice-route"  # where it was read, after the redirect
    assert "digest 0.1.0: fetched 20" in text
    [path] = articles(digest)
    article = read_article(path, load_config(digest).tz)
    assert article.title == "Ice route opens early"
    assert article.url == f"{base}/news/ice-route"  # the fetched URL wins over the canonical link
    assert article.authors == ("Jane Roe",)
    assert article.provenance.capture == "captures/127-0-0-1-news-ice-route.html"


def test_adding_the_same_page_again_never_overwrites_the_first_capture(digest):
    with serve({"/a": Reply(body=article_page("First story of the day"))}) as base:
        assert digest_add(digest, f"{base}/a").returncode == 0
        first = (digest / "captures" / "127-0-0-1-a.html").read_bytes()
        assert digest_add(digest, f"{base}/a").returncode == 0
    assert sorted(p.name for p in (digest / "captures").iterdir()) == ["127-0-0-1-a-2.html", "127-0-0-1-a.html"]
    assert (digest / "captures" / "127-0-0-1-a.html").read_bytes() == first
    assert len(articles(digest)) == 1


def test_robots_txt_is_respected_unless_told_otherwise(digest):
    robots = b"User-agent: *\nDisallow: /private/\n"
    routes = {"/robots.txt": Reply(body=robots, headers={"Content-Type": "text/plain"}),
              "/private/memo": Reply(body=article_page("A private memo nobody should fetch")),
              "/public/story": Reply(body=article_page("A public story anyone may fetch"))}
    with serve(routes) as base:
        done = digest_add(digest, f"{base}/private/memo", f"{base}/public/story")
        assert done.returncode == 1
        assert f"{base}/private/memo" in done.stderr and "robots.txt" in done.stderr
        assert len(articles(digest)) == 1  # the other URL went on
        again = digest_add(digest, "--ignore-robots", f"{base}/private/memo")
    assert again.returncode == 0, again.stderr
    assert len(articles(digest)) == 2


def test_each_failure_is_one_line_and_the_others_go_on(digest, tmp_path):
    routes = {"/story": Reply(body=article_page("The one good page in the list")),
              "/big": Reply(body=b"<html><body>" + b"<p>word</p>" * 200_000 + b"</body></html>"),
              "/big-unannounced": Reply(body=b"<html>" + b"x" * 2_000_000, length=False),
              "/slow": Reply(body=article_page("A page that comes too late"), delay=5),
              "/pdf": Reply(body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}),
              "/loop": Reply(302, headers={"Location": "/loop"}),
              "/to-ftp": Reply(302, headers={"Location": "ftp://127.0.0.1/file"})}
    with serve(routes) as base:
        listing = tmp_path / "urls.txt"
        listing.write_text(f"# reading list\n{base}/missing\n\n{base}/story\n{base}/big\n{base}/big-unannounced\n"
                           f"{base}/slow\n{base}/pdf\n{base}/loop\n{base}/to-ftp\nftp://127.0.0.1/x\n"
                           "http://no-such-host.invalid/page\n", encoding="utf-8")
        done = digest_add(digest, "--from-file", str(listing), "--timeout", "1", "--max-size", "1")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 9, done.stderr
    reasons = dict(line.split(None, 2)[1:] for line in lines)
    assert reasons[f"{base}/missing"] == "(HTTP 404 Not Found)"
    assert "too large" in reasons[f"{base}/big"]
    assert "too large" in reasons[f"{base}/big-unannounced"]
    assert "timed out" in reasons[f"{base}/slow"]
    assert "not an HTML page (application/pdf)" in reasons[f"{base}/pdf"]
    assert "redirects" in reasons[f"{base}/loop"]
    assert reasons[f"{base}/to-ftp"] == "(redirected to a URL that is not http(s): ftp://127.0.0.1/file)"
    assert reasons["ftp://127.0.0.1/x"] == "(not an http(s) URL)"
    assert "no such host" in reasons["http://no-such-host.invalid/page"] or "connect" in reasons[
        "http://no-such-host.invalid/page"]
    assert done.stdout.startswith("new ")
    assert [p.name for p in (digest / "captures").iterdir()] == ["127-0-0-1-story.html"]


def test_add_without_urls_is_an_error(digest):
    done = digest_add(digest)
    assert done.returncode == 1 and "no URL given" in done.stderr


def test_capture_names_are_safe_and_never_replace_a_file(tmp_path):
    assert (capture_name("https://www.example.com/news/2024/Big-Story.html?x=1")
            == "example-com-news-2024-big-story.html")
    assert capture_name("https://example.com/../../etc/passwd") == "example-com-etc-passwd.html"
    assert capture_name("https://пример.рф/") == "primer-rf.html"
    first = save_capture(tmp_path, "https://example.com/a", b"<html>one</html>")
    second = save_capture(tmp_path, "https://example.com/a", b"<html>two</html>")
    assert (first.name, second.name) == ("example-com-a.html", "example-com-a-2.html")
    assert first.read_bytes().endswith(b"<html>one</html>")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_the_http_charset_survives_in_the_capture(tmp_path):
    page = "<html><body><p>Tromsø</p></body></html>".encode("cp1252")
    path = save_capture(tmp_path, "https://example.com/a", page, charset="windows-1252")
    assert b'<meta charset="cp1252">' in path.read_bytes()


def test_captures_of_one_page_saved_at_once_each_keep_their_own_text(tmp_path):
    """The preview saves pages sent from several tabs in threads of one process: each save must get its
    own temporary file (one named after the process only was shared, overwritten and removed under the
    other saves)."""
    import threading

    barrier = threading.Barrier(6)
    saved: dict[int, Path] = {}
    failed: list[BaseException] = []

    def save(n: int) -> None:
        barrier.wait()
        try:
            saved[n] = save_capture(tmp_path, "https://example.com/a", f"<p>{n}</p>".encode() * 200_000)
        except Exception as exc:  # reported by the assertion below
            failed.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failed
    assert len({path.name for path in saved.values()}) == 6
    for n, path in saved.items():
        assert path.read_bytes().endswith(f"<p>{n}</p>".encode() * 200_000)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_capture_never_keeps_a_password_from_the_address(tmp_path):
    """A page read at http://user:secret@host/ (the browser's location, or a URL given to digest add):
    the capture, and so the article's url, keeps the address without the user's credentials."""
    path = save_capture(tmp_path, "https://reader:s3cret@example.com:8443/a?q=1#top", b"<p>x</p>")
    assert saved_from_url(path.read_text()) == "https://example.com:8443/a?q=1#top"
    assert b"s3cret" not in path.read_bytes()


def test_robots_txt_is_read_as_rfc_9309_says(digest):
    """The most specific rule wins whatever the order, and * and $ are patterns (the standard library's
    parser took the first rule that matched and read * literally: it fetched every page below)."""
    from generator.fetch import Fetcher

    robots = (b"User-agent: *\nAllow: /\nDisallow: /private/\nDisallow: /*/print\nDisallow: /*.pdf$\n"
              b"Disallow: /news\nAllow: /news/open\n\nUser-agent: digest\nAllow: /\nDisallow: /drafts/\n")
    with serve({"/robots.txt": Reply(body=robots, headers={"Content-Type": "text/plain"})}) as base, \
            Fetcher() as fetcher:
        assert not fetcher.allowed(f"{base}/drafts/x")  # the group naming digest is the one that applies
        assert fetcher.allowed(f"{base}/private/x")
    robots = robots.split(b"\n\n")[0] + b"\n"
    with serve({"/robots.txt": Reply(body=robots, headers={"Content-Type": "text/plain"})}) as base, \
            Fetcher() as fetcher:
        for refused in ("/private/memo", "/world/print", "/report.pdf", "/news/closed"):
            assert not fetcher.allowed(base + refused), refused
        for allowed in ("/", "/report.pdf?page=2", "/news/open/today", "/world/story"):
            assert fetcher.allowed(base + allowed), allowed


def test_an_unreadable_or_huge_robots_txt_is_named_in_the_error(digest):
    """robots.txt over the size limit is read up to it (RFC 9309: at least 500 KiB), not taken as the
    page being too large; a server error there disallows the site and the line says it was robots.txt."""
    from generator.fetch import Fetcher, FetchError

    huge = b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 100_000
    routes = {"/robots.txt": Reply(body=huge, headers={"Content-Type": "text/plain"}),
              "/story": Reply(body=article_page("A public story anyone may fetch"))}
    with serve(routes) as base, Fetcher() as fetcher:
        assert fetcher.fetch(f"{base}/story").body.startswith(b"<!DOCTYPE html>")
        assert not fetcher.allowed(f"{base}/private/memo")
    routes = {"/robots.txt": Reply(503, b"busy"), "/story": Reply(body=b"<p>x</p>")}
    with serve(routes) as base, Fetcher() as fetcher, pytest.raises(FetchError, match=r"robots\.txt: HTTP 503"):
        fetcher.fetch(f"{base}/story")


def test_a_malformed_address_or_redirect_is_one_line_not_a_crash(digest):
    """``http://[::1`` and a port out of range raised from the URL parser and stopped digest add with a
    traceback; a redirect to such an address is refused as well."""
    routes = {"/bad-redirect": Reply(302, headers={"Location": "http://[::1/x"}),
              "/story": Reply(body=article_page("A public story anyone may fetch"))}
    with serve(routes) as base:
        done = digest_add(digest, "http://[::1", "http://127.0.0.1:99999/x", f"{base}/bad-redirect",
                          f"{base}/story")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert [line.split()[1] for line in lines] == ["http://[::1", "http://127.0.0.1:99999/x", f"{base}/bad-redirect"]
    assert "not a valid URL" in lines[0] and "location" in lines[2] and "Traceback" not in done.stderr
    assert len(articles(digest)) == 1  # the others went on
