"""Outlet and author pages: every source and every author gets a page (articles newest first, paginated,
RSS and Atom) and an index with counts and date spans; bylines and source lines link to them; two names
that would share a URL fail the build naming both files."""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html

from generator.build import build_site
from generator.config import load_config
from generator.errors import DigestError

FIXTURE = Path(__file__).parent / "fixtures" / "site"
BASE = "https://example.org/digest/"


def article(root: Path, name: str, front: str, body: str = "Text.") -> None:
    folder = root / "content" / "articles" / "extra"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    """The fixture digest (2 articles a page) with three more Reuters articles, one spelled 'reuters '."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    article(root, "r1", "title: Reuters one\ndate: '2024-01-05'\nsource: Reuters\nauthors: [Jane Roe, Max Mustermann]")
    article(root, "r2", "title: Reuters two\ndate: '2024-02-05'\nsource: 'reuters '\nauthors: [jane  roe]")
    article(root, "r3", "title: Reuters three\ndate: '2022-12-31'\nsource: Reuters")
    return root


def build(root: Path) -> Path:
    build_site(load_config(root, base_url=BASE), out=root / "_site", use_cache=False, ingest_new=False)
    return root / "_site"


def doc(out: Path, path: str) -> html.HtmlElement:
    return html.fromstring((out / path / "index.html").read_bytes())


def titles(page: html.HtmlElement) -> list[str]:
    return [str(t) for t in page.xpath("//ol[@class='entries']//h2/a/text()")]


def resolve(page_path: str, href: str) -> str:
    """The site path a page-relative link points at."""
    return posixpath.normpath(posixpath.join(page_path, href)) + ("/" if href.endswith("/") else "")


def test_an_outlet_page_lists_its_articles_newest_first_paginated_with_feeds(digest: Path) -> None:
    out = build(digest)
    first, second = doc(out, "outlets/reuters"), doc(out, "outlets/reuters/page/2")
    # Names that differ only in case and spacing are one outlet, shown as first written (by file).
    assert titles(first) + titles(second) == ["Reuters two", "Reuters one", "Ministers meet", "Reuters three"]
    assert "4 articles" in first.xpath("string(//main/p[1])")
    assert first.xpath("//nav[@class='pagination']//a[@rel='next']/@href") == ["page/2/"]
    for kind in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((out / "outlets" / "reuters" / kind).read_bytes())
        assert not feed.bozo and [e.title for e in feed.entries] == ["Reuters two", "Reuters one", "Ministers meet"]
        assert feed.feed.title == "Test Digest: Reuters"  # (feed_limit: 3)
    links = first.xpath("//head/link[@rel='alternate']/@href")
    assert "feed.xml" in links and "atom.xml" in links


def test_the_indexes_show_counts_and_date_spans(digest: Path) -> None:
    out = build(digest)
    index = doc(out, "outlets")
    rows = {li.xpath("string(a)"): li for li in index.xpath("//ul[@class='group-index']/li")}
    assert list(rows) == ["Example News", "Reuters", "The Kyiv Independent", "Unknown Blog", "Yonhap"]
    assert " ".join(rows["Reuters"].xpath("string(span)").split()) == \
        "4 articles · 31 December 2022 – 5 February 2024"
    assert rows["Unknown Blog"].xpath("string(span)") == "1 article"  # undated: no span
    authors = doc(out, "authors")
    names = [str(a) for a in authors.xpath("//ul[@class='group-index']/li/a/text()")]
    assert names == ["Jane Roe", "Kim Ji-won", "Lance Luo", "Max Mustermann"]
    assert titles(doc(out, "authors/jane-roe")) == ["Reuters two", "Reuters one"]
    assert titles(doc(out, "authors/jane-roe/page/2")) == ["Ministers meet"]


def test_bylines_and_source_lines_link_to_their_pages(digest: Path) -> None:
    out = build(digest)
    path = "articles/russian-delegation-completes-visit-to-pyongyang/"
    page = doc(out, path)
    bylines = page.xpath("//span[@class='authors']/a")
    assert [(a.text, resolve(path, a.get("href"))) for a in bylines] == [
        ("Lance Luo", "authors/lance-luo/"), ("Kim Ji-won", "authors/kim-ji-won/")]
    source = page.xpath("//p[contains(@class, 'source')]/a")
    assert resolve(path, source[0].get("href")) == "outlets/the-kyiv-independent/"
    assert source[1].get("href") == "https://kyivindependent.com/russian-delegation/"
    for link in [*bylines, source[0]]:
        assert (out / resolve(path, link.get("href")) / "index.html").is_file()
    # Lists name the outlet with a link too.
    entry = doc(out, "").xpath("//li[@class='entry'][1]//p[@class='meta']/a")[0]
    assert resolve("", entry.get("href")) == "outlets/reuters/"


def test_outlet_and_author_pages_are_in_the_sitemap_and_the_subscribe_list(digest: Path) -> None:
    out = build(digest)
    locs = etree.parse(str(out / "sitemap.xml")).xpath("//*[local-name()='loc']/text()")
    for path in ("outlets/", "outlets/reuters/", "outlets/reuters/page/2/", "authors/", "authors/jane-roe/"):
        assert BASE + path in locs
    subscribe = doc(out, "subscribe")
    rows = [str(r) for r in subscribe.xpath("//table//th[@scope='row']//text()")]
    assert "Reuters" in rows and "Jane Roe" not in rows  # an author's feeds are on the author's page


def test_two_outlets_that_would_share_a_url_fail_the_build_naming_both_files(digest: Path) -> None:
    article(digest, "m1", "title: One\nsource: Le Monde")
    article(digest, "m2", "title: Two\nsource: Le-Monde")
    with pytest.raises(DigestError) as caught:
        build(digest)
    message = str(caught.value)
    assert "outlets/le-monde/" in message and "m1.md" in message and "m2.md" in message
    assert not (digest / "_site").exists()


def test_an_outlet_with_nothing_to_transliterate_still_gets_a_page(digest: Path) -> None:
    article(digest, "x", "title: Symbols\nsource: '***'")
    out = build(digest)
    page = doc(out, "articles/x")
    href = page.xpath("//p[contains(@class, 'source')]/a/@href")[0]
    target = resolve("articles/x/", href)
    assert target.startswith("outlets/outlet-") and (out / target / "index.html").is_file()
