"""How long until `tutor learn LESSON` has painted its first screen, next to a minimal Textual app?

    python benchmarks/bench_startup.py [--runs 12] [--lesson PATH] [--size 120x40] [--importtime 20]

Each run spawns a process on a fresh pseudo-terminal (the program sees a real terminal
of the given size) and reads what it draws until a known text shows up; the time from
spawn to that text is the startup. Then ctrl+q quits it and the next run starts.

* tutor: `tutor learn LESSON` (the console script beside this Python), each run with a
  fresh TUTOR_HOME, so every run opens the lesson for the first time. Two times are
  taken: the lesson's title in the header (the first painted screen) and a piece of the
  task text (the lesson content painted).
* baseline: a minimal Textual app (Header, one Static, Footer), written to a temporary
  script, until its Static's text shows.

Runs alternate tutor, baseline, tutor, ... after one untimed warm-up of each (file
cache, bytecode). It prints the median and 95th percentile of each and the ratio of the
medians; the goal is a ratio of at most 1.3. Then `python -X importtime` of the modules
that opening a lesson imports, the top offenders by cumulative and by self time, to show
where startup goes.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LESSON = ROOT / "tests" / "data" / "curriculum-example" / "tests-that-lie"
TUTOR_BIN = Path(sys.executable).with_name("tutor")
BASELINE_MARKER = "Baseline app ready"
BASELINE_APP = f'''\
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Baseline(App[None]):
    TITLE = "Baseline"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("{BASELINE_MARKER}")
        yield Footer()


if __name__ == "__main__":
    Baseline().run()
'''
# Modules that `tutor learn LESSON` imports on its way to the lesson screen.
LESSON_PATH_MODULES = [
    "tutor.cli",
    "tutor.settings",
    "tutor.lesson",
    "tutor.ui.app",
    "tutor.services.lesson_run",
    "tutor.store",
    "tutor.ui.screens.lesson",
]
ANSI = re.compile(rb"\x1b(?:\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78DEHMNOZc])")


def spawn_until(argv: list[str], markers: list[str], env: dict[str, str], size: tuple[int, int], timeout: float = 30.0) -> list[float]:
    """Run ARGV on a new pty of SIZE (columns, rows); seconds from spawn until each of MARKERS is drawn."""
    master, slave = os.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    found: dict[str, float] = {}
    raw = b""
    try:
        deadline = start + timeout
        while len(found) < len(markers):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                text = ANSI.sub(b"", raw).decode("utf-8", "replace")
                raise TimeoutError(f"{argv[0]}: no {[m for m in markers if m not in found]} within {timeout:.0f}s; it drew: {text[-600:]!r}")
            ready, _, _ = select.select([master], [], [], min(remaining, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                text = ANSI.sub(b"", raw).decode("utf-8", "replace")
                raise RuntimeError(f"{argv[0]} exited ({process.poll()}) before drawing {markers}; it drew: {text[-600:]!r}")
            now = time.perf_counter()
            raw += chunk
            text = ANSI.sub(b"", raw).decode("utf-8", "replace")
            for marker in markers:
                if marker not in found and marker in text:
                    found[marker] = now - start
        return [found[marker] for marker in markers]
    finally:
        quit_and_reap(process, master)


def quit_and_reap(process: subprocess.Popen, master: int) -> None:
    """Ask the app to quit (ctrl+q), keep draining its output so it never blocks, then reap it."""
    try:
        os.write(master, b"\x11")
    except OSError:
        pass
    deadline = time.perf_counter() + 10
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
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    os.close(master)


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def task_marker(lesson: Path) -> str:
    """A plain run of words from the task's first line, as the screen shows it."""
    import json

    task = json.loads((lesson / "lesson.json").read_text(encoding="utf-8"))["task"]
    words = []
    for word in task.split():
        if any(mark in word for mark in "*`_[]"):
            break
        words.append(word)
        if len(words) == 3:
            break
    return " ".join(words)


