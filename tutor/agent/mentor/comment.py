"""What a mentor says (`MentorComment`: summary, questions, what is missing), and how its text is kept plain.

Both mentors (`rules.RuleMentor`, `claude.ClaudeMentor`) return this, and everything in it
may be shown and journaled: plain text, control characters dropped, whitespace collapsed,
every field capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

About = Literal["goal", "correction"]
Source = Literal["claude", "rules"]

# Limits on what is sent and what is accepted back (characters / items).
MAX_INPUT_CHARS = 6000
MAX_SUMMARY_CHARS = 500
MAX_QUESTION_CHARS = 300
MAX_QUESTIONS = 3
MAX_MISSING = 5
MAX_MISSING_CHARS = 120
MAX_NOTICE_CHARS = 300


@dataclass(frozen=True)
class MentorComment:
    """One mentor comment, ready to show and to journal (plain text throughout).

    `checkable` / `bounded` are the mentor's verdicts on a goal (does it say how to know it is
    done; does it bound the scope) and `None` for a correction. `notice` is set when Claude was
    asked but the offline rules answered instead, saying why.
    """

    about: About
    summary: str
    questions: tuple[str, ...]
    checkable: bool | None
    bounded: bool | None
    missing: tuple[str, ...]
    source: Source
    notice: str = ""

    def __post_init__(self) -> None:
        if self.about not in ("goal", "correction"):
            raise ValueError(f"about must be 'goal' or 'correction', not {self.about!r}")
        if self.source not in ("claude", "rules"):
            raise ValueError(f"source must be 'claude' or 'rules', not {self.source!r}")
        object.__setattr__(self, "questions", tuple(self.questions))
        object.__setattr__(self, "missing", tuple(self.missing))

    @property
    def label(self) -> str:
        return "Mentor (Claude)" if self.source == "claude" else "Mentor (offline rules)"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for the journal (includes the label)."""
        return {
            "about": self.about,
            "summary": self.summary,
            "questions": list(self.questions),
            "checkable": self.checkable,
            "bounded": self.bounded,
            "missing": list(self.missing),
            "source": self.source,
            "label": self.label,
            "notice": self.notice,
        }

    def as_text(self) -> str:
        """The comment as plain text lines: label, summary, one line per question, the notice if any."""
        lines = [f"{self.label}: {self.summary}"]
        lines += [f"- {question}" for question in self.questions]
        if self.notice:
            lines.append(f"({self.notice})")
        return "\n".join(lines)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(text: object, limit: int | None = None) -> str:
    """One line of plain text: control characters dropped, whitespace collapsed, optionally trimmed."""
    line = " ".join(_CONTROL.sub("", text if isinstance(text, str) else "").split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "\u2026"
    return line


def _block(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """Multi-line plain text for the prompt: control characters dropped, trimmed to `limit`."""
    text = _CONTROL.sub("", text if isinstance(text, str) else "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
