"""``digest stories [--json] [--all]``: which articles report the same event."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from generator.build import load_articles
from generator.config import SiteConfig, load_config
from generator.research.stories import Story, find_stories, span_label


def register(sub: Any) -> None:
    parser = sub.add_parser("stories", help="group articles that report the same event",
                            description="Group articles from different outlets that report the same event. "
                            "Pin an article with front matter 'story: <id or name>', or keep it out with "
                            "'story: none'.")
    parser.add_argument("--json", action="store_true",
                        help='print [{"id", "title", "articles": [content paths]}, ...] (every story)')
    parser.add_argument("--all", action="store_true", help="also list stories of a single article")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    loaded = load_articles(cfg)
    paths = {item.article.id: _relative(item.source, cfg) for item in loaded}
    stories = find_stories([item.article for item in loaded], cfg.tz)
    if args.json:
        print(json.dumps([as_json(story, paths) for story in stories], indent=2, ensure_ascii=False))
        return 0
    shown = [s for s in stories if args.all or len(s.articles) > 1]
    for story in shown:
        print(describe(story, paths))
    singles = len(stories) - len([s for s in stories if len(s.articles) > 1])
    print(f"{len(stories)} stories from {len(loaded)} articles"
          + (f" ({singles} of a single article not shown; --all shows them)" if singles and not args.all
             else ""))
    return 0


def as_json(story: Story, paths: dict[str, str]) -> dict[str, Any]:
    return {"id": story.id, "title": story.title, "start": story.start, "end": story.end,
            "outlets": list(story.outlets), "articles": [paths[a.id] for a in story.articles]}


def describe(story: Story, paths: dict[str, str]) -> str:
    head = f"{story.title}\n  id {story.id} · {span_label(story)} · {len(story.articles)} articles"
    if story.pinned:
        head += " · pinned"
    lines = [head]
    for article in story.articles:
        when = (article.date or "undated")[:10]
        lines.append(f"  - {when}  {article.source or 'unknown outlet'}: {article.title}\n      {paths[article.id]}")
    return "\n".join(lines) + "\n"


def _relative(path: Path, cfg: SiteConfig) -> str:
    try:
        return path.resolve().relative_to(cfg.root).as_posix()
    except ValueError:
        return str(path)
