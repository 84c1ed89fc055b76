"""HTML captures: trafilatura finds the article and its metadata; our Markdown rules finish the body.

trafilatura is the best-scoring open extractor on the article-extraction benchmark; it runs in its
``fast`` mode (no second-opinion extractors: they cost time and, measured on the dev pages, add
nothing). Where it finds nothing, the page's text goes through the text cleaner instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.metadata import extract_metadata

from generator.clean import furniture
from generator.clean.caption import split_credit
from generator.clean.meta import clean_authors, strip_site_name

TAG = re.compile(r"<[^>]*>")


def stamp_patterns(names: str) -> tuple[re.Pattern[str], ...]:
    """A ``<meta>`` tag (either attribute order) or a JSON-LD key holding one of the ``names``."""
    key, value = rf"(?:property|name|itemprop)=[\"'](?:{names})[\"']", r"content=[\"']([^\"']+)[\"']"
    return (
        re.compile(rf"<meta[^>]+{key}[^>]*{value}", re.I),
        re.compile(rf"<meta[^>]+{value}[^>]*{key}", re.I),
        re.compile(rf"[\"'](?:{names})[\"']\s*:\s*[\"']([^\"']+)[\"']"),
    )


PUBLISHED = stamp_patterns("article:published(?:_time)?|datePublished|og:published_time|publish[-_]?date|pubdate")
MODIFIED = stamp_patterns("article:modified(?:_time)?|dateModified|og:updated_time")
BLOCK_TAGS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article",
              "header", "footer", "figcaption", "blockquote", "ul", "ol", "table", "dd", "dt", "pre")


@dataclass(frozen=True)
class HtmlArticle:
    markdown: str | None  # None: trafilatura found no article
    text: str             # the page's visible text, one block per line (for the fallback)
    title: str | None
    date: str | None      # ISO day, or day and time where the publisher's data gives one
    updated: str | None
    authors: tuple[str, ...]
    source: str | None
    url: str | None
    caption: tuple[str, str | None] | None = None  # (caption, credit) of the lead image


def extract(page: str) -> HtmlArticle:
    """The article and metadata as trafilatura sees them; on pages lxml or trafilatura cannot handle,
    no article but the page's text, so the text cleaner gets its turn."""
    try:
        return extract_with_trafilatura(page)
    except (ValueError, TypeError, LookupError, RecursionError, etree.LxmlError):
        return HtmlArticle(None, visible_text(page), None, None, None, (), None, None)


def extract_with_trafilatura(page: str) -> HtmlArticle:
    tree = trafilatura.utils.load_html(page)
    if tree is None:
        return HtmlArticle(None, visible_text(page), None, None, None, (), None, None)
    meta = extract_metadata(tree, extensive=False)
    body = trafilatura.extract(tree, output_format="markdown", include_comments=False, include_tables=True,
                               include_images=False, include_links=False, fast=True)
    text = "" if body else visible_text(page)
    if meta is None:
        return HtmlArticle(body, text, None, None, None, (), None, None)
    caption = lead_caption(tree)
    authors = clean_authors(re.split(r";|\band\b", meta.author or ""))
    published = stamped(page, PUBLISHED, meta.date)
    modified = stamped(page, MODIFIED, None)
    updated = modified if modified and published and later(modified, published) else None
    return HtmlArticle(body, text, headline(tree, meta.title, meta.sitename), published, updated, authors,
                       meta.sitename, meta.url, caption)


def lead_caption(tree: lxml_html.HtmlElement) -> tuple[str, str | None] | None:
    """(caption, credit) of the first figure caption inside the page's ``<article>``: the lead image's.
    Outside an article element a caption may belong to any promo, so none is taken."""
    for article in tree.iter("article"):
        for figcaption in article.iter("figcaption"):
            text = " ".join(figcaption.text_content().split())
            if len(text.split()) >= 4 and not furniture.APPEAL.search(text):  # captions do not sell
                return split_credit(text)
        return None
    return None


def later(modified: str, published: str) -> bool:
    """An update worth showing: a later day, or a later time when both carry one."""
    if modified[:10] != published[:10]:
        return modified[:10] > published[:10]
    return len(published) > 10 and len(modified) > 10 and modified[:16] > published[:16]


def stamped(page: str, patterns: tuple[re.Pattern[str], ...], day: str | None) -> str | None:
    """The publisher's own timestamp (meta tag or JSON-LD) when it agrees with ``day`` (trafilatura's
    choice; any day when ``day`` is None): it carries the time and the offset the day alone lacks."""
    head = page[:300_000]
    for pattern in patterns:
        for match in pattern.finditer(head):
            value = match.group(1).strip()
            try:
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if day is None or moment.date().isoformat() == day[:10]:
                return moment.isoformat() if "T" in value or " " in value.strip() else moment.date().isoformat()
    return day


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
