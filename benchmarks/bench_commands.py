"""The one-shot commands (`validate`, `export`, `progress`, `grade`, `team report --format json|html`, and `--help`), next to `python -c "import textual"`.

    python benchmarks/bench_commands.py [--rounds 15] [--modules] [--keep-env]

Each command is run as a person runs it: the `tutor` console script beside this Python, a new
process, its output read and thrown away. The baseline is `python -c "import textual"` with the
same Python. Every round runs the baseline and every command once each, in a new random order
(the order is shuffled so that no command always follows the same one); one untimed round first
warms the file cache and writes bytecode, and checks that every command succeeds. It prints, per
command, the median and the 90th percentile of the wall-clock time and the ratio of its median to
the baseline's median (the goal: at most 1.2), the median CPU time (user + system) and its ratio
(steadier than the wall clock on a shared machine), and the load average at the start and end.

What runs, on fixtures made in a temporary folder: `tutor validate` of the bundled curriculum
(`curricula/steering-101`, 8 lessons), `tutor export` of its lesson `tests-that-lie` as Markdown and
as HTML, `tutor grade` of a goal answer to it (judge `auto` with no API key: the offline matcher),
`tutor progress` over a store of 24 attempts with answers, `tutor team report --format json` and
`--format html -o -` over a team of 12 members' result files, and `--help` of each.

Bytecode: an installed Tutor has its `.pyc` files, but a checkout run with PYTHONDONTWRITEBYTECODE
compiles every module of `tutor` on every start (about a third of the time). So the children run
with PYTHONDONTWRITEBYTECODE unset and PYTHONPYCACHEPREFIX set to a temporary folder (the tree is
left untouched); `--keep-env` runs them with the environment as it is.

`--modules` also prints, per command, which of the heavy packages it loaded (read from
`sys.modules` when it exits, with tests/helpers/modules_probe.py) and the packages that cost it the
most to import (`python -X importtime`, self time summed per top-level package, best of three runs).
"""

from __future__ import annotations

import argparse
import json
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TUTOR_BIN = Path(sys.executable).with_name("tutor")
PROBE = ROOT / "tests" / "helpers" / "modules_probe.py"
CURRICULUM = ROOT / "curricula" / "steering-101"
LESSON = CURRICULUM / "tests-that-lie"
GOAL = 1.2
HEAVY = ("textual", "anthropic", "git", "tinydb", "pydantic", "msgspec", "markdown_it", "click", "rich", "httpx", "jinja2", "numpy")
BASELINE = "python -c 'import textual'"


