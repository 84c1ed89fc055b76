"""Syndicated duplicates: the same text published by several outlets (wire copy), or captured twice.

MinHash signatures over word 5-gram shingles, indexed with LSH (datasketch), find candidate pairs without
comparing every pair; each candidate is then checked on the exact shingle sets, so the LSH approximation
can only cost a missed candidate, never a false duplicate. Two texts are duplicates when their shingle
sets overlap a lot (Jaccard), or when one is almost wholly contained in the other (an outlet that ran the
wire story and added a paragraph, or cut the last ones). Articles that merely report the same event in
their own words share almost no 5-grams, so they are *stories* (``generator.research.stories``), not
duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

import numpy as np
from datasketch import MinHash, MinHashLSH
from numpy.typing import NDArray

from generator import dates
from generator.content import Article
from generator.research.corpus import Store, cache_key, prose, remembered
from generator.research.disjoint import DisjointSets

SHINGLE_WORDS = 5
NUM_PERM = 128
WORD = re.compile(r"\w+")


@lru_cache(maxsize=8)
def _band_params(threshold: float) -> tuple[int, int]:
    """LSH (bands, rows) for ``threshold``. datasketch finds them by numerical integration on every
    MinHashLSH() (~40 ms, a noticeable share of a live-reload rebuild); same inputs, same answer."""
    probe = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return probe.b, probe.r


@dataclass(frozen=True)
class DuplicateOptions:
    jaccard: float = 0.5  # shingle-set Jaccard at or above which two texts are the same text
    containment: float = 0.8  # share of the shorter text found in the longer one, same meaning
    candidate_threshold: float = 0.3  # LSH recall knob: Jaccard estimate that makes a pair a candidate
    min_shingles: int = 20  # shorter texts say too little to call them duplicates


@dataclass(frozen=True)
class DuplicateGroup:
    """One text published more than once: shown once, as ``canonical`` (the earliest), with the others
    listed as "also published by"."""

    canonical: Article
    others: tuple[Article, ...]  # earliest first
    overlap: tuple[float, ...]  # each other's containment in/of the canonical text (0..1)

    @property
    def outlets(self) -> tuple[str, ...]:
        """The other publishers' names (their source, else their title), for "also published by"."""
        return tuple(dict.fromkeys(a.source or a.title for a in self.others))


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """Overlapping word ``size``-grams of the case-folded text (punctuation and spacing ignored)."""
    tokens = WORD.findall(text.casefold())
    return frozenset(" ".join(tokens[i:i + size]) for i in range(max(len(tokens) - size + 1, 0)))


def _signature(items: frozenset[str]) -> MinHash:
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    signature.update_batch([item.encode("utf-8") for item in sorted(items)])
    return signature


def overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))


def _order(article: Article, tz: ZoneInfo) -> tuple[int, float, str]:
    # Canonical = first published; undated articles come after dated ones; ids break ties stably.
    if article.date:
        return (0, dates.to_datetime(article.date, tz).timestamp(), article.id)
    return (1, 0.0, article.id)


def text_shingles(article: Article) -> frozenset[str]:
    """Shingles of the body's prose (furniture lines left out), or of the whole body when it has none."""
    return shingles(prose(article.body) or article.body)


@dataclass(frozen=True)
class Fingerprint:
    """An article's MinHash signature and shingle count: small enough to cache, enough to find candidates."""

    shingles: int
    hashvalues: NDArray[np.uint64]
    scheme: str | None  # datasketch >= 2 names its permutation scheme; values only compare within one


def make_fingerprint(article: Article) -> Fingerprint:
    items = text_shingles(article)
    signature = _signature(items)
    return Fingerprint(len(items), signature.hashvalues, getattr(signature, "scheme", None))


def fingerprints(articles: Sequence[Article], store: Store | None = None) -> tuple[Fingerprint, ...]:
    return remembered(articles, store, partial(cache_key, "minhash"), make_fingerprint, Fingerprint)


def duplicate_pairs(articles: Sequence[Article], options: DuplicateOptions,
                    store: Store | None = None) -> tuple[list[tuple[int, int]], dict[int, frozenset[str]]]:
    """Every verified duplicate pair (i < j), and the shingle sets that were needed to verify them.

    Signatures (cacheable) find the candidates; only candidates' texts are shingled again, to check the
    exact overlap."""
    lsh = MinHashLSH(num_perm=NUM_PERM, params=_band_params(options.candidate_threshold))
    sets: dict[int, frozenset[str]] = {}

    def shingled(k: int) -> frozenset[str]:
        if k not in sets:
            sets[k] = text_shingles(articles[k])
        return sets[k]

    pairs = []
    for i, found in enumerate(fingerprints(articles, store)):
        if found.shingles < options.min_shingles:
            continue
        scheme = {"scheme": found.scheme} if found.scheme else {}
        signature = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=found.hashvalues, **scheme)
        for key in sorted(lsh.query(signature), key=int):
            j = int(key)
            jaccard, contained = overlap(shingled(j), shingled(i))
            if jaccard >= options.jaccard or contained >= options.containment:
                pairs.append((j, i))
        lsh.insert(str(i), signature)
    return sorted(pairs), sets


def find_duplicates(articles: Sequence[Article], tz: ZoneInfo | None = None,
                    options: DuplicateOptions | None = None, store: Store | None = None,
                    ) -> tuple[DuplicateGroup, ...]:
    """Groups of two or more articles carrying the same text, ordered by their canonical article."""
    tz = tz or ZoneInfo("UTC")
    options = options or DuplicateOptions()
    pairs, sets = duplicate_pairs(articles, options, store)
    joined = DisjointSets(len(articles))
    for i, j in pairs:
        joined.union(i, j)
    groups = []
    for indices in joined.groups():
        if len(indices) < 2:
            continue
        ordered = sorted(indices, key=lambda k: _order(articles[k], tz))
        first = ordered[0]
        groups.append(DuplicateGroup(
            canonical=articles[first], others=tuple(articles[k] for k in ordered[1:]),
            overlap=tuple(round(overlap(sets[first], sets[k])[1], 3) for k in ordered[1:])))
    return tuple(sorted(groups, key=lambda g: _order(g.canonical, tz)))


def hidden_ids(groups: Sequence[DuplicateGroup]) -> frozenset[str]:
    """Ids of the non-canonical copies: the build leaves them out of lists and feeds."""
    return frozenset(a.id for g in groups for a in g.others)


def duplicate_of(groups: Sequence[DuplicateGroup]) -> dict[str, DuplicateGroup]:
    """Article id (canonical or copy) -> its group."""
    return {a.id: g for g in groups for a in (g.canonical, *g.others)}
