"""How long, and how much memory, from `tutor learn LESSON` to a 10,000-step lesson's screen, ready for `n`?

    python benchmarks/bench_lesson_open.py [--steps 10000] [--output-lines 80] [--runs 10] [--size 120x40]

Generates a lesson as `bench_lesson_load.py` does (goal, prompts, agent steps proposing
`run` and `edit_file` calls, results with test outputs of `--output-lines` lines,
corrections with intervene asks, outcome and choice asks, notes), by default 10,000
steps and about 11 MB (a lesson file may hold 16 MB at most), and a 3-step lesson.

Each run spawns a process on a fresh pseudo-terminal and reads what it draws until a
known text shows; the time from spawn to that text is the figure. The processes, run
interleaved, after one untimed warm-up of each (file cache, bytecode):

* big: `tutor learn BIG` until "Press n" (the task frame of the lesson screen, which
  takes keys once it is drawn), each run with a fresh TUTOR_HOME;
* small: the same with the 3-step lesson;
* bare: a minimal Textual app (Header, one Static, Footer) until its Static shows;
* json: a process that only runs `json.loads` on the big lesson's file, then exits.

Every child writes and reads bytecode under a temporary PYTHONPYCACHEPREFIX, whatever the
environment says (a checkout given to `--compare` has none of its own).

The peak resident memory of each process (VmHWM) is read when the text shows; then it
is asked to quit. A long lesson is checked ahead in a child process (`tutor.lesson.read_ahead`),
which has ended by then: its peak (the traced run's RUSAGE_CHILDREN) is printed apart, and added
to tutor's own as the most both could have held at once. `--compare CHECKOUT` adds, interleaved, the big lesson opened by the
tutor of another checkout (before and after a change, in the same run). One more run of big, small and bare under
`tracemalloc` gives the peak of memory Python allocated (not timed: tracing slows
everything). It prints medians, and each figure as a ratio to the bare app's and as a
difference from the 3-step lesson's; the goals are at most 0.5 s and 150 MB for the big lesson.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_lesson_load import make_lesson  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent  # the children run this checkout's tutor, whatever the environment has installed
MARKERS = {"big": "Press n", "earlier": "Press n", "small": "Press n", "bare": "Baseline app ready", "json": "JSON parsed"}
ANSI = re.compile(rb"\x1b(?:\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78DEHMNOZc])")

# Run in each child: reports peak memory at exit, then becomes the process to measure.
CHILD = '''\
import json, os, resource, signal, sys

report_to = os.environ["BENCH_REPORT"]
traced = bool(os.environ.get("BENCH_TRACE"))
if traced:
    import tracemalloc
    tracemalloc.start()


def report(*_):
    figures = {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
    if traced:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    with open(report_to + ".part", "w") as handle:
        json.dump(figures, handle)
    os.replace(report_to + ".part", report_to)


signal.signal(signal.SIGUSR1, report)  # the parent asks the moment it sees the marker
mode, target = sys.argv[1], sys.argv[2]
if mode == "json":
    with open(target, "rb") as handle:
        data = json.loads(handle.read().decode("utf-8"))
    print("JSON parsed", flush=True)
    while True:
        signal.pause()
elif mode == "bare":
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Baseline(App):
        TITLE = "Baseline"

        def compose(self):
            yield Header()
            yield Static("Baseline app ready")
            yield Footer()

    Baseline().run()
else:
    sys.argv = ["tutor", "learn", target]
    from tutor.entry import main

    main()
'''


def spawn_until(argv: list[str], marker: str, env: dict[str, str], size: tuple[int, int], report: Path | None, timeout: float = 120.0) -> tuple[float, float]:
    """Run ARGV on a new pty of SIZE (columns, rows); seconds from spawn until MARKER is drawn, and the peak
    resident memory (MB, VmHWM) then. With REPORT, the child is then asked (SIGUSR1) to write its traced
    memory there. Then it is asked to quit."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    raw = b""
    try:
        while True:
            remaining = start + timeout - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no {marker!r} within {timeout:.0f}s; it drew: {ANSI.sub(b'', raw)[-600:]!r}")
            ready, _, _ = select.select([master], [], [], min(remaining, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"exited ({process.poll()}) before drawing {marker!r}; it drew: {ANSI.sub(b'', raw)[-600:]!r}")
            now = time.perf_counter()
            raw += chunk
            if marker in ANSI.sub(b"", raw).decode("utf-8", "replace"):
                peak = _peak_rss_mb(process.pid)
                if report is not None:
                    _ask_report(process, master, report)
                return now - start, peak
    finally:
        _quit(process, master)


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux: VmHWM in /proc), in MB; NaN elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _ask_report(process: subprocess.Popen, master: int, report: Path) -> None:
    os.kill(process.pid, signal.SIGUSR1)
    deadline = time.perf_counter() + 30
    while not report.exists() and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.02)  # keep draining: a child blocked on output never answers
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def _quit(process: subprocess.Popen, master: int) -> None:
    """ctrl+q, draining output so the child never blocks on a full terminal, then reap it."""
    try:
        os.write(master, b"\x11")
    except OSError:
        pass
    deadline = time.perf_counter() + 5
    while process.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)
    os.close(master)


