"""The grading benchmark's goals hold for Tutor's word matcher: no opposite meaning called covered, covered precise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "grading" / "bench_grading.py"


def test_the_matcher_meets_the_grading_benchmarks_goals() -> None:
    result = subprocess.run([sys.executable, str(BENCH)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "called covered 0 (goal 0: met)" in result.stdout
