"""Recording live sessions: journal -> lesson, session review trajectories, importers.

Modules:

- `tutor.record.journal`, `tutor.record.session_lesson`, `tutor.record.session_trajectory`:
  a live session's journal, the lesson made of it, the trajectory a review replays.
- `tutor.record.claude_code`: the Claude Code transcript importer.
- `tutor.record.redact`: the old import path of `tutor.redaction` (`Redactor`, which
  removes secrets from every string, file and JSON journal entry before it is stored);
  redaction is a package of its own below the agent, which asks it which names are secret.
"""
