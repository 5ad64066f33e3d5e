"""How much slower is a command in the sandbox? `echo hi` through `Tools.run`, bare and under bubblewrap.

    .venv/bin/python benchmarks/bench_sandbox.py [runs]

Prints the median of `runs` (default 20) for each and their ratio.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from tutor.agent.sandbox import find_bwrap, probe, sandbox_status
from tutor.agent.tools import Tools
from tutor.settings import Settings


def median_seconds(tools: Tools, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = tools.execute("run", {"command": "echo hi"})
        times.append(time.perf_counter() - started)
        assert result.ok and result.output == "hi\n", result
    return statistics.median(times)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    why = probe(find_bwrap())
    if why:
        print(f"bubblewrap cannot run here: {why}")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bare = median_seconds(Tools(root), runs)
        boxed = median_seconds(Tools(root, sandbox=sandbox_status(Settings())), runs)
    print(f"echo hi, median of {runs}: bare {bare * 1000:.1f} ms, sandboxed {boxed * 1000:.1f} ms, ratio {boxed / bare:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
