"""Result files (`tutor.result/1`): one learner's answers in one attempt at one version of a lesson.

Written by one member, read by every other: `parse_result` treats the file as hostile. It is
bounded (`MAX_RESULT_BYTES`), every field is checked for type and range, an unknown `format`
is refused, unknown extra fields are ignored (a newer Tutor may add some), and every refusal
is one `TeamFormatError` line naming the file and the field. `lesson`, `handle` and `attempt`
are checked as safe slugs, so they may be compared with, or used in, a path.

The schema, field by field, is in `docs/team-format.md`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NoReturn

from tutor.lesson.limits import MAX_FIELD_CHARS, Refused, problem_text, read_regular, size_text
from tutor.lesson.taxonomy import AskType, Category, Confidence
from tutor.lesson.untrusted import one_line

from .folder import TeamFormatError, is_digest, is_safe_slug

RESULT_FORMAT = "tutor.result/1"
MAX_RESULT_BYTES = 1024 * 1024
MAX_ANSWERS = 1000
MAX_KEY_POINTS = 100
MAX_SECONDS = 7 * 24 * 3600.0  # a week on one question: more is not a time anyone took

# A judge's verdict on one key point. The vocabulary is `tutor.learn.judging.Verdict`'s; it is
# spelled out here because tutor.team is pure and imports only tutor.lesson
# (tests/unit/test_team_format.py checks that the two agree).
KEY_POINT_VERDICTS = frozenset({"covered", "partly", "missed", "contradicted", "unsure"})


@dataclass(frozen=True)
class KeyPointVerdict:
    index: int  # the key point's position in the step's list, from 0
    verdict: str  # one of KEY_POINT_VERDICTS


@dataclass(frozen=True)
class ResultAnswer:
    """One ask's answer, as the team sees it. Fields that do not apply to the ask are None."""

    step: str  # the step id
    type: AskType
    skipped: bool
    confidence: Confidence | None  # None when skipped
    score: float | None  # 0..1; None while a judgement is pending or when skipped
    missed: bool  # the ask comes back for review (a wrong or skipped answer)
    works: bool | None = None  # outcome: the learner's call
    choice: int | None = None  # choice: the option picked, from 0
    intervene: bool | None = None  # intervene: the learner stepped in
    category: Category | None = None  # intervene: why, when the learner stepped in
    decision_correct: bool | None = None  # intervene: the decision matched the senior's
    key_points: tuple[KeyPointVerdict, ...] = ()
    seconds: float | None = None  # from the question shown to the answer committed
    text: str | None = None  # the learner's own words: only if the team allows and they opted in


@dataclass(frozen=True)
class ResultFile:
    lesson: str  # the lesson id
    digest: str  # the lesson's digest, 64 hex digits: pools answers by version
    handle: str  # the member's pseudonymous handle in this team
    attempt: str  # the attempt id
    finished: str  # when the attempt finished: ISO 8601 with a UTC offset
    answers: tuple[ResultAnswer, ...]


def _answer_data(answer: ResultAnswer) -> dict[str, Any]:
    data: dict[str, Any] = {
        "step": answer.step,
        "type": answer.type.value,
        "skipped": answer.skipped,
        "confidence": answer.confidence.value if answer.confidence is not None else None,
        "score": answer.score,
        "missed": answer.missed,
        "works": answer.works,
        "choice": answer.choice,
        "intervene": answer.intervene,
        "category": answer.category.value if answer.category is not None else None,
        "decision_correct": answer.decision_correct,
        "key_points": [{"index": point.index, "verdict": point.verdict} for point in answer.key_points],
        "seconds": answer.seconds,
    }
    if answer.text is not None:
        data["text"] = answer.text
    return data


