"""``digest ignore CAPTURE...``: never ingest these captures again (listed in .digestignore)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.config import load_config
from generator.content import is_edited
from generator.errors import DigestError
from generator.ignored import IGNORE_FILE, add_ignored
from generator.ingest import display_path, forget_capture, load_index


def register(sub: Any) -> None:
    parser = sub.add_parser("ignore", help="never ingest these captures again (the files stay)")
    parser.add_argument("captures", nargs="*", type=Path, metavar="CAPTURE", help="capture files in captures/")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.captures:
        raise DigestError("no capture given (digest ignore captures/FILE...)")
    cfg = load_config(args.root)
    folder = cfg.path("captures")
    index = load_index(cfg)
    for given in args.captures:
        path = capture_path(given, cfg.root)
        if not path.resolve().is_relative_to(folder) or not path.is_file():
            raise DigestError(f"not a file in {folder} (give the capture's path as digest review prints it, "
                              f"e.g. {display_path(folder, cfg.root)}/<file>)", given)
        name = display_path(path, cfg.root)
        added = add_ignored(cfg, name)
        print(f"ignored   {name}" + ("" if added else "  (already listed)"))
        made = index.by_id.get(index.by_capture.get(name, ""))
        if made is None:
            continue
        article, stored = made
        if is_edited(stored):
            print(f"kept      {display_path(article, cfg.root)}  (edited by a person: delete it yourself if "
                  "it should go)")
        else:
            article.unlink()
            forget_capture(cfg, name)
            print(f"removed   {display_path(article, cfg.root)}  (ingest made it from this capture)")
    print(f"listed in {IGNORE_FILE}; delete a line there to take a capture back")
    return 0


def capture_path(given: Path, root: Path) -> Path:
    """``given`` from the current folder, else from the digest's (as review and provenance name captures)."""
    if given.is_absolute():
        return given
    here = Path.cwd() / given
    return here if here.is_file() else root / given
