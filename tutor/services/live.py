"""Starting, resuming and listing live sessions (pair mode; recording reuses it).

A session is three things under `$TUTOR_HOME`, all named by its id: the journal
(`sessions/<id>/journal.jsonl`, the source of truth), the workspace
(`workspaces/<id>`, a private clone where the agent's tools act) and, while it runs, the
engine (`tutor.agent.loop.GatedLoop`) tying them to an agent. Nothing here writes to the
user's repository: the workspace is made from it with read-only git plumbing.

A new session may be started `later`: its id, agent and the sandbox's line are there at once,
its workspace (git), journal and engine are made by `LiveSession.prepare` (in a worker, once
the screen is up and the human starts typing; a move waits for it; closing makes it at the
latest, so a session shown is a session kept, as when it was made first). Its first screen
then loads no git (issue 18).

The agent's commands run in bubblewrap when it can run here (`tutor.agent.sandbox`):
then the workspace borrows the user's objects through alternates, shown to commands
read-only; without it they run with the user's permissions, unsandboxed, and the
workspace holds copies of the objects, so nothing done inside it reaches the user's
files through it (`LiveSession.sandbox.line` says which, on the pair and record
screens). Each command's process group is journalled (a `process` record) when it
starts; resuming a session kills what a crash left running (`tutor.agent.processes`).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor import paths
from tutor.errors import UserError
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.agent.records import Header
    from tutor.agent.session import SessionState

MODES = ("pair", "record")


class SessionError(UserError):
    """A session cannot be started or resumed; the message is one line for the user."""


@dataclass
class LiveSession:
    id: str
    loop: Any  # tutor.agent.loop.GatedLoop
    journal: Any
    workspace: Any
    problems: list[str] = field(default_factory=list)  # journal lines skipped on resume
    records: list[dict[str, Any]] = field(default_factory=list)  # what the journal held when resumed
    sandbox: Any = None  # tutor.agent.sandbox.SandboxStatus: where the agent's commands run, in one line (`.line`)
    preparation: Preparation | None = None  # a session started `later`: what makes its workspace, journal and engine

    @property
    def ready(self) -> bool:
        """Whether the workspace, the journal and the engine are made (always, but for a session started `later`)."""
        return self.loop is not None

    @property
    def state(self) -> Any:
        """The session's folded journal; before it is made, what it will start with (its header, not yet written)."""
        if self.loop is None and self.preparation is not None:
            return self.preparation.state
        return self.loop.state

    @property
    def agent(self) -> Any:
        return self.loop.agent if self.loop is not None else self.preparation.agent if self.preparation is not None else None

    def prepare(self) -> None:
        """Make what a session started `later` still lacks (slow: git); once, from any thread. `SessionError`."""
        if self.loop is None and self.preparation is not None:
            self.preparation.make(self)

    def close(self) -> None:
        if not self.ready:
            try:
                self.prepare()  # a session shown is a session kept (the command line says how to resume it)
            except SessionError:
                return  # said when it failed; nothing was made
        close_engine = getattr(self.loop, "close", None)  # the snapshot being taken is journaled first
        if close_engine is not None:
            close_engine()
        self.journal.close()
        close_workspace = getattr(self.workspace, "close", None)  # stops the git check-ignore its snapshots keep
        if close_workspace is not None:
            close_workspace()


class Preparation:
    """What `start_session(later=True)` leaves to do: the workspace, the journal and the engine, made once."""

    def __init__(self, make: Any, state: Any, agent: Any) -> None:
        self._make = make  # () -> LiveSession: the session as `start_session` makes it at once
        self.state = state  # tutor.agent.session.SessionState: its header, as it will be written
        self.agent = agent
        self._lock = threading.Lock()
        self._error: str | None = None

    def make(self, session: LiveSession) -> None:
        with self._lock:
            if session.loop is not None:
                return
            if self._error is not None:
                raise SessionError(self._error)
            try:
                made = self._make()
            except SessionError as error:
                self._error = str(error)
                raise
            session.journal, session.workspace, session.sandbox = made.journal, made.workspace, made.sandbox
            session.loop = made.loop  # last: `ready` says the rest is there


@dataclass(frozen=True)
class SessionSummary:
    id: str
    mode: str
    task: str
    goal: str
    repo: str
    agent: str
    phase: str
    tally: str
    started: float
    problems: int = 0


def new_session_id(clock: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock))
    return f"{stamp}-{secrets.token_hex(3)}"


def journal_path(session_id: str) -> Path:
    return paths.sessions_dir() / session_id / "journal.jsonl"


def start_session(
    *,
    mode: str,
    settings: Settings,
    repo: Path | None = None,
    task: str = "",
    demo: bool = False,
    agent: Any = None,
    session_id: str | None = None,
    later: bool = False,
) -> LiveSession:
    """A new session on `repo` (or on the bundled demo project), journaled from its first record; with `later`, its
    workspace, journal and engine are made by `LiveSession.prepare` (see the module's docstring)."""
    if mode not in MODES:
        raise SessionError(f"unknown session mode {mode!r}")
    session_id = session_id or new_session_id()
    if later:
        return _planned(mode=mode, settings=settings, repo=repo, task=task, demo=demo, agent=agent, session_id=session_id)
    return _started(mode=mode, settings=settings, repo=repo, task=task, demo=demo, agent=agent, session_id=session_id)


