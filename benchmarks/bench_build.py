#!/usr/bin/env python3
"""Build benchmark (issue 6): digest against Hugo (and Pelican/Eleventy when installed) on the same corpus.

    python benchmarks/bench_build.py [--n 10000] [--work /tmp/digest-bench] [--verify] [--skip-others]

The corpus comes from ../shared/tools/gen_corpus.py (the same articles in each tool's format). Scenarios
for digest, each run as the real CLI (``digest build --no-ingest``), wall time and peak memory of the
whole process tree: cold (no output, no cache), no-change rebuild, edit one title, edit one body, add one
article, delete one article, change one article's topics. ``--verify`` checks after every incremental
scenario that the output is byte-identical to a cold build of the same content (slow: one more cold
build per scenario). Ratios to Hugo's cold build are what count; on a machine whose speed drifts,
``--repeat 3`` runs each tool's cold build three times, interleaved, and reports the median. The cold
build's time and memory per stage (load, model, render, feeds, write, cache; ``digest build --timings``)
are printed last. This is a benchmark, not a test.

digest runs as installed: its modules compiled to bytecode once, as pip does. (Where
PYTHONDONTWRITEBYTECODE is set, as on this project's build machine, every run would compile digest's
own modules again, about 0.1 s of each rebuild that no user pays.)
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.procmem import Run, measure

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
GEN = SHARED / "tools" / "gen_corpus.py"
DIGEST = str(Path(sys.executable).parent / "digest")
AS_INSTALLED = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

# The same site shape as the other tools build (gen_corpus.py): 50 per page and per feed. Research
# features (stories, related articles, search) have no counterpart in Hugo or Pelican, so they are off
# here; --research measures them on top.
SITE_YAML = """title: Benchmark digest
base_url: https://digest.example.org/
timezone: UTC
per_page: 50
feed_limit: 50
research: {research}
"""


def generate(flavor: str, n: int, out: Path) -> None:
    subprocess.run([sys.executable, str(GEN), "--n", str(n), "--flavor", flavor, "--out", str(out), "--force"],
                   check=True, stdout=subprocess.DEVNULL)


def make_digest(n: int, root: Path, research: bool) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML.format(research=str(research).lower()), encoding="utf-8")
    generate("yaml", n, root / "content")


def build(root: Path, out: Path | None = None) -> Run:
    cmd = [DIGEST, "-C", str(root), "build", "--no-ingest", "--timings"] + (["--out", str(out)] if out else [])
    run = measure(cmd, env=AS_INSTALLED)
    if run.returncode != 0:
        sys.exit(f"digest build failed:\n{run.output[-2000:]}")
    return run


def cold(root: Path) -> Run:
    for folder in ("_site", ".digest-cache"):
        shutil.rmtree(root / folder, ignore_errors=True)
    return build(root)


def articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def edit_title(root: Path) -> None:
    path = articles(root)[len(articles(root)) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: \"", "title: \"Edited: ", 1), encoding="utf-8")


def edit_body(root: Path) -> None:
    path = articles(root)[len(articles(root)) // 3]
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more paragraph, added by an editor.\n",
                    encoding="utf-8")


def add_article(root: Path) -> None:
    (root / "content" / "articles" / "2099-01-01-added-article.md").write_text(
        '---\ntitle: "An added article"\ndate: 2025-06-01T10:00:00+00:00\ntopics: ["Climate"]\n'
        'url: "https://added.example.org/a"\n---\n\nA new article, added after the first build.\n', encoding="utf-8")


def delete_article(root: Path) -> None:
    articles(root)[len(articles(root)) // 4].unlink()


def change_topic(root: Path) -> None:
    path = articles(root)[len(articles(root)) // 5]
    lines = path.read_text(encoding="utf-8").split("\n")
    lines = [('topics: ["Oceans"]' if line.startswith("topics:") else line) for line in lines]
    path.write_text("\n".join(lines), encoding="utf-8")


SCENARIOS: list[tuple[str, Callable[[Path], None] | None]] = [
    ("no-change rebuild", None), ("edit one title", edit_title), ("edit one body", edit_body),
    ("add one article", add_article), ("delete one article", delete_article), ("change one topic", change_topic),
]


def same_tree(left: Path, right: Path) -> bool:
    cmp = filecmp.dircmp(left, right)
    stack = [cmp]
    while stack:
        node = stack.pop()
        if node.left_only or node.right_only or node.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(node.left, node.right, node.common_files, shallow=False)
        if mismatch or errors:
            print(f"    differs: {[str(Path(node.left) / m) for m in mismatch[:5]]}")
            return False
        stack.extend(node.subdirs.values())
    return True


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def bench_digest(n: int, work: Path, verify: bool, research: bool, hugo: Callable[[], Run | None],
                 repeat: int) -> tuple[dict[str, Run], Run | None]:
    """digest's scenarios, and Hugo's cold build: with ``repeat``, both cold builds alternate."""
    root = work / "digest"
    make_digest(n, root, research)
    colds, hugos = [], []
    for _ in range(repeat):
        hugos.append(hugo())
        colds.append(cold(root))
    found = [run for run in hugos if run is not None]
    if len(colds) > 1:
        print(f"  cold builds, s: digest {[round(r.seconds, 2) for r in colds]}, "
              f"hugo {[round(r.seconds, 2) for r in found]}")
    results = {"cold build": median_run(colds)}
    for name, change in SCENARIOS:
        if change:
            change(root)
        results[name] = build(root)
        if verify:
            reference = work / "reference"
            shutil.rmtree(reference, ignore_errors=True)
            shutil.copytree(root, reference, ignore=shutil.ignore_patterns("_site", ".digest-cache"))
            cold(reference)
            ok = same_tree(root / "_site", reference / "_site")
            print(f"  {name}: output {'identical to' if ok else 'DIFFERS from'} a cold build")
    return results, median_run(found) if found else None


def hugo_cold(n: int, work: Path) -> Callable[[], Run | None]:
    """Hugo's cold build of the corpus, to run (None if Hugo is not installed or fails)."""
    hugo = shutil.which("hugo")
    root = work / "hugo"
    if hugo:
        generate("hugo", n, root)

    def run() -> Run | None:
        if not hugo:
            return None
        shutil.rmtree(root / "public", ignore_errors=True)
        shutil.rmtree(root / "resources", ignore_errors=True)
        found = measure([hugo, "--quiet", "--source", str(root), "--destination", str(root / "public")])
        return found if found.returncode == 0 else None
    return run


