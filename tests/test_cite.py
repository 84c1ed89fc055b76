"""Citations of the original articles: the metadata on article pages (Highwire tags, JSON-LD, OpenGraph),
the Cite block, the site's downloads and `digest export`, each read back by a well-kept parser of its format
(bibtexparser and pybtex, rispy, citeproc-py, pyld)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import rispy
from bibtexparser.entrypoint import parse_string as bibtexparser_parse
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import html
from pybtex.database import parse_string as pybtex_parse
from pyld import jsonld

from generator.build import build_site
from generator.cli import main
from generator.config import load_config

FIXTURE = Path(__file__).parent / "fixtures" / "site"
BASE = "https://example.org/digest/"
TRICKY_TITLE = 'Fish & chips: 50% of {quotas} cut_short, $5 #1 </script><b>"won’t"</b> — Pérez\\ 북한'
# LaTeX has no straight double quote: BibTeX carries it as '' (a closing quote), which reads back as ”.
TRICKY_IN_LATEX = TRICKY_TITLE.replace('"', "”")
TRICKY = f"""---
id: b2000000000000001
title: '{TRICKY_TITLE.replace("'", "''")}'
date: '2024-03-05T08:00:00+01:00'
authors: [Ana Pérez, Smith and Sons Research]
source: Le Monde & Co
url: https://example.com/a_b%20c?x=1&y={{z}}#frag
captured: '2024-03-06T10:00:00+00:00'
topics: [Fisheries]
story: fish-summit
---

Fisheries ministers met about cod quotas.
"""
SECOND = """---
id: b2000000000000002
title: Cod quotas cut after talks
date: '2024-03-05'
authors: [Jo Bloggs]
source: Harbor Post
url: https://harbor.example/cod
topics: [Fisheries]
story: fish-summit
notes: |
  Compare the quota figure with the ministry's {own} release.
  Second line & more.
---

Cod quotas were cut after the fisheries talks.
"""


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    (root / "content" / "articles" / "2024").mkdir()
    (root / "content" / "articles" / "2024" / "2024-03-05-tricky.md").write_text(TRICKY, encoding="utf-8")
    (root / "content" / "articles" / "2024" / "2024-03-05-cod.md").write_text(SECOND, encoding="utf-8")
    build_site(load_config(root, base_url=BASE), out=root / "_site", use_cache=False, ingest_new=False)
    return root


def page(root: Path, slug: str) -> html.HtmlElement:
    return html.fromstring((root / "_site" / "articles" / slug / "index.html").read_bytes())


def meta(doc: html.HtmlElement, name: str) -> list[str]:
    return [str(v) for v in doc.xpath(f"//head/meta[@name='{name}' or @property='{name}']/@content")]


# --- Metadata in the page -------------------------------------------------------------------------

def test_article_page_carries_highwire_tags_of_the_original_article(digest: Path) -> None:
    doc = page(digest, "russian-delegation-completes-visit-to-pyongyang")
    assert meta(doc, "citation_title") == ["Russian delegation completes visit to Pyongyang"]
    assert meta(doc, "citation_author") == ["Lance Luo", "Kim Ji-won"]  # one tag per author, in order
    assert meta(doc, "citation_publication_date") == ["2023/11/17"]
    assert meta(doc, "citation_journal_title") == ["The Kyiv Independent"]
    assert meta(doc, "citation_publisher") == ["The Kyiv Independent"]
    assert meta(doc, "citation_public_url") == ["https://kyivindependent.com/russian-delegation/"]
    assert meta(doc, "og:type") == ["article"]
    assert meta(doc, "og:url") == [BASE + "articles/russian-delegation-completes-visit-to-pyongyang/"]
    assert meta(doc, "article:tag") == ["North Korea", "Russia", "Diplomacy"]


def test_no_url_and_no_date_give_no_tags_and_a_javascript_url_is_never_cited(digest: Path) -> None:
    undated = page(digest, "an-article-without-a-date")
    assert meta(undated, "citation_publication_date") == [] and meta(undated, "citation_public_url") == []
    scripted = page(digest, "a-capture-with-a-script-tag")
    assert meta(scripted, "citation_public_url") == []
    assert "javascript:" not in json.dumps(json_ld(scripted))


def json_ld(doc: html.HtmlElement) -> dict[str, object]:
    scripts = doc.xpath("//script[@type='application/ld+json']/text()")
    assert len(scripts) == 1
    data: dict[str, object] = json.loads(scripts[0])
    return data


def schema_org_loader(url: str, options: object = None) -> dict[str, object]:
    """The schema.org context, offline: every term in the schema.org vocabulary (what its context says)."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {"contextUrl": None, "documentUrl": url,
            "document": {"@context": {"@vocab": "https://schema.org/", "url": {"@type": "@id"},
                                      "isBasedOn": {"@type": "@id"}, "mainEntityOfPage": {"@type": "@id"}}}}


