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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from generator import dates
from generator.content import Article
from generator.research.corpus import PRECISIONS, Calendar, Features, features
from generator.research.disjoint import DisjointSets
from generator.research.duplicates import DuplicateGroup, find_duplicates
from generator.research.text import Matrix
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


def similarity(feats: Features, options: StoryOptions, rows: Sequence[int], cols: Sequence[int]) -> Matrix:
    """Story similarity of the ``rows`` articles to the ``cols`` articles, in [0, 1]; -1 marks pairs that
    must never share a story (and an article's similarity to itself)."""
    mixed = ((1 - options.entity_weight) * feats.word_cosines.block(rows, cols)
             + options.entity_weight * feats.actor_block(rows, cols))
    factor = date_factors(feats.calendar, rows, cols, options)
    blended: Matrix = np.where(factor == 0, -1.0, mixed * factor)
    blended[np.asarray(rows)[:, None] == np.asarray(cols)[None, :]] = -1.0
    return blended


def date_factors(cal: Calendar, rows: Sequence[int], cols: Sequence[int], options: StoryOptions) -> Matrix:
    """1 for the same few days, falling to 0.5 at the largest gap allowed, 0 (never together) beyond it.

    Printed dates are strict; a day named in the text gets a few days' slack (it may be the event's day,
    not the publication's); a month named with its year is compared loosely; two articles that only name
    months without a year ("on November 18") are kept apart when those months differ by more than one."""
    r, c = np.asarray(rows), np.asarray(cols)
    gap = np.abs(cal.day[r][:, None] - cal.day[c][None, :])  # NaN when either day is unknown
    printed = PRECISIONS.index("printed")
    both_printed = (cal.precision[r][:, None] == printed) & (cal.precision[c][None, :] == printed)
    allowed = options.max_gap_days + np.where(both_printed, 0, options.mentioned_slack_days)
    by_day = np.where(gap <= options.same_days, 1.0, 1.0 - 0.5 * (gap - options.same_days) / allowed)
    by_day = np.where(gap > allowed, 0.0, by_day)
    month = PRECISIONS.index("month")
    loose = (cal.precision[r][:, None] == month) | (cal.precision[c][None, :] == month)
    by_day = np.where(loose, np.where(gap > options.loose_gap_days, 0.0, 1.0), by_day)
    apart = np.abs(cal.month[r][:, None] - cal.month[c][None, :]) % 12
    apart = np.minimum(apart, 12 - apart)
    comparable = ((cal.month[r][:, None] > 0) & (cal.month[c][None, :] > 0)
                  & (cal.yearless[r][:, None] | cal.yearless[c][None, :]))
    by_month = np.where(comparable & (apart > 1), 0.0, 1.0)
    result: Matrix = np.where(np.isnan(gap), by_month, by_day)
    return result


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


CHUNK = 512  # rows of similarity computed at once: bounds memory on large digests


def _components(indices: list[int], feats: Features, options: StoryOptions) -> list[list[int]]:
    """Split ``indices`` into groups no story can span: average link only merges groups with a mean
    similarity at or above the threshold, so some pair across them must reach it. Clustering each
    connected component of the "some pair reaches the threshold" graph is exact and keeps the dense
    matrices small. Articles with a day are only compared within the date window that can link them."""
    order = sorted(indices, key=lambda i: (feats.calendar.day[i] if not np.isnan(feats.calendar.day[i])
                                           else np.inf, i))
    days = np.array([feats.calendar.day[i] for i in order])
    loose = {i for i in order if feats.calendar.precision[i] == PRECISIONS.index("month")}
    edges_from: list[int] = []
    edges_to: list[int] = []
    for start in range(0, len(order), CHUNK):
        rows = order[start:start + CHUNK]
        reach = max(options.max_gap_days + options.mentioned_slack_days,
                    options.loose_gap_days if loose else 0)
        first, last = days[start], days[min(start + CHUNK, len(order)) - 1]
        if np.isnan(first) or np.isnan(last):
            cols = order  # some undated row: compare with everything
        else:
            lo = int(np.searchsorted(days, first - reach, side="left"))
            hi = int(np.searchsorted(days, last + reach, side="right"))
            cols = order[lo:hi]
        block = similarity(feats, options, rows, cols)
        found_rows, found_cols = np.nonzero(block >= options.threshold)
        edges_from.extend(rows[k] for k in found_rows)
        edges_to.extend(cols[k] for k in found_cols)
    position = {article: k for k, article in enumerate(indices)}
    graph = sparse.csr_matrix((np.ones(len(edges_from)), ([position[a] for a in edges_from],
                                                          [position[b] for b in edges_to])),
                              shape=(len(indices), len(indices)))
    _count, labels = connected_components(graph, directed=False)
    components: dict[int, list[int]] = {}
    for k, label in enumerate(labels):
        components.setdefault(int(label), []).append(indices[k])
    return list(components.values())


def _clusters_of(indices: list[int], feats: Features, options: StoryOptions) -> list[list[int]]:
    clusters = []
    for component in _components(indices, feats, options):
        if len(component) == 1:
            clusters.append(component)
            continue
        sim = similarity(feats, options, component, component)
        clusters.extend([component[k] for k in members]
                        for members in average_link(sim, options.threshold, options.cohesion))
    return clusters