def make_fixtures(folder: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A TUTOR_HOME with progress and a joined team, an answer file; the environment and the commands to time."""
    home = folder / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("ANTHROPIC_API_KEY", "TUTOR_FORCE_TUI", "TUTOR_DEBUG")}
    env["TUTOR_HOME"] = str(home)
    os.environ["TUTOR_HOME"] = str(home)  # the helpers below write there
    _fill_progress(home)
    team = _fill_team(folder / "team")
    answer = folder / "answer.json"
    answer.write_text(json.dumps({"type": "goal", "text": "Make the failing test pass by fixing the code, not the test, and run the whole suite", "confidence": "high"}))
    commands = {
        "validate": ["validate", str(CURRICULUM)],
        "export md": ["export", str(LESSON)],
        "export html": ["export", "--format", "html", str(LESSON)],
        "grade": ["grade", str(LESSON), "s1", "--answer", str(answer)],
        "progress": ["progress"],
        "team report json": ["team", "report", "--format", "json", "--team", str(team)],
        "team report html": ["team", "report", "--format", "html", "-o", "-", "--team", str(team)],
        "--help": ["--help"],
        "validate --help": ["validate", "--help"],
        "export --help": ["export", "--help"],
        "grade --help": ["grade", "--help"],
        "progress --help": ["progress", "--help"],
        "team report --help": ["team", "report", "--help"],
    }
    return env, commands


def _fill_progress(home: Path) -> None:
    """24 attempts over the curriculum's 8 lessons, each with a few answers; one finished per lesson."""
    from tutor import paths
    from tutor.store import open_progress

    store = open_progress(paths.progress_dir())
    try:
        for lesson in sorted(path.parent.name for path in CURRICULUM.glob("*/lesson.json")):
            for attempt_number in range(3):
                attempt = store.start_attempt(lesson, "0" * 64, title=lesson.replace("-", " "), total=14, curriculum="steering-101")
                for step in ("s1", "s4", "s7"):
                    store.save_answer(attempt.id, {"step": step, "type": "outcome", "works": attempt_number % 2 == 0}, score=0.5, seconds=12.0)
                store.save_position(attempt.id, cursor=8, frontier=8, finished=attempt_number == 0, score=0.5 if attempt_number == 0 else None)
    finally:
        store.close()


def _fill_team(folder: Path) -> Path:
    from tests.helpers import team_results

    team = team_results.team_folder(folder, min_group=1)
    team_results.publish(team)
    team_results.random_team(team, 12)
    team_results.join(team)
    return team


def child_env(env: dict[str, str], cache: Path, keep: bool) -> dict[str, str]:
    if keep:
        return env
    env = dict(env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def argv_of(name: str, commands: dict[str, list[str]]) -> list[str]:
    return [sys.executable, "-c", "import textual"] if name == BASELINE else [str(TUTOR_BIN), *commands[name]]


def time_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds from spawn to exit, and the CPU seconds (user + system) the process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr.decode(errors='replace')[-500:]}")
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(commands: dict[str, list[str]], env: dict[str, str], rounds: int, seed: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    names = [BASELINE, *commands]
    rng = random.Random(seed)
    for name in names:  # warm-up: bytecode written, files cached, every command checked
        time_once(argv_of(name, commands), env)
    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        rng.shuffle(names)
        for name in names:
            seconds, used = time_once(argv_of(name, commands), env)
            wall[name].append(seconds)
            cpu[name].append(used)
    return wall, cpu


def report(wall: dict[str, list[float]], cpu: dict[str, list[float]]) -> None:
    """The wall-clock figure is the one a person waits for; the CPU figure moves less when the machine is shared."""
    base, base_cpu = statistics.median(wall[BASELINE]), statistics.median(cpu[BASELINE])
    width = max(len(name) for name in wall)
    print(f"{'program':<{width}}  {'median':>8}  {'p90':>8}  {'ratio':>6}  {'cpu':>7}  {'ratio':>6}")
    for name in sorted(wall, key=lambda name: (name != BASELINE, name)):
        median, used = statistics.median(wall[name]), statistics.median(cpu[name])
        ratio = median / base
        mark = "" if ratio <= GOAL else f"  over the goal ({GOAL})"
        print(f"{name:<{width}}  {median * 1000:6.0f}ms  {percentile(wall[name], 0.9) * 1000:6.0f}ms  {ratio:6.2f}  {used * 1000:5.0f}ms  {used / base_cpu:6.2f}{mark}")


def modules(commands: dict[str, list[str]], env: dict[str, str], folder: Path) -> None:
    """Per command: the heavy packages in sys.modules when it ends, and where its import time goes."""
    print("\nheavy packages loaded, and import self time per top-level package (ms, best of 3)")
    for name, args in commands.items():
        out = folder / "modules.txt"
        subprocess.run([sys.executable, str(PROBE), str(out), "--", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        loaded = set(out.read_text().split()) if out.exists() else set()
        heavy = [package for package in HEAVY if package in loaded]
        best: dict[str, float] = {}
        for _ in range(3):
            costs = _import_costs([str(TUTOR_BIN), *args], env)
            if not best or sum(costs.values()) < sum(best.values()):
                best = costs
        top = sorted(best.items(), key=lambda item: -item[1])[:6]
        print(f"  {name}: {len(loaded)} modules; {', '.join(heavy) or '-'}")
        print(f"      {sum(best.values()):.0f} ms importing: " + ", ".join(f"{package} {ms:.0f}" for package, ms in top))


def _import_costs(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    completed = subprocess.run(argv, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    costs: dict[str, float] = defaultdict(float)
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, module = line.removeprefix("import time:").split("|")
        costs[module.strip().split(".")[0]] += int(self_us) / 1000
    return dict(costs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (at least 10)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--modules", action="store_true", help="also what each command imports")
    parser.add_argument("--keep-env", action="store_true", help="run the children with this environment as it is (bytecode settings included)")
    parser.add_argument("--only", nargs="*", help="time only these commands (by name)")
    options = parser.parse_args()
    if options.rounds < 10:
        parser.error("--rounds: at least 10")
    if not TUTOR_BIN.exists():
        raise SystemExit(f"no console script {TUTOR_BIN}: install Tutor into this environment (pip install -e .)")
    folder = Path(tempfile.mkdtemp(prefix="bench-commands-"))
    try:
        env, commands = make_fixtures(folder)
        if options.only:
            commands = {name: args for name, args in commands.items() if name in options.only}
        env = child_env(env, folder / "pycache", options.keep_env)
        load_before = os.getloadavg()
        wall, cpu = measure(commands, env, options.rounds, options.seed)
        load_after = os.getloadavg()
        print(f"{options.rounds} interleaved rounds; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
              f"bytecode {'as the environment has it' if options.keep_env else 'cached (PYTHONPYCACHEPREFIX)'}")
        report(wall, cpu)
        if options.modules:
            modules(commands, env, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
