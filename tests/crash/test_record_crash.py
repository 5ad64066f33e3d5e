"""Reliability: a recording is killed (SIGKILL) 20 times at random moments; `--resume` recovers every completed step.

One recording, one journal, killed and resumed again and again, as a senior whose
machine keeps dying would see it (so the records of earlier runs must survive the later
kills and resumes too). The child is tests/record_crash_driver.py: the real engine
(`start_session` / `resume_session` in record mode, on the bundled demo project) with a
long `ScriptedAgent` script and an automatic senior. It reports every record once
`on_record` has heard of it, which is only after the record is fsynced.

Each round starts the driver (the first one a new session, the others `--resume`) and
kills it, chosen with a seeded `random.Random`: after a random delay from its start
(landing in start-up and resume too), right after a random number of reported records,
or a few milliseconds after a random `run` record (in a command, or in the snapshot
taken after its result, before the `snapshot` record). The
kill hits the driver alone or its whole process group (git children included, as a
power cut would). Then:

- every record the killed child reported is in the journal, same seq, same content
  hash, and the journal's seqs run 1..n with no line skipped;
- a fresh `resume_session` in this process has every completed call's result, as
  journaled;
- a call that started but has no result is remembered: the next run must report it as
  interrupted, never lose it or run it again.

A last run (`--resume --finish`) goes on to the end of the session. Then every command
ran at most once (each appends its call id to a log outside the workspace), every
interrupted call was reported as such and only those, every executed write or command
has its snapshot, and the journal becomes a lesson that validates.

A group kill that lands inside the snapshot's `git add -A` leaves
`.git/tutor-index.lock` (one inside `update-ref`, a ref's `.lock`); this test found that
every later snapshot then failed silently. Resuming now removes such stale locks (the
journal's lock says no other Tutor has the workspace), so every executed call must have
its snapshot; the rounds still note the locks they saw, to say so when one fails.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.record_crash_driver import make_agent, record_hash

DRIVER = Path(__file__).resolve().parents[1] / "helpers" / "record_crash_driver.py"
KILLS = 20
SEED = int(os.environ.get("RECORD_CRASH_SEED", "20261125"))
SESSION = "crash-recording"
SPAWN_DELAY = (0.0, 0.8)  # seconds after the start: start-up and resume take about 0.3 s
MAX_RECORDS = 40  # a round killed after up to this many reported records
CALL_DELAY = (0.0, 0.08)  # seconds after a `run` record: inside the command or its snapshot
WRITE_TOOLS = {"write_file", "edit_file", "run"}

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


@dataclass
class Round:
    number: int
    mode: str
    target: str  # "process" or "group"
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0
    landed: str = ""
    unreported: int = 0  # records on disk that the killed child never reported (killed between fsync and report)
    locks: list[str] = field(default_factory=list)  # git lock files left in the workspace by a killed git

    def records(self) -> list[tuple[int, str, str, str]]:
        out = []
        for line in self.lines:
            word, *rest = line.split(" ")
            if word == "rec":
                seq, digest, kind, call = rest
                out.append((int(seq), digest, kind, call))
        return out


def spawn(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), SESSION, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, env=env,
        start_new_session=True,  # its own process group, so that a kill can take its git children too
    )


def run_and_kill(env: dict[str, str], round_: Round, rng: random.Random, resume: bool) -> None:
    """Start the driver and SIGKILL it at the moment `round_.mode` says; its output is kept in `round_.lines`."""
    child = spawn(env, *(["--resume"] if resume else []))
    started = time.perf_counter()
    killed = threading.Event()

    def kill() -> None:
        if killed.is_set():
            return
        killed.set()
        try:
            if round_.target == "group":
                os.killpg(child.pid, signal.SIGKILL)
            else:
                os.kill(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    should_kill: Callable[[str], bool] = lambda line: False  # noqa: E731
    delay = None
    if round_.mode == "delay":
        delay = rng.uniform(*SPAWN_DELAY)
    elif round_.mode == "records":
        left = {"n": rng.randint(1, MAX_RECORDS)}

        def should_kill(line: str) -> bool:
            if line.startswith("rec "):
                left["n"] -= 1
            return left["n"] <= 0
    else:  # "call": a little after the j-th command or write started
        runs = {"n": rng.randint(1, 4)}
        pause = rng.uniform(*CALL_DELAY)

        def should_kill(line: str) -> bool:
            if line.startswith("rec ") and line.split(" ")[3] == "run":
                runs["n"] -= 1
                if runs["n"] == 0:
                    threading.Timer(pause, kill).start()
            return False

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:  # EOF once the child is dead and the pipe drained
            if not line.endswith("\n"):
                continue  # a line cut by the kill was never a report
            line = line.rstrip("\n")
            round_.lines.append(line)
            if should_kill(line):
                kill()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if delay is not None:
        killed.wait(delay)
        kill()
    if not killed.wait(10):
        kill()  # the moment never came (a slow machine): kill it now; the round still counts
    child.wait(timeout=10)
    reader.join(timeout=10)
    assert child.stdout is not None and child.stderr is not None
    stderr = child.stderr.read()
    child.stderr.close()
    child.stdout.close()
    round_.seconds = time.perf_counter() - started
    assert child.returncode == -signal.SIGKILL, f"the driver ended by itself (exit {child.returncode}): {stderr[-2000:]}"


def check_journal(reported: dict[int, str]) -> list[dict]:
    """Every reported record is in the journal, same seq and content; the seqs run 1..n; no line was skipped."""
    from tutor.record.journal import read_journal
    from tutor.services.live import journal_path

    read = read_journal(journal_path(SESSION))
    assert not read.problems, read.problems
    seqs = [r["seq"] for r in read.records]
    assert seqs == list(range(1, len(seqs) + 1)), f"the journal's seqs are not 1..n: {seqs[-5:]}"
    missing = [seq for seq in reported if seq > len(seqs)]
    assert not missing, f"reported records missing from the journal: seqs {missing[:10]}"
    changed = [seq for seq, digest in reported.items() if record_hash(read.records[seq - 1]) != digest]
    assert not changed, f"reported records changed in the journal: seqs {changed[:10]}"
    return read.records


def completed_results(records: list[dict]) -> dict[str, dict]:
    """Each call's result record, with the commit of the `snapshot` record taken after it (if one was journaled)."""
    results = {r["call"]: dict(r) for r in records if r["kind"] == "result"}
    for record in records:
        if record["kind"] == "snapshot" and record.get("commit") and record["call"] in results:
            results[record["call"]]["commit"] = record["commit"]
    return results


