"""``digest topics [--suggest] [--json]``: declared topics with counts, or names worth declaring."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from generator.build import load_articles
from generator.config import load_config
from generator.research.suggest import as_yaml, suggest_topics, topic_counts


def register(sub: Any) -> None:
    parser = sub.add_parser("topics", help="list topics with counts, or suggest new ones (--suggest)",
                            description="Without options: declared topics and topics articles carry that "
                            "site.yaml does not declare, with article counts. With --suggest: frequent "
                            "people, places and organisations no topic covers yet, as YAML for site.yaml.")
    parser.add_argument("--suggest", action="store_true", help="suggest topics from names in the articles")
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    parser.add_argument("--min-articles", type=int, default=2, metavar="N",
                        help="suggest names found in at least N articles (default 2)")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N suggestions (default 20)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    articles = [item.article for item in load_articles(cfg)]
    if args.suggest:
        found = suggest_topics(articles, cfg.topics, min_articles=args.min_articles, limit=args.limit)
        if args.json:
            print(json.dumps([dataclasses.asdict(s) for s in found], indent=2, ensure_ascii=False))
        elif found:
            print(as_yaml(found), end="")
        else:
            print(f"# no uncovered name appears in {args.min_articles} or more articles")
        return 0
    counts = topic_counts(articles, cfg.topics)
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in counts], indent=2, ensure_ascii=False))
        return 0
    width = max((len(c.name) for c in counts), default=0)
    for count in counts:
        note = "" if count.declared else "  (not declared in site.yaml)"
        print(f"{count.name:<{width}}  {count.articles:>4} articles{note}")
    print(f"{sum(c.declared for c in counts)} declared, {sum(not c.declared for c in counts)} undeclared, "
          f"{len(articles)} articles")
    if not cfg.topics:
        print("no topics declared in site.yaml yet: `digest topics --suggest` proposes some from the names "
              "in the articles")
    return 0
