"""This member's finished attempts at a team's lessons, written as result files (`tutor.result/1`).

One file per attempt at `results/<lesson>/<digest12>/<handle>/<attempt>.json` in the member's
clone (`docs/team-format.md`), written only by this member. An attempt is graded again from the
saved answers against the lesson it was taken on (the team's lesson of that digest): a finished
attempt at a lesson that has changed since is not shared (it cannot be graded faithfully) and is
counted instead. A file is rewritten only when its content changed (a judgement arrived since).
The learner's own words go in `text` only when the team allows it and the member opted in, and
always through the redactor.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.learn import AttemptState, Replay
from tutor.learn.answers import ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer
from tutor.learn.grading import Grade
from tutor.lesson import Lesson
from tutor.lesson.io import lesson_digest, write_atomic
from tutor.settings import TeamMembership
from tutor.lesson.untrusted import one_line
from tutor.team import KeyPointVerdict, ResultAnswer, ResultFile, TeamFormatError, TeamLayout, parse_result, read_team_config, to_json
from tutor.team.folder import is_safe_slug
from tutor.team.results import MAX_RESULT_BYTES, MAX_SECONDS, shared_words, within_limits
from tutor.team.sessions import own_folder, read_team_file

if TYPE_CHECKING:
    from tutor.store.progress import AttemptRecord, Progress


@dataclass
class ResultsWritten:
    """What writing this member's result files did."""

    written: list[Path] = field(default_factory=list)  # new or changed files
    unchanged: int = 0  # already in the clone as they are
    lesson_changed: int = 0  # finished attempts at a version of a lesson the team no longer has
    problems: list[str] = field(default_factory=list)


def team_lessons(team_root: Path) -> dict[str, tuple[Path, Lesson, str]]:
    """The team's readable lessons by progress key (`tutor.services.lesson_keys.lesson_key`): (folder, lesson, digest)."""
    from tutor.lesson.curriculum import discover_curricula
    from tutor.services.lesson_keys import lesson_key

    found: dict[str, tuple[Path, Lesson, str]] = {}
    for curriculum in discover_curricula([TeamLayout(team_root).curricula]):
        for read in curriculum.read_lessons():
            if read.lesson is not None and not read.problems:
                found[lesson_key(read.path, read.lesson.id)] = (read.path, read.lesson, lesson_digest(read.lesson))
    return found


def write_member_results(team: TeamMembership, progress: Progress) -> ResultsWritten:
    """Write a result file for each of this member's finished attempts at the team's lessons."""
    config = read_team_config(team.path)
    share_text = config.share_words and team.share_words
    redact = _redactor() if share_text else None
    layout = TeamLayout(team.path.resolve())
    lessons = team_lessons(layout.root)
    # A group replay's attempt is keyed by the host's lesson version (`group:<digest>`): it is this
    # team's when the team has that version of the lesson.
    from .group_attempt import attempt_key

    lessons |= {attempt_key(digest): (folder, lesson, digest) for folder, lesson, digest in list(lessons.values())}
    done = ResultsWritten()
    for record in progress.attempts():
        if not record.finished or record.key not in lessons:
            continue
        _, lesson, digest = lessons[record.key]
        if record.digest != digest:
            done.lesson_changed += 1
            continue
        if not is_safe_slug(record.id):
            done.problems.append(f"attempt {record.id!r} has an id that cannot name a file; not shared")
            continue
        result = attempt_result(progress, record, lesson, team.handle, redact=redact)
        path = layout.result_path(lesson.id, digest, team.handle, record.id)
        shared = _shared_before(layout.root, path)
        # When it finished is when it was first shared: looking through a finished attempt later
        # saves it again, and must not make a new version of its file for the team.
        finished = _finished_in(shared, path)
        if finished is not None:
            result = replace(result, finished=finished)
        text = to_json(result)
        try:
            if shared == text.encode("utf-8"):
                done.unchanged += 1
                continue
            # A folder at a time, never through a link: any teammate can commit a link where this
            # member's results go (`results/<lesson>`, say), to have them written outside the clone.
            own_folder(layout.root, *path.parent.relative_to(layout.root).parts)
            write_atomic(path, text.encode("utf-8"))
        except TeamFormatError as error:
            done.problems.append(f"{error}; not shared")
            continue
        except OSError as error:
            done.problems.append(f"{one_line(str(path), limit=200)}: cannot write it ({error.strerror or error})")
            continue
        done.written.append(path)
    return done


def _shared_before(root: Path, path: Path) -> bytes | None:
    """The result file at `path` as this member last wrote it (read as any file in the team folder:
    bounded, no link); None when there is none to go by (missing, a link, too large)."""
    try:
        return read_team_file(root, path, limit=MAX_RESULT_BYTES, name="a result file")
    except TeamFormatError:
        return None


def _finished_in(data: bytes | None, path: Path) -> str | None:
    """The `finished` of a result file's content, when it reads as one."""
    if data is None:
        return None
    try:
        return parse_result(data, source=str(path)).finished
    except TeamFormatError:
        return None


def _redactor() -> Any:
    from tutor.redaction import Redactor

    return Redactor.from_environment().redact


def attempt_result(progress: Progress, record: AttemptRecord, lesson: Lesson, handle: str, *, redact: Any = None) -> ResultFile:
    """One finished attempt as the team sees it: each answered or skipped ask, graded again from what was saved."""
    state = AttemptState.from_data(progress.load_state(record.id))
    replay = Replay(lesson, state, record.digest)
    seconds = progress.answer_seconds(record.id)
    answers = []
    for grade in replay.grades():
        committed = state.committed.get(grade.step_id)
        answers.append(_answer(grade, committed.answer if committed else None, seconds.get(grade.step_id), redact))
    result = ResultFile(
        lesson=lesson.id,
        digest=record.digest,
        handle=handle,
        attempt=record.id,
        finished=_finished(record.updated),
        answers=tuple(answers),
    )
    return within_limits(result)  # a file a teammate's Tutor would refuse shares nothing


def _answer(grade: Grade, answer: Any, seconds: float | None, redact: Any) -> ResultAnswer:
    verdicts = tuple(
        KeyPointVerdict(index, verdict.value) for index, verdict in enumerate(grade.verdicts()) if verdict is not None
    )
    text = None
    if redact is not None and isinstance(answer, GoalAnswer | InterveneAnswer) and answer.text.strip():
        text = shared_words(redact(answer.text))
    return ResultAnswer(
        step=grade.step_id,
        type=grade.ask_type,
        skipped=grade.skipped,
        confidence=None if grade.skipped else grade.confidence,
        score=None if grade.skipped or grade.pending else round(grade.score, 6),
        missed=grade.missed,
        works=answer.works if isinstance(answer, OutcomeAnswer) else None,
        choice=answer.index if isinstance(answer, ChoiceAnswer) else None,
        intervene=answer.intervene if isinstance(answer, InterveneAnswer) else None,
        category=answer.category if isinstance(answer, InterveneAnswer) and answer.intervene else None,
        decision_correct=grade.decision_correct if isinstance(answer, InterveneAnswer) else None,
        key_points=verdicts,
        seconds=None if seconds is None else min(max(seconds, 0.0), MAX_SECONDS),
        text=text,
    )


def _finished(stamp: str) -> str:
    """The attempt's last save as ISO 8601 with a UTC offset (the store writes UTC)."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")
