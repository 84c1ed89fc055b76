"""``digest deploy [--remote R] [--branch B] [--message M] [--no-push]``: publish to a gh-pages branch."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from generator.commands import load_digest
from generator.deploy import DeployOptions, deploy


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "deploy", help="build the site and commit it to the gh-pages branch, then push",
        description="Build the site for site.yaml's base_url into a temporary folder, commit it (with "
                    ".nojekyll, and CNAME when site.yaml sets cname) on top of the remote's branch, and "
                    "push. Your working tree, index and current branch are never touched; an unchanged "
                    "site makes no commit. New captures are not ingested: run `digest ingest` first.")
    parser.add_argument("--remote", default="origin", help="git remote to fetch from and push to "
                                                           "(default: origin)")
    parser.add_argument("--branch", default="gh-pages", help="branch holding the built site "
                                                             "(default: gh-pages)")
    parser.add_argument("--message", "-m", help="commit message (default: "
                                                "'Deploy <source sha> with digest <version>')")
    parser.add_argument("--no-push", dest="push", action="store_false",
                        help="commit to the local branch only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_digest(args.root)
    options = DeployOptions(remote=args.remote, branch=args.branch, message=args.message, push=args.push)
    result = deploy(cfg, options)
    if result.uncommitted:
        shown = ", ".join(result.uncommitted[:3]) + (f" and {len(result.uncommitted) - 3} more"
                                                     if len(result.uncommitted) > 3 else "")
        print(f"digest: warning: the site includes changes not committed to git ({shown}); the deploy's "
              "commit message says so", file=sys.stderr)
    short = result.commit[:12]
    if result.committed:
        print(f"committed {short} to {options.branch}: {result.message}")
    else:
        print(f"nothing changed: {options.branch} is already at {short}")
    if result.pushed:
        print(f"pushed {options.branch} to {options.remote}; the site will be at {cfg.base_url}")
    elif options.push:
        print(f"{options.remote} already has {options.branch} at {short}")
    return 0
