"""``digest review [--json]``: the articles that need a person, most doubtful first."""

from __future__ import annotations

import argparse
import json
from typing import Any

from generator.config import load_config
from generator.ingest import display_path
from generator.review import Doubtful, review


def register(sub: Any) -> None:
    parser = sub.add_parser("review", help="list the articles whose metadata or body need a person's look")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=run)


def as_json(item: Doubtful, root: Any) -> dict[str, Any]:
    return {"file": display_path(item.path, root), "id": item.article.id, "title": item.article.title,
            "capture": item.article.provenance.capture or None, "doubt": item.doubt,
            "reasons": [{"field": r.field, "reason": r.text, "doubt": r.doubt} for r in item.reasons]}


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    found = review(cfg)
    if args.json:
        print(json.dumps([as_json(item, cfg.root) for item in found], indent=2, ensure_ascii=False))
        return 0
    for item in found:
        print(display_path(item.path, cfg.root))
        for reason in item.reasons:
            print(f"  - {reason.text}")
    if found:
        print(f"{len(found)} articles to check; mark one done with 'reviewed: true' in its front matter "
              "(or just fix it)")
    else:
        print("nothing to review")
    return 0
