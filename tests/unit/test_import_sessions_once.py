"""Splitting a file into sessions takes a short cut when it names at most one session id: the same parts as joining every record."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.record.claude_code.conversation import is_typed_prompt
from tutor.record.claude_code.sessions import _joined_parts, split_sessions

_UUIDS = st.sampled_from(["u1", "u2", "u3", "u4", None])
_ODD = st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=1), st.dictionaries(st.text(max_size=1), st.integers(), max_size=1), st.just(""))
_TEXTS = st.sampled_from(["fix the cart", "/init", "<command-name>/init</command-name>", "This session is being continued from a previous conversation", ""])


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    session = draw(st.sampled_from(["s-1", "s-2"]))
    out = []
    for _ in range(draw(st.integers(0, 12))):
        record: dict[str, Any] = {"type": draw(st.sampled_from(["user", "assistant", "system", "summary", "progress", "file-history-snapshot"]))}
        choice = draw(st.integers(0, 3))
        if choice == 0:
            record["sessionId"] = session
        elif choice == 1:
            record["sessionId"] = draw(_ODD)
        for key in ("uuid", "parentUuid", "logicalParentUuid", "leafUuid"):
            value = draw(_UUIDS)
            if value is not None:
                record[key] = value
        if draw(st.booleans()):
            record["isSidechain"] = True
        if draw(st.booleans()):
            record["isCompactSummary"] = True
        record["message"] = {"role": record["type"], "content": draw(_TEXTS)}
        out.append(record)
    return out


@settings(max_examples=400, deadline=None)
@given(records())
def test_one_session_id_or_none_gives_what_joining_gives(records: list[dict[str, Any]]) -> None:
    assert split_sessions(records, is_prompt=is_typed_prompt) == _joined_parts(records, is_typed_prompt)
