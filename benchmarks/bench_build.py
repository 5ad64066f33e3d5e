"""Time to build the whole bundled curriculum, and how much of it is the builder's own overhead.

Prints, per lesson and in total: the wall time of `build_lesson` and the time spent
inside the lesson's own tool calls (the commands it really runs). The ratio of the two,
measured in the same run, is the builder's cost over the work it cannot avoid.

    python benchmarks/bench_build.py [CURRICULUM]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.agent import tools as tools_module  # noqa: E402
from tutor.build.builder import build_lesson  # noqa: E402
from tutor.build.source import read_source  # noqa: E402
from tutor.lesson import read_curriculum  # noqa: E402


def main() -> None:
    curriculum = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "curricula" / "steering-101"
    spent: list[float] = []
    original = tools_module.Tools.execute

    def timed(self, tool, data):  # noqa: ANN001, ANN202
        started = time.perf_counter()
        try:
            return original(self, tool, data)
        finally:
            spent.append(time.perf_counter() - started)

    tools_module.Tools.execute = timed  # type: ignore[method-assign]
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        total_started = time.perf_counter()
        for lesson_dir in read_curriculum(curriculum).lesson_paths():
            spent.clear()
            started = time.perf_counter()
            report = build_lesson(read_source(lesson_dir / "source"), Path(temp) / lesson_dir.name)
            wall = time.perf_counter() - started
            rows.append((lesson_dir.name, len(report.lesson.steps), report.calls_run, wall, sum(spent)))
        total = time.perf_counter() - total_started
    print(f"{'lesson':<24} {'steps':>5} {'calls':>5} {'build s':>8} {'in calls s':>10} {'overhead':>8}")
    for name, steps, calls, wall, in_calls in rows:
        print(f"{name:<24} {steps:>5} {calls:>5} {wall:>8.2f} {in_calls:>10.2f} {wall / in_calls if in_calls else 0:>7.2f}x")
    calls_total = sum(row[4] for row in rows)
    print(f"\nwhole curriculum: {len(rows)} lessons built in {total:.2f} s; {calls_total:.2f} s of it inside the lessons' own commands")
    print(f"builder overhead ratio (build time / command time): {total / calls_total:.2f}")
    print(f"median lesson build: {statistics.median(row[3] for row in rows):.2f} s")


if __name__ == "__main__":
    main()
