"""The group replay's pure protocol (`tutor.group`): lines, messages both ways, asks, spreads, floods, the host's state machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.group_support import HIDDEN_TEXTS, NEVER_SENT, STEERING, spoiler_lesson_data, write_lesson
from tutor.group import (
    EVERYONE,
    MAX_CLIENT_LINE,
    MAX_HOST_LINE,
    AnswerMessage,
    Ask,
    Distribution,
    Farewell,
    Goodbye,
    GroupSession,
    Hello,
    LessonInfo,
    Phase,
    ProtocolError,
    Received,
    Refused,
    Reveal,
    SessionError,
    State,
    TokenBucket,
    Welcome,
    decode_line,
    distribution,
    encode,
    encode_within,
    parse_client,
    parse_host,
)
from tutor.group import host_messages as says
from tutor.group.wire import join_code, parse_join_code
from tutor.learn import AskFrame, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer, StepFrame
from tutor.lesson import AskType, Category, Confidence, lesson_digest
from tutor.lesson.io import load_lesson

# ---------------------------------------------------------------- lines


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"type": "hello", "\xff": 1}\n', "not UTF-8"),
        (b"\n", "not one JSON object"),
        (b"[1, 2]\n", "not one JSON object"),
        (b"not json\n", "not one JSON object"),
        (b'{"name": "x"}\n', 'without a string "type"'),
        (b'{"type": 3}\n', 'without a string "type"'),
        (b'{"type": "bye", "type": "hello"}\n', "repeated"),
        (b'{"type": "answer", "step": NaN}\n', "NaN"),
        (b'{"type": "answer", "step": Infinity}\n', "Infinity"),
        (b'{"type": "x", "a": ' + b"[" * 40 + b"]" * 40 + b"}\n", "nested"),
    ],
)
def test_a_bad_line_is_one_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason) as caught:
        decode_line(raw, MAX_CLIENT_LINE)
    assert "\n" not in str(caught.value)


def test_a_line_over_the_limit_is_refused_before_it_is_read() -> None:
    line = encode({"type": "bye", "reason": "x" * MAX_CLIENT_LINE})
    with pytest.raises(ProtocolError, match="longer than 16,384 bytes"):
        decode_line(line, MAX_CLIENT_LINE)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert decode_line(encode({"type": "bye", "reason": "[" * 100}), MAX_CLIENT_LINE)["reason"] == "[" * 100


def test_a_crlf_line_reads_as_its_object() -> None:
    assert decode_line(b'{"type": "bye"}\r\n', MAX_CLIENT_LINE) == {"type": "bye"}


def test_an_encoded_line_is_one_line_whatever_the_text_holds() -> None:
    line = encode({"type": "reveal", "text": "one\ntwo\r\nthree\u2028four"})
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert decode_line(line, MAX_HOST_LINE)["text"] == "one\ntwo\r\nthree\u2028four"


def test_a_message_too_long_for_a_line_has_its_longest_strings_cut_with_a_note() -> None:
    message = {"type": "reveal", "step": 4, "content": {"id": "s4", "output": "é" * 1_500_000, "annotation": "kept"}}
    line = encode_within(message, MAX_HOST_LINE)
    assert len(line) <= MAX_HOST_LINE
    cut = decode_line(line, MAX_HOST_LINE)
    assert cut["content"]["annotation"] == "kept" and cut["content"]["id"] == "s4"
    assert cut["content"]["output"].startswith("éé") and "more characters in the lesson itself" in cut["content"]["output"]


def test_escapes_that_outgrow_their_text_are_cut_to_fit_too() -> None:
    line = encode_within({"type": "reveal", "content": {"output": "\x01" * 400_000}}, MAX_HOST_LINE)
    assert len(line) <= MAX_HOST_LINE


# ---------------------------------------------------------------- what a participant may send


def test_the_three_messages_a_participant_may_send() -> None:
    assert parse_client({"type": "hello", "token": "t" * 22, "name": " Ann "}) == Hello("t" * 22, "Ann", None)
    assert parse_client({"type": "hello", "token": "t", "name": "Ann", "rejoin": None}).rejoin is None
    assert parse_client({"type": "bye"}) == Goodbye()
    message = parse_client({"type": "answer", "step": 3, "round": 2, "answer": {"type": "choice", "choice": 1, "confidence": "low"}, "confidence": "high"})
    assert message == AnswerMessage(3, 2, ChoiceAnswer(1, Confidence.HIGH))  # the message's confidence counts


@pytest.mark.parametrize(
    "answer",
    [
        {"type": "outcome", "works": True},
        {"type": "choice", "choice": 0},
        {"type": "choice", "index": 2},
        {"type": "goal", "text": "make it pass"},
        {"type": "intervene", "intervene": True, "category": "test", "text": "the test is the requirement"},
        {"type": "intervene", "intervene": False},
    ],
)
def test_every_documented_answer_reads(answer: dict[str, Any]) -> None:
    parsed = parse_client({"type": "answer", "step": 1, "round": 1, "answer": answer, "confidence": "medium"})
    assert isinstance(parsed, AnswerMessage) and parsed.answer.type.value == answer["type"]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"type": "state", "phase": "open"}, 'may only send answers, not "state"'),
        ({"type": "reveal", "step": 1, "content": {}}, 'may only send answers, not "reveal"'),
        ({"type": "welcome"}, 'may only send answers, not "welcome"'),
        ({"type": "shout"}, "unknown message type"),
        ({"type": "hello", "token": "t", "name": "Ann", "admin": True}, "unknown keys"),
        ({"type": "hello", "token": "t", "name": "   "}, '"name"'),
        ({"type": "hello", "token": "t", "name": "x" * 61}, '"name"'),
        ({"type": "hello", "token": "t" * 65, "name": "Ann"}, '"token"'),
        ({"type": "hello", "name": "Ann"}, '"token"'),
        ({"type": "answer", "step": 1, "round": 3, "answer": {"type": "outcome", "works": True}, "confidence": "low"}, "round"),
        ({"type": "answer", "step": 1, "round": 1.0, "answer": {"type": "outcome", "works": True}, "confidence": "low"}, "round"),
        ({"type": "answer", "step": 1, "round": True, "answer": {"type": "outcome", "works": True}, "confidence": "low"}, "round"),
        ({"type": "answer", "step": "1", "round": 1, "answer": {"type": "outcome", "works": True}, "confidence": "low"}, "step"),
        ({"type": "answer", "step": 0, "round": 1, "answer": {"type": "outcome", "works": True}, "confidence": "low"}, "step"),
        ({"type": "answer", "step": 1, "round": 1, "answer": {"type": "outcome", "works": True}, "confidence": "sure"}, "confidence"),
        ({"type": "answer", "step": 1, "round": 1, "answer": {"type": "outcome", "works": "yes"}, "confidence": "low"}, "works"),
        ({"type": "answer", "step": 1, "round": 1, "answer": {"type": "outcome", "works": True, "x": 1}, "confidence": "low"}, "unknown keys"),
        ({"type": "answer", "step": 1, "round": 1, "answer": {"type": "goal", "text": " "}, "confidence": "low"}, "text"),
        ({"type": "answer", "step": 1, "round": 1, "answer": {"type": "intervene", "intervene": True, "category": "vibes"}, "confidence": "low"}, "category"),
        ({"type": "answer", "step": 1, "round": 1, "answer": "works", "confidence": "low"}, "not an object"),
        ({"type": "bye", "reason": 3}, "reason"),
    ],
)
def test_anything_else_a_participant_sends_is_one_reason(message: dict[str, Any], reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason) as caught:
        parse_client(message)
    assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- what a host sends, read back as hostile


def test_every_host_message_reads_back_as_built(tmp_path: Path) -> None:
    lesson = load_lesson(STEERING / "tests-that-lie")
    session = GroupSession(lesson, min_group=1)
    session.join("Ann")
    session.advance()
    frame = session.frame()
    assert isinstance(frame, AskFrame)
    info = LessonInfo("tests-that-lie", "Tests that lie", "Fix it.", "a" * 64, 15)
    built = [
        says.welcome("p1", "secret", info, 3),
        says.state(State(Phase.REVOTE_OPEN, 6, 2, 1, 4, True)),
        says.ask(frame.number, frame),
        says.received(6, 2),
        says.refused(6, 1, "this round is closed"),
        says.distribution(Distribution(6, 1, 4, (("let it run", 1), ("step in: test", 3)))),
        says.distribution(Distribution(6, 2, 2, None)),
        says.reveal(6, lesson.steps[5]),
        says.farewell("the host closed the session"),
    ]
    read = [parse_host(decode_line(encode_within(message), MAX_HOST_LINE)) for message in built]
    assert read[0] == Welcome("p1", "secret", info, 3)
    assert read[1] == State(Phase.REVOTE_OPEN, 6, 2, 1, 4, True)
    assert isinstance(read[2], Ask) and read[2].frame == frame
    assert read[3] == Received(6, 2) and read[4] == Refused(6, 1, "this round is closed")
    assert read[5] == Distribution(6, 1, 4, (("let it run", 1), ("step in: test", 3))) and read[6] == Distribution(6, 2, 2, None)
    assert read[7] == Reveal(6, lesson.steps[5]) and read[8] == Farewell("the host closed the session")


def test_an_unknown_host_message_or_key_is_passed_over() -> None:
    assert parse_host({"type": "confetti", "colour": "red"}) is None
    state = parse_host({"type": "state", "phase": "lobby", "step": None, "round": None, "answered": 0, "expected": 2, "paused": False, "mood": "calm"})
    assert state == State(Phase.LOBBY, None, None, 0, 2, False)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"type": "state", "phase": "party", "step": None, "round": None, "answered": 0, "expected": 0, "paused": False}, "phase"),
        ({"type": "state", "phase": "open", "step": 1, "round": 1, "answered": -1, "expected": 0, "paused": False}, "count"),
        ({"type": "state", "phase": "open", "step": 1, "round": 1, "answered": 0, "expected": 0, "paused": "no"}, "paused"),
        ({"type": "welcome", "participant": "p1", "rejoin": "s", "lesson": {"id": "x", "title": "t", "task": "", "digest": "zz", "steps": 3}, "min_group": 3}, "digest"),
        ({"type": "welcome", "participant": "p1", "rejoin": "s", "lesson": {"id": "x", "title": "t", "task": "", "digest": "a" * 64, "steps": 0}, "min_group": 3}, "steps"),
        ({"type": "ask", "step": 2, "ask": {"number": 3, "type": "outcome", "prompt": "p"}}, "differ"),
        ({"type": "ask", "step": 3, "ask": {"number": 3, "type": "choice", "prompt": "p", "options": ["only one"]}}, "two options"),
        ({"type": "ask", "step": 3, "ask": {"number": 3, "type": "intervene", "prompt": "p", "proposal": {"id": "s2", "kind": "note", "text": "x"}}}, "agent step"),
        ({"type": "ask", "step": 3, "ask": {"number": 3, "type": "outcome", "prompt": "p", "call": {"id": "Bad Id", "tool": "run"}}}, "call"),
        ({"type": "ask", "step": 3, "ask": {"number": 3, "type": "intervene", "prompt": "p", "categories": ["vibes"]}}, "category"),
        ({"type": "distribution", "step": 3, "round": 3, "counts": None, "n": 1}, "round"),
        ({"type": "distribution", "step": 3, "round": 1, "counts": {"works": "lots"}, "n": 1}, "count"),
        ({"type": "reveal", "step": 3, "content": {"id": "s3", "kind": "note", "text": "x", "sneaky": True}}, "not a lesson step"),
        ({"type": "reveal", "step": 3, "content": "a step"}, "not a lesson step"),
        ({"type": "bye"}, "reason"),
    ],
)
def test_a_malformed_host_message_is_one_reason(message: dict[str, Any], reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason) as caught:
        parse_host(message)
    assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- spreads, floods, codes


def test_a_spread_below_the_minimum_group_has_no_counts() -> None:
    answers = [OutcomeAnswer(True), OutcomeAnswer(False)]
    assert distribution(4, 1, AskType.OUTCOME, answers, 3) == Distribution(4, 1, 2, None)
    shown = distribution(4, 1, AskType.OUTCOME, [*answers, OutcomeAnswer(False)], 3)
    assert shown.counts == (("works", 1), ("fails", 2)) and not shown.hidden


def test_labels_are_the_tally_files_and_follow_the_form_order() -> None:
    answers = [
        InterveneAnswer(True, Category.TEST),
        InterveneAnswer(False, Category.SAFETY),  # letting it run: a category means nothing
        InterveneAnswer(True),
        InterveneAnswer(True, Category.GOAL),
    ]
    spread = distribution(6, 1, AskType.INTERVENE, answers, 1)
    assert spread.counts == (("let it run", 1), ("step in: goal", 1), ("step in: test", 1), ("step in", 1))
    choice = distribution(7, 2, AskType.CHOICE, [ChoiceAnswer(2), ChoiceAnswer(0), ChoiceAnswer(2)], 1, options=3)
    assert choice.counts == (("option 0", 1), ("option 2", 2))
    assert distribution(1, 1, AskType.GOAL, [GoalAnswer("a"), GoalAnswer("b")], 1).counts == ()


def test_the_bucket_takes_a_burst_then_twenty_a_second() -> None:
    bucket = TokenBucket(0.0)
    assert all(bucket.take(0.0) for _ in range(40))
    assert not bucket.take(0.0)
    assert bucket.take(0.05) and not bucket.take(0.05)  # a twentieth of a second refills one line
    assert all(bucket.take(1.05) for _ in range(20)) and not bucket.take(1.05)


def test_join_codes() -> None:
    assert parse_join_code(join_code("127.0.0.1", 4123, "NdgkU0J1fjWPThHdjvsc8g")) == ("127.0.0.1", 4123, "NdgkU0J1fjWPThHdjvsc8g")
    assert parse_join_code(join_code("::1", 4123, "NdgkU0J1fjWPThHdjvsc8g")) == ("::1", 4123, "NdgkU0J1fjWPThHdjvsc8g")
    for bad in ("", "127.0.0.1:4123", "127.0.0.1/NdgkU0J1fjWPThHdjvsc8g", "127.0.0.1:99999/NdgkU0J1fjWPThHdjvsc8g", "127.0.0.1:80/short", "a b:80/NdgkU0J1fjWPThHdjvsc8g", "h:80/Ndgk%0J1fjWPThHdjvsc8g"):
        with pytest.raises(ProtocolError, match="HOST:PORT/TOKEN"):
            parse_join_code(bad)


# ---------------------------------------------------------------- the host's state machine


def _messages(outgoing: list[tuple[str | None, dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    return [message for _, message in outgoing if message["type"] == kind]


def _spoiler_session(tmp_path: Path, min_group: int = 1) -> GroupSession:
    lesson = load_lesson(write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data()))
    return GroupSession(lesson, min_group=min_group, digest=lesson_digest(lesson))


def test_the_fixed_order_of_phases_with_a_discussion_and_a_revote(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    seat, joined = session.join("Ann")
    assert [message["type"] for _, message in joined] == ["welcome", "state"]
    seen = [(session.phase, session.state().step, session.round)]
    moves = ["advance"] * 8 + ["discuss"] + ["advance"] * 7
    for move in moves:
        getattr(session, move)()
        seen.append((session.phase, session.state().step, session.round))
    assert seen == [
        (Phase.LOBBY, None, None),
        (Phase.OPEN, 1, 1), (Phase.CLOSED, 1, 1), (Phase.REVEALED, 1, 1),
        (Phase.OPEN, 4, 1), (Phase.CLOSED, 4, 1), (Phase.REVEALED, 4, 1),
        (Phase.OPEN, 6, 1), (Phase.CLOSED, 6, 1), (Phase.DISCUSS, 6, 1), (Phase.REVOTE_OPEN, 6, 2), (Phase.REVOTE_CLOSED, 6, 2), (Phase.REVEALED, 6, 2),
        (Phase.OPEN, 7, 1), (Phase.CLOSED, 7, 1), (Phase.REVEALED, 7, 1),
        (Phase.ENDED, None, None),
    ]
    assert seat.id == "p1"
    with pytest.raises(SessionError):
        session.advance()


def test_each_move_sends_content_before_the_state_that_announces_it(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    session.join("Ann")
    opened = session.advance()
    assert [m["type"] for _, m in opened] == ["ask", "state"] and all(to is EVERYONE for to, _ in opened)
    assert [m["type"] for _, m in session.advance()] == ["distribution", "state"]
    assert [m["type"] for _, m in session.advance()] == ["reveal", "state"]
    # Steps 2 and 3 come before the outcome ask of step 4, in order.
    assert [(m["type"], m.get("step")) for _, m in session.advance()] == [("reveal", 2), ("reveal", 3), ("ask", 4), ("state", 4)]


def test_the_agent_steps_note_waits_for_the_intervene_ask_and_is_then_sent_again(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    sent = [message for _ in range(7) for _, message in session.advance()]  # up to the intervene ask of step 6, open
    assert session.phase is Phase.OPEN and session.state().step == 6
    first = [m for m in sent if m["type"] == "reveal" and m["step"] == 5]
    assert len(first) == 1 and "annotation" not in first[0]["content"]
    (ask,) = [m for m in sent if m["type"] == "ask" and m["step"] == 6]
    assert ask["ask"]["proposal"]["text"].startswith("AGENT-TEXT-HIDDEN-5") and "annotation" not in ask["ask"]["proposal"]
    session.advance()
    reveals = _messages(session.advance(), "reveal")
    assert [m["step"] for m in reveals] == [6, 5]  # the ask's step first, then its proposal whole
    assert reveals[1]["content"]["annotation"] == "NOTE-HIDDEN-5"


def test_late_answers_are_refused_and_one_answer_a_round_is_taken(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    ann, _ = session.join("Ann")
    bob, _ = session.join("Bob")
    early = session.answer(ann.id, AnswerMessage(1, 1, GoalAnswer("too early")))
    assert _messages(early, "refused")[0]["reason"] == "not the question being asked now"
    session.advance()
    taken = session.answer(ann.id, AnswerMessage(1, 1, GoalAnswer("make test_coupon pass")))
    assert [(to, m["type"]) for to, m in taken] == [(ann.id, "received"), (EVERYONE, "state")]
    assert _messages(taken, "state")[0]["answered"] == 1
    again = session.answer(ann.id, AnswerMessage(1, 1, GoalAnswer("changed my mind")))
    assert _messages(again, "refused")[0]["reason"] == "you answered this round already"
    assert _messages(session.answer(bob.id, AnswerMessage(1, 2, GoalAnswer("x"))), "refused")[0]["reason"] == "not the question being asked now"
    session.advance()
    late = session.answer(bob.id, AnswerMessage(1, 1, GoalAnswer("late")))
    assert late == [(bob.id, {"type": "refused", "step": 1, "round": 1, "reason": "this round is closed"})]
    assert session.played[0].answers[1] == {ann.id: GoalAnswer("make test_coupon pass")}


def test_answers_that_do_not_fit_the_ask_are_refused_without_a_word_of_the_step(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    ann, _ = session.join("Ann")
    for _ in range(10):
        session.advance()
    assert session.phase is Phase.OPEN and session.state().step == 7
    wrong_type = _messages(session.answer(ann.id, AnswerMessage(7, 1, OutcomeAnswer(True))), "refused")[0]["reason"]
    out_of_range = _messages(session.answer(ann.id, AnswerMessage(7, 1, ChoiceAnswer(5))), "refused")[0]["reason"]
    assert wrong_type == "an outcome answer to a choice question" and out_of_range == "option 5 does not exist (0 to 2)"
    for reason in (wrong_type, out_of_range):
        assert "s8" not in reason and not any(hidden in reason for hidden in HIDDEN_TEXTS)


def test_pausing_stops_answers_and_moves_until_resumed(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    ann, _ = session.join("Ann")
    session.advance()
    paused = session.toggle_pause()
    assert _messages(paused, "state")[0]["paused"] is True
    assert _messages(session.answer(ann.id, AnswerMessage(1, 1, GoalAnswer("x"))), "refused")[0]["reason"] == "paused: the host will resume"
    assert not session.can_advance
    with pytest.raises(SessionError):
        session.advance()
    session.toggle_pause()
    assert session.can_advance and _messages(session.answer(ann.id, AnswerMessage(1, 1, GoalAnswer("x"))), "received")


def test_a_discussion_starts_only_after_the_first_vote_closes(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    with pytest.raises(SessionError):
        session.discuss()
    session.advance()
    assert not session.can_discuss
    session.advance()
    assert session.can_discuss
    session.discuss()
    assert not session.can_discuss


def test_spreads_below_the_minimum_group_are_sent_without_counts(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path, min_group=3)
    seats = [session.join(name)[0] for name in ("Ann", "Bob", "Cy")]
    for _ in range(4):
        session.advance()  # step 4's outcome ask is open
    for seat in seats[:2]:
        session.answer(seat.id, AnswerMessage(4, 1, OutcomeAnswer(False)))
    spread = _messages(session.advance(), "distribution")[0]
    assert spread == {"type": "distribution", "step": 4, "round": 1, "counts": None, "n": 2}
    session.discuss()
    session.advance()
    for seat in seats:
        session.answer(seat.id, AnswerMessage(4, 2, OutcomeAnswer(False)))
    assert _messages(session.advance(), "distribution")[0]["counts"] == {"fails": 3}


def test_a_rejoining_seat_is_sent_what_it_needs_and_whether_it_answered(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    ann, _ = session.join("Ann")
    for _ in range(4):
        session.advance()
    session.answer(ann.id, AnswerMessage(4, 1, OutcomeAnswer(False)))
    dropped = session.disconnected(ann.id, left=False)
    assert _messages(dropped, "state")[0] == says.state(State(Phase.OPEN, 4, 1, 1, 1, False))  # her answer still counts
    assert session.seat_for(ann.secret) is ann and session.seat_for("guess") is None
    back = session.rejoin(ann.id)
    kinds = [(m["type"], m.get("step")) for _, m in back]
    assert kinds == [("welcome", None), ("reveal", 1), ("reveal", 2), ("reveal", 3), ("ask", 4), ("received", 4), ("state", 4)]
    assert back[0][1]["rejoin"] == ann.secret and back[0][1]["participant"] == ann.id


def test_nothing_a_session_sends_before_a_reveal_holds_that_step(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    ann, joined = session.join("Ann")
    sent = [message for _, message in joined]
    while session.phase is not Phase.ENDED:
        out = session.advance()
        sent += [message for _, message in out]
        if session.phase is Phase.OPEN:
            session.disconnected(ann.id, left=False)
            sent += [message for _, message in session.rejoin(ann.id)]  # a catch-up must not leak either
    wire = b"".join(encode(message) for message in sent)
    from tests.helpers.group_support import spoilers_before_reveal

    assert spoilers_before_reveal(wire) == []
    assert all(hidden.encode() in wire for hidden in HIDDEN_TEXTS)  # each was sent, once its time came
    assert NEVER_SENT.encode() not in wire


def test_the_tally_holds_each_revealed_asks_full_counts(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path, min_group=5)
    ann, _ = session.join("Ann")
    bob, _ = session.join("Bob")
    session.advance()
    session.answer(ann.id, AnswerMessage(1, 1, GoalAnswer("a goal")))
    session.advance()
    session.advance()
    session.advance()
    session.answer(ann.id, AnswerMessage(4, 1, OutcomeAnswer(True)))
    session.answer(bob.id, AnswerMessage(4, 1, OutcomeAnswer(False)))
    session.advance()  # closed, not revealed: not in the tally yet
    tally = session.tally(handle="local", session="20250101000000-abcdef", started="2025-01-01T00:00:00+00:00", finished=None)
    assert [(ask.step, ask.type, [(r.round, r.n, dict(r.counts)) for r in ask.rounds]) for ask in tally.asks] == [("s1", AskType.GOAL, [(1, 1, {})])]
    session.advance()
    tally = session.tally(handle="local", session="20250101000000-abcdef", started="2025-01-01T00:00:00+00:00", finished=None)
    assert [(ask.step, [dict(r.counts) for r in ask.rounds]) for ask in tally.asks][1] == ("s4", [{"works": 1, "fails": 1}])
    assert tally.participants == 2 and tally.digest == session.info.digest
    from tutor.team.tallies import parse_tally, to_json

    assert parse_tally(to_json(tally), source="t") == tally


def test_the_host_looks_back_without_moving_anyone(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    for _ in range(4):
        session.advance()
    session.show(2)
    frame = session.frame()
    assert isinstance(frame, StepFrame) and frame.number == 2
    session.show(None)
    assert isinstance(session.frame(), AskFrame)
    with pytest.raises(SessionError):
        session.show(6)


def test_names_are_shown_on_one_line_and_kept_apart(tmp_path: Path) -> None:
    session = _spoiler_session(tmp_path)
    first, _ = session.join("Ann\x1b[31m")
    second, _ = session.join("ann\x1b[31m")
    assert "\x1b" not in first.name and first.name != second.name and second.name.endswith("(2)")
    assert json.dumps(first.name)  # plain text
