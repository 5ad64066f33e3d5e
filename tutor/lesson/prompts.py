"""The default question of each ask type: one wording, wherever an ask is made without one.

Lessons written by hand (`tutor.lesson.models`), recorded live (`tutor record`), drafted from a
session's journal or imported from Claude Code all pose the same question for the same kind of
ask. An intervene ask stands on a proposal that may be a command or a file edit, so it asks about
what the agent is about to *do*; an outcome ask names the command when it is short enough to read.
"""

from __future__ import annotations

__all__ = ["DEFAULT_PROMPTS", "GOAL_PROMPT", "GOAL_RUBRIC", "INTERVENE_PROMPT", "OUTCOME_PROMPT", "outcome_prompt"]

GOAL_PROMPT = "What goal would you give the agent?"
OUTCOME_PROMPT = "Will it work?"
INTERVENE_PROMPT = "The agent is about to do this. Would you let it?"
# What a learner checks their own goal against, where a drafted goal ask has no rubric of its own.
GOAL_RUBRIC = ("says how we will know it is done", "bounds the scope", "names the concrete thing to change")
DEFAULT_PROMPTS = {"goal": GOAL_PROMPT, "outcome": OUTCOME_PROMPT, "intervene": INTERVENE_PROMPT, "choice": ""}

_NAMED_COMMAND_LIMIT = 80  # longer commands are not repeated in the question


def outcome_prompt(command: object = None) -> str:
    """`Will `cmd` succeed?` for a short one-line command, else the plain outcome question."""
    if isinstance(command, str) and command.strip() and len(command) < _NAMED_COMMAND_LIMIT and "\n" not in command and "`" not in command:
        return f"Will `{command.strip()}` succeed?"
    return OUTCOME_PROMPT
