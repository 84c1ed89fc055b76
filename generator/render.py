"""HTML pages from the site model: theme resolution, the Jinja2 environment, and the list of pages.

Template lookup, highest priority first: the site's ``templates/``, the site's ``themes/<theme>/``, the
bundled ``<theme>``, then the bundled ``default`` (so a theme only has to carry what it changes). Static
files resolve the same way from ``static/``. Any original stays reachable as ``theme/<name>`` so an
override can ``{% extends "theme/base.html" %}`` and replace one block.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2 import nodes

from generator import cite, dates
from generator.cache import CACHE_KEY
from generator.config import SiteConfig
from generator.errors import DigestError
from generator.feeds import FeedLink, feed_links, feed_sources
from generator.fingerprint import fingerprint
from generator.model import UNDATED_PATH, ArticleView, Site
from generator.output import Job
from generator.reuse import NOTHING, Reuse
from generator.themes import search_path, static_files, theme_roots
from generator.urls import Urls, download_path, output_file, story_path

if TYPE_CHECKING:  # (not at run time: the research modules import numpy, scipy and friends)
    from generator.research.analysis import Research
    from generator.research.stories import Story

UTC = ZoneInfo("UTC")  # stored dates with a time always carry their offset; this only fills the type


@dataclass(frozen=True)
class Page:
    """One HTML page to render: where it goes, with which template, and what it shows."""

    path: str  # site path ("", "articles/x/", "404.html")
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    feeds: tuple[FeedLink, ...] = ()
    rooted: bool = False  # served at any URL (404): links must be root-absolute


# How templates compile (so also part of what compiled templates are kept under).
ENVIRONMENT_OPTIONS: dict[str, Any] = {"autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": True,
                                       "lstrip_blocks": True, "keep_trailing_newline": True}


def environment(cfg: SiteConfig, compiled: Path | None = None) -> jinja2.Environment:
    """The template environment; ``compiled``: a folder of the build cache for compiled templates."""
    folders = search_path(cfg, "templates")
    listing = tuple((folder, tuple(sorted(p.as_posix() for p in folder.rglob("*.html")))) for folder in folders)
    theme_only = tuple(d for d in (root / "templates" for root in theme_roots(cfg)) if d.is_dir())
    return _environment(folders, theme_only, listing, compiled)


@lru_cache(maxsize=4)
def _environment(folders: tuple[Path, ...], theme_only: tuple[Path, ...],
                 listing: tuple[tuple[Path, tuple[str, ...]], ...], compiled: Path | None) -> jinja2.Environment:
    """Cached so in-process rebuilds reuse compiled templates; ``listing`` is in the key so a newly
    added override is seen (Jinja's own reload check only watches the file a template came from)."""
    originals = jinja2.FileSystemLoader([str(f) for f in theme_only])
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(f) for f in folders]),
                                  jinja2.PrefixLoader({"theme": originals})])
    env = jinja2.Environment(loader=loader, **ENVIRONMENT_OPTIONS,
                             bytecode_cache=CompiledTemplates.at(compiled) if compiled else None)
    env.filters["human_date"] = human_date
    env.filters["month_day"] = month_day
    env.filters["human_day"] = human_day
    env.filters["cite"] = cite.cite
    env.filters["citations"] = cite.citations
    env.filters["citation_key"] = cite.citation_key
    env.filters["data_url"] = cite.data_url
    env.filters["highwire_date"] = cite.highwire_date
    env.filters["json_for_script"] = cite.json_for_script
    env.globals["news_article"] = cite.news_article
    env.globals["download_formats"] = tuple(cite.FORMATS.values())
    env.globals["download_path"] = download_path
    env.globals["citation_formats"] = tuple(cite.FORMATS[name] for name in cite.CITATION_FORMATS)
    return env


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in the build cache: a fresh ``digest build`` process compiles none of
    them again (0.1 s of an edit rebuild). Jinja names each entry by template and file and checks it
    against the source's checksum and the Python version only, so the entries live in a subfolder named
    after this digest version, Jinja's version and ``ENVIRONMENT_OPTIONS`` (what else the code depends
    on); the subfolders of other versions are removed. A damaged entry only means compiling again; an
    unwritable folder, no cache."""

    @classmethod
    def at(cls, folder: Path) -> CompiledTemplates | None:
        own = folder / compiled_for()
        try:
            own.mkdir(parents=True, exist_ok=True)
            for other in folder.iterdir():
                if other.is_dir() and other != own:
                    shutil.rmtree(other)
                elif not other.is_dir():
                    other.unlink()
        except OSError:
            return None
        return cls(str(own))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # what a damaged file raises depends on where it is damaged (pickle, marshal)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def compiled_for() -> str:
    """The name of the compiled templates' subfolder: the versions and options the code depends on."""
    options = sorted((name, repr(value)) for name, value in ENVIRONMENT_OPTIONS.items())
    what = repr((CACHE_KEY, jinja2.__version__, options)).encode("utf-8")
    return hashlib.sha1(what, usedforsecurity=False).hexdigest()[:16]


