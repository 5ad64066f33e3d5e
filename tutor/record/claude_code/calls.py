"""Mapping Claude Code's tool calls and results onto a lesson's agent steps: paths made relative, inputs and outputs capped."""

from __future__ import annotations

import json
import re
from typing import Any

from tutor.agent.records import JsonObject

from .common import _EXIT_CODE, _READ_LINE, MAX_INPUT_CHARS, MAX_INPUT_DEPTH, MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES


def _relative(path: object, cwd: str) -> str:
    text = str(path or "")
    if cwd and text.startswith(cwd.rstrip("/") + "/"):
        return text[len(cwd.rstrip("/")) + 1 :]
    return text


def _cap_text(value: str, limit: int = MAX_INPUT_CHARS) -> tuple[str, bool]:
    if len(value) <= limit:
        return value, False
    return value[:limit] + f"\n[... {len(value) - limit} more characters cut by the importer]", True


def _cap_obj(value: object, state: dict[str, int], depth: int = 1) -> object:
    """A tool input, strings capped; what nests deeper than `MAX_INPUT_DEPTH` is kept as its JSON text.

    A lesson nests at most 24 levels (`tutor validate`), and a call's input already sits
    6 deep: a tool input nested 30 levels must not make the whole draft invalid.
    """
    if isinstance(value, str):
        capped, cut = _cap_text(value)
        state["cut"] += cut
        return capped
    if isinstance(value, (dict, list)) and depth > MAX_INPUT_DEPTH:
        state["flattened"] += 1
        capped, cut = _cap_text(json.dumps(value, ensure_ascii=False))
        state["cut"] += cut
        return capped
    if isinstance(value, dict):
        return {str(k): _cap_obj(v, state, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_cap_obj(v, state, depth + 1) for v in value[:500]]
    return value


def _map_call(block: JsonObject, call_id: str, cwd: str, state: dict[str, int]) -> dict[str, Any]:
    name = str(block.get("name") or "tool")[:200] or "tool"
    given = block.get("input")
    data: JsonObject = given if isinstance(given, dict) else {}
    tool = name
    mapped: JsonObject | None = None
    if name == "Bash":
        tool, mapped = "run", {"command": str(data.get("command", ""))}
        for extra in ("description", "run_in_background", "timeout"):
            if extra in data:
                mapped[extra] = data[extra]
    elif name == "Read":
        tool, mapped = "read_file", {"path": _relative(data.get("file_path"), cwd)}
        for extra in ("offset", "limit"):
            if extra in data:
                mapped[extra] = data[extra]
    elif name == "Write":
        tool, mapped = "write_file", {"path": _relative(data.get("file_path"), cwd), "content": str(data.get("content", ""))}
    elif name == "Edit":
        tool, mapped = "edit_file", {"path": _relative(data.get("file_path"), cwd), "old": str(data.get("old_string", "")), "new": str(data.get("new_string", ""))}
        if data.get("replace_all"):
            mapped["replace_all"] = True
    elif name == "MultiEdit":
        given_edits = data.get("edits")
        edits = [e for e in given_edits if isinstance(e, dict)] if isinstance(given_edits, list) else []
        joiner = "\n...\n"
        tool, mapped = "edit_file", {
            "path": _relative(data.get("file_path"), cwd),
            "old": joiner.join(str(e.get("old_string", "")) for e in edits),
            "new": joiner.join(str(e.get("new_string", "")) for e in edits),
        }
        if len(edits) > 1:
            mapped["edits"] = len(edits)
    elif name in ("Glob", "Grep", "LS"):
        tool = "list_files"
        mapped = {"path": _relative(data.get("path"), cwd) or "."}
        for extra in ("pattern", "glob", "output_mode", "ignore"):
            if extra in data:
                mapped[extra] = data[extra]
        mapped["via"] = name
    if mapped is None:
        mapped = dict(data)
    return {"id": call_id, "tool": tool, "input": _cap_obj(mapped, state)}


def _cap_output(text: str, state: dict[str, int]) -> str:
    lines = text.splitlines()
    cut_lines = len(lines) > MAX_OUTPUT_LINES
    if cut_lines:
        text = "\n".join(lines[:MAX_OUTPUT_LINES])
    encoded = text.encode("utf-8")
    cut_bytes = len(encoded) > MAX_OUTPUT_BYTES
    if cut_bytes:
        text = encoded[:MAX_OUTPUT_BYTES].decode("utf-8", "ignore")
        text = text[: text.rfind("\n")] if "\n" in text else text
    if cut_lines or cut_bytes:
        state["outputs_cut"] += 1
        text += f"\n[... output cut by the importer: it had {len(lines)} lines, {len(encoded)} bytes]"
    return text


def _result_output(block: dict[str, Any], call: dict[str, Any]) -> tuple[str, int | None]:
    content = str(block.get("content") or "")
    content = re.sub(r"^<tool_use_error>(.*)</tool_use_error>$", r"\1", content, flags=re.S)
    exit_code: int | None = None
    if call.get("name") == "Bash":
        match = _EXIT_CODE.match(content)
        given_extra = block.get("extra")
        extra: JsonObject = given_extra if isinstance(given_extra, dict) else {}
        if match:
            exit_code = int(match.group(1))
        elif not block.get("is_error") and not extra.get("backgroundTaskId") and not extra.get("interrupted"):
            exit_code = 0
    elif call.get("name") == "Read" and content:
        lines = content.splitlines()
        if all(_READ_LINE.match(line) for line in lines[:50]):
            content = "\n".join(_READ_LINE.sub("", line, count=1) for line in lines)
    return content, exit_code


def _describe_read_only(call: dict[str, Any], mapped: dict[str, Any], result: dict[str, Any] | None) -> str:
    name = call.get("name")
    data = mapped["input"]
    if name == "Read":
        what = f"read `{data.get('path')}`"
    elif name == "Grep":
        what = f"searched for `{data.get('pattern', '')}` in `{data.get('path', '.')}`"
    elif name == "Glob":
        what = f"listed `{data.get('pattern', '')}`" + (f" in `{data['path']}`" if data.get("path") not in (None, ".") else "")
    else:
        what = f"{name} `{data.get('path', '.')}`"
    if result is None:
        return what + " (no result recorded)"
    content = str(result.get("content") or "")
    if result.get("is_error"):
        first = content.replace("<tool_use_error>", "").replace("</tool_use_error>", "").strip().splitlines()
        return what + f" (failed: {first[0][:120] if first else 'error'})"
    count = len([line for line in content.splitlines() if line.strip()])
    unit = "lines" if name == "Read" else ("matches" if name == "Grep" else "entries")
    return what + f" ({count} {unit})"
