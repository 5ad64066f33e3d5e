"""What of each Claude Code record the importer keeps: the keys the pipeline reads, the rest dropped as it is read.

A long session is mostly machinery: hook and bash `progress` records, the file as it was
around each edit, usage counts, base64 images. Kept (when present), each under the same
key as in Claude Code's record:

- every record: `type, subtype, uuid, parentUuid, logicalParentUuid, isSidechain, isMeta,
  isCompactSummary, isVisibleInTranscriptOnly, isApiErrorMessage, sessionId, agentId, cwd,
  gitBranch, version, timestamp, message, toolUseResult, toolDenialKind, content (system
  and queue-operation records, cut at `MAX_KEPT_CHARS`), attachment, summary, leafUuid,
  aiTitle, customTitle, origin, promptSource, error, toolUseID, parentToolUseID`;
- `message`: `id, type, role, model, content, stop_reason`; in its content blocks, images
  and documents lose their base64 `data` (the importer only counts them), `thinking` is cut
  at `MAX_KEPT_CHARS` and loses its signature, `redacted_thinking` keeps only its type;
- `toolUseResult`: a string cut at `MAX_KEPT_CHARS`, or of a dict only `agentId, interrupted,
  isImage, returnCodeInterpretation, filePath, type, originalFile, content` (a string: the
  file a Write wrote), `userModified, status, prompt, totalToolUseCount, commandName,
  backgroundTaskId, stdout, stderr` (those two cut at `MAX_KEPT_CHARS`), and Edit's
  `oldString, newString` when `userModified` (the senior changed the edit: what was written is
  theirs; otherwise the call's input has them). `structuredPatch` and Read's `file` are dropped;
- `attachment`: whole for the kinds the importer reads (queued prompts, hook errors, IDE
  context, background task status; strings cut at `MAX_KEPT_CHARS`), else its scalar fields;
- `progress` records (most of a long session's lines): `type, uuid, parentUuid, isSidechain,
  sessionId, timestamp`; an `agent_progress` one also `toolUseID, parentToolUseID, agentId`
  and of `data` its `type, agentId` and the subagent's record it carries (`data.message`,
  slimmed the same way). Hook and bash progress say nothing the importer shows;
- `file-history-snapshot` records: `type, messageId, isSnapshotUpdate`, and of `snapshot` its
  `messageId, timestamp, trackedFileBackups` (names of backups, no contents).

Strings that repeat in every record (the working folder, the session id, the version,
the branch, the model) are kept once.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["MAX_KEPT_CHARS", "KeptKeys", "Slimmer"]

MAX_KEPT_CHARS = 64 * 1024

_PLAIN = {key: key for key in (
    "type", "subtype", "uuid", "parentUuid", "logicalParentUuid", "isSidechain", "isMeta", "isCompactSummary",
    "isVisibleInTranscriptOnly", "isApiErrorMessage", "sessionId", "agentId", "cwd", "gitBranch", "version", "timestamp",
    "toolDenialKind", "summary", "leafUuid", "aiTitle", "customTitle", "origin", "promptSource", "error", "toolUseID",
    "parentToolUseID",
)}
_SHARED = frozenset(("type", "subtype", "sessionId", "cwd", "gitBranch", "version", "agentId"))
_MESSAGE_KEYS = ("id", "type", "role", "model", "content", "stop_reason")
_RESULT_KEYS = (
    "agentId", "interrupted", "isImage", "returnCodeInterpretation", "filePath", "type", "originalFile", "userModified",
    "status", "prompt", "totalToolUseCount", "commandName", "backgroundTaskId",
)
_PROGRESS_KEYS = ("type", "uuid", "parentUuid", "isSidechain", "sessionId", "timestamp")
_PROGRESS_DATA_KEYS = ("type", "agentId")
_ATTACHMENTS_READ = frozenset((
    "queued_command", "hook_blocking_error", "hook_stopped_continuation", "opened_file_in_ide", "selected_lines_in_ide",
    "task_status",
))
_MEDIA = frozenset(("image", "document"))
# Every key of a record that `Slimmer.record` reads, whatever the record's type: a decoder of this type (msgspec's)
# skips the others as it parses, so they are never made into Python objects; the slimming after is the same.
_READ_KEYS = (*_PLAIN, "message", "toolUseResult", "content", "attachment", "data", "snapshot", "messageId", "isSnapshotUpdate")
KeptKeys = TypedDict("KeptKeys", dict.fromkeys(_READ_KEYS, Any), total=False)  # type: ignore[misc]
_SMALL = 1024  # a scalar kept of what is otherwise dropped


def _cut(value: Any) -> Any:
    return value[:MAX_KEPT_CHARS] if isinstance(value, str) and len(value) > MAX_KEPT_CHARS else value


def _small(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= _SMALL)


class Slimmer:
    """Slims the records of one reading (see the module docstring); repeated strings are shared across them."""

    def __init__(self) -> None:
        self._shared: dict[str, str] = {}

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        kind = record.get("type")
        if kind == "progress":
            return self._progress(record)
        if kind == "file-history-snapshot":
            return self._snapshot(record)
        out: dict[str, Any] = {}
        shared = self._shared
        for key, value in record.items():
            kept = _PLAIN.get(key)  # the same key object for every record: one copy of each key
            if kept is not None:
                if kept in _SHARED and type(value) is str:
                    value = shared.setdefault(value, value)
                out[kept] = value
        if "message" in record:
            out["message"] = self._message(record["message"])
        if "toolUseResult" in record:
            out["toolUseResult"] = self._tool_use_result(record["toolUseResult"])
        if "content" in record:
            out["content"] = _cut(record["content"])
        if "attachment" in record:
            out["attachment"] = self._attachment(record["attachment"])
        return out

    # ------------------------------------------------------------ parts

    def _share(self, value: Any) -> Any:
        return self._shared.setdefault(value, value) if type(value) is str else value

    def _message(self, message: Any) -> Any:
        if not isinstance(message, dict):
            return message
        out: dict[str, Any] = {}
        for key in _MESSAGE_KEYS:
            if key in message:
                value = message[key]
                out[key] = self._share(value) if key in ("type", "role", "model") else value
        content = out.get("content")
        if isinstance(content, list):
            out["content"] = [self._block(block) for block in content]
        return out

    def _block(self, block: Any) -> Any:
        if not isinstance(block, dict):
            return block
        kind = block.get("type")
        if not isinstance(kind, str):
            return block
        if kind in _MEDIA:
            source = block.get("source")
            if isinstance(source, dict) and "data" in source:
                return {**block, "source": {k: v for k, v in source.items() if k != "data"}}
            return block
        if kind == "thinking":
            return {"type": "thinking", "thinking": _cut(block.get("thinking", ""))}
        if kind == "redacted_thinking":
            return {"type": "redacted_thinking"}
        if kind == "tool_result" and isinstance(block.get("content"), list):
            return {**block, "content": [self._block(part) for part in block["content"]]}
        return block

    def _tool_use_result(self, result: Any) -> Any:
        if isinstance(result, str):
            return _cut(result)
        if not isinstance(result, dict):
            return None if isinstance(result, list) else result  # a list repeats the tool_result's content blocks
        out = {key: result[key] for key in _RESULT_KEYS if key in result}
        for key in ("stdout", "stderr"):
            if key in result:
                out[key] = _cut(result[key])
        if isinstance(result.get("content"), str):
            out["content"] = result["content"]  # the file a Write wrote
        if result.get("userModified") is True:  # the senior changed the edit before accepting it: what was written is theirs
            for key in ("oldString", "newString"):
                if key in result:
                    out[key] = result[key]
        return out

    def _attachment(self, attachment: Any) -> Any:
        if not isinstance(attachment, dict):
            return attachment
        kind = attachment.get("type")
        if isinstance(kind, str) and kind in _ATTACHMENTS_READ:
            out = {}
            for key, value in attachment.items():
                if isinstance(value, list):
                    value = [self._block(part) for part in value]
                out[key] = _cut(value)
            return out
        return {key: value for key, value in attachment.items() if _small(value)}

    def _progress(self, record: dict[str, Any]) -> dict[str, Any]:
        out = {key: record[key] for key in _PROGRESS_KEYS if key in record}
        if "sessionId" in out:
            out["sessionId"] = self._share(out["sessionId"])
        data = record.get("data")
        if isinstance(data, dict) and data.get("type") == "agent_progress":  # a subagent's record, tied to its Task call
            kept = {key: self._share(data[key]) for key in _PROGRESS_DATA_KEYS if key in data and _small(data[key])}
            inner = data.get("message")
            if isinstance(inner, dict):
                kept["message"] = self.record(inner)
            out["data"] = kept
            for key in ("toolUseID", "parentToolUseID", "agentId"):
                if key in record:
                    out[key] = record[key]
        return out

    def _snapshot(self, record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {key: record[key] for key in ("type", "messageId", "isSnapshotUpdate") if key in record}
        snapshot = record.get("snapshot")
        if isinstance(snapshot, dict):
            out["snapshot"] = {key: snapshot[key] for key in ("messageId", "timestamp", "trackedFileBackups") if key in snapshot}
        return out
