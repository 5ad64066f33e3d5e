"""What one recorded step costs on top of running the same tool call bare.

    python benchmarks/bench_record_step.py [--files 300] [--repeat 30]

A repository of `--files` source files (20 to a folder, about 1.5 KB each) is committed
with the git command line, and a record session is started on it with the real engine
(`start_session(mode="record", repo=...)`: a private workspace, a journal under a
temporary `TUTOR_HOME`). A `ScriptedAgent` proposes one call per turn; each turn is
brought to the gate untimed (`advance()`: the reply streamed and journaled), then timed:

- **recorded**: `await GatedLoop.run(call)`, until the result is durable, applied and
  shown: for a file tool, the `run` record (no fsync), the call, the touched file passed
  through the redactor and the `result` record (fsync), on the event loop while such steps
  are quick, else in one thread; for a command, the `run` record (fsync), the call and the
  workspace snapshot (`refs/tutor/calls/NNNN`) in a thread, the `result` record (fsync).
  A write's or an edit's snapshot and its `snapshot` record follow in the engine's
  snapshot thread, while a real agent composes its next message; the bench waits for them
  (`settle_snapshots`) before anything else runs, untimed in "recorded" but timed as
  "step + snapshot", so they never overlap the bare call;
- **bare**: `Tools.execute(tool, input)` of the same call on the same workspace, with
  the session's own `Tools` (same timeout, cap and redaction).

Four calls, each `--repeat` times after a few warm-ups, alternating which side goes
first: `run` of `echo hi` (the cheapest command: the overhead at its largest relative
to the work), `run` of `python3 -c "print(1)"` (an interpreter start, as real commands
have), and `write_file` of a new 2 KB file (the snapshot then has a new blob to commit;
the bare write rewrites the same file with the same content), and `edit_file` of one
line of a 1.5 KB source file (a different file each round; the bare call edits another
file of the same size the same way).

Also timed in the same rounds, the **durable floor**: the bare call, then one record of the
call's result appended to a file beside the journal and fsynced, as any recorder must do
before it shows the result ("every event is appended to a journal, fsync, before it is
shown": DESIGN.md). The bare file tools fsync the file they write, so the floor is two
fsyncs where the bare call has one: where its ratio passes a goal, no recorder that keeps
that rule meets it, whatever its snapshot costs. (A command's floor leaves out the durable
`run` record a recorder writes before the command starts, so that it never runs twice.)

Printed: median and p95 of both sides, the ratio of the medians, the overhead in ms,
the durable floor's median and ratio, and where a recorded step's time goes: the call
itself, the two journal appends (their redaction, writes and fsyncs), and the rest (threads, event loop, state); then, after
the step, the snapshot and its record, and the step with them as a ratio to the bare call.
The split is measured by wrapping the loop's `tools`, `workspace` and `journal` objects,
not by changing the engine. File creation on a shared disk varies tenfold from one
minute to the next (each loose object is a file): run it more than once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ["TUTOR_HOME"] = tempfile.mkdtemp(prefix="tutor-bench-record-step-")
os.environ.pop("ANTHROPIC_API_KEY", None)

LINE = "def function_{n}(value):\n    return value * {n} + len('padding to make the file realistic')\n\n"
# name: (tool, the recorded call's input in round i, the bare call's input in round i)
CALLS = {
    "run: echo hi": ("run", lambda i: {"command": "echo hi"}, lambda i: {"command": "echo hi"}),
    'run: python3 -c "print(1)"': ("run", lambda i: {"command": 'python3 -c "print(1)"'}, lambda i: {"command": 'python3 -c "print(1)"'}),
    "write_file (2 KB, new file)": (
        "write_file",
        lambda i: {"path": f"notes/note_{i:04d}.md", "content": f"# Note {i}\n" + "x" * 2000 + "\n"},
        lambda i: {"path": f"notes/note_{i:04d}.md", "content": f"# Note {i}\n" + "x" * 2000 + "\n"},
    ),
    "edit_file (one line, 1.5 KB file)": (
        "edit_file",
        lambda i: {"path": module(2 * i), "old": f"def function_{2 * i * 20}(", "new": f"def renamed_{2 * i * 20}("},
        lambda i: {"path": module(2 * i + 1), "old": f"def function_{(2 * i + 1) * 20}(", "new": f"def renamed_{(2 * i + 1) * 20}("},
    ),
}


def _undoing(call_input: dict[str, Any]) -> dict[str, Any]:
    """The same call again, or, for an edit, the edit back (the same work: the edited text is not there twice)."""
    if "old" in call_input:
        return {**call_input, "old": call_input["new"], "new": call_input["old"]}
    return call_input


def module(number: int) -> str:
    """The path of source file `number` in the benchmark's repository."""
    return f"pkg{number // 20:03d}/module_{number % 20:02d}.py"


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_AUTHOR_NAME="Bench",
               GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")
    return env


