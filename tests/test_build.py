"""``digest build`` on the hand-written fixture site: golden output, correctness after changes,
write-if-changed, pruning, collisions, drafts, feeds, and failure leaving the old site untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html

from generator.build import build_site
from generator.config import load_config
from generator.errors import DigestError
from tests.trees import tree

FIXTURE = Path(__file__).parent / "fixtures" / "site"
GOLDEN = Path(__file__).parent / "golden"
BASE = "https://example.org/digest/"
CHECK_SITE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_site.py"
DELEGATION = "articles/russian-delegation-completes-visit-to-pyongyang/index.html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    return root


def build(root: Path, base_url: str = BASE, **kwargs: object):
    cfg = load_config(root, base_url=base_url)
    return build_site(cfg, out=root / "_site", **kwargs)  # type: ignore[arg-type]


def page(root: Path, rel: str) -> html.HtmlElement:
    return html.fromstring((root / "_site" / rel).read_bytes())


def article_md(root: Path, name: str) -> Path:
    return next((root / "content").rglob(name))


# --- Golden copy ----------------------------------------------------------------------------------

def test_fixture_site_matches_golden_copy(site: Path) -> None:
    """Regenerate after an intended change with: DIGEST_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_build.py"""
    build(site)
    built = tree(site / "_site")
    if os.environ.get("DIGEST_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(site / "_site", GOLDEN)
    golden = tree(GOLDEN)
    assert sorted(built) == sorted(golden)
    for name, data in built.items():
        assert data == golden[name], f"{name} differs from tests/golden/{name}"


def test_output_is_byte_identical_across_builds_and_second_build_writes_nothing(site: Path, tmp_path: Path) -> None:
    first = build(site)
    assert "index.html" in first.written and "feed.xml" in first.written and first.articles == 5
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "_site").rglob("*") if p.is_file()}
    second = build(site)
    assert second.written == [] and second.removed == []
    assert {p: p.stat().st_mtime_ns for p in (site / "_site").rglob("*") if p.is_file()} == mtimes
    other = tmp_path / "again"
    build_site(load_config(site, base_url=BASE), out=other)
    assert tree(other) == tree(site / "_site")


# --- Pages ----------------------------------------------------------------------------------------

def test_article_page_shows_metadata_topics_caption_and_neighbours(site: Path) -> None:
    build(site)
    doc = page(site, DELEGATION)
    assert doc.xpath("string(//article//h1)") == "Russian delegation completes visit to Pyongyang"
    assert doc.xpath("//article//time/@datetime") == ["2023-11-17T01:27:00+00:00"]
    assert "By Lance Luo, Kim Ji-won" in doc.text_content()
    assert doc.xpath("//a[@rel='external noopener']/@href") == ["https://kyivindependent.com/russian-delegation/"]
    assert doc.xpath("//ul[@class='topics']//a/@href") == ["../../topics/north-korea/", "../../topics/russia/",
                                                            "../../topics/diplomacy/"]
    assert "Photo: KCNA" in doc.xpath("string(//figcaption)")
    assert doc.xpath("//nav[@class='prev-next']//a/@href") == ["../ministers-meet/"]
    assert doc.xpath("//html/@lang") == ["en"]


def test_script_in_a_capture_shows_as_text_and_javascript_url_is_not_linked(site: Path) -> None:
    build(site)
    doc = page(site, "articles/a-capture-with-a-script-tag/index.html")
    # (The page's one script is its JSON-LD metadata: data, never run.)
    assert doc.xpath("//script[not(@type='application/ld+json')]") == [] and doc.xpath("//iframe") == []
    assert '<script>alert("boom")</script>' in doc.xpath("string(//div[@class='article-body'])")
    # The oldest dated article does not call an undated one "older".
    assert doc.xpath("//nav[@class='prev-next']//a/@rel") == ["prev"]
    assert not [h for h in doc.xpath("//a/@href") if h.startswith("javascript:")]


def test_non_latin_file_name_gets_transliterated_url_and_undeclared_topic_gets_a_page(site: Path) -> None:
    build(site)
    korean = page(site, "articles/bughan-oemusang-moseukeuba-bangmun/index.html")
    assert korean.xpath("//article/@lang") == ["ko"]
    topic = page(site, "topics/sanctions-watch/index.html")
    assert topic.xpath("string(//h1)").split() == ["Topic", "Sanctions", "Watch"]
    assert topic.xpath("//link[@rel='alternate']/@href")[:2] == ["feed.xml", "atom.xml"]
    index = page(site, "topics/index.html")
    counts = {a.text: a.getparent().xpath("string(span)") for a in index.xpath("//ul[@class='topic-index']//a")}
    assert counts == {"Diplomacy": "2 articles", "North Korea": "2 articles", "Russia": "3 articles",
                      "Sanctions Watch": "2 articles"}


def test_home_is_paginated_newest_first_with_undated_last(site: Path) -> None:
    build(site)
    titles = [page(site, rel).xpath("//h2[@class='entry-title']/a/text()")
              for rel in ("index.html", "page/2/index.html", "page/3/index.html")]
    assert titles == [["Russian delegation completes visit to Pyongyang", "Ministers meet"],
                      ["북한 외무상 모스크바 방문", "A capture with a script tag"],
                      ["An article without a date"]]
    assert page(site, "page/2/index.html").xpath("//a[@rel='prev']/@href") == ["../../"]


def test_archive_groups_by_year_and_month_and_lists_undated_apart(site: Path) -> None:
    build(site)
    doc = page(site, "archive/index.html")
    assert doc.xpath("//h2/text()") == ["2023", "Undated"]
    assert doc.xpath("//ul[@class='archive-months']//a/text()") == ["November 2023", "October 2023",
                                                                     "September 2023"]
    assert doc.xpath("//ul[@class='archive-months']//a/@href") == ["2023/11/", "2023/10/", "2023/09/"]
    assert doc.xpath("//section[h2='Undated']//a/@href") == ["undated/"]
    november = page(site, "archive/2023/11/index.html")
    assert november.xpath("//ul[@class='archive-list']//a/text()") == [
        "Russian delegation completes visit to Pyongyang", "Ministers meet"]
    # Months link to their neighbours (newer first), and back to the index.
    assert november.xpath("//a[@rel='next']/@href") == ["../10/"]
    assert page(site, "archive/2023/10/index.html").xpath("//a[@rel='prev']/@href") == ["../11/"]
    assert november.xpath("//h1//a/@href") == ["../../"]
    undated = page(site, "archive/undated/index.html")
    assert undated.xpath("//ul[@class='archive-list']//a/text()") == ["An article without a date"]


def test_drafts_only_with_drafts_flag(site: Path) -> None:
    build(site)
    assert not (site / "_site/articles/draft-about-the-summit").exists()
    report = build(site, drafts=True)
    assert "articles/draft-about-the-summit/index.html" in report.written and report.articles == 6
    report = build(site)
    assert "articles/draft-about-the-summit/index.html" in report.removed


def test_404_links_are_root_absolute_under_the_base_path(site: Path) -> None:
    build(site)
    doc = page(site, "404.html")
    hrefs = doc.xpath("//a/@href") + doc.xpath("//link[@rel='stylesheet']/@href")
    assert hrefs and all(h.startswith("/digest/") for h in hrefs)
    build(site, base_url="https://example.org/")
    assert page(site, "404.html").xpath("//link[@rel='stylesheet']/@href") == ["/static/style.css"]


def test_same_build_works_at_root_and_sub_path(site: Path) -> None:
    build(site, base_url="https://example.org/")
    at_root = tree(site / "_site")
    build(site, base_url="https://example.org/a/b/")
    below = tree(site / "_site")
    assert at_root[DELEGATION].replace(b"https://example.org/", b"https://example.org/a/b/") == below[DELEGATION]
    assert b'href="/' not in below["index.html"]


def test_site_files(site: Path) -> None:
    build(site)
    out = site / "_site"
    assert (out / ".nojekyll").read_bytes() == b""
    assert (out / "CNAME").read_text() == "digest.example.org\n"
    assert (out / "robots.txt").read_text().endswith(f"Sitemap: {BASE}sitemap.xml\n")
    locs = etree.parse(str(out / "sitemap.xml")).xpath("//*[local-name()='loc']/text()")
    assert BASE in locs and f"{BASE}articles/ministers-meet/" in locs and f"{BASE}404.html" not in locs
    outlines = etree.parse(str(out / "opml.xml")).xpath("//outline/@xmlUrl")
    outlets = ("example-news", "reuters", "the-kyiv-independent", "unknown-blog", "yonhap")
    assert outlines == [f"{BASE}feed.xml", *(f"{BASE}topics/{t}/feed.xml" for t in
                                             ("diplomacy", "north-korea", "russia", "sanctions-watch")),
                        *(f"{BASE}outlets/{o}/feed.xml" for o in outlets)]  # (authors' feeds: on their pages)
    sub = page(site, "subscribe/index.html")
    assert "../opml.xml" in sub.xpath("//a/@href") and len(sub.xpath("//table//a[@type]")) == 20


# --- Feeds ----------------------------------------------------------------------------------------

def test_feeds_parse_with_stable_ids_absolute_links_and_newest_date(site: Path) -> None:
    build(site)
    for name in ("feed.xml", "atom.xml", "topics/russia/feed.xml", "topics/russia/atom.xml"):
        feed = feedparser.parse((site / "_site" / name).read_bytes())
        assert feed.bozo == 0, name
        assert all(e.id.startswith("urn:digest:a1") for e in feed.entries)
        assert all(e.link.startswith(BASE + "articles/") for e in feed.entries)
    rss = feedparser.parse((site / "_site/feed.xml").read_bytes())
    # feed_limit is 3; the undated article (no date, no capture time) is never given an invented date.
    assert [e.id for e in rss.entries] == ["urn:digest:a1000000000000001", "urn:digest:a1000000000000002",
                                           "urn:digest:a1000000000000003"]
    assert rss.feed.updated == "Fri, 17 Nov 2023 01:27:00 +0000"
    assert [a["name"] for a in rss.entries[0].authors] == ["Lance Luo", "Kim Ji-won"]
    assert 'href="https://example.org/digest/articles/ministers-meet/"' in rss.entries[0].content[0].value
    atom = feedparser.parse((site / "_site/atom.xml").read_bytes())
    assert atom.entries[0].summary.startswith("A Russian delegation")
    assert atom.feed.updated == "2023-11-17T01:27:00+00:00"
    topic = feedparser.parse((site / "_site/topics/sanctions-watch/atom.xml").read_bytes())
    # Updated (3 Sep) counts as the feed's last change; date without offset took site.yaml's Berlin zone.
    assert [e.updated for e in topic.entries] == ["2023-10-02T09:30:00+02:00", "2023-09-03T08:00:00+02:00"]


# --- Changes between builds -----------------------------------------------------------------------

def test_renamed_redated_retopiced_and_deleted_articles_leave_nothing_stale(site: Path) -> None:
    build(site)
    ministers = article_md(site, "2023-11-15-ministers.md")
    text = ministers.read_text().replace("slug: ministers-meet", "slug: ministers-talk")
    text = text.replace("date: '2023-11-15'", "date: '2023-12-01'").replace("[Russia, diplomacy]", "[Trade]")
    ministers.write_text(text)
    article_md(site, "an-article-without-a-date.md").unlink()
    report = build(site)
    assert {"articles/ministers-meet/index.html", "articles/an-article-without-a-date/index.html",
            "page/3/index.html"} <= set(report.removed)
    out = site / "_site"
    assert not (out / "articles/ministers-meet").exists()
    home = page(site, "index.html").xpath("//h2/a/@href")
    assert home[0] == "articles/ministers-talk/"
    assert "../../articles/ministers-talk/" not in page(site, "topics/russia/index.html").xpath("//a/@href")
    assert (out / "topics/trade/index.html").exists()
    assert b"ministers-talk" in (out / "topics/trade/feed.xml").read_bytes()
    # Only the hand-written link in another article's body may still name the old URL.
    stale = [p for p in out.rglob("*") if p.is_file() and b"ministers-meet" in p.read_bytes()]
    assert stale and all(b"our earlier piece" in p.read_bytes() for p in stale)
    assert b"An article without a date" not in b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert page(site, "archive/index.html").xpath("//ul[@class='archive-months']//a/text()")[0] == "December 2023"
    assert not (out / "archive/undated").exists()  # its only article went away: the page goes too


def test_prune_keeps_git_folder_and_removes_foreign_files_only_inside_output(site: Path, tmp_path: Path) -> None:
    out = site / "_site"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "old" / "deep").mkdir(parents=True)
    (out / "old" / "deep" / "stale.html").write_text("stale")
    neighbour = tmp_path / "neighbour.txt"
    neighbour.write_text("keep me")
    report = build(site)
    assert "old/deep/stale.html" in report.removed and not (out / "old").exists()
    assert (out / ".git" / "HEAD").exists() and neighbour.read_text() == "keep me"


def test_output_folder_overlapping_sources_is_refused(site: Path) -> None:
    cfg = load_config(site, base_url=BASE)
    for out in (site, site / "content", site / "content" / "x", site.parent):
        with pytest.raises(DigestError, match="overlaps"):
            build_site(cfg, out=out)
    assert (site / "content").is_dir() and (site / "site.yaml").is_file()


# --- Errors ---------------------------------------------------------------------------------------

def test_slug_collision_fails_naming_both_files_and_keeps_old_site(site: Path) -> None:
    build(site)
    before = tree(site / "_site")
    # The URL comes from the file name; this one differs from an existing article's only in case and accent.
    clash = site / "content/articles/2023/2023-01-01-Ministers-Méet.md"
    clash.write_text("---\nid: b1\ntitle: Another title\ndate: '2023-01-01'\n---\n\nBody.\n")
    with pytest.raises(DigestError) as info:
        build(site)
    message = str(info.value)
    assert "Ministers-Méet.md" in message and "2023-11-15-ministers.md" in message
    assert tree(site / "_site") == before


def test_topics_differing_only_in_case_or_accents_collide(site: Path) -> None:
    (site / "content/articles/2023/a.md").write_text("---\nid: c1\ntitle: A\ntopics: [Café Talks]\n---\n\nA.\n")
    (site / "content/articles/2023/b.md").write_text("---\nid: c2\ntitle: B\ntopics: [Cafe talks]\n---\n\nB.\n")
    with pytest.raises(DigestError, match=r"topics/cafe-talks/") as info:
        build(site)
    assert "a.md" in str(info.value) and "b.md" in str(info.value)


def test_topic_named_in_other_case_joins_the_declared_topic(site: Path) -> None:
    build(site)
    doc = page(site, "topics/diplomacy/index.html")
    assert doc.xpath("//h2/a/text()") == ["Russian delegation completes visit to Pyongyang", "Ministers meet"]


def test_bad_front_matter_and_template_errors_name_file_and_line_and_keep_old_site(site: Path) -> None:
    build(site)
    before = tree(site / "_site")
    bad = site / "content/articles/2023/bad.md"
    bad.write_text("---\nid: x\ntitle: Bad\ndate: yesterday\n---\nBody\n")
    with pytest.raises(DigestError) as info:
        build(site)
    assert str(info.value).startswith(f"{bad}:4: date:")
    bad.unlink()
    (site / "templates").mkdir()
    broken = "{% extends 'base.html' %}\n{% block content %}{{ oops(}{% endblock %}"
    (site / "templates" / "home.html").write_text(broken)
    with pytest.raises(DigestError) as info:
        build(site)
    assert str(info.value).startswith(f"{site / 'templates' / 'home.html'}:2: template error")
    assert tree(site / "_site") == before


def test_cli_reports_one_line_error_and_exit_1(site: Path) -> None:
    (site / "content/articles/2023/bad.md").write_text("no front matter\n")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(site), "build", "--no-ingest"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"digest: error: {site / 'content/articles/2023/bad.md'}:1: front matter missing: "
        "the file must start with a '---' line"]
    assert not (site / "_site").exists()


def test_cli_base_url_and_out_override(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(site), "build", "--base-url",
                             "https://user.github.io/repo", "--out", str(out)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "built 5 articles" in result.stdout
    assert b"https://user.github.io/repo/feed.xml" in (out / "feed.xml").read_bytes()


# --- Themes ---------------------------------------------------------------------------------------

def test_site_templates_and_static_files_override_the_theme(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "theme/article.html" %}{% block after_article %}<p id="extra">related</p>{% endblock %}')
    (site / "static").mkdir()
    (site / "static" / "style.css").write_text("body { color: red; }\n")
    build(site)
    assert page(site, DELEGATION).xpath("//p[@id='extra']/text()") == ["related"]
    assert (site / "_site/static/style.css").read_text() == "body { color: red; }\n"


def test_unknown_theme_is_a_config_error(site: Path) -> None:
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "theme: nosuch\n")
    with pytest.raises(DigestError, match="theme: no theme 'nosuch'"):
        build(site)


def test_site_theme_folder_wins_and_falls_back_to_default(site: Path) -> None:
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "theme: plain\n")
    (site / "themes/plain/templates").mkdir(parents=True)
    (site / "themes/plain/templates/topics.html").write_text("{{ topics|length }} topics\n")
    build(site)
    assert (site / "_site/topics/index.html").read_text() == "4 topics\n"
    assert page(site, "index.html").xpath("//h1/text()") == ["Latest articles"]


# --- External checker -----------------------------------------------------------------------------

@pytest.mark.skipif(not CHECK_SITE.is_file(), reason="shared/tools/check_site.py not present")
def test_check_site_reports_no_failures(site: Path) -> None:
    build(site)
    result = subprocess.run([sys.executable, str(CHECK_SITE), str(site / "_site"), BASE, "--articles", "5",
                             "--topics-min", "4"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert "0 failures" in result.stdout


# --- Ingest, dates, error collection --------------------------------------------------------------

REPO_CAPTURES = Path(__file__).resolve().parents[1] / "captures"


@pytest.mark.skipif(not any(REPO_CAPTURES.glob("*.txt")), reason="no sample captures in the repo")
def test_build_ingests_new_captures_unless_told_not_to(site: Path) -> None:
    (site / "captures").mkdir()
    shutil.copy(sorted(REPO_CAPTURES.glob("*.txt"))[0], site / "captures")
    assert build(site, ingest_new=False).articles == 5
    report = build(site)
    assert report.articles == 6 and len(report.ingested) == 1 and Path(report.ingested[0]).is_file()
    assert len(list((site / "content").rglob("*.md"))) == 7  # 6 written by hand (one a draft) + 1 ingested
    assert build(site).written == []  # the capture has its article now: nothing new to ingest


@pytest.mark.skipif(not any(REPO_CAPTURES.glob("*.txt")), reason="no sample captures in the repo")
def test_a_build_with_nothing_new_to_ingest_does_not_read_every_article(site: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import ingest

    (site / "captures").mkdir()
    first = sorted(REPO_CAPTURES.glob("*.txt"))[0]
    shutil.copy(first, site / "captures")
    shutil.copy(first, site / "captures" / ("copy-of-" + first.name))  # the same article twice: one is skipped
    article = Path(build(site).ingested[0])
    # Nothing new: the build cache remembers that for these captures and articles, whatever the base URL
    # (a preview builds for its own address).
    build(site, base_url="http://127.0.0.1:8123/preview/")

    def read_every_article(*args: object, **kwargs: object) -> None:
        raise AssertionError("every article read to look for new captures")

    with monkeypatch.context() as patched:
        patched.setattr(ingest, "load_index", read_every_article)
        assert build(site).ingested == []
    article.unlink()  # deleted by its reader: its capture is still there, but it stays deleted
    assert build(site).ingested == [] and not article.exists()


def test_future_dates_are_published_and_naive_times_take_the_site_zone(site: Path) -> None:
    (site / "content/articles/2023/from-the-future.md").write_text(
        "---\nid: f1\ntitle: From the future\ndate: '2999-01-01T08:00:00'\n---\n\nLater.\n")
    build(site)
    doc = page(site, "articles/from-the-future/index.html")
    assert doc.xpath("//article//time/@datetime") == ["2999-01-01T08:00:00+01:00"]
    assert page(site, "index.html").xpath("//h2/a/text()")[0] == "From the future"


def test_undated_article_with_capture_time_is_ordered_by_it_and_enters_feeds(site: Path) -> None:
    (site / "content/articles/undated/captured.md").write_text(
        "---\nid: u2\ntitle: Captured later\ncaptured: '2023-12-30T10:00:00+00:00'\ntopics: [Russia]\n---\n\nText.\n")
    build(site)
    undated = page(site, "archive/undated/index.html").xpath("//ul[@class='archive-list']//a/text()")
    assert undated == ["Captured later", "An article without a date"]
    rss = feedparser.parse((site / "_site/topics/russia/feed.xml").read_bytes())
    # In the feed, but with no publication date it does not carry (Atom's required updated: its capture).
    assert rss.entries[0].id == "urn:digest:u2" and "published" not in rss.entries[0]
    atom = feedparser.parse((site / "_site/topics/russia/atom.xml").read_bytes())
    assert "published" not in atom.entries[0] and atom.entries[0].updated == "2023-12-30T10:00:00+00:00"
    assert "urn:digest:a1000000000000005" not in [e.id for e in rss.entries]


def test_every_bad_article_is_reported_one_line_each(site: Path) -> None:
    first = site / "content/articles/2023/bad1.md"
    second = site / "content/articles/2023/bad2.md"
    first.write_text("---\nid: x\ntitle: [unclosed\n---\nBody\n")
    second.write_text("---\nid: y\ntitle: Fine\ncolour: red\n---\nBody\n")
    with pytest.raises(DigestError) as info:
        build(site)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{first}:") and lines[1].startswith(f"{second}:4: colour: unknown front-matter key")


# --- Repeated in-process builds (the live-reload server's use) -------------------------------------

def test_reading_time_counts_the_words_a_reader_reads(site: Path) -> None:
    """440 words are two minutes at 220 a minute, the next word a third. A link's long URL is not read,
    nor are bullets, table rules and heading marks."""
    ministers = article_md(site, "2023-11-15-ministers.md")
    head, _body = ministers.read_text().split("\n---\n", 1)
    link = "[a report](https://example.org/a/very/long/address/with/many/parts/to/it/that/no/one/reads)"
    bullets = "\n".join(["- item"] * 20)  # 20 words
    table = "| one | two |\n|---|---|\n" + "\n".join(["| cell | cell |"] * 9)  # 20 words
    for words, minutes in ((440, 2), (441, 3)):
        prose = " ".join(["word"] * (words - 2 - 40 - 1))
        ministers.write_text(f"{head}\n---\n\n# Heading\n\n{prose} {link}\n\n{bullets}\n\n{table}\n")
        build(site)
        assert f"{minutes} min read" in page(site, "articles/ministers-meet/index.html").text_content()


def test_compiled_templates_of_another_jinja_or_digest_version_are_never_used(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja checks an entry against its template's source and the Python version only."""
    import jinja2

    from generator import render

    first = render.CompiledTemplates.at(tmp_path)
    assert first is not None
    (Path(first.directory) / "__jinja2_x.cache").write_bytes(b"compiled by this version")
    (tmp_path / "__jinja2_flat.cache").write_bytes(b"left by a version that kept them flat")
    changes = [(jinja2, "__version__", "0.0-other"),
               (render, "ENVIRONMENT_OPTIONS", {**render.ENVIRONMENT_OPTIONS, "trim_blocks": False})]
    for owner, name, value in changes:
        with monkeypatch.context() as patched:
            patched.setattr(owner, name, value)
            other = render.CompiledTemplates.at(tmp_path)
            assert other is not None and other.directory != first.directory
            assert sorted(p.name for p in tmp_path.iterdir()) == [Path(other.directory).name]


