"""Topic suggestions: frequent people, places and organisations that no declared topic covers yet.

A name is *covered* when a declared topic's name or one of its terms occurs in it as whole words
(``Kozlov`` covers "Alexander Kozlov"), which is exactly how ingest assigns topics (``generator.topics``).
Outlet names (the articles' ``source``) are never suggested: every article mentions its own publisher.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from generator.config import TopicConfig
from generator.content import Article
from generator.research.corpus import full_text
from generator.research.entities import Entity, entity_key, extract
from generator.topics import match_topics

KIND_LABELS = {"person": "person", "place": "place", "organisation": "organisation", "other": "name"}


@dataclass(frozen=True)
class Suggestion:
    name: str
    kind: str  # person, place, organisation, or name (a proper name of unknown kind)
    articles: int  # how many articles mention it
    mentions: int  # how often, in all
    examples: tuple[str, ...]  # titles of up to three articles that mention it most
    terms: tuple[str, ...]  # short forms the articles use for it ("Matsegora")


@dataclass(frozen=True)
class TopicCount:
    name: str
    articles: int
    declared: bool


def _covered(entity: Entity, topics: Sequence[TopicConfig]) -> bool:
    """A topic's term occurs in the name ("Kozlov" covers "Alexander Kozlov"), or the name is a piece of a
    topic's name or term ("Chains" of "Supply Chains", "Health" of "Public Health"): not a name of its own."""
    if match_topics(entity.name, topics):
        return True
    piece = TopicConfig(name=entity.name)
    return any(match_topics(term, (piece,)) for topic in topics for term in (topic.name, *topic.terms))


def _key(entity: Entity) -> str:
    """"the Arctic" and "Arctic" are one name."""
    return entity.key.removeprefix("the ")


def _kind(found: list[Entity]) -> str:
    """The kind most articles gave the name (ties: person, place, organisation, other)."""
    votes = Counter(e.kind for e in found)
    return max(votes, key=lambda k: (votes[k], -("person", "place", "organisation", "other").index(k)))


def suggest_topics(articles: Sequence[Article], topics: Sequence[TopicConfig], *, min_articles: int = 2,
                   limit: int = 20) -> tuple[Suggestion, ...]:
    """Names in at least ``min_articles`` articles, not covered by ``topics``; most frequent first."""
    by_key: dict[str, list[tuple[Article, Entity]]] = {}
    # Publishers and bylines (an outlet, a wire agency) are not what articles are about.
    outlets = {entity_key(name) for a in articles for name in (a.source or "", *a.authors) if name}
    for article in articles:
        for entity in extract(full_text(article)):
            by_key.setdefault(_key(entity), []).append((article, entity))
    found = []
    for key, hits in by_key.items():
        entities = [e for _, e in hits]
        kind = _kind(entities)
        in_articles = len({a.id for a, _ in hits})  # ("the Arctic" and "Arctic" in one article: once)
        if in_articles < min_articles or key in outlets:
            continue
        if _covered(entities[0], topics):
            continue
        name = Counter(e.name.removeprefix("the ") for e in entities).most_common(1)[0][0]
        ranked = sorted(hits, key=lambda hit: (-hit[1].count, hit[0].title))
        found.append(Suggestion(
            name=name, kind=KIND_LABELS[kind], articles=in_articles,
            mentions=sum(e.count for e in entities), examples=tuple(dict.fromkeys(a.title for a, _ in ranked))[:3],
            # Short forms the articles really use ("Matsegora said"), so the topic matches them too.
            terms=tuple(sorted({form for e in entities for form in e.short_forms} - {name}))))
    found.sort(key=lambda s: (-s.articles, -s.mentions, s.name))
    return tuple(found[:limit])


def as_yaml(suggestions: Sequence[Suggestion]) -> str:
    """A ``topics:`` block ready to paste into site.yaml, each entry with a comment saying why."""
    lines = ["topics:"]
    for s in suggestions:
        lines.append(f"  # {s.kind}, in {s.articles} articles ({s.mentions} mentions), e.g. "
                     + "; ".join(_short(t) for t in s.examples))
        entry: dict[str, object] = {"name": s.name}
        if s.terms:
            entry["terms"] = list(s.terms)
        dumped = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=False,
                                width=1000)
        lines.extend("  " + line for line in dumped.rstrip("\n").split("\n"))
    return "\n".join(lines) + "\n"


def _short(title: str, limit: int = 60) -> str:
    flat = " ".join(title.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def topic_counts(articles: Sequence[Article], topics: Sequence[TopicConfig]) -> tuple[TopicCount, ...]:
    """Declared topics (in declaration order) and then topics that articles name in front matter but
    site.yaml does not declare, each with how many articles carry it."""
    counts = Counter(name.casefold() for a in articles for name in dict.fromkeys(a.topics))
    spelled: dict[str, str] = {}
    for article in articles:
        for name in article.topics:
            spelled.setdefault(name.casefold(), name)
    declared = [TopicCount(t.name, counts.get(t.name.casefold(), 0), True) for t in topics]
    known = {t.name.casefold() for t in topics}
    undeclared = sorted((TopicCount(spelled[k], n, False) for k, n in counts.items() if k not in known),
                        key=lambda t: (-t.articles, t.name))
    return (*declared, *undeclared)
