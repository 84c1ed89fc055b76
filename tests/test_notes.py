"""A researcher's notes (front matter ``notes``): shown apart on the article's page, found by search,
kept through every re-ingest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from generator.build import build_site
from generator.config import load_config
from generator.content import read_article
from generator.ingest import ingest
from tests.test_ingest import CAPTURE
from tests.test_research_search import first_result, make_digest
from tests.test_research_search import page as page
from tests.test_research_search import server as server

NOTES = "Compare with the **TASS** version.\nAsk the ministry about the zeppelinhangar contract.\n"


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Path]:
    make_digest(tmp_path / "digest", "https://example.org/digest/")
    article = tmp_path / "digest" / "content" / "articles" / "railway.md"
    text = article.read_text(encoding="utf-8").replace("slug: railway\n", "slug: railway\nnotes: |\n  "
                                                       + NOTES.replace("\n", "\n  ").rstrip() + "\n")
    article.write_text(text, encoding="utf-8")
    build_site(load_config(tmp_path / "digest"), out=tmp_path / "www" / "digest", ingest_new=False)
    yield tmp_path / "www"


def test_notes_are_shown_apart_from_the_text(site: Path) -> None:
    tree = html.fromstring((site / "digest" / "articles" / "railway" / "index.html").read_bytes())
    [notes] = tree.xpath("//section[@class='notes']")
    assert notes.xpath("string(h2)") == "Notes"
    assert notes.xpath("string(.//strong)") == "TASS"
    assert not tree.xpath("//div[@class='article-body']//*[contains(text(), 'zeppelinhangar')]")
    assert notes.xpath("ancestor::article[@data-pagefind-body]")  # inside what search indexes


@pytest.mark.browser
def test_notes_are_found_by_search(server: str, page: Any) -> None:
    link = first_result(page, server + "search/?q=zeppelinhangar")
    assert link.get_attribute("href") == "/digest/articles/railway/"
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {href.split("#")[0] for href in hrefs} == {"/digest/articles/railway/"}  # (and its Notes heading)


def test_notes_survive_every_reingest(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Test\n", encoding="utf-8")
    (tmp_path / "captures").mkdir()
    capture = tmp_path / "captures" / "a.txt"
    capture.write_text(CAPTURE, encoding="utf-8")
    cfg = load_config(tmp_path)
    [made] = ingest(cfg, [capture], progress=False)
    assert made.article is not None
    path = made.article
    path.write_text(path.read_text(encoding="utf-8").replace(
        "provenance:", "notes: |\n  " + NOTES.replace("\n", "\n  ").rstrip() + "\nprovenance:"), encoding="utf-8")
    for change, force, status in (("\nOne more paragraph.\n", False, "kept"), ("\nAnother one.\n", True, "updated"),
                                  ("\nAnd a third.\n", False, "updated")):
        capture.write_text(capture.read_text(encoding="utf-8") + change, encoding="utf-8")
        [result] = ingest(cfg, [capture], progress=False, force=force)
        assert result.status == status
        assert read_article(path, cfg.tz).notes == NOTES
    text = path.read_text(encoding="utf-8")
    assert "notes: |\n  Compare with the **TASS** version.\n  Ask the ministry" in text  # still easy to edit
