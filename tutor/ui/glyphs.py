"""Icons and labels for step kinds and verdicts, kept to single-width characters so layouts hold."""

from __future__ import annotations

KIND_ICONS = {
    "goal": "◎",
    "prompt": "›",
    "agent": "◆",
    "result": "▣",
    "correction": "✋",
    "note": "✎",
}
KIND_LABELS = {
    "goal": "Goal",
    "prompt": "Prompt",
    "agent": "Agent",
    "result": "Result",
    "correction": "Correction",
    "note": "Note",
}
ASK_LABELS = {
    "goal": "Set the goal",
    "outcome": "Predict the outcome",
    "intervene": "Let it run, or step in?",
    "choice": "Choose",
}


def verdict(score: float | None, skipped: bool = False, pending: bool = False) -> str:
    if skipped:
        return "skipped"
    if pending:
        return "to check"  # its points await a judge: no score yet
    if score is None:
        return ""
    return f"{score:.0%}"

# The correction form's one-key categories (a contract of pair and record mode).
CATEGORY_KEYS = {
    "g": "goal",
    "s": "scope",
    "a": "approach",
    "v": "verify",
    "t": "test",
    "c": "correctness",
    "f": "fact",
    "x": "safety",
    "p": "stop",
    "y": "style",
}
