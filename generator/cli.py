"""The ``digest`` command line: one sub-command per module in ``generator.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from generator import __version__
from generator.errors import DigestError

# Each module defines ``register(subparsers)``, which adds its parser with ``func=run``.
COMMAND_MODULES = ("clean", "ingest", "build", "serve", "watch", "init", "deploy", "stories", "topics",
                   "search")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description=__doc__)
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-C", "--root", default=".", help="folder holding site.yaml (default: current)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"generator.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"generator.commands.{name}":
                raise
            continue  # command not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DigestError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