def _planned(*, mode: str, settings: Settings, repo: Path | None, task: str, demo: bool, agent: Any, session_id: str) -> LiveSession:
    from tutor.agent.records import Header
    from tutor.agent.sandbox import sandbox_status

    if demo:
        from tutor.agent.demo import TASK

        task = task or TASK
    elif repo is None:
        raise SessionError("give the repository to work on: --repo PATH")
    agent = agent or _make_agent(Header(agent="demo" if demo else "anthropic", model=settings.model or ""), settings, turns_done=0)
    # What its `session` record will say of it (the rest, where it works, once that is made): shown meanwhile.
    header = {"seq": 0, "at": 0.0, "kind": "session", "format": "tutor.session/1", "id": session_id, "mode": mode, "task": task,
              "agent": "demo" if demo else "anthropic", "model": getattr(agent, "label", "")}

    def make() -> LiveSession:
        return _started(mode=mode, settings=settings, repo=repo, task=task, demo=demo, agent=agent, session_id=session_id)

    from tutor.agent.session import SessionState

    return LiveSession(id=session_id, loop=None, journal=None, workspace=None, sandbox=sandbox_status(settings),
                       preparation=Preparation(make, SessionState.from_records([header]), agent))


def _started(*, mode: str, settings: Settings, repo: Path | None, task: str, demo: bool, agent: Any, session_id: str) -> LiveSession:
    from tutor.agent.sandbox import sandbox_status
    from tutor.record.journal import Journal, JournalError
    from tutor.vcs import VcsError
    from tutor.vcs.workspace import Workspace

    redactor = _redactor()
    where = paths.workspaces_dir() / session_id
    where.parent.mkdir(parents=True, exist_ok=True)
    try:
        if demo:
            from tutor.agent.demo import PROJECT, TASK

            workspace = Workspace.from_folder(PROJECT, where, deterministic=False)
            task = task or TASK
        else:
            if repo is None:
                raise SessionError("give the repository to work on: --repo PATH")
            sandboxed = sandbox_status(settings).active
            workspace = Workspace.from_repository(repo, where, objects="alternates" if sandboxed else "copy")
        base = workspace.redact_base(redactor.redact_bytes, "the starting point (secrets redacted)")
    except VcsError as error:
        raise SessionError(str(error)) from None
    try:
        journal = Journal.create(journal_path(session_id), redact=redactor.redact_obj)
    except JournalError as error:
        workspace.remove()
        raise SessionError(str(error)) from None
    status = sandbox_status(settings, read_only=workspace.shared_objects)
    from tutor.agent.records import Header

    agent = agent or _make_agent(Header(agent="demo" if demo else "anthropic", model=settings.model or ""), settings, turns_done=0)
    loop = _loop(journal, _state([]), agent, workspace, settings, mode, status, redactor)
    loop.record(
        "session",
        format="tutor.session/1",
        id=session_id,
        mode=mode,
        repo=str(Path(repo).resolve()) if repo is not None and not demo else "(the bundled demo project)",
        task=task,
        agent="demo" if demo else "anthropic",
        model=getattr(agent, "label", ""),
        workspace=str(workspace.root),
        base=base,
        ungated_reads=settings.ungated_reads,
        sandboxed=status.active,
        sandbox=status.line,
        shared_objects=list(workspace.shared_objects),
    )
    return LiveSession(id=session_id, loop=loop, journal=journal, workspace=workspace, sandbox=status)


def resume_session(session_id: str, *, settings: Settings, agent: Any = None, mode: str | None = None) -> LiveSession:
    """The session `session_id` as the journal left it, ready to continue (a crashed call is reported as interrupted)."""
    from tutor.agent.processes import kill_leftovers
    from tutor.agent.sandbox import sandbox_status
    from tutor.record.journal import Journal, JournalError, read_journal
    from tutor.vcs import VcsError
    from tutor.vcs.workspace import Workspace

    path = _existing_journal(session_id)
    try:
        read = read_journal(path)
    except JournalError as error:
        raise SessionError(str(error)) from None
    state = _state(read.records)
    header = state.info  # the typed `session` record (tutor.agent.records.Header)
    if not state.header:
        raise SessionError(f"session {session_id}: its journal has no session record")
    if mode is not None and header.mode != mode:
        raise SessionError(f"session {session_id} is a {header.mode} session, not a {mode} session")
    if state.ended:
        raise SessionError(f"session {session_id} has ended; nothing to resume")
    redactor = _redactor()
    try:  # the journal's lock first: it says no other Tutor has this session, or its workspace
        journal = Journal.reopen(path, state.last_seq, redact=redactor.redact_obj)
    except JournalError as error:
        raise SessionError(str(error)) from None
    try:
        shared = header.shared_objects
        workspace = Workspace.open(Path(header.workspace), shared_objects=list(shared) if shared is not None else None)
        # What a crashed command left running goes before anything else touches the workspace.
        killed = kill_leftovers(read.records, workspace.root)
        workspace.release_stale_locks()  # a git killed mid-snapshot would block every later snapshot
        workspace.redact_snapshots(redactor.redact_bytes)
    except VcsError as error:
        journal.close()
        raise SessionError(f"session {session_id}: its workspace is gone ({error})") from None
    status = sandbox_status(settings, read_only=workspace.shared_objects)
    agent = agent or _make_agent(header, settings, turns_done=state.turns)
    loop = _loop(journal, state, agent, workspace, settings, header.mode or "pair", status, redactor)
    problems = list(read.problems) + (["the last line was cut short by a crash; it was never shown"] if read.torn_tail else [])
    if killed:
        problems.append(f"ended {killed} process{'es' if killed != 1 else ''} a command left running when Tutor stopped")
    return LiveSession(
        id=session_id, loop=loop, journal=journal, workspace=workspace, problems=problems, records=read.records, sandbox=status
    )