@pytest.mark.parametrize(("value", "shown", "short"), [
    ("2023-11-17", "17 November 2023", "17 Nov"),
    ("2023-11-17T01:27:00+00:00", "17 November 2023, 01:27 UTC", "17 Nov"),
    ("2024-02-05T09:07:55+01:00", "5 February 2024, 09:07 UTC+01:00", "5 Feb"),
    ("2020-01-01T23:59:00-05:30", "1 January 2020, 23:59 UTC-05:30", "1 Jan"),
    ("2022-03-09T10:00:00-00:30", "9 March 2022, 10:00 UTC-00:30", "9 Mar"),
    ("2021-07-04T00:00:00+05:45", "4 July 2021, 00:00 UTC+05:45", "4 Jul"),
])
def test_dates_show_with_the_offset_they_were_written_with(value: str, shown: str, short: str) -> None:
    from generator.render import human_date, month_day

    assert (human_date(value), month_day(value)) == (shown, short)


def test_compiled_templates_are_kept_in_the_cache_and_a_damaged_one_is_compiled_again(site: Path) -> None:
    build(site)
    compiled = site / ".digest-cache" / "build" / "templates"
    entries = sorted(compiled.rglob("*.cache"))
    assert entries, "a build keeps its compiled templates"
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:40])  # cut short inside Jinja's header
    expected = tree(site / "_site")
    shutil.rmtree(site / "_site")
    build(site)
    assert tree(site / "_site") == expected
    override = site / "templates" / "article.html"
    override.parent.mkdir(exist_ok=True)
    override.write_text('{% extends "theme/article.html" %}{% block content %}<p id="changed">x</p>{% endblock %}')
    build(site)
    assert page(site, DELEGATION).xpath("//p[@id='changed']/text()") == ["x"]


