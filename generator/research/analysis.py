"""``analyse(articles, tz)``: the one call the build needs for its pages. It computes the shared text
features once and returns stories, syndicated duplicate groups and related articles together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from generator.content import Article
from generator.research.corpus import Store, features
from generator.research.duplicates import DuplicateGroup, duplicate_of, find_duplicates, hidden_ids
from generator.research.related import Related, related_articles
from generator.research.stories import Story, StoryOptions, find_stories, story_of


@dataclass(frozen=True)
class Research:
    stories: tuple[Story, ...]  # every article in exactly one story; most have one article
    duplicates: tuple[DuplicateGroup, ...]
    related: dict[str, tuple[Related, ...]]  # article id -> related articles, best first
    hidden: frozenset[str]  # ids of syndicated copies: show once (the canonical), not in lists or feeds

    @cached_property
    def _story_of(self) -> dict[str, Story]:
        return story_of(self.stories)

    @cached_property
    def _duplicate_of(self) -> dict[str, DuplicateGroup]:
        return duplicate_of(self.duplicates)

    def story(self, article_id: str) -> Story | None:
        """The story of an article when it has other members (a one-article story is no story to show)."""
        found = self._story_of.get(article_id)
        return found if found is not None and len(found.articles) > 1 else None

    def duplicate(self, article_id: str) -> DuplicateGroup | None:
        """The group of copies an article belongs to (as canonical or copy), if any."""
        return self._duplicate_of.get(article_id)


def analyse(articles: Sequence[Article], tz: ZoneInfo | None = None, *, related_limit: int = 5,
            options: StoryOptions | None = None, store: Store | None = None) -> Research:
    """Stories, syndicated copies and related articles of ``articles``. With ``store`` (the build's
    derived-value cache), per-article work (names, terms, dates, MinHash signatures) is remembered by
    article text, so a rebuild redoes only the grouping, which depends on all articles together."""
    tz = tz or ZoneInfo("UTC")
    feats = features(articles, tz, store)
    duplicates = find_duplicates(articles, tz, store=store)
    hidden = hidden_ids(duplicates)
    stories = find_stories(articles, tz, options, feats=feats, duplicates=duplicates)
    related = related_articles(articles, tz, limit=related_limit, stories=stories, exclude=hidden, feats=feats)
    return Research(stories=stories, duplicates=duplicates, related=related, hidden=hidden)


