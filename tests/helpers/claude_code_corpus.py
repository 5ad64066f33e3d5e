"""The real Claude Code transcripts of the shared corpus, read in place and skipped with a reason where absent.

They live in `../shared/corpus/claude-code/` beside the project (with their source and licence)
and are never copied into it: a fresh clone has no corpus, and these tests then skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "claude-code"
TRANSCRIPTS = ("tool_heavy.jsonl", "session-ae4a77f8.jsonl", "agentic-wallet-nonanthropic.jsonl", "agent-sessions-schema-drift.jsonl")


def corpus_file(name: str) -> Path:
    """The corpus transcript `name`, or a skip saying where the corpus should be."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"the Claude Code corpus is not here ({path}); it lives in ../shared/corpus/ beside the project")
    return path


def corpus_files() -> list[Path]:
    """Every corpus transcript, or a skip saying where the corpus should be."""
    files = sorted(CORPUS.glob("*.jsonl")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"the Claude Code corpus is not here ({CORPUS}); it lives in ../shared/corpus/ beside the project")
    return files
