"""How much does a workspace snapshot cost? `Workspace.snapshot` vs `git add -A && git commit` on the same repository.

    python benchmarks/bench_snapshot.py [--files 5000] [--repeat 30]

A repository of `--files` source files (100 to a folder, about 1.5 KB each) is
committed with the git command line; a workspace is made from it with
`Workspace.from_repository`, so the two hold identical copies. Then, `--repeat` times
(after a few untimed warm-ups), the same file is changed in both (a different file each
round) and each side records it:

- workspace: `Workspace.snapshot(name)` (private index, `add -A`, `write-tree`,
  `commit-tree`, `update-ref`, plus its safety checks of `.git`);
- baseline: `git add -A` then `git commit -q -m x`, two processes started from Python the
  same way.

The two alternate which goes first each round. Printed: median and 95th percentile of
each, and the ratio of the medians; the goal is a ratio of at most 1.5. Also shown: how
long making the workspace took.
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
        env = git_env()

        ours: list[float] = []
        theirs: list[float] = []
        for round_number in range(options.warmup + options.repeat):
            name = names[(round_number * 7919) % len(names)]
            for root in (workspace.root, baseline):
                with (root / name).open("a") as stream:
                    stream.write(f"# change {round_number}\n")

            def snapshot() -> float:
                begin = time.perf_counter()
                workspace.snapshot(f"bench/s{round_number}")
                return time.perf_counter() - begin

            def commit() -> float:
                begin = time.perf_counter()
                subprocess.run(["git", "add", "-A"], cwd=baseline, env=env, check=True)
                subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=baseline, env=env, check=True)
                return time.perf_counter() - begin

            if round_number % 2:
                a, b = snapshot(), commit()
            else:
                b, a = commit(), snapshot()
            if round_number >= options.warmup:
                ours.append(a * 1000)
                theirs.append(b * 1000)

        print(f"repository: {options.files:,} files; {options.repeat} rounds, one file changed per round")
        print(f"making the workspace (from_repository): {made * 1000:.0f} ms")
        print(f"{'':32}{'median':>10}{'p95':>10}")
        print(f"{'Workspace.snapshot':32}{statistics.median(ours):>8.1f}ms{percentile(ours, 0.95):>8.1f}ms")
        print(f"{'git add -A && git commit -q':32}{statistics.median(theirs):>8.1f}ms{percentile(theirs, 0.95):>8.1f}ms")
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"ratio of medians: {ratio:.2f} (goal: at most 1.5)")
        workspace.remove()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
