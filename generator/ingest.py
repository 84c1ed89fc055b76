"""Ingest: captures -> articles in content/, losing nothing a person wrote.

Per capture the outcome is one of:
- ``new``: no article had this id; one was written.
- ``unchanged``: the article already says exactly this (nothing written).
- ``updated``: the capture or the cleaner changed and nobody had edited the article; rewritten.
- ``kept``: the article was edited by a person since ingest; left alone (``--force`` overwrites, with backup).
- ``merged``: another capture of the same article (the page saved as HTML and as text) leads; this one's
  URL, date, byline... were merged into the article it made (``provenance.also`` lists it).
- ``deleted``: the article this capture made was deleted (``content/ingested.txt`` remembers the capture),
  so it is not made again unless the capture is named on the command line.
- ``failed``: no article could be made, or the capture's article cannot be read; nothing written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import capture, dates, ids
from generator.clean import CLEANER_VERSION, Cleaned, clean_capture
from generator.clean.confidence import Confidence
from generator.config import SiteConfig
from generator.content import (
    MAX_ARTICLE_BYTES,
    Article,
    Provenance,
    is_edited,
    read_article,
    with_fingerprint,
    write_text,
)
from generator.errors import DigestError
from generator.files import read_regular
from generator.ignored import ignored_captures
from generator.locks import exclusive
from generator.output import write_if_changed
from generator.research.disjoint import DisjointSets
from generator.slugs import MAX_SLUG_WORDS, collision_key, file_slug, slugify
from generator.topics import assign_topics

PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class IngestResult:
    capture: Path
    status: str
    article: Path | None = None
    message: str = ""


@dataclass(frozen=True)
class Made:
    """A capture cleaned into an article (or the error saying why not)."""

    capture: Path
    article: Article | None
    error: str = ""
    warnings: tuple[str, ...] = ()
    confidence: Confidence | None = None


def article_id(cleaned: Cleaned) -> str:
    """Stable id: from the canonical URL when known, else from the cleaned text."""
    return ids.id_from_url(cleaned.url) if cleaned.url else ids.id_from_text(cleaned.title, cleaned.body)


def make_article(cleaned: Cleaned, path: Path, data: bytes, cfg: SiteConfig) -> Article:
    return with_fingerprint(Article(
        id=article_id(cleaned), title=cleaned.title, body=cleaned.body, date=cleaned.date,
        updated=cleaned.updated, authors=cleaned.authors, source=cleaned.source, url=cleaned.url,
        caption=cleaned.caption, caption_credit=cleaned.caption_credit, summary=cleaned.summary,
        language=cleaned.language, topics=assign_topics(cleaned.title, cleaned.body, cfg.topics),
        captured=_captured(path), confidence=cleaned.confidence.as_dict() if cleaned.confidence else {},
        provenance=Provenance(capture=display_path(path, cfg.root), sha256=capture.sha256(data),
                              cleaner=CLEANER_VERSION)))


def _captured(path: Path) -> str:
    """When the capture was saved (its file time, UTC): orders undated articles, dates their feed items."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")


def make_one(path: Path, cfg: SiteConfig) -> Made:
    """Read and clean one capture; errors become a message (this runs in worker processes too)."""
    try:
        data = capture.read_capture(path, cfg.path("captures"))
        cleaned = clean_capture(data, path, cfg.tz)
        return Made(path, make_article(cleaned, path, data, cfg), warnings=cleaned.warnings,
                    confidence=cleaned.confidence)
    except DigestError as exc:
        return Made(path, None, str(exc))
    except Exception as exc:  # a capture the cleaner cannot handle must not stop the others
        return Made(path, None, f"{path}: the cleaner failed on this capture ({type(exc).__name__}: {exc}); "
                                "please report it with the capture")


