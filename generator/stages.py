"""Time and memory per build stage (``digest build --timings``, and the build benchmark)."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StageTime:
    name: str
    seconds: float
    peak_mb: float  # the build process's peak resident memory by the end of this stage
    workers_peak_mb: float  # the largest worker process's peak so far (0 when none was forked)


@dataclass
class Stages:
    """A lap timer: ``lap(name)`` closes the stage that ran since the previous lap; ``begin(what)`` says
    what the next one does, to ``progress`` (``digest build`` on a terminal shows it as it goes)."""

    laps: list[StageTime] = field(default_factory=list)
    progress: Callable[[str], None] | None = None
    _since: float = field(default_factory=time.perf_counter)

    def begin(self, what: str) -> None:
        if self.progress is not None:
            self.progress(what)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append(StageTime(name, now - self._since, _peak_mb(resource.RUSAGE_SELF),
                                   _peak_mb(resource.RUSAGE_CHILDREN)))
        self._since = now

    def table(self) -> str:
        rows = [f"{lap.name:<8} {lap.seconds:8.2f} s {lap.peak_mb:8.0f} MB {lap.workers_peak_mb:8.0f} MB"
                for lap in self.laps]
        total = sum(lap.seconds for lap in self.laps)
        return "\n".join([f"{'stage':<8} {'time':>10} {'peak':>11} {'workers':>11}", *rows,
                          f"{'total':<8} {total:8.2f} s"])


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux
