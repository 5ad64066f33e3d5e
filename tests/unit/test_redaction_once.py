"""`redact_obj` works out each distinct string once per call, and finds exactly what redacting each string finds.

The speed-ups (each trigger looked for once per text; a string repeated in an object redacted
once) must never redact less: these tests compare against `redact` string by string, and
check that a remembering redactor still catches, later in the same object, a value it learned
from an earlier part of it.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.helpers.redaction_corpus import corpus
from tutor.redaction import Redactor
from tutor.redaction.remembering import RememberingRedactor


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_redact_obj_finds_what_redact_finds_in_each_string_repeated_or_not() -> None:
    texts = [case.text for case in corpus(17)]
    value = {"steps": [{"text": t, "again": t, "kind": "agent"} for t in texts], "tail": texts[::-1]}
    redactor = Redactor()
    redacted = redactor.redact_obj(value)
    for before, after in zip(_strings(value), _strings(redacted)):
        assert after == redactor.redact(before)


def test_redacting_each_string_once_calls_the_finder_once_per_distinct_string() -> None:
    calls: list[str] = []

    class Counting(Redactor):
        __slots__ = ()

        def redact(self, text: str) -> str:
            calls.append(text)
            return super().redact(text)

    Counting().redact_obj([{"kind": "agent", "text": "same words"} for _ in range(50)])
    assert sorted(calls) == ["agent", "kind", "same words", "text"]


def test_a_remembering_redactor_catches_a_value_it_learns_midway_in_strings_seen_before() -> None:
    learned = "Zq8xW2vN" + "5mK7pL3rT9yB"  # built, so that the project's own sources hold no secret-like literal
    encoded = base64.b64encode(learned.encode()).decode()  # no pattern knows this is a secret
    value = [f"blob {encoded}", f'password = "{learned}"', f"blob {encoded}"]
    redacted = RememberingRedactor().redact_obj(value)
    assert redacted[0] == f"blob {encoded}"  # not known yet when it was seen first
    assert learned not in redacted[1]
    assert encoded[2:-2] not in redacted[2]  # the same string, seen again once the value is known
