"""Research features in the built site: story pages, links between reports, the research switch."""

from pathlib import Path

from lxml import html

from generator.build import build_site
from generator.config import load_config
from tests.fixtures.research.seeds import gold_articles, write_digest


def links(page: Path) -> list[str]:
    return [str(a.get("href")) for a in html.fromstring(page.read_bytes()).iter("a")]


def test_story_pages_list_every_report_and_reports_link_their_story(tmp_path):
    write_digest(tmp_path, gold_articles(), "title: Seeds\nbase_url: https://example.org/digest/\n")
    build_site(load_config(tmp_path), ingest_new=False)
    site = tmp_path / "_site"
    stories = sorted(p for p in (site / "stories").glob("*/index.html"))
    assert len(stories) == 2  # Lavrov's visit has a single report: an article, not a story page
    index = (site / "stories" / "index.html").read_text(encoding="utf-8")
    for story in stories:
        assert f'href="{story.parent.name}/"' in index
        reports = [href for href in links(story) if href.startswith("../../articles/")]
        assert len(reports) == 2
        for href in reports:
            article = (story.parent / href).resolve() / "index.html"
            assert f"../../stories/{story.parent.name}/" in links(article)


def test_research_false_builds_the_plain_site(tmp_path):
    write_digest(tmp_path, gold_articles(), "title: Seeds\nresearch: false\n")
    build_site(load_config(tmp_path), ingest_new=False)
    site = tmp_path / "_site"
    assert not (site / "stories").exists() and not (site / "search").exists()
    assert not (site / "pagefind").exists()
    assert "The same story elsewhere" not in next((site / "articles").rglob("index.html")).read_text("utf-8")


def test_home_and_archive_link_each_report_to_its_story(tmp_path):
    write_digest(tmp_path, gold_articles(), "title: Seeds\n")
    build_site(load_config(tmp_path), ingest_new=False)
    site = tmp_path / "_site"
    story_links = {href for href in links(site / "index.html") if href.startswith("stories/") and href != "stories/"}
    assert len(story_links) == 2
    archive_links = {href for month in (site / "archive").glob("*/*/index.html") for href in links(month)
                     if href.startswith("../../../stories/")}
    assert {f"../../../{href}" for href in story_links} <= archive_links
