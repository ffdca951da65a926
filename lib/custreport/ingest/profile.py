"""Where an ingest's time and memory go: seconds and peak memory per stage, recorded in the
snapshot's manifest (``ingest_profile``) and printed by ``custreport ingest``."""

from __future__ import annotations

import resource
import sys
import time


class StageClock:
    """Laps of an ingest: each ``lap(name)`` closes the stage that ran since the one before.

    >>> clock = StageClock()
    >>> clock.lap("read and prepare")
    >>> [stage["stage"] for stage in clock.stages]
    ['read and prepare']
    """

    def __init__(self) -> None:
        self.stages: list[dict] = []
        self._started = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages.append({"stage": name, "seconds": round(now - self._started, 3), "peak_gb": round(peak_gb(), 3)})
        self._started = now

    def line(self) -> str:
        """The stages in one line: ``ingest 12.3 s: read and prepare 8.1 s, ...``."""
        total = sum(stage["seconds"] for stage in self.stages)
        return f"ingest {total:.1f} s: " + ", ".join(f"{s['stage']} {s['seconds']:.1f} s" for s in self.stages) + \
            f" (peak memory of this process {max((s['peak_gb'] for s in self.stages), default=0):.2f} GB)"


def peak_gb() -> float:
    """This process's peak resident memory so far, in GB (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e9 if sys.platform == "darwin" else peak * 1024 / 1e9
