"""Related articles: per article, the few others most worth reading next, computed at build time.

Score = same story (strongest: another outlet's report of the same event) + shared declared topics
(Jaccard) + shared names (entity TF-IDF cosine) + shared words (TF-IDF cosine). Ties are broken by
date (newer first) and id, so the order is the same on every build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator import dates
from generator.content import Article
from generator.research.corpus import Features, features
from generator.research.stories import Story, story_of
from generator.research.text import cosine

STORY_WEIGHT = 1.0
TOPIC_WEIGHT = 0.4
ENTITY_WEIGHT = 0.4
WORD_WEIGHT = 0.3


@dataclass(frozen=True)
class Related:
    article: Article
    score: float
    same_story: bool
    shared_topics: tuple[str, ...]


def _topic_overlap(a: Article, b: Article) -> tuple[float, tuple[str, ...]]:
    mine = {t.casefold(): t for t in a.topics}
    theirs = {t.casefold() for t in b.topics}
    shared = tuple(name for key, name in mine.items() if key in theirs)
    union = len(set(mine) | theirs)
    return (len(shared) / union if union else 0.0), shared


def _recency(article: Article, tz: ZoneInfo) -> float:
    return dates.to_datetime(article.date, tz).timestamp() if article.date else float("-inf")


def related_articles(articles: Sequence[Article], tz: ZoneInfo | None = None, *, limit: int = 5,
                     stories: Sequence[Story] = (), exclude: frozenset[str] = frozenset(),
                     min_score: float = 0.1, feats: Features | None = None) -> dict[str, tuple[Related, ...]]:
    """Article id -> up to ``limit`` related articles, best first. Articles in ``exclude`` (e.g. the
    copies of a syndicated text, see ``duplicates.hidden_ids``) are never suggested."""
    tz = tz or ZoneInfo("UTC")
    feats = feats or features(articles, tz)
    if not articles:
        return {}
    blended = ENTITY_WEIGHT * cosine(feats.entity_vectors) + WORD_WEIGHT * cosine(feats.word_vectors)
    in_story = story_of(stories)
    out: dict[str, tuple[Related, ...]] = {}
    for i, article in enumerate(articles):
        mine = in_story.get(article.id)
        found = []
        for j, other in enumerate(articles):
            if j == i or other.id in exclude or other.id == article.id:
                continue
            topic_score, shared = _topic_overlap(article, other)
            theirs = in_story.get(other.id)
            same = mine is not None and len(mine.articles) > 1 and theirs is not None and theirs.id == mine.id
            score = float(blended[i, j]) + TOPIC_WEIGHT * topic_score + (STORY_WEIGHT if same else 0.0)
            if score >= min_score:
                found.append(Related(other, round(score, 6), same, shared))
        found.sort(key=lambda r: (-r.score, -_recency(r.article, tz), r.article.id))
        out[article.id] = tuple(found[:limit])
    return out



