"""Search: a real build under a sub-path, indexed by Pagefind, served by http.server, queried in Chromium."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_site
from generator.config import load_config
from generator.research.search import BUNDLE, bundle_for_build, index_site, search_bundle
from tests.webpages import running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTICLES = {
    "matsegora": ("Ambassador Matsegora greets the delegation",
                  "Alexander Matsegora, the ambassador, greeted the visitors at the airport in Pyongyang."),
    "fisheries": ("Fisheries agreement signed",
                  "The two ministries signed a fisheries agreement covering the northern coastal waters."),
    "railway": ("Railway bridge reopens", "The railway bridge across the Tumen river reopened to freight trains."),
}
# What results show and filter by: outlet, topics, year and story (fisheries and railway: one pinned story).
FRONT = {
    "matsegora": "date: '2024-11-10'\nsource: Harbor Post\ntopics: [Diplomacy]\n",
    "fisheries": "date: '2024-11-11'\nsource: Meridian Wire\ntopics: [Trade, Diplomacy]\nstory: border trade\n",
    "railway": "date: '2023-11-12'\nsource: Harbor Post\ntopics: [Trade]\nstory: border trade\n",
}


def make_digest(root: Path, base_url: str) -> None:
    (root / "content" / "articles").mkdir(parents=True)
    (root / "site.yaml").write_text(f"title: Test digest\nbase_url: {base_url}\n", encoding="utf-8")
    for number, (slug, (title, body)) in enumerate(ARTICLES.items()):
        (root / "content" / "articles" / f"{slug}.md").write_text(
            f"---\nid: {number:016x}\ntitle: {title}\n{FRONT[slug]}slug: {slug}\n---\n\n{body}\n",
            encoding="utf-8")


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """The digest built into www/digest/ (served under the sub-path /digest/): the build writes the search
    page and the search bundle itself."""
    make_digest(tmp_path / "digest", "https://example.org/digest/")
    cfg = load_config(tmp_path / "digest")
    out = tmp_path / "www" / "digest"
    build_site(cfg, out=out, ingest_new=False)
    assert (out / "search" / "index.html").is_file() and (out / BUNDLE).is_dir()
    return tmp_path / "www"


@pytest.fixture()
def server(site: Path) -> Iterator[str]:
    with running(functools.partial(SimpleHTTPRequestHandler, directory=str(site))) as base:
        yield f"{base}/digest/"


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            # Offline: any request leaving 127.0.0.1 fails the test.
            outside: list[str] = []
            tab.on("request", lambda r: None if r.url.startswith("http://127.0.0.1") else outside.append(r.url))
            yield tab
            assert outside == []
        finally:
            browser.close()


def test_bundle_holds_the_index_the_ui_and_our_box() -> None:
    # Filters of many values: Pagefind writes them in a different order on every run.
    files = {f"articles/{n}/index.html": f'<html><body><p>one two {n}</p><span data-pagefind-filter="outlet">'
             f'Outlet {n}</span><span data-pagefind-filter="topic">T{n % 3}</span></body></html>'.encode()
             for n in range(12)}
    bundle = search_bundle(files)
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json", "digest-search.js"):
        assert BUNDLE + name in bundle
    assert sum(path.startswith(BUNDLE + "filter/") for path in bundle) == 2
    for _ in range(3):
        assert search_bundle(files) == bundle  # same pages, same bytes: a rebuild rewrites nothing


@pytest.mark.browser
def test_typed_query_finds_the_article_under_a_sub_path(server: str, page: Any) -> None:
    page.goto(server + "search/")
    page.locator(".pagefind-ui__search-input").fill("fisheries")
    link = page.locator(".pagefind-ui__result-link").first
    link.wait_for(timeout=20000)
    assert page.locator(".pagefind-ui__result-link").count() == 1
    assert page.locator(".search-pending").count() == 0  # the note before the index loaded is gone
    href = link.get_attribute("href")
    assert href == "/digest/articles/fisheries/"
    link.click()
    page.wait_for_url(server + "articles/fisheries/")
    assert "Fisheries agreement signed" in page.locator("h1").first.inner_text()


def first_result(page: Any, url: str) -> Any:
    """Open ``url`` (the search page with a query) and wait for the first result's link."""
    page.goto(url)
    link = page.locator(".pagefind-ui__result-link").first
    link.wait_for(timeout=20000)
    return link


@pytest.mark.browser
def test_query_in_the_url_starts_a_search(server: str, page: Any) -> None:
    link = first_result(page, server + "search/?q=Matsegora")
    assert link.get_attribute("href") == "/digest/articles/matsegora/"
    response = page.request.get(server.rstrip("/").rsplit("/digest", 1)[0] + link.get_attribute("href"))
    assert response.status == 200


