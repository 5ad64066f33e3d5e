"""A redactor for one live session: every secret it finds, it also knows from then on as a value.

An agent that reads a file holding a token, then runs `base64 config.py` or
`xxd -p config.py`, prints the token in a form no pattern recognises. `Redactor.knowing`
handles this for `tutor build`, whose texts are all known up front; a live session's
texts arrive one record at a time. `RememberingRedactor` learns as it goes: each secret it
finds (by pattern, by a secret-named key, or as a value it already knows) is added, with
its base64, hex and URL-encoded forms (`encodings.variants`), to the values it matches in
everything that comes after, in the journal and in the tools' output alike.

It cannot catch an encoded form that comes before the plain one: nothing tells an
encoding of a secret from any other run of base64 until the secret has been seen.

Learned values are added copy-on-write (a new dict swapped in whole), so a command's
output redacted in the tools' thread and a journal record redacted on the event loop
never see the dict change under them.
"""

from __future__ import annotations

from typing import Any

from .encodings import variants
from .redactor import _MARKER_RE, Redactor, _Seen, marker

__all__ = ["LEARN_MINIMUM", "RememberingRedactor"]

LEARN_MINIMUM = 8  # shorter secrets are not learned as values: too likely to occur by chance


class RememberingRedactor(Redactor):
    """`Redactor`, plus: what it has found once, it finds again in any encoding."""

    __slots__ = ()

    def learned(self) -> int:
        """How many values (encodings included) it matches; for tests and the session's summary."""
        return len(self._values)

    def redact(self, text: str) -> str:
        if not isinstance(text, str):
            raise TypeError(f"redact() takes str, not {type(text).__name__}")
        clean = self._clean_kept(text)
        if clean is not None and text in clean:
            return text  # a tool's output, met again in the journal's record of it
        findings = self.found(text)
        if not findings:
            self._keep_clean(clean, text)
            return text
        self._learn([(text[f.start : f.end], f.kind) for f in findings])
        parts: list[str] = []
        pos = 0
        for finding in findings:
            parts.append(text[pos : finding.start])
            parts.append(marker(finding.kind))
            pos = finding.end
        parts.append(text[pos:])
        return super().redact("".join(parts))  # a second pass, as `Redactor.redact` makes, with what was just learned

    def _obj(self, value: Any, key: str | None, seen: _Seen) -> Any:
        result = super()._obj(value, key, seen)
        if isinstance(value, str) and isinstance(result, str) and _MARKER_RE.fullmatch(result) and value != result:
            self._learn([(value, result[len("[REDACTED:") : -1])])  # a whole value under a secret-named key
        return result

    def _learn(self, found: list[tuple[str, str]]) -> None:
        new: dict[str, str] = {}
        for value, kind in found:
            if len(value) < LEARN_MINIMUM or _MARKER_RE.fullmatch(value) or value in self._values:
                continue
            for variant in variants(value, LEARN_MINIMUM):
                if variant not in self._values:
                    new.setdefault(variant, kind)
        if new:
            self._values = {**self._values, **new}
