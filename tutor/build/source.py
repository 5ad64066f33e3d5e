"""The lesson source format: `lesson.toml` plus a `seed/` folder. See docs/authoring.md.

A source says what the senior and the agent said and proposed; it never says what a
command printed. The builder runs every call for real and records what happened.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.errors import UserError
from tutor.lesson.problems import Problem

SOURCE_FILE = "lesson.toml"
SOURCE_DIR = "source"  # where a built lesson keeps its source: <lesson>/source/lesson.toml
SEED_DIR = "seed"
META_KEYS = {"id", "title", "summary", "author", "created", "level", "minutes", "tags", "task", "timeout", "steps"}
STEP_KEYS = {
    "goal": {"kind", "id", "text", "criteria", "annotation", "ask"},
    "prompt": {"kind", "id", "text", "annotation", "ask"},
    "agent": {"kind", "id", "text", "calls", "annotation", "ask"},
    "result": {"kind", "id", "call", "expect", "annotation", "ask"},
    "correction": {"kind", "id", "category", "text", "why", "annotation", "ask"},
    "note": {"kind", "id", "text", "annotation", "ask"},
}
CALL_KEYS = {"id", "tool", "input"}


class SourcePathError(UserError):
    """A path given to `tutor build` names no lesson source; the message is one line saying what it is instead."""


class SourceError(UserError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "invalid lesson source")


@dataclass
class SourceCall:
    id: str
    tool: str
    input: dict[str, Any]


@dataclass
class SourceStep:
    index: int
    kind: str
    id: str
    data: dict[str, Any]  # the step's fields as written (text, criteria, category, why, annotation, ask)
    calls: list[SourceCall] = field(default_factory=list)  # agent steps
    call: str | None = None  # result steps: which call it runs (filled in when implicit)
    expect: str | None = None  # result steps: "ok" or "fail"


@dataclass
class LessonSource:
    folder: Path
    meta: dict[str, Any]
    steps: list[SourceStep]
    timeout: float = 120.0

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def seed(self) -> Path:
        return self.folder / SEED_DIR

    @property
    def file(self) -> Path:
        return self.folder / SOURCE_FILE


def source_folder(path: Path) -> Path:
    return path.parent if path.name == SOURCE_FILE else path


def locate_source(path: str | Path) -> Path:
    """The lesson source folder `path` names: that folder, its lesson.toml, or a lesson folder whose source/ holds one.

    Anything else is a `SourcePathError` saying what `path` is instead (missing, a
    file, a curriculum, a folder without lesson.toml).
    """
    path = Path(path)
    if not path.exists():
        raise SourcePathError(f"{path} does not exist")
    if not path.is_dir():
        if path.name == SOURCE_FILE:
            return path.parent
        raise SourcePathError(f"{path} is a file; build takes a lesson source folder (holding {SOURCE_FILE}), or with --check a curriculum")
    if (path / SOURCE_FILE).exists():
        return path
    if (path / SOURCE_DIR / SOURCE_FILE).is_file():
        return path / SOURCE_DIR
    if (path / "curriculum.toml").is_file():
        raise SourcePathError(f"{path} is a curriculum; build one lesson's source ({path / '<lesson>' / SOURCE_DIR}), or check them all with `tutor build --check {path}`")
    raise SourcePathError(f"{path}: not a lesson source (no {SOURCE_FILE} here)")


def read_source(path: str | Path) -> LessonSource:
    """Parse and check a lesson source; raises SourceError with every problem found."""
    folder = source_folder(Path(path))
    file = folder / SOURCE_FILE
    shown = str(file)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError([Problem(str(folder), "", f"no {SOURCE_FILE} here")]) from None
    except NotADirectoryError:
        raise SourceError([Problem(str(folder), "", f"not a folder; a lesson source is a folder holding {SOURCE_FILE} and {SEED_DIR}/")]) from None
    except UnicodeDecodeError as error:
        raise SourceError([Problem(shown, "", f"not UTF-8 (invalid byte at offset {error.start})")]) from None
    except tomllib.TOMLDecodeError as error:
        raise SourceError([Problem(shown, "", f"not valid TOML: {error}")]) from None
    except OSError as error:
        raise SourceError([Problem(shown, "", f"cannot read: {error.strerror or error}")]) from None
    problems: list[Problem] = []
    for key in sorted(set(data) - META_KEYS):
        problems.append(Problem(shown, key, f"unknown key (expected one of {', '.join(sorted(META_KEYS))})"))
    for key in ("id", "title", "task"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(shown, key, "missing; every lesson source needs it"))
    if not (folder / SEED_DIR).is_dir():
        problems.append(Problem(str(folder), SEED_DIR, "missing: the starting project goes in seed/"))
    timeout = data.get("timeout", 120)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        problems.append(Problem(shown, "timeout", "must be a positive number of seconds"))
        timeout = 120
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(Problem(shown, "steps", "missing; write the trajectory as [[steps]] tables"))
        raw_steps = []

    steps: list[SourceStep] = []
    call_number = 0
    pending: list[str] = []  # calls of the last agent step not yet given a result
    for index, raw in enumerate(raw_steps):
        where = f"steps[{index}]"
        if not isinstance(raw, dict):
            problems.append(Problem(shown, where, "must be a table"))
            continue
        kind = raw.get("kind")
        if kind not in STEP_KEYS:
            problems.append(Problem(shown, f"{where}.kind", f"unknown kind {kind!r}; expected one of {', '.join(STEP_KEYS)}"))
            continue
        for key in sorted(set(raw) - STEP_KEYS[kind]):
            problems.append(Problem(shown, f"{where}.{key}", f"not a field of a {kind} step in a source"))
        step = SourceStep(index, kind, str(raw.get("id") or f"s{index + 1}"), {k: v for k, v in raw.items() if k not in ("kind", "id", "calls", "call", "expect")})
        if kind == "agent":
            pending = []
            for call_index, raw_call in enumerate(raw.get("calls") or []):
                call_where = f"{where}.calls[{call_index}]"
                if not isinstance(raw_call, dict):
                    problems.append(Problem(shown, call_where, "must be a table with tool and input"))
                    continue
                for key in sorted(set(raw_call) - CALL_KEYS):
                    problems.append(Problem(shown, f"{call_where}.{key}", "unknown key (expected tool, input, id)"))
                call_number += 1
                call = SourceCall(str(raw_call.get("id") or f"c{call_number}"), str(raw_call.get("tool", "")), dict(raw_call.get("input") or {}))
                if not call.tool:
                    problems.append(Problem(shown, f"{call_where}.tool", "missing"))
                step.calls.append(call)
                pending.append(call.id)
        elif kind == "result":
            explicit = raw.get("call")
            if explicit is not None:
                if explicit not in pending:
                    problems.append(Problem(shown, f"{where}.call", f"{explicit!r} is not a call of the agent step before it still waiting for its result"))
                else:
                    pending.remove(explicit)
                step.call = str(explicit)
            elif pending:
                step.call = pending.pop(0)
            else:
                problems.append(Problem(shown, where, "a result needs a call of the agent step before it, and there is none left"))
            expect = raw.get("expect")
            if expect not in ("ok", "fail"):
                problems.append(Problem(shown, f"{where}.expect", 'say what the senior saw: expect = "ok" or expect = "fail"'))
            step.expect = expect if expect in ("ok", "fail") else None
        steps.append(step)
    if problems:
        raise SourceError(problems)
    return LessonSource(folder=folder, meta={k: v for k, v in data.items() if k not in ("steps", "timeout")}, steps=steps, timeout=float(timeout))
