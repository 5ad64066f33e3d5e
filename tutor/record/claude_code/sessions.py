"""Sessions in one file: a transcript that holds two or more sessions concatenated, split, and the one to import chosen.

`cat a.jsonl b.jsonl > both.jsonl` gives a file with two roots and two `sessionId`s; read
as one, the two conversations merge silently. A session's records are tied together by
their `sessionId` and by their links (`parentUuid`, `logicalParentUuid`), so one session
stays one part even when it spans ids: a resumed session whose first records carry the
older session's id but chain into it, a compaction that continues under a new id. Records
that belong to no conversation (snapshots, titles of another id, worktree states) go with
the session whose conversation comes next in the file (the last one, at the end).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.lesson.untrusted import one_line

from .common import ClaudeCodeImportError

PREVIEW_CHARS = 60
_CONVERSATION = ("user", "assistant")
_MACHINERY_TEXT = re.compile(r"^\s*(<[a-z][\w-]*[\s>]|\[Request interrupted by user|This session is being continued from a previous conversation)")
_COMMAND = re.compile(r"<command-name>\s*(/?[^<\s]{1,80})\s*</command-name>(?:.*?<command-args>(.*?)</command-args>)?", re.S)


@dataclass
class SessionPart:
    """One session of the file: its id, its records in file order, what it opens with, and its size."""

    session_id: str
    records: list[dict[str, Any]]
    first_prompt: str  # one line, capped: the first prompt the user typed (or the slash command), "" if none
    prompts: int  # prompts the user typed
    messages: int  # user and assistant records of the main conversation

    def describe(self, number: int) -> str:
        opening = f'"{self.first_prompt}"' if self.first_prompt else "no typed prompt"
        return f"{number}: {self.short_id}, {opening}, {self.prompts} prompt(s), {self.messages} message(s)"

    @property
    def short_id(self) -> str:
        """The start of the session id, as the user may type it to `--session` (plain text: it comes from the file)."""
        return one_line(self.session_id[:8]) or "no id"


def split_sessions(records: list[dict[str, Any]], *, is_prompt: Callable[[dict[str, Any]], bool] | None = None) -> list[SessionPart]:
    """The sessions in `records`, in the order they begin in the file (one part for a single session).

    `is_prompt` tells a prompt the user typed (default: a user record whose text is not
    Claude Code's machinery); it gives each part its preview and its count of prompts.
    """
    typed = is_prompt or _typed_prompt
    if len({i for r in records if isinstance(i := r.get("sessionId"), str) and i}) <= 1:
        # One session id (or none): every record with it is one group, the others wait for it, so the
        # whole file is the one part the joining below would give (as most files are): no need to join.
        return [_part(list(records), typed)]
    return _joined_parts(records, typed)


def _joined_parts(records: list[dict[str, Any]], typed: Callable[[dict[str, Any]], bool]) -> list[SessionPart]:
    """The sessions, by joining records: by session id, by the uuids they link to, a compaction to the session before."""
    group = _Groups(len(records))
    first_with_id: dict[str, int] = {}
    position_of: dict[str, int] = {}
    for position, record in enumerate(records):
        uuid = record.get("uuid")
        if isinstance(uuid, str) and uuid not in position_of:
            position_of[uuid] = position
    for position, record in enumerate(records):
        session_id = record.get("sessionId")
        if isinstance(session_id, str) and session_id:
            group.join(position, first_with_id.setdefault(session_id, position))
        for key in ("parentUuid", "logicalParentUuid", "leafUuid", "messageId"):
            linked = record.get(key)
            if isinstance(linked, str) and linked in position_of:
                group.join(position, position_of[linked])
    # A session that opens with a compaction summary continues the one before it, whatever its id.
    previous_top: int | None = None
    seen_tops: set[int] = set()
    for position, record in enumerate(records):
        if record.get("type") not in _CONVERSATION or record.get("isSidechain") is True:
            continue
        top = group.top(position)
        if top not in seen_tops:
            seen_tops.add(top)
            if previous_top is not None and _continues(record):
                group.join(position, previous_top)
        previous_top = group.top(position)
    return _parts(records, group, typed)


def choose_session(parts: list[SessionPart], choice: str | None, notes: list[str]) -> SessionPart:
    """The part `--session` names (a 1-based number or a prefix of its session id), the first by default; a note names the others."""
    if choice is None or not choice.strip():
        if len(parts) > 1:
            others = "; ".join(part.describe(number) for number, part in enumerate(parts, 1))
            notes.append(f"the file holds {len(parts)} sessions ({others}); imported the first; "
                         f"`--session 2` imports the second (a number from 1 to {len(parts)}, or the start of a session id)")
        return parts[0]
    wanted = choice.strip()
    if wanted.isdigit():
        number = int(wanted)
        if not 1 <= number <= len(parts):
            raise ClaudeCodeImportError(f"--session {one_line(wanted, limit=20)}: the file holds {_sessions(len(parts))}; give a number from 1 to {len(parts)}, or the start of a session id")
        chosen = parts[number - 1]
    else:
        matching = [part for part in parts if part.session_id.lower().startswith(wanted.lower())]
        if not matching:
            ids = ", ".join(part.short_id for part in parts)
            raise ClaudeCodeImportError(f"--session {one_line(wanted, limit=40)}: no session of the file has an id starting so (its sessions: {ids})")
        if len(matching) > 1:
            raise ClaudeCodeImportError(f"--session {one_line(wanted, limit=40)}: {len(matching)} sessions of the file have an id starting so; give more of it, or the number")
        chosen = matching[0]
    if len(parts) > 1:
        notes.append(f"imported session {parts.index(chosen) + 1} of the {len(parts)} in the file ({chosen.describe(parts.index(chosen) + 1)})")
    return chosen


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"


def _parts(records: list[dict[str, Any]], group: _Groups, typed: Callable[[dict[str, Any]], bool]) -> list[SessionPart]:
    # A session is known by its id: records without one (an old or hand-made transcript) never start one.
    with_id = {group.top(p) for p, r in enumerate(records) if isinstance(r.get("sessionId"), str) and r["sessionId"]}
    conversational = {top for top in (group.top(p) for p, r in enumerate(records) if r.get("type") in _CONVERSATION) if top in with_id}
    members: dict[int, list[int]] = {}
    waiting: list[int] = []  # records of no conversation, to go with the next session's
    last: int | None = None
    for position in range(len(records)):
        top = group.top(position)
        if top not in conversational:
            waiting.append(position)
            continue
        part = members.setdefault(top, [])
        part.extend(waiting)
        waiting.clear()
        part.append(position)
        last = top
    if last is None:
        return [_part(records, typed)]
    members[last].extend(waiting)
    # Nobody typed anything in a part without a prompt or a command (a stray resume, a fixture's
    # leftovers): it is no session of its own, and goes with the next part (the last, with the one before).
    groups = list(members.values())
    opened = [any(_opens(records[p], typed) for p in positions) for positions in groups]
    if any(opened):
        merged: list[list[int]] = []
        pending: list[int] = []
        for positions, has_opening in zip(groups, opened, strict=True):
            pending.extend(positions)
            if has_opening:
                merged.append(sorted(pending))
                pending = []
        if pending:
            merged[-1] = sorted(merged[-1] + pending)
        groups = merged
    else:
        groups = [list(range(len(records)))]
    return [_part([records[p] for p in positions], typed) for positions in groups]


def _opens(record: dict[str, Any], typed: Callable[[dict[str, Any]], bool]) -> bool:
    """Whether the user typed `record`: a prompt, or a slash command (a session may open with `/init`)."""
    if record.get("type") != "user" or record.get("isSidechain") is True:
        return False
    return typed(record) or _COMMAND.search(_text(record)[:4000]) is not None


def _part(records: list[dict[str, Any]], typed: Callable[[dict[str, Any]], bool]) -> SessionPart:
    main = [r for r in records if r.get("type") in _CONVERSATION and r.get("isSidechain") is not True]
    prompts = [r for r in main if typed(r)]
    opening = prompts[0] if prompts else next((r for r in main if _opens(r, typed)), None)
    ids = [r["sessionId"] for r in reversed(main or records) if isinstance(r.get("sessionId"), str) and r["sessionId"]]
    return SessionPart(session_id=ids[0] if ids else "", records=records, first_prompt=_preview(opening),
                       prompts=len(prompts), messages=len(main))


def _preview(record: dict[str, Any] | None) -> str:
    if record is None:
        return ""
    text = _text(record)[:2000]
    command = _COMMAND.search(text)
    if command is not None:
        text = f"{command.group(1)} {command.group(2) or ''}"
    return one_line(" ".join(text.split()), limit=PREVIEW_CHARS)


def _text(record: dict[str, Any]) -> str:
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str))
    return ""


def _typed_prompt(record: dict[str, Any]) -> bool:
    """A user record holding words the user typed: not meta, a tool result, a compaction summary or Claude Code's tags."""
    if record.get("type") != "user" or record.get("isMeta") is True or record.get("isCompactSummary") is True:
        return False
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
        return False
    text = _text(record)
    return bool(text.strip()) and _MACHINERY_TEXT.match(text[:200]) is None


def _continues(record: dict[str, Any]) -> bool:
    """Whether a session's first message is a compaction summary: it goes on from the session before it."""
    return record.get("isCompactSummary") is True or _text(record)[:200].lstrip().startswith("This session is being continued from a previous conversation")


class _Groups:
    """Union-find over record positions (iterative, with path halving: no recursion on long sessions)."""

    def __init__(self, count: int) -> None:
        self.up = list(range(count))

    def top(self, item: int) -> int:
        up = self.up
        while up[item] != item:
            up[item] = up[up[item]]
            item = up[item]
        return item

    def join(self, a: int, b: int) -> None:
        top_a, top_b = self.top(a), self.top(b)
        if top_a != top_b:
            # the earlier position stays the top, so a part is known by its first record
            self.up[max(top_a, top_b)] = min(top_a, top_b)
