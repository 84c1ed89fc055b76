"""What a person should check: the articles whose metadata or body the cleaner may have got wrong.

An article needs a person when its date, author, source or title is missing or doubtful, when it is
probably a copy of another article, or when page furniture (a share row, an appeal, a "Related" label)
is left at the start or end of its body. A field is doubtful by the cleaner's own confidence where the
article records one (front matter ``confidence``), else by its shape: a source that reads like a tagline,
an author that is a phrase, a title that is a date line.

Articles a person has looked at leave the list: ``reviewed: true`` in front matter, or any edit (the
ingest fingerprint no longer matches), or a ``duplicate_of`` merge.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.clean import furniture
from generator.clean.dates import MONTHS, find_dates
from generator.clean.markdown import clean_inline
from generator.config import SiteConfig
from generator.content import Article, is_edited, read_article
from generator.errors import DigestError

DOUBTFUL_BELOW = 0.5  # a confidence under this makes the field doubtful
# Lower-case words a name or an outlet may contain ("Ursula von der Leyen", "The Times of India").
PARTICLE_WORDS = """a al and at bin da das de degli del della der des di do dos du el für i la las le
les of on the und van von y zu"""
PARTICLES = frozenset(PARTICLE_WORDS.split())
DATE_LINE_WORDS = """am pm at on by updated published posted last modified gmt utc est edt cet cest bst
monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun today yesterday"""
DATE_WORDS = frozenset(MONTHS) | frozenset(DATE_LINE_WORDS.split())
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Reason:
    field: str   # title, date, authors, source, duplicate or body
    text: str
    doubt: float  # 0..1: how likely the field is wrong


@dataclass(frozen=True)
class Doubtful:
    """One article that needs a person, with every reason."""

    path: Path
    article: Article
    reasons: tuple[Reason, ...]

    @property
    def doubt(self) -> float:
        return round(sum(r.doubt for r in self.reasons), 2)


def load_articles(cfg: SiteConfig) -> list[tuple[Path, Article]]:
    loaded = []
    for path in sorted(cfg.path("content").rglob("*.md")):
        try:
            loaded.append((path, read_article(path, cfg.tz)))
        except DigestError as exc:
            print(f"digest: warning: skipped: {exc}", file=sys.stderr)
    return loaded


def needs_person(article: Article) -> bool:
    """Not yet looked at by a person: not reviewed, not edited, not merged into another article."""
    return not article.reviewed and not article.duplicate_of and not is_edited(article)


def review(cfg: SiteConfig, duplicates: bool = True) -> list[Doubtful]:
    """The articles that need a person, most doubtful first."""
    articles = load_articles(cfg)
    copies = probable_copies(cfg, articles) if duplicates else {}
    found = []
    for path, article in articles:
        if not needs_person(article):
            continue
        reasons = field_reasons(article) + body_reasons(article.body)
        if path in copies:
            reasons += (Reason("duplicate", f"probably the same text as {copies[path]}", 0.8),)
        if reasons:
            found.append(Doubtful(path, article, reasons))
    return sorted(found, key=lambda d: (-d.doubt, str(d.path)))


def field_reasons(article: Article) -> tuple[Reason, ...]:
    """Title, date, authors and source: missing, or doubtful by confidence or shape."""
    shapes = {"title": title_shape(article.title), "date": None if article.date else "no publication date",
              "authors": authors_shape(article.authors), "source": source_shape(article.source)}
    reasons = []
    for name, shape in shapes.items():
        confidence = article.confidence.get(name)
        if confidence is None:
            if shape:
                reasons.append(Reason(name, shape, MISSING_DOUBT.get(name, 0.7) if is_missing(shape) else 0.7))
        elif confidence < DOUBTFUL_BELOW:
            text = shape or f"the cleaner is unsure of the {name}"
            reasons.append(Reason(name, f"{text} (confidence {confidence:.2f})", round(1 - confidence, 2)))
    return tuple(reasons)


# A missing author or source is common and often right (agency copy, a blog); a missing date matters more.
MISSING_DOUBT = {"date": 1.0, "authors": 0.4, "source": 0.6}


def is_missing(shape: str) -> bool:
    return shape.startswith("no ")


def title_shape(title: str) -> str | None:
    words = WORD.findall(title)
    if find_dates(title, True) or find_dates(title, False):
        left = [w for w in words if w.lower() not in DATE_WORDS]
        if len(left) < 3:
            return f"title looks like a date line: {title!r}"
    if title.endswith("…") and len(words) >= 10:
        return "no headline found: the title is the opening words"
    if len(words) < 2:
        return f"title is a single word: {title!r}"
    if len(words) > 30:
        return "title is as long as a paragraph"
    return None


def authors_shape(authors: tuple[str, ...]) -> str | None:
    if not authors:
        return "no author"
    for name in authors:
        if looks_like_phrase(name, max_words=4) or any(ch.isdigit() for ch in name):
            return f"author looks like a phrase, not a name: {name!r}"
    return None


def source_shape(source: str | None) -> str | None:
    if not source:
        return "no source"
    if re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+", source.strip()):
        return f"source is a web address, not the outlet's name: {source!r}"
    if looks_like_phrase(source, max_words=6) or source.rstrip().endswith((".", "!", "?")) or "|" in source:
        return f"source looks like a tagline, not an outlet: {source!r}"
    return None


def looks_like_phrase(text: str, max_words: int) -> bool:
    """Too many words for a name, or ordinary lower-case words in it ("News you can trust")."""
    words = WORD.findall(text)
    lower = [w for w in words if w[0].islower() and w.lower() not in PARTICLES]
    return len(words) > max_words or len(lower) >= 2 or (len(lower) == 1 and len(words) <= 2 and len(words) > 1)


def body_reasons(body: str) -> tuple[Reason, ...]:
    """Furniture left as the first or the last paragraph of the body."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    if not paragraphs:
        return (Reason("body", "empty body", 1.0),)
    reasons = []
    for where, paragraph in (("start", paragraphs[0]), ("end", paragraphs[-1])):
        text = clean_inline(re.sub(r"^[#>*\-\s]+|[*_`\\]+", "", paragraph))
        if is_furniture(text):
            reasons.append(Reason("body", f"page furniture at the {where} of the body: {shorten(text)!r}", 0.6))
        if len(paragraphs) == 1:
            break
    return tuple(reasons)


def is_furniture(text: str) -> bool:
    words = len(text.split())
    return bool(text) and (furniture.is_inline(text) or furniture.is_end(text) or furniture.is_inline_end(text)
                           or furniture.is_appeal(text, words))


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def probable_copies(cfg: SiteConfig, articles: list[tuple[Path, Article]]) -> dict[Path, str]:
    """Path of each probable copy -> the file of the article it copies (the earliest of its group)."""
    from generator.ingest import display_path
    from generator.research.duplicates import find_duplicates  # numpy, datasketch: only when asked for

    live = [(path, article) for path, article in articles if not article.duplicate_of]
    where = {id(article): path for path, article in live}
    groups = find_duplicates([article for _, article in live], cfg.tz)
    return {where[id(copy)]: f"{display_path(where[id(group.canonical)], cfg.root)} (id {group.canonical.id})"
            for group in groups for copy in group.others}
