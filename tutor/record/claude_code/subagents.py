"""Subagents: the work a Task (or `Agent`) call handed to another agent, found wherever Claude Code wrote it.

Claude Code has written a subagent's own records in four places over its versions:

- inline in the session file, as records marked `isSidechain: true`, each run a chain of
  its own from a user record holding the Task's prompt (older versions; parallel Tasks
  interleave their chains);
- in `agent-<id>.jsonl` beside the session file, with the session's `sessionId` (some 2.0.x);
- in `<session-id>/subagents/agent-<id>.jsonl` beside the session file (newer), where the
  Task's result names the run in `toolUseResult.agentId`;
- as `progress` records of type `agent_progress` in the session file, one a record of the
  run, tied to the Task by `parentToolUseID` (2.1.x, alongside the folder).

`subagent_runs` gathers them per Task call, `subagent_refusal` recognises a subagent's own
transcript given in place of a session; `describe_run` (in `subagent_account`) tells one run
as a note's line and its details.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tutor.lesson.limits import Refused, open_regular

from .common import MAX_FILE_BYTES, ClaudeCodeImportError
from .reading import read_records
from .subagent_account import describe_run, first_prompt, text_field, tool_input

__all__ = ["AGENT_TOOLS", "describe_run", "subagent_refusal", "subagent_runs"]

AGENT_TOOLS = frozenset({"Task", "Agent"})
MAX_SUBAGENT_FILES = 200  # files read for one session; a folder of thousands is not read whole
MAX_SUBAGENT_BYTES = MAX_FILE_BYTES  # all subagent files of one session together
_HEAD_BYTES = 64 * 1024  # enough of an agent file's first records to find its sessionId

_AGENT_FILE = re.compile(r"^agent-([A-Za-z0-9_-]{1,80})\.jsonl$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_SESSION_ID_FIELD = re.compile(rb'"sessionId"\s*:\s*"([A-Za-z0-9_-]{1,80})"')


# ---------------------------------------------------------------- a subagent's own transcript


def subagent_refusal(records: list[dict[str, Any]], path: Path) -> str | None:
    """The one line refusing `path` when it is a subagent's transcript rather than a session; None when it is a session.

    A subagent's file has every conversation record marked `isSidechain`, or (newer files in
    a `subagents/` folder or named `agent-<id>.jsonl`) every one carrying its `agentId`.
    """
    conversation = [r for r in records if r.get("type") in ("user", "assistant") and isinstance(r.get("message"), dict)]
    if not conversation:
        return None
    sidechain = all(r.get("isSidechain") is True for r in conversation)
    named = bool(_AGENT_FILE.match(path.name)) or path.parent.name == "subagents"
    tagged = named and all(isinstance(r.get("agentId"), str) and r["agentId"] for r in conversation)
    if not (sidechain or tagged):
        return None
    agent = _most_common(_safe_id(r.get("agentId")) for r in conversation)
    if agent is None:
        match = _AGENT_FILE.match(path.name)
        agent = match.group(1) if match else None
    session = _most_common(_safe_id(r.get("sessionId")) for r in conversation)
    whose = f"a subagent's transcript (agent {agent})" if agent else "a subagent's transcript"
    if session is None:
        return f"{path}: {whose}, not a session; import the session's own file (<session-id>.jsonl, in the folder above) instead"
    parent = _parent_file(path, session)
    return f"{path}: {whose} of session {session[:8]}, not a session; import that session's file, {parent}, instead"


def _parent_file(path: Path, session: str) -> str:
    """The session's file where it lies (`<project>/<id>.jsonl`, above a `subagents/` folder or beside), else its name."""
    name = f"{session}.jsonl"
    places = [path.parent.parent.parent, path.parent] if path.parent.name == "subagents" else [path.parent]
    for folder in places:
        candidate = folder / name
        try:
            if candidate.is_file() and candidate != path:
                return str(candidate)
        except OSError:
            continue
    return name


def _safe_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def _most_common(values: Iterable[str | None]) -> str | None:
    counts: dict[str, int] = {}
    for value in values:
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return _most_common_counted(counts)


def _most_common_counted(counts: dict[str, int]) -> str | None:
    """The value counted most (the first seen of those tied)."""
    return max(counts, key=lambda v: counts[v]) if counts else None


# ---------------------------------------------------------------- finding each run


class _Task:
    """One Task (or Agent) call of the session, with what its result says about the run."""

    def __init__(self, use_id: str, call_input: dict[str, Any], position: int) -> None:
        self.use_id = use_id
        self.prompt = text_field(call_input.get("prompt")).strip()
        self.description = text_field(call_input.get("description"))
        self.position = position  # index of the call's record in the session
        self.agent_id: str | None = None


