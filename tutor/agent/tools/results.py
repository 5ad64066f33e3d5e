"""What a tool call returns (`ToolResult`) and how a refused call says why (`ToolError`, one line)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ToolResult:
    """What one tool call produced.

    `output` is the payload (file contents, listing, diff, command output), already capped
    and redacted; `error` a one-line tool error (bad path, no match, timeout, ...). `text`
    renders both (and a command's exit code) the way the model should see them.
    """

    ok: bool  # False for a tool error, a non-zero exit, a timeout or a cancel
    output: str
    exit_code: int | None = None  # for `run`, when the command exited by itself
    error: str | None = None
    truncated: bool = False
    timed_out: bool = False
    cancelled: bool = False
    # The files the call may have changed, '/'-separated from the root (what a snapshot
    # needs to update); None: it may have changed anything (a command). Never shown, and
    # not part of what a result is (two results saying the same are equal).
    touched: tuple[str, ...] | None = field(default=None, compare=False)
    # The whole file an edit wrote, for the session's redactor to learn from before the diff
    # (which shows only part of it) is redacted; dropped then (`Tools._redacted`).
    written: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The tool result as sent back to the model."""
        parts = [self.output] if self.output else []
        if self.exit_code is not None:
            parts.append(f"[exit code {self.exit_code}]")
        if self.error:
            parts.append(f"error: {self.error}")
        return "\n".join(parts) if parts else "(no output)"

    @classmethod
    def failure(cls, error: str) -> ToolResult:
        return cls(ok=False, output="", error=one_line(error))


class ToolError(Exception):
    """Bad tool input (a refused path, no match, ...); `Tools.execute` turns it into a failed `ToolResult`."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str, limit: int = 500) -> str:
    line = " ".join(str(text).split()) or "tool failed"
    return line if len(line) <= limit else line[: limit - 1] + "…"
