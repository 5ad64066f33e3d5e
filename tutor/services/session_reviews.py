"""Seniors' reviews of live sessions: the trajectory to review, and the reviews beside it.

A session is the member's own or a teammate's shared with a team (`tutor.services.session_refs`:
where its journal is, where its reviews are read from, where one reviewer's is written). A
review of an own session lives at `$TUTOR_HOME/sessions/<id>/reviews/<reviewer-slug>.json`; of a
team's, at `<team>/reviews/<reviewer-handle>/<learner-handle>/<id>.json`, signed with the
reviewer's handle unless they give a name. Both are written atomically, one file per reviewer,
and never into the journal. What a reviewer types goes through the redactor before it is
stored, as everything of a session does. The reviews of an own session include those teammates
wrote of the copy the member shared, once a sync brought them. A review file that cannot be read
(in a team folder: too large, a link, not a review, or not of the session its path names) is one
line and left out; it never stops the others from showing.

The review screen reaches `tutor.record.session_trajectory` through this module only (an import
contract in .importlinter keeps `tutor.record` out of `tutor.ui`); it is loaded when first used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.lesson.untrusted import one_line
from tutor.services.live import SessionError, SessionSummary
from tutor.services.session_refs import (
    REVIEWS_DIR, OwnSession, SessionRef, TeamSession, as_ref, joined, resolve_session, shared_copies, team_places,
)
from tutor.team import TeamFormatError
from tutor.team.sessions import JOURNAL_FILE, MAX_REVIEW_BYTES, read_shared_info, read_team_json, review_files, own_folder

MAX_PROBLEM_LINES = 5  # a session's unreadable records named one by one; past that, counted

__all__ = [
    "OwnSession", "ReviewsRead", "SessionEntry", "SessionRef", "TeamSession", "TeamSessionsListed", "call_preview", "describe_decision",
    "list_session_entries", "list_team_session_entries", "load_review", "load_reviews", "load_trajectory", "new_mark", "new_review",
    "resolve_session", "result_output", "review_path", "reviewer_slug", "save_review",
]


@dataclass(frozen=True)
class ReviewsRead:
    reviews: tuple[Any, ...]  # tutor.record.session_trajectory.Review, sorted by reviewer
    problems: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()  # the file each review was read from, in the same order

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(review.reviewer for review in self.reviews)

    def stored_at(self, path: Path) -> Any:
        """The review read from `path` (where one reviewer writes theirs), or None."""
        return next((review for review, source in zip(self.reviews, self.sources, strict=True) if source == path), None)


@dataclass(frozen=True)
class SessionEntry:
    """A session as the library lists it: its summary and who has reviewed it."""

    summary: SessionSummary
    reviewers: tuple[str, ...] = ()
    marks: int = 0
    problems: tuple[str, ...] = ()
    session: SessionRef | None = None  # None: the member's own session `summary.id`

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def ref(self) -> SessionRef:
        return self.session if self.session is not None else OwnSession(self.summary.id)


@dataclass(frozen=True)
class TeamSessionsListed:
    """Teammates' shared sessions in every team joined, and one line per thing refused on the way."""

    entries: tuple[SessionEntry, ...]
    problems: tuple[str, ...] = ()


def load_trajectory(session: str | SessionRef) -> Any:
    """The session's trajectory (`tutor.record.session_trajectory.Trajectory`); SessionError for a bad id."""
    from dataclasses import replace

    from tutor.record.session_trajectory import trajectory_from_records

    ref = as_ref(session)
    records, problems = ref.records()
    try:
        trajectory = trajectory_from_records(records, session_id=ref.session_id)
    except Exception as error:  # noqa: BLE001 - a teammate's journal is hostile: whatever it holds, one line
        if isinstance(ref, OwnSession):
            raise
        raise SessionError(f"{ref.reference}: the shared journal cannot be read as a session ({one_line(str(error), limit=200)})") from None
    left_out = trajectory.problems
    if len(left_out) > MAX_PROBLEM_LINES:  # a hostile journal could hold a bad record on every line
        left_out = (*left_out[:MAX_PROBLEM_LINES], f"and {len(left_out) - MAX_PROBLEM_LINES} more records left out")
    return replace(trajectory, problems=(*problems, *left_out))