def test_body_edit_rewrites_only_the_article_and_the_feeds_listing_it(site: Path) -> None:
    build(site)
    ministers = article_md(site, "2023-11-15-ministers.md")
    ministers.write_text(ministers.read_text().replace("with ~~struck~~ text", "with new text"))
    report = build(site)
    # The search index (pagefind/) is rebuilt because an indexed page changed; the JSON Lines downloads
    # carry the text; the citations (no text in them) stay as they were; nothing else moves.
    assert sorted(p for p in report.written if not p.startswith("pagefind/")) == [
        "articles.jsonl", "articles/ministers-meet/index.html", "atom.xml", "authors/jane-roe/atom.xml",
        "authors/jane-roe/feed.xml", "feed.xml", "outlets/reuters/atom.xml", "outlets/reuters/feed.xml",
        "topics/diplomacy/articles.jsonl", "topics/diplomacy/atom.xml",
        "topics/diplomacy/feed.xml", "topics/russia/articles.jsonl", "topics/russia/atom.xml", "topics/russia/feed.xml"]
    assert any(p.startswith("pagefind/") for p in report.written)
    assert all(p.startswith("pagefind/") for p in report.removed)


def test_in_process_rebuild_sees_new_and_edited_template_overrides(site: Path) -> None:
    build(site)
    templates = site / "templates"
    templates.mkdir()
    (templates / "topics.html").write_text("first\n")
    assert build(site).written == ["topics/index.html"]
    assert (site / "_site/topics/index.html").read_text() == "first\n"
    (templates / "topics.html").write_text("second version\n")
    assert build(site).written == ["topics/index.html"]
    assert (site / "_site/topics/index.html").read_text() == "second version\n"
    (templates / "topics.html").unlink()
    assert build(site).written == ["topics/index.html"]
    assert b"<h1>Topics</h1>" in (site / "_site/topics/index.html").read_bytes()


