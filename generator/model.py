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

from generator import dates, markdown
from generator.config import SiteConfig
from generator.content import Article
from generator.errors import DigestError
from generator.reuse import NOTHING, Reuse

if TYPE_CHECKING:
    from generator.research.analysis import Research
from generator.slugs import collision_key, slugify

WORDS_PER_MINUTE = 220
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")  # content/articles/<yyyy>/<yyyy-mm-dd>-<slug>.md
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

    def feed_html(self, page_url: str) -> str:
        """Body HTML with every link absolute (feed readers have no page to resolve against)."""
        if not self.derived.values().relative_links:
            return self.html
        return markdown.render_markdown(self.article.body, page_url)

    @property
    def original_url(self) -> str | None:
        """The original article's URL, only when it is a web address (never a javascript: link)."""
        url = self.article.url
        return url if url and url.lower().startswith(("http://", "https://")) else None


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
    published = [item for item in loaded if drafts or not item.article.draft]
    for item in published:
        _check_slug(item.article.slug, item.source)
    for topic in cfg.topics:
        _check_slug(topic.slug, cfg.root / "site.yaml")
    files = [reuse("file", (item,), partial(_file_facts, item)) for item in published]
    # (The outcome depends on the slugs alone: while they are as last build's, it passed.)
    reuse("slugs checked", (), partial(_check_collisions, [(facts.slug, item.source)
                                                           for facts, item in zip(files, published, strict=True)],
                                       "articles/", "article URL"), values=tuple(facts.slug for facts in files))
    topic_names = _topic_names(cfg, files)
    # By value: an edit that leaves the set of topics as it was keeps every view's topic references.
    refs = reuse("topic refs", (), partial(_refs, cfg, topic_names),
                 values=tuple(chain.from_iterable(topic_names.items())))
    research = _analyse(cfg, published, store, research_source)
    stories = reuse("story links", (research,), partial(_story_links, research))
    placed = []
    for item, facts in zip(published, files, strict=True):
        story = stories.get(item.article.id)
        placed.append(reuse("view", (item, refs, story), partial(_placed_view, cfg, item, facts.slug, refs, story),
                            values=(facts.slug,)))
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
    return Site(cfg=cfg, articles=linked, home=paginate(linked, "", cfg.per_page, reuse), topics=topics,
                archive=_archive(linked, reuse), research=research, copies=copies)


@dataclass(frozen=True)
class FileFacts:
    """What the model takes from one content file before it knows the others."""

    slug: str
    source: str  # the file, as text (topic names are taken in file order)
    topics: tuple[tuple[str, str], ...]  # (key, display name) of each topic it names


def _file_facts(item: Loaded) -> FileFacts:
    return FileFacts(article_slug(item.article, item.source), item.source.as_posix(),
                     tuple((_topic_key(name), " ".join(name.split())) for name in item.article.topics))


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
    return slugify(DATE_PREFIX.sub("", source.stem), fallback=article.id)


def _check_slug(slug: str | None, source: Path) -> None:
    """A hand-written slug is one URL path segment: no '/', no leading '.', no spaces."""
    if slug is not None and not re.fullmatch(r"\w[\w.-]*", slug):
        raise DigestError(f"slug: {slug!r} is not a single URL segment; use letters, digits and '-'", source)


def _check_collisions(items: Iterable[tuple[str, Path]], prefix: str, what: str) -> None:
    """Two things that would write the same URL (also after case/accent folding) fail the build."""
    seen: dict[str, tuple[str, Path]] = {}
    for slug, source in items:
        key = collision_key(slug)
        if key in seen:
            other_slug, other = seen[key]
            raise DigestError(f"{what} {prefix}{slug}/ clashes with {prefix}{other_slug}/ of {other}; "
                              "give one of them a different 'slug'", source)
        seen[key] = (slug, source)


def _placed_view(cfg: SiteConfig, item: Loaded, slug: str, refs: dict[str, TopicRef],
                 story: Link | None) -> tuple[tuple[int, float, str, str], ArticleView]:
    """The article's view (before its neighbours are known) and its place in the lists."""
    view = _view(cfg, item, slug, refs, story)
    return _order(view), view


def _view(cfg: SiteConfig, item: Loaded, slug: str, refs: dict[str, TopicRef], story: Link | None) -> ArticleView:
    article = item.article
    moment = _moment(article.date, cfg)
    updated = _moment(article.updated, cfg)
    return ArticleView(
        article=article, source=item.source, path=f"articles/{slug}/", moment=moment,
        feed_moment=moment or updated or _moment(article.captured, cfg), updated=updated,
        derived=Derived(article.body, file_key(item.sha) if item.sha else None),  # store: set by build_model
        topics=_topic_refs(article.topics, refs), story=story,
        digest=item.sha or hashlib.sha1(repr(article).encode("utf-8", "surrogatepass"),
                                        usedforsecurity=False).hexdigest())


def _refs(cfg: SiteConfig, topic_names: dict[str, str]) -> dict[str, TopicRef]:
    return {key: TopicRef(name, topic_path(topic_slug(cfg, name))) for key, name in topic_names.items()}


def _story_links(research: Research | None) -> dict[str, Link]:
    """The link to its story page, by article, when other outlets reported the same event."""
    links: dict[str, Link] = {}
    for story in research.stories if research else ():
        if len(story.articles) > 1:
            link = Link(f"{len(story.articles)} reports", f"stories/{story.id}/")
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
                         *_link_parts(view.story), *_link_parts(newer), *_link_parts(older)))
    digest = hashlib.sha1(shown.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return ArticleView(view.article, view.source, view.path, view.moment, view.feed_moment, view.updated,
                       view.topics, view.derived, _link(newer), _link(older), view.story, digest)


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

    _check_collisions(((topic_slug(cfg, name), source(name)) for name in sorted(members)), "topics/",
                      "topic URL")


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
