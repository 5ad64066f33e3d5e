"""Build a lesson by running its source for real: seed repo, real tool calls, real snapshots.

The builder plays the source's agent turns through a ScriptedAgent, executes each call
that the source gives a result for (a call followed by a correction was stopped by the
senior and never runs), records what really happened, and stops if reality contradicts
the source ("expected this run to fail, but it passed").
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

from tutor.lesson import FORMAT, Lesson
from tutor.lesson.io import save_lesson_folder
from tutor.errors import UserError
from tutor.lesson.problems import Problem
from tutor.lesson.validate import check_lesson_data

from .source import LessonSource, SourceStep

BUNDLE = "repo.bundle"


class BuildError(UserError):
    """The build stopped; the message is one line saying where and why."""


class MissingToolError(BuildError):
    """The build could not run a command of the source: a program or module it needs is not installed here.

    Not the source's fault, nor the lesson's: this machine cannot run the lesson's story.
    """

    def __init__(self, message: str, missing: str) -> None:
        super().__init__(message)
        self.missing = missing  # what is missing, as a person says it: "pytest is not installed (for /usr/bin/python3)"


@dataclass
class BuildReport:
    lesson: Lesson
    out: Path
    calls_run: int
    seconds: float
    missing: list[str] = field(default_factory=list)  # tools the commands found missing, where the source expected them to fail


# Where lesson commands appear to run, in everything the build stores. Each build runs in
# a private folder of its own (`tempfile.mkdtemp`, mode 0700, removed after), never a
# fixed shared path another local user could prepare; its name is replaced by this one in
# the outputs, so that paths printed by real commands are the same on every build.
SHOWN_ROOT = "/tmp/tutor-build"


def build_root() -> Path:
    """The folder builds appear to run in (`SHOWN_ROOT`): a name in outputs, never a folder the build uses."""
    return Path(SHOWN_ROOT)


def build_environment() -> dict[str, str]:
    """The environment lesson commands run in: scrubbed of secrets, with this Python first on PATH.

    `python -m pytest` in a lesson must mean the interpreter Tutor runs on (whose
    packages include pytest), not whatever `python` the shell would find.
    """
    from tutor.agent.tools import safe_environment

    env = safe_environment()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    # Lesson outputs must not depend on which pytest plugins happen to be installed, on
    # the terminal's width, or on running under CI (pytest stops truncating when CI is set).
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    for name in ("CI", "BUILD_NUMBER", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_VERSION", "PYTHONPATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    env["COLUMNS"], env["LINES"] = "80", "24"
    return env


def build_lesson(source: LessonSource, out: Path, *, progress: Callable[[str], None] | None = None) -> BuildReport:
    """Run `source` and write the lesson folder `out` (lesson.json + repo.bundle), replacing what was there."""
    private = Path(tempfile.mkdtemp(prefix="tutor-build-"))  # 0700, a fresh name: nobody else's
    try:
        return _build_in(source, out, progress, private)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _build_in(source: LessonSource, out: Path, progress: Callable[[str], None] | None, private: Path) -> BuildReport:
    import time

    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.agent.tools import Tools
    from tutor.record.redact import Redactor
    from tutor.vcs.workspace import Workspace

    started = time.monotonic()
    say = progress or (lambda _message: None)
    where_from = str(source.file)
    work_dir = private / source.id
    # The secrets the source states plainly are known values from the start, so that a
    # command printing one encoded (`base64 settings.py`) is caught too.
    redactor = Redactor.from_environment().knowing(_authored_texts(source))
    shown = _shown_paths(private)

    def clean(text: str) -> str:
        """Output as stored: the private folder named as `SHOWN_ROOT`, secrets redacted."""
        for real in shown:
            text = text.replace(real, SHOWN_ROOT)
        return redactor.redact(text)

    workspace = Workspace.from_folder(source.seed, work_dir, deterministic=True)
    try:
        base = workspace.redact_base(redactor.redact_bytes, "the seed project")
        tools = Tools(workspace.root, timeout=source.timeout, env=build_environment(), redact=clean)
        agent = ScriptedAgent(
            [AgentTurn(step.data.get("text", ""), tuple(ToolCall(c.id, c.tool, c.input) for c in step.calls)) for step in source.steps if step.kind == "agent"]
        )
        proposed: dict[str, Any] = {}
        steps: list[dict[str, Any]] = []
        calls_run = 0
        missing: list[str] = []
        for step in source.steps:
            where = f"{where_from}: steps[{step.index}]"
            if step.kind == "agent":
                turn = agent.next_turn()
                assert turn is not None  # one turn per agent step, by construction
                proposed = {call.id: call for call in turn.calls}
                steps.append(_agent_step(step, turn))
            elif step.kind == "result":
                call = proposed.get(step.call or "")
                if call is None:
                    raise BuildError(f"{where}: no proposed call {step.call!r} to run")
                say(f"{source.id}: {step.id}: {call.tool} {_describe(call.input)}")
                result = tools.execute(call.tool, call.input)
                calls_run += 1
                happened = "ok" if result.ok else "fail"
                absent = missing_tool(call.tool, call.input, result)
                if absent is not None and happened != step.expect:
                    raise MissingToolError(f"{where}: could not run {_describe(call.input)}: {absent}", absent)
                if absent is not None and absent not in missing:
                    missing.append(absent)  # a failure the source expects: maybe on purpose; `--check` compares
                if happened != step.expect:
                    raise BuildError(f"{where}: the source expects {call.tool} {_describe(call.input)} to {_verb(step.expect)}, but it {_past(happened)}{_code(result)}; {_first_line(result)}")
                commit = workspace.snapshot(f"steps/{step.id}", redactor.redact(f"after {step.id}: {call.tool}"))
                steps.append(_result_step(step, call.id, result, commit))
            else:
                steps.append(_plain_step(step))
        lesson = _lesson(source, steps, base, redactor)
        _write(lesson, workspace, out)
    finally:
        workspace.remove()
    return BuildReport(lesson, out, calls_run, time.monotonic() - started, missing)


# How a missing tool shows up in a `run` result. Python's own line for `python -m X` when X
# is not importable ("/usr/bin/python3: No module named pytest", exit 1), and the shell's
# for a program not on PATH (dash: "/bin/sh: 1: foo: not found"; bash: "... line 1: foo:
# command not found"; exit 127). An ImportError inside a test run looks different
# ("ModuleNotFoundError: No module named 'x'") and is the lesson's business, not this.
_NO_MODULE = re.compile(r"^(?P<python>\S+): No module named (?P<name>[A-Za-z_][\w.]*)$", re.M)
_NOT_FOUND = re.compile(r"^[^\n:]*: (?:line )?\d+: (?P<name>[^\n:]+): (?:command )?not found$", re.M)


# Seed files larger than this are not read for secrets to learn (they are still redacted when stored).
_SEED_FILE_MAX = 1 << 20


def _authored_texts(source: LessonSource) -> list[str]:
    """Every string the author wrote (meta, steps, calls' inputs) and the text of the seed's files."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(source.meta)
    for step in source.steps:
        walk(step.data)
        for call in step.calls:
            walk(call.input)
    seed = source.seed
    if seed.is_dir() and not seed.is_symlink():
        for path in sorted(seed.rglob("*")):
            try:
                if path.is_symlink() or not path.is_file() or ".git" in path.relative_to(seed).parts:
                    continue
                if path.stat().st_size <= _SEED_FILE_MAX:
                    texts.append(path.read_bytes().decode("utf-8", "surrogateescape"))
            except OSError:
                continue
    return texts


def _shown_paths(private: Path) -> list[str]:
    """The names the private build folder can be printed under (a symlinked $TMPDIR: both), longest first."""
    names = {str(private), os.path.realpath(private)}
    return sorted(names, key=len, reverse=True)


def missing_tool(tool: str, data: dict[str, Any], result: Any) -> str | None:
    """What a `run` call found missing, said plainly ("pytest is not installed (for /usr/bin/python3)"), else None."""
    if tool != "run" or result.ok:
        return None
    output = result.output or ""
    if result.exit_code == 127:
        found = _NOT_FOUND.search(output)
        if found:
            return f"{found['name']} is not installed (not found on PATH)"
    if result.exit_code == 1:
        found = _NO_MODULE.search(output)
        if found and re.search(rf"-m\s+{re.escape(found['name'])}\b", str(data.get("command", ""))):
            return f"{found['name']} is not installed (for {found['python']})"
    return None


def _agent_step(step: SourceStep, turn: Any) -> dict[str, Any]:
    data = {"id": step.id, "kind": "agent", "text": turn.text, "calls": [{"id": c.id, "tool": c.tool, "input": dict(c.input)} for c in turn.calls]}
    return _with_teaching(data, step)


def _result_step(step: SourceStep, call_id: str, result: Any, commit: str) -> dict[str, Any]:
    output = result.output if not result.error else (result.error + ("\n" + result.output if result.output else ""))
    data = {"id": step.id, "kind": "result", "call": call_id, "ok": result.ok, "exit_code": result.exit_code, "output": output, "commit": commit}
    return _with_teaching(data, step)


def _plain_step(step: SourceStep) -> dict[str, Any]:
    data = {"id": step.id, "kind": step.kind}
    for key in ("text", "criteria", "category", "why"):
        if key in step.data:
            data[key] = step.data[key]
    return _with_teaching(data, step)


def _with_teaching(data: dict[str, Any], step: SourceStep) -> dict[str, Any]:
    for key in ("annotation", "ask"):
        if key in step.data:
            data[key] = step.data[key]
    return {key: value for key, value in data.items() if value is not None}


def _lesson(source: LessonSource, steps: list[dict[str, Any]], base: str, redactor: Any) -> Lesson:
    data: dict[str, Any] = {"format": FORMAT, **dict(source.meta.items()), "origin": "scripted", "repo": {"bundle": BUNDLE, "base": base}, "steps": steps}
    # Everything stored goes through the redactor, as the bundle does: what the author wrote
    # (notes, prompts, titles, the content of write_file calls, commands) as well as outputs.
    data = redactor.redact_obj(data)
    lesson, problems = check_lesson_data(data, str(source.file), folder=None)
    if lesson is None or problems:
        raise BuildError(_problems_line(problems))
    return lesson


def _problems_line(problems: list[Problem]) -> str:
    first = str(problems[0]) if problems else "the built lesson is invalid"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"the built lesson would not validate: {first}{more}"


def _write(lesson: Lesson, workspace: Any, out: Path) -> None:
    refs = ["refs/tutor/base"] + [f"refs/tutor/steps/{step.id}" for step in lesson.steps if getattr(step, "commit", None)]
    save_lesson_folder(lesson, out, lambda path: workspace.bundle(path, refs))


def _describe(data: dict[str, Any]) -> str:
    value = data.get("command") or data.get("path") or ""
    text = str(value).splitlines()[0] if value else ""
    return f"`{text[:80]}`" if text else ""


def _verb(expect: str | None) -> str:
    return "succeed" if expect == "ok" else "fail"


def _past(happened: str) -> str:
    return "succeeded" if happened == "ok" else "failed"


def _code(result: Any) -> str:
    return f" (exit {result.exit_code})" if result.exit_code is not None else ""


def _first_line(result: Any) -> str:
    text = (result.error or result.output or "").strip().splitlines()
    tail = text[-1] if text else "no output"
    return f"it printed: {tail[:120]}"
