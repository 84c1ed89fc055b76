"""HTML captures: trafilatura finds the article and its metadata; our Markdown rules finish the body.

trafilatura is the best-scoring open extractor on the article-extraction benchmark; it runs in its
``fast`` mode (no second-opinion extractors: they cost time and, measured on the dev pages, add
nothing). Where it finds nothing, the page's text goes through the text cleaner instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.metadata import extract_metadata

from generator.clean.meta import clean_authors, strip_site_name

TAG = re.compile(r"<[^>]*>")
BLOCK_TAGS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article",
              "header", "footer", "figcaption", "blockquote", "ul", "ol", "table", "dd", "dt", "pre")


@dataclass(frozen=True)
class HtmlArticle:
    markdown: str | None  # None: trafilatura found no article
    text: str             # the page's visible text, one block per line (for the fallback)
    title: str | None
    date: str | None
    authors: tuple[str, ...]
    source: str | None
    url: str | None


def extract(page: str) -> HtmlArticle:
    """The article and metadata as trafilatura sees them; on pages lxml or trafilatura cannot handle,
    no article but the page's text, so the text cleaner gets its turn."""
    try:
        return extract_with_trafilatura(page)
    except (ValueError, TypeError, LookupError, RecursionError, etree.LxmlError):
        return HtmlArticle(None, visible_text(page), None, None, (), None, None)


def extract_with_trafilatura(page: str) -> HtmlArticle:
    tree = trafilatura.utils.load_html(page)
    if tree is None:
        return HtmlArticle(None, visible_text(page), None, None, (), None, None)
    meta = extract_metadata(tree, extensive=False)
    body = trafilatura.extract(tree, output_format="markdown", include_comments=False, include_tables=True,
                               include_images=False, include_links=False, fast=True)
    text = "" if body else visible_text(page)
    if meta is None:
        return HtmlArticle(body, text, None, None, (), None, None)
    authors = clean_authors(re.split(r";|\band\b", meta.author or ""))
    return HtmlArticle(body, text, headline(tree, meta.title, meta.sitename), meta.date, authors,
                       meta.sitename, meta.url)


def headline(tree: lxml_html.HtmlElement, title: str | None, site: str | None) -> str | None:
    """The page's ``<h1>`` when the metadata title contains it (titles carry site names), else the
    metadata title with the site name cut off."""
    if not title:
        return None
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        if len(text.split()) >= 3 and fold(text) in fold(title):
            return text
    return strip_site_name(title, site)


def fold(text: str) -> str:
    return re.sub(r"\W+", "", text.replace("’", "'").lower())


def visible_text(page: str) -> str:
    """The text a reader sees, one block element per line, scripts and styles left out."""
    try:
        root = lxml_html.fromstring(page)
    except (ValueError, etree.LxmlError):
        return TAG.sub("\n", page)  # unparseable: tags out by pattern, which is enough for the text cleaner
    for bad in root.xpath("//script|//style|//noscript|//template|//svg"):
        bad.drop_tree()
    for element in root.iter(*BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        element.text = "\n" + (element.text or "")
    return str(root.text_content())
