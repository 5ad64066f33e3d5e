"""Does saving an answer stay cheap as progress grows? `Progress.save_answer` with 100 vs 10,000 answers stored.

    python benchmarks/bench_answer_save.py [--saves 200] [--per-attempt 25]

Two stores are filled through the public API, answers spread as a learner would
spread them: 4 attempts x 25 answers (100) and 400 attempts x 25 answers (10,000).
(Filling skips fsync, which only makes it quicker; the files are the same.) Then, with
fsync on as in real use, each store takes `--saves` answers, one at a time, each into
the latest attempt while it has room, a new attempt being started (untimed) when it is
full. Only the `save_answer` call is timed: it returns once the answer is on disk.

The goal: the median save with 10,000 answers stored is at most 3x the median with 100.
Also shown: opening each store in a fresh `Progress` (what `tutor` does at start).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.learn import Committed, GoalAnswer, InterveneAnswer, OutcomeAnswer  # noqa: E402
from tutor.lesson import Category, Confidence  # noqa: E402
from tutor.store.progress import Progress  # noqa: E402

GOAL_TEXT = (
    "Make parse_amount accept decimal commas (1.234,56 EUR) without changing any existing test; "
    "done when the new locale tests pass and the old ones still do."
)


def answer(step: int) -> dict:
    """A realistic mix: goals with a sentence or two, outcome predictions, interventions with a reason."""
    step_id = f"s{step}"
    kind = step % 3
    if kind == 0:
        return Committed(step_id, GoalAnswer(GOAL_TEXT, Confidence.MEDIUM)).to_data()
    if kind == 1:
        return Committed(step_id, OutcomeAnswer(step % 2 == 0, Confidence.HIGH)).to_data()
    return Committed(step_id, InterveneAnswer(True, Category.TEST, "the test encodes the requirement; fix the code")).to_data()


@contextlib.contextmanager
def no_fsync() -> Iterator[None]:
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def fill(folder: Path, attempts: int, per_attempt: int) -> None:
    with no_fsync():
        store = Progress(folder)
        for number in range(attempts):
            record = store.start_attempt(f"lesson-{number % 12:02d}", "d" * 64, title=f"Lesson {number % 12}",
                                         total=per_attempt * 3, curriculum="steering-101")
            for step in range(per_attempt):
                store.save_answer(record.id, answer(step), score=0.5)
            store.save_position(record.id, cursor=per_attempt * 3, frontier=per_attempt * 3, finished=True, score=0.5)
        store.close()


def measure(folder: Path, saves: int, per_attempt: int) -> list[float]:
    store = Progress(folder)
    times: list[float] = []
    record = None
    used = per_attempt
    for _ in range(saves):
        if used >= per_attempt:  # the latest attempt is full: start another (untimed)
            record = store.start_attempt("lesson-bench", "e" * 64, total=per_attempt)
            used = 0
        data = answer(used)
        start = time.perf_counter()
        store.save_answer(record.id, data, score=1.0)
        times.append(time.perf_counter() - start)
        used += 1
    store.close()
    return times


def time_open(folder: Path, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        store = Progress(folder)
        store.attempts()
        times.append(time.perf_counter() - start)
        store.close()
    return statistics.median(times)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="timed saves per store (default 200)")
    parser.add_argument("--per-attempt", type=int, default=25, help="answers per attempt (default 25)")
    args = parser.parse_args()

    sizes = {"100 stored": 100 // args.per_attempt, "10,000 stored": 10_000 // args.per_attempt}
    results: dict[str, list[float]] = {}
    opened: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as temp:
        for name, attempts in sizes.items():
            folder = Path(temp) / name.replace(",", "").replace(" ", "-")
            start = time.perf_counter()
            fill(folder, attempts, args.per_attempt)
            filled = time.perf_counter() - start
            size = sum(path.stat().st_size for path in folder.glob("*.json"))
            print(f"{name}: {attempts} attempts x {args.per_attempt} answers, "
                  f"{size / 1e6:.2f} MB in {len(list(folder.glob('*.json')))} files (filled in {filled:.1f}s)")
            opened[name] = time_open(folder)
            results[name] = measure(folder, args.saves, args.per_attempt)

    print(f"\nsave_answer, {args.saves} saves each (fsync on; new attempt every {args.per_attempt} saves, untimed)")
    print(f"{'':16}{'median':>11}{'p95':>11}{'max':>11}{'open+list':>13}")
    for name, values in results.items():
        print(f"{name:16}{ms(statistics.median(values))}  {ms(p95(values))}  {ms(max(values))}  {ms(opened[name])}")
    small, big = (statistics.median(values) for values in results.values())
    ratio = big / small
    print(f"\nratio of medians (10,000 / 100): {ratio:.2f}  (goal: at most 3) -> {'OK' if ratio <= 3 else 'OVER'}")


if __name__ == "__main__":
    main()
