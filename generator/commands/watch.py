"""``digest watch [--drafts]``: rebuild the output folder whenever a source changes (no server)."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path
from typing import Any

from generator.commands import load_digest
from generator.watch import (
    Outcome,
    describe,
    leave,
    rebuild_when_ready,
    start_watching,
    stop_on_sigterm,
    wait_for_interrupt,
)


def register(sub: Any) -> None:
    parser = sub.add_parser("watch", help="rebuild the site whenever captures, content or templates change")
    parser.add_argument("--drafts", action="store_true", help="include draft articles")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.build import build_site
    from generator.cache import Session
    from generator.research.deferred import DeferredResearch, DeferredSearch

    load_digest(args.root)  # not a digest: stop before anything is created
    stop_on_sigterm()
    research, search = DeferredResearch(), DeferredSearch()
    # The cache's state stays in memory between builds; research and search indexing run in the background.
    build = partial(build_site, session=Session(research=research, search=search))

    session = None
    try:  # Ctrl-C ends watch cleanly at any point, even during the first build
        session = start_watching(Path(args.root), build, drafts=args.drafts, on_outcome=_print)
        rebuild_when_ready(session.debouncer, research, search)
        print(f"watching {Path(args.root).resolve()}  (Ctrl-C stops)", flush=True)
        wait_for_interrupt()  # the rebuilds run in their own thread
    except KeyboardInterrupt:
        pass
    finally:
        research.close()
        search.close()
        if session is not None:
            leave(session.stop, session)
    return 0


def _print(outcome: Outcome) -> None:
    print(describe(outcome), flush=True)
