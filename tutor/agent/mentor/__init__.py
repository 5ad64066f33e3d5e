"""The mentor: short Socratic comments on a learner's goal contract and on their corrections.

Two mentors give the same `MentorComment`:

- `RuleMentor`: offline, pure and synchronous. Built on `tutor.learn.goal_lint` (the same
  transparent cues the goal lint shows) plus a few checks of its own. Always available.
- `ClaudeMentor`: asks Claude (non-streaming, one forced `mentor_feedback` tool call for
  structured output). It never raises: when the request fails or the reply is malformed it
  returns the `RuleMentor`'s comment, with `notice` saying in one line why.

Which to use: `mentor_for()` returns a `ClaudeMentor` when credentials are configured (or
`online=True`), else `None`, meaning "use `RuleMentor()`"::

    mentor = mentor_for()
    comment = await mentor.on_goal(goal, task) if mentor else RuleMentor().on_goal(goal, task)

What the mentor sees: exactly the strings its caller passes, nothing else (it has no access
to the lesson, the journal or the workspace). The caller is responsible for passing only
what the learner may already see: in a replay lesson, only the task, the steps revealed so
far and the learner's committed answer, never a hidden step, the senior's goal, category or
annotation. The method signatures take only those inputs on purpose.

Everything a mentor receives or returns may be shown and journaled: it is plain text (no
markup is produced; control characters are dropped and whitespace is collapsed).
`comment.label` names the source, and the rule-based fallback is always labelled as such.

`anthropic` is imported only lazily (inside functions), so importing this module is cheap.

Modules: `comment` (`MentorComment`, the limits, plain text), `rules` (`RuleMentor`),
`claude` (`ClaudeMentor`, `parse_reply`, `mentor_for`).
"""

from __future__ import annotations

from .claude import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TIMEOUT,
    MENTOR_TOOL,
    SYSTEM,
    TOOL_NAME,
    ClaudeMentor,
    MalformedReply,
    mentor_for,
    parse_reply,
)
from .comment import (
    MAX_INPUT_CHARS,
    MAX_MISSING,
    MAX_MISSING_CHARS,
    MAX_NOTICE_CHARS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_SUMMARY_CHARS,
    About,
    MentorComment,
    Source,
)
from .rules import (
    _CATEGORY_QUESTION as _CATEGORY_QUESTION,  # the rules' question per category (tests read it)
    MISSING_CATEGORY,
    MISSING_CONCRETE,
    MISSING_DONE,
    MISSING_FIT,
    MISSING_INSTEAD,
    MISSING_MESSAGE,
    MISSING_SCOPE,
    MISSING_SPECIFIC,
    RuleMentor,
)

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_TIMEOUT",
    "MAX_INPUT_CHARS",
    "MAX_MISSING",
    "MAX_MISSING_CHARS",
    "MAX_NOTICE_CHARS",
    "MAX_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "MAX_SUMMARY_CHARS",
    "MENTOR_TOOL",
    "MISSING_CATEGORY",
    "MISSING_CONCRETE",
    "MISSING_DONE",
    "MISSING_FIT",
    "MISSING_INSTEAD",
    "MISSING_MESSAGE",
    "MISSING_SCOPE",
    "MISSING_SPECIFIC",
    "SYSTEM",
    "TOOL_NAME",
    "About",
    "ClaudeMentor",
    "MalformedReply",
    "MentorComment",
    "RuleMentor",
    "Source",
    "mentor_for",
    "parse_reply",
]