def test_recording_killed_twenty_times_resumes_every_completed_step(tmp_path: Path, tutor_home: Path) -> None:
    from tutor.agent.session import SessionState
    from tutor.lesson.io import read_lesson
    from tutor.record.session_lesson import write_session_lesson
    from tutor.services.live import resume_session, session_workspace
    from tutor.settings import Settings

    rng = random.Random(SEED)
    run_log = tmp_path / "ran.log"
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    env.update(TUTOR_HOME=str(tutor_home), CRASH_RUN_LOG=str(run_log), PYTHONDONTWRITEBYTECODE="1")
    reported: dict[int, str] = {}
    interrupted: set[str] = set()  # calls that had started and had no result when a run was killed
    rounds: list[Round] = []
    began = time.perf_counter()

    for number in range(1, KILLS + 1):
        mode = rng.choice(["delay", "records", "call"])
        # the first run must leave a session behind to resume: it is killed after a record, never during its start
        round_ = Round(number, mode if number > 1 else "records", rng.choice(["process", "group"]))
        rounds.append(round_)
        context = f"seed {SEED}, round {number} (kill {round_.mode}, the {round_.target})"
        try:
            run_and_kill(env, round_, rng, resume=number > 1)
            for seq, digest, _kind, _call in round_.records():
                assert reported.setdefault(seq, digest) == digest, f"seq {seq} reported twice, with different content"
            records = check_journal(reported)
            mine = [seq for seq, *_ in round_.records()]
            round_.unreported = len(records) - max(mine) if mine else 0
            git_dir = tutor_home / "workspaces" / SESSION / ".git"
            round_.locks = sorted(str(p.relative_to(git_dir)) for p in git_dir.rglob("*.lock"))

            # what a user's `--resume` sees: every completed call's result, as journaled
            session = resume_session(SESSION, settings=Settings(), mode="record", agent=make_agent())
            try:
                state = session.state
                assert state.records == len(records) and not state.ended
                for call_id, result in completed_results(records).items():
                    got = state.calls[call_id].result
                    assert got is not None, f"call {call_id}: its result is lost on resume"
                    assert got == {k: v for k, v in result.items() if k not in ("seq", "at", "kind", "call")}
                current = state.current
                if current is not None and current.started:
                    interrupted.add(current.call.id)
                    round_.landed = f"in a call ({'a command' if current.call.tool == 'run' else 'a write: its snapshot'})"
                elif "ready" not in round_.lines:
                    round_.landed = "while starting or resuming"
                elif state.partial:
                    round_.landed = "while a reply streamed"
                else:
                    round_.landed = f"between records (after {records[-1]['kind']})"
            finally:
                session.close()
        except AssertionError as error:
            raise AssertionError(f"{context}: {error}\n(set RECORD_CRASH_SEED to replay another sequence)") from None

    # the last run goes on to the end of the session
    final = Round(KILLS + 1, "finish", "-")
    child = spawn(env, "--resume", "--finish")
    out, err = child.communicate(timeout=60)
    final.lines = out.splitlines()
    context = f"seed {SEED}, the final run"
    assert child.returncode == 0, f"{context}: exit {child.returncode}: {err[-3000:]}"
    for seq, digest, _kind, _call in final.records():
        reported[seq] = digest
    records = check_journal(reported)
    state = SessionState.from_records(records)
    assert state.ended, context

    runs = collections.Counter(r["call"] for r in records if r["kind"] == "run")
    results = collections.Counter(r["call"] for r in records if r["kind"] == "result")
    assert max(runs.values()) == 1, f"{context}: calls started twice: {[c for c, n in runs.items() if n > 1]}"
    assert max(results.values()) == 1, f"{context}: calls with two results: {[c for c, n in results.items() if n > 1]}"
    assert set(runs) <= set(results), f"{context}: calls started and never finished: {set(runs) - set(results)}"
    by_call = completed_results(records)
    said_interrupted = {c for c, r in by_call.items() if r.get("interrupted")}
    assert said_interrupted == interrupted, (
        f"{context}: interrupted calls {sorted(interrupted)}, reported as interrupted {sorted(said_interrupted)}"
    )
    unsnapshotted = []
    for call_id in state.order:
        call = state.calls[call_id]
        assert call.resolved, f"{context}: call {call_id} left unresolved"
        if call.result is not None and call.call.tool in WRITE_TOOLS and not call.result.get("commit"):
            unsnapshotted.append(call_id)
    ran = collections.Counter(run_log.read_text().split()) if run_log.exists() else collections.Counter()
    assert not [c for c, n in ran.items() if n > 1], f"{context}: commands ran twice: {[c for c, n in ran.items() if n > 1]}"
    for call_id, result in by_call.items():
        if state.calls[call_id].call.tool == "run" and not result.get("interrupted"):
            assert ran[call_id] == 1, f"{context}: command {call_id} finished but never ran"
    assert set(ran) <= set(runs), f"{context}: commands ran that the journal never started: {set(ran) - set(runs)}"

    # the journal becomes a lesson that validates
    out_dir = tmp_path / "lesson"
    lesson = write_session_lesson(records, session_workspace(records), out_dir, lesson_id="record-crash")
    read = read_lesson(out_dir)
    assert read.ok, f"{context}: {read.problems[:3]}"
    assert sum(1 for s in lesson.steps if s.kind == "result") == len(by_call)

    total = time.perf_counter() - began
    landed = collections.Counter(r.landed for r in rounds)
    print(f"\nseed {SEED}: {KILLS} kills in {total:.1f} s ({len(records)} records, {len(by_call)} results, "
          f"{len(interrupted)} interrupted); rounds {min(r.seconds for r in rounds):.2f}-{max(r.seconds for r in rounds):.2f} s; "
          f"killed after a journal write, before its report: {sum(1 for r in rounds if r.unreported)}; landed: {dict(landed)}")

    # every executed write and command has its snapshot, unless a killed git left a lock behind (the known bug below)
    stale = sorted({lock for r in rounds for lock in r.locks})
    assert not unsnapshotted, f"{context}: calls with no snapshot: {unsnapshotted} (locks left by kills: {stale})"


