"""The per-article features the research modules share: prose, names, word vectors, event dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from generator import dates
from generator.content import Article
from generator.research import entities, text

LEAD_WORDS = 30  # how much of the body counts as the lead
LEAD_WEIGHT = 3


KIND_WEIGHT = {"person": 1.0, "organisation": 0.5, "other": 0.3, "place": 0.2}


def _coverage(cast: dict[str, float], names: frozenset[str]) -> float:
    total = sum(cast.values())
    if not total:
        return 0.0
    return sum(w for key, w in cast.items() if key in names or key.split()[-1] in names) / total


def _in(key: str, lead_keys: frozenset[str]) -> bool:
    return key in lead_keys or any(part in lead_keys for part in key.split())


def lead(article: Article) -> str:
    """Title, caption and the first LEAD_WORDS words of the body (whole lines)."""
    lines, count = [], 0
    for line in prose(article.body).splitlines():
        lines.append(line)
        count += len(line.split())
        if count >= LEAD_WORDS:
            break
    return "\n".join([article.title, article.caption or "", *lines])


PROSE_WORDS = 12  # shorter body lines are headings, menus and link lists: page furniture, not reporting


def prose(body: str) -> str:
    """The body's prose paragraphs. Comparing furniture ("Latest stories", "Subscribe") would make every
    article from one website look alike."""
    return "\n".join(line for line in body.splitlines() if len(line.split()) >= PROSE_WORDS)


def full_text(article: Article) -> str:
    """What an article says: title, caption and body prose."""
    return "\n".join(part for part in (article.title, article.caption or "", prose(article.body)) if part)


@dataclass(frozen=True)
class When:
    """When an article's event happened, and how precisely we know it.

    ``precision``: "printed" (the front-matter date), "day" (a full date the text names), "month"
    (a month and year the text names; ``day`` is its 15th) or "none". ``month`` alone is a month the text
    names without a year ("on November 18").
    """

    day: dt.date | None
    precision: str
    month: int | None = None

    @property
    def exact(self) -> bool:
        return self.precision == "printed"

    def gap_days(self, other: When) -> int | None:
        if self.day is None or other.day is None:
            return None
        return abs((self.day - other.day).days)

    def months_apart(self, other: When) -> int | None:
        """Calendar months between a yearless month and the other's month (mod 12), if that is all we know."""
        mine = self.month or (self.day.month if self.day else None)
        theirs = other.month or (other.day.month if other.day else None)
        if mine is None or theirs is None or (self.month is None and other.month is None):
            return None
        apart = abs(mine - theirs) % 12
        return min(apart, 12 - apart)


def when(article: Article, tz: ZoneInfo) -> When:
    if article.date:
        return When(dates.to_datetime(article.date, tz).date(), "printed")
    mentioned = text.mentioned_dates(article.body)
    if mentioned.days:
        # The day the text names most (ties: the latest, which is usually the event, not the background).
        counts = Counter(mentioned.days)
        return When(max(counts, key=lambda d: (counts[d], d)), "day")
    month = mentioned.likely_month()
    if month:
        return When(dt.date(month[0], month[1], 15), "month")
    return When(None, "none", mentioned.likely_yearless_month())


@dataclass(frozen=True)
class Features:
    """What the research modules compare: words, names and dates of each article (same order as given)."""

    articles: tuple[Article, ...]
    tz: ZoneInfo

    @cached_property
    def entities(self) -> tuple[tuple[entities.Entity, ...], ...]:
        return tuple(entities.extract(full_text(a)) for a in self.articles)

    @cached_property
    def word_vectors(self) -> text.Matrix:
        return text.tfidf([text.with_bigrams(text.words(full_text(a))) for a in self.articles])

    @cached_property
    def lead_entities(self) -> tuple[frozenset[str], ...]:
        """Names in the title, caption and first paragraphs: who the article is about."""
        return tuple(frozenset(e.key for e in entities.extract(lead(a))) for a in self.articles)

    @cached_property
    def actors(self) -> tuple[dict[str, float], ...]:
        """Lead names weighted by kind: people act in events; places and countries are only the setting."""
        out = []
        for found, in_lead in zip(self.entities, self.lead_entities, strict=True):
            kinds = {e.key: e.kind for e in found}
            out.append({key: KIND_WEIGHT[kinds.get(key, "other")] for key in in_lead})
        return tuple(out)

    @cached_property
    def name_sets(self) -> tuple[frozenset[str], ...]:
        """Every name an article mentions, and each word of its multi-word names (for short forms)."""
        return tuple(frozenset({e.key for e in found} | {w for e in found for w in e.key.split()})
                     for found in self.entities)

    def actor_overlap(self, i: int, j: int) -> float:
        """How much of each article's lead cast the other one mentions (mean of both directions)."""
        return (_coverage(self.actors[i], self.name_sets[j]) + _coverage(self.actors[j], self.name_sets[i])) / 2

    @cached_property
    def entity_vectors(self) -> text.Matrix:
        # An entity "document" repeats each name as often as it is mentioned, and names in the lead count
        # LEAD_WEIGHT times more: TF-IDF then favours the rare names the article is about (the visiting
        # minister) over the ones every article has ("Russia"). Short lead names ("Kozlov") are folded
        # into the body's full name ("Alexander Kozlov").
        docs = []
        for found, in_lead in zip(self.entities, self.lead_entities, strict=True):
            doc = []
            for entity in found:
                weight = entity.count + (LEAD_WEIGHT if _in(entity.key, in_lead) else 0)
                doc.extend([entity.key] * weight)
            docs.append(doc)
        return text.tfidf(docs)

    @cached_property
    def when(self) -> tuple[When, ...]:
        return tuple(when(a, self.tz) for a in self.articles)


def features(articles: Sequence[Article], tz: ZoneInfo) -> Features:
    return Features(tuple(articles), tz)