def make_all(paths: list[Path], cfg: SiteConfig, progress: bool) -> Iterator[Made]:
    """Clean every capture, on every core for large batches, in input order."""
    if len(paths) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield from _with_progress((make_one(p, cfg) for p in paths), len(paths), progress)
        return
    with ProcessPoolExecutor(initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        results = pool.map(make_one, paths, [cfg] * len(paths), chunksize=16)
        yield from _with_progress(results, len(paths), progress)


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends with ingest, even when ingest is killed (SIGKILL leaves it no
    chance to stop the pool, and an orphaned worker would wait for work forever, holding its memory)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # (ingest died before the line above took effect)
        os._exit(1)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _with_progress(items: Iterator[Made], total: int, show: bool) -> Iterator[Made]:
    if not show or total < PARALLEL_THRESHOLD:
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("cleaning captures", total=total)
        for item in items:
            yield item
            bar.advance(task)


@dataclass
class ContentIndex:
    """What content/ holds already: articles by id, by text, by title and by the captures they came
    from; the URL slugs in use; and the articles that cannot be read, by the capture they name."""

    by_id: dict[str, tuple[Path, Article]] = field(default_factory=dict)
    by_text: dict[str, str] = field(default_factory=dict)
    by_capture: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, list[str]] = field(default_factory=dict)
    broken: dict[str, tuple[Path, DigestError]] = field(default_factory=dict)
    unreadable: list[DigestError] = field(default_factory=list)
    slugs: set[str] = field(default_factory=set)

    def find(self, article: Article) -> tuple[Path, Article] | None:
        """The stored article this one replaces: same id, same capture, same text, else same title and
        (almost) the same body (the same page saved as HTML and as text)."""
        candidates = (article.id, *(self.by_capture.get(c) for c in captures_of(article)),
                      self.by_text.get(ids.text_key(article.title, article.body)))
        found = next((self.by_id[key] for key in candidates if key in self.by_id), None)
        if found is not None:
            return found
        return next((self.by_id[key] for key in self.by_title.get(title_key(article.title), [])
                     if same_text(article, self.by_id[key][1])), None)

    def add(self, path: Path, article: Article) -> None:
        self.by_id[article.id] = (path, article)
        self.by_text[ids.text_key(article.title, article.body)] = article.id
        self.by_title.setdefault(title_key(article.title), []).append(article.id)
        for name in captures_of(article):
            self.by_capture[name] = article.id
        self.slugs.add(collision_key(article.slug or file_slug(path.stem, fallback=article.id)))


def captures_of(article: Article) -> tuple[str, ...]:
    return tuple(name for name in (article.provenance.capture, *article.provenance.also) if name)


def title_key(title: str) -> str:
    return ids.text_key(title, "")


SAME_TEXT = 0.8  # share of the shorter body's word 5-grams found in the longer one: the same article


def same_text(a: Article, b: Article) -> bool:
    """Same title and nearly the same body: one article, captured twice (say as HTML and as text)."""
    from generator.research.duplicates import overlap, shingles

    return title_key(a.title) == title_key(b.title) and overlap(shingles(a.body), shingles(b.body))[1] >= SAME_TEXT


def load_index(cfg: SiteConfig) -> ContentIndex:
    """Every article of content/. One that cannot be read is still known by the capture its front matter
    names, so ingest never takes its capture for a new one (and writes the article twice)."""
    index = ContentIndex()
    for path in sorted(cfg.path("content").rglob("*.md")):
        try:
            index.add(path, read_article(path, cfg.tz))
        except DigestError as exc:
            index.unreadable.append(exc)
            index.slugs.add(collision_key(file_slug(path.stem, fallback=path.stem)))
            for name in capture_named_in(path):
                index.broken[name] = (path, exc)
    return index


CAPTURE_LINE = re.compile(r"^\s+(?:capture|also):\s*(.*)$|^\s+-\s+(captures/.*)$", re.M)


def capture_named_in(path: Path) -> list[str]:
    """The captures an article's provenance names, read line by line (its YAML may be what is broken)."""
    try:
        text = read_regular(path, MAX_ARTICLE_BYTES).decode("utf-8", errors="replace")
    except DigestError:
        return []
    names = [next(g for g in match.groups() if g is not None).strip().strip("'\"") for match in
             CAPTURE_LINE.finditer(text.split("\n---", 1)[0])]
    return [name for name in names if name and not name.startswith("[")]


def target_path(cfg: SiteConfig, article: Article, taken: set[str]) -> Path:
    """``content/articles/<yyyy>/<yyyy-mm-dd>-<slug>.md`` (undated: ``articles/undated/<slug>.md``), whose
    URL slug (``file_slug``) no other article has: on a clash the title's words are cut to leave room for
    part of the id, so the URL differs too. ``taken``: the collision keys of the slugs in use."""
    slug = slugify(article.title, fallback=article.id)
    folder = cfg.path("content") / "articles"
    day = dates.to_datetime(article.date, cfg.tz).date().isoformat() if article.date else None
    folder = folder / day[:4] if day else folder / "undated"
    short = "-".join(slug.split("-")[:MAX_SLUG_WORDS - 1])
    for stem in (slug, *(f"{short}-{article.id[:n]}" for n in range(6, len(article.id) + 1, 2))):
        name = f"{day}-{stem}" if day else stem
        candidate = folder / f"{name}.md"
        key = collision_key(file_slug(name, fallback=article.id))
        if key not in taken and not candidate.exists():
            taken.add(key)
            return candidate
    raise DigestError(f"no free file name for {article.title!r}", folder)