def review_path(session: str | SessionRef, reviewer: str) -> Path:
    """Where `reviewer`'s review of the session is written."""
    return as_ref(session).review_path(reviewer)


def load_reviews(session: str | SessionRef) -> ReviewsRead:
    """Every review of the session: beside an own session's journal and of its shared copies; in the team folder for a team's."""
    ref = as_ref(session)
    if isinstance(ref, TeamSession):
        return _sorted(_read_team_reviews(ref))
    found = _read_local_reviews(ref.folder)
    for copy in shared_copies(ref.session_id):
        found = _joined(found, _read_team_reviews(copy))
    return _sorted(found)


def load_review(session: str | SessionRef, reviewer: str) -> Any:
    """This reviewer's review of the session, or None when they have not saved one (or it is unreadable)."""
    ref = as_ref(session)
    return load_reviews(ref).stored_at(ref.review_path(reviewer))


def save_review(review: Any, *, clock: float | None = None, session: SessionRef | None = None) -> tuple[Any, Path]:
    """Write `review` (redacted, stamped with the time) to its reviewer's file; the review as stored, and where.

    `session` is the session reviewed (default: the member's own session `review.session`).
    """
    from dataclasses import replace

    from tutor.lesson.io import write_atomic
    from tutor.record.redact import Redactor
    from tutor.record.session_trajectory import Mark, stamp

    redact = Redactor.from_environment().redact
    stored = replace(
        review,
        reviewer=redact(review.reviewer),
        comment=redact(review.comment),
        marks=tuple(Mark(m.step, m.category, redact(m.comment)) for m in review.marks),
        at=stamp(clock),
    )
    ref = session if session is not None else OwnSession(stored.session)
    path = ref.review_path(stored.reviewer)  # a name is redacted before it can name a file
    payload = (json.dumps(stored.to_data(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    try:
        if isinstance(ref, TeamSession):
            # The member's own folders only, made one at a time: a teammate's link there is refused.
            own_folder(ref.root, REVIEWS_DIR, ref.team.handle, ref.learner)
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, payload)
    except TeamFormatError as error:
        raise SessionError(f"cannot write the review: {error}") from None
    except OSError as error:
        raise SessionError(f"{path}: cannot write the review ({error.strerror or error})") from None
    return stored, path


def reviewer_slug(name: str) -> str:
    """The review's file name: one file per reviewer, whatever characters their name has."""
    from tutor.record.session_trajectory import reviewer_slug as slug

    return slug(name)


def new_review(session_id: str, reviewer: str, *, seen_seq: int = 0) -> Any:
    """An empty review of the session by `reviewer` (a `tutor.record.session_trajectory.Review`)."""
    from tutor.record.session_trajectory import new_review as review

    return review(session_id, reviewer, seen_seq=seen_seq)


def new_mark(step: str, category: str, comment: str) -> Any:
    """"I would have intervened here" on `step` (a `tutor.record.session_trajectory.Mark`)."""
    from tutor.record.session_trajectory import Mark

    return Mark(step, category, comment)


def call_preview(call: Any) -> tuple[str, str]:
    """(kind, text) of what the agent proposed at a call step, as the gate showed it."""
    from tutor.record.session_trajectory import call_preview as preview

    return preview(call)


def describe_decision(call: Any, *, who: str = "The learner") -> list[str]:
    """The learner's side of a call step in plain lines: the prediction, the decision, the outcome."""
    from tutor.record.session_trajectory import describe_decision as describe

    return describe(call, who=who)


def result_output(call: Any) -> str:
    """What a call step's result printed, then its error if it had one."""
    from tutor.record.session_trajectory import result_output as output

    return output(call)


def list_session_entries() -> list[SessionEntry]:
    """Every live session of this member (pair and record), newest first, with its reviewers: those
    beside it and, once a sync brought them, teammates' reviews of the copies shared with teams."""
    from tutor.services.live import list_sessions

    entries = []
    for summary in list_sessions():
        ref = OwnSession(summary.id)
        try:
            read = load_reviews(ref)
        except SessionError as error:  # the session went between listing and reading
            read = ReviewsRead((), (str(error),))
        entries.append(_entry(summary, read))
    return entries


def list_team_session_entries() -> TeamSessionsListed:
    """The sessions teammates shared with every team joined (not this member's own shares), newest
    first, each with its summary (from its `shared.json`) and its reviewers, read from the clones."""
    teams, problems = joined()
    entries: list[SessionEntry] = []
    for team, team_name in teams:
        places, refused = team_places(team)
        problems.extend(refused)
        for place in places:
            if place.handle == team.handle or not (place.folder / JOURNAL_FILE).is_file():
                continue
            ref = TeamSession(place.session_id, place.handle, team, team_name)
            summary, trouble = _shared_summary(ref)
            read = _sorted(_read_team_reviews(ref))
            entries.append(_entry(summary, read, session=ref, problems=trouble))
    entries.sort(key=lambda entry: entry.summary.started, reverse=True)
    return TeamSessionsListed(tuple(entries), tuple(problems))


def _entry(summary: SessionSummary, read: ReviewsRead, *, session: SessionRef | None = None, problems: tuple[str, ...] = ()) -> SessionEntry:
    marks = sum(len(review.marks) for review in read.reviews)
    return SessionEntry(summary, read.reviewers, marks, (*problems, *read.problems), session)


def _shared_summary(ref: TeamSession) -> tuple[SessionSummary, tuple[str, ...]]:
    """The session as its `shared.json` describes it; with a line, and no more than its id, when that cannot be read."""
    try:
        info = read_shared_info(ref.root, ref.learner, ref.session_id)
    except TeamFormatError as error:
        return SessionSummary(ref.session_id, "?", "", "", "", "", "", "", 0.0), (str(error),)
    return SessionSummary(ref.session_id, info.mode or "?", info.task, info.goal, "", "", info.phase, info.tally, info.started), ()


# -- reading reviews

_Found = tuple[list[tuple[Any, Path]], list[str]]


def _joined(first: _Found, second: _Found) -> _Found:
    return first[0] + second[0], first[1] + second[1]


def _sorted(found: _Found) -> ReviewsRead:
    reviews, problems = found
    reviews = sorted(reviews, key=lambda pair: (pair[0].reviewer.lower(), str(pair[1])))
    return ReviewsRead(tuple(review for review, _ in reviews), tuple(problems), tuple(path for _, path in reviews))


def _read_local_reviews(folder: Path) -> _Found:
    """The reviews beside an own session's journal (written by this member's Tutor)."""
    from tutor.record.session_trajectory import Review, ReviewFormatError

    where = folder / REVIEWS_DIR
    found: _Found = ([], [])
    if not where.is_dir():
        return found
    for path in sorted(where.glob("*.json")):
        try:
            found[0].append((Review.from_data(json.loads(path.read_text(encoding="utf-8"))), path))
        except (OSError, UnicodeDecodeError) as error:
            found[1].append(f"{path}: cannot read it ({getattr(error, 'strerror', None) or error}), skipped")
        except json.JSONDecodeError as error:
            found[1].append(f"{path}: not valid JSON (line {error.lineno}), skipped")
        except ReviewFormatError as error:
            found[1].append(f"{path}: not a session review ({error}), skipped")
    return found


def _read_team_reviews(ref: TeamSession) -> _Found:
    """The reviews of a shared session in its team folder, each read as hostile and kept only when it
    is of the session its path names."""
    from dataclasses import replace

    from tutor.record.session_trajectory import Review, ReviewFormatError

    try:
        files, problems = review_files(ref.root, ref.learner, ref.session_id)
    except TeamFormatError as error:
        return [], [str(error)]
    found: _Found = ([], list(problems))
    for _reviewer, path in files:
        where = one_line(str(path.relative_to(ref.root)), limit=200)
        try:
            review = Review.from_data(read_team_json(ref.root, path, limit=MAX_REVIEW_BYTES, name="a review"))
        except TeamFormatError as error:
            found[1].append(f"{error}, skipped")
            continue
        except ReviewFormatError as error:
            found[1].append(f"{where}: not a session review ({one_line(str(error), limit=200)}), skipped")
            continue
        if review.session != ref.session_id:
            found[1].append(f"{where}: a review of another session than its path names, skipped")
            continue
        # A teammate's name for themselves is shown on one line wherever it appears.
        found[0].append((replace(review, reviewer=one_line(review.reviewer, limit=80)), path))
    return found
