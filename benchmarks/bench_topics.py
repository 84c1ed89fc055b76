#!/usr/bin/env python3
"""Topics per article, before and after issue 19: any mention of a topic's term (``match_topics``, the old
rule) against "what the article is about" (``assign_topics``: headline or lede, or repeated in the body).

    python benchmarks/bench_topics.py [--n 2000] [--seeds 5]

Three sets, each article's topics computed from its title and body with each rule:
- the sample digest (content/ and the topics of site.yaml);
- the synthetic news corpus of the research tests (tests/fixtures/research/synthetic.py: Russia, North
  Korea, China... reported by several outlets), ``--seeds`` corpora, with the sample digest's topics;
- ``--n`` articles of ../shared/tools/gen_corpus.py with its 40 topic names declared as topics (random
  text: a topic name that is also a common word, "energy", "policy", occurs by chance). Skipped, and
  said so, when ../shared is absent.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.build import load_articles
from generator.config import TopicConfig, load_config
from generator.content import Article
from generator.topics import assign_topics, match_topics
from tests.fixtures.research.synthetic import corpus

ROOT = Path(__file__).resolve().parent.parent
GEN_CORPUS = ROOT.parent / "shared" / "tools" / "gen_corpus.py"


def report(label: str, articles: Sequence[Article], topics: Sequence[TopicConfig]) -> None:
    before = [len(match_topics(f"{a.title}\n{a.body}", topics)) for a in articles]
    after = [len(assign_topics(a.title, a.body, topics)) for a in articles]
    print(f"{label}: {len(articles)} articles, {len(topics)} topics")
    for name, counts in (("before (any mention)", before), ("after (what it is about)", after)):
        spread = Counter(counts)
        print(f"  {name:<26} mean {statistics.mean(counts):.2f}, median {statistics.median(counts):g}, "
              f"max {max(counts)}; articles by count: "
              + ", ".join(f"{k}: {spread[k]}" for k in sorted(spread)))
    per_topic_before = Counter(n for a in articles for n in match_topics(f"{a.title}\n{a.body}", topics))
    per_topic_after = Counter(n for a in articles for n in assign_topics(a.title, a.body, topics))
    widest = per_topic_before.most_common(len(topics) if len(topics) <= 10 else 3)
    print(("  topic pages before -> after: " if len(topics) <= 10 else "  largest topic pages before -> after: ")
          + "; ".join(f"{name} {count} -> {per_topic_after[name]}" for name, count in widest))


def gen_corpus_articles(n: int) -> tuple[list[Article], list[TopicConfig]] | None:
    if not GEN_CORPUS.is_file():
        print(f"gen_corpus: {GEN_CORPUS} is absent (../shared not here); skipped")
        return None
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_CORPUS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run([sys.executable, str(GEN_CORPUS), "--n", str(n), "--out", str(root / "content"),
                        "--flavor", "yaml", "--seed", "1"], check=True, capture_output=True)
        (root / "site.yaml").write_text("title: gen_corpus\n", encoding="utf-8")
        articles = [item.article for item in load_articles(load_config(root))]
    return articles, [TopicConfig(name=name) for name in module.TOPICS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="gen_corpus articles")
    parser.add_argument("--seeds", type=int, default=5, help="synthetic research corpora")
    args = parser.parse_args()
    sample = load_config(ROOT)
    report("sample digest", [item.article for item in load_articles(sample)], sample.topics)
    synthetic = [article for seed in range(args.seeds) for article in corpus(seed, 10)[0]]
    report("synthetic news corpus", synthetic, sample.topics)
    made = gen_corpus_articles(args.n)
    if made:
        report("gen_corpus", *made)


if __name__ == "__main__":
    main()
