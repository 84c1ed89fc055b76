"""Stories: articles from different outlets that report the same event, grouped.

How (general, not tuned to any digest):
1. Similarity of two articles = a blend of word TF-IDF cosine and named-entity TF-IDF cosine, scaled down
   as their dates drift apart. Two articles whose dates are too far apart can never share a story
   (a hard "cannot link"): the same minister visiting the same capital a year later is another event.
   An undated article uses the month its text names most ("in October 2023"), more loosely.
2. Average-link agglomerative clustering with a similarity threshold: a story grows only while the *mean*
   similarity between its members and the newcomer stays high, and never across a cannot-link pair, so
   one article that resembles two events cannot chain them into one story.

Front matter ``story:`` lets a person decide (the automatic grouping never touches such an article):
- ``story: none`` — the article is a story of its own, never grouped.
- ``story: <an article id>`` (e.g. a story id printed by ``digest stories``) — the article joins the story
  that article is in.
- ``story: <any other text>`` — all articles with the same text form one story, whose id is that text's slug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from generator import dates
from generator.content import Article
from generator.research.corpus import Features, When, features
from generator.research.text import Matrix, cosine
from generator.slugs import slugify

NO_STORY = "none"


@dataclass(frozen=True)
class StoryOptions:
    threshold: float = 0.3  # mean blended similarity needed to join a story
    entity_weight: float = 0.45  # share of named entities in the blend (the rest is words)
    max_gap_days: int = 7  # printed dates further apart than this are different events
    same_days: int = 3  # dates this close cost nothing
    mentioned_slack_days: int = 3  # extra gap allowed when a date is a day named in the text
    loose_gap_days: int = 45  # same, when one date is only a month named in the text
    cohesion: float = 0.6  # a story refuses newcomers less similar to it than this share of its own cohesion
    margin: float = 0.05  # an article without a day joins a story only if it fits it this much better


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    articles: tuple[Article, ...]  # earliest first, undated last
    start: str | None  # earliest printed date, as printed
    end: str | None
    outlets: tuple[str, ...]  # distinct sources, in article order
    pinned: bool  # some member's story was set by a person


def similarity(feats: Features, options: StoryOptions) -> Matrix:
    """Pairwise story similarity in [0, 1]; -1 marks pairs that must never share a story."""
    words = cosine(feats.word_vectors)
    blended = words.copy()
    n = len(feats.articles)
    for i in range(n):
        for j in range(i + 1, n):
            factor = date_factor(feats.when[i], feats.when[j], options)
            mixed = (1 - options.entity_weight) * words[i, j] + options.entity_weight * feats.actor_overlap(i, j)
            blended[i, j] = blended[j, i] = -1.0 if factor == 0 else mixed * factor
    return blended


def date_factor(a: When, b: When, options: StoryOptions) -> float:
    """1 for the same day, falling to 0.5 at the largest gap allowed, 0 (never together) beyond it."""
    gap = a.gap_days(b)
    if gap is None:
        apart = a.months_apart(b)
        return 0.0 if apart is not None and apart > 1 else 1.0
    if "month" in (a.precision, b.precision):
        return 0.0 if gap > options.loose_gap_days else 1.0
    # A day named in the text may be the event's day rather than the publication day: allow a few more.
    allowed = options.max_gap_days + (0 if a.exact and b.exact else options.mentioned_slack_days)
    if gap > allowed:
        return 0.0
    # Reports of one event usually come out within a few days: no penalty there, then a gentle one.
    return 1.0 if gap <= options.same_days else 1.0 - 0.5 * (gap - options.same_days) / allowed


def average_link(sim: Matrix, threshold: float, cohesion: float = 0.0) -> list[list[int]]:
    """Agglomerative clustering: merge the most similar pair of groups while their mean similarity is at
    least ``threshold``; a -1 entry (cannot link) makes the two groups unmergeable forever.

    ``cohesion``: a group also refuses a newcomer (article or group) whose mean similarity to it is below
    this share of the group's own mean internal similarity. A tight story of five reports does not absorb
    a report of another event that merely clears the threshold (two ministers in one capital that week).
    """
    n = len(sim)
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    inner: dict[int, float] = {i: 0.0 for i in range(n)}  # sum of similarities inside each group
    work = sim.astype(float).copy()
    blocked = work < 0
    np.fill_diagonal(work, -np.inf)
    work[blocked] = -np.inf
    while len(groups) > 1:
        flat = int(np.argmax(work))
        i, j = divmod(flat, n)
        value = float(work[i, j])
        if value < threshold:
            break
        size_i, size_j = len(groups[i]), len(groups[j])
        tightness = [inner[k] / (len(groups[k]) * (len(groups[k]) - 1) / 2) for k in (i, j) if len(groups[k]) > 1]
        if tightness and value < cohesion * min(tightness):
            work[i, j] = work[j, i] = -np.inf  # declined for good: later merges average it in as -inf
            continue
        # Lance-Williams update for average link; a blocked pair stays blocked for the merged group.
        merged = (size_i * work[i] + size_j * work[j]) / (size_i + size_j)
        merged[blocked[i] | blocked[j]] = -np.inf
        blocked[i] |= blocked[j]
        blocked[:, i] = blocked[i]
        work[i], work[:, i] = merged, merged
        work[i, i] = -np.inf
        work[j, :] = -np.inf
        work[:, j] = -np.inf
        inner[i] += inner.pop(j) + value * size_i * size_j
        groups[i].extend(groups.pop(j))
    return [sorted(members) for members in groups.values()]


def _clusters_of(indices: list[int], sim: Matrix, options: StoryOptions) -> list[list[int]]:
    sub = sim[np.ix_(indices, indices)]
    return [[indices[k] for k in members] for members in average_link(sub, options.threshold, options.cohesion)]


def cluster(indices: list[int], feats: Features, sim: Matrix, options: StoryOptions) -> list[list[int]]:
    """Group articles whose date is known to the day first (reliable); then attach each article known only
    to the month, or not at all, to the one story it clearly fits best — when two stories fit about
    equally (the same minister's visits a year apart) it stays apart rather than guess. Articles left
    over are grouped among themselves."""
    dated = [i for i in indices if feats.when[i].precision in ("printed", "day")]
    groups = _clusters_of(dated, sim, options) if dated else []
    leftover = []
    for i in (i for i in indices if feats.when[i].precision not in ("printed", "day")):
        fits = sorted(((_fit(i, g, sim), k) for k, g in enumerate(groups)), reverse=True)
        best = fits[0] if fits else (-1.0, -1)
        runner_up = fits[1][0] if len(fits) > 1 else 0.0
        if best[0] >= options.threshold and best[0] - runner_up >= options.margin:
            groups[best[1]].append(i)
        else:
            leftover.append(i)
    return groups + (_clusters_of(leftover, sim, options) if leftover else [])


def _fit(i: int, group: list[int], sim: Matrix) -> float:
    """Mean similarity of article ``i`` to a group; -1 when any member must never be with it."""
    values = sim[i, group]
    return -1.0 if bool((values < 0).any()) else float(values.mean())


def pin(article: Article) -> str | None:
    """The ``story:`` a person set, normalised (None when unset)."""
    value = (article.story or "").strip()
    return value or None


def group_indices(articles: Sequence[Article], feats: Features, sim: Matrix,
                  options: StoryOptions) -> list[list[int]]:
    """Automatic groups over unpinned articles, then the pins applied (see the module docstring)."""
    free = [i for i, a in enumerate(articles) if pin(a) is None]
    parent = list(range(len(articles)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for members in cluster(free, feats, sim, options):
        for member in members[1:]:
            union(member, members[0])
    by_id = {a.id: i for i, a in enumerate(articles)}
    by_name: dict[str, int] = {}
    for i, article in enumerate(articles):
        value = pin(article)
        if value is None or value.casefold() == NO_STORY:
            continue
        if value in by_id and by_id[value] != i:
            union(i, by_id[value])
        else:
            union(i, by_name.setdefault(slugify(value, value), i))
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _order(article: Article, tz: ZoneInfo) -> tuple[int, float, str]:
    if article.date:
        return (0, dates.to_datetime(article.date, tz).timestamp(), article.id)
    return (1, 0.0, article.id)


def make_story(members: list[int], articles: Sequence[Article], sim: Matrix, tz: ZoneInfo) -> Story:
    ordered = sorted(members, key=lambda i: _order(articles[i], tz))
    chosen = tuple(articles[i] for i in ordered)
    # Title: the most central member (highest mean similarity to the others); ties go to the earliest.
    centrality = [float(np.mean([max(sim[i, j], 0.0) for j in ordered if j != i])) if len(ordered) > 1
                  else 0.0 for i in ordered]
    central = chosen[max(range(len(ordered)), key=lambda k: (centrality[k], -k))]
    ids = {x.id for x in articles}
    names = [slugify(p, p) for a in chosen if (p := pin(a)) and p.casefold() != NO_STORY and p not in ids]
    dated = [a.date for a in chosen if a.date]
    outlets = tuple(dict.fromkeys(a.source for a in chosen if a.source))
    return Story(id=names[0] if names else chosen[0].id, title=central.title, articles=chosen,
                 start=dated[0] if dated else None, end=dated[-1] if dated else None, outlets=outlets,
                 pinned=any(pin(a) for a in chosen))


def find_stories(articles: Sequence[Article], tz: ZoneInfo | None = None,
                 options: StoryOptions | None = None, feats: Features | None = None) -> tuple[Story, ...]:
    """Every article in exactly one story (most are stories of one). Ordered by earliest date, then id.
    ``feats`` (of the same articles) saves recomputing them when related articles need them too."""
    tz = tz or ZoneInfo("UTC")
    options = options or StoryOptions()
    if not articles:
        return ()
    feats = feats or features(articles, tz)
    sim = similarity(feats, options)
    stories = [make_story(m, articles, sim, tz) for m in group_indices(articles, feats, sim, options)]
    return tuple(sorted(stories, key=lambda s: (_order(s.articles[0], tz), s.id)))


def story_of(stories: Sequence[Story]) -> dict[str, Story]:
    """Article id -> its story, for the build's "also reported by" and story links."""
    return {a.id: s for s in stories for a in s.articles}


def span_label(story: Story) -> str:
    """``2023-11-15 – 2023-11-17``, one day, or "undated"."""
    if story.start is None or story.end is None:
        return "undated"
    start, end = story.start[:10], story.end[:10]
    return start if start == end else f"{start} – {end}"

