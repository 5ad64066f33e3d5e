"""Placing asks on an imported session: where the learner predicts, and where they decide whether to step in.

A real session has far more moments than a learner will answer, and its truths lean one way:
most commands pass, most calls are let through. Asks are placed so that a lesson teaches
judgement rather than a habit of saying "yes":

- every correction right after an agent step (the senior rejected a call or interrupted it)
  gets an intervene ask: the truth is "step in", the key points are the senior's own words;
- outcome asks go on results of `run` calls, as many failing as passing where the session
  allows (never all "it works" when anything failed), preferring the moments that teach:
  a failure, the result the senior answered with a correction or a new prompt, a test, build
  or lint run; spread over the session, about one per eight steps, at most fifteen;
- for balance, about as many results of consequential calls (a write, an edit, a command
  that changed things) that the senior let run get an intervene ask whose truth is "let it run".

Placement reads the steps once and sorts only the candidates: linear in the session, and
the same steps always get the same asks. A hidden step, a note, or a step that already
has an ask (the goal's) never gets one.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tutor.lesson.prompts import INTERVENE_PROMPT, outcome_prompt
from tutor.lesson.taxonomy import CATEGORY_MEANINGS, Category

from .categories import guess_category
from .commands import changes_things, is_check

__all__ = ["guess_category", "key_points", "place_asks"]

MAX_OUTCOME_ASKS = 15
MAX_LET_RUN_ASKS = 15
STEPS_PER_OUTCOME_ASK = 8  # "about one ask per 6-10 steps"
STEPS_PER_LET_RUN_ASK = 10
MAX_KEY_POINTS = 4
MAX_KEY_POINT_CHARS = 160
_MAX_WORDS_READ = 4000  # a correction is a sentence or two: a long paste is read this far

_CHANGING_TOOLS = frozenset({"write_file", "edit_file", "NotebookEdit", "MultiEdit"})
# Text that is Claude Code's, not the senior's: a correction made of it has no words to grade against.
# So is the importer's own sentence for a refusal or an interruption without words (`steps.REFUSED_WITHOUT_WORDS`...).
_MACHINE_WORDS = re.compile(
    r"^\s*(\[Request interrupted by user[^\]]*\]|The user doesn't want to (proceed|take this action)[^\n]*"
    r"|The senior (refused|interrupted|rejected|stopped) [^\n]*, without words\.)\s*$",
    re.I,
)
_CODE_FENCE = re.compile(r"```.*?(```|$)", re.S)
_PIECES = re.compile(r"(?<=[.!?])\s+|\n+|;\s+|\s+[-–—]\s+")
# A reply's opening word ("No, keep the name...") says no more than the ask's own decision: the point is what follows.
_OPENER = re.compile(r"^(no+|nope|ok(ay)?|well|so|hmm+|wait|actually|please|sorry)\b[,:;.!]*\s+", re.I)
_FILLER = re.compile(r"^(ok(ay)?|no+|nope|yes|yeah|thanks?( you)?|please|hmm+|wait|hi|hey|sorry)[.!?,]*$", re.I)


def place_asks(steps: list[dict[str, Any]], notes: list[str]) -> None:
    """Add `ask` to the steps where one teaches (see the module's docstring), and one note saying what was placed."""
    facts = _Facts(steps)
    corrections = _ask_corrections(steps, facts)
    failing, passing = _ask_outcomes(steps, facts)
    let_run = _ask_let_run(steps, facts, corrections)
    notes.append(_what_was_placed(failing, passing, corrections, let_run))


def _what_was_placed(failing: int, passing: int, corrections: int, let_run: int) -> str:
    parts = []
    if failing + passing:
        parts.append(f"{failing + passing} outcome ask(s) on commands ({failing} that failed, {passing} that passed)")
    if corrections:
        parts.append(f"{corrections} intervene ask(s) where the senior stepped in")
    if let_run:
        parts.append(f"{let_run} intervene ask(s) where the senior let a change run")
    if not parts:
        return "placed no ask but the goal's: no command result, correction or change to ask about"
    return "placed " + ", ".join(parts)


class _Facts:
    """What placement needs to know of every step, read in one pass each way."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        self.count = len(steps)
        self.shown = 0
        self.calls: dict[str, dict[str, Any]] = {}
        self.after_agent: list[bool] = []  # right after a shown agent step: where an intervene ask may stand
        self.agent_of: list[int] = []  # the index of the agent step a result answers, -1 if none
        previous_agent = False
        agent = -1
        for index, step in enumerate(steps):
            kind, hidden = step.get("kind"), step.get("hidden") is True
            self.shown += not hidden
            self.after_agent.append(previous_agent)
            if kind == "agent":
                agent = index
                for call in step.get("calls") or ():
                    if isinstance(call, dict) and isinstance(call.get("id"), str):
                        self.calls.setdefault(call["id"], call)
            self.agent_of.append(agent if kind == "result" else -1)
            previous_agent = kind == "agent" and not hidden
        # Whether the senior spoke (a correction, a new prompt) before the agent's next move.
        self.steered_after: list[bool] = [False] * len(steps)
        steered = False
        for index in range(len(steps) - 1, -1, -1):
            self.steered_after[index] = steered
            step = steps[index]
            if step.get("hidden") is True or step.get("kind") in ("result", "note"):
                continue
            steered = step.get("kind") in ("correction", "prompt")

    def call(self, step: dict[str, Any]) -> dict[str, Any]:
        call_id = step.get("call")
        return self.calls.get(call_id, {}) if isinstance(call_id, str) else {}


def _command(call: dict[str, Any]) -> object:
    """A `run` call's command as the draft holds it (anything, from a hostile transcript: the readers check)."""
    given = call.get("input")
    return given.get("command") if isinstance(given, dict) else None


def _open(step: dict[str, Any]) -> bool:
    """The step can take an ask: shown, and without one yet."""
    return step.get("hidden") is not True and step.get("ask") is None


# ---------------------------------------------------------------- corrections


def _ask_corrections(steps: list[dict[str, Any]], facts: _Facts) -> int:
    placed = 0
    for index, step in enumerate(steps):
        if step.get("kind") == "correction" and _open(step) and facts.after_agent[index]:
            step["ask"] = _correction_ask(step)
            placed += 1
    return placed


def _correction_ask(step: dict[str, Any]) -> dict[str, Any]:
    words = _senior_words(step.get("text"))
    points = key_points(words)
    ask: dict[str, Any] = {"type": "intervene", "prompt": INTERVENE_PROMPT, "key_points": points}
    senior = step.get("category")
    guess, near = guess_category(words)
    others = [c for c in Category if c.value in {guess, *near} and c.value != senior]
    if others:
        # The category of a rejection is guessed from the senior's words: an answer naming a
        # category the words also fit must not be graded as a miss.
        why = ("The senior's reason was not labelled; stepping in to say *{}* fits their words too." if points
               else "The senior stepped in without saying why: stepping in to say *{}* is right too.")
        ask["accept"] = [
            {"intervene": True, "category": c.value, "key_points": list(points), "why": why.format(CATEGORY_MEANINGS[c])}
            for c in others
        ]
    return ask


def _senior_words(text: object) -> str:
    if not isinstance(text, str) or _MACHINE_WORDS.match(text[:_MAX_WORDS_READ]):
        return ""
    return text[:_MAX_WORDS_READ]


def key_points(words: str) -> list[str]:
    """Short phrases of the senior's own words (sentences or clauses, code left out), at most four; none when there are no words."""
    prose = _CODE_FENCE.sub(" ", words[:_MAX_WORDS_READ])
    points: list[str] = []
    seen: set[str] = set()
    pieces = [_OPENER.sub("", re.sub(r"\s+", " ", piece).strip(" \t>*-•\"'")) for piece in _PIECES.split(prose)]
    pieces = [piece for piece in pieces if any(c.isalnum() for c in piece) and not _FILLER.match(piece)]  # words, not "…"
    wordy = [piece for piece in pieces if len(piece.split()) >= 2] or pieces
    for piece in wordy:
        point = _cut(piece)
        if point.lower() not in seen:
            seen.add(point.lower())
            points.append(point)
        if len(points) == MAX_KEY_POINTS:
            break
    return points


def _cut(piece: str) -> str:
    if len(piece) <= MAX_KEY_POINT_CHARS:
        return piece
    cut = piece[:MAX_KEY_POINT_CHARS]
    at = max(cut.rfind(","), cut.rfind(" "))
    return cut[: at if at > MAX_KEY_POINT_CHARS // 2 else len(cut)].rstrip(" ,") + "…"


# ---------------------------------------------------------------- outcomes


def _ask_outcomes(steps: list[dict[str, Any]], facts: _Facts) -> tuple[int, int]:
    failing: list[int] = []
    passing: list[int] = []
    scores: dict[int, int] = {}
    previous: tuple[object, object] = (None, None)
    for index, step in enumerate(steps):
        if step.get("kind") != "result" or not _open(step) or not isinstance(step.get("ok"), bool):
            continue
        call = facts.call(step)
        if call.get("tool") != "run":
            continue
        command = _command(call)
        # A retry that ends as the try before it (a commit refused by its hook five times) teaches once.
        retried = previous == (command, step["ok"])
        previous = (command, step["ok"])
        scores[index] = 2 * facts.steered_after[index] + is_check(command) - 2 * retried
        (passing if step["ok"] else failing).append(index)
    budget = min(MAX_OUTCOME_ASKS, max(2, round(facts.shown / STEPS_PER_OUTCOME_ASK)))
    failing_wanted, passing_wanted = balanced(len(failing), len(passing), budget)
    chosen = _spread(failing, failing_wanted, scores, facts.count) + _spread(passing, passing_wanted, scores, facts.count)
    for index in chosen:
        command = _command(facts.call(steps[index]))
        steps[index]["ask"] = {"type": "outcome", "prompt": outcome_prompt(command)}
    return failing_wanted, passing_wanted


def balanced(failing: int, passing: int, budget: int) -> tuple[int, int]:
    """How many failing and passing results to ask about: as many as the budget allows with the share of failures near half.

    With at least three of each the share stays within 35-65%; with fewer of one kind, within
    25-75% (a session with one failure still gets a few asks). A session with only one kind gets
    a few asks of it: the learner still predicts, but a lesson of all "yes" teaches nothing.
    """
    if failing == 0 or passing == 0:
        return min(failing, max(1, budget // 4)), min(passing, max(1, budget // 4))
    low, high = (0.35, 0.65) if min(failing, passing) >= 3 else (0.25, 0.75)
    for total in range(min(budget, failing + passing), 1, -1):
        lowest, highest = max(math.ceil(low * total), total - passing), min(math.floor(high * total), failing)
        if lowest <= highest:
            asked = min(range(lowest, highest + 1), key=lambda n: (abs(2 * n - total), -n))
            return asked, total - asked
    return min(failing, 1), 0


def _spread(candidates: list[int], wanted: int, scores: dict[int, int], span: int) -> list[int]:
    """`wanted` of the candidates (step indexes, in order): the best of each stretch of the session, then the best left."""
    if wanted >= len(candidates):
        return list(candidates)
    if wanted <= 0:
        return []
    best: dict[int, int] = {}
    for index in candidates:
        stretch = index * wanted // max(span, 1)
        if stretch not in best or scores[index] > scores[best[stretch]]:
            best[stretch] = index
    chosen = set(best.values())
    if len(chosen) < wanted:
        rest = sorted((index for index in candidates if index not in chosen), key=lambda index: (-scores[index], index))
        chosen.update(rest[: wanted - len(chosen)])
    return sorted(chosen)


# ---------------------------------------------------------------- letting it run


def _ask_let_run(steps: list[dict[str, Any]], facts: _Facts, corrections: int) -> int:
    """Results of consequential calls the senior let run, about as many as they stepped in (one when they never did)."""
    candidates: list[int] = []
    scores: dict[int, int] = {}
    for index, step in enumerate(steps):
        if step.get("kind") != "result" or not _open(step) or not facts.after_agent[index]:
            continue
        writes = edits = False
        for call in steps[facts.agent_of[index]].get("calls") or ():
            if not isinstance(call, dict):
                continue
            edits = edits or call.get("tool") in _CHANGING_TOOLS
            writes = writes or (call.get("tool") == "run" and changes_things(_command(call)))
        if not (writes or edits):
            continue
        candidates.append(index)
        # A clean "let it run": it changed files, it worked, and the senior did not step in right after.
        scores[index] = 2 * edits + writes + (step.get("ok") is True) + (not facts.steered_after[index])
    wanted = min(len(candidates), MAX_LET_RUN_ASKS, max(1, corrections), max(1, facts.shown // STEPS_PER_LET_RUN_ASK))
    chosen = _spread(candidates, wanted, scores, facts.count)
    for index in chosen:
        steps[index]["ask"] = {"type": "intervene", "prompt": INTERVENE_PROMPT, "key_points": []}
    return len(chosen)
