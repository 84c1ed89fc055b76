"""The site model: every page of the site as typed, frozen data, built in one pass from all articles.

Load everything, then render: home, archive, topic pages and feeds are all views of the same
``Site``, so none of them can drift from the article pages (the top bug class of incremental SSGs).
Nothing here renders HTML pages or writes files; ``generator.render``/``feeds``/``sitefiles`` do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from generator import cite, dates, markdown
from generator.config import SiteConfig, config_line
from generator.content import Article, key_line
from generator.errors import DigestError
from generator.reuse import NOTHING, Reuse

if TYPE_CHECKING:
    from generator.research.analysis import Research
from generator.slugs import collision_key, file_slug, slugify
from generator.urls import group_path, story_path

WORDS_PER_MINUTE = 220
SUMMARY_WORDS = 45


@dataclass(frozen=True)
class Link:
    """A titled link to another page of the site (by site path)."""

    title: str
    path: str


@dataclass(frozen=True)
class TopicRef:
    name: str
    path: str


@dataclass(frozen=True)
class ArticleView:
    """One published article with everything its page, lists and feed entries show."""

    article: Article
    source: Path  # the content file, for error messages
    path: str  # site path, "articles/<slug>/"
    moment: dt.datetime | None  # publication moment (aware); None when undated
    feed_moment: dt.datetime | None  # date, else updated, else captured: None keeps it out of feeds
    updated: dt.datetime | None
    topics: tuple[TopicRef, ...]
    derived: Derived = field(repr=False, compare=False)
    newer: Link | None = None
    older: Link | None = None
    story: Link | None = None  # the story page, when other outlets reported the same event
    digest: str = ""  # changes whenever anything this view shows changes (see generator.fingerprint)
    outlet: Link | None = None  # its outlet's page (the source's name as the digest shows it)
    bylines: tuple[Link, ...] = ()  # each author's page

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def html(self) -> str:
        """Body as HTML; links as written (relative ones stay relative to the page)."""
        return self.derived.values().html

    @property
    def summary(self) -> str:
        """Plain text: the article's own summary, else the start of its first paragraph."""
        return self.article.summary or self.derived.values().summary

    @property
    def reading_minutes(self) -> int:
        return self.derived.values().minutes

    @property
    def notes_html(self) -> str:
        """The researcher's notes (front matter ``notes``) as HTML, shown apart from the article's text."""
        return markdown.render_markdown(self.article.notes) if self.article.notes else ""

    def feed_html(self, page_url: str) -> str:
        """Body HTML with every link absolute (feed readers have no page to resolve against)."""
        if not self.derived.values().relative_links:
            return self.html
        return markdown.render_markdown(self.article.body, page_url)

    @property
    def original_url(self) -> str | None:
        """The original article's URL, only when it is a web address (never a javascript: link)."""
        return cite.original_url(self.article)


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list (home or a topic)."""

    number: int
    total: int
    path: str
    items: tuple[ArticleView, ...]
    newer: str | None  # site path of the previous (newer) page
    older: str | None


@dataclass(frozen=True)
class TopicEntry:
    """A topic as its pages' heading and the topic index show it (no articles: a page listing other
    articles of the topic need not change when one of them does)."""

    name: str
    slug: str
    path: str
    description: str
    count: int


@dataclass(frozen=True)
class Topic:
    name: str
    slug: str
    path: str  # "topics/<slug>/"
    description: str
    articles: tuple[ArticleView, ...]  # newest first
    pages: tuple[Pager, ...]

    @property
    def entry(self) -> TopicEntry:
        return TopicEntry(self.name, self.slug, self.path, self.description, len(self.articles))


@dataclass(frozen=True)
class GroupEntry:
    """An outlet or author as its page's heading and the index show it: how many articles, and the
    printed dates of the earliest and latest (no articles: see ``TopicEntry``)."""

    name: str
    slug: str
    path: str
    count: int
    first: str | None
    last: str | None


@dataclass(frozen=True)
class Group:
    """The articles of one outlet (``source``) or one author, newest first, syndicated copies included
    (a copy is the outlet's own publication)."""

    name: str
    slug: str
    path: str  # "outlets/<slug>/" or "authors/<slug>/"
    articles: tuple[ArticleView, ...]
    pages: tuple[Pager, ...]

    @property
    def entry(self) -> GroupEntry:
        dated = [view.article.date for view in self.articles if view.moment is not None]
        return GroupEntry(self.name, self.slug, self.path, len(self.articles), dated[-1] if dated else None,
                          dated[0] if dated else None)


@dataclass(frozen=True)
class Month:
    """One month of the archive: its own page, so an edit re-renders one month, not the whole archive."""

    year: int
    month: int
    label: str  # "November 2023"
    anchor: str  # "2023-11"
    path: str  # "archive/2023/11/"
    articles: tuple[ArticleView, ...]  # newest first
    newer: Link | None = None  # the next month with articles
    older: Link | None = None


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]


