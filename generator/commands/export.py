"""``digest export --format bibtex|ris|csl-json|jsonl [--topic T] [--story S] [--since DATE] [-o FILE]``:
the digest's articles (drafts aside) as citations of the original articles, for a paper's bibliography,
or as JSON Lines for further analysis. Newest first, undated last; citation keys are unique in a file."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator import dates
from generator.build import load_articles
from generator.cite import FORMATS, references
from generator.config import SiteConfig, load_config
from generator.content import Article
from generator.errors import DigestError
from generator.model import topic_slug
from generator.output import write_if_changed


def register(sub: Any) -> None:
    parser = sub.add_parser("export", help="write the articles as BibTeX, RIS, CSL-JSON or JSON Lines",
                            description="Write the digest's articles (not drafts) as citations of the original "
                            "articles (BibTeX, RIS, CSL-JSON) or as JSON Lines with their text. Filters combine.")
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="the file format")
    parser.add_argument("--topic", metavar="T", help="only articles of this topic (its name or slug)")
    parser.add_argument("--story", metavar="S", help="only the reports of this story (its id, as in "
                        "stories/<id>/ or `digest stories`, or the id of one of its articles)")
    parser.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD); "
                        "undated ones are left out")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    articles = [item.article for item in load_articles(cfg) if not item.article.draft]
    chosen = select(cfg, articles, topic=args.topic, story=args.story, since=args.since)
    text = FORMATS[args.format].write(references(newest_first(chosen, cfg)))
    if args.output:
        target = Path(args.output)
        if target.is_dir():
            raise DigestError("is a folder; give a file name", target)
        write_if_changed(target, text.encode("utf-8"))
        print(f"wrote {len(chosen)} article{'' if len(chosen) == 1 else 's'} to {target}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def select(cfg: SiteConfig, articles: Sequence[Article], *, topic: str | None = None, story: str | None = None,
           since: str | None = None) -> list[Article]:
    chosen = list(articles)
    if topic is not None:
        chosen = [a for a in chosen if _has_topic(cfg, a, topic)]
        if not chosen:  # (no article at all has it: the topic filter ran first)
            names = {name.casefold(): name for a in articles for name in a.topics}
            names.update((t.name.casefold(), t.name) for t in cfg.topics)
            known = sorted(names.values(), key=str.casefold)
            raise DigestError(f"--topic {topic!r}: no article has this topic; topics: {', '.join(known) or 'none'}")
    if story is not None:
        members = _story_members(cfg, articles, story)
        chosen = [a for a in chosen if a.id in members]
    if since is not None:
        start = _since(cfg, since)
        chosen = [a for a in chosen if a.date and dates.to_datetime(a.date, cfg.tz) >= start]
    return chosen


def _has_topic(cfg: SiteConfig, article: Article, wanted: str) -> bool:
    key = wanted.strip().casefold()
    return any(name.casefold() == key or topic_slug(cfg, name) == key for name in article.topics)


def _story_members(cfg: SiteConfig, articles: Sequence[Article], wanted: str) -> set[str]:
    """The article ids of the story ``wanted`` names (grouped as the site groups them)."""
    from generator.research.analysis import analyse  # numpy, scipy: only when asked for

    wanted = wanted.strip().strip("/").removeprefix("stories/")
    for found in analyse(articles, cfg.tz).stories:
        ids = {a.id for a in found.articles}
        if found.id == wanted or wanted in ids:
            return ids
    raise DigestError(f"--story {wanted!r}: no story has this id, nor an article of it; `digest stories` lists them")


def _since(cfg: SiteConfig, value: str) -> dt.datetime:
    try:
        day = dates.normalise(value, cfg.tz)
    except ValueError:
        day = None
    if day is None:
        raise DigestError(f"--since {value!r}: not a date; write it as YYYY-MM-DD")
    return dates.to_datetime(day, cfg.tz)


def newest_first(articles: Sequence[Article], cfg: SiteConfig) -> list[Article]:
    dated = sorted((a for a in articles if a.date), key=lambda a: (dates.to_datetime(a.date or "", cfg.tz), a.id),
                   reverse=True)
    return dated + sorted((a for a in articles if not a.date), key=lambda a: a.id)
