"""``digest serve [--host H] [--port P] [--open] [--drafts]``: build, preview with live reload, rebuild on change."""

from __future__ import annotations

import argparse
import webbrowser
from functools import partial
from pathlib import Path
from typing import Any

from generator.commands import load_digest
from generator.serve import start_preview
from generator.watch import Outcome, describe, leave, rebuild_when_ready, stop_on_sigterm, wait_for_interrupt


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="preview the site with live reload; rebuilds on every change")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--open", action="store_true", help="open the site in a web browser")
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

    preview = None
    try:  # Ctrl-C ends serve cleanly at any point, even during the first build
        preview = start_preview(Path(args.root), build, host=args.host, port=args.port, drafts=args.drafts,
                                on_outcome=_print)
        rebuild_when_ready(preview.session.debouncer, research, search)
        print(f"serving {preview.url}  (Ctrl-C stops)", flush=True)
        if preview.server.desk is not None:
            print(f"review: {preview.server.desk.origin}/__digest/review  send to digest (bookmarklet): "
                  f"{preview.server.desk.origin}/__digest/send", flush=True)
        if args.open:
            webbrowser.open(preview.url)
        wait_for_interrupt()  # the server and the rebuilds run in their own threads
    except KeyboardInterrupt:
        pass
    finally:
        research.close()
        search.close()
        if preview is not None:
            leave(preview.stop, preview.session)
    return 0


def _print(outcome: Outcome) -> None:
    print(describe(outcome), flush=True)
