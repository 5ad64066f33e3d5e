"""The tools an agent may call (`read_file`, `list_files`, `write_file`, `edit_file`, `run`), confined to one workspace.

`Tools(root).execute(name, input)` runs one tool call and always returns a `ToolResult`;
it never raises for anything the model can send. One module per concern:

- `schemas`: `TOOL_SCHEMAS` (the Messages API definitions), `TOOL_NAMES`, `WRITE_TOOLS`
  (the ones that stop at the gate in a live session; reads may run ungated), and the
  check of a call's input;
- `paths`: the one path confinement (checked by text, then walked openat-style from the
  root without letting the kernel follow a symlink; nothing leads outside the root or
  into `.git`);
- `files`: the four file tools, on the descriptors of that walk (capped reads, atomic
  writes, one-occurrence edits with a diff);
- `commands`: `run` (a process group of its own, output captured and capped, killed on
  timeout or cancel; bubblewrap when there is a sandbox);
- `environment`: a command's environment (an allowlist, never a secret name:
  `tutor.redaction.names.kept_out_of_commands`, quiet defaults);
- `toolbox`: `Tools`, which binds them to a root and redacts every result;
- `results`: `ToolResult` (with `touched`: the files a call changed, resolved through
  symlinks, for the snapshot after it; None for a command, which may change anything),
  `ToolError`.
"""

from __future__ import annotations

from .commands import DEFAULT_OUTPUT_CAP, DEFAULT_TIMEOUT
from .environment import command_environment, safe_environment
from .files import EDIT_CAP, LIST_CAP, READ_CAP, SKIP_DIRS
from .results import ToolError, ToolResult, one_line
from .schemas import TOOL_NAMES, TOOL_SCHEMAS, WRITE_TOOLS
from .toolbox import Tools

__all__ = [
    "DEFAULT_OUTPUT_CAP",
    "DEFAULT_TIMEOUT",
    "EDIT_CAP",
    "LIST_CAP",
    "READ_CAP",
    "SKIP_DIRS",
    "TOOL_NAMES",
    "TOOL_SCHEMAS",
    "WRITE_TOOLS",
    "ToolError",
    "ToolResult",
    "Tools",
    "command_environment",
    "one_line",
    "safe_environment",
]