# --- Filters --------------------------------------------------------------------------------------

# English month names, as strftime's %B and %b give them in the C locale (without strftime's cost, paid
# for every article on every list page).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@lru_cache(maxsize=65536)  # asked on every page for every article it lists; the answer never changes
def human_date(value: str) -> str:
    """``2023-11-17T01:27:00+00:00`` -> ``17 November 2023, 01:27 UTC``; a day stays a day."""
    moment = dates.to_datetime(value, UTC)
    day = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if len(value.strip()) == 10:
        return day
    return f"{day}, {moment.hour:02d}:{moment.minute:02d} {_zone_name(moment)}"


def _zone_name(moment: dt.datetime) -> str:
    """``UTC`` or ``UTC+05:30``: the offset the date was written with."""
    offset = moment.utcoffset() or dt.timedelta()
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}" if minutes else "UTC"


def human_day(value: str) -> str:
    """The day of a printed date, as printed (``2023-11-17T01:27:00+02:00`` -> ``17 November 2023``)."""
    return human_date(value.strip()[:10])


@lru_cache(maxsize=65536)
def month_day(value: str) -> str:
    moment = dates.to_datetime(value, UTC)
    return f"{moment.day} {MONTHS[moment.month - 1][:3]}"


# --- Pages ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryView:
    """A story as its page and the story index show it: reports from several outlets, earliest first."""

    id: str
    path: str  # "stories/<id>/"
    title: str
    start: str | None
    end: str | None
    outlets: tuple[str, ...]
    reports: tuple[ArticleView, ...]


def story_views(site: Site, by_id: dict[str, ArticleView], reuse: Reuse) -> tuple[StoryView, ...]:
    """Stories with more than one report (one report is just an article), newest first."""
    if site.research is None:
        return ()
    found = [reuse("story view", (story, *[by_id.get(a.id) for a in story.articles]),
                   partial(_story_view, story, by_id))
             for story in site.research.stories if len(story.articles) > 1]
    return tuple(sorted(found, key=lambda s: (s.end or s.start or "", s.id), reverse=True))


def _story_view(story: Story, by_id: dict[str, ArticleView]) -> StoryView:
    return StoryView(story.id, story_path(story.id), story.title, story.start, story.end, story.outlets,
                     tuple(by_id[a.id] for a in story.articles if a.id in by_id))


def article_page(site: Site, view: ArticleView, by_id: dict[str, ArticleView], reuse: Reuse,
                 named: dict[str, tuple[str, ...]], feeds: tuple[FeedLink, ...]) -> Page:
    """An article's page: the view, and what it shows from the research features (``named``: the
    articles that shows, by article; see ``named_articles``). The same page as last build while the view,
    the analysis and every article it names are."""
    research = site.research
    shown = (view, research, feeds, *[by_id.get(name) for name in named.get(view.article.id, ())])
    return reuse("article page", shown, partial(_article_page, research, view, by_id, feeds))


def _article_page(research: Research | None, view: ArticleView, by_id: dict[str, ArticleView],
                  feeds: tuple[FeedLink, ...]) -> Page:
    shown = research_context(research, view, by_id) if research else NO_RESEARCH
    return Page(view.path, "article.html", view.title, {"view": view, **shown}, feeds)


NO_RESEARCH: dict[str, object] = {"story_views": (), "story_path": None, "story_title": None, "copy_of": None,
                                  "also_published": (), "related": ()}


def named_articles(research: Research | None) -> dict[str, tuple[str, ...]]:
    """Every article id ``research_context`` looks up, by the article whose page it makes (an article the
    analysis does not know names none)."""
    if research is None:
        return {}
    known = {a.id for story in research.stories for a in story.articles} | set(research.related) | \
        {a.id for group in research.duplicates for a in (group.canonical, *group.others)}
    return {article_id: _named(research, article_id) for article_id in sorted(known)}


