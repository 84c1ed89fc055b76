"""``digest build [--base-url URL] [--out DIR] [--drafts] [--no-ingest] [--timings]``: content/ -> the site."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.build import build_site
from generator.commands import load_digest


def register(sub: Any) -> None:
    parser = sub.add_parser("build", help="render content/ with the theme into the output folder")
    parser.add_argument("--base-url", metavar="URL",
                        help="where the site will be served (overrides site.yaml base_url)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: _site)")
    parser.add_argument("--drafts", action="store_true", help="also publish articles marked draft: true")
    parser.add_argument("--no-ingest", dest="ingest", action="store_false",
                        help="do not ingest captures that have no article yet")
    parser.add_argument("--timings", action="store_true",
                        help="print time and peak memory per build stage (to stderr)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_digest(args.root, base_url=args.base_url)
    out = args.out.resolve() if args.out else cfg.path("output")
    with progress_line(sys.stderr.isatty()) as progress:
        report = build_site(cfg, drafts=args.drafts, ingest_new=args.ingest, out=out, progress=progress)
    for path in report.ingested:
        print(f"ingested {path}")
    print(f"built {_count(report.articles, 'article')} into {out}: {_count(len(report.written), 'file')} "
          f"written, {len(report.removed)} removed")
    if args.timings:
        print(report.stages.table(), file=sys.stderr)
    return 0


@contextmanager
def progress_line(show: bool) -> Iterator[Callable[[str], None] | None]:
    """On a terminal, one line saying what the build does now, with the time since it started (a first
    build of thousands of articles takes minutes); nothing when the output goes to a file or a pipe. It
    is redrawn when a stage begins, not by a timer: a thread of its own would keep the build from forking
    its workers (``generator.parallel``)."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), auto_refresh=False, transient=True) as bar:
        task = bar.add_task("building", total=None)

        def show_stage(what: str) -> None:
            bar.update(task, description=f"building: {what}")
            bar.refresh()

        yield show_stage


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
