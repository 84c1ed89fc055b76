"""``digest add URL... [--from-file LIST]``: fetch pages, keep each as a capture, ingest them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from generator import fetch
from generator.commands.ingest import describe
from generator.config import load_config
from generator.errors import DigestError
from generator.ingest import ingest
from generator.newcapture import save_capture


def register(sub: Any) -> None:
    parser = sub.add_parser("add", help="fetch pages by URL, keep them as captures and ingest them")
    parser.add_argument("urls", nargs="*", metavar="URL", help="http(s) addresses of the pages")
    parser.add_argument("--from-file", type=Path, metavar="LIST",
                        help="a file with one URL a line (blank lines and lines starting with # are skipped)")
    parser.add_argument("--ignore-robots", action="store_true", help="fetch even where robots.txt disallows it")
    parser.add_argument("--timeout", type=float, default=fetch.TIMEOUT, metavar="SECONDS",
                        help=f"time limit per page (default {fetch.TIMEOUT:.0f})")
    parser.add_argument("--max-size", type=float, default=fetch.MAX_BYTES / 1e6, metavar="MB",
                        help=f"size limit per page (default {fetch.MAX_BYTES / 1e6:.0f})")
    parser.set_defaults(func=run)


def read_url_list(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read the URL list: {getattr(exc, 'strerror', None) or exc}", path) from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    urls = list(args.urls) + (read_url_list(args.from_file) if args.from_file else [])
    if not urls:
        raise DigestError("no URL given (digest add URL... or --from-file LIST)")
    if args.timeout <= 0 or args.max_size <= 0:
        raise DigestError("--timeout and --max-size must be positive")
    failed = 0
    saved: list[Path] = []
    with fetch.Fetcher(timeout=args.timeout, max_bytes=int(args.max_size * 1e6),
                       respect_robots=not args.ignore_robots) as fetcher:
        for url in urls:
            try:
                page = fetcher.fetch(url)
                saved.append(save_capture(cfg.path("captures"), page.url, page.body, page.charset))
            except (fetch.FetchError, DigestError) as exc:
                failed += 1
                print(f"failed    {url}  ({exc})", file=sys.stderr)
    results = ingest(cfg, saved, progress=False) if saved else []
    for result in results:
        print(describe(result, cfg.root))
    failed += sum(r.status == "failed" for r in results)
    return 1 if failed else 0
