"""A transparent lint for a learner's goal: does it say when it is done, bound the scope, name something concrete?

Every check is a short list of cues the learner can read in the hint, not a model's
opinion: the point is to teach the habit, and a habit needs a rule you can see.
"""

from __future__ import annotations

import re

import msgspec

_DONE_CUES = re.compile(
    r"\b(tests? (pass|passes|passing|succeed|run)|pass(es|ing)?|fail(s|ing)?|green|until|done when|verif(y|ied)|confirm|check(ed)?|assert|expect(ed)?|"
    r"reproduc(e|es|ed|ing)|exit code|returns?|should (print|show|return|output)|measur(e|ed)|benchmark|succeed(s)?|"
    r"works? when|so that|ci|no (errors?|warnings?)|output)\b",
    re.IGNORECASE,
)
_SCOPE_CUES = re.compile(
    r"\b(only|just|don'?t|do not|must not|never|without|leave|keep|limit(ed)?( to)?|no other|nothing else|"
    r"not (change|touch|modify|edit|refactor|add)|avoid|scope|minimal|smallest|single|one (file|function|change)|within)\b",
    re.IGNORECASE,
)
_CONCRETE_CUES = re.compile(
    r"`[^`]+`|\b[\w-]+/[\w./-]+|\b\w+\.(py|js|ts|go|rs|md|toml|json|ya?ml|cfg|txt|sh)\b|\b\w+\(\)|\b[a-z]+_[a-z_]+\b|"
    r"\b[A-Z][a-z]+[A-Z]\w*\b|\b(?i:error|exception|traceback|line \d+|issue #?\d+)\b",
)


class LintCheck(msgspec.Struct, frozen=True):
    name: str
    passed: bool
    hint: str


def lint_goal(text: str) -> tuple[LintCheck, ...]:
    words = len(text.split())
    return (
        LintCheck(
            "done",
            bool(_DONE_CUES.search(text)),
            "Says how we will know it is done (a test that passes, a command's output, a check)."
            if _DONE_CUES.search(text)
            else "Say how you will know it is done: which test passes, what command shows it, what to check.",
        ),
        LintCheck(
            "scope",
            bool(_SCOPE_CUES.search(text)),
            "Bounds the scope (what to leave alone)."
            if _SCOPE_CUES.search(text)
            else "Bound the scope: say what the agent must not touch, or that the change should be minimal.",
        ),
        LintCheck(
            "concrete",
            bool(_CONCRETE_CUES.search(text)) and words >= 6,
            "Names something concrete (a file, function, command or error)."
            if _CONCRETE_CUES.search(text) and words >= 6
            else "Name something concrete: the file, function, failing command or error message.",
        ),
    )
