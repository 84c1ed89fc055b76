"""``digest init [DIR] [--title T] [--base-url URL]``: start a new digest from the skeleton."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from generator.scaffold import init_digest


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "init", help="create a new digest (site.yaml, folders, GitHub Pages workflow)",
        description="Write a commented site.yaml, captures/, content/, README.md, .gitignore and "
                    ".github/workflows/pages.yml. Refuses, writing nothing, if any of them exists.")
    parser.add_argument("dir", nargs="?", type=Path, metavar="DIR",
                        help="folder for the new digest, created when missing (default: -C or current)")
    parser.add_argument("--title", help="site title written to site.yaml")
    parser.add_argument("--base-url", help="published address written to site.yaml, "
                                           "e.g. https://user.github.io/repo/")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root: Path = args.dir if args.dir is not None else Path(args.root)
    written = init_digest(root, title=args.title, base_url=args.base_url)
    for skeleton_file in written:
        print(f"created {root / skeleton_file.target}")
    print(f"next: cd {shlex.quote(str(root))} && digest add URL (or save pages into captures/), then digest serve")
    return 0
