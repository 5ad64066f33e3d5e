"""How much does a workspace snapshot cost? `Workspace.snapshot` (a full rescan, and by paths) vs `git add -A && git commit`.

    python benchmarks/bench_snapshot.py [--files 5000] [--repeat 30]

A repository of `--files` source files (100 to a folder, about 1.5 KB each) is
committed with the git command line; a workspace is made from it with
`Workspace.from_repository`, so the two hold identical copies. Then, `--repeat` times
(after a few untimed warm-ups), the same file is changed in both (a different file each
round) and each side records it:

- rescan: `Workspace.snapshot(name)` (private index, `add -A`, `write-tree`,
  `commit-tree`, `update-ref`, plus its safety checks of `.git`): what a snapshot after
  a command (`run`) does;
- by paths: `Workspace.snapshot(name, paths=[file])` on a second workspace made the same
  way (only that file's index entry updated): what a snapshot after `write_file` or
  `edit_file` does;
- baseline: `git add -A` then `git commit -q -m x`, two processes started from Python the
  same way.

The three take turns going first, round by round. Printed: median and 95th percentile
of each, and each workspace side's ratio of medians to the baseline (the goal for the
rescan: at most 1.5). Also shown: how long making a workspace took.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.vcs.workspace import Workspace  # noqa: E402

LINE = "def function_{n}(value):\n    return value * {n} + len('padding to make the file realistic')\n\n"


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    return env


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=git_env(), check=True, capture_output=True)


def make_repository(path: Path, files: int) -> list[str]:
    path.mkdir(parents=True)
    names = []
    for number in range(files):
        name = f"pkg{number // 100:03d}/module_{number % 100:03d}.py"
        target = path / name
        target.parent.mkdir(exist_ok=True)
        target.write_text("".join(LINE.format(n=number * 20 + k) for k in range(15)))
        names.append(name)
    git(path, "init", "-q", "--initial-branch=main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "start")
    return names


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="tutor-bench-snapshot-"))
    try:
        baseline = scratch / "repo"
        names = make_repository(baseline, options.files)
        start = time.perf_counter()
        workspace = Workspace.from_repository(baseline, scratch / "workspace")
        made = time.perf_counter() - start
        by_paths = Workspace.from_repository(baseline, scratch / "workspace-by-paths")
        env = git_env()

        ours: list[float] = []
        narrow: list[float] = []
        theirs: list[float] = []
        for round_number in range(options.warmup + options.repeat):
            name = names[(round_number * 7919) % len(names)]
            for root in (workspace.root, by_paths.root, baseline):
                with (root / name).open("a") as stream:
                    stream.write(f"# change {round_number}\n")

            def snapshot() -> float:
                begin = time.perf_counter()
                workspace.snapshot(f"bench/s{round_number}")
                return time.perf_counter() - begin

            def snapshot_by_paths() -> float:
                begin = time.perf_counter()
                by_paths.snapshot(f"bench/s{round_number}", paths=[name])
                return time.perf_counter() - begin

            def commit() -> float:
                begin = time.perf_counter()
                subprocess.run(["git", "add", "-A"], cwd=baseline, env=env, check=True)
                subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=baseline, env=env, check=True)
                return time.perf_counter() - begin

            sides = [("rescan", snapshot), ("paths", snapshot_by_paths), ("git", commit)]
            turn = round_number % len(sides)
            took = {label: measure() for label, measure in sides[turn:] + sides[:turn]}
            if round_number >= options.warmup:
                ours.append(took["rescan"] * 1000)
                narrow.append(took["paths"] * 1000)
                theirs.append(took["git"] * 1000)

        print(f"repository: {options.files:,} files; {options.repeat} rounds, one file changed per round")
        print(f"making the workspace (from_repository): {made * 1000:.0f} ms")
        print(f"{'':32}{'median':>10}{'p95':>10}{'ratio':>8}")
        base = statistics.median(theirs)
        for label, values in (("Workspace.snapshot (rescan)", ours), ("Workspace.snapshot (by paths)", narrow),
                              ("git add -A && git commit -q", theirs)):
            median = statistics.median(values)
            print(f"{label:32}{median:>8.1f}ms{percentile(values, 0.95):>8.1f}ms{median / base:>8.2f}")
        print("ratio: median over the baseline's median (goal for the rescan: at most 1.5)")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        workspace.remove()
        by_paths.remove()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
