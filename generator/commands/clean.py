"""``digest clean PATH... [--json]``: show what ingest would write, writing nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from generator.clean.confidence import Confidence
from generator.config import load_config
from generator.content import Article, write_text
from generator.ingest import make_all


def register(sub: Any) -> None:
    parser = sub.add_parser("clean", help="clean captures and print the articles (writes nothing)")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--json", action="store_true", help="JSON Lines, one object per capture")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    failed = False
    for made in make_all(list(args.paths), cfg, progress=False):
        if made.article is None:
            failed = True
            if args.json:
                print(json.dumps({"path": str(made.capture), "error": made.error}, ensure_ascii=False))
            else:
                print(f"digest: error: {made.error}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(as_json(made.capture, made.article, made.warnings, made.confidence), ensure_ascii=False))
        else:
            sys.stdout.write(write_text(made.article))
    return 1 if failed else 0


def as_json(path: Path, article: Article, warnings: tuple[str, ...],
            confidence: Confidence | None = None) -> dict[str, Any]:
    return {
        "path": str(path), "id": article.id, "title": article.title, "authors": list(article.authors),
        "date": article.date, "updated": article.updated, "source": article.source, "url": article.url,
        "caption": article.caption, "caption_credit": article.caption_credit, "topics": list(article.topics),
        "summary": article.summary, "language": article.language, "body": article.body,
        "warnings": list(warnings), "confidence": confidence.as_dict() if confidence else None,
    }