@dataclass(frozen=True)
class MonthEntry:
    """A month as the archive index lists it (no articles: the index changes only with the counts)."""

    label: str
    anchor: str
    path: str
    count: int


@dataclass(frozen=True)
class YearEntry:
    year: int
    months: tuple[MonthEntry, ...]


@dataclass(frozen=True)
class Archive:
    years: tuple[Year, ...]
    undated: tuple[ArticleView, ...]

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(month for year in self.years for month in year.months)

    @property
    def index(self) -> tuple[YearEntry, ...]:
        return tuple(YearEntry(year.year, tuple(MonthEntry(m.label, m.anchor, m.path, len(m.articles))
                                                for m in year.months))
                     for year in self.years)


@dataclass(frozen=True)
class Site:
    cfg: SiteConfig
    articles: tuple[ArticleView, ...]  # newest first, undated last
    home: tuple[Pager, ...]
    topics: tuple[Topic, ...]  # by name
    archive: Archive
    research: Research | None = None  # stories, syndicated copies, related articles
    copies: tuple[ArticleView, ...] = ()  # syndicated copies: own page, but in no list or feed
    merged: tuple[Loaded, ...] = ()  # articles a person marked duplicate_of another: a pointer page only
    outlets: tuple[Group, ...] = ()  # by name
    authors: tuple[Group, ...] = ()  # by name


@dataclass(frozen=True)
class Loaded:
    """An article as read from ``content/``, with the file it came from (and that file's hash)."""

    source: Path
    article: Article
    sha: str = ""


class Store(Protocol):
    """Where derived values are remembered between builds (``generator.cache.DerivedStore``)."""

    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...


@dataclass(frozen=True)
class DerivedValues:
    packed_html: bytes  # zlib of the UTF-8: held for every article at once, so kept small (see pack)
    summary: str
    minutes: int
    relative_links: bool

    @property
    def html(self) -> str:
        return zlib.decompress(self.packed_html).decode("utf-8", "surrogatepass")


def pack(html: str) -> bytes:
    """A cold build holds every body's HTML until the cache is written: at 100,000 articles, over a GB as
    str (most bodies have a non-ASCII character, so 2 bytes a character). Compressed it is a fifth of that,
    and costs far less than the Markdown parse it stands for."""
    return zlib.compress(html.encode("utf-8", "surrogatepass"), 1)


def file_key(sha: str) -> str:
    """The store's key for the body of the content file with hash ``sha``. (Hashing 10,000 bodies again on
    every build cost more than the rest of reading their values; a file hash is known from loading it.
    Only an edit of the front matter alone derives its body again.)"""
    return f"md1:file:{sha}"


