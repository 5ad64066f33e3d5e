"""A Claude Code session transcript (JSONL), turned into a lesson draft (`origin: imported`).

Seniors steer Claude Code every day; the importer keeps that steering as steering. The
pipeline, one module per job (`lesson.import_claude_code` runs it):

- `reading`: the file, checked and bounded, into Claude Code's own record dicts (UTF-8 or
  UTF-16, JSON lines or pretty-printed, NaN and lone surrogates made harmless; records
  slimmed as they are read, so memory stays near the file's size); `json_values`,
  `slimming` are its parts.
- `sessions`: a file holding several sessions one after another is split, and one chosen
  (`--session`); `thread`: the conversation as it finally stood, following `parentUuid`
  from the last message, with a `tutor-rewind` marker where the senior rewound.
- `machinery` (with `wrappers`): the senior's words told apart from what Claude Code
  injected: slash commands (a command that asks for work is a prompt), IDE context,
  reminders, hooks, background-task notifications, compaction summaries, interruptions,
  API errors.
- `conversation` and `pairing`: records into events; each call paired with its result
  (repeated ids kept apart), refusals at the permission prompt marked with the user's words.
- `calls`: Claude Code's tools mapped onto Tutor's (`run`, `read_file`, `write_file`,
  `edit_file`, `list_files`), outputs cleaned and capped; bookkeeping tools as notes.
- `steps`: events into lesson steps. The first prompt is the goal; a refusal or an
  interruption answered with words is the senior's `correction`; read-only runs collapse;
  a subagent's work (`subagents`, `subagent_account`) is a note with collapsible details
  where its Task call stands.
- `code_changes`: the session's writes and edits replayed into commits, bundled as
  `repo.bundle`, so a learner sees each edit's diff in investigate.
- `asks` (with `categories`, `commands`): asks placed where the steering was: intervene
  asks on corrections, outcome asks balanced between failing and passing commands.
- `draft` (with `home_paths`, `sizes`): the title (the session's own), an id that neither
  collides nor names the user, the task as the situation (never the senior's first words,
  which answer the goal ask), paths made relative, every field within `tutor validate`'s
  limits, everything redacted; `write_draft` validates and writes.

Bad input never raises a traceback: a damaged line is skipped with a note, and a file that
is not a session's transcript (or is a subagent's) raises `ClaudeCodeImportError` with one
line for the user. `common` holds what the modules share. See docs/claude-code-import.md.
"""


from __future__ import annotations

from .common import ClaudeCodeImportError, ImportResult
from .lesson import import_claude_code, write_imported_lesson

__all__ = ["ClaudeCodeImportError", "ImportResult", "import_claude_code", "write_imported_lesson"]