def test_json_ld_is_a_news_article_based_on_the_original(digest: Path) -> None:
    data = json_ld(page(digest, "russian-delegation-completes-visit-to-pyongyang"))
    expanded = jsonld.expand(data, {"documentLoader": schema_org_loader})
    assert len(expanded) == 1
    node = expanded[0]
    assert node["@type"] == ["https://schema.org/NewsArticle"]
    assert node["https://schema.org/isBasedOn"] == [{"@id": "https://kyivindependent.com/russian-delegation/"}]
    authors = [a["https://schema.org/name"][0]["@value"] for a in node["https://schema.org/author"]]
    assert authors == ["Lance Luo", "Kim Ji-won"]
    assert node["https://schema.org/datePublished"] == [{"@value": "2023-11-17T01:27:00+00:00"}]


def test_a_title_holding_a_script_end_tag_stays_inside_the_json_ld(digest: Path) -> None:
    raw = (digest / "_site" / "articles" / "tricky" / "index.html").read_text(encoding="utf-8")
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert json.loads(block)["headline"] == TRICKY_TITLE
    assert meta(page(digest, "tricky"), "citation_title") == [TRICKY_TITLE]


# --- The Cite block -------------------------------------------------------------------------------

def test_cite_block_offers_each_format_to_copy_and_download(digest: Path) -> None:
    doc = page(digest, "tricky")
    blocks = doc.xpath("//section[@class='cite']/details")
    assert [b.xpath("string(summary)") for b in blocks] == ["BibTeX", "RIS", "CSL-JSON"]
    for block in blocks:
        shown = block.xpath("string(pre)")
        link = block.xpath(".//a[@download]")[0]
        assert link.get("download").startswith("perez2024fish.")
        head, data = link.get("href").split(",", 1)
        assert head.startswith("data:") and unquote(data) == shown
    bib = blocks[0].xpath("string(pre)")
    entry = parse_bibtex(bib)[0]
    assert entry["title"] == TRICKY_IN_LATEX
    assert rispy.loads(blocks[1].xpath("string(pre)"))[0]["title"] == TRICKY_TITLE
    assert json.loads(blocks[2].xpath("string(pre)"))[0]["title"] == TRICKY_TITLE


# --- Downloads and export -------------------------------------------------------------------------

