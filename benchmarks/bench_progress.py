"""Does `tutor progress` stay flat as attempts pile up? 10, 1,000 and 10,000 attempts stored, next to `python -c "import textual"`.

    python benchmarks/bench_progress.py [--rounds 10] [--sizes 10 1000 10000] [--keep DIR]

Stores are filled through the public API (`Progress.start_attempt`, `save_answer`,
`save_position`), as a learner fills them: 25 answers an attempt, the attempts spread over
40 lessons of one curriculum, most finished, the latest of each lesson in progress, a few
review cards. (Filling skips fsync, which only makes it quicker; the files are the same.)
One fill writes the largest store, and the smaller ones are copies of it taken on the way,
so the 10-attempt store is the first 10 attempts of the 10,000-attempt one.

Then `tutor progress` runs as a person runs it, a new process with this Python and the
tree this script belongs to (`tutor.entry:main`, as the console script calls it), once at
each size and once `python -c "import textual"`, in a new random order every round, after
one untimed round that writes bytecode (PYTHONPYCACHEPREFIX, a temporary folder, as
benchmarks/bench_commands.py does), warms the file cache and checks that each size prints
the same lessons. It prints per size the median wall-clock and CPU time (user + system)
and their ratios to the 10-attempt store and to `import textual`.

The goal: at most 2x from 10 to 10,000 attempts.
`--keep DIR` fills the stores into DIR once and reuses them on later runs (to time two
versions of Tutor on the same stores: run this file from each tree).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_answer_save import answer  # noqa: E402

LESSONS = 40
PER_ATTEMPT = 25
GOAL = 2.0
BASELINE = "import textual"


@contextlib.contextmanager
def no_fsync() -> Iterator[None]:
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def fill(folder: Path, sizes: list[int]) -> dict[int, Path]:
    """One store of max(sizes) attempts, copied aside as it passes each smaller size."""
    from tutor.store.progress import Progress

    stores: dict[int, Path] = {}
    biggest = max(sizes)
    work = folder / f"filling-{biggest}"
    with no_fsync():
        store = Progress(work / "progress")
        try:
            for number in range(biggest):
                lesson = f"lesson-{number % LESSONS:02d}"
                record = store.start_attempt(lesson, f"{number % LESSONS:064x}", title=f"Lesson {number % LESSONS}",
                                             total=PER_ATTEMPT * 2, curriculum="steering-101", key=f"bundled:steering-101/{lesson}")
                for step in range(PER_ATTEMPT):
                    store.save_answer(record.id, answer(step), score=(number + step) % 5 / 4, seconds=9.5)
                last_round = number >= biggest - LESSONS
                store.save_position(record.id, cursor=PER_ATTEMPT * 2 - 3 if last_round else PER_ATTEMPT * 2,
                                    frontier=PER_ATTEMPT * 2, finished=not last_round,
                                    score=None if last_round else (number % 7) / 6)
                if number % 50 == 0:
                    store.save_card({"key": f"{lesson}/s{number % PER_ATTEMPT}", "lesson": lesson, "step": f"s{number % PER_ATTEMPT}",
                                     "due": "2020-01-01" if number % 100 == 0 else "2999-01-01", "box": 1})
                if number + 1 in sizes and number + 1 != biggest:
                    target = folder / f"attempts-{number + 1}"
                    shutil.copytree(work, target)
                    stores[number + 1] = target
        finally:
            store.close()
    target = folder / f"attempts-{biggest}"
    work.rename(target)
    stores[biggest] = target
    return stores


def stores_in(keep: Path, sizes: list[int]) -> dict[int, Path]:
    stores = {size: keep / f"attempts-{size}" for size in sizes}
    if all((path / "progress").is_dir() for path in stores.values()):
        return stores
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True)
    return fill(keep, sizes)


def child_env(home: Path, cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("ANTHROPIC_API_KEY", "TUTOR_FORCE_TUI", "TUTOR_DEBUG", "PYTHONDONTWRITEBYTECODE")}
    env["TUTOR_HOME"] = str(home)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["PYTHONPATH"] = str(ROOT)  # the tree this script is in, whichever Tutor is installed
    return env


def argv_of(name: str) -> list[str]:
    if name == BASELINE:
        return [sys.executable, "-c", "import textual"]
    return [sys.executable, "-c", "import sys; from tutor.entry import main; sys.exit(main())", "progress"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr[-800:]}")
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), completed.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds (at least 10)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 10000], help="attempts stored (the first is the reference)")
    parser.add_argument("--keep", type=Path, help="fill the stores here once and reuse them")
    parser.add_argument("--seed", type=int, default=18)
    options = parser.parse_args()
    if options.rounds < 10:
        parser.error("--rounds: at least 10")
    temp = Path(tempfile.mkdtemp(prefix="bench-progress-"))
    try:
        started = time.perf_counter()
        stores = stores_in(options.keep, options.sizes) if options.keep else fill(temp, options.sizes)
        print(f"stores ready in {time.perf_counter() - started:.0f}s: " + ", ".join(
            f"{size:,} attempts ({len(list((path / 'progress').glob('attempt-*.json'))):,} files)" for size, path in sorted(stores.items())))
        envs = {BASELINE: child_env(temp, temp / "pycache")}
        envs.update({f"{size:,} attempts": child_env(stores[size], temp / "pycache") for size in options.sizes})
        names = list(envs)
        # Warm-up: bytecode, file cache, and (a new Tutor) whatever it builds on first read; the outputs agree.
        outputs = {name: run_once(argv_of(name), envs[name])[2] for name in names for _ in range(2)}
        lessons = {name: sum(line.startswith("lesson-") for line in out.splitlines()) for name, out in outputs.items() if name != BASELINE}
        print("lessons listed: " + ", ".join(f"{name} {count}" for name, count in lessons.items()))
        rng = random.Random(options.seed)
        wall: dict[str, list[float]] = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)
        load_before = os.getloadavg()[0]
        for _ in range(options.rounds):
            rng.shuffle(names)
            for name in names:
                seconds, used, _ = run_once(argv_of(name), envs[name])
                wall[name].append(seconds)
                cpu[name].append(used)
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    print(f"{options.rounds} interleaved rounds; load average {load_before:.2f} before, {load_after:.2f} after")
    reference = f"{options.sizes[0]:,} attempts"
    base_wall, base_cpu = statistics.median(wall[BASELINE]), statistics.median(cpu[BASELINE])
    ref_wall, ref_cpu = statistics.median(wall[reference]), statistics.median(cpu[reference])
    print(f"{'':22}{'median':>9}{'x first':>9}{'x textual':>11}{'cpu':>9}{'x first':>9}{'x textual':>11}")
    for name in [BASELINE, *(f"{size:,} attempts" for size in options.sizes)]:
        median, used = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"{name:22}{median * 1000:7.0f}ms{median / ref_wall:9.2f}{median / base_wall:11.2f}"
              f"{used * 1000:7.0f}ms{used / ref_cpu:9.2f}{used / base_cpu:11.2f}")
    biggest = f"{max(options.sizes):,} attempts"
    ratio = statistics.median(wall[biggest]) / ref_wall
    print(f"\n{biggest} / {reference}: {ratio:.2f} (goal: at most {GOAL}) -> {'OK' if ratio <= GOAL else 'OVER'}")


if __name__ == "__main__":
    main()
