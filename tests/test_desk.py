"""The preview's desk: the review page, captures as text, and the bookmarklet's send endpoint, against
a real preview server (and, for the bookmarklet, real Chromium on a page from a second local server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from generator.config import load_config
from generator.desk import SEND_PATH, TOKEN_HEADER, send_token
from generator.ingest import ingest
from generator.serve import Preview
from tests.test_serve_browser import preview as preview
from tests.test_serve_support import chromium_context, make_digest
from tests.webpages import Reply, article_page, serve

WAIT = 30_000  # ms


def origin(preview: Preview) -> str:
    parts = urlsplit(preview.url)
    return f"{parts.scheme}://{parts.netloc}"


def root(preview: Preview) -> Path:
    assert preview.server.desk is not None
    return preview.server.desk.root


def captures(preview: Preview) -> list[str]:
    return sorted(p.name for p in (root(preview) / "captures").iterdir())


def post(preview: Preview, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(origin(preview) + SEND_PATH, content=body, headers=headers, timeout=10)


def page_json(url: str) -> bytes:
    return json.dumps({"url": url, "html": article_page("Ice route opens early").decode()}).encode()


def test_the_review_page_links_each_article_and_its_capture(preview: Preview) -> None:
    digest = root(preview)
    (digest / "captures" / "memo.txt").write_text("Ice route memo\n\n" + "The route opened early. " * 30)
    [made] = ingest(load_config(digest), [digest / "captures"], progress=False)
    page = httpx.get(origin(preview) + "/__digest/review", timeout=30)
    assert page.status_code == 200 and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "no publication date" in page.text
    assert f'href="/repo/articles/{made.article.stem}/"' in page.text  # type: ignore[union-attr]
    assert 'href="/__digest/capture?file=captures/memo.txt"' in page.text
    capture = httpx.get(origin(preview) + "/__digest/capture?file=captures/memo.txt", timeout=10)
    assert capture.headers["content-type"] == "text/plain; charset=utf-8"
    assert capture.headers["content-security-policy"] == "sandbox"
    assert capture.text.startswith("Ice route memo")
    for outside in ("site.yaml", "captures/../site.yaml", "/etc/passwd", "captures/nothing.txt"):
        assert httpx.get(origin(preview) + f"/__digest/capture?file={outside}", timeout=10).status_code == 404


def test_the_send_endpoint_changes_nothing_without_every_check(preview: Preview) -> None:
    token = send_token(load_config(root(preview)))
    page = "http://news.test/story"
    before = captures(preview)
    assert post(preview, page_json(page), Origin="http://news.test").status_code == 403  # no token
    assert post(preview, page_json(page), Origin="http://news.test",
                **{TOKEN_HEADER: token[:-1] + "x"}).status_code == 403
    assert post(preview, page_json(page), Origin="http://evil.test", **{TOKEN_HEADER: token}).status_code == 403
    assert post(preview, page_json(page), **{TOKEN_HEADER: token}).status_code == 403  # no origin
    port = urlsplit(preview.url).port
    for host in ("attacker.test", f"attacker.test:{port}", "localhost:1"):  # DNS rebinding; another port
        assert post(preview, page_json(page), Origin="http://news.test", Host=host,
                    **{TOKEN_HEADER: token}).status_code == 403
    huge = httpx.post(origin(preview) + SEND_PATH, content=b"x" * 11_000_000, timeout=30,
                      headers={"Origin": "http://news.test", TOKEN_HEADER: token})
    assert huge.status_code == 413
    assert post(preview, b"not json", Origin="http://news.test", **{TOKEN_HEADER: token}).status_code == 400
    form = {"Origin": "http://news.test", "Content-Type": "application/x-www-form-urlencoded"}
    fields = {"url": page, "html": "<p>text</p>"}
    assert httpx.post(origin(preview) + SEND_PATH, data=fields, headers=form, timeout=10).status_code == 403
    assert httpx.post(origin(preview) + SEND_PATH, data={**fields, "token": "x"}, headers=form,
                      timeout=10).status_code == 403
    assert captures(preview) == before
    sent = httpx.post(origin(preview) + SEND_PATH, data={**fields, "token": token}, headers=form, timeout=10)
    assert sent.status_code == 201 and "Sent to digest" in sent.text
    done = post(preview, page_json(page), Origin="http://news.test", Host=f"localhost:{port}",
                **{TOKEN_HEADER: token})
    assert done.status_code == 201 and done.headers["access-control-allow-origin"] == "http://news.test"
    assert done.json() == {"saved": "captures/news-test-story-2.html"}


def test_the_preflight_allows_any_web_page_to_ask(preview: Preview) -> None:
    asked = httpx.options(origin(preview) + SEND_PATH, timeout=10, headers={
        "Origin": "https://news.test", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-digest-token",
        "Access-Control-Request-Private-Network": "true"})
    assert asked.status_code == 204
    assert asked.headers["access-control-allow-origin"] == "https://news.test"
    assert asked.headers["access-control-allow-private-network"] == "true"
    assert httpx.options(origin(preview) + SEND_PATH, headers={"Origin": "null"}, timeout=10).status_code == 403


def test_the_token_is_made_once_per_digest_and_kept_private(tmp_path: Path) -> None:
    cfg = load_config(make_digest(tmp_path / "d"))
    token = send_token(cfg)
    assert len(token) >= 40 and send_token(cfg) == token
    assert (cfg.path("cache") / "send-token").stat().st_mode & 0o077 == 0


@pytest.mark.browser
def test_the_bookmarklet_sends_the_page_being_read_into_the_open_digest(preview: Preview) -> None:
    from playwright.sync_api import expect

    routes = {"/news/ice-route": Reply(body=article_page("Ice route opens early")),
              "/other": Reply(body=b"<!doctype html><title>Other</title><p>An unrelated page.</p>"),
              "/strict": Reply(body=article_page("Strict site forbids connections"), headers={
                  "Content-Type": "text/html", "Content-Security-Policy": "connect-src 'self'"})}
    with serve(routes) as site, chromium_context() as context:
        desk = context.new_page()
        desk.goto(origin(preview) + SEND_PATH)
        href = desk.locator("#bookmarklet").get_attribute("href")
        assert href is not None and href.startswith("javascript:")
        home = context.new_page()
        home.goto(preview.url)

        reading = context.new_page()
        alerts: list[str] = []

        def answer(dialog: Any) -> None:
            alerts.append(dialog.message)
            dialog.accept()

        reading.on("dialog", answer)
        reading.goto(f"{site}/news/ice-route")
        reading.evaluate(unquote(href.removeprefix("javascript:")))  # what a click on the bookmark runs
        expect(home.get_by_role("link", name="Ice route opens early")).to_be_visible(timeout=WAIT)
        assert alerts == ["Sent to digest: captures/127-0-0-1-news-ice-route.html"]

        forger = context.new_page()
        forger.goto(f"{site}/other")
        status = forger.evaluate("""(endpoint) => fetch(endpoint, {method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({url: location.href, html: "<p>forged</p>"})}).then(r => r.status)""",
                                 origin(preview) + SEND_PATH)
        assert status == 403
        simple = forger.evaluate("""(endpoint) => fetch(endpoint, {method: "POST", mode: "no-cors",
            body: JSON.stringify({url: location.href, html: "<p>forged</p>"})}).then(() => "sent")""",
                                 origin(preview) + SEND_PATH)
        assert simple == "sent"
        assert captures(preview) == ["127-0-0-1-news-ice-route.html"]

        forger.evaluate("""() => { const s = getSelection(); s.removeAllRanges();
            const r = document.createRange(); r.selectNodeContents(document.querySelector("p")); s.addRange(r); }""")
        forger.on("dialog", lambda dialog: dialog.accept())
        forger.evaluate(unquote(href.removeprefix("javascript:")))
        expect(home.get_by_role("link", name="Other")).to_be_visible(timeout=WAIT)

        strict = context.new_page()
        strict.goto(f"{site}/strict")
        with context.expect_page() as opened:
            strict.evaluate(unquote(href.removeprefix("javascript:")))  # fetch is refused: a form in a new tab
        expect(opened.value.get_by_role("heading", name="Sent to digest")).to_be_visible(timeout=WAIT)
        expect(home.get_by_role("link", name="Strict site forbids connections")).to_be_visible(timeout=WAIT)
    selection = (root(preview) / "captures" / "127-0-0-1-other.html").read_text(encoding="utf-8")
    assert "<article>An unrelated page.</article>" in selection and "<title>Other</title>" in selection
    assert ": sent from the browser 20" in selection


def test_a_malformed_host_or_a_preflight_elsewhere_is_refused(preview: Preview) -> None:
    """A Host with a port that is no number is refused (it raised inside the handler, which dropped the
    connection); only the send endpoint answers a CORS preflight (the review page never needs one)."""
    port = urlsplit(preview.url).port
    for host in ("127.0.0.1:abc", f"127.0.0.1:{port}x", "[::1"):
        asked = httpx.get(origin(preview) + "/__digest/review", headers={"Host": host}, timeout=10)
        assert asked.status_code == 403
    review = httpx.options(origin(preview) + "/__digest/review", timeout=10,
                           headers={"Origin": "https://news.test", "Access-Control-Request-Method": "GET"})
    assert review.status_code == 404 and "access-control-allow-origin" not in review.headers


def test_a_page_with_a_broken_character_is_saved(preview: Preview) -> None:
    """JSON.stringify writes a lone surrogate (a broken character in the page's text) as ``\\ud800``: the
    page is saved with ``?`` there (encoding it raised in the handler, which dropped the connection)."""
    token = send_token(load_config(root(preview)))
    body = b'{"url": "http://news.test/broken", "html": "<p>Tromso \\ud800 harbour</p>"}'
    sent = post(preview, body, Origin="http://news.test", **{TOKEN_HEADER: token})
    assert sent.status_code == 201
    saved = root(preview) / sent.json()["saved"]
    assert saved.read_text(encoding="utf-8").endswith("<p>Tromso ? harbour</p>")


def test_a_broken_site_yaml_is_named_not_a_dropped_connection(preview: Preview) -> None:
    """site.yaml broken while the preview runs: the desk says so (loading it raised in the handler, which
    dropped the connection, and the bookmarklet could only say it could not connect)."""
    config = root(preview) / "site.yaml"
    good = config.read_text(encoding="utf-8")
    token = send_token(load_config(root(preview)))
    config.write_text(good + "no_such_setting: 1\n", encoding="utf-8")
    try:
        page = httpx.get(origin(preview) + "/__digest/review", timeout=10)
        assert page.status_code == 503 and "site.yaml" in page.text
        sent = post(preview, page_json("http://news.test/story"), Origin="http://news.test", **{TOKEN_HEADER: token})
        assert sent.status_code == 503 and "site.yaml" in sent.json()["error"]
        assert sent.headers["access-control-allow-origin"] == "http://news.test"  # the bookmarklet reads it
    finally:
        config.write_text(good, encoding="utf-8")


def test_the_review_page_shows_titles_reasons_and_file_names_as_text(preview: Preview) -> None:
    """A title, a reason (which quotes the source) and a file name holding markup are shown, never run."""
    from generator.content import Article, Provenance, with_fingerprint, write_text

    digest = root(preview)
    evil = '<img src=x onerror="alert(1)">'
    article = with_fingerprint(Article(id="evil", title=f"Title {evil}", body="Short text.", source=f"Src {evil}",
                                       provenance=Provenance(capture=f'captures/a"{evil}.html')))
    (digest / "content" / "articles" / f"x{evil}.md").write_text(write_text(article), encoding="utf-8")
    page = httpx.get(origin(preview) + "/__digest/review", timeout=30)
    assert page.status_code == 200 and "Title &lt;img" in page.text and "Src &lt;img" in page.text
    assert "<img" not in page.text and 'onerror="' not in page.text


def test_the_desk_answers_only_on_this_machine(tmp_path: Path) -> None:
    """``digest serve --host 0.0.0.0`` shows the site to the network, but the desk (the bookmarklet's
    secret token, the endpoint that writes captures) only to this machine: a client elsewhere can write
    any Host and Origin header it likes, so those checks stop only browsers."""
    import socket

    from generator.serve import start_preview
    from tests.test_serve_support import mini_build

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # (no packet is sent: this only picks the outgoing interface)
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no address besides the loopback")
    running = start_preview(make_digest(tmp_path / "digest"), mini_build, host="0.0.0.0", port=0)
    try:
        port = urlsplit(running.url).port
        own_host = {"Host": f"127.0.0.1:{port}"}
        assert httpx.get(f"http://{address}:{port}/__digest/send", headers=own_host, timeout=10).status_code == 403
        token = send_token(load_config(tmp_path / "digest"))
        sent = httpx.post(f"http://{address}:{port}{SEND_PATH}", content=page_json("http://news.test/story"),
                          headers={**own_host, "Origin": "http://news.test", TOKEN_HEADER: token}, timeout=10)
        assert sent.status_code == 403
        site = httpx.get(f"http://{address}:{port}/", timeout=10, follow_redirects=True)
        assert site.status_code == 200  # the site itself is served to the network
        assert httpx.get(f"http://127.0.0.1:{port}/__digest/send", timeout=10).status_code == 200
    finally:
        running.stop()
