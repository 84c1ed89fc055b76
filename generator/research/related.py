"""Related articles: per article, the few others most worth reading next, computed at build time.

Score = same story (strongest: another outlet's report of the same event) + shared declared topics
(Jaccard) + shared names (entity TF-IDF cosine) + shared words (TF-IDF cosine). Ties are broken by
date (newer first) and id, so the order is the same on every build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from scipy import sparse

from generator import dates
from generator.content import Article
from generator.research.corpus import Features, features
from generator.research.stories import CHUNK, Story, story_of

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


def _recency(article: Article, tz: ZoneInfo) -> float:
    return dates.to_datetime(article.date, tz).timestamp() if article.date else float("-inf")


def _topic_matrix(articles: Sequence[Article]) -> sparse.csr_matrix:
    """Articles x topics (case-insensitive), 1 where the article carries the topic."""
    index: dict[str, int] = {}
    cells = {(row, index.setdefault(t.casefold(), len(index))) for row, a in enumerate(articles) for t in a.topics}
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    return sparse.csr_matrix((np.ones(len(cells)), (rows, cols)), shape=(len(articles), max(len(index), 1)))


def related_articles(articles: Sequence[Article], tz: ZoneInfo | None = None, *, limit: int = 5,
                     stories: Sequence[Story] = (), exclude: frozenset[str] = frozenset(),
                     min_score: float = 0.1, feats: Features | None = None) -> dict[str, tuple[Related, ...]]:
    """Article id -> up to ``limit`` related articles, best first. Articles in ``exclude`` (e.g. the
    copies of a syndicated text, see ``duplicates.hidden_ids``) are never suggested."""
    tz = tz or ZoneInfo("UTC")
    if not articles:
        return {}
    feats = feats or features(articles, tz)
    everyone = list(range(len(articles)))
    topics = _topic_matrix(articles)
    counts = np.asarray(topics.sum(axis=1)).ravel()
    story_ids = story_of(stories)
    numbers: dict[str, int] = {}
    label = np.array([numbers.setdefault(story_ids[a.id].id, len(numbers))
                      if a.id in story_ids and len(story_ids[a.id].articles) > 1 else -1 - i
                      for i, a in enumerate(articles)])  # negative: in no story with others
    excluded = np.array([a.id in exclude for a in articles])
    recency = [_recency(a, tz) for a in articles]
    out: dict[str, tuple[Related, ...]] = {}
    for start in range(0, len(articles), CHUNK):
        rows = everyone[start:start + CHUNK]
        shared = (topics[rows] @ topics.T).toarray()
        union = counts[rows][:, None] + counts[None, :] - shared
        score = (ENTITY_WEIGHT * feats.entity_cosines.block(rows, everyone)
                 + WORD_WEIGHT * feats.word_cosines.block(rows, everyone)
                 + TOPIC_WEIGHT * np.divide(shared, union, out=np.zeros_like(shared), where=union > 0))
        same = label[rows][:, None] == label[None, :]
        score += STORY_WEIGHT * same
        for k, i in enumerate(rows):
            row = np.where((score[k] >= min_score) & ~excluded, score[k], -np.inf)
            row[i] = -np.inf
            # Only the best few can make the list; ties at the cut are kept whole, then sorted exactly.
            keep = min(limit * 4, len(row) - 1)
            if keep < 1:
                out[articles[i].id] = ()
                continue
            cut = np.partition(row, -keep)[-keep]
            candidates = [int(j) for j in np.nonzero((row >= cut) & np.isfinite(row))[0]
                          if articles[int(j)].id != articles[i].id]
            best = sorted(candidates, key=lambda j: (-round(float(row[j]), 6), -recency[j], articles[j].id))[:limit]
            mine = {t.casefold() for t in articles[i].topics}
            out[articles[i].id] = tuple(
                Related(articles[j], round(float(row[j]), 6), bool(same[k, j]),
                        tuple(t for t in articles[j].topics if t.casefold() in mine)) for j in best)
    return out
