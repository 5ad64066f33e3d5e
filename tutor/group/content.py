"""What a group replay sends of a lesson: an ask as solo replay shows it, and a step once revealed.

An ask is built from `tutor.learn.replay.AskFrame`, which holds nothing of its hidden step
(not its kind, text, note, why or answer key; see that class), so `ask_to_json` cannot leak
what the frame does not have. A revealed step is its object exactly as in `lesson.json`.
Both are read back on a participant's side as hostile: through `tutor.lesson`'s models.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from tutor.learn.replay import AskFrame
from tutor.lesson import AgentStep, AnyStep, AskType, Call, Category
from tutor.lesson.models import ShapeError, Step, parse, to_data
from tutor.lesson.shape import problem_line

from .wire import ProtocolError

MAX_OPTIONS = 1000  # as a tally file's option labels (`tutor.team.tallies.MAX_OPTION_INDEX`)


def step_content(step: AnyStep) -> dict[str, Any]:
    """A step's object as `lesson.json` holds it (the same keys, defaults left out as there)."""
    content: dict[str, Any] = to_data(step)
    return content


def step_from_content(data: object, what: str = "a reveal's content") -> AnyStep:
    """A step read from the wire with the lesson format's own models (unknown keys refused)."""
    if not isinstance(data, dict):
        raise ProtocolError(f"{what} is not a lesson step object")
    try:
        step: AnyStep = parse(data, Step)
    except ShapeError as error:
        raise ProtocolError(f"{what} is not a lesson step ({problem_line(data, Step, error)[:200]})") from None
    return step


def ask_to_json(frame: AskFrame) -> dict[str, Any]:
    """The `ask` of an `ask` message: the frame's fields, never its draft (a host has none to give)."""
    return {
        "number": frame.number,
        "type": frame.ask_type.value,
        "prompt": frame.prompt,
        "options": list(frame.options),
        "proposal": step_content(frame.proposal) if frame.proposal is not None else None,
        "call": to_data(frame.call) if frame.call is not None else None,
        "categories": [category.value for category in frame.categories],
    }


def ask_from_json(data: object) -> AskFrame:
    """An `ask` object read as hostile: every field typed, the proposal and the call through the lesson's models.

    Keys this version does not know are passed over, as in every host message (a newer host may say more)."""
    if not isinstance(data, dict):
        raise ProtocolError('an "ask" that is not an object')
    number = data.get("number")
    if not _is_int(number) or number < 1:
        raise ProtocolError('an "ask" whose "number" is not a step number')
    try:
        ask_type = AskType(data.get("type"))
    except ValueError:
        raise ProtocolError('an "ask" whose "type" is not goal, outcome, intervene or choice') from None
    prompt = data.get("prompt")
    if not isinstance(prompt, str):
        raise ProtocolError('an "ask" whose "prompt" is not text')
    options = data.get("options", [])
    if not isinstance(options, list) or len(options) > MAX_OPTIONS or not all(isinstance(option, str) for option in options):
        raise ProtocolError('an "ask" whose "options" are not a list of texts')
    if ask_type is AskType.CHOICE and len(options) < 2:
        raise ProtocolError('a choice "ask" with fewer than two options')
    proposal = data.get("proposal")
    agent: AgentStep | None = None
    if proposal is not None:
        step = step_from_content(proposal, 'an "ask"\'s "proposal"')
        if not isinstance(step, AgentStep):
            raise ProtocolError('an "ask" whose "proposal" is not an agent step')
        agent = step
    call = data.get("call")
    parsed_call: Call | None = None
    if call is not None:
        try:
            parsed_call = parse(call, Call)
        except ShapeError as error:
            raise ProtocolError(f'an "ask" whose "call" is not a call ({problem_line(call, Call, error)[:200]})') from None
    raw_categories = data.get("categories", [])
    if not isinstance(raw_categories, list):
        raise ProtocolError('an "ask" whose "categories" are not a list')
    try:
        categories = tuple(Category(value) for value in raw_categories)
    except ValueError:
        raise ProtocolError('an "ask" with an unknown category') from None
    return AskFrame(
        number=number,
        ask_type=ask_type,
        prompt=prompt,
        options=tuple(options),
        proposal=agent,
        call=parsed_call,
        categories=categories,
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