def to_json(result: ResultFile) -> str:
    """The file's text: keys in the documented order, UTF-8 as is, one newline at the end."""
    data = {
        "format": RESULT_FORMAT,
        "lesson": result.lesson,
        "digest": result.digest,
        "handle": result.handle,
        "attempt": result.attempt,
        "finished": result.finished,
        "answers": [_answer_data(answer) for answer in result.answers],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def shared_words(text: str) -> str:
    """A learner's own words as a result file carries them (`text`): whole UTF-8 characters (a lone
    surrogate cannot be written) and at most `MAX_FIELD_CHARS` (longer is refused by every reader)."""
    words = text.encode("utf-8", "replace").decode("utf-8")
    return words if len(words) <= MAX_FIELD_CHARS else words[: MAX_FIELD_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"


def within_limits(result: ResultFile) -> ResultFile:
    """`result` as a file every reader takes: at most `MAX_RESULT_BYTES`. Only the learner's words
    are optional, so they are left out, the longest first, until the file fits."""
    answers = list(result.answers)
    longest_first = sorted((index for index, answer in enumerate(answers) if answer.text), key=lambda index: -len(answers[index].text or ""))
    for index in longest_first:
        if len(to_json(replace(result, answers=tuple(answers))).encode("utf-8")) <= MAX_RESULT_BYTES:
            break
        answers[index] = replace(answers[index], text=None)
    return replace(result, answers=tuple(answers))


class _Fields:
    """Reads one JSON object's fields, each refusal naming the file and the field."""

    def __init__(self, data: object, where: str, path: str) -> None:
        self.where = where
        self.path = path
        if not isinstance(data, dict):
            self.fail(path or "the file", "must be a JSON object")
        self.data: dict[str, Any] = data

    def fail(self, field: str, problem: str) -> NoReturn:
        raise TeamFormatError(f"{self.where}: {field}: {problem}")

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, *, optional: bool = False) -> Any:
        if key not in self.data:
            if optional:
                return None
            self.fail(self.name(key), "missing")
        return self.data[key]

    def slug(self, key: str) -> str:
        value = self.get(key)
        if not is_safe_slug(value):
            self.fail(self.name(key), "must be lowercase letters, digits and '-', at most 120 characters")
        return str(value)

    def boolean(self, key: str, *, nullable: bool = False) -> Any:
        value = self.get(key, optional=nullable)
        if value is None and nullable:
            return None
        if not isinstance(value, bool):
            self.fail(self.name(key), "must be true or false" + (" or null" if nullable else ""))
        return value

    def whole(self, key: str, low: int, high: int, *, nullable: bool = False) -> Any:
        value = self.get(key, optional=nullable)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(self.name(key), f"must be a whole number from {low} to {high}" + (" or null" if nullable else ""))
        return value

    def number(self, key: str, low: float, high: float) -> float | None:
        value = self.get(key, optional=True)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
            self.fail(self.name(key), f"must be a number from {low:g} to {high:g} or null")
        return float(value)

    def choice_of(self, key: str, allowed: type[AskType] | type[Confidence] | type[Category], *, nullable: bool) -> Any:
        value = self.get(key, optional=nullable)
        if value is None and nullable:
            return None
        values = [member.value for member in allowed]
        if not isinstance(value, str) or value not in values:
            self.fail(self.name(key), "must be one of " + ", ".join(values) + (" or null" if nullable else ""))
        return allowed(value)


def _key_point(data: object, where: str, path: str) -> KeyPointVerdict:
    fields = _Fields(data, where, path)
    index = fields.whole("index", 0, MAX_KEY_POINTS - 1)
    verdict = fields.get("verdict")
    if not isinstance(verdict, str) or verdict not in KEY_POINT_VERDICTS:
        fields.fail(fields.name("verdict"), "must be one of " + ", ".join(sorted(KEY_POINT_VERDICTS)))
    return KeyPointVerdict(index=index, verdict=verdict)


def _answer(data: object, where: str, path: str) -> ResultAnswer:
    fields = _Fields(data, where, path)
    key_points = fields.get("key_points", optional=True)
    if key_points is None:
        key_points = []
    if not isinstance(key_points, list) or len(key_points) > MAX_KEY_POINTS:
        fields.fail(fields.name("key_points"), f"must be a list of at most {MAX_KEY_POINTS} objects")
    text = fields.get("text", optional=True)
    if text is not None and (not isinstance(text, str) or len(text) > MAX_FIELD_CHARS):
        fields.fail(fields.name("text"), f"must be a string of at most {MAX_FIELD_CHARS} characters, when present")
    return ResultAnswer(
        step=fields.slug("step"),
        type=fields.choice_of("type", AskType, nullable=False),
        skipped=fields.boolean("skipped"),
        confidence=fields.choice_of("confidence", Confidence, nullable=True),
        score=fields.number("score", 0.0, 1.0),
        missed=fields.boolean("missed"),
        works=fields.boolean("works", nullable=True),
        choice=fields.whole("choice", 0, 999, nullable=True),
        intervene=fields.boolean("intervene", nullable=True),
        category=fields.choice_of("category", Category, nullable=True),
        decision_correct=fields.boolean("decision_correct", nullable=True),
        key_points=tuple(_key_point(point, where, f"{fields.name('key_points')}[{i}]") for i, point in enumerate(key_points)),
        seconds=fields.number("seconds", 0.0, MAX_SECONDS),
        text=text,
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_result(text: str | bytes, *, source: str) -> ResultFile:
    """A result file's content (at most `MAX_RESULT_BYTES`) as a `ResultFile`; `source` names it in errors."""
    where = one_line(str(source), limit=200)
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_RESULT_BYTES:
        raise TeamFormatError(f"{where}: larger than {size_text(MAX_RESULT_BYTES)}; refusing to read it")
    try:
        # A byte order mark is what Windows editors put before UTF-8: a file written by hand has one.
        decoded = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise TeamFormatError(f"{where}: not UTF-8 text") from None
    try:
        data = json.loads(decoded, parse_constant=_refuse_constant)
    except RecursionError:
        raise TeamFormatError(f"{where}: nested too deeply to be a result file") from None
    except ValueError as error:  # JSONDecodeError, NaN, an integer too long to convert
        raise TeamFormatError(f"{where}: not valid JSON: {one_line(str(error), limit=200)}") from None
    fields = _Fields(data, where, "")
    if fields.get("format", optional=True) != RESULT_FORMAT:
        shown = fields.data.get("format")
        shown_text = one_line(shown, limit=60) if isinstance(shown, str) else json.dumps(shown)[:60]
        fields.fail("format", f"is {shown_text!r}; this Tutor reads {RESULT_FORMAT}")
    lesson = fields.slug("lesson")
    digest = fields.get("digest")
    if not is_digest(digest):
        fields.fail("digest", "must be 64 lowercase hex digits (the lesson's sha256 digest)")
    handle = fields.slug("handle")
    attempt = fields.slug("attempt")
    finished = fields.get("finished")
    if not isinstance(finished, str) or len(finished) > 64 or not _is_timestamp(finished):
        fields.fail("finished", "must be an ISO 8601 date and time with a UTC offset")
    answers = fields.get("answers")
    if not isinstance(answers, list) or len(answers) > MAX_ANSWERS:
        fields.fail("answers", f"must be a list of at most {MAX_ANSWERS} objects")
    return ResultFile(
        lesson=lesson,
        digest=digest,
        handle=handle,
        attempt=attempt,
        finished=finished,
        answers=tuple(_answer(answer, where, f"answers[{i}]") for i, answer in enumerate(answers)),
    )


def _is_timestamp(text: str) -> bool:
    """An ISO 8601 date and time with a UTC offset, that is a moment in UTC too: readers order
    attempts as moments, so `0001-01-01T00:00:00+01:00` (the year 0 in UTC) is not one."""
    try:
        moment = datetime.fromisoformat(text)
        return moment.tzinfo is not None and moment.astimezone(UTC) is not None
    except (ValueError, OverflowError):
        return False


def read_result(path: str | os.PathLike[str], *, within: str | os.PathLike[str] | None = None) -> ResultFile:
    """The result file at `path`: a regular file (inside `within`, the team folder, when given), bounded."""
    where = one_line(os.fspath(path), limit=200)
    try:
        raw = read_regular(path, limit=MAX_RESULT_BYTES, within=within, name="a result file", place="the team folder")
    except (Refused, OSError) as error:
        raise TeamFormatError(f"{where}: {problem_text(error)}") from None
    return parse_result(raw, source=os.fspath(path))