def import_offenders(modules: list[str], top: int, repeat: int = 3) -> None:
    """Import MODULES in fresh interpreters under `-X importtime`; keep each module's fastest of REPEAT runs."""
    code = "; ".join(f"import {module}" for module in modules)
    best: dict[str, tuple[int, int, int]] = {}
    order: list[str] = []
    for _ in range(repeat):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT)
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
            if not match:
                continue
            self_us, cumulative, depth, name = int(match.group(1)), int(match.group(2)), len(match.group(3)) // 2, match.group(4)
            if name not in best:
                order.append(name)
                best[name] = (self_us, cumulative, depth)
            else:
                old = best[name]
                best[name] = (min(old[0], self_us), min(old[1], cumulative), old[2])
    rows = [(best[name][0], best[name][1], best[name][2], name) for name in order]
    if not rows:
        print("  (no -X importtime output)")
        return
    total = sum(row[0] for row in rows)
    print(f"\n`python -X importtime -c \"{code}\"` (best of {repeat}): {len(rows)} modules, {total / 1000:.0f} ms of import in all")
    print(f"\n  top {top} by cumulative time (a package's own import plus everything it pulls in):")
    for self_us, cumulative, depth, name in sorted(rows, key=lambda row: -row[1])[:top]:
        print(f"    {cumulative / 1000:7.1f} ms  {self_us / 1000:6.1f} ms self  {'  ' * min(depth, 6)}{name}")
    print(f"\n  top {top} by self time (the module's own code, excluding what it imports):")
    for self_us, _cumulative, _depth, name in sorted(rows, key=lambda row: -row[0])[:top]:
        print(f"    {self_us / 1000:7.1f} ms  {name}")
    groups: dict[str, int] = {}
    for self_us, _, _, name in rows:
        root = name.split(".")[0]
        groups[root] = groups.get(root, 0) + self_us
    print("\n  self time by top-level package:")
    for root, spent in sorted(groups.items(), key=lambda item: -item[1])[:top]:
        print(f"    {spent / 1000:7.1f} ms  {root}")


STAGES = """\
import sys, time
start = time.perf_counter()
def mark(label):
    global start
    now = time.perf_counter()
    print(f"{label}\\t{(now - start) * 1000:.1f}")
    start = now
import tutor.cli
mark("import tutor.cli (click)")
from tutor.lesson import read_lesson
mark("import tutor.lesson (pydantic models)")
read = read_lesson(sys.argv[1])
mark("read_lesson: read, parse, validate")
from tutor.cli import make_app
app = make_app(lesson=None)
mark("make_app: settings, import tutor.ui.app (Textual)")
import tutor.ui.screens.lesson, tutor.services.lesson_run
mark("import the lesson screen, its widgets, the run service")
from tutor import paths
from tutor.store import open_progress
progress = open_progress(paths.progress_dir())
mark("open_progress (a fresh TUTOR_HOME)")
from tutor.services.lesson_run import LessonRun
run = LessonRun(read.lesson, progress)
view = run.view()
mark("LessonRun: start the attempt, first view")
"""