def _named(research: Research, article_id: str) -> tuple[str, ...]:
    story = research.story(article_id)
    group = research.duplicate(article_id)
    named = [a.id for a in story.articles] if story else []
    if group:
        named += [a.id for a in (group.canonical, *group.others)]
    return (*named, *(r.article.id for r in research.related.get(article_id, ())))


def research_context(research: Research, view: ArticleView, by_id: dict[str, ArticleView]) -> dict[str, object]:
    """What an article page shows from the research features: its story (other outlets' reports of the
    same event), "also published by" for syndicated text, and related articles (as article views)."""
    story = research.story(view.article.id)
    group = research.duplicate(view.article.id)
    same_text = {a.id for a in (group.canonical, *group.others)} if group else set()
    in_story = {a.id for a in story.articles} if story else set()
    canonical = by_id.get(group.canonical.id) if group and group.canonical.id != view.article.id else None
    # Article views only (they carry a digest), so page fingerprints stay cheap. Only articles that still
    # exist: a preview may build with an analysis made before the last edits (generator.research.deferred).
    return {
        # Copies of this very text are named under "also published", not again as other reports.
        "story_views": tuple(by_id[a.id] for a in story.articles
                             if a.id != view.article.id and a.id not in same_text and a.id in by_id)
                       if story else (),
        "story_path": story_path(story.id) if story else None,
        "story_title": story.title if story and len(story.articles) > 1 else None,
        "copy_of": canonical,
        "also_published": tuple(by_id[a.id] for a in group.others if a.id in by_id) if group else (),
        "related": tuple(by_id[r.article.id] for r in research.related.get(view.article.id, ())
                         if r.article.id not in in_story and r.article.id in by_id),
    }


def pages(site: Site, reuse: Reuse = NOTHING) -> list[Page]:
    """Every HTML page of the site. (``reuse``: see ``generator.reuse``; each page is the same object as
    last build while what it shows is.)"""
    sources = feed_sources(site)
    links = [reuse("feed links", (), partial(feed_links, source), values=(source.title, source.folder))
             for source in sources]
    own_feeds, topic_feeds = links[0], dict(zip((source.folder for source in sources[1:]), links[1:], strict=True))

    def page(path: str, template: str, title: str, context: dict[str, Any], feeds: tuple[FeedLink, ...],
             *made_from: object) -> Page:
        """The page, or the same one as last build when made from the same objects (``made_from``: what
        ``context`` and ``feeds`` were made of)."""
        return reuse(template, made_from, partial(Page, path, template, title, context, feeds), values=(path, title))

    out = [page(p.path, "home.html", site.cfg.title, {"pager": p}, own_feeds, p, own_feeds) for p in site.home]
    by_id = {v.article.id: v for v in (*site.articles, *site.copies)}
    named = reuse("named articles", (site.research,), partial(named_articles, site.research))
    out += [article_page(site, v, by_id, reuse, named, own_feeds) for v in by_id.values()]
    if site.cfg.research:
        stories = story_views(site, by_id, reuse)
        out.append(Page("stories/", "stories.html", "Stories", {"stories": stories}, own_feeds))
        out += [page(story.path, "story.html", story.title, {"story": story}, own_feeds, story, own_feeds)
                for story in stories]
        out.append(Page("search/", "search.html", "Search", {}, own_feeds))
    out += archive_pages(site, own_feeds, page)
    out.append(Page("topics/", "topics.html", "Topics", {"topics": tuple(t.entry for t in site.topics)}, own_feeds))
    for topic in site.topics:
        feeds = topic_feeds[topic.path]
        out += [page(p.path, "topic.html", topic.name, {"topic": topic.entry, "pager": p, "topic_feeds": feeds},
                     feeds + own_feeds, topic, p, feeds, own_feeds) for p in topic.pages]
    for kind, groups in (("outlets", site.outlets), ("authors", site.authors)):
        out.append(Page(f"{kind}/", "groups.html", GROUP_TITLES[kind],
                        {"kind": kind, "groups": tuple(g.entry for g in groups)}, own_feeds))
        for group in groups:
            feeds = topic_feeds[group.path]
            out += [page(p.path, "group.html", group.name,
                         {"kind": kind, "group": group.entry, "pager": p, "group_feeds": feeds},
                         feeds + own_feeds, group, p, feeds, own_feeds) for p in group.pages]
    out.append(Page("subscribe/", "subscribe.html", "Subscribe",
                    {"subscriptions": [(s.listing, found) for s, found in zip(sources, links, strict=True)
                                       if s.listed]}, own_feeds))
    out.append(Page("404.html", "404.html", "Page not found", {}, own_feeds, rooted=True))
    return out