class Derived:
    """What is computed from an article's Markdown body, only when a page or feed being rendered asks.

    A rebuild re-renders few pages, so most bodies are never parsed at all; values are remembered in the
    build cache (by content file hash, else body hash, and Markdown settings) across builds.
    """

    __slots__ = ("_key", "_values", "body", "store")

    def __init__(self, body: str, key: str | None = None, store: Store | None = None) -> None:
        self.body = body
        self.store = store
        self._values: DerivedValues | None = None
        self._key = key

    @property
    def key(self) -> str:
        """What the store knows the values by: given (see ``file_key``), else the body's hash."""
        if self._key is None:
            digest = hashlib.sha1(self.body.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
            self._key = "md1:" + digest
        return self._key

    def held(self) -> bool:
        """Are the values already here (without asking the store)?"""
        return self._values is not None

    def recall(self, stored: object) -> bool:
        """Take values the store gave for ``key`` (read for many bodies at once); False if it had none."""
        if isinstance(stored, DerivedValues):
            self._values = stored
        return self._values is not None

    def known(self) -> bool:
        """Are the values at hand without parsing (derived in this build, or remembered by the store)?"""
        if self._values is None and self.store is not None:
            return self.recall(self.store.get(self.key))
        return self._values is not None

    def values(self) -> DerivedValues:
        if not self.known():
            self._values = derive(self.body)
            if self.store is not None:
                self.store.put(self.key, self._values)
        assert self._values is not None
        return self._values

    def prime(self, values: DerivedValues) -> None:
        """Values computed elsewhere (by a worker process during a cold build)."""
        self._values = values
        if self.store is not None:
            self.store.put(self.key, values)


def derive(body: str) -> DerivedValues:
    found = markdown.facts(body)
    return DerivedValues(packed_html=pack(found.html), summary=_cut(found.summary_text, SUMMARY_WORDS),
                         minutes=reading_minutes(found.words), relative_links=found.relative_links)


def _cut(text: str, words: int) -> str:
    found = text.split()
    return text if len(found) <= words else " ".join(found[:words]).rstrip(",;:") + "…"


def reading_minutes(words: int) -> int:
    """Minutes at ``WORDS_PER_MINUTE`` for the words of the text a reader reads (``markdown.Facts``):
    not the Markdown around them (bullets, table rules, heading marks) nor link addresses."""
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


# --- Building the model ---------------------------------------------------------------------------

ResearchSource = Callable[[Sequence["Loaded"], ZoneInfo], "Research"]  # a preview's deferred analysis


def build_model(cfg: SiteConfig, loaded: Sequence[Loaded], *, drafts: bool = False,
                store: Store | None = None, research_source: ResearchSource | None = None,
                reuse: Reuse = NOTHING) -> Site:
    """The whole site from all articles. Raises DigestError naming both files on any URL clash.

    ``reuse`` (a preview's, between its builds): steps whose inputs are the objects of the last build
    return their results of then, so an edit re-does the steps of the articles it touched."""
    shown = [item for item in loaded if drafts or not item.article.draft]
    published = [item for item in shown if not item.article.duplicate_of]
    _check_ids(loaded)
    for item in published:
        _check_slug(item.article.slug, item.source, partial(key_line, item.source, "slug"))
    for number, topic in enumerate(cfg.topics):
        _check_slug(topic.slug, cfg.root / "site.yaml", partial(config_line, cfg, "topics", number, "slug"))
    files = [reuse("file", (item,), partial(_file_facts, item)) for item in published]
    # (The outcome depends on the slugs alone: while they are as last build's, it passed.)
    reuse("slugs checked", (), partial(_check_collisions, [(facts.slug, item.source)
                                                           for facts, item in zip(files, published, strict=True)],
                                       "articles/", "article URL", lambda _slug, source: _article_line(source)),
                                       values=tuple(facts.slug for facts in files))
    topic_names = _topic_names(cfg, files)
    # By value: an edit that leaves the set of topics as it was keeps every view's topic references.
    refs = reuse("topic refs", (), partial(_refs, cfg, topic_names),
                 values=tuple(chain.from_iterable(topic_names.items())))
    names = {kind: _group_names(files, kind) for kind in GROUP_KINDS}
    people = reuse("group links", (), partial(_group_links, names),
                   values=tuple(chain.from_iterable(chain.from_iterable(n.items()) for n in names.values())))
    research = _analyse(cfg, published, store, research_source)
    stories = reuse("story links", (research,), partial(_story_links, research))
    placed = []
    for item, facts in zip(published, files, strict=True):
        story = stories.get(item.article.id)
        placed.append(reuse("view", (item, refs, people, story),
                            partial(_placed_view, cfg, item, facts, refs, people, story), values=(facts.slug,)))
    every = [view for _place, view in sorted(placed, key=itemgetter(0))]
    for view in every:
        view.derived.store = store  # (a view kept from the last build reads and writes this build's store)
    # A text published by several outlets is listed once, as its earliest publication.
    hidden = research.hidden if research else frozenset()
    ordered = [v for v in every if v.article.id not in hidden]
    copies = tuple(v for v in every if v.article.id in hidden)
    # Newer/older links stay within dated articles (in time) and within undated ones (in capture order).
    linked = _link_neighbours([v for v in ordered if v.moment], reuse) + \
        _link_neighbours([v for v in ordered if not v.moment], reuse)
    topics = _topics(cfg, linked, topic_names, reuse)
    # Outlets and authors list syndicated copies too: a copy is its outlet's own publication.
    every_listed = sorted([*linked, *copies], key=_order)
    outlets, authors = (_groups(cfg, kind, every_listed, reuse) for kind in GROUP_KINDS)
    return Site(cfg=cfg, articles=linked, home=paginate(linked, "", cfg.per_page, reuse), topics=topics,
                archive=_archive(linked, reuse), research=research, copies=copies, outlets=outlets, authors=authors,
                merged=tuple(item for item in shown if item.article.duplicate_of))


@dataclass(frozen=True)
class FileFacts:
    """What the model takes from one content file before it knows the others."""

    slug: str
    source: str  # the file, as text (topic names are taken in file order)
    topics: tuple[tuple[str, str], ...]  # (key, display name) of each topic it names
    outlets: tuple[tuple[str, str], ...] = ()  # (key, display name) of its source, if it has one
    authors: tuple[tuple[str, str], ...] = ()  # (key, display name) of each author


def _file_facts(item: Loaded) -> FileFacts:
    article = item.article
    return FileFacts(article_slug(article, item.source), item.source.as_posix(), _keyed(article.topics),
                     _keyed((article.source,) if article.source else ()), _keyed(article.authors))


def _keyed(names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(key, display name) of each name: names that differ only in case and spacing are one."""
    return tuple((_topic_key(name), " ".join(name.split())) for name in names if name.strip())


def _analyse(cfg: SiteConfig, published: Sequence[Loaded], store: Store | None,
             source: ResearchSource | None) -> Research | None:
    if not cfg.research:
        return None
    if source is not None:
        return source(published, cfg.tz)
    from generator.research.deferred import remembered_analysis  # numpy, scipy...: only when asked for

    return remembered_analysis(published, cfg.tz, store)


def article_slug(article: Article, source: Path) -> str:
    """Front matter ``slug``, else the file name without its date prefix: the URL stays put when a person
    fixes a title (a moved page breaks links and looks new to feed readers). Ingest names files after the
    title, so new articles still get readable URLs."""
    if article.slug:
        return article.slug
    return file_slug(source.stem, fallback=article.id)


def _check_ids(loaded: Sequence[Loaded]) -> None:
    """An id is a page and a feed guid: two files with one id would be one page (the other lost)."""
    seen: dict[str, Path] = {}
    for item in loaded:
        other = seen.setdefault(item.article.id, item.source)
        if other != item.source:
            raise DigestError(f"id: {item.article.id!r} is also the id of {other}; every article needs its own "
                              "(a copy of an article? delete one, or give it a new id)", item.source,
                              key_line(item.source, "id"))


def _check_slug(slug: str | None, source: Path, line: Callable[[], int | None]) -> None:
    """A hand-written slug is one URL path segment: no '/', no leading '.', no spaces."""
    if slug is not None and not re.fullmatch(r"\w[\w.-]*", slug):
        raise DigestError(f"slug: {slug!r} is not a single URL segment; use letters, digits and '-'", source,
                          line())


def _article_line(source: Path) -> int | None:
    """Where an article's URL comes from: its ``slug``, else its title (ingest names files after it)."""
    return key_line(source, "slug") or key_line(source, "title")


def _check_collisions(items: Iterable[tuple[str, Path]], prefix: str, what: str,
                      line: Callable[[str, Path], int | None],
                      hint: str = "give one of them a different 'slug'") -> None:
    """Two things that would write the same URL (also after case/accent folding) fail the build."""
    seen: dict[str, tuple[str, Path]] = {}
    for slug, source in items:
        key = collision_key(slug)
        if key in seen:
            other_slug, other = seen[key]
            raise DigestError(f"{what} {prefix}{slug}/ clashes with {prefix}{other_slug}/ of {other}; {hint}",
                              source, line(slug, source))
        seen[key] = (slug, source)


def _placed_view(cfg: SiteConfig, item: Loaded, facts: FileFacts, refs: dict[str, TopicRef],
                 people: GroupLinks, story: Link | None) -> tuple[tuple[int, float, str, str], ArticleView]:
    """The article's view (before its neighbours are known) and its place in the lists."""
    view = _view(cfg, item, facts, refs, people, story)
    return _order(view), view


def _view(cfg: SiteConfig, item: Loaded, facts: FileFacts, refs: dict[str, TopicRef], people: GroupLinks,
          story: Link | None) -> ArticleView:
    article = item.article
    moment = _moment(article.date, cfg)
    updated = _moment(article.updated, cfg)
    outlets = [people["outlets"][key] for key, _name in facts.outlets]
    return ArticleView(
        article=article, source=item.source, path=f"articles/{facts.slug}/", moment=moment,
        feed_moment=moment or updated or _moment(article.captured, cfg), updated=updated,
        derived=Derived(article.body, file_key(item.sha) if item.sha else None),  # store: set by build_model
        topics=_topic_refs(article.topics, refs), story=story,
        digest=item.sha or hashlib.sha1(repr(article).encode("utf-8", "surrogatepass"),
                                        usedforsecurity=False).hexdigest(),
        outlet=outlets[0] if outlets else None,
        bylines=tuple({key: people["authors"][key] for key, _name in facts.authors}.values()))


def _refs(cfg: SiteConfig, topic_names: dict[str, str]) -> dict[str, TopicRef]:
    return {key: TopicRef(name, topic_path(topic_slug(cfg, name))) for key, name in topic_names.items()}


def _story_links(research: Research | None) -> dict[str, Link]:
    """The link to its story page, by article, when other outlets reported the same event."""
    links: dict[str, Link] = {}
    for story in research.stories if research else ():
        if len(story.articles) > 1:
            link = Link(f"{len(story.articles)} reports", story_path(story.id))
            links.update((article.id, link) for article in story.articles)
    return links


def _moment(value: str | None, cfg: SiteConfig) -> dt.datetime | None:
    return dates.to_datetime(value, cfg.tz) if value else None


def _order(view: ArticleView) -> tuple[int, float, str, str]:
    """Newest first; undated last, newest capture first, then by capture file (deterministic)."""
    if view.moment is not None:
        return (0, -view.moment.timestamp(), view.article.id, "")
    captured = view.feed_moment.timestamp() if view.feed_moment else 0.0
    return (1, -captured, view.article.provenance.capture, view.source.as_posix())


def _link_neighbours(views: list[ArticleView], reuse: Reuse) -> tuple[ArticleView, ...]:
    out = []
    for index, view in enumerate(views):
        newer = views[index - 1] if index > 0 else None
        older = views[index + 1] if index + 1 < len(views) else None
        out.append(reuse("neighbours", (view, newer, older), partial(_linked, view, newer, older)))
    return tuple(out)


def _linked(view: ArticleView, newer: ArticleView | None, older: ArticleView | None) -> ArticleView:
    # The view's digest: its file's content plus everything the build adds to it. (Plain strings joined,
    # and the constructor called directly: this runs for every changed article on every rebuild.)
    shown = "\x1f".join((view.digest, view.path, *(f"{t.name}\x1e{t.path}" for t in view.topics),
                         *_link_parts(view.story), *_link_parts(newer), *_link_parts(older),
                         *_link_parts(view.outlet), *chain.from_iterable(map(_link_parts, view.bylines))))
    digest = hashlib.sha1(shown.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return ArticleView(view.article, view.source, view.path, view.moment, view.feed_moment, view.updated,
                       view.topics, view.derived, _link(newer), _link(older), view.story, digest, view.outlet,
                       view.bylines)


def _link_parts(item: ArticleView | Link | None) -> tuple[str, str]:
    return ("", "") if item is None else (item.title, item.path)


def _link(view: ArticleView | None) -> Link | None:
    return Link(view.title, view.path) if view else None


# --- Topics ---------------------------------------------------------------------------------------

def _topic_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _topic_names(cfg: SiteConfig, files: Iterable[FileFacts]) -> dict[str, str]:
    """Display name per topic key: declared topics as declared, others as first written (by file)."""
    names = {_topic_key(t.name): t.name for t in cfg.topics}
    for facts in sorted(files, key=attrgetter("source")):
        for key, name in facts.topics:
            names.setdefault(key, name)
    return names


def topic_slug(cfg: SiteConfig, name: str) -> str:
    declared = {_topic_key(t.name): t for t in cfg.topics}
    topic = declared.get(_topic_key(name))
    if topic is not None and topic.slug:
        return topic.slug
    # A name with nothing to transliterate still needs a stable, non-empty slug.
    return slugify(name, fallback="topic-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8])


def topic_path(slug: str) -> str:
    return f"topics/{slug}/"


def _topic_refs(names: Iterable[str], refs: dict[str, TopicRef]) -> tuple[TopicRef, ...]:
    """An article's topics under their display names, each once (``[Russia, russia]`` is one topic)."""
    return tuple({key: refs[key] for key in map(_topic_key, names)}.values())


def _topics(cfg: SiteConfig, views: Sequence[ArticleView], topic_names: dict[str, str],
            reuse: Reuse) -> tuple[Topic, ...]:
    members: dict[str, list[ArticleView]] = {}
    for view in views:
        for ref in view.topics:
            members.setdefault(ref.name, []).append(view)
    _check_topic_collisions(cfg, views, members)
    described = {_topic_key(t.name): t.description for t in cfg.topics}
    descriptions = {name: described.get(_topic_key(name), "") for name in members}
    return tuple(reuse("topic", tuple(members[name]),
                       partial(_topic, cfg, name, descriptions[name], members[name], reuse),
                       values=(name, descriptions[name]))
                 for name in sorted(members, key=str.casefold))


def _topic(cfg: SiteConfig, name: str, description: str, members: list[ArticleView], reuse: Reuse) -> Topic:
    slug = topic_slug(cfg, name)
    path = topic_path(slug)
    return Topic(name=name, slug=slug, path=path, description=description, articles=tuple(members),
                 pages=paginate(members, path, cfg.per_page, reuse))


def _check_topic_collisions(cfg: SiteConfig, views: Sequence[ArticleView],
                            members: dict[str, list[ArticleView]]) -> None:
    declared = {_topic_key(t.name) for t in cfg.topics}

    def source(name: str) -> Path:
        # A declared topic comes from site.yaml; an undeclared one from the first article naming it.
        if _topic_key(name) in declared:
            return cfg.root / "site.yaml"
        return members[name][0].source

    def line(slug: str, where: Path) -> int | None:
        if where != cfg.root / "site.yaml":
            return key_line(where, "topics")
        number = next((n for n, t in enumerate(cfg.topics) if topic_slug(cfg, t.name) == slug), None)
        return config_line(cfg, "topics", number) if number is not None else None

    _check_collisions(((topic_slug(cfg, name), source(name)) for name in sorted(members)), "topics/",
                      "topic URL", line)


# --- Outlets and authors --------------------------------------------------------------------------

GROUP_KINDS = ("outlets", "authors")  # the site folder of each kind's pages (see generator.urls)
GroupLinks = dict[str, dict[str, Link]]  # kind -> name key -> link to the page


def _group_names(files: Iterable[FileFacts], kind: str) -> dict[str, str]:
    """Display name per outlet or author key: as first written (by file)."""
    names: dict[str, str] = {}
    for facts in sorted(files, key=attrgetter("source")):
        for key, name in getattr(facts, kind):
            names.setdefault(key, name)
    return names


def _group_links(names: dict[str, dict[str, str]]) -> GroupLinks:
    return {kind: {key: Link(name, group_path(kind, _group_slug(kind, name))) for key, name in found.items()}
            for kind, found in names.items()}


def _group_slug(kind: str, name: str) -> str:
    return slugify(name, fallback=kind[:-1] + "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8])


def _groups(cfg: SiteConfig, kind: str, views: Sequence[ArticleView],
            reuse: Reuse) -> tuple[Group, ...]:
    """A group per outlet or author, by name; two whose URLs would clash fail the build naming both files."""
    members: dict[str, list[ArticleView]] = {}
    for view in views:
        links = (view.outlet,) if kind == "outlets" and view.outlet else view.bylines if kind == "authors" else ()
        for link in links:
            members.setdefault(link.title, []).append(view)
    ordered = sorted(members, key=lambda name: (name.casefold(), name))
    field = "source" if kind == "outlets" else "authors"
    _check_collisions(((_group_slug(kind, name), members[name][0].source) for name in ordered), f"{kind}/",
                      f"{kind[:-1]} URL", lambda _slug, source: key_line(source, field),
                      f"two {kind} whose names differ only in punctuation or accents; "
                      f"write the {kind[:-1]}'s name the same way in both")
    return tuple(reuse("group", tuple(members[name]), partial(_group, cfg, kind, name, members[name], reuse),
                       values=(kind, name)) for name in ordered)


def _group(cfg: SiteConfig, kind: str, name: str, members: list[ArticleView], reuse: Reuse) -> Group:
    slug = _group_slug(kind, name)
    path = group_path(kind, slug)
    return Group(name=name, slug=slug, path=path, articles=tuple(members),
                 pages=paginate(members, path, cfg.per_page, reuse))


# --- Lists ----------------------------------------------------------------------------------------

def page_path(folder: str, number: int) -> str:
    """Page 1 lives at the folder itself, later pages at ``<folder>page/<n>/``."""
    return folder if number == 1 else f"{folder}page/{number}/"


def paginate(views: Sequence[ArticleView], folder: str, per_page: int, reuse: Reuse) -> tuple[Pager, ...]:
    chunks = [tuple(views[i:i + per_page]) for i in range(0, len(views), per_page)] or [()]
    total = len(chunks)
    return tuple(reuse("pager", chunk, partial(_pager, folder, n, total, chunk), values=(folder, n, total))
                 for n, chunk in enumerate(chunks, start=1))


def _pager(folder: str, number: int, total: int, items: tuple[ArticleView, ...]) -> Pager:
    return Pager(number=number, total=total, path=page_path(folder, number), items=items,
                 newer=page_path(folder, number - 1) if number > 1 else None,
                 older=page_path(folder, number + 1) if number < total else None)


UNDATED_PATH = "archive/undated/"


def _archive(views: Sequence[ArticleView], reuse: Reuse) -> Archive:
    dated = [v for v in views if v.moment is not None]
    grouped: dict[tuple[int, int], list[ArticleView]] = {}
    for view in dated:
        assert view.moment is not None
        grouped.setdefault((view.moment.year, view.moment.month), []).append(view)
    months = [reuse("month", tuple(items), partial(_month, year, month, items), values=(year, month))
              for (year, month), items in grouped.items()]  # newest first
    newer: list[Month | None] = [None, *months[:-1]]
    older: list[Month | None] = [*months[1:], None]
    linked = [reuse("month links", (month, newer[i], older[i]), partial(_month_linked, month, newer[i], older[i]))
              for i, month in enumerate(months)]
    years: dict[int, list[Month]] = {}
    for month in linked:
        years.setdefault(month.year, []).append(month)
    return Archive(years=tuple(Year(year, tuple(items)) for year, items in years.items()),
                   undated=tuple(v for v in views if v.moment is None))


def _month(year: int, month: int, items: list[ArticleView]) -> Month:
    label = f"{dt.date(year, month, 1):%B} {year}"
    return Month(year, month, label, f"{year}-{month:02d}", f"archive/{year}/{month:02d}/", tuple(items))


def _month_linked(month: Month, newer: Month | None, older: Month | None) -> Month:
    return dataclasses.replace(month, newer=_month_link(newer) if newer else None,
                               older=_month_link(older) if older else None)


def _month_link(month: Month) -> Link:
    return Link(month.label, month.path)
