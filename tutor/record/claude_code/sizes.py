"""An imported draft kept within every limit `tutor validate` enforces, whatever the transcript held.

A transcript can hold a 50 MB prompt, a tool input nested 200 levels deep, a lone surrogate
or a NaN. A lesson may not: `tutor validate` refuses a `lesson.json` over `MAX_LESSON_BYTES`,
nesting past `MAX_DEPTH`, text that is not Unicode and numbers that are not JSON, and warns
about any field over `MAX_FIELD_CHARS`. So before a draft is written:

- prose (a prompt, the agent's words, a note, a correction's reason) is cut to what a screen
  shows of one field (`PROSE_LIMIT`), every other string (a command's output, a tool's
  input) to just under `MAX_FIELD_CHARS`, each cut ending with a line that says how much;
- what nests deeper than the lesson may is kept as its JSON text; a lone surrogate becomes
  U+FFFD; a NaN or an infinity becomes its name as text;
- when the whole is still larger than `LESSON_BUDGET`, the longest fields are cut harder,
  then the steps at the end are left out, with a note step where they were.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tutor.lesson.limits import MAX_FIELD_CHARS, MAX_LESSON_BYTES, size_text
from tutor.lesson.untrusted import FIELD_LIMIT
from tutor.lesson.validate import MAX_DEPTH

PROSE_LIMIT = FIELD_LIMIT  # what a screen shows of one field: more would never be read
# Redaction may lengthen a string a little (a marker for a short secret): stay clear of the warning.
OTHER_LIMIT = MAX_FIELD_CHARS - 4_000
LESSON_BUDGET = MAX_LESSON_BYTES // 2  # room for redaction markers, the format's defaults, and `tutor annotate`
SMALLEST_LIMIT = 2_000  # cutting harder than this leaves nothing to read: leave out steps instead
KEY_LIMIT = 500  # an object key in a tool's input
# Containers deeper than this (the lesson is level 1) are kept as JSON text: `tutor validate` refuses past MAX_DEPTH.
DEEPEST = MAX_DEPTH - 2
# Fields of prose, wherever they stand outside a call's input.
PROSE_KEYS = frozenset({"text", "why", "annotation", "prompt", "explain", "summary", "task", "rubric", "key_points", "options", "criteria"})
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACE = re.compile(r"\s")


@dataclass
class Cuts:
    """What bounding a draft changed, for the notes the importer shows."""

    prose: int = 0  # prose fields cut to PROSE_LIMIT or less
    other: int = 0  # outputs and inputs cut
    longest: int = 0  # characters of the longest field cut
    flattened: int = 0  # containers kept as JSON text
    repaired: int = 0  # lone surrogates and non-finite numbers replaced
    left_out: int = 0  # steps left out at the end
    limits: tuple[int, int] = (PROSE_LIMIT, OTHER_LIMIT)
    seen: set[int] = field(default_factory=set, repr=False)

    def notes(self) -> list[str]:
        lines = []
        prose_limit, other_limit = self.limits
        if self.prose:
            lines.append(f"cut {self.prose} long prompt(s), agent message(s) or note(s) to {prose_limit:,} characters "
                         f"(the longest field had {self.longest:,})")
        if self.other:
            lines.append(f"cut {self.other} long output(s) or tool input(s) to {other_limit:,} characters")
        if self.flattened:
            lines.append(f"kept {self.flattened} part(s) nested deeper than a lesson may nest as JSON text")
        if self.repaired:
            lines.append(f"replaced {self.repaired} value(s) that are not valid JSON text or numbers (lone surrogates, NaN)")
        if self.left_out:
            lines.append(f"left out the last {self.left_out} step(s): the lesson would have been larger than {size_text(LESSON_BUDGET)}")
        return lines


def cut_text(text: str, limit: int) -> tuple[str, int]:
    """`text` in at most `limit` characters, ended by a line saying how many were cut; and that number (0: unchanged).

    The cut falls at a space near the limit when there is one, so a word (or a secret) is not
    split into a fragment that redaction would no longer recognise.
    """
    if len(text) <= limit:
        return text, 0
    marker = f"\n\n[\N{HORIZONTAL ELLIPSIS} {len(text):,} characters in all; the rest was cut by the importer]"
    keep = max(0, limit - len(marker))
    window_start = max(0, keep - 2_000)
    last_space = max((m.start() for m in _SPACE.finditer(text, window_start, keep)), default=-1)
    if last_space > 0:
        keep = last_space
    return text[:keep].rstrip() + marker, len(text) - keep


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        return "[a value too deeply nested to keep]"


class _Bounder:
    def __init__(self, prose_limit: int, other_limit: int, cuts: Cuts, rewrite: Callable[[str], str] | None) -> None:
        self.prose_limit, self.other_limit, self.cuts = prose_limit, other_limit, cuts
        self.rewrite = rewrite  # applied to each string once bounded (the draft's paths), in the same walk
        self.short: dict[str, str] = {}  # what a string that no limit cuts and nothing repairs became
        self.indenting = 0  # what two-space indenting adds to the compact JSON of what was bounded (see `_sizes`)
        self.most = 0  # bytes its compact JSON cannot exceed: 6 a character of a string (`\\u00XX`), and the syntax

    def string(self, text: str, prose: bool, longest: int | None = None) -> str:
        """`text` repaired, cut to its limit (then to `longest`, a key's), rewritten."""
        done = self.short.get(text)
        if done is not None:
            self.most += 6 * len(done) + 2
            return done
        original = text
        repaired = not text.isascii() and _LONE_SURROGATE.search(text) is not None
        if repaired:
            text = _LONE_SURROGATE.sub("\N{REPLACEMENT CHARACTER}", text)
            self.cuts.repaired += 1
        limit = self.prose_limit if prose else self.other_limit
        if len(text) > limit:
            self.cuts.longest = max(self.cuts.longest, len(text))
            if prose:
                self.cuts.prose += 1
            else:
                self.cuts.other += 1
            text = cut_text(text, limit)[0]
        if longest is not None:
            text = text[:longest]
        if self.rewrite is not None:
            text = self.rewrite(text)
        if len(original) <= KEY_LIMIT and not repaired:
            # Nothing to repair, and no limit cuts it (none is below KEY_LIMIT): the same in any field. Keys and short
            # values repeat thousands of times in a session.
            self.short[original] = text
        self.most += 6 * len(text) + 2
        return text

    def value(self, value: Any, depth: int, prose: bool, in_call: bool) -> Any:
        if type(value) is not dict and type(value) is not list:  # not the containers most values are: tested in turn
            if isinstance(value, str):
                return self.string(value, prose)
            if isinstance(value, float) and not math.isfinite(value):
                self.cuts.repaired += 1
                text = str(value)
                self.most += len(text) + 2
                return text
            if not isinstance(value, (dict, list, tuple)):
                self.most += _scalar_bytes(value)
                return value
        if depth > DEEPEST:
            self.cuts.flattened += 1
            return self.string(_json_text(value), False)
        if value:  # each item on a line of its own, indented two spaces a level; the closing bracket too
            self.indenting += len(value) * (1 + 2 * depth) + 1 + 2 * (depth - 1)
        self.most += 2 + 3 * len(value)  # the brackets; after each item `,`, after each key `: `
        string, inner = self.string, depth + 1
        if isinstance(value, dict):
            bounded = {}
            for key, child in value.items():
                name = string(key if type(key) is str else str(key), False, KEY_LIMIT)
                inside = in_call or key == "calls"
                child_prose = not inside and key in PROSE_KEYS
                # a string leaf (most children) without a call of `value` for it
                bounded[name] = string(child, child_prose) if type(child) is str else self.value(child, inner, child_prose, inside)
            return bounded
        return [string(child, prose) if type(child) is str else self.value(child, inner, prose, in_call) for child in value]


def _scalar_bytes(value: Any) -> int:
    """Bytes a number, a boolean or null as JSON cannot exceed (anything else: six a character of its text)."""
    if value is None or isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(str(value)) if value.bit_length() > 60 else 20
    if isinstance(value, float):
        return 32  # repr of a finite float: at most 24 characters
    return len(str(value)) * 6 + 2


def bound(value: Any, cuts: Cuts, *, depth: int = 1, prose_limit: int = PROSE_LIMIT, other_limit: int = OTHER_LIMIT) -> Any:
    """A copy of `value` (a lesson, or a part of one standing at `depth`) within the limits above; `cuts` counts what changed."""
    return _bounded(value, cuts, depth, prose_limit, other_limit, None)[0]


def _bounded(value: Any, cuts: Cuts, depth: int, prose_limit: int, other_limit: int,
             rewrite: Callable[[str], str] | None) -> tuple[Any, int, int]:
    """The bounded copy, what indenting adds to its JSON, and a size its compact JSON cannot exceed."""
    cuts.limits = (prose_limit, other_limit)
    bounder = _Bounder(prose_limit, other_limit, cuts, rewrite)
    return bounder.value(value, depth, False, False), bounder.indenting, bounder.most


def longest_string(value: Any) -> int:
    """The length of the longest string (or key) in a JSON-like value; iterative, so depth costs nothing."""
    longest = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            longest = max(longest, len(item))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return longest


def indented_size(value: Any) -> int:
    """Bytes of `value` written as `lesson.json` is (UTF-8, two-space indent), measured fast.

    The fast encoder writes only compact JSON; the indenting one is many times slower. So the
    compact text (with `: ` after keys, as indented text has) is measured, and what indenting
    adds is counted: each item of a non-empty container on a line of its own, indented two
    spaces a level, and its closing bracket too.
    """
    compact = len(json.dumps(value, ensure_ascii=False, separators=(",", ": ")).encode("utf-8"))
    indenting = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if item:
            indenting += len(item) * (1 + 2 * depth) + 1 + 2 * (depth - 1)
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, tuple)))
    return compact + indenting