def cluster(indices: list[int], feats: Features, options: StoryOptions) -> list[list[int]]:
    """Group articles whose date is known to the day first (reliable); then attach each article known only
    to the month, or not at all, to the one story it clearly fits best — when two stories fit about
    equally (the same minister's visits a year apart) it stays apart rather than guess. Articles left
    over are grouped among themselves."""
    by_day = {PRECISIONS.index("printed"), PRECISIONS.index("day")}
    dated = [i for i in indices if feats.calendar.precision[i] in by_day]
    undated = [i for i in indices if feats.calendar.precision[i] not in by_day]
    groups = _clusters_of(dated, feats, options) if dated else []
    leftover = list(undated)
    if groups and undated:
        group_of = np.empty(len(dated), dtype=np.int64)
        position = {article: k for k, article in enumerate(dated)}
        for number, group in enumerate(groups):
            group_of[[position[a] for a in group]] = number
        sizes = np.bincount(group_of, minlength=len(groups)).astype(np.float64)
        leftover = []
        for start in range(0, len(undated), CHUNK):
            rows = undated[start:start + CHUNK]
            block = similarity(feats, options, rows, dated)
            for k, i in enumerate(rows):
                fits = np.bincount(group_of, weights=block[k], minlength=len(groups)) / sizes
                fits[np.bincount(group_of, weights=block[k] < 0, minlength=len(groups)) > 0] = -1.0
                best = int(np.argmax(fits))
                runner_up = float(np.partition(fits, -2)[-2]) if len(fits) > 1 else 0.0
                if fits[best] >= options.threshold and fits[best] - max(runner_up, 0.0) >= options.margin:
                    groups[best] = [*groups[best], i]
                else:
                    leftover.append(i)
    return groups + (_clusters_of(leftover, feats, options) if leftover else [])


def pin(article: Article) -> str | None:
    """The ``story:`` a person set, normalised (None when unset)."""
    value = (article.story or "").strip()
    return value or None


def group_indices(articles: Sequence[Article], feats: Features, options: StoryOptions,
                  copy_of: Mapping[int, int]) -> list[list[int]]:
    """Automatic groups over unpinned articles, then the pins applied (see the module docstring).
    Syndicated copies (``copy_of``: copy -> canonical) take no part in the grouping — a text and its
    copy are more alike than any two reports, which would make their story refuse the others — and
    then join the story of the text they copy."""
    free = [i for i, a in enumerate(articles) if pin(a) is None and i not in copy_of]
    sets = DisjointSets(len(articles))
    union = sets.union
    for members in cluster(free, feats, options):
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
    for copy, original in copy_of.items():
        if pin(articles[copy]) is None:
            union(copy, original)
    return sets.groups()


def _order(article: Article, tz: ZoneInfo) -> tuple[int, float, str]:
    if article.date:
        return (0, dates.to_datetime(article.date, tz).timestamp(), article.id)
    return (1, 0.0, article.id)


def make_story(members: list[int], articles: Sequence[Article], feats: Features, options: StoryOptions,
               tz: ZoneInfo, copies: Collection[int] = (), ids: Collection[str] = ()) -> Story:
    """One story from its members' indices; ``ids`` (all article ids) tells a pin naming an article from
    a pin naming a story."""
    ordered = sorted(members, key=lambda i: _order(articles[i], tz))
    chosen = tuple(articles[i] for i in ordered)
    # Title: the most central member (highest mean similarity to the others); ties go to the earliest.
    # Syndicated copies neither give the title nor count twice towards it.
    originals = [i for i in ordered if i not in copies] or ordered
    central = articles[originals[0]]
    if len(originals) > 1:
        sim = np.clip(similarity(feats, options, originals, originals), 0.0, None)
        centrality = list(sim.sum(axis=1) / (len(originals) - 1))
        central = articles[originals[max(range(len(originals)), key=lambda k: (centrality[k], -k))]]
    names = [slugify(p, p) for a in chosen if (p := pin(a)) and p.casefold() != NO_STORY and p not in ids]
    dated = [a.date for a in chosen if a.date]
    outlets = tuple(dict.fromkeys(a.source for a in chosen if a.source))
    return Story(id=names[0] if names else chosen[0].id, title=central.title, articles=chosen,
                 start=dated[0] if dated else None, end=dated[-1] if dated else None, outlets=outlets,
                 pinned=any(pin(a) for a in chosen))


def find_stories(articles: Sequence[Article], tz: ZoneInfo | None = None,
                 options: StoryOptions | None = None, feats: Features | None = None,
                 duplicates: Sequence[DuplicateGroup] | None = None) -> tuple[Story, ...]:
    """Every article in exactly one story (most are stories of one). Ordered by earliest date, then id.
    ``feats`` and ``duplicates`` (of the same articles) save recomputing them when the caller has them."""
    tz = tz or ZoneInfo("UTC")
    options = options or StoryOptions()
    if not articles:
        return ()
    feats = feats or features(articles, tz)
    position = {a.id: i for i, a in enumerate(articles)}
    groups = find_duplicates(articles, tz) if duplicates is None else duplicates
    copy_of = {position[c.id]: position[g.canonical.id] for g in groups for c in g.others}
    # The same text under dates that cannot be one event (re-run a year later) is grouped like any other.
    copy_of = {c: o for c, o in copy_of.items() if date_factors(feats.calendar, [c], [o], options)[0, 0] > 0}
    ids = set(position)
    stories = [make_story(m, articles, feats, options, tz, copy_of.keys(), ids)
               for m in group_indices(articles, feats, options, copy_of)]
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

