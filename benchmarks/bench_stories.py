#!/usr/bin/env python3
"""Story grouping benchmark (issue 7): pairwise precision and recall on the synthetic corpus, and time.

    python benchmarks/bench_stories.py [--seeds 10] [--pairs 10] [--scale 60]

Each seed generates a corpus (tests/fixtures/research/synthetic.py): ``--pairs`` pairs of sibling events
(same people, same capital, months apart), each reported by 2-5 outlets in their own words, some undated,
plus analysis pieces about the same people. Precision: of the article pairs put in one story, the share
that report the same event; recall: of the pairs that report the same event, the share put in one story.
``--scale`` times runs on two bigger corpora with that many event pairs (a dense one, where the same
seven people meet again and again, and one with every country's people), and duplicate detection on them.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.content import Article
from generator.research.duplicates import find_duplicates
from generator.research.stories import find_stories
from tests.fixtures.research.synthetic import COUNTRIES, HOT_COUNTRIES, corpus, pairwise_scores


def score(seed: int, pairs: int) -> tuple[int, int, float, float]:
    articles, truth = corpus(seed, pairs)
    index = {a.id: i for i, a in enumerate(articles)}
    groups = [[index[a.id] for a in story.articles] for story in find_stories(articles)]
    precision, recall = pairwise_scores(groups, truth)
    return len(articles), len({t for t in truth if t}), precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--scale", type=int, default=60, help="event pairs in the timed runs (0: none)")
    args = parser.parse_args()
    print(f"{'seed':>4} {'articles':>8} {'events':>6} {'precision':>9} {'recall':>6}")
    results = []
    for seed in range(1, args.seeds + 1):
        n, events, precision, recall = score(seed, args.pairs)
        results.append((precision, recall))
        print(f"{seed:>4} {n:>8} {events:>6} {precision:>9.3f} {recall:>6.3f}")
    precisions, recalls = [p for p, _ in results], [r for _, r in results]
    print(f"mean pairwise precision {statistics.mean(precisions):.3f} (min {min(precisions):.3f}), "
          f"recall {statistics.mean(recalls):.3f} (min {min(recalls):.3f})")
    if args.scale:
        # Dense: the default small cast, so many events share people and weeks; wide: every country's people.
        for label, countries in (("dense cast", HOT_COUNTRIES), ("wide cast", tuple(COUNTRIES))):
            timed(label, *corpus(1000 + args.scale, args.scale, countries))


def timed(label: str, articles: list[Article], truth: list[str | None]) -> None:
    started = time.perf_counter()
    stories = find_stories(articles)
    grouped = time.perf_counter() - started
    index = {a.id: i for i, a in enumerate(articles)}
    precision, recall = pairwise_scores([[index[a.id] for a in s.articles] for s in stories], truth)
    started = time.perf_counter()
    duplicates = find_duplicates(articles)
    deduped = time.perf_counter() - started
    print(f"{label}: {len(articles)} articles -> {len(stories)} stories in {grouped:.2f} s "
          f"(precision {precision:.3f}, recall {recall:.3f}); duplicate scan {deduped:.2f} s, "
          f"{len(duplicates)} groups")

if __name__ == "__main__":
    main()
