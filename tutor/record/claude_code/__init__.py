"""A Claude Code session transcript (JSONL), turned into a lesson draft (`origin: imported`).

Claude Code writes one JSON record a line: `user` and `assistant` messages, plus
`progress`, `system`, `summary`, `file-history-snapshot`, `queue-operation` and hook
records that are machinery, not conversation. What becomes a step:

- the first real user prompt is the `goal` (with a goal ask); later real prompts are
  `prompt` steps. The task and the title name the project, the branch and the day rather
  than quote that prompt: it is the answer to the goal ask. Tool results, meta records (`isMeta`: skill bodies, command caveats),
  slash-command echoes and the compaction summary are not prompts;
- an assistant message is streamed as several records sharing `message.id` (one content
  block each): they are grouped into one `agent` step, its text blocks joined, its
  `tool_use` blocks its calls. Tools map onto Tutor's where they mean the same thing
  (Bash -> run, Read -> read_file, Write -> write_file, Edit/MultiEdit -> edit_file,
  Glob/Grep/LS -> list_files, with the pattern kept in the input); others (Task,
  TodoWrite, WebFetch, MCP tools...) keep their own name;
- each `tool_result` becomes a `result` step right after the agent step of its call
  (paired by `tool_use_id`), output capped;
- runs of read-only calls (reads, lists, searches) are collapsed into one agent step and
  one note, so a long session stays a lesson someone can get through;
- subagent (`isSidechain`) records are left out, with a note where they were;
- "[Request interrupted by user]" becomes a note: the senior stopped the agent there.

Every string is redacted (`Redactor.from_environment()`) before it reaches the lesson.
Bad input never raises a traceback: a corrupt line is skipped with a note, and a file
that is not a transcript raises `ClaudeCodeImportError` with one line for the user.

Modules: `reading` (the JSONL, streamed and bounded, into events), `calls` (tool calls
and results as agent steps), `lesson` (steps, asks placed, the lesson checked and
written), `common` (limits, record kinds, errors).
"""


from __future__ import annotations

from .common import ClaudeCodeImportError, ImportResult
from .lesson import import_claude_code, write_imported_lesson

__all__ = ["ClaudeCodeImportError", "ImportResult", "import_claude_code", "write_imported_lesson"]