def parse_bibtex(text: str) -> list[dict[str, str]]:
    """bibtexparser (decoding LaTeX back to text), checked against pybtex's reading of the same file."""
    library = bibtexparser_parse(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    entries = [{"key": e.key, "type": e.entry_type, **{k: f.value for k, f in e.fields_dict.items()}}
               for e in library.entries]
    other = pybtex_parse(text, "bibtex")
    assert list(other.entries) == [e["key"] for e in entries]
    return entries


def test_bibtex_escapes_specials_and_keeps_one_author_per_name(digest: Path) -> None:
    text = (digest / "_site" / "topics" / "fisheries" / "articles.bib").read_text(encoding="utf-8")
    entries = {e["key"]: e for e in parse_bibtex(text)}
    tricky = entries["perez2024fish"]
    assert tricky["title"] == TRICKY_IN_LATEX
    assert tricky["journal"] == "Le Monde & Co"
    assert tricky["year"] == "2024" and tricky["date"] == "2024-03-05"
    assert tricky["urldate"] == "2024-03-06"
    persons = pybtex_parse(text, "bibtex").entries["perez2024fish"].persons["author"]
    assert len(persons) == 2  # "Smith and Sons Research" is one (braced) name, not two authors
    url = pybtex_parse(text, "bibtex").entries["perez2024fish"].fields["url"]
    assert "{" not in url and "\\" not in url and unquote(url) == "https://example.com/a_b c?x=1&y={z}#frag"


def test_every_download_parses_with_its_formats_reader(digest: Path) -> None:
    site = digest / "_site"
    folders = ["", "topics/fisheries/", "topics/russia/"]
    stories = [p.parent.relative_to(site).as_posix() + "/" for p in site.glob("stories/*/articles.bib")]
    assert len(stories) == 1  # the two pinned reports
    for folder in folders + stories:
        bib = parse_bibtex((site / folder / "articles.bib").read_text(encoding="utf-8"))
        ris = rispy.loads((site / folder / "articles.ris").read_text(encoding="utf-8"))
        csl = json.loads((site / folder / "articles.json").read_text(encoding="utf-8"))
        lines = (site / folder / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(bib) == len(ris) == len(csl) == len(lines) > 0, folder
        assert [r["id"] for r in ris] == [c["id"] for c in csl] == [b["key"] for b in bib], folder
        assert all(r["type_of_reference"] == "NEWS" for r in ris)
        assert [json.loads(line)["title"] for line in lines] == [c["title"] for c in csl]
    assert len(parse_bibtex((site / "articles.bib").read_text(encoding="utf-8"))) == 7  # not the draft
    story_titles = [json.loads(line)["title"] for line in (site / stories[0] / "articles.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert sorted(story_titles) == sorted([TRICKY_TITLE, "Cod quotas cut after talks"])


def test_a_researchers_notes_travel_with_every_export(digest: Path) -> None:
    folder = digest / "_site" / "topics" / "fisheries"
    notes = "Compare the quota figure with the ministry's {own} release.\nSecond line & more."
    bib = {e["key"]: e for e in parse_bibtex((folder / "articles.bib").read_text(encoding="utf-8"))}
    assert bib["bloggs2024cod"]["annote"] == notes
    assert "annote" not in bib["perez2024fish"]
    ris = {r["id"]: r for r in rispy.loads((folder / "articles.ris").read_text(encoding="utf-8"))}
    assert ris["bloggs2024cod"]["notes"] == [notes.replace("\n", " ")]
    csl = {c["id"]: c for c in json.loads((folder / "articles.json").read_text(encoding="utf-8"))}
    assert csl["bloggs2024cod"]["note"] == notes
    lines = [json.loads(line) for line in (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {line["title"]: line["notes"] for line in lines}["Cod quotas cut after talks"] == notes


def test_csl_json_renders_a_bibliography_with_citeproc(digest: Path) -> None:
    items = json.loads((digest / "_site" / "articles.json").read_text(encoding="utf-8"))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    delegation = next(line for line in rendered if "Russian delegation" in line)
    assert "Lance Luo and Kim Ji-won (2023)" in delegation and "The Kyiv Independent" in delegation
    assert "https://kyivindependent.com/russian-delegation/" in delegation


def test_pages_link_the_downloads_relative_to_themselves(digest: Path) -> None:
    site = digest / "_site"
    for folder, prefix in (("archive/", "../"), ("topics/fisheries/", "")):
        doc = html.fromstring((site / folder / "index.html").read_bytes())
        links = doc.xpath("//p[@class='downloads']/a/@href")
        assert links == [f"{prefix}articles.{ext}" for ext in ("bib", "ris", "json", "jsonl")], folder
        for link in links:
            assert (site / folder / link).is_file()
    story = next(site.glob("stories/*/articles.bib")).parent
    assert html.fromstring((story / "index.html").read_bytes()).xpath("//p[@class='downloads']/a/@href")[0] == \
        "articles.bib"


def export(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(root), "export", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_filters_by_topic_story_and_date(digest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = export(digest, "--format", "bibtex", capsys=capsys)
    keys = [e["key"] for e in parse_bibtex(out)]
    assert code == 0 and len(keys) == 7 and keys[:2] == ["perez2024fish", "bloggs2024cod"]  # newest first
    code, out, _ = export(digest, "--format", "ris", "--topic", "russia", capsys=capsys)
    assert code == 0 and sorted(r["title"] for r in rispy.loads(out)) == \
        ["An article without a date", "Ministers meet", "Russian delegation completes visit to Pyongyang"]
    code, out, _ = export(digest, "--format", "csl-json", "--since", "2023-11-16", capsys=capsys)
    assert code == 0 and [i["title"] for i in json.loads(out)] == [
        TRICKY_TITLE, "Cod quotas cut after talks", "Russian delegation completes visit to Pyongyang"]
    code, out, _ = export(digest, "--format", "jsonl", "--story", "b2000000000000002", "--since", "2024-01-01",
                          capsys=capsys)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and {r["id"] for r in records} == {"b2000000000000001", "b2000000000000002"}
    assert records[0]["body"].startswith("Fisheries ministers met")


def test_export_writes_a_file_and_refuses_unknown_filters(digest: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "refs.bib"
    code, out, err = export(digest, "--format", "bibtex", "--topic", "Fisheries", "-o", str(target), capsys=capsys)
    assert code == 0 and out == "" and "wrote 2 articles" in err
    assert len(parse_bibtex(target.read_text(encoding="utf-8"))) == 2
    code, _, err = export(digest, "--format", "bibtex", "--topic", "Nope", capsys=capsys)
    assert code == 1 and "--topic 'Nope'" in err and "Fisheries" in err
    code, _, err = export(digest, "--format", "bibtex", "--since", "March", capsys=capsys)
    assert code == 1 and "YYYY-MM-DD" in err
    code, _, err = export(digest, "--format", "bibtex", "--story", "no-such-story", capsys=capsys)
    assert code == 1 and "--story" in err


def test_export_runs_as_a_command() -> None:
    result = subprocess.run([sys.executable, "-m", "generator.cli", "-C", str(FIXTURE), "export", "--format", "ris"],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(rispy.loads(result.stdout)) == 5