def make_repository(path: Path, files: int) -> None:
    path.mkdir(parents=True)
    for number in range(files):
        target = path / module(number)
        target.parent.mkdir(exist_ok=True)
        target.write_text("".join(LINE.format(n=number * 20 + k) for k in range(15)))
    (path / "README.md").write_text("# A project\n")
    for args in (["init", "-q", "--initial-branch=main"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=path, env=git_env(), check=True, capture_output=True)


class Split:
    """Time spent in each wrapped part during one timed step."""

    def __init__(self) -> None:
        self.parts = {"execute": 0.0, "snapshot": 0.0, "journal": 0.0}

    def wrap(self, part: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.parts[part] += time.perf_counter() - begin

        return timed


class _Wrapped:
    def __init__(self, inner: Any, **methods: Any) -> None:
        self._inner = inner
        self.__dict__.update(methods)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def bench(repo: Path, repeat: int, warmup: int) -> None:
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.services.live import start_session
    from tutor.settings import Settings

    rounds = warmup + repeat
    turns = [
        AgentTurn(f"Call {i}.", (ToolCall(f"call_{i}_{k}", tool, make(i)),))
        for i in range(rounds) for k, (tool, make, _bare) in enumerate(CALLS.values())
    ]
    started = time.perf_counter()
    session = start_session(mode="record", settings=Settings(), repo=repo, agent=ScriptedAgent(turns))
    made = time.perf_counter() - started
    loop = session.loop
    split = Split()
    bare_tools = loop.tools
    loop.tools = _Wrapped(bare_tools, execute=split.wrap("execute", bare_tools.execute))
    loop.workspace = _Wrapped(loop.workspace, snapshot=split.wrap("snapshot", loop.workspace.snapshot))
    loop.journal = _Wrapped(loop.journal, append=split.wrap("journal", loop.journal.append),
                            append_unsynced=split.wrap("journal", loop.journal.append_unsynced))
    loop.set_goal("Measure a recorded step; done when every call has run.")

    recorded: dict[str, list[float]] = {name: [] for name in CALLS}
    bare: dict[str, list[float]] = {name: [] for name in CALLS}
    floor: dict[str, list[float]] = {name: [] for name in CALLS}
    floor_file = loop.journal.path.with_name("durable-floor.jsonl")
    parts: dict[str, dict[str, list[float]]] = {name: {p: [] for p in split.parts} for name in CALLS}
    after: dict[str, dict[str, list[float]]] = {name: {p: [] for p in split.parts} for name in CALLS}  # once the step returned
    whole: dict[str, list[float]] = {name: [] for name in CALLS}  # the step until its snapshot is journaled
    in_step: dict[str, float] = {}
    for round_number in range(rounds):
        for name, (tool, _make, make_bare) in CALLS.items():
            phase = await loop.advance()
            assert phase == "gate", phase
            call = loop.state.current
            assert call is not None and call.call.tool == tool

            async def record_it() -> float:
                split.parts = dict.fromkeys(split.parts, 0.0)
                begin = time.perf_counter()
                result = await loop.run(call.call.id)
                elapsed = time.perf_counter() - begin
                assert result["ok"], result
                in_step.update(split.parts)
                await loop.settle_snapshots()  # before anything else runs: the snapshot must not overlap the bare call
                whole[name].append((time.perf_counter() - begin) * 1000)
                assert loop.state.calls[call.call.id].result["commit"], "no snapshot"
                return elapsed

            def run_bare() -> float:
                begin = time.perf_counter()
                result = bare_tools.execute(tool, make_bare(round_number))
                elapsed = time.perf_counter() - begin
                assert result.ok, result
                return elapsed

            def run_floor() -> float:
                begin = time.perf_counter()
                result = bare_tools.execute(tool, _undoing(make_bare(round_number)))
                line = json.dumps({"kind": "result", "ok": result.ok, "output": result.output, "text": result.text}) + "\n"
                fd = os.open(floor_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
                return time.perf_counter() - begin

            if round_number % 2:  # the floor after the bare call: an edit's floor undoes the bare edit
                a = await record_it()
                b = run_bare()
                c = run_floor()
            else:
                b = run_bare()
                c = run_floor()
                a = await record_it()
            if round_number >= warmup:
                recorded[name].append(a * 1000)
                bare[name].append(b * 1000)
                floor[name].append(c * 1000)
                for part, seconds in split.parts.items():
                    parts[name][part].append(in_step[part] * 1000)
                    after[name][part].append((seconds - in_step[part]) * 1000)
            else:
                del whole[name][-1]
    session.close()

    files = sum(1 for _ in repo.rglob("*.py"))
    print(f"repository: {files} files; record session started in {made * 1000:.0f} ms; {repeat} rounds after {warmup} warm-ups;"
          f" load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'':30}{'bare median':>12}{'p95':>8}{'recorded median':>17}{'p95':>8}{'ratio':>7}{'overhead':>10}{'durable floor':>15}{'ratio':>7}")
    for name in CALLS:
        bm, rm, fm = statistics.median(bare[name]), statistics.median(recorded[name]), statistics.median(floor[name])
        print(f"{name:30}{bm:>10.2f}ms{percentile(bare[name], 0.95):>6.1f}ms{rm:>15.2f}ms{percentile(recorded[name], 0.95):>6.1f}ms"
              f"{rm / bm:>7.1f}{rm - bm:>8.1f}ms{fm:>13.2f}ms{fm / bm:>7.1f}")
    print("(recorded: `run` until the result is durable, applied and shown; durable floor: the bare call and one fsynced record of"
          " its result; goal for write_file and edit_file: a ratio of at most 2)")
    print("\nwhere a recorded step goes (medians, ms); a command's snapshot is in its step, a write's or an edit's comes after it,"
          " while the agent composes its next message:")
    print(f"{'':30}{'execute':>9}{'snapshot':>10}{'journal x2':>12}{'rest':>8}{'| then: snapshot':>18}{'its record':>12}"
          f"{'step + snapshot':>17}{'ratio':>7}")
    for name in CALLS:
        e, s0, j = (statistics.median(parts[name][p]) for p in ("execute", "snapshot", "journal"))
        rest = statistics.median([t - sum(parts[name][p][i] for p in parts[name]) for i, t in enumerate(recorded[name])])
        s, r = (statistics.median(after[name][p]) for p in ("snapshot", "journal"))
        w = statistics.median(whole[name])
        print(f"{name:30}{e:>9.2f}{s0:>10.2f}{j:>12.2f}{rest:>8.2f}{s:>18.2f}{r:>12.2f}{w:>15.2f}ms{w / statistics.median(bare[name]):>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    options = parser.parse_args()
    if options.files < 2 * (options.warmup + options.repeat) + 2:
        parser.error("--files must be at least twice the rounds (edit_file edits two files a round)")
    scratch = Path(tempfile.mkdtemp(prefix="tutor-bench-record-step-repo-"))
    try:
        repo = scratch / "repo"
        make_repository(repo, options.files)
        asyncio.run(bench(repo, options.repeat, options.warmup))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(os.environ["TUTOR_HOME"], ignore_errors=True)


if __name__ == "__main__":
    main()
