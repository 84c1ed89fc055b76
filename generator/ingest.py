"""Ingest: captures -> articles in content/, losing nothing a person wrote.

Per capture the outcome is one of:
- ``new``: no article had this id; one was written.
- ``unchanged``: the article already says exactly this (nothing written).
- ``updated``: the capture or the cleaner changed and nobody had edited the article; rewritten.
- ``kept``: the article was edited by a person since ingest; left alone (``--force`` overwrites, with backup).
- ``duplicate``: another capture of this batch gives the same article.
- ``failed``: no article could be made; nothing written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator import capture, dates, ids
from generator.clean import CLEANER_VERSION, Cleaned, clean_capture
from generator.config import SiteConfig
from generator.content import Article, Provenance, is_edited, read_article, with_fingerprint, write_text
from generator.errors import DigestError
from generator.output import write_if_changed
from generator.slugs import slugify
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


def article_id(cleaned: Cleaned) -> str:
    """Stable id: from the canonical URL when known, else from the cleaned text."""
    return ids.id_from_url(cleaned.url) if cleaned.url else ids.id_from_text(cleaned.title, cleaned.body)


def make_article(cleaned: Cleaned, path: Path, data: bytes, cfg: SiteConfig) -> Article:
    return with_fingerprint(Article(
        id=article_id(cleaned), title=cleaned.title, body=cleaned.body, date=cleaned.date,
        updated=cleaned.updated, authors=cleaned.authors, source=cleaned.source, url=cleaned.url,
        caption=cleaned.caption, caption_credit=cleaned.caption_credit, summary=cleaned.summary,
        language=cleaned.language, topics=assign_topics(cleaned.title, cleaned.body, cfg.topics),
        captured=_captured(path),
        provenance=Provenance(capture=display_path(path, cfg.root), sha256=capture.sha256(data),
                              cleaner=CLEANER_VERSION)))


def _captured(path: Path) -> str:
    """When the capture was saved (its file time, UTC): orders undated articles, dates their feed items."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")


def make_one(path: Path, cfg: SiteConfig) -> Made:
    """Read and clean one capture; errors become a message (this runs in worker processes too)."""
    try:
        data = capture.read_capture(path)
        cleaned = clean_capture(data, path, cfg.tz)
        return Made(path, make_article(cleaned, path, data, cfg), warnings=cleaned.warnings)
    except DigestError as exc:
        return Made(path, None, str(exc))


def make_all(paths: list[Path], cfg: SiteConfig, progress: bool) -> Iterator[Made]:
    """Clean every capture, on every core for large batches, in input order."""
    if len(paths) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield from _with_progress((make_one(p, cfg) for p in paths), len(paths), progress)
        return
    with ProcessPoolExecutor() as pool:
        results = pool.map(make_one, paths, [cfg] * len(paths), chunksize=16)
        yield from _with_progress(results, len(paths), progress)


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
    """What content/ holds already: articles by id, by text, and by the capture they came from."""

    by_id: dict[str, tuple[Path, Article]]
    by_text: dict[str, str]
    by_capture: dict[str, str]

    def find(self, article: Article) -> tuple[Path, Article] | None:
        """The stored article this one replaces: same id, else same capture file, else same text."""
        candidates = (article.id, self.by_capture.get(article.provenance.capture),
                      self.by_text.get(ids.text_key(article.title, article.body)))
        return next((self.by_id[key] for key in candidates if key in self.by_id), None)

    def add(self, path: Path, article: Article) -> None:
        self.by_id[article.id] = (path, article)
        self.by_text[ids.text_key(article.title, article.body)] = article.id
        if article.provenance.capture:
            self.by_capture[article.provenance.capture] = article.id


def load_index(cfg: SiteConfig, warn: Callable[[str], None]) -> ContentIndex:
    index = ContentIndex({}, {}, {})
    for path in sorted(cfg.path("content").rglob("*.md")):
        try:
            index.add(path, read_article(path, cfg.tz))
        except DigestError as exc:
            warn(f"skipped while indexing: {exc}")
    return index


def target_path(cfg: SiteConfig, article: Article, taken: set[Path]) -> Path:
    """``content/articles/<yyyy>/<yyyy-mm-dd>-<slug>.md`` (undated: ``articles/undated/<slug>.md``)."""
    slug = slugify(article.title, fallback=article.id)
    folder = cfg.path("content") / "articles"
    if article.date:
        day = dates.to_datetime(article.date, cfg.tz).date().isoformat()
        stem, folder = f"{day}-{slug}", folder / day[:4]
    else:
        stem, folder = slug, folder / "undated"
    candidate = folder / f"{stem}.md"
    if candidate.exists() or candidate in taken:
        candidate = folder / f"{stem}-{article.id[:6]}.md"
    return candidate


def ingest(cfg: SiteConfig, paths: list[Path], *, force: bool = False, only_new: bool = False,
           progress: bool = True, warn: Callable[[str], None] | None = None) -> list[IngestResult]:
    """Turn captures into articles. ``only_new`` (used by build) never touches an existing article."""
    warn = warn or (lambda message: print(f"digest: warning: {message}", file=sys.stderr))
    index = load_index(cfg, warn)
    captures = capture.list_captures(paths)
    if only_new:
        captures = [p for p in captures if display_path(p, cfg.root) not in index.by_capture]
    results: list[IngestResult] = []
    seen: dict[str, Path] = {}
    taken: set[Path] = set()
    for made in make_all(captures, cfg, progress):
        if made.article is None:
            results.append(IngestResult(made.capture, "failed", message=made.error))
            continue
        if made.article.id in seen:
            results.append(IngestResult(made.capture, "duplicate", message=f"same article as {seen[made.article.id]}"))
            continue
        seen[made.article.id] = made.capture
        result = _store(cfg, index, made.capture, made.article, force=force, only_new=only_new, taken=taken)
        results.append(result)
    return results


def _store(cfg: SiteConfig, index: ContentIndex, source: Path, article: Article, *, force: bool,
           only_new: bool, taken: set[Path]) -> IngestResult:
    existing = index.find(article)
    if existing is None:
        path = target_path(cfg, article, taken)
        taken.add(path)
        write_if_changed(path, write_text(article).encode("utf-8"))
        index.add(path, article)
        return IngestResult(source, "new", path)
    path, old = existing
    # Keep the id the article was first given: it is the feed guid.
    article = with_fingerprint(dataclasses.replace(article, id=old.id))
    if only_new or _same_result(old, article):
        return IngestResult(source, "unchanged", path)
    if is_edited(old):
        if not force:
            return IngestResult(source, "kept", path, "edited by a person since ingest; --force overwrites")
        backup = path.with_suffix(".md.bak")
        backup.write_bytes(path.read_bytes())
        return _rewrite(path, article, source, f"overwritten; backup in {backup.name}")
    return _rewrite(path, article, source)


def _rewrite(path: Path, article: Article, source: Path, message: str = "") -> IngestResult:
    write_if_changed(path, write_text(article).encode("utf-8"))
    return IngestResult(source, "updated", path, message)


def _same_result(old: Article, new: Article) -> bool:
    return old.provenance.sha256 == new.provenance.sha256 and old.provenance.cleaner == new.provenance.cleaner


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the digest root when it is inside it (as provenance and reports name it)."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path.resolve())
