"""Live reload in Debian's Chromium: what the open pages show after each kind of change.

The server runs in-process with ``mini_build`` (a small build with the real build's contract); the
end-to-end tests with the real build are in test_serve_e2e.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.serve import Preview, start_preview
from tests.test_serve_support import VOLCANO, chromium_context, make_digest, mini_build, write_article

pytestmark = pytest.mark.browser
WAIT = 30_000  # ms; generous, the machine is shared


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    running = start_preview(make_digest(tmp_path / "digest"), mini_build, port=0)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_context() as context:
        yield context.new_page()


def content(preview: Preview) -> Path:
    return preview.server.mount.folder.parent.parent / "content" / "articles"


def test_pages_follow_edits_adds_renames_deletes_and_captures(preview: Preview, page: Any) -> None:
    from playwright.sync_api import expect

    home = page.context.new_page()
    home.goto(preview.url)
    page.goto(preview.url + "articles/a0/")
    expect(page).to_have_title("Article 0")

    write_article(content(preview).parent.parent, "a0", "Article 0 edited")
    expect(page).to_have_title("Article 0 edited", timeout=WAIT)
    expect(home.get_by_role("link", name="Article 0 edited")).to_be_visible(timeout=WAIT)

    write_article(content(preview).parent.parent, "a9", "Fresh article")
    expect(home.get_by_role("link", name="Fresh article")).to_be_visible(timeout=WAIT)

    page.goto(preview.url + "articles/a1/")
    expect(page).to_have_title("Article 1")
    (content(preview) / "a1.md").rename(content(preview) / "a1-moved.md")
    expect(page).to_have_title("Not found", timeout=WAIT)  # the old URL is gone, not served stale
    expect(home.locator('a[href="articles/a1-moved/"]')).to_be_visible(timeout=WAIT)

    (content(preview) / "a2.md").unlink()
    expect(home.get_by_role("link", name="Article 2")).to_have_count(0, timeout=WAIT)

    captures = content(preview).parent.parent / "captures"
    (captures / "volcano.txt.part").write_text(VOLCANO)  # a download in progress is not a capture yet
    (captures / "volcano.txt.part").rename(captures / "volcano.txt")
    expect(home.get_by_role("link", name="Volcano observatory reports calm week on the island")) \
        .to_be_visible(timeout=WAIT)


def test_a_missing_page_reloads_when_it_appears(preview: Preview, page: Any) -> None:
    from playwright.sync_api import expect

    response = page.goto(preview.url + "articles/later/")
    assert response.status == 404
    expect(page).to_have_title("Not found")
    write_article(content(preview).parent.parent, "later", "Later article")
    expect(page).to_have_title("Later article", timeout=WAIT)


def test_build_error_overlay_appears_and_clears(preview: Preview, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(preview.url + "articles/a0/")
    article = content(preview) / "a0.md"
    good = article.read_text()
    article.write_text(good.replace("title: Article 0", "title: [Article 0"))
    overlay = page.locator("#digest-build-error")
    expect(overlay).to_be_visible(timeout=WAIT)
    expect(overlay).to_contain_text(str(article))
    expect(page).to_have_title("Article 0")  # the last good page stays

    other = page.context.new_page()  # a page opened while the build is broken shows the error too
    other.goto(preview.url)
    expect(other.locator("#digest-build-error")).to_contain_text("a0.md", timeout=WAIT)

    article.write_text(good.replace("title: Article 0", "title: Article 0 fixed"))
    expect(page).to_have_title("Article 0 fixed", timeout=WAIT)
    expect(overlay).to_have_count(0)
    expect(other.locator("#digest-build-error")).to_have_count(0, timeout=WAIT)


def test_only_changed_pages_reload_but_css_reloads_all(preview: Preview, page: Any) -> None:
    from playwright.sync_api import expect

    other = page.context.new_page()
    other.goto(preview.url + "articles/a1/")
    other.evaluate("window.untouched = true")
    page.goto(preview.url + "articles/a0/")
    write_article(content(preview).parent.parent, "a0", "Article 0 edited")
    expect(page).to_have_title("Article 0 edited", timeout=WAIT)
    assert other.evaluate("window.untouched === true")  # a1's output did not change: no reload

    static = content(preview).parent.parent / "static"
    static.mkdir()
    (static / "style.css").write_text("body { color: rgb(200, 0, 0); }\n")
    for p in (page, other):
        expect(p.locator("body")).to_have_css("color", "rgb(200, 0, 0)", timeout=WAIT)
