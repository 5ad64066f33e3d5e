"""What each command imports (issue 18, item 5): the one-shot commands load no Textual and no SDK they
do not use, and no first screen loads anthropic, GitPython or TinyDB before it is up.

Every command runs in its own process through tests/helpers/modules_probe.py, which runs the real
command line (`tutor.entry.main`) and writes `sorted(sys.modules)`: at exit for a one-shot command;
for a screen, once the first screen the command opens is up and painted (run headless, then left).
Nothing is timed here: benchmarks/bench_commands.py measures what this saves.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "helpers" / "modules_probe.py"
CURRICULUM = ROOT / "curricula" / "steering-101"
LESSON = CURRICULUM / "tests-that-lie"
TIMEOUT = 180


def loaded(out: Path, *args: str, screen: bool = False) -> set[str]:
    """The modules `tutor ARGS` had loaded (when it ended, or when its first screen was up)."""
    options = [str(out), "--screen"] if screen else [str(out)]
    env = {key: value for key, value in os.environ.items() if key not in ("ANTHROPIC_API_KEY", "TUTOR_FORCE_TUI", "TUTOR_NO_FAST_START")}
    completed = subprocess.run([sys.executable, str(PROBE), *options, "--", *args], capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)
    assert out.exists(), f"tutor {' '.join(args)} wrote no module list ({completed.returncode}): {completed.stderr[-2000:]}"
    names = out.read_text(encoding="utf-8").split("\n")
    assert not names[0].startswith("!"), f"tutor {' '.join(args)}: {names[0]}; {completed.stderr[-2000:]}"
    if not screen:
        assert completed.returncode == 0, (completed.returncode, completed.stderr[-2000:])
    return {name for name in names if name}


def packages(modules: set[str], wanted: set[str]) -> set[str]:
    """Which of the top-level packages `wanted` are among `modules`."""
    return {name.split(".")[0] for name in modules} & wanted


@pytest.fixture
def fixtures(tmp_path: Path, tutor_home: Path) -> dict[str, str]:
    """Progress with attempts, a joined team with members' results, and an answer file for `tutor grade`."""
    from tests.helpers import team_results
    from tutor import paths
    from tutor.store import open_progress

    store = open_progress(paths.progress_dir())
    try:
        attempt = store.start_attempt("tests-that-lie", "0" * 64, title="Tests that lie", total=14, curriculum="steering-101")
        store.save_answer(attempt.id, {"step": "s4", "type": "outcome", "works": True}, score=1.0)
        store.save_position(attempt.id, cursor=5, frontier=5, finished=False)
    finally:
        store.close()
    team = team_results.team_folder(tmp_path / "team", min_group=1)
    team_results.publish(team)
    team_results.random_team(team, 4)
    team_results.join(team)
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"type": "goal", "text": "Fix the code, not the test, and run the whole suite"}), encoding="utf-8")
    return {"answer": str(answer), "team": str(team), "repo": str(tmp_path / "repo")}


# ---------------------------------------------------------------- one-shot commands: no Textual, no SDK unused

ONE_SHOT = {
    "validate": ["validate", str(CURRICULUM)],
    "export md": ["export", str(LESSON)],
    "export html": ["export", "--format", "html", str(LESSON)],
    "grade": ["grade", str(LESSON), "s1", "--answer", "{answer}"],  # judge auto, no key: the offline matcher
    "grade offline": ["grade", str(LESSON), "s7", "--answer", "{answer}", "--judge", "offline"],
    "progress": ["progress"],
    "team report json": ["team", "report", "--format", "json"],
    "team report html": ["team", "report", "--format", "html", "-o", "-"],
    "help": ["--help"],
    "validate help": ["validate", "--help"],
    "export help": ["export", "--help"],
    "grade help": ["grade", "--help"],
    "progress help": ["progress", "--help"],
    "team report help": ["team", "report", "--help"],
}


