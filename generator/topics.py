"""Topic assignment: an article gets every declared topic whose name or terms it mentions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from generator.config import TopicConfig


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words only, so "Iran" does not match "Iranian"... unless a term says so; case-insensitive.
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True) if t.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def match_topics(text: str, topics: Iterable[TopicConfig]) -> tuple[str, ...]:
    """Names of the topics whose name or any term occurs in ``text``, in declaration order."""
    found = []
    for topic in topics:
        terms = (topic.name, *topic.terms)
        if _term_pattern(terms).search(text):
            found.append(topic.name)
    return tuple(found)
