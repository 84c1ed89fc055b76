"""The ``digest`` command line: one sub-command per module in ``generator.commands``."""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Sequence

from generator import DISTRIBUTION, __version__
from generator.errors import DigestError

# Each module defines ``register(subparsers)``, which adds its parser with ``func=run``. Only the chosen
# command's module is imported: the cleaner and the research tools pull in heavy libraries, and a
# no-change ``digest build`` should not spend a second importing them. The one-line summaries here are
# what ``digest --help`` lists.
COMMANDS = {
    "clean": "clean captures and print the articles (writes nothing)",
    "ingest": "clean captures into content/ (never loses a person's edits)",
    "add": "fetch pages by URL, keep them as captures and ingest them",
    "review": "list the articles whose metadata or body need a person's look",
    "ignore": "never ingest these captures again (the files stay)",
    "build": "render content/ with the theme into the output folder",
    "serve": "preview the site with live reload; rebuilds on every change",
    "watch": "rebuild the site whenever captures, content or templates change",
    "init": "create a new digest (site.yaml, folders, GitHub Pages workflow)",
    "deploy": "build the site and commit it to the gh-pages branch, then push",
    "stories": "group articles that report the same event",
    "topics": "list topics with counts, or suggest new ones (--suggest)",
    "export": "write the articles as BibTeX, RIS, CSL-JSON or JSON Lines",
}
OPTIONS_WITH_VALUES = ("-C", "--root")


def first_word(argv: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor the value of a global option."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in OPTIONS_WITH_VALUES:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line (skipping the values of global options)."""
    word = first_word(argv)
    return word if word in COMMANDS else None


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, that command's full parser is loaded (the others are listed only)."""
    parser = argparse.ArgumentParser(prog="digest", description=__doc__)
    parser.add_argument("--version", action="version", version=f"{DISTRIBUTION} {__version__}")
    parser.add_argument("-C", "--root", default=".", help="folder holding site.yaml (default: current)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary in COMMANDS.items():
        if name == command:
            importlib.import_module(f"generator.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    typo = first_word(argv)
    if typo is not None and typo not in COMMANDS:
        close = difflib.get_close_matches(typo, list(COMMANDS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        print(f"digest: error: unknown command {typo!r}; {hint}(commands: {', '.join(COMMANDS)})", file=sys.stderr)
        return 2
    args = make_parser(typo).parse_args(argv)  # (a known command, or None: see above)
    try:
        return int(args.func(args) or 0)
    except DigestError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