@pytest.mark.browser
def test_a_word_no_page_has_finds_nothing(server: str, page: Any) -> None:
    page.goto(server + "search/?q=fisheries")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=20000)
    page.locator(".pagefind-ui__search-input").fill("zeppelin")
    page.locator(".pagefind-ui__message", has_text="No results").wait_for(timeout=20000)
    assert page.locator(".pagefind-ui__result-link").count() == 0


@pytest.mark.browser
def test_results_show_date_outlet_and_topics(server: str, page: Any) -> None:
    page.goto(server + "search/?q=fisheries")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=20000)
    meta = page.locator(".pagefind-ui__result .digest-result-meta").first.inner_text()
    assert meta == "11 November 2024 · Meridian Wire · Trade, Diplomacy"


@pytest.mark.browser
def test_results_filter_by_outlet_topic_year_and_story(server: str, page: Any) -> None:
    page.goto(server + "search/?q=the")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=20000)
    assert page.locator(".pagefind-ui__result-link").count() == 3
    # Every filter and its values, with counts, as the index holds them.
    filters = page.evaluate("async (u) => (await import(u)).filters()", server + "pagefind/pagefind.js")
    story = next(iter(filters.get("story", {})), "")
    assert filters == {"outlet": {"Harbor Post": 2, "Meridian Wire": 1}, "topic": {"Diplomacy": 2, "Trade": 2},
                       "year": {"2023": 1, "2024": 2}, "story": {story: 2}}

    def choose(group: str, value: str, expected: list[str]) -> None:
        """Tick one value in the UI's filter panel; the results become ``expected`` (links, sorted)."""
        block = page.locator(".pagefind-ui__filter-block", has=page.locator(".pagefind-ui__filter-name",
                                                                            has_text=group))
        block.locator(".pagefind-ui__filter-name").wait_for(timeout=20000)
        if not block.locator(".pagefind-ui__filter-checkbox").first.is_visible():
            block.locator(".pagefind-ui__filter-name").click()
        block.locator(".pagefind-ui__filter-value", has_text=value).locator("input").check()
        page.wait_for_function("""(expected) => JSON.stringify([...document.querySelectorAll(
            '.pagefind-ui__result-link')].map(a => a.getAttribute('href')).sort()) === JSON.stringify(expected)""",
                               arg=expected, timeout=20000)

    choose("outlet", "Harbor Post", ["/digest/articles/matsegora/", "/digest/articles/railway/"])
    choose("year", "2024", ["/digest/articles/matsegora/"])  # and Harbor Post still ticked
    # Topic and story through the same index's search API (what the panel calls).
    for group, value in (("topic", "Trade"), ("story", story)):
        found = page.evaluate("""async ([u, group, value]) => {
            const pagefind = await import(u);
            const search = await pagefind.search("the", {filters: {[group]: value}});
            return (await Promise.all(search.results.map(r => r.data()))).map(d => d.url).sort(); }""",
                              [server + "pagefind/pagefind.js", group, value])
        assert found == ["/digest/articles/fisheries/", "/digest/articles/railway/"], group


def test_index_site_in_place(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<html><body><p>railway bridge</p></body></html>", encoding="utf-8")
    written = index_site(tmp_path)
    assert BUNDLE + "pagefind-entry.json" in written
    assert (tmp_path / "pagefind" / "digest-search.js").is_file()


def test_incremental_build_keeps_the_bundle_until_an_article_page_changes(tmp_path: Path) -> None:
    pages = {"articles/a/index.html": b"<html><body><p>railway bridge</p></body></html>",
             "articles/b/index.html": b"<html><body><p>fisheries deal</p></body></html>"}
    first = bundle_for_build(pages.__getitem__, set(pages), set(pages), set())
    assert all(isinstance(data, bytes) for data in first.values())
    for site_path, data in {**pages, **first}.items():
        (tmp_path / site_path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / site_path).write_bytes(data)  # type: ignore[arg-type]
    present = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    unchanged = bundle_for_build(pages.__getitem__, {*pages, "index.html"}, {"index.html"}, present)
    assert set(unchanged) == set(first) and all(data is None for data in unchanged.values())
    edited_pages = {**pages, "articles/b/index.html": b"<html><body><p>grain</p></body></html>"}
    edited = bundle_for_build(edited_pages.__getitem__, set(pages), {"articles/b/index.html"}, present)
    assert edited[BUNDLE + "pagefind-entry.json"] is not None
    gone = bundle_for_build(pages.__getitem__, {"articles/a/index.html"}, set(), present)  # b was deleted
    assert gone[BUNDLE + "pagefind-entry.json"] is not None
    assert gone != first