async def test_a_snapshot_killed_mid_git_add_does_not_stop_later_snapshots() -> None:
    """A kill of the whole process group (a power cut, `kill -9 -PGID`) can land inside the snapshot's `git add -A`.

    Git then leaves its lock file beside the workspace's private index, as this test does
    by hand. On resume, the interrupted call's snapshot and every snapshot after it fail
    ("Unable to create .../tutor-index.lock: File exists") unless resuming removes it, as
    it now does: `GatedLoop._snapshot` would swallow the error, and the lesson lose its code.
    """
    from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall
    from tutor.services.live import resume_session, start_session
    from tutor.settings import Settings

    def agent() -> ScriptedAgent:
        return ScriptedAgent([AgentTurn("Write it.", (ToolCall("w1", "write_file", {"path": "a.txt", "content": "a\n"}),)),
                              AgentTurn("And again.", (ToolCall("w2", "write_file", {"path": "b.txt", "content": "b\n"}),))])

    session = start_session(mode="record", settings=Settings(), demo=True, agent=agent(), session_id="stale-lock")
    session.loop.set_goal("Write two files.")
    assert await session.loop.advance() == "gate"
    session.loop.record("run", call="w1", gated=True)  # the process group dies in the snapshot after this
    (session.workspace.git_dir / "tutor-index.lock").write_bytes(b"")  # what the killed `git add -A` left
    session.close()

    again = resume_session("stale-lock", settings=Settings(), mode="record", agent=agent())
    again.loop.agent.skip(again.state.turns)
    assert await again.loop.advance() == "gate"  # recovers w1 as interrupted, then the agent proposes w2
    await again.loop.run("w2")
    again.close()
    results = {c: s.result for c, s in again.state.calls.items()}
    assert results["w1"]["interrupted"]
    assert results["w1"]["commit"] and results["w2"]["commit"], "snapshots stopped after the kill"
