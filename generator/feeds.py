"""RSS 2.0 and Atom feeds for the site, each topic, outlet and author, with feedgen, driven by two tables.

``FEED_KINDS`` (RSS, Atom) x ``feed_sources(site)`` (the site, each topic, outlet and author) gives every
feed; there is no per-variant code. feedgen defaults that would break determinism or readers are always overridden:
the feed's updated/lastBuildDate is the newest article's (never now()), entries are appended in order
(feedgen prepends by default), and the guid is the article's stored id (never the permalink).

An article without a printed date gets no RSS ``pubDate`` (optional in RSS 2.0) and no Atom ``published``:
a feed never claims a publication date the article does not have. Its Atom ``updated`` (required) is the
capture time, when the entry came into this digest; feed readers show such items as new when they see them.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from generator.fingerprint import fingerprint
from generator.model import ArticleView, Site
from generator.output import Job
from generator.reuse import NOTHING, Reuse
from generator.urls import Urls

if TYPE_CHECKING:  # (imported when a feed is rendered: most edit rebuilds render none, and feedgen with
    # lxml and dateutil costs 40 ms of a fresh process)
    from feedgen.feed import FeedGenerator

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # "updated" of a feed with no entries, still stable


@dataclass(frozen=True)
class FeedKind:
    name: str  # "RSS" / "Atom", shown to people
    filename: str
    mime: str
    serialise: Callable[[FeedGenerator], bytes]


FEED_KINDS: tuple[FeedKind, ...] = (
    FeedKind("RSS", "feed.xml", "application/rss+xml", lambda fg: bytes(fg.rss_str(pretty=True))),
    FeedKind("Atom", "atom.xml", "application/atom+xml", lambda fg: bytes(fg.atom_str(pretty=True))),
)


@dataclass(frozen=True)
class FeedSource:
    """What one pair of feeds lists: the whole site or one topic."""

    title: str
    label: str  # short name for lists: "Everything" or the topic's name
    description: str
    folder: str  # "" or "topics/<slug>/": the feeds live at <folder>feed.xml and <folder>atom.xml
    page: str  # the HTML page these feeds follow
    articles: tuple[ArticleView, ...]
    listed: bool = True  # on the subscribe page and in opml.xml (an author's feeds are on their page only)

    @property
    def listing(self) -> FeedListing:
        return FeedListing(self.title, self.label, self.description, self.folder, self.page)


@dataclass(frozen=True)
class FeedListing:
    """A pair of feeds as the subscribe page lists them (no articles: the page need not change when one
    of them does)."""

    title: str
    label: str
    description: str
    folder: str
    page: str


@dataclass(frozen=True)
class FeedLink:
    """A feed as pages link to it (autodiscovery, subscribe page, OPML)."""

    title: str
    kind: str
    path: str
    mime: str


def feed_sources(site: Site) -> tuple[FeedSource, ...]:
    cfg = site.cfg
    own = FeedSource(cfg.title, "Everything", cfg.description or cfg.title, "", "", site.articles)
    return (own, *(FeedSource(f"{cfg.title}: {topic.name}", topic.name,
                              topic.description or f"Articles on {topic.name}",
                              topic.path, topic.path, topic.articles) for topic in site.topics),
            *(FeedSource(f"{cfg.title}: {outlet.name}", outlet.name, f"Articles from {outlet.name}", outlet.path,
                         outlet.path, outlet.articles) for outlet in site.outlets),
            *(FeedSource(f"{cfg.title}: {author.name}", author.name, f"Articles by {author.name}", author.path,
                         author.path, author.articles, listed=False) for author in site.authors))


def feed_links(source: FeedSource) -> tuple[FeedLink, ...]:
    return tuple(FeedLink(f"{source.title} ({kind.name})", kind.name, source.folder + kind.filename, kind.mime)
                 for kind in FEED_KINDS)


def feed_jobs(site: Site, memo: dict[int, tuple[object, str]], reuse: Reuse = NOTHING) -> list[Job]:
    """Every feed file by site path, each rendered only when its entries or settings changed. (``reuse``:
    the entries and fingerprints of last build, while made from the same article views.)"""
    urls = Urls(site.cfg.base_url)
    limit = site.cfg.feed_limit
    jobs = []
    for source in feed_sources(site):
        items = reuse("feed entries", source.articles, partial(entries, source, limit), values=(limit,))
        shown = (source.title, source.label, source.description, source.folder, source.page)
        for kind in FEED_KINDS:
            inputs = reuse("feed fingerprint", (items,),
                           partial(fingerprint, "feed", kind.name, site.cfg, *shown, items, memo=memo),
                           values=(kind.name, *shown))
            jobs.append(Job(source.folder + kind.filename, inputs,
                            partial(_serialise, site, source, items, kind, urls)))
    return jobs


def _serialise(site: Site, source: FeedSource, items: list[ArticleView], kind: FeedKind, urls: Urls) -> bytes:
    return kind.serialise(_generator(site, source, items, kind, urls))


def entries(source: FeedSource, limit: int) -> list[ArticleView]:
    """Newest first by feed date; an article with no date at all stays out (digest never invents one)."""
    dated = [view for view in source.articles if view.feed_moment is not None]
    return heapq.nsmallest(limit, dated, key=_newest_first)


def _newest_first(view: ArticleView) -> tuple[float, str]:
    assert view.feed_moment is not None
    return (-view.feed_moment.timestamp(), view.article.id)


def _generator(site: Site, source: FeedSource, items: list[ArticleView], kind: FeedKind,
               urls: Urls) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    cfg = site.cfg
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an e-mail; dc:creator takes a name
    fg.id(urls.absolute(source.folder + kind.filename))
    fg.title(source.title)
    fg.description(source.description)
    fg.subtitle(source.description)
    fg.author({"name": cfg.author or cfg.title})
    fg.link(href=urls.absolute(source.folder + kind.filename), rel="self", type=kind.mime)
    fg.link(href=urls.absolute(source.page), rel="alternate", type="text/html")
    fg.language(cfg.language)
    newest = max((_last_change(v) for v in items), default=EPOCH)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for view in items:
        _add_entry(fg, view, urls)
    return fg


def _last_change(view: ArticleView) -> dt.datetime:
    assert view.feed_moment is not None
    return max(view.feed_moment, view.updated or view.feed_moment)


def _add_entry(fg: FeedGenerator, view: ArticleView, urls: Urls) -> None:
    page = urls.absolute(view.path)
    entry = fg.add_entry(order="append")
    entry.id(f"urn:digest:{view.article.id}")  # also the RSS guid, isPermaLink=false
    entry.title(view.title)
    entry.link(href=page, rel="alternate", type="text/html")
    if view.moment is not None:
        entry.published(view.moment)  # RSS pubDate and Atom published: only a date the article carries
    # Atom requires <updated>: when the entry last changed in this feed. For an undated article that is
    # when it was captured (added to the digest), which claims nothing about when it was published.
    entry.updated(_last_change(view))
    for name in view.article.authors:
        entry.author({"name": name})
        entry.dc.dc_creator(name)
    for ref in view.topics:
        entry.category(term=ref.name, label=ref.name, scheme=urls.absolute(ref.path))
    entry.summary(view.summary or view.title)
    entry.content(_content_html(view, page), type="html")


def _content_html(view: ArticleView, page: str) -> str:
    """Full text with every link absolute (feed readers have no page to resolve against)."""
    article = view.article
    parts: list[str] = []
    if article.source:
        parts.append(_source_line(article.source, view.original_url))  # (never a javascript: link)
    parts.append(view.feed_html(page))
    return "\n".join(parts)


def _source_line(source: str, url: str | None) -> str:
    label = escape(source)
    return f'<p>Source: <a href="{escape(url)}">{label}</a></p>' if url else f"<p>Source: {label}</p>"
