"""How long until Tutor's first screen takes a key, next to a bare Textual app?

    python benchmarks/bench_startup.py [--runs 10] [--counts 8,100,500] [--attempts 10,10000]
                                       [--lesson PATH] [--size 120x40] [--importtime 0]

What a person waits for is not the first paint but the first key that does something. Each
run spawns the program on a fresh pseudo-terminal of the given size (it sees a real
terminal), reads what it draws until a known text shows, sends a key *the moment* that text
is drawn (as an outside harness driving tmux would), and reads on until the key's effect is
drawn. Two times per run: the screen painted, and the key acted (time to interactive).

* baseline: a bare Textual app (Header, one Static, Footer), written to a temporary script;
  painted when its Static shows, and a binding (`down`) rewrites the Static: acted.
* `tutor learn LESSON` (the console script beside this Python), a fresh TUTOR_HOME each run
  (the lesson opened for the first time): the title painted (the header, as before), then
  the lesson usable: the task and "Press n" on screen; `n` is sent at once, and acted when
  step 1 shows ("step 1 of").
* `tutor` (the library) with a generated curriculum of N small realistic lessons (a goal
  with its ask, a prompt, a command and its output, an edit and its diff, an intervene ask, a
  note), besides the bundled curricula: painted when the list is on screen (the bundled
  curriculum's first lesson and the generated curriculum's title, and the lesson count);
  `down` is sent at once, and acted when the details pane shows the second lesson's summary.
  Each count has its own TUTOR_HOME kept across runs, as a learner's is: an untimed warm-up
  run comes first (so whatever Tutor keeps under TUTOR_HOME, an index of lessons, is
  current, as it is every day but the first), and "first run" rows time a fresh home.
* the library with stored attempts (`--attempts`): the 100-lesson curriculum, its progress
  holding that many attempts at its lessons.

Runs are interleaved (baseline, then each program, round after round) after one untimed
warm-up of each (file cache, bytecode: every child writes it, under a temporary
PYTHONPYCACHEPREFIX, even where the environment says PYTHONDONTWRITEBYTECODE, or a tree
given to `--compare` would compile every module on every run); it prints medians, the 95th percentile, and each
median as a ratio to the baseline's median of the same kind (painted / acted). The goal is
a ratio of at most 1.3 for the key acted. `--importtime N` then shows, with
`python -X importtime`, the top N offenders among what the first screens import.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LESSON = ROOT / "tests" / "data" / "curriculum-example" / "tests-that-lie"
TUTOR_BIN = Path(sys.executable).with_name("tutor")
BASELINE_MARKER = "Baseline app ready"
BASELINE_ACTED = "Baseline key acted"
BASELINE_APP = f'''\
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Baseline(App[None]):
    TITLE = "Baseline"
    BINDINGS = [("down", "act", "Act")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("{BASELINE_MARKER}", id="text")
        yield Footer()

    def action_act(self) -> None:
        self.query_one("#text", Static).update("{BASELINE_ACTED}")


if __name__ == "__main__":
    Baseline().run()
'''
KEYS = {"down": b"\x1b[B", "n": b"n", "enter": b"\r"}
ANSI = re.compile(rb"\x1b(?:\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78DEHMNOZc])")
# What the first screens import: `tutor learn LESSON` (the fast start) and the library.
FIRST_SCREEN_MODULES = ["tutor.entry", "tutor.ui.app", "tutor.ui.first_screen", "tutor.ui.screens.library", "tutor.ui.screens.lesson"]


@dataclass(frozen=True)
class Probe:
    """One program to time: painted when every text of `painted` is drawn; then `key` is sent and it has
    acted when `acted` is drawn after it (a text only the key's effect draws)."""

    label: str
    argv: list[str]
    env: dict[str, str]
    painted: list[str]
    key: str
    acted: str
    title: str | None = None  # also timed: a text drawn before the screen is usable (the header's title)


def _screen_text(raw: bytes) -> str:
    return ANSI.sub(b"", raw).decode("utf-8", "replace")


def time_probe(probe: Probe, size: tuple[int, int], timeout: float = 60.0) -> dict[str, float]:
    """Run the probe's program on a new pty of SIZE (columns, rows): seconds from spawn to `title`, `painted`, `acted`."""
    master, slave = os.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(probe.argv, stdin=slave, stdout=slave, stderr=slave, env=probe.env, close_fds=True, start_new_session=True)
    os.close(slave)
    times: dict[str, float] = {}
    raw = b""
    key_sent_at = -1  # the length of the screen's text when the key went: its effect is looked for after it
    try:
        deadline = start + timeout
        while "acted" not in times:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                waiting = "the key's effect " + repr(probe.acted) if "painted" in times else repr(probe.painted)
                raise TimeoutError(f"{probe.label}: no {waiting} within {timeout:.0f}s; it drew: {_screen_text(raw)[-800:]!r}")
            ready, _, _ = select.select([master], [], [], min(remaining, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{probe.label} exited ({process.poll()}) early; it drew: {_screen_text(raw)[-800:]!r}")
            now = time.perf_counter()
            raw += chunk
            text = _screen_text(raw)
            if probe.title is not None and "title" not in times and probe.title in text:
                times["title"] = now - start
            if "painted" not in times and all(marker in text for marker in probe.painted):
                times["painted"] = now - start
                os.write(master, KEYS[probe.key])  # at once, as a person (or a harness) would
                key_sent_at = len(text)
            elif "painted" in times and probe.acted in text[max(0, key_sent_at - len(probe.acted)) :]:
                times["acted"] = now - start
        return times
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


def plain_words(markdown: str, count: int = 3) -> str:
    """A plain run of the first words of MARKDOWN (no markup), as the screen shows them."""
    words = []
    for word in markdown.split():
        if any(mark in word for mark in "*`_[]#|"):
            if words:
                break
            continue
        words.append(word)
        if len(words) == count:
            break
    return " ".join(words)


# ---------------------------------------------------------------- generated curricula

TOPICS = [
    ("retry", "a flaky HTTP client", "httpkit/client.py", "requests time out under load"),
    ("cache", "a stale price cache", "shop/prices.py", "prices stay old after an update"),
    ("dates", "month-end billing", "billing/periods.py", "invoices skip the 31st"),
    ("paths", "an upload folder", "uploads/store.py", "names with ../ escape the folder"),
    ("report", "the weekly report", "reports/weekly.py", "totals differ from the ledger"),
    ("parser", "a config parser", "conf/parse.py", "a trailing comma crashes start-up"),
    ("queue", "a job queue", "jobs/queue.py", "jobs run twice after a restart"),
    ("auth", "session tokens", "auth/tokens.py", "logged-out users stay logged in"),
]


def generated_lesson(number: int) -> dict:
    """A small realistic lesson: seven steps, a goal ask, an outcome ask and an intervene ask."""
    slug, thing, path, symptom = TOPICS[number % len(TOPICS)]
    name = f"{slug}-{number:04d}"
    diff = "\n".join(
        [f"--- a/{path}", f"+++ b/{path}", "@@ -10,7 +10,9 @@", *(f" line {index} of the function" for index in range(3)), "-    return value", "+    if value is None:", "+        raise ValueError('missing')", "+    return value"]
    )
    output = "\n".join(f"tests/test_{slug}.py::test_case_{index} PASSED" for index in range(12)) + "\n12 passed in 0.31s\n"
    return {
        "format": "tutor.lesson/1",
        "id": name,
        "title": f"Lesson {number:04d}: {thing}",
        "summary": f"Summary{number:04d} of {thing}: {symptom}. Steer the agent from a vague complaint to a change you can check.",
        "author": "Bench",
        "level": "beginner",
        "minutes": 8,
        "tags": [slug, "python"],
        "origin": "scripted",
        "task": f"Users report that {symptom} in **{thing}** (`{path}`). You have a coding agent open in the repository.\n\nFix it without changing the public API.",
        "steps": [
            {"id": "s1", "kind": "goal", "text": f"Fix {symptom} in {path}; add a test that fails first; keep the API.", "criteria": ["names the symptom", "asks for a failing test first", "keeps the API"],
             "ask": {"type": "goal", "prompt": "What goal would you give the agent?", "rubric": ["says how we will know it is done", "bounds the change"]}},
            {"id": "s2", "kind": "prompt", "text": f"Users say {symptom}. Can you fix it?"},
            {"id": "s3", "kind": "agent", "text": "I'll run the tests first.", "calls": [{"id": "c1", "tool": "run", "input": {"command": f"python -m pytest -q tests/test_{slug}.py"}}]},
            {"id": "s4", "kind": "result", "call": "c1", "ok": True, "exit_code": 0, "output": output,
             "ask": {"type": "outcome", "prompt": "Will the tests pass?"}},
            {"id": "s5", "kind": "agent", "text": "I'll guard against the missing value.", "calls": [{"id": "c2", "tool": "edit_file", "input": {"path": path, "old": "    return value\n", "new": "    if value is None:\n        raise ValueError('missing')\n    return value\n"}}]},
            {"id": "s6", "kind": "result", "call": "c2", "ok": True, "output": diff, "annotation": "A small change, in the right place.",
             "ask": {"type": "intervene", "prompt": "The agent wants to make this edit. Would you let it?", "key_points": []}},
            {"id": "s7", "kind": "note", "text": "Recap: a checkable goal first, then a test that fails, then the fix."},
        ],
    }


def write_curriculum(folder: Path, count: int) -> list[dict]:
    """A curriculum of COUNT generated lessons in FOLDER; returns the lessons, in order."""
    folder.mkdir(parents=True)
    lessons = [generated_lesson(number) for number in range(1, count + 1)]
    for lesson in lessons:
        (folder / lesson["id"]).mkdir()
        (folder / lesson["id"] / "lesson.json").write_text(json.dumps(lesson, indent=2), encoding="utf-8")
    listed = ", ".join(json.dumps(lesson["id"]) for lesson in lessons)
    (folder / "curriculum.toml").write_text(f'title = "Generated {count}"\ndescription = "Bench lessons."\nlessons = [{listed}]\n', encoding="utf-8")
    return lessons


def home_with(home: Path, curricula: list[Path]) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(json.dumps(str(path)) for path in curricula)
    (home / "config.toml").write_text(f"curricula = [{listed}]\n", encoding="utf-8")
    return home


LAST_OPENED = 49  # the generated lesson (0-based) the last stored attempt is at
ATTEMPTS_SCRIPT = """\
import sys
from tutor.store import open_progress
from tutor.services.library import lesson_key
from pathlib import Path
import json

progress_dir, curriculum, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
names = json.loads(sys.argv[4])
store = open_progress(progress_dir)
try:
    for index in range(count):
        name = names[index % len(names)]
        folder = curriculum / name
        attempt = store.start_attempt(name, "0" * 64, title=name, total=7, curriculum=curriculum.name, key=lesson_key(folder, name))
        store.save_answer(attempt.id, {"step": "s4", "type": "outcome", "works": True}, score=1.0)
        finished = index < count - len(names)
        store.save_position(attempt.id, cursor=7 if finished else 2, frontier=7 if finished else 2, finished=finished)
finally:
    store.close()
"""


def store_attempts(home: Path, curriculum: Path, lessons: list[dict], count: int) -> None:
    """COUNT attempts at the curriculum's lessons in HOME's progress: round robin, every attempt finished but the
    last round's, the last one at the middle lesson (`LAST_OPENED`: the library's cursor starts there)."""
    shift = LAST_OPENED - (count - 1) % len(lessons)
    names = [lessons[(index + shift) % len(lessons)]["id"] for index in range(len(lessons))]
    subprocess.run([sys.executable, "-c", ATTEMPTS_SCRIPT, str(home / "progress"), str(curriculum), str(count), json.dumps(names)],
                   check=True, env=dict(os.environ, TUTOR_HOME=str(home)), cwd=ROOT)


# ---------------------------------------------------------------- -X importtime

def import_offenders(modules: list[str], top: int, repeat: int = 3) -> None:
    """Import MODULES in fresh interpreters under `-X importtime`; keep each module's fastest of REPEAT runs."""
    code = "; ".join(f"import {module}" for module in modules)
    best: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    for _ in range(repeat):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT)
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
            if not match:
                continue
            self_us, cumulative, name = int(match.group(1)), int(match.group(2)), match.group(4)
            if name not in best:
                order.append(name)
                best[name] = (self_us, cumulative)
            else:
                best[name] = (min(best[name][0], self_us), min(best[name][1], cumulative))
    if not order:
        print("  (no -X importtime output)")
        return
    total = sum(best[name][0] for name in order)
    print(f"\n`python -X importtime -c \"{code}\"` (best of {repeat}): {len(order)} modules, {total / 1000:.0f} ms of import in all")
    print(f"  top {top} by cumulative time:")
    for name in sorted(order, key=lambda name: -best[name][1])[:top]:
        print(f"    {best[name][1] / 1000:7.1f} ms  {best[name][0] / 1000:6.1f} ms self  {name}")
    groups: dict[str, int] = {}
    for name in order:
        groups[name.split(".")[0]] = groups.get(name.split(".")[0], 0) + best[name][0]
    print("  self time by top-level package:")
    for root, spent in sorted(groups.items(), key=lambda item: -item[1])[:top]:
        print(f"    {spent / 1000:7.1f} ms  {root}")


# ---------------------------------------------------------------- the run

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each program (default 10)")
    parser.add_argument("--counts", default="8,100,500", help="lessons in the generated curriculum, one library per count (default 8,100,500; empty: none)")
    parser.add_argument("--attempts", default="10,10000", help="attempts stored, one library of 100 lessons per figure (default 10,10000; empty: none)")
    parser.add_argument("--first-run", action="store_true", help="also time the library on a fresh TUTOR_HOME each run (nothing kept yet), at the largest count")
    parser.add_argument("--keep", type=Path, help="keep the generated curricula and the stores of attempts in this folder, and reuse them (storing 10,000 attempts takes minutes)")
    parser.add_argument("--lesson", type=Path, default=DEFAULT_LESSON, help="the lesson folder `tutor learn` opens")
    parser.add_argument("--no-learn", action="store_true", help="leave out `tutor learn`")
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxROWS (default 120x40)")
    parser.add_argument("--compare", type=Path, metavar="TREE", action="append", default=[], help="also time every tutor probe with the `tutor` package of another source tree (e.g. `git archive` of the commit before a change), in the same interleaved runs, labelled [TREE's name]; may be given more than once (give this tree too, as a `git archive` copy, for a like-for-like comparison: a tree on PYTHONPATH makes every import look in one more folder)")
    parser.add_argument("--importtime", type=int, default=0, metavar="N", help="show the top N import-time offenders of the first screens (default 0: skip)")
    args = parser.parse_args()
    if not TUTOR_BIN.exists():
        sys.exit(f"no `tutor` console script at {TUTOR_BIN}: install the package into this Python (pip install -e .)")
    size = tuple(int(part) for part in args.size.lower().split("x"))
    counts = [int(part) for part in args.counts.split(",") if part.strip()]
    attempt_counts = [int(part) for part in args.attempts.split(",") if part.strip()]

    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEXTUAL", "TUTOR_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG=env.get("LANG") or "C.UTF-8")
    env.pop("ANTHROPIC_API_KEY", None)

    bundled = ROOT / "curricula" / "steering-101"
    bundled_lessons = [json.loads((bundled / name / "lesson.json").read_text(encoding="utf-8")) for name in _listed(bundled)]

    with tempfile.TemporaryDirectory(prefix="tutor-bench-startup-") as scratch:
        scratch_dir = Path(scratch)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(scratch_dir / "bytecode")
        baseline_script = scratch_dir / "baseline_app.py"
        baseline_script.write_text(BASELINE_APP, encoding="utf-8")
        probes: list[Callable[[], Probe]] = []
        baseline = Probe("baseline", [sys.executable, str(baseline_script)], env, [BASELINE_MARKER], "down", BASELINE_ACTED)
        probes.append(lambda: baseline)

        if not args.no_learn:
            lesson = args.lesson.resolve()
            data = json.loads((lesson / "lesson.json").read_text(encoding="utf-8"))
            fresh_homes = iter(range(100_000))

            def learn_probe() -> Probe:
                home = scratch_dir / f"learn-home-{next(fresh_homes)}"
                home.mkdir()
                return Probe("tutor learn", [str(TUTOR_BIN), "learn", str(lesson)], dict(env, TUTOR_HOME=str(home)),
                             [plain_words(data["task"]), "Press n"], "n", "step 1 of", title=data["title"])

            probes.append(learn_probe)

        def library_probe(label: str, home: Path, curriculum_title: str, total: int) -> Probe:
            # The list on screen: the bundled curriculum's first lesson, the generated curriculum's heading and the count.
            painted = [bundled_lessons[0]["title"], curriculum_title, f"{total} lessons"]
            return Probe(label, [str(TUTOR_BIN)], dict(env, TUTOR_HOME=str(home)), painted, "down", plain_words(bundled_lessons[1]["summary"], 4))

        def kept_home(probe: Probe) -> Callable[[], Probe]:
            return lambda: probe

        kept = args.keep.resolve() if args.keep else scratch_dir
        generated: dict[int, tuple[Path, list[dict]]] = {}
        for count in sorted({*counts, *([100] if attempt_counts else [])}):
            folder = kept / f"generated-{count}"
            if (folder / "curriculum.toml").exists():  # kept from an earlier run: the same lessons (generation is deterministic)
                generated[count] = (folder, [generated_lesson(number) for number in range(1, count + 1)])
            else:
                generated[count] = (folder, write_curriculum(folder, count))
        _check_valid(generated, env)
        for count in counts:
            folder, _ = generated[count]
            home = home_with(scratch_dir / f"library-home-{count}", [folder])
            probes.append(kept_home(library_probe(f"library, {count} lessons", home, f"Generated {count}", count + len(bundled_lessons))))
        if args.first_run and counts:
            count = max(counts)
            folder, _ = generated[count]
            first_homes = iter(range(100_000))

            def first_run_probe(folder: Path = folder, count: int = count) -> Probe:
                home = home_with(scratch_dir / f"first-home-{next(first_homes)}", [folder])
                return library_probe(f"library, {count}, first run", home, f"Generated {count}", count + len(bundled_lessons))

            probes.append(first_run_probe)
        for attempts in attempt_counts:
            folder, lessons = generated[100]
            home = home_with(scratch_dir / f"attempts-home-{attempts}", [folder])
            store = kept / f"progress-{attempts}"
            if not store.exists():
                started = time.perf_counter()
                shutil.rmtree(store.with_name(store.name + ".part"), ignore_errors=True)  # an interrupted run's
                store_attempts(store.with_name(store.name + ".part"), folder, lessons, attempts)
                (store.with_name(store.name + ".part") / "progress").rename(store)
                shutil.rmtree(store.with_name(store.name + ".part"))
                print(f"  ({attempts} attempts stored in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
            shutil.copytree(store, home / "progress")
            probe = library_probe(f"library 100, {attempts} attempts", home, "Generated 100", 100 + len(bundled_lessons))
            # On screen with the learner's states (the last round's attempts are in progress), the cursor on the
            # lesson last opened: the key's effect is the details of the lesson after it.
            # (The list is scrolled there: the curricula's first lessons and headings are out of view.)
            painted = [f"{100 + len(bundled_lessons)} lessons", "in progress · step", lessons[LAST_OPENED]["title"]]
            acted = plain_words(lessons[LAST_OPENED + 1]["summary"], 4)
            probes.append(kept_home(Probe(probe.label, probe.argv, probe.env, painted, "down", acted)))

        if args.compare:
            trees = [tree.resolve() for tree in args.compare]
            probes[1:] = [twin for make in probes[1:] for twin in (make, *(twinned(make, tree) for tree in trees))]

        print(f"Time to interactive, {args.runs} interleaved runs each, on a {size[0]}x{size[1]} pty; Python {sys.version.split()[0]}, "
              f"Textual {__import__('textual').__version__}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        for make in probes:  # warm-up: file cache, bytecode, and whatever a kept TUTOR_HOME keeps
            time_probe(make(), size)
        results: dict[str, dict[str, list[float]]] = {}
        loads = []
        for _ in range(args.runs):
            for make in probes:
                probe = make()
                for kind, value in time_probe(probe, size).items():
                    results.setdefault(probe.label, {}).setdefault(kind, []).append(value)
            loads.append(os.getloadavg()[0])

    base = results["baseline"]
    base_painted, base_acted = statistics.median(base["painted"]), statistics.median(base["acted"])
    print(f"\n  {'':44} {'what':9} {'median':>9} {'p95':>9} {'ratio':>6}   (ratio: median / the baseline's median, painted to painted, acted to acted)")
    for label, kinds in results.items():
        for kind in ("title", "painted", "acted"):
            if kind not in kinds:
                continue
            median, p95 = summary(kinds[kind])
            against = base_acted if kind == "acted" else base_painted
            verdict = ("  meets" if median / against <= 1.3 else "  MISSES") + " the goal of 1.3" if kind == "acted" and label != "baseline" else ""
            print(f"  {label:44} {kind:9} {median * 1000:6.0f} ms {p95 * 1000:6.0f} ms {median / against:6.2f}{verdict}")
    print(f"\n  load average while timing: {min(loads):.2f} to {max(loads):.2f}")
    for tag in ["", *(f" [{tree.resolve().name}]" for tree in args.compare)]:
        if attempt_counts and len(attempt_counts) > 1:
            low, high = (results[f"library 100, {count} attempts{tag}"]["acted"] for count in (min(attempt_counts), max(attempt_counts)))
            ratio = statistics.median(high) / statistics.median(low)
            print(f"  library with {max(attempt_counts)} attempts / with {min(attempt_counts)}, key acted{tag}: {ratio:.2f}  ({'meets' if ratio <= 2 else 'MISSES'} the goal of 2)")

    if args.importtime:
        print("\nWhere the first screens' imports go")
        import_offenders(FIRST_SCREEN_MODULES, args.importtime)


def twinned(make: Callable[[], Probe], tree: Path) -> Callable[[], Probe]:
    """MAKE's probe run with the `tutor` package of source tree TREE, on a copy of its TUTOR_HOME (each tree keeps its own)."""

    def factory() -> Probe:
        probe = make()
        home = Path(probe.env["TUTOR_HOME"])
        own = home.with_name(f"{home.name}-{tree.name}")
        if not own.exists():
            shutil.copytree(home, own, symlinks=True)
        env = dict(probe.env, TUTOR_HOME=str(own), PYTHONPATH=str(tree))
        return Probe(f"{probe.label} [{tree.name}]", probe.argv, env, probe.painted, probe.key, probe.acted, probe.title)

    return factory


def _listed(curriculum: Path) -> list[str]:
    import tomllib

    return list(tomllib.loads((curriculum / "curriculum.toml").read_text(encoding="utf-8"))["lessons"])


def _check_valid(generated: dict[int, tuple[Path, list[dict]]], env: dict[str, str]) -> None:
    """The generated lessons are lessons: `tutor validate` passes the smallest curriculum (none generated: nothing to check)."""
    if not generated:
        return
    folder, _ = generated[min(generated)]
    result = subprocess.run([str(TUTOR_BIN), "validate", str(folder)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"the generated lessons do not validate:\n{result.stdout}{result.stderr}")


if __name__ == "__main__":
    main()
