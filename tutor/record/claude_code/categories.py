"""Guessing a correction's category from the senior's own words, and the near categories a learner may name too.

A transcript never says why the senior rejected a call: the category of a correction made
from a rejection is a guess from their words ("don't touch the other files" reads as scope,
"run the tests first" as verify). A guess must never make a right answer wrong, so every
category the words also point to, and the categories next to the guess in meaning, are
accepted as well; words that point nowhere (or no words at all) accept every category.
"""

from __future__ import annotations

import re

from tutor.lesson.taxonomy import Category

_MAX_TEXT = 4000  # the reason for a rejection is short: a long paste is read this far

# Phrases, matched as whole words (case-insensitive), each pointing to a category.
_CUES: dict[Category, tuple[str, ...]] = {
    Category.STOP: (
        "stop", "revert", "undo", "roll back", "rollback", "go back", "put it back", "abort", "halt", "cancel",
        "don't do anything", "do nothing", "hold on", "wait", "git reset", "git checkout", "restore", "back out",
    ),
    Category.SAFETY: (
        "dangerous", "destructive", "delete", "deleting", "rm -rf", "force push", "force-push", "--force", "secret",
        "secrets", "password", "passwords", "credential", "credentials", "token", "tokens", "api key", "private key",
        "production", "prod", "security", "insecure", "vulnerab\\w*", "sudo", "drop table", "wipe", "permissions",
        "chmod", "injection", "unsafe", "careful", "data loss", "\\.env",
    ),
    Category.TEST: (
        "test", "tests", "testing", "unit test", "spec", "specs", "coverage", "assert", "assertion", "mock", "mocks",
        "fixture", "fixtures", "xfail", "skip the test", "pytest", "jest", "vitest", "tdd", "red green",
    ),
    Category.VERIFY: (
        "run it", "run the", "verify", "check", "checked", "make sure", "prove", "reproduce", "repro", "measure",
        "benchmark", "did you try", "confirm", "evidence", "logs", "look at the output", "try it", "show me",
        "how do you know", "are you sure", "double check", "double-check", "first check", "before you",
    ),
    Category.FACT: (
        "doesn't exist", "does not exist", "no such", "not a real", "hallucinat\\w*", "there is no", "there's no",
        "deprecated", "wrong version", "that's not how", "not how it works", "documentation", "made up",
        "invented", "no longer", "isn't a", "is not a", "not available", "removed in", "the docs say", "read the docs",
        "check the docs", "according to the docs", "no such method", "no such flag", "not a thing",
    ),
    Category.CORRECTNESS: (
        "bug", "buggy", "wrong", "broken", "breaks", "incorrect", "crash", "crashes", "off by one", "off-by-one",
        "doesn't work", "does not work", "won't work", "fails", "failing", "typo", "edge case", "edge cases", "null",
        "race", "leak", "infinite", "error", "mistake", "not right",
    ),
    Category.SCOPE: (
        "only", "just", "don't touch", "do not touch", "leave", "unrelated", "out of scope", "too much", "not needed",
        "don't need", "no need", "unnecessary", "keep it simple", "don't change", "do not change", "don't add",
        "do not add", "focus", "not now", "later", "separate", "scope", "minimal", "smaller", "too many", "overkill",
    ),
    Category.APPROACH: (
        "instead", "approach", "design", "rather", "better way", "simpler", "refactor", "architecture", "don't use",
        "do not use", "why not", "pattern", "library", "use the", "should use", "shouldn't", "should not",
        "better to", "prefer", "another way", "different way", "over-engineer\\w*", "plan",
    ),
    Category.STYLE: (
        "naming", "name", "rename", "convention", "conventions", "format", "formatting", "lint", "style",
        "indent\\w*", "comment", "comments", "docstring", "camelcase", "snake_case", "prettier", "consistent",
        "readable", "emoji\\w*", "keep the name", "typing", "type hints",
    ),
    Category.GOAL: (
        "i want", "i meant", "i asked", "not what i", "that's not what", "the goal", "what i need", "misunderstood",
        "the point is", "we need", "i need", "i wanted", "the task", "the idea is", "i was asking", "actually",
    ),
}
_PATTERNS = {
    category: re.compile(r"(?<![\w-])(?:" + "|".join(cue.replace(" ", r"\s+").replace("'", "['’]") for cue in cues) + r")(?![\w-])", re.I)
    for category, cues in _CUES.items()
}
# When the words point to several categories equally, the one that weighs more for the learner wins.
_PRIORITY = (Category.SAFETY, Category.STOP, Category.TEST, Category.FACT, Category.VERIFY, Category.CORRECTNESS,
             Category.SCOPE, Category.STYLE, Category.GOAL, Category.APPROACH)
# Categories close enough in meaning that a learner naming one for the other has read the moment right.
_NEAR: dict[Category, tuple[Category, ...]] = {
    Category.GOAL: (Category.SCOPE, Category.APPROACH),
    Category.SCOPE: (Category.GOAL, Category.APPROACH),
    Category.APPROACH: (Category.GOAL, Category.SCOPE, Category.CORRECTNESS),
    Category.VERIFY: (Category.TEST, Category.CORRECTNESS),
    Category.TEST: (Category.VERIFY, Category.CORRECTNESS),
    Category.CORRECTNESS: (Category.APPROACH, Category.TEST, Category.VERIFY),
    Category.FACT: (Category.CORRECTNESS, Category.APPROACH),
    Category.SAFETY: (Category.STOP, Category.SCOPE),
    Category.STOP: (Category.SAFETY, Category.GOAL, Category.SCOPE),
    Category.STYLE: (Category.APPROACH, Category.SCOPE),
}


def guess_category(text: str) -> tuple[str, list[str]]:
    """The category the senior's words point to most, and the others to accept (in the order of `Category`)."""
    text = text[:_MAX_TEXT] if isinstance(text, str) else ""
    scores = {category: len(pattern.findall(text)) for category, pattern in _PATTERNS.items()}
    best = max(scores.values())
    if best == 0:
        # Nothing in the words says why (or there are none): the senior turned the call down, and
        # whatever reason a learner gives for doing the same cannot be called wrong.
        return Category.APPROACH.value, [c.value for c in Category if c is not Category.APPROACH]
    guess = next(category for category in _PRIORITY if scores[category] == best)
    near = set(_NEAR[guess]) | {category for category, score in scores.items() if score > 0}
    return guess.value, [c.value for c in Category if c in near and c is not guess]