def subagent_runs(path: Path, records: list[dict[str, Any]], notes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each Task (or Agent) call's id -> its subagent's records in order, from wherever Claude Code wrote them.

    Looked for, in order: the `<session-id>/subagents/` folder, `agent-*.jsonl` files beside
    the session with its `sessionId`, inline `isSidechain` chains, `agent_progress` records.
    A call found nowhere is left out (its report, the Task's result, still shows); a file that
    cannot be read is a note, never a failure.
    """
    tasks = _tasks(records)
    if not tasks:
        return {}
    runs: dict[str, list[dict[str, Any]]] = {}
    budget = _Budget()
    sessions = _session_ids(path, records)
    for session in sessions:
        folder = path.parent / session / "subagents"
        if _is_real_folder(folder):
            _from_files(_agent_files(folder), tasks, runs, budget, notes, session=None)
    if len(runs) < len(tasks) and sessions:
        _from_files(_agent_files(path.parent), tasks, runs, budget, notes, session=set(sessions))
    if len(runs) < len(tasks):
        _from_chains(_inline_chains(records), tasks, runs)
    if len(runs) < len(tasks):
        for use_id, run in _progress_runs(records).items():
            if use_id in tasks and use_id not in runs:
                runs[use_id] = run
    missing = [t for t in tasks.values() if t.use_id not in runs and t.agent_id and f"agent-{t.agent_id}.jsonl" not in budget.unreadable]
    if missing:
        named = ", ".join(f"agent {t.agent_id}" for t in missing[:5]) + (" ..." if len(missing) > 5 else "")
        notes.append(f"{len(missing)} subagent transcript(s) not found beside the session ({named}); their reports show, their steps do not")
    if budget.skipped:
        notes.append(f"did not read {budget.skipped} more subagent file(s): past {MAX_SUBAGENT_FILES} files or their size limit")
    return {use_id: runs[use_id] for use_id in tasks if use_id in runs}


class _Budget:
    """What reading subagent files may still cost: a count of files and their bytes together."""

    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0
        self.skipped = 0
        self.unreadable: set[str] = set()  # names of files already noted as unreadable: not said missing too

    def allows(self, size: int) -> bool:
        if self.files >= MAX_SUBAGENT_FILES or self.bytes + size > MAX_SUBAGENT_BYTES:
            self.skipped += 1
            return False
        self.files += 1
        self.bytes += size
        return True


def _tasks(records: list[dict[str, Any]]) -> dict[str, _Task]:
    """The session's own Task calls, in order, each with the agentId its result names."""
    tasks: dict[str, _Task] = {}
    for position, record in enumerate(records):
        if record.get("isSidechain") is True or not isinstance(record.get("message"), dict):
            continue
        content = record["message"].get("content")
        if not isinstance(content, list):
            continue
        if record.get("type") == "assistant":
            for block in content:
                if (isinstance(block, dict) and block.get("type") == "tool_use" and isinstance(block.get("name"), str) and block["name"] in AGENT_TOOLS
                        and isinstance(block.get("id"), str) and block["id"] not in tasks):
                    tasks[block["id"]] = _Task(block["id"], tool_input(block), position)
        elif record.get("type") == "user":
            results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result" and isinstance(b.get("tool_use_id"), str) and b["tool_use_id"] in tasks]
            extra = record.get("toolUseResult")
            if len(results) == 1 and isinstance(extra, dict):
                task = tasks[results[0]["tool_use_id"]]
                task.agent_id = _safe_id(extra.get("agentId")) or task.agent_id
                if not task.prompt and isinstance(extra.get("prompt"), str):
                    task.prompt = extra["prompt"].strip()
    return tasks


def _session_ids(path: Path, records: list[dict[str, Any]]) -> list[str]:
    """The ids the session goes by: its file's name, and the sessionId its records carry (a resumed session may carry another)."""
    ids = [path.stem] if _ID.match(path.stem) else []
    counts: dict[str, int] = {}  # each value counted first, checked once after (thousands of records, a few ids)
    for record in records:
        if record.get("isSidechain") is not True:
            value = record.get("sessionId")
            if isinstance(value, str):
                counts[value] = counts.get(value, 0) + 1
    recorded = _most_common_counted({value: n for value, n in counts.items() if _safe_id(value) is not None})
    if recorded and recorded not in ids:
        ids.append(recorded)
    return ids


def _is_real_folder(folder: Path) -> bool:
    try:
        return folder.is_dir() and not folder.is_symlink()
    except OSError:
        return False


def _agent_files(folder: Path) -> list[tuple[str, Path]]:
    """(agent id, path) of each `agent-<id>.jsonl` in `folder`, in name order."""
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except OSError:
        return []
    found = []
    for name in names:
        match = _AGENT_FILE.match(name)
        if match:
            found.append((match.group(1), folder / name))
    return found


def _from_files(files: list[tuple[str, Path]], tasks: dict[str, _Task], runs: dict[str, list[dict[str, Any]]],
                budget: _Budget, notes: list[str], *, session: set[str] | None) -> None:
    """Match agent files to the Tasks still without a run: by the agentId their result names first, then by prompt.

    `session`: when given (files beside the session, where other sessions' files lie too),
    only files whose first record carries one of these sessionIds are read.
    """
    by_agent = {t.agent_id: t for t in tasks.values() if t.agent_id and t.use_id not in runs}
    named = [(agent, file) for agent, file in files if agent in by_agent]
    others = [(agent, file) for agent, file in files if agent not in by_agent]
    for agent, file in named:
        run = _read_run(file, budget, notes, session)
        if run:
            runs[by_agent[agent].use_id] = run
    waiting = [t for t in tasks.values() if t.use_id not in runs and t.prompt]
    for _agent, file in others:
        if not waiting:
            return
        run = _read_run(file, budget, notes, session)
        prompt = first_prompt(run)
        task = next((t for t in waiting if t.prompt == prompt), None) if prompt else None
        if task is not None:
            runs[task.use_id] = run
            waiting.remove(task)


def _read_run(file: Path, budget: _Budget, notes: list[str], session: set[str] | None) -> list[dict[str, Any]]:
    """A subagent file's records (the conversation's), or [] when it is not this session's or cannot be read (with a note)."""
    try:
        size = file.lstat().st_size
    except OSError:
        return []
    if session is not None and _first_session_id(file) not in session:
        return []
    if not budget.allows(size):
        return []
    try:
        records = read_records(file, [])
    except ClaudeCodeImportError as error:
        notes.append(f"could not read a subagent's transcript: {error}")
        budget.unreadable.add(file.name)
        return []
    return [r for r in records if r.get("type") in ("user", "assistant") and isinstance(r.get("message"), dict)]


def _first_session_id(file: Path) -> str | None:
    """The first sessionId in a file's first records, read without reading the file (a project folder holds every session's agent files)."""
    try:
        with open_regular(file, limit=MAX_FILE_BYTES, name="a subagent's transcript", place="its folder") as stream:
            head = stream.read(_HEAD_BYTES) or b""
    except (Refused, OSError):
        return None
    match = _SESSION_ID_FIELD.search(head)  # the first record that has one (a snapshot or a summary may come first); an escaped one inside a string never matches
    return match.group(1).decode("ascii") if match else None


def _inline_chains(records: list[dict[str, Any]]) -> list[tuple[int, list[dict[str, Any]]]]:
    """The session's `isSidechain` records split into runs, each (where it starts, its records): a chain of parentUuid from its own root (parallel runs interleave)."""
    chains: list[list[dict[str, Any]]] = []
    starts: list[int] = []
    chain_of: dict[str, int] = {}  # uuid -> index of its chain
    by_agent: dict[str, int] = {}  # agentId -> index of its chain, where records carry one
    for position, record in enumerate(records):
        if record.get("isSidechain") is not True or record.get("type") not in ("user", "assistant") or not isinstance(record.get("message"), dict):
            continue
        agent = _safe_id(record.get("agentId"))
        parent = record.get("parentUuid")
        if isinstance(parent, str) and parent in chain_of:
            index = chain_of[parent]
        elif agent is not None and agent in by_agent:
            index = by_agent[agent]
        else:
            index = len(chains)
            chains.append([])
            starts.append(position)
        chains[index].append(record)
        if isinstance(record.get("uuid"), str):
            chain_of[record["uuid"]] = index
        if agent is not None:
            by_agent.setdefault(agent, index)
    return list(zip(starts, chains, strict=True))


def _from_chains(chains: list[tuple[int, list[dict[str, Any]]]], tasks: dict[str, _Task], runs: dict[str, list[dict[str, Any]]]) -> None:
    """Match inline runs to the Tasks without a run: by their prompt, else (a prompt Claude Code reworded) the first earlier call still waiting."""
    waiting = [t for t in tasks.values() if t.use_id not in runs]
    unmatched: list[tuple[int, list[dict[str, Any]]]] = []
    for start, chain in chains:
        prompt = first_prompt(chain)
        task = next((t for t in waiting if prompt and t.prompt == prompt), None)
        if task is None:
            unmatched.append((start, chain))
            continue
        runs[task.use_id] = chain
        waiting.remove(task)
    for start, chain in unmatched:
        task = next((t for t in waiting if t.position < start), None)
        if task is not None:
            runs[task.use_id] = chain
            waiting.remove(task)


def _progress_runs(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Task id -> the run's records as `agent_progress` records carry them (each once: Claude Code repeats some)."""
    runs: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for record in records:
        if record.get("type") != "progress":
            continue
        data = record.get("data")
        use_id = record.get("parentToolUseID")
        if not isinstance(data, dict) or data.get("type") != "agent_progress" or not isinstance(use_id, str):
            continue
        inner = data.get("message")
        if not isinstance(inner, dict) or inner.get("type") not in ("user", "assistant") or not isinstance(inner.get("message"), dict):
            continue
        key = inner.get("uuid")
        if isinstance(key, str):
            if key in seen:
                continue
            seen.add(key)
        runs.setdefault(use_id, []).append(dict(inner, isSidechain=True, agentId=data.get("agentId")))
    return runs
