"""Streamed reply text, batched into `stream` records that never cut a secret in two: `StreamFlusher`.

The agent's reply arrives a few characters at a time; the engine (`tutor.agent.loop`)
journals it in pieces (at most every `STREAM_FLUSH_SECONDS`), each redacted before it is
shown. Where a piece may end is the rule here (`_safe_cut`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tutor.redaction.patterns import CONTEXT_CUES

if TYPE_CHECKING:
    from .loop import GatedLoop

STREAM_FLUSH_SECONDS = 0.05
_PEM_BEGIN = "-----BEGIN"


class StreamFlusher:
    """Batches streamed text into `stream` records (at most every 50 ms), redacted before they are shown.

    A piece ends at whitespace, so a token is never cut in two, and a line that may be
    introducing a secret (`password`, `Authorization: Bearer`, ...) is held back until the
    line is complete, as is an open private-key block until its end line: the redactor
    finds a secret by its context, and a secret split across two records could slip past.
    """

    def __init__(self, loop: GatedLoop, write: Callable[..., Awaitable[dict[str, Any]]] | None = None) -> None:
        self._loop = loop
        self._write = write  # the loop's off-the-event-loop writer; without it, `record`
        self._buffer: list[str] = []
        self._last = 0.0  # the first words show at once
        self.shown = False

    async def add(self, text: str) -> None:
        self._buffer.append(text)
        if time.monotonic() - self._last >= STREAM_FLUSH_SECONDS:
            await self.flush()

    async def flush(self, *, final: bool = False) -> None:
        if not self._buffer:
            return
        text = "".join(self._buffer)
        cut = len(text) if final else _safe_cut(text)
        if cut <= 0:
            self._buffer = [text]
            return
        ready, rest = text[:cut], text[cut:]
        self._buffer = [rest] if rest else []
        self._last = time.monotonic()
        record = await self._write("stream", text=ready) if self._write is not None else self._loop.record("stream", text=ready)
        self.shown = True
        shown = self._loop.on_text(record["text"])
        if shown is not None:
            await shown


def _safe_cut(text: str) -> int:
    """Where a streamed piece may end: after the last whitespace, short of any line that may hold a secret."""
    cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t")) + 1
    if cut <= 0:
        return 0
    line_start = text.rfind("\n", 0, cut) + 1  # the line the cut falls in (incomplete if the cut is inside it)
    if not text[:cut].endswith("\n"):
        tail = text[line_start:].lower()
        if any(cue in tail for cue in CONTEXT_CUES):
            cut = line_start
    begin = text.rfind(_PEM_BEGIN, 0, cut)
    if begin >= 0 and "-----END" not in text[begin:cut]:
        cut = text.rfind("\n", 0, begin) + 1
    return cut
