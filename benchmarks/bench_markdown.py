"""What the Markdown renderer costs per article: the evidence for a decision about the library (issue 6).

    .venv/bin/python benchmarks/bench_markdown.py [--n 1000]

Generates ``--n`` articles with ../shared/tools/gen_corpus.py (the corpus bench_build.py uses) and times,
in this process, ``generator.model.derive`` on each body: the parse and render (markdown-it-pyrs where it is
installed, else markdown-it-py; see generator/markdown.py), the summary,
the reading time and the compression, i.e. all a cold build does per body besides its page. Then, when
``cmarkgfm`` (GitHub's cmark-gfm, in C) can be imported, cmarkgfm rendering the same bodies, for
comparison. It is not a dependency of digest: install it into a scratch environment on PYTHONPATH to
compare. Prints CPU milliseconds per article (the fastest of ``--rounds``) and what that is for 10,000
articles on two cores. A benchmark, not a test; exits 0 with a note when ../shared is absent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.content import read_article
from generator.model import derive

UTC = ZoneInfo("UTC")
GEN = Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "gen_corpus.py"


def bodies(n: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, str(GEN), "--n", str(n), "--flavor", "yaml", "--out", folder, "--force"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [read_article(path, UTC).body for path in sorted(Path(folder).rglob("*.md"))]


def cpu_ms_per_item(work: Callable[[str], object], items: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            work(item)
        best = min(best, time.process_time() - start)
    return best / len(items) * 1000


def cmark() -> Callable[[str], object] | None:
    try:
        import cmarkgfm  # type: ignore[import-not-found]
    except ImportError:
        return None
    return cmarkgfm.github_flavored_markdown_to_html  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not GEN.exists():
        print(f"bench_markdown: {GEN} is absent (the shared corpus tools live beside the repo); nothing measured")
        return 0
    found = bodies(args.n)
    print(f"{len(found)} bodies, mean {sum(map(len, found)) / len(found):,.0f} characters")
    rows = [("markdown-it-py (digest's derive)", cpu_ms_per_item(derive, found, args.rounds))]
    other = cmark()
    if other is not None:
        rows.append(("cmarkgfm (HTML only)", cpu_ms_per_item(other, found, args.rounds)))
    else:
        print("(cmarkgfm is not importable: only markdown-it-py measured)")
    for name, ms in rows:
        print(f"{name:<34}{ms:7.2f} ms/article   10,000 articles on 2 cores: {ms * 10_000 / 1000 / 2:5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