GROUP_TITLES = {"outlets": "Outlets", "authors": "Authors"}


def archive_pages(site: Site, feeds: tuple[FeedLink, ...], page: Callable[..., Page]) -> list[Page]:
    """The archive index (years and months, with counts), a page per month, and one for undated articles."""
    archive = site.archive
    out = [Page("archive/", "archive.html", "Archive",
                {"years": archive.index, "undated": len(archive.undated), "undated_path": UNDATED_PATH}, feeds)]
    out += [page(month.path, "archive_month.html", month.label, {"month": month}, feeds, month, feeds)
            for month in archive.months]
    if archive.undated:
        out.append(Page(UNDATED_PATH, "archive_undated.html", "Undated articles", {"undated": archive.undated},
                        feeds))
    return out


def page_jobs(site: Site, every_page: list[Page], memo: dict[int, tuple[object, str]],
              reuse: Reuse = NOTHING, compiled: Path | None = None) -> list[Job]:
    """Every HTML page, each with the fingerprint of what it is rendered from.

    A page depends on the template set, the settings and its own context; when a template reads the
    whole ``site`` (a site's own override may), every page depends on every article. A page that is the
    same object as last build (see ``pages``) keeps its fingerprint. ``compiled``: see ``environment``.
    """
    env = environment(site.cfg, compiled)
    urls = Urls(site.cfg.base_url)
    signature = template_signature(site.cfg)
    shared = fingerprint(signature, site.cfg, site if templates_read_site(env, signature) else None, memo=memo)
    return [Job(output_file(page.path),
                reuse("page fingerprint", (page,),
                      partial(fingerprint, shared, page.path, page.template, page.title, page.feeds, page.rooted,
                              page.context, memo=memo), values=(shared,)),
                partial(_encoded, env, site, urls, page))
            for page in every_page]


def _encoded(env: jinja2.Environment, site: Site, urls: Urls, page: Page) -> bytes:
    return render_page(env, site, urls, page).encode("utf-8")


def template_signature(cfg: SiteConfig) -> tuple[tuple[str, int, int], ...]:
    """Every template file that could be used, by path, size and mtime."""
    found = []
    for folder in search_path(cfg, "templates"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                found.append((path.as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


@lru_cache(maxsize=16)
def templates_read_site(env: jinja2.Environment, signature: tuple[tuple[str, int, int], ...]) -> bool:
    """Does any template read the ``site`` variable itself (rather than its page's own context)?

    Conservative: any use of the name counts (even one a template assigned itself), which can only make
    pages depend on more than they need. ``signature`` (the template files' paths, sizes and mtimes) keys
    the memo: an edit asks again."""
    for name in env.list_templates(extensions=["html", "xml", "txt"]):
        source, _, _ = env.loader.get_source(env, name) if env.loader else ("", None, None)
        try:
            if any(node.name == "site" for node in env.parse(source).find_all(nodes.Name)):
                return True
        except jinja2.TemplateSyntaxError:
            continue  # reported, with its line, when the page using it renders
    return False


def static_jobs(cfg: SiteConfig) -> list[Job]:
    jobs = []
    for name, source in static_files(cfg).items():
        stat = source.stat()
        jobs.append(Job(name, fingerprint("static", source.as_posix(), stat.st_size, stat.st_mtime_ns),
                        source.read_bytes))
    return jobs


def render_page(env: jinja2.Environment, site: Site, urls: Urls, page: Page) -> str:
    url: Callable[[str], str] = urls.rooted if page.rooted else urls.linker(page.path)
    context = {"site": site, "cfg": site.cfg, "page": page, "url": url, "abs_url": urls.absolute,
               "feeds": page.feeds, **page.context}
    try:
        return env.get_template(page.template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise DigestError(f"template error: {exc.message}", exc.filename, exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise DigestError(f"template not found: {exc.name}", page.template) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        # A mistake in a (site's) template: name the template file and line, not a Python traceback.
        path, line = _template_location(exc)
        raise DigestError(f"template error while rendering {page.path or 'home'}: {exc}",
                          path or page.template, line) from None


def _template_location(exc: BaseException) -> tuple[str | None, int | None]:
    """Innermost template frame of the traceback (Jinja maps its frames to template files and lines)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") and Path(filename).is_file():
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
