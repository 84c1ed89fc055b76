"""``digest ingest [PATH...] [--force]``: captures -> content/, saying what happened to each."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from generator.config import load_config
from generator.ingest import IngestResult, display_path, ingest


def register(sub: Any) -> None:
    parser = sub.add_parser("ingest", help="clean captures into content/ (never loses a person's edits)")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="captures or folders (default: the captures folder of site.yaml)")
    parser.add_argument("--force", action="store_true",
                        help="also overwrite articles a person edited (a .bak copy is kept)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.root)
    paths = list(args.paths) or [cfg.path("captures")]
    started = time.perf_counter()
    results = ingest(cfg, paths, force=args.force, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - started
    for result in results:
        if result.status not in QUIET:
            print(describe(result, cfg.root))
    counts = {status: sum(r.status == status for r in results) for status in
              ("new", "updated", "merged", "unchanged", "kept", "deleted", "failed")}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no captures found"
    captures = f"{len(results)} capture" + ("" if len(results) == 1 else "s")
    rate = f"; {captures} in {seconds:.1f} s ({len(results) / seconds:.0f}/s)" if results else ""
    print(summary + rate)
    if counts["deleted"]:
        print(f"({counts['deleted']} skipped: their articles were deleted; name a capture to ingest it again: "
              "digest ingest captures/<file>)")
    return 1 if counts["failed"] else 0


QUIET = ("unchanged", "deleted")  # the usual case: only the summary counts them


def describe(result: IngestResult, root: Path) -> str:
    line = f"{result.status:<9} {display_path(result.capture, root)}"
    if result.article is not None:
        line += f" -> {display_path(result.article, root)}"
    return line + (f"  ({result.message})" if result.message else "")