@pytest.mark.parametrize("name", ONE_SHOT)
def test_a_one_shot_command_loads_no_textual_and_no_sdk_it_does_not_use(name: str, fixtures: dict[str, str], tmp_path: Path) -> None:
    args = [arg.format(**fixtures) for arg in ONE_SHOT[name]]
    if name == "grade offline":
        Path(fixtures["answer"]).write_text(json.dumps({"type": "intervene", "intervene": True, "category": "test", "text": "Do not weaken the test"}), encoding="utf-8")
    modules = loaded(tmp_path / "modules.txt", *args)
    unwanted = {"textual", "anthropic", "git", "tinydb", "pydantic"}  # progress reads the attempts index, not TinyDB; lessons are msgspec structs
    assert packages(modules, unwanted) == set(), f"tutor {' '.join(args)} loaded {sorted(packages(modules, unwanted))}"
    assert "tutor.ui" not in modules
    if name == "progress":
        assert "tutor.store.overview" in modules  # the probe sees what the command loads: the store is read here
        assert "tutor.lesson.models" not in modules  # progress is not lessons: the lesson models stay unloaded


def test_the_probe_sees_what_a_command_loads(tmp_path: Path) -> None:
    """The check above can fail: `export` does load the lesson models and the Markdown parser."""
    modules = loaded(tmp_path / "modules.txt", "export", str(LESSON))
    assert {"tutor.lesson.models", "msgspec", "markdown_it", "tutor.lesson.export"} <= modules


# ---------------------------------------------------------------- first screens: no anthropic, GitPython or TinyDB

HEAVY_FOR_A_FIRST_SCREEN = {"anthropic", "git", "tinydb", "pydantic"}  # pydantic: only the anthropic SDK brings it

# Where a first screen loads one of them today, and why (issue 18, item 1 takes start-up as a whole). Strict:
# once the cause is gone the test passes, pytest reports XPASS as a failure, and the mark is to be removed.
LOADS_TODAY = {
}

SCREENS = {
    "library": [],
    "learn": ["learn", str(LESSON)],
    "learn curriculum/lesson": ["learn", "steering-101/tests-that-lie"],
    "facilitate": ["learn", str(LESSON), "--facilitate"],
    "review": ["review"],
    "annotate": ["annotate", str(LESSON)],
    "pair without a key": ["pair", "--repo", "{repo}"],
    "pair demo": ["pair", "--demo"],
    "record demo": ["record", "--demo"],
    "team report": ["team", "report"],
    "host": ["host", str(LESSON)],
    "review-session": ["review-session"],  # and the id of a `tutor pair --demo` session, made first
}


def _marked(name: str) -> object:
    if name in LOADS_TODAY:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=LOADS_TODAY[name]))
    return name


@pytest.mark.parametrize("name", [_marked(name) for name in SCREENS])
def test_a_first_screen_loads_no_sdk_no_git_no_store(name: str, fixtures: dict[str, str], tmp_path: Path) -> None:
    args = [arg.format(**fixtures) for arg in SCREENS[name]]
    if name == "pair without a key":
        _repository(Path(fixtures["repo"]))
    if name == "review-session":
        args = ["review-session", _demo_session(tmp_path)]
    modules = loaded(tmp_path / "modules.txt", *args, screen=True)
    assert "textual" in modules  # the probe stopped at a screen
    assert packages(modules, HEAVY_FOR_A_FIRST_SCREEN) == set(), f"tutor {' '.join(args)} loaded {sorted(packages(modules, HEAVY_FOR_A_FIRST_SCREEN))}"
    if name == "library":  # `tutor` alone, like `tutor learn FOLDER`, opens its screen without the command-line parser
        assert "click" not in modules and "tutor.cli" not in modules


@pytest.mark.parametrize("name", ["learn", "learn curriculum/lesson", "review"])
def test_a_lesson_screen_loads_no_pydantic(name: str, fixtures: dict[str, str], tmp_path: Path) -> None:
    """The lesson models are msgspec structs: only the anthropic SDK brings pydantic, and a lesson's screen
    loads no SDK. Checked apart from the test above, which says nothing of the lesson being shown."""
    modules = loaded(tmp_path / "modules.txt", *SCREENS[name], screen=True)
    assert {"textual", "tutor.lesson.models"} <= modules  # the probe stopped at a screen showing a lesson
    assert packages(modules, {"pydantic", "anthropic"}) == set()
    if name == "learn":  # `tutor learn LESSON` shows no library unless asked: its screen's module stays unloaded
        assert "tutor.ui.screens.library" not in modules and "textual.widgets._data_table" not in modules