def list_sessions() -> list[SessionSummary]:
    """Every session under `$TUTOR_HOME/sessions`, newest first; unreadable ones are listed with a note."""
    from tutor.record.journal import JournalError, read_journal

    root = paths.sessions_dir()
    summaries: list[SessionSummary] = []
    if not root.is_dir():
        return summaries
    for folder in sorted(root.iterdir(), reverse=True):
        path = folder / "journal.jsonl"
        if not path.is_file():
            continue
        try:
            read = read_journal(path)
        except JournalError:
            continue
        state = _state(read.records)
        header = state.info
        started = header.at if state.header else 0.0
        summaries.append(
            SessionSummary(
                id=folder.name, mode=header.mode or "?", task=header.task, goal=state.goal or "",
                repo=header.repo, agent=header.agent, phase=state.phase,
                tally=state.tally().line(), started=started, problems=len(read.problems),
            )
        )
    return summaries


def session_records(session_id: str) -> list[dict[str, Any]]:
    from tutor.record.journal import JournalError, read_journal

    try:
        return read_journal(_existing_journal(session_id)).records
    except JournalError as error:
        raise SessionError(str(error)) from None


def session_workspace(records: list[dict[str, Any]]) -> Any:
    """The workspace a session's journal names (for its snapshots and bundle)."""
    from tutor.vcs import VcsError
    from tutor.vcs.workspace import Workspace

    state = _state(records)
    if not state.header:
        raise SessionError("the journal has no session record")
    try:
        return Workspace.open(Path(state.info.workspace))
    except VcsError as error:
        raise SessionError(f"the session's workspace is gone ({error})") from None


# -- helpers


def _existing_journal(session_id: str) -> Path:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", session_id or ""):
        raise SessionError(f"{session_id!r} is not a session id (see `tutor pair --list`)")
    path = journal_path(session_id)
    if not path.is_file():
        raise SessionError(f"no session {session_id} under {paths.sessions_dir()} (see `tutor pair --list`)")
    return path


def _redactor() -> Any:
    """One per session, shared by the journal, the tools and the snapshots: a secret it finds anywhere
    (the user's files when the workspace is made, a command's output), it then finds in any encoding."""
    from tutor.redaction import needles
    from tutor.redaction.remembering import RememberingRedactor

    needles.kept_in = paths.redaction_cache_dir  # its scanner, compiled once a machine (~40 ms), not once a session
    return RememberingRedactor.from_environment()


def _state(records: list[dict[str, Any]]) -> SessionState:
    from tutor.agent.session import SessionState

    return SessionState.from_records(records)


def _make_agent(header: Header, settings: Settings, *, turns_done: int) -> Any:
    if header.agent == "demo":
        from tutor.agent.demo import demo_turns
        from tutor.agent.scripted import ScriptedAgent

        agent = ScriptedAgent(demo_turns())
        agent.skip(turns_done)
        return agent
    from tutor.agent.anthropic_agent import AnthropicAgent

    return AnthropicAgent(settings.model or None, max_retries=settings.api_max_retries)


def _loop(journal: Any, state: Any, agent: Any, workspace: Any, settings: Settings, mode: str, sandbox: Any = None, redactor: Any = None) -> Any:
    from tutor.agent.anthropic_agent import SYSTEM_PROMPT
    from tutor.agent.loop import GatedLoop
    from tutor.agent.tools import Tools

    redactor = redactor or _redactor()
    tools = Tools(
        workspace.root, timeout=settings.command_timeout, output_cap=settings.output_cap, redact=redactor.redact,
        learn=redactor.redact_bytes, sandbox=sandbox, env_extra=list(getattr(settings, "sandbox_env", []) or []),
    )
    loop = GatedLoop(
        journal=journal, state=state, agent=agent, tools=tools, workspace=workspace, system=SYSTEM_PROMPT,
        require_prediction=mode == "pair", ungated_reads=settings.ungated_reads,
    )
    tools.on_start = loop.note_process
    return loop


def is_demo_session(records: list[dict[str, Any]]) -> bool:
    """Whether a session's journal says it plays the scripted demo (it needs no API key)."""
    return _state(records).info.agent == "demo"
