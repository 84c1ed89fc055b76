#!/usr/bin/env python3
"""Ingest benchmark (issue 6): N plain-text captures through ``digest ingest``, on every core.

    python benchmarks/bench_ingest.py [--n 10000] [--work /tmp/digest-ingest-bench]

Captures are made from ../shared/tools/gen_corpus.py articles the way a browser copy looks: title line,
byline with date, blank-line paragraphs, plus a little page furniture. Prints captures/s, wall time and
the peak memory of the whole process tree. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.procmem import measure

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "tools" / "gen_corpus.py"
DIGEST = str(Path(sys.executable).parent / "digest")
FURNITURE_TOP = "Skip to content\nHome News World Science Sign in\n\n"
FURNITURE_BOTTOM = "\n\nMost popular\n\nSubscribe to our newsletter\n\nShare this article\n"


def as_capture(markdown_file: Path) -> str:
    meta_text, body = markdown_file.read_text(encoding="utf-8").split("\n---\n", 1)
    meta = yaml.safe_load(meta_text.removeprefix("---\n"))
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body).replace("> ", "").replace("**", "")
    authors = ", ".join(meta.get("authors") or [])
    date = meta["date"].strftime("%B %d, %Y %H:%M") if hasattr(meta["date"], "strftime") else meta["date"]
    return f"{FURNITURE_TOP}{meta['title']}\n\nBy {authors} | {date}\n\n{plain.strip()}{FURNITURE_BOTTOM}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-ingest-bench"))
    args = parser.parse_args()
    if not GEN.exists():
        print(f"bench_ingest: {GEN} is absent (the shared corpus tools live beside the repo); nothing measured.")
        return 0
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "corpus"
    subprocess.run([sys.executable, str(GEN), "--n", str(args.n), "--flavor", "yaml", "--out", str(corpus)],
                   check=True, stdout=subprocess.DEVNULL)
    root = args.work / "digest"
    (root / "captures").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Ingest benchmark\n", encoding="utf-8")
    for number, source in enumerate(sorted(corpus.rglob("*.md"))):
        (root / "captures" / f"{number:06d}.txt").write_text(as_capture(source), encoding="utf-8")
    run = measure([DIGEST, "-C", str(root), "ingest"])
    print(run.output.strip().splitlines()[-1] if run.output.strip() else "(no output)")
    print(f"{args.n} captures: {run.seconds:.1f} s wall, {args.n / run.seconds:.0f} captures/s, "
          f"peak {run.peak_mb:.0f} MB (process tree), exit {run.returncode}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