def test_a_participants_first_screen_loads_no_sdk_no_git_no_store(fixtures: dict[str, str], tmp_path: Path) -> None:
    host_modules = tmp_path / "host.txt"
    env = {key: value for key, value in os.environ.items() if key not in ("ANTHROPIC_API_KEY", "TUTOR_FORCE_TUI")}
    host = subprocess.Popen([sys.executable, str(PROBE), str(host_modules), "--screen", "--serve", "--", "host", str(LESSON)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        code = _join_code(host)
        modules = loaded(tmp_path / "join.txt", "join", code, "--as", "bob", screen=True)
    finally:
        host.terminate()
        host.wait(timeout=30)
    assert "textual" in modules
    assert packages(modules, HEAVY_FOR_A_FIRST_SCREEN) == set(), f"tutor join loaded {sorted(packages(modules, HEAVY_FOR_A_FIRST_SCREEN))}"


def _join_code(host: subprocess.Popen[str]) -> str:
    """The join code the host prints on standard error before its screen opens."""
    assert host.stderr is not None
    deadline = time.monotonic() + TIMEOUT
    for line in host.stderr:
        found = re.search(r"join code: (\S+)", line)
        if found:
            return found.group(1)
        assert time.monotonic() < deadline, "the host printed no join code in time"
    raise AssertionError(f"the host ended ({host.wait()}) without a join code")


def _demo_session(tmp_path: Path) -> str:
    """A session of `tutor pair --demo` (left at its first screen), by its id."""
    completed = subprocess.run([sys.executable, str(PROBE), str(tmp_path / "pair.txt"), "--screen", "--", "pair", "--demo"],
                               capture_output=True, text=True, timeout=TIMEOUT, check=False)
    found = re.search(r"tutor pair --resume (\S+)", completed.stdout)
    assert found, (completed.returncode, completed.stdout, completed.stderr[-2000:])
    return found.group(1)


def _repository(folder: Path) -> None:
    folder.mkdir()
    (folder / "README.md").write_text("a project\n", encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-q", "-m", "start"]):
        subprocess.run(command, cwd=folder, check=True, env=env, capture_output=True)


# ---------------------------------------------------------------- first screens: records made in C, not by dataclasses

_DATACLASS_RECORDS = """
import dataclasses, importlib, sys
from textual.message import Message
found = []
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    classes = [value for value in vars(module).values() if isinstance(value, type) and value.__module__ == name]
    classes += [inner for outer in list(classes) for inner in vars(outer).values() if isinstance(inner, type) and inner.__module__ == name]
    found += [f"{name}.{cls.__qualname__}" for cls in classes if dataclasses.is_dataclass(cls) and not issubclass(cls, Message)]
print("\\n".join(sorted(set(found))))
"""


@pytest.mark.parametrize("name", ["library", "learn"])
def test_a_first_screens_records_are_structs_not_dataclasses(name: str, fixtures: dict[str, str], tmp_path: Path) -> None:
    """Python's dataclass writes and compiles each class's methods as its module is imported (0.3-0.6 ms a class on
    3.11: the largest part of Tutor's own import on `tutor learn`); a msgspec Struct is made in C. Every Tutor module
    the first screen loaded is imported again and its classes looked at: only Textual Messages may be dataclasses."""
    modules = loaded(tmp_path / "modules.txt", *SCREENS[name], screen=True)
    ours = sorted(module for module in modules if module.startswith("tutor.") and module != "tutor.__main__")
    assert "tutor.learn.replay" in ours or name == "library"
    completed = subprocess.run([sys.executable, "-c", _DATACLASS_RECORDS, *ours], capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.split() == [], f"tutor {' '.join(SCREENS[name])}: dataclass records on the first screen's path"