UNREADABLE = "its article cannot be read"
LEDGER = "ingested.txt"
LEDGER_HEADER = """\
# The captures digest has made an article from (one a line; written by digest ingest and build).
# An article you delete stays deleted: its capture, listed here, is not ingested again.
# To bring one back, name its capture: digest ingest captures/<file>
"""


def read_ledger(cfg: SiteConfig) -> set[str]:
    try:
        text = (cfg.path("content") / LEDGER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {json.loads(line) if line.startswith('"') else line for line in text.split("\n")
            if line.strip() and not line.startswith("#")}


def write_ledger(cfg: SiteConfig, names: set[str]) -> None:
    if names or (cfg.path("content") / LEDGER).exists():
        text = LEDGER_HEADER + "".join(f"{_ledger_line(name)}\n" for name in sorted(names))
        write_if_changed(cfg.path("content") / LEDGER, text.encode("utf-8"))


def forget_capture(cfg: SiteConfig, name: str) -> None:
    """The capture's article was removed on purpose (``digest ignore``): taken back from the ignore list,
    the capture is ingested again rather than counted as one whose article a person deleted."""
    ledger = read_ledger(cfg)
    if name in ledger:
        write_ledger(cfg, ledger - {name})


def _ledger_line(name: str) -> str:
    """The name as it is, unless it would not read back as one line of itself: then JSON-quoted."""
    plain = name == name.strip() and not name.startswith(('"', "#")) and name.isprintable()
    return name if plain else json.dumps(name, ensure_ascii=False)


def ingest(cfg: SiteConfig, paths: list[Path], *, force: bool = False, only_new: bool = False,
           progress: bool = True, warn: Callable[[str], None] | None = None) -> list[IngestResult]:
    """Turn captures into articles. ``only_new`` (used by build) cleans only captures no article names.

    Captures of one article (the same page saved as HTML and as text) give one article with the best of
    each. A capture whose article was deleted is skipped unless it is named itself in ``paths``."""
    warn = warn or (lambda message: print(f"digest: warning: {message}", file=sys.stderr))
    with ingest_lock(cfg, warn):
        return _ingest(cfg, paths, force=force, only_new=only_new, progress=progress, warn=warn)


def ingest_lock(cfg: SiteConfig, warn: Callable[[str], None] | None = None) -> AbstractContextManager[None]:
    """Hold the digest's ingest lock: two ingests at once (a build and a preview, `digest add` while the
    preview ingests) would each find a capture new and write its article twice. The second waits, then
    finds the articles."""
    return exclusive(cfg.path("cache") / "ingest.lock", warn,
                     "another ingest or build of this digest is ingesting; waiting for it to finish")


def _ingest(cfg: SiteConfig, paths: list[Path], *, force: bool, only_new: bool, progress: bool,
            warn: Callable[[str], None]) -> list[IngestResult]:
    index = load_index(cfg)
    ledger = read_ledger(cfg)
    named = {display_path(p, cfg.root) for p in paths if not p.is_dir()}
    skipped = ignored_captures(cfg)
    results: dict[Path, IngestResult] = {}
    todo: list[Path] = []
    listed = capture.list_captures(paths)
    for path in listed:
        name = display_path(path, cfg.root)
        if name in skipped:
            continue
        if name in index.broken:
            article, error = index.broken[name]
            results[path] = IngestResult(path, "failed", article, f"{UNREADABLE}: {error}")
        elif name in ledger and name not in index.by_capture and name not in named:
            results[path] = IngestResult(path, "deleted", message="its article was deleted")
        elif not (only_new and name in index.by_capture):
            todo.append(path)
    if not only_new:  # (a build reports them itself, as its error)
        reported = {result.article for result in results.values()}
        for error in index.unreadable:
            if error.path not in reported:
                warn(f"skipped while indexing: {error}")
    made = list(make_all(todo, cfg, progress))
    # The other captures of a stored article a new capture joins are cleaned again: the article is then
    # what ingesting them all at once makes.
    again = companions(made, index, cfg, set(todo))
    made += list(make_all(again, cfg, progress=False))
    for item in made:
        if item.article is None:
            results[item.capture] = IngestResult(item.capture, "failed", message=item.error)
    good = [item for item in made if item.article is not None]
    for group in group_same(good, index):
        for result in _store_group(cfg, index, group, force=force, only_new=only_new):
            results[result.capture] = result
    write_ledger(cfg, ledger | set(index.by_capture))
    return [results[path] for path in [*listed, *again] if path in results]


def companions(made: list[Made], index: ContentIndex, cfg: SiteConfig, batch: set[Path]) -> list[Path]:
    found: dict[Path, None] = {}
    for item in made:
        stored = index.find(item.article) if item.article is not None else None
        for name in captures_of(stored[1]) if stored else ():
            path = cfg.root / name
            if path not in batch and path.is_file():
                found[path] = None
    return list(found)


def group_same(made: list[Made], index: ContentIndex) -> list[list[Made]]:
    """Captures of one article together (same id, text, stored article, or title and nearly the same
    body), each group in a stable order: the capture carrying a URL first, then by name."""
    sets = DisjointSets(len(made))
    first: dict[tuple[str, str], int] = {}
    for n, item in enumerate(made):
        assert item.article is not None
        stored = index.find(item.article)
        keys = [("id", item.article.id), ("text", ids.text_key(item.article.title, item.article.body))]
        if stored is not None:
            keys.append(("stored", stored[1].id))
        for key in keys:
            sets.union(first.setdefault(key, n), n)
        same_title = first.setdefault(("title", title_key(item.article.title)), n)
        other = made[same_title].article
        if same_title != n and other is not None and same_text(item.article, other):
            sets.union(same_title, n)
    groups = [[made[n] for n in members] for members in sets.groups()]
    return sorted((sorted(group, key=_primary_order) for group in groups),
                  key=lambda group: str(group[0].capture))


def _primary_order(item: Made) -> tuple[bool, str]:
    assert item.article is not None
    return (item.article.url is None, str(item.capture))


def merge(articles: list[Article]) -> Article:
    """One article from captures of it (the first leads): the URL, date (with a time, if any has one),
    byline with the most names and every other field one of them has."""
    first, *others = articles
    if not others:
        return first

    def pick(name: str) -> Any:
        return next((getattr(a, name) for a in articles if getattr(a, name)), None)

    url = pick("url")
    shas = "\n".join(sorted(a.provenance.sha256 for a in articles))
    provenance = Provenance(capture=first.provenance.capture, sha256=capture.sha256(shas.encode("ascii")),
                            cleaner=first.provenance.cleaner,
                            also=tuple(sorted(a.provenance.capture for a in others)))
    return with_fingerprint(dataclasses.replace(
        first, id=ids.id_from_url(url) if url else first.id, url=url,
        date=max((a.date for a in articles if a.date), key=lambda d: "T" in d, default=None),
        authors=max((a.authors for a in articles), key=len), updated=pick("updated"), source=pick("source"),
        caption=pick("caption"), caption_credit=pick("caption_credit"), summary=pick("summary"),
        language=pick("language"), captured=min((a.captured for a in articles if a.captured), default=None),
        provenance=provenance))


def _store_group(cfg: SiteConfig, index: ContentIndex, group: list[Made], *, force: bool,
                 only_new: bool) -> list[IngestResult]:
    lead, *rest = group
    article = merge([item.article for item in group if item.article is not None])
    result = _store(cfg, index, lead.capture, article, force=force, only_new=only_new)
    status = "merged" if result.status in ("new", "updated") else result.status
    return [result, *(IngestResult(item.capture, status, result.article,
                                   f"with {display_path(lead.capture, cfg.root)}") for item in rest)]


def _store(cfg: SiteConfig, index: ContentIndex, source: Path, article: Article, *, force: bool,
           only_new: bool) -> IngestResult:
    existing = index.find(article)
    if existing is None:
        path = target_path(cfg, article, index.slugs)
        write_if_changed(path, write_text(article).encode("utf-8"))
        index.add(path, article)
        return IngestResult(source, "new", path)
    path, old = existing
    # Keep the id the article was first given (it is the feed guid) and what only a person writes.
    article = with_fingerprint(dataclasses.replace(article, id=old.id, reviewed=old.reviewed,
                                                   duplicate_of=old.duplicate_of, notes=old.notes))
    joins = not set(captures_of(article)) <= set(captures_of(old))  # a capture new to this article
    if (only_new and not joins) or _same_result(old, article):
        return IngestResult(source, "unchanged", path)
    if is_edited(old) or old.reviewed:
        if not force:
            why = "reviewed" if old.reviewed and not is_edited(old) else "edited"
            return IngestResult(source, "kept", path, f"{why} by a person since ingest; --force overwrites")
        backup = path.with_suffix(".md.bak")
        backup.write_bytes(path.read_bytes())
        return _rewrite(index, path, article, source, f"overwritten; backup in {backup.name}")
    return _rewrite(index, path, article, source)


def _rewrite(index: ContentIndex, path: Path, article: Article, source: Path, message: str = "") -> IngestResult:
    write_if_changed(path, write_text(article).encode("utf-8"))
    index.add(path, article)
    return IngestResult(source, "updated", path, message)


def _same_result(old: Article, new: Article) -> bool:
    return (old.provenance.sha256, old.provenance.cleaner, captures_of(old)) == \
        (new.provenance.sha256, new.provenance.cleaner, captures_of(new))


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the digest root when it is inside it (as provenance and reports name it)."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return os.path.abspath(path)