def test_hidden_files_in_content_are_ignored(site: Path) -> None:
    (site / "content/articles/2023/.#2023-11-15-ministers.md").symlink_to("/nonexistent/lock")
    assert build(site).articles == 5


def test_hand_written_slug_must_be_one_url_segment(site: Path) -> None:
    ministers = article_md(site, "2023-11-15-ministers.md")
    ministers.write_text(ministers.read_text().replace("slug: ministers-meet", "slug: ../../escape"))
    with pytest.raises(DigestError, match=r"slug: '\.\./\.\./escape' is not a single URL segment") as info:
        build(site)
    assert info.value.path == ministers


def test_runtime_error_in_a_site_template_names_its_file_and_line(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "topics.html").write_text("line one\n{{ topics|length }}\n{{ topics[0].name + 1 }}\n")
    with pytest.raises(DigestError) as info:
        build(site)
    assert str(info.value).startswith(f"{site / 'templates' / 'topics.html'}:3: template error while rendering "
                                      "topics/:")
    (site / "templates" / "topics.html").write_text("{{ nosuch.attribute }}\n")
    with pytest.raises(DigestError, match=r"topics\.html:1: template error .*'nosuch' is undefined"):
        build(site)


def test_capture_that_cannot_be_cleaned_is_a_warning_not_a_failed_build(site: Path, capsys) -> None:
    (site / "captures").mkdir()
    (site / "captures" / "empty.txt").write_text("")
    report = build(site)
    assert report.articles == 5 and report.ingested == []
    assert "digest: warning: not ingested:" in capsys.readouterr().err


def test_a_digest_of_undated_articles_only_builds_an_archive_without_months(tmp_path):
    from tests.test_serve_support import write_article

    (tmp_path / "site.yaml").write_text("title: Undated\n", encoding="utf-8")
    for n in range(3):
        write_article(tmp_path, f"a{n}", f"Article {n}")
    build_site(load_config(tmp_path), ingest_new=False)
    site = tmp_path / "_site"
    assert len(list((site / "archive" / "undated").glob("index.html"))) == 1
    assert not [p for p in (site / "archive").iterdir() if p.name[:1].isdigit()]