def measure(kind: str, target: Path, scratch: Path, size: tuple[int, int], *, traced: bool = False, root: Path = ROOT) -> dict[str, float]:
    """One run of KIND (with the tutor of checkout ROOT): seconds to its marker, peak RSS, and traced peak when TRACED."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=scratch))
    report = home / "report.json"
    env = dict(os.environ, TUTOR_HOME=str(home), BENCH_REPORT=str(report), TERM="xterm-256color", PYTHONPATH=str(root))
    env.pop("ANTHROPIC_API_KEY", None)
    # Bytecode is written (the warm-up writes it) and read, wherever the environment says PYTHONDONTWRITEBYTECODE: a
    # checkout without it (a `git archive` given to --compare) would otherwise compile every module on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    if traced:
        env["BENCH_TRACE"] = "1"
    mode = "tutor" if kind in ("big", "small") else kind
    seconds, peak = spawn_until([sys.executable, str(scratch / "child.py"), mode, str(target)], MARKERS[kind], env, size, report if traced else None)
    figures = {"seconds": seconds, "rss_mb": peak, "traced_peak_mb": float("nan"), "children_rss_mb": float("nan")}
    if traced and report.exists():
        reported = json.loads(report.read_text())
        figures["traced_peak_mb"], figures["children_rss_mb"] = reported["traced_peak_mb"], reported["children_rss_mb"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--output-lines", type=int, default=80)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxROWS")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT", help="also open the big lesson with the tutor of another checkout (e.g. a `git archive` of an earlier commit), interleaved")
    args = parser.parse_args()
    size = (int(args.size.split("x")[0]), int(args.size.split("x")[1]))

    from tutor.lesson import read_lesson

    with tempfile.TemporaryDirectory(prefix="tutor-bench-open-") as temp:
        scratch = Path(temp)
        (scratch / "child.py").write_text(CHILD)
        targets: dict[str, Path] = {}
        for kind, data in (("big", make_lesson(args.steps, args.output_lines)), ("small", make_lesson(3, 1))):
            folder = scratch / kind
            folder.mkdir()
            (folder / "lesson.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
            (folder / "repo.bundle").write_bytes(b"")  # the validator checks that it exists; nothing here reads code
            read = read_lesson(folder)
            if not read.ok:
                sys.exit(f"the generated {kind} lesson does not validate: {[str(p) for p in read.problems[:3]]}")
            targets[kind] = folder
        targets["bare"] = scratch
        targets["json"] = targets["big"] / "lesson.json"
        megabytes = targets["json"].stat().st_size / 1e6
        kinds = ["big", "small", "bare", "json"]
        roots = dict.fromkeys(kinds, ROOT)
        if args.compare is not None:
            kinds.insert(1, "earlier")
            targets["earlier"], roots["earlier"] = targets["big"], args.compare.resolve()

        load = os.getloadavg()[0]
        for kind in kinds:  # warm-up: file cache, bytecode
            measure(kind, targets[kind], scratch, size, root=roots[kind])
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
        for _ in range(args.runs):
            for kind in kinds:
                runs[kind].append(measure(kind, targets[kind], scratch, size, root=roots[kind]))
        traced = {kind: measure(kind, targets[kind], scratch, size, traced=True, root=roots[kind]) for kind in kinds if kind != "json"}
        load = max(load, os.getloadavg()[0])

    def median(kind: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[kind])

    print(f"Opening a {args.steps:,}-step lesson ({megabytes:.1f} MB, outputs of {args.output_lines} lines) with `tutor learn`, until \"Press n\"")
    print(f"  {args.runs} interleaved runs of each, medians; pty of {size[0]}x{size[1]}; load average up to {load:.2f}\n")
    print(f"  {'':44}{'to ready':>10}{'peak RSS':>11}{'traced peak':>13}")
    labels = {
        "big": f"tutor learn, {args.steps:,}-step lesson",
        "earlier": f"the same, with {args.compare}" if args.compare else "",
        "small": "tutor learn, 3-step lesson",
        "bare": "bare Textual app (baseline)",
        "json": "json.loads of the big file, nothing else",
    }
    for kind in kinds:
        peak = f"{traced[kind]['traced_peak_mb']:9.1f} MB" if kind in traced else f"{'':12}"
        print(f"  {labels[kind]:44}{median(kind, 'seconds') * 1000:7.0f} ms{median(kind, 'rss_mb'):8.1f} MB  {peak}")
    big_s, small_s, bare_s = (median(kind, "seconds") for kind in ("big", "small", "bare"))
    big_mb, small_mb, bare_mb = (median(kind, "rss_mb") for kind in ("big", "small", "bare"))
    print(f"\n  big lesson / bare app: {big_s / bare_s:.2f}x the time, {big_mb / bare_mb:.2f}x the memory")
    print(f"  big lesson - 3-step lesson: {(big_s - small_s) * 1000:+.0f} ms, {big_mb - small_mb:+.1f} MB RSS, "
          f"{traced['big']['traced_peak_mb'] - traced['small']['traced_peak_mb']:+.1f} MB traced")
    if "earlier" in runs:
        print(f"  this checkout / {args.compare}: {big_s / median('earlier', 'seconds'):.2f}x the time, {big_mb / median('earlier', 'rss_mb'):.2f}x the memory")
    helper = traced["big"]["children_rss_mb"]
    if helper > 0:  # `tutor.lesson.read_ahead`: the long lesson's checks, in a child that has exited by the time it is ready
        print(f"  the big lesson's read-ahead (its checks in a child process, ended before ready): peak RSS {helper:.1f} MB; "
              f"with tutor's own, at most {big_mb + helper:.0f} MB at once")
    print(f"  goals: at most 500 ms ({'met' if big_s <= 0.5 else 'missed'}: {big_s * 1000:.0f} ms) and 150 MB ({'met' if big_mb <= 150 else 'missed'}: {big_mb:.0f} MB)")


if __name__ == "__main__":
    main()
