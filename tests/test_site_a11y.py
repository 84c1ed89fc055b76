"""axe-core (bundled in the axe-playwright-python package) in Debian's Chromium finds no serious or
critical accessibility problem on the main page kinds, in light and dark mode, at phone and desktop width.
The site is served over real HTTP on 127.0.0.1 under a sub-path, as on GitHub Pages."""

from __future__ import annotations

import functools
import http.server
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_site
from generator.config import load_config
from tests.webpages import running

FIXTURE = Path(__file__).parent / "fixtures" / "site"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PAGES = ("", "articles/russian-delegation-completes-visit-to-pyongyang/",
         "articles/bughan-oemusang-moseukeuba-bangmun/", "topics/north-korea/", "topics/", "archive/",
         "subscribe/", "page/2/", "outlets/", "outlets/the-kyiv-independent/", "authors/", "authors/lance-luo/",
         "nowhere/")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")]


def axe_script() -> Path:
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.origin, "pip install axe-playwright-python (a dev dependency)"
    return Path(spec.origin).parent / "axe.min.js"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under /digest/ and answers misses with 404.html, as GitHub Pages does."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "digest" / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("served")
    build_site(load_config(FIXTURE, base_url="https://example.org/digest/"), out=root / "digest",
               use_cache=False)  # (no cache written into the fixture folder)
    with running(functools.partial(SiteHandler, directory=str(root))) as base:
        yield f"{base}/digest/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def serious(browser: Any, url: str, scheme: str, width: int) -> list[str]:
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(url)
        tab.add_script_tag(path=str(axe_script()))
        result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme,width", [("light", 390), ("dark", 1200)])
def test_no_serious_or_critical_axe_violations(server: str, browser: Any, scheme: str, width: int) -> None:
    problems = {path or "home": serious(browser, server + path, scheme, width) for path in PAGES}
    assert {path: found for path, found in problems.items() if found} == {}


def test_axe_does_report_a_real_problem(server: str, browser: Any, tmp_path: Path) -> None:
    """The check can fail: an image without alt text and an unlabeled input are flagged."""
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
        tab.add_script_tag(path=str(axe_script()))
        result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    assert {"image-alt", "label"} <= {v["id"] for v in result["violations"]}


def test_404_page_renders_styled_at_any_depth(server: str, browser: Any) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        response = tab.goto(server + "no/such/deep/page/")
        assert response is not None and response.status == 404
        assert tab.locator("h1").inner_text() == "Page not found"
        # The stylesheet loaded (root-absolute link): the skip link is moved off-screen by it.
        assert tab.locator(".skip-link").evaluate("e => getComputedStyle(e).position") == "absolute"
        tab.locator("a", has_text="Latest articles").click()
        assert tab.url == server
    finally:
        context.close()
