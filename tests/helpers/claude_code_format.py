"""Claude Code transcripts written in the real format, for the importer's tests.

Claude Code appends one JSON record a line to `~/.claude/projects/<project>/<session>.jsonl`.
Every conversation record carries `parentUuid` (the record before it in the conversation,
null for the first), `uuid`, `sessionId`, `cwd`, `gitBranch`, `version`, `timestamp`,
`isSidechain` and `userType`; an assistant message is streamed as one record per content
block, sharing `message.id`; a tool result is a `user` record whose content is a
`tool_result` block, with the tool's own account in `toolUseResult`.

`Session` writes such records. Each new record's `parentUuid` is the previous record's
`uuid` unless `parent=` says otherwise (a rewind forks the chain at an earlier record).
Nothing here knows what the importer does with them.

    s = Session(cwd="/home/alice/shop", version="2.1.20")
    s.user("Fix the failing test in test_cart.py")
    use = s.tool_use("Bash", command="pytest -q", text="Running the tests.")
    s.tool_result(use, "Exit code 1\\nFAILED test_cart.py::test_total", is_error=True)
    path = s.write(tmp_path / "session.jsonl")
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REJECTED = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, "
    "the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed."
)
REJECTED_WITH_REASON = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, "
    "the new_string was NOT written to the file). To tell you how to proceed, the user said:\n"
)
INTERRUPTED = "[Request interrupted by user]"
INTERRUPTED_FOR_TOOL_USE = "[Request interrupted by user for tool use]"


@dataclass
class Session:
    cwd: str = "/home/alice/projects/shop"
    version: str = "2.1.20"
    git_branch: str = "main"
    session_id: str = "5f0c2a9e-7d41-4e4b-9a57-3c1d2b8e6f10"
    start: str = "2026-03-02T09:15:00"
    records: list[dict[str, Any]] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _last: str | None = None

    # ------------------------------------------------------------ plumbing

    def _uuid(self) -> str:
        n = next(self._counter)
        return f"{n:08x}-0000-4000-8000-{self.session_id[-12:]}"

    def _stamp(self) -> str:
        return f"{self.start}.{len(self.records):03d}Z"

    def _base(self, kind: str, parent: str | bool | None, sidechain: bool) -> dict[str, Any]:
        uuid = self._uuid()
        record = {
            "parentUuid": self._last if parent is True else parent,
            "isSidechain": sidechain,
            "userType": "external",
            "cwd": self.cwd,
            "sessionId": self.session_id,
            "version": self.version,
            "gitBranch": self.git_branch,
            "type": kind,
            "uuid": uuid,
            "timestamp": self._stamp(),
        }
        return record

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        """Append any record as it is (a raw one from another version, say); it becomes the chain's last when it has a uuid."""
        self.records.append(record)
        if isinstance(record.get("uuid"), str) and not record.get("isSidechain"):
            self._last = record["uuid"]
        return record

    @property
    def last_uuid(self) -> str | None:
        return self._last

    # ------------------------------------------------------------ conversation

    def user(self, content: str | list[dict[str, Any]], *, parent: str | bool | None = True, sidechain: bool = False, **extra: Any) -> dict[str, Any]:
        """A user message: a typed prompt (a string), or a list of content blocks (text, image...)."""
        record = self._base("user", parent, sidechain)
        record["message"] = {"role": "user", "content": content}
        record.update(extra)
        return self.add(record)

    def meta(self, text: str, **extra: Any) -> dict[str, Any]:
        """A user record Claude Code wrote itself (`isMeta`): a command's expansion, a caveat, a skill's body."""
        return self.user([{"type": "text", "text": text}], isMeta=True, **extra)

    def command(self, name: str, args: str = "", *, expansion: str | None = None) -> dict[str, Any]:
        """A slash command as Claude Code records it, and (for a prompt command) its expansion as a meta record."""
        message = name.lstrip("/")
        text = f"<command-message>{message} is running…</command-message>\n<command-name>/{message}</command-name>"
        if args:
            text += f"\n<command-args>{args}</command-args>"
        record = self.user(text)
        if expansion is not None:
            self.meta(expansion)
        return record

    def local_output(self, stdout: str) -> dict[str, Any]:
        return self.user(f"<local-command-stdout>{stdout}</local-command-stdout>")

    def assistant(self, *blocks: dict[str, Any], message_id: str | None = None, parent: str | bool | None = True,
                  sidechain: bool = False, **extra: Any) -> list[dict[str, Any]]:
        """An assistant message, streamed as one record per content block sharing `message.id`."""
        message_id = message_id or f"msg_01{len(self.records):020d}"
        written = []
        for index, block in enumerate(blocks or ({"type": "text", "text": ""},)):
            record = self._base("assistant", parent if index == 0 else True, sidechain)
            record["message"] = {
                "id": message_id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                "content": [block], "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": 4, "output_tokens": 12},
            }
            record["requestId"] = f"req_{message_id[-12:]}"
            record.update(extra)
            written.append(self.add(record))
        return written

    def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        return self.assistant(text_block(text), **extra)

    def tool_use(self, name: str, *, text: str | None = None, use_id: str | None = None, sidechain: bool = False,
                 parent: str | bool | None = True, **tool_input: Any) -> str:
        """The agent calls a tool (after optional words); returns the call's id for `tool_result`."""
        use_id = use_id or f"toolu_01{len(self.records):022d}"
        blocks = ([text_block(text)] if text else []) + [{"type": "tool_use", "id": use_id, "name": name, "input": tool_input}]
        self.assistant(*blocks, sidechain=sidechain, parent=parent)
        return use_id

    def tool_result(self, use_id: str, content: str | list[dict[str, Any]], *, is_error: bool = False,
                    tool_use_result: Any = None, sidechain: bool = False, parent: str | bool | None = True, **extra: Any) -> dict[str, Any]:
        block: dict[str, Any] = {"tool_use_id": use_id, "type": "tool_result", "content": content}
        if is_error:
            block["is_error"] = True
        record = self.user([block], sidechain=sidechain, parent=parent, **extra)
        if tool_use_result is not None:
            record["toolUseResult"] = tool_use_result
        return record

    def reject(self, use_id: str, reason: str | None = None) -> dict[str, Any]:
        """The user refused a tool call at Claude Code's permission prompt, with or without typed words."""
        if reason is None:
            record = self.tool_result(use_id, REJECTED, is_error=True, tool_use_result="User rejected tool use")
            self.user([text_block(INTERRUPTED_FOR_TOOL_USE)])
            return record
        return self.tool_result(use_id, REJECTED_WITH_REASON + reason, is_error=True, tool_use_result="User rejected tool use")

    # ------------------------------------------------------------ machinery

    def progress(self, use_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        record = self._base("progress", True, False)
        record.update({"toolUseID": f"bash-progress-{len(self.records)}", "parentToolUseID": use_id,
                       "data": data or {"type": "bash_progress", "output": "", "elapsedTimeSeconds": 2}})
        return self.add(record)

    def system(self, subtype: str, content: str = "", **extra: Any) -> dict[str, Any]:
        record = self._base("system", True, False)
        record.update({"subtype": subtype, "content": content, "level": "info", "isMeta": False}, **extra)
        return self.add(record)

    def compact(self, summary: str) -> dict[str, Any]:
        """Claude Code compacting the conversation: a boundary (a new root) and the summary it goes on from."""
        before = self._last
        boundary = self._base("system", None, False)
        boundary.update({"subtype": "compact_boundary", "content": "Conversation compacted", "level": "info",
                         "logicalParentUuid": before, "compactMetadata": {"trigger": "auto", "preTokens": 155000}})
        self.add(boundary)
        return self.user(
            "This session is being continued from a previous conversation that ran out of context. "
            "The conversation is summarized below:\n" + summary,
            isCompactSummary=True, isVisibleInTranscriptOnly=True,
        )

    def snapshot(self, message_id: str) -> dict[str, Any]:
        return self.add({"type": "file-history-snapshot", "messageId": message_id,
                         "snapshot": {"messageId": message_id, "trackedFileBackups": {}, "timestamp": self._stamp()},
                         "isSnapshotUpdate": False})

    def title(self, kind: str, text: str) -> dict[str, Any]:
        """`summary` (older), `ai-title` or `custom-title` (newer): what Claude Code or the user named the session."""
        if kind == "summary":
            return self.add({"type": "summary", "summary": text, "leafUuid": self._last})
        key = {"ai-title": "aiTitle", "custom-title": "customTitle"}[kind]
        return self.add({"type": kind, key: text, "sessionId": self.session_id})

    # ------------------------------------------------------------ output

    def lines(self) -> list[str]:
        return [json.dumps(r, ensure_ascii=False) for r in self.records]

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.lines()) + "\n", encoding="utf-8")
        return path


def text_block(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def image_block() -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgoAAAANSUhEUg=="}}
