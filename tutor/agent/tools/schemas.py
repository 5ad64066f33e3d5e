"""The five tools as the Messages API sees them (`TOOL_SCHEMAS`), and the check of a call's input against them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .paths import show
from .results import ToolError

TOOL_NAMES = ("read_file", "list_files", "write_file", "edit_file", "run")
# Tools that change the workspace or run code: in live sessions they stop at the gate.
# Reads (`read_file`, `list_files`) may run ungated.
WRITE_TOOLS = frozenset({"write_file", "edit_file", "run"})

TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "name": "read_file",
        "description": (
            "Read a UTF-8 text file of the workspace and return its exact contents. "
            "`path` is relative to the workspace root. Files over 256 KiB are cut (the note says "
            "how much); binary files are not shown."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root, e.g. src/app.py"},
            },
            "required": ["path"],
            "additionalProperties": False,
        },
    },
    {
        "name": "list_files",
        "description": (
            "List files and directories under a workspace directory, recursively, sorted, one "
            "path per line relative to the workspace root; directories end with '/'. Skips .git, "
            "__pycache__, .pytest_cache and node_modules. At most 2,000 entries."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "Directory relative to the workspace root; default '.'"},
            },
            "additionalProperties": False,
        },
    },
    {
        "name": "write_file",
        "description": (
            "Create or overwrite a file with exactly `content` (parent directories are created). "
            "Use edit_file to change part of an existing file. Cannot write inside .git or "
            "through a symlink."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root"},
                "content": {"type": "string", "description": "The complete new contents of the file"},
            },
            "required": ["path", "content"],
            "additionalProperties": False,
        },
    },
    {
        "name": "edit_file",
        "description": (
            "Replace one exact occurrence of `old` with `new` in a file. `old` must match the "
            "file's text exactly (whitespace and indentation included) and occur exactly once; "
            "include surrounding lines to make it unique. Returns a unified diff of the change."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace root"},
                "old": {"type": "string", "description": "Exact text to replace; must occur exactly once"},
                "new": {"type": "string", "description": "Replacement text (may be empty to delete)"},
            },
            "required": ["path", "old", "new"],
            "additionalProperties": False,
        },
    },
    {
        "name": "run",
        "description": (
            "Run a shell command (/bin/sh -c) in the workspace root and return its combined "
            "stdout and stderr and its exit code. No stdin and no terminal: interactive programs "
            "fail. Long output keeps its beginning and end. Commands are killed after the time "
            "limit (120 s by default), along with anything they started in the background."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The shell command, e.g. python -m pytest -q"},
            },
            "required": ["command"],
            "additionalProperties": False,
        },
    },
]


def check_input(tool: object, input: object) -> tuple[str, dict[str, str]]:  # noqa: A002 - the API's word
    """`tool` and `input` if they fit a schema (known tool, an object of string fields, required ones present); else `ToolError`."""
    if tool not in TOOL_NAMES:
        raise ToolError(f"unknown tool {tool!r}; the tools are {', '.join(TOOL_NAMES)}")
    assert isinstance(tool, str)
    if not isinstance(input, Mapping):
        raise ToolError(f"{tool}: input must be an object, not {type(input).__name__}")
    schema = next(s for s in TOOL_SCHEMAS if s["name"] == tool)["input_schema"]
    properties: dict[str, Any] = schema["properties"]
    for name in schema.get("required", ()):
        if name not in input:
            raise ToolError(f"{tool}: missing required field {name!r}")
    for name, value in input.items():
        if name not in properties:
            raise ToolError(f"{tool}: unexpected field {show(str(name))!r}; expected {', '.join(properties)}")
        if not isinstance(value, str):
            raise ToolError(f"{tool}: field {name!r} must be a string, not {type(value).__name__}")
    return tool, dict(input)