def bench_pelican(n: int, work: Path) -> Run | None:
    pelican = shutil.which("pelican")
    if not pelican:
        return None
    root = work / "pelican"
    generate("pelican", n, root)
    run = measure([pelican, str(root / "content"), "-s", str(root / "pelicanconf.py"), "-o", str(root / "output")],
                  cwd=root)
    return run if run.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-bench"))
    parser.add_argument("--verify", action="store_true", help="check incremental output == cold output")
    parser.add_argument("--skip-others", action="store_true", help="digest only")
    parser.add_argument("--research", action="store_true", help="with stories, related articles and search")
    parser.add_argument("--repeat", type=int, default=1, help="cold builds per tool (the median is reported)")
    args = parser.parse_args()
    if not GEN.exists():
        print(f"bench_build: {GEN} is absent (the shared corpus tools live beside the repo); nothing measured.")
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    hugo_run = hugo_cold(args.n, args.work) if not args.skip_others else (lambda: None)
    digest, hugo = bench_digest(args.n, args.work, args.verify, args.research, hugo_run, max(1, args.repeat))
    others = {} if args.skip_others else {"hugo": hugo, "pelican": bench_pelican(args.n, args.work)}
    print(f"\n{args.n} articles, {args.work}")
    print(f"{'tool / scenario':<34}{'wall s':>9}{'peak MB':>10}{'x hugo cold':>13}")
    for tool, run in others.items():
        figures = f"{run.seconds:>9.2f}{run.peak_mb:>10.0f}" if run else "   not installed"
        print(f"{tool + ' cold build':<34}{figures}")
    for name, run in digest.items():
        ratio = f"{run.seconds / hugo.seconds:>13.2f}" if hugo else ""
        print(f"{'digest ' + name:<34}{run.seconds:>9.2f}{run.peak_mb:>10.0f}{ratio}")
    print("\ndigest cold build by stage (peak: the main process; workers: the largest worker):")
    print(stage_table(digest["cold build"].output))
    return 0


def stage_table(output: str) -> str:
    """The ``--timings`` table from a build's output."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("stage ")), len(lines))
    return "\n".join(lines[start:]) or "(no timings)"


if __name__ == "__main__":
    sys.exit(main())