def wall(argv: list[str], env: dict[str, str], repeat: int = 5) -> float:
    """Median seconds for ARGV to run to its end."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stages(lesson: Path, env: dict[str, str], scratch: Path, repeat: int = 5) -> float:
    """The work `tutor learn` does before Textual draws anything, stage by stage (median of REPEAT fresh processes).

    Returns the total, in seconds.
    """
    script = scratch / "stages.py"
    script.write_text(STAGES, encoding="utf-8")
    table: dict[str, list[float]] = {}
    for index in range(repeat):
        home = scratch / f"stages-home-{index}"
        home.mkdir()
        result = subprocess.run([sys.executable, str(script), str(lesson)], capture_output=True, text=True, env=dict(env, TUTOR_HOME=str(home)), cwd=ROOT)
        if result.returncode != 0:
            print("  (stages failed:", result.stderr.strip().splitlines()[-1:], ")")
            return 0.0
        for line in result.stdout.splitlines():
            label, _, ms = line.partition("\t")
            table.setdefault(label, []).append(float(ms))
    print(f"\nLoading the lesson in one process (median of {repeat} fresh processes); `tutor learn` paints the title and task before most of this:")
    for label, times in table.items():
        print(f"  {statistics.median(times):7.1f} ms  {label}")
    total = sum(statistics.median(times) for times in table.values())
    print(f"  {total:7.1f} ms  in all (then Textual starts the app and paints)")
    return total / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12, help="timed runs of each program (default 12)")
    parser.add_argument("--lesson", type=Path, default=DEFAULT_LESSON, help="the lesson folder to open")
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxROWS (default 120x40)")
    parser.add_argument("--importtime", type=int, default=20, metavar="N", help="show the top N import-time offenders (0: skip)")
    args = parser.parse_args()
    if not TUTOR_BIN.exists():
        sys.exit(f"no `tutor` console script at {TUTOR_BIN}: install the package into this Python (pip install -e .)")
    columns, rows = (int(part) for part in args.size.lower().split("x"))
    lesson = args.lesson.resolve()
    import json

    title = json.loads((lesson / "lesson.json").read_text(encoding="utf-8"))["title"]
    task = task_marker(lesson)

    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEXTUAL", "TUTOR_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG=env.get("LANG") or "C.UTF-8")
    env.pop("ANTHROPIC_API_KEY", None)

    with tempfile.TemporaryDirectory(prefix="tutor-bench-startup-") as scratch:
        scratch_dir = Path(scratch)
        baseline_script = scratch_dir / "baseline_app.py"
        baseline_script.write_text(BASELINE_APP, encoding="utf-8")
        homes = iter(range(10_000))

        def run_tutor() -> list[float]:
            home = scratch_dir / f"home-{next(homes)}"
            home.mkdir()
            return spawn_until([str(TUTOR_BIN), "learn", str(lesson)], [title, task], dict(env, TUTOR_HOME=str(home)), (columns, rows))

        def run_baseline() -> float:
            return spawn_until([sys.executable, str(baseline_script)], [BASELINE_MARKER], env, (columns, rows))[0]

        print(f"Startup to first paint, {args.runs} runs each, alternating, on a {columns}x{rows} pty")
        print(f"  tutor:    {TUTOR_BIN} learn {lesson}  (until {title!r}, then {task!r})")
        print(f"  baseline: a Textual app with Header, Static, Footer  (until {BASELINE_MARKER!r})")
        print(f"  Python {sys.version.split()[0]}, Textual {__import__('textual').__version__}")
        run_tutor(), run_baseline()  # warm-up: file cache, bytecode
        tutor_title: list[float] = []
        tutor_task: list[float] = []
        baseline: list[float] = []
        for _ in range(args.runs):
            first, content = run_tutor()
            tutor_title.append(first)
            tutor_task.append(content)
            baseline.append(run_baseline())

        before_paint = stages(lesson, env, scratch_dir)
        # os._exit: leave out the interpreter's shutdown, which the timed runs never reach.
        interpreter = wall([sys.executable, "-c", "import os; os._exit(0)"], env)
        imports = "import textual.app, textual.widgets._header, textual.widgets._static, textual.widgets._footer"
        baseline_imports = wall([sys.executable, "-c", f"{imports}; import os; os._exit(0)"], env) - interpreter

    rows_out = [
        ("baseline (Header, Static, Footer)", baseline),
        ("tutor learn: title painted", tutor_title),
        ("tutor learn: task text painted", tutor_task),
    ]
    print(f"\n  {'':36} {'median':>9} {'p95':>9} {'min':>9} {'max':>9}")
    for label, times in rows_out:
        median, p95 = summary(times)
        print(f"  {label:36} {median * 1000:7.0f} ms {p95 * 1000:6.0f} ms {min(times) * 1000:6.0f} ms {max(times) * 1000:6.0f} ms")
    base = statistics.median(baseline)
    ratio = statistics.median(tutor_title) / base
    verdict = "meets" if ratio <= 1.3 else "misses"
    print(f"\n  ratio of medians, first paint:   {ratio:.2f}  ({verdict} the goal of at most 1.3)")
    print(f"  ratio of medians, task painted:  {statistics.median(tutor_task) / base:.2f}")
    print("\n  Roughly, from the medians:")
    print(f"  {'':10}{'interpreter':>13}{'before the app':>16}{'app start + paint':>19}")
    tutor_rest = statistics.median(tutor_title) - interpreter - before_paint
    base_rest = base - interpreter - baseline_imports
    print(f"  {'tutor':10}{interpreter * 1000:10.0f} ms{before_paint * 1000:13.0f} ms{tutor_rest * 1000:16.0f} ms   (before the app: imports, lesson, progress)")
    print(f"  {'baseline':10}{interpreter * 1000:10.0f} ms{baseline_imports * 1000:13.0f} ms{base_rest * 1000:16.0f} ms   (before the app: importing Textual)")

    if args.importtime:
        print("\nWhere tutor's startup goes: the imports on the way to the lesson screen")
        import_offenders(LESSON_PATH_MODULES, args.importtime)
        print("\nFor comparison, the baseline app's imports")
        import_offenders(["textual.app", "textual.widgets._header", "textual.widgets._static", "textual.widgets._footer"], min(args.importtime, 8))


if __name__ == "__main__":
    main()
