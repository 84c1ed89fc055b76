"""The per-article features the research modules share: prose, names, word vectors, event dates."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from generator import dates
from generator.content import Article
from generator.parallel import fork_map
from generator.research import entities, text

LEAD_WORDS = 30  # how much of the body counts as the lead
LEAD_WEIGHT = 3


KIND_WEIGHT = {"person": 1.0, "organisation": 0.5, "other": 0.3, "place": 0.2}
MIN_CAST = KIND_WEIGHT["person"]


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
    """What the research modules compare: words, names and dates of each article (same order as given).

    With a ``store`` (the build's derived-value cache), what each article contributes on its own is
    remembered by its text, so a rebuild only re-reads the articles that changed."""

    articles: tuple[Article, ...]
    tz: ZoneInfo
    store: Store | None = None

    @cached_property
    def texts(self) -> tuple[ArticleText, ...]:
        return remembered(self.articles, self.store, partial(cache_key, "text", extra=str(self.tz)),
                          partial(extract_text, tz=self.tz), ArticleText)

    @cached_property
    def entities(self) -> tuple[tuple[entities.Entity, ...], ...]:
        return tuple(t.entities for t in self.texts)

    @cached_property
    def word_vectors(self) -> text.Sparse:
        return text.tfidf([t.terms for t in self.texts])

    @cached_property
    def word_cosines(self) -> text.Cosines:
        return text.Cosines(self.word_vectors)

    @cached_property
    def entity_cosines(self) -> text.Cosines:
        return text.Cosines(self.entity_vectors)

    @cached_property
    def lead_entities(self) -> tuple[frozenset[str], ...]:
        """Names in the title, caption and first paragraphs: who the article is about."""
        return tuple(t.lead for t in self.texts)

    @cached_property
    def _cast(self) -> tuple[text.Sparse, text.Sparse]:
        """(lead shares, presence), both articles x lead names: what share of an article's cast each lead
        name is (by kind: people act in events; places and countries are only the setting), and whether
        an article mentions that name at all (in full, or by its last word: "Kozlov")."""
        index: dict[str, int] = {}
        rows, cols, weights = [], [], []
        for row, (found, in_lead) in enumerate(zip(self.entities, self.lead_entities, strict=True)):
            kinds = {e.key: e.kind for e in found}
            for key in sorted(in_lead):
                rows.append(row)
                cols.append(index.setdefault(key, len(index)))
                weights.append(KIND_WEIGHT[kinds.get(key, "other")])
        shape = (len(self.articles), max(len(index), 1))
        lead_weights = sparse.csr_matrix((weights, (rows, cols)), shape=shape, dtype=np.float64)
        matches: dict[str, list[int]] = {}
        for key, column in index.items():
            for form in {key, key.split()[-1]}:
                matches.setdefault(form, []).append(column)
        present = [(row, column) for row, found in enumerate(self.entities)
                   for name in {n for e in found for n in (e.key, *e.key.split())}
                   for column in matches.get(name, ())]
        presence = sparse.csr_matrix(
            (np.ones(len(present)), ([r for r, _ in present], [c for _, c in present])), shape=shape)
        presence.data[:] = 1.0  # a name found by full form and by last word counts once
        # At least one person's worth: a lead naming only a country ("India") says little about the event,
        # so sharing it must not count as sharing the whole cast.
        totals = np.maximum(np.asarray(lead_weights.sum(axis=1)).ravel(), MIN_CAST)
        return sparse.csr_matrix(sparse.diags(1 / totals) @ lead_weights), presence

    def actor_block(self, rows: Sequence[int] | NDArray[np.int64], cols: Sequence[int] | NDArray[np.int64]
                    ) -> text.Matrix:
        """How much of each article's lead cast the other one mentions (mean of both directions)."""
        shares, presence = self._cast  # lead weights as shares of each article's cast
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        forward = (shares[rows] @ presence[cols].T).toarray()
        backward = (presence[rows] @ shares[cols].T).toarray()
        result: text.Matrix = (forward + backward) / 2
        return result

    @cached_property
    def entity_vectors(self) -> text.Sparse:
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
        return tuple(t.when for t in self.texts)

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar.of(self.when)


PRECISIONS = ("printed", "day", "month", "none")


@dataclass(frozen=True)
class Calendar:
    """``When`` of every article as arrays, for comparing many pairs at once."""

    day: text.Matrix  # proleptic ordinal of the day, NaN when unknown
    precision: NDArray[np.int64]  # index into PRECISIONS
    month: NDArray[np.int64]  # month of the day, else the yearless month, else 0
    yearless: NDArray[np.bool_]  # only a yearless month is known

    @staticmethod
    def of(moments: Sequence[When]) -> Calendar:
        return Calendar(
            day=np.array([w.day.toordinal() if w.day else np.nan for w in moments], dtype=np.float64),
            precision=np.array([PRECISIONS.index(w.precision) for w in moments], dtype=np.int64),
            month=np.array([w.day.month if w.day else (w.month or 0) for w in moments], dtype=np.int64),
            yearless=np.array([w.day is None and w.month is not None for w in moments], dtype=np.bool_))


def features(articles: Sequence[Article], tz: ZoneInfo, store: Store | None = None) -> Features:
    return Features(tuple(articles), tz, store)


class Store(Protocol):
    """A persistent ``key -> value`` cache (``generator.cache.DerivedStore`` fits)."""

    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...


Value = TypeVar("Value")
FEATURES_VERSION = "research-1"  # change whenever extraction changes: old cached values are then unused


@dataclass(frozen=True)
class ArticleText:
    """What one article contributes on its own: its terms (words and word pairs), names, lead names and
    event date. Depends only on the article's text, date and the time zone, so it can be cached."""

    terms: tuple[str, ...]
    entities: tuple[entities.Entity, ...]
    lead: frozenset[str]
    when: When


def cache_key(kind: str, article: Article, extra: str = "") -> str:
    """Key for a value derived from an article's title, caption, body and date (and ``extra``)."""
    material = "\x00".join((FEATURES_VERSION, kind, article.title, article.caption or "", article.body,
                            article.date or "", *((extra,) if extra else ())))
    return f"{FEATURES_VERSION}:{kind}:" + hashlib.sha1(material.encode("utf-8", "surrogatepass"),
                                                        usedforsecurity=False).hexdigest()


def extract_text(article: Article, tz: ZoneInfo) -> ArticleText:
    full = full_text(article)
    return ArticleText(terms=tuple(text.with_bigrams(text.words(full))), entities=entities.extract(full),
                       lead=frozenset(e.key for e in entities.extract(lead(article))),
                       when=when(article, tz))


def remembered(articles: Sequence[Article], store: Store | None, key: Callable[[Article], str],
               make: Callable[[Article], Value], kind: type[Value]) -> tuple[Value, ...]:
    """``make(article)`` of each article: from the store where it has one of ``kind``, the rest made on
    every core (a cold build of a large digest: names and words of 10,000 articles are minutes of one
    core's work) and stored."""
    keys = [key(article) for article in articles]
    found = [store.get(k) if store is not None else None for k in keys]
    missing = [k for k, value in enumerate(found) if not isinstance(value, kind)]
    made = fork_map(make, [articles[k] for k in missing], min_items=MIN_PARALLEL_ARTICLES)
    for k, value in zip(missing, made, strict=True):
        found[k] = value
        if store is not None:
            store.put(keys[k], value)
    return tuple(found)  # type: ignore[arg-type]  # every entry is a Value now


MIN_PARALLEL_ARTICLES = 200  # each takes milliseconds: a fork pays for itself sooner than a page's
