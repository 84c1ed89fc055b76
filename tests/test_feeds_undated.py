"""Feeds never claim a publication date an article does not have (issue 16): an undated article captured
today is not news of today. Built for real and read back as XML."""

import xml.etree.ElementTree as ET
from pathlib import Path

from generator.build import build_site
from generator.config import load_config

ATOM = "{http://www.w3.org/2005/Atom}"
ARTICLE = "---\nid: {id}\ntitle: {title}\n{extra}---\n\nThe text of {title}.\n"


def write(root: Path, name: str, title: str, extra: str) -> None:
    path = root / "content" / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(id=name[:8], title=title, extra=extra), encoding="utf-8")


def test_an_undated_article_gets_no_pubdate_and_no_published_only_atoms_required_updated(tmp_path):
    (tmp_path / "site.yaml").write_text("title: T\nresearch: false\nbase_url: https://example.org/\n",
                                        encoding="utf-8")
    write(tmp_path, "dated.md", "Dated", "date: '2019-05-01'\ncaptured: '2026-12-01T10:00:00+00:00'\n")
    write(tmp_path, "undated.md", "Undated", "captured: '2026-12-01T10:00:00+00:00'\n")
    build_site(load_config(tmp_path))
    out = tmp_path / "_site"

    items = {item.findtext("title"): item for item in ET.parse(out / "feed.xml").getroot().iter("item")}
    assert items["Dated"].findtext("pubDate") == "Wed, 01 May 2019 00:00:00 +0000"
    assert items["Undated"].find("pubDate") is None  # optional in RSS 2.0: absent rather than invented

    entries = {e.findtext(f"{ATOM}title"): e for e in ET.parse(out / "atom.xml").getroot().iter(f"{ATOM}entry")}
    assert entries["Dated"].findtext(f"{ATOM}published") == "2019-05-01T00:00:00+00:00"
    assert entries["Undated"].find(f"{ATOM}published") is None
    # Required by Atom (RFC 4287 4.1.2): when the entry came into this digest, not a publication claim.
    assert entries["Undated"].findtext(f"{ATOM}updated") == "2026-12-01T10:00:00+00:00"
    for entry in entries.values():
        assert entry.find(f"{ATOM}id") is not None and entry.find(f"{ATOM}updated") is not None
