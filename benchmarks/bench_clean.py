"""Speed of the cleaner, in-process: median milliseconds per text capture and per HTML page.

    .venv/bin/python benchmarks/bench_clean.py [--corpus DIR] [--rounds N]

Runs ``clean_capture`` over the extraction-dev pages in ../shared (60 ``.txt`` browser copies and the
same 60 ``.html`` pages), after one warm-up pass (stop lists and parsers load once per process), and
prints the median and 90th percentile per kind, and the line-role model's load time. Bars: text <= 5 ms,
HTML <= 30 ms. Time is the process's CPU time (``time.process_time``), with wall time alongside: on a
machine shared with other jobs, wall time measures the neighbours as much as the cleaner. Exits 0 with a
note when the corpus is absent (it is shared data, not part of the repository).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.clean import clean_capture, roles
from generator.errors import CaptureError

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extraction-dev"
BARS_MS = {"txt": 5.0, "html": 30.0}
MODEL = Path(roles.__file__).with_name(roles.MODEL_FILE)


def time_kind(files: list[Path], rounds: int) -> tuple[list[float], list[float]]:
    tz = ZoneInfo("UTC")
    payloads = [(path, path.read_bytes()) for path in files]
    for path, data in payloads:  # warm-up
        with contextlib.suppress(CaptureError):
            clean_capture(data, path, tz)
    cpu: list[float] = []
    wall: list[float] = []
    for path, data in payloads:
        best_cpu = best_wall = float("inf")
        for _ in range(rounds):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            with contextlib.suppress(CaptureError):
                clean_capture(data, path, tz)
            best_cpu = min(best_cpu, (time.process_time() - start_cpu) * 1000)
            best_wall = min(best_wall, (time.perf_counter() - start_wall) * 1000)
        cpu.append(best_cpu)
        wall.append(best_wall)
    return cpu, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3, help="runs per file; the fastest counts")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"bench_clean: corpus not found at {args.corpus} (it lives in ../shared); nothing measured")
        return 0
    failed = False
    start = time.process_time()
    sum(range(10**6))
    reference = (time.process_time() - start) * 1000
    print(f"machine reference: sum(range(10**6)) took {reference:.1f} ms CPU (an unloaded modern core: ~15 ms)")
    start = time.process_time()
    model = roles.Model.from_dict(json.loads(MODEL.read_text(encoding="utf-8"))) if MODEL.is_file() else None
    loaded = (time.process_time() - start) * 1000
    print(f"line-role model: {'loaded' if model else 'ABSENT'} in {loaded:.0f} ms CPU (bar: well under 1 s)")
    for ext, bar in BARS_MS.items():
        files = sorted(args.corpus.glob(f"*.{ext}"))
        if not files:
            print(f"bench_clean: no .{ext} files in {args.corpus}")
            continue
        cpu, wall = time_kind(files, args.rounds)
        median = statistics.median(cpu)
        p90 = statistics.quantiles(cpu, n=10)[-1] if len(cpu) > 1 else median
        verdict = "ok" if median <= bar else "OVER"
        failed |= median > bar
        print(f"{ext:<5} {len(files):3d} files  median {median:6.2f} ms CPU  p90 {p90:6.2f} ms  "
              f"(wall median {statistics.median(wall):6.2f} ms)  bar {bar:.0f} ms: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
