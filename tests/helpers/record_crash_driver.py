"""A recording driven by a scripted senior, to be killed: the child process of tests/test_record_crash.py.

    python tests/record_crash_driver.py SESSION_ID [--resume] [--finish]

Runs a live session in record mode with the real engine (`start_session` on the bundled
demo project, or `resume_session` of SESSION_ID) and a `ScriptedAgent` playing `script()`,
a long script of reads, writes, edits and commands. The senior's moves are automatic:
set the goal, run every call at the gate except the last call of every third turn,
which is corrected (with the calls after it, if any), and say "go on" whenever the agent ends its turn. It never ends the session on its own
unless the script runs out; with `--finish` it ends it the first time the human has the
floor (the final, unkilled run).

Every journaled record is reported on stdout, flushed, as `rec SEQ SHA256 KIND CALL`:
`on_record` hears of a record only once it is fsynced, so a reported record is one the
journal must keep whatever happens next. `ready` is printed once the session is open,
`problems N` after a resume (journal lines skipped), `done` at the end.

Every `run` command appends its call id to the file named by `$CRASH_RUN_LOG` (outside
the workspace), so the test can tell whether a command ran twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tutor.agent.scripted import AgentTurn, ScriptedAgent, ToolCall  # noqa: E402

GOAL = "Keep a log of the work in notes/, and make slugify keep digits; done when the tests pass."
TURNS = 1000  # far more than 20 killed runs get through: only the final run ends the session


def record_hash(record: dict) -> str:
    """The content hash both sides compute: the record's JSON with sorted keys."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def script(turns: int = TURNS) -> list[AgentTurn]:
    """A long, deterministic script: every fifth turn only talks (the human gets the floor), the others propose 1 to 3 calls."""
    out: list[AgentTurn] = []
    for t in range(1, turns + 1):
        text = f"Step {t}: " + " ".join(f"word{(t * 7 + i) % 50}" for i in range(8 + t % 5)) + "."
        if t % 5 == 0:
            out.append(AgentTurn(text))
            continue
        calls: list[ToolCall] = []
        kinds = [("read", "write", "run"), ("write", "edit"), ("run",), ("list", "edit", "run")][t % 4]
        for k, kind in enumerate(kinds, start=1):
            cid = f"c{t:03d}_{k}"
            if kind == "read":
                calls.append(ToolCall(cid, "read_file", {"path": "slug.py"}))
            elif kind == "list":
                calls.append(ToolCall(cid, "list_files", {"path": "."}))
            elif kind == "write":
                body = "".join(f"- step {t}, line {n}\n" for n in range(20))
                calls.append(ToolCall(cid, "write_file", {"path": f"notes/step_{t:03d}.md", "content": f"# Step {t}\n\n{body}"}))
            elif kind == "edit":
                calls.append(ToolCall(cid, "write_file" if t % 8 == 1 else "edit_file",
                                      {"path": "notes/log.md", "content": f"log {t}\n"} if t % 8 == 1
                                      else {"path": "notes/log.md", "old": "log ", "new": f"log {t} "}))
            else:
                pause = (0.02, 0.15, 0.05)[t % 3]
                calls.append(ToolCall(cid, "run", {"command": f'echo {cid} >> "$CRASH_RUN_LOG"; sleep {pause}; echo ran {cid}'}))
        out.append(AgentTurn(text, tuple(calls)))
    return out


def make_agent(turns_done: int = 0) -> ScriptedAgent:
    """The script's agent, past the turns a resumed session has already played."""
    agent = ScriptedAgent(script())
    agent.skip(turns_done)
    return agent


def should_correct(turn: int, call_id: str, turn_calls: list[str]) -> bool:
    return turn % 3 == 0 and call_id == turn_calls[-1]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def drive(session, finish: bool) -> None:  # noqa: ANN001
    loop = session.loop
    if loop.state.phase == "goal":
        loop.set_goal(GOAL)
    while True:
        phase = await loop.advance()
        if phase == "gate":
            call = loop.state.current
            if should_correct(call.turn, call.call.id, loop.state.turn_calls):
                loop.correct(call.call.id, "verify", "check it first", why="a recorded correction, to be kept through crashes")
            else:
                await loop.run(call.call.id)
        elif phase == "human":
            if finish or loop.agent.remaining == 0:
                loop.end()
                return
            loop.prompt(f"Go on (after turn {loop.state.turns}).")
        elif phase == "failed":
            loop.retry()
        else:
            raise SystemExit(f"unexpected phase {phase!r}")


def main() -> None:
    from tutor.services.live import resume_session, session_records, start_session
    from tutor.settings import Settings

    args = sys.argv[1:]
    session_id = args[0]
    # Commands write to a log outside the workspace, so they run unsandboxed here (the
    # sandbox is tests/test_sandbox.py's subject), with the log's name let through.
    settings = Settings(sandbox_bwrap="/nonexistent/bwrap", sandbox_env=["CRASH_RUN_LOG"])
    agent = make_agent()
    if "--resume" in args:
        session = resume_session(session_id, settings=settings, mode="record", agent=agent)
        agent.skip(session.state.turns)  # the turns the journal holds were played before the crash
        say(f"problems {len(session.problems)}")
    else:
        session = start_session(mode="record", settings=settings, demo=True, agent=agent, session_id=session_id)
        # the session record was journaled inside start_session, before on_record could be set
        first = session_records(session_id)[0]
        say(f"rec {first['seq']} {record_hash(first)} {first['kind']} -")
    session.loop.on_record = lambda record: say(f"rec {record['seq']} {record_hash(record)} {record['kind']} {record.get('call', '-')}")
    say("ready")
    try:
        asyncio.run(drive(session, "--finish" in args))
    finally:
        session.close()
    say("done")


if __name__ == "__main__":
    main()