def json_size(value: Any) -> int:
    """Bytes of `value` written as `lesson.json` is (UTF-8, two-space indent)."""
    return len(json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8"))


def _fits(steps: list[dict[str, Any]], indenting: int, budget: int) -> bool:
    """Whether the steps, written in `lesson.json`, take at most `budget` bytes.

    The fast encoder writes JSON compact; `lesson.json` is indented, which only the slow one
    does. So the compact text (with `: ` after keys, as indented text has) is measured, and
    what indenting adds, counted while bounding, is added to it: the exact size, fast.
    """
    compact = json.dumps(steps, ensure_ascii=False, separators=(",", ": "))
    return len(compact.encode("utf-8")) + indenting <= budget


def bound_steps(steps: list[dict[str, Any]], cuts: Cuts, budget: int = LESSON_BUDGET, *,
                rewrite: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
    """The steps within every limit and, together, within `budget` bytes: cut harder, then shortened at the end.

    Each try bounds the original steps again, so a field is cut once, with one true count.
    `rewrite`, when given, is applied to every string (dict keys too) once it is bounded: the
    draft's paths are made relative in the same walk, and measured as they will be written.
    """
    prose_limit, other_limit = PROSE_LIMIT, OTHER_LIMIT
    while True:
        tried = Cuts()
        bounded, indenting, most = _bounded(steps, tried, 2, prose_limit, other_limit, rewrite)
        if most + indenting <= budget or _fits(bounded, indenting, budget):  # most lessons fit by far: no need to encode them
            _add(cuts, tried)
            return bounded
        if other_limit <= SMALLEST_LIMIT:
            break
        other_limit = max(SMALLEST_LIMIT, other_limit // 2)
        prose_limit = max(SMALLEST_LIMIT, min(prose_limit, other_limit))
    sizes = [json_size(step) + 4 for step in bounded]  # measured one by one, as they stand in the list (indented two levels)
    kept, total = 0, 0
    for size in sizes:
        if total + size > budget - 1_000:  # room for the note saying what was left out
            break
        total += size
        kept += 1
    kept = max(kept, 1)
    if kept < len(bounded):
        tried.left_out = len(bounded) - kept
        used = {step.get("id") for step in bounded}
        note_id = next(f"note-left-out-{n}" if n else "note-left-out" for n in range(len(used) + 1)
                       if (f"note-left-out-{n}" if n else "note-left-out") not in used)
        bounded = bounded[:kept] + [{"id": note_id, "kind": "note",
                                     "text": f"The session went on for {tried.left_out} more step(s), left out of this lesson to keep it small enough to replay."}]
    _add(cuts, tried)
    return bounded


def _add(cuts: Cuts, tried: Cuts) -> None:
    for name in ("prose", "other", "flattened", "repaired", "left_out"):
        setattr(cuts, name, getattr(cuts, name) + getattr(tried, name))
    cuts.longest = max(cuts.longest, tried.longest)
    cuts.limits = tried.limits
