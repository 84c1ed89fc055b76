"""How well ``digest review`` points at the cleaner's mistakes: per field, of the articles it flags, how
many really have that field wrong (precision), and of the wrong ones, how many it flags (recall).

    .venv/bin/python benchmarks/bench_review.py [--corpus DIR] [--limit N]

Cleans each capture of a labelled corpus in ../shared (default ``corpus/metadata-train``: 1,080 browser
copies with gold title, date, authors and source), judges each field the way ``digest review`` does, and
compares with the gold using ``shared/tools/score_metadata.py``'s own matching. A field the gold leaves
out is not counted. Exits 0 with a note when the corpus is absent (shared data, not in the repository).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from generator.clean import clean_capture
from generator.content import Article
from generator.errors import CaptureError
from generator.review import field_reasons

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_CORPUS = SHARED / "corpus" / "metadata-train"
FIELDS = ("title", "date", "authors", "source")


def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_metadata", SHARED / "tools" / "score_metadata.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    gold_file = args.corpus / "metadata.json"
    if not gold_file.is_file():
        print(f"bench_review: no labelled corpus at {args.corpus} (shared data, absent here): nothing measured")
        return 0
    score = scorer()
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    ids = sorted(gold)[: args.limit or None]
    counts: dict[str, Counter[str]] = {name: Counter() for name in FIELDS}
    listed = 0
    tz = ZoneInfo("UTC")
    for page_id in ids:
        path = args.corpus / f"{page_id}.txt"
        cleaned = None
        with contextlib.suppress(CaptureError, FileNotFoundError):
            cleaned = clean_capture(path.read_bytes(), path, tz)
        if cleaned is None:
            continue
        article = Article(id=page_id, title=cleaned.title, body=cleaned.body, date=cleaned.date,
                          authors=cleaned.authors, source=cleaned.source,
                          confidence=cleaned.confidence.as_dict() if cleaned.confidence else {})
        flagged = {reason.field for reason in field_reasons(article)}
        listed += bool(flagged)
        outcome = score.score_page(gold[page_id], {"title": cleaned.title, "date": cleaned.date,
                                                    "authors": list(cleaned.authors), "source": cleaned.source})
        for name in FIELDS:
            if name not in outcome:
                continue
            wrong, flag = not outcome[name], name in flagged
            counts[name].update(["pages"] + (["wrong"] if wrong else []) + (["flagged"] if flag else [])
                                + (["hit"] if wrong and flag else []))
    print(f"{len(ids)} pages; {listed} would be listed by digest review ({listed / max(len(ids), 1):.0%})")
    print(f"{'field':<8} {'pages':>6} {'wrong':>6} {'flagged':>8} {'precision':>10} {'recall':>7}")
    for name, c in counts.items():
        precision = c["hit"] / c["flagged"] if c["flagged"] else float("nan")
        recall = c["hit"] / c["wrong"] if c["wrong"] else float("nan")
        print(f"{name:<8} {c['pages']:>6} {c['wrong']:>6} {c['flagged']:>8} {precision:>10.2f} {recall:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
