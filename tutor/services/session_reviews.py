"""Seniors' reviews of learners' live sessions: the trajectory to review, and the reviews beside it.

A review lives at `$TUTOR_HOME/sessions/<id>/reviews/<reviewer-slug>.json`, written
atomically, one file per reviewer; the journal next to it is the learner's record and is
never written here. What a reviewer types goes through the redactor before it is stored,
as everything of a session does. A review file that cannot be read is reported in one
line and left out; it never stops the others from showing.

The review screen reaches `tutor.record.session_trajectory` through this module only (an import
contract in .importlinter keeps `tutor.record` out of `tutor.ui`); it is loaded when first used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.services.live import SessionError, SessionSummary

REVIEWS_DIR = "reviews"


@dataclass(frozen=True)
class ReviewsRead:
    reviews: tuple[Any, ...]  # tutor.record.session_trajectory.Review, sorted by reviewer
    problems: tuple[str, ...] = ()

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(review.reviewer for review in self.reviews)


@dataclass(frozen=True)
class SessionEntry:
    """A session as the library lists it: its summary and who has reviewed it."""

    summary: SessionSummary
    reviewers: tuple[str, ...] = ()
    marks: int = 0
    problems: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.summary.id


def session_folder(session_id: str) -> Path:
    from tutor.services.live import _existing_journal

    return _existing_journal(session_id).parent


def load_trajectory(session_id: str) -> Any:
    """The session's trajectory (`tutor.record.session_trajectory.Trajectory`); SessionError for a bad id."""
    from tutor.record.session_trajectory import trajectory_from_records
    from tutor.services.live import session_records

    return trajectory_from_records(session_records(session_id), session_id=session_id)


def review_path(session_id: str, reviewer: str) -> Path:
    from tutor.record.session_trajectory import reviewer_slug

    return session_folder(session_id) / REVIEWS_DIR / f"{reviewer_slug(reviewer)}.json"


def load_reviews(session_id: str) -> ReviewsRead:
    return _read_reviews(session_folder(session_id))


def load_review(session_id: str, reviewer: str) -> Any:
    """This reviewer's review of the session, or None when they have not saved one (or it is unreadable)."""
    from tutor.record.session_trajectory import reviewer_slug

    slug = reviewer_slug(reviewer)
    read = load_reviews(session_id)
    return next((review for review in read.reviews if reviewer_slug(review.reviewer) == slug), None)


def save_review(review: Any, *, clock: float | None = None) -> tuple[Any, Path]:
    """Write `review` (redacted, stamped with the time) to its reviewer's file; the review as stored, and where."""
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
    path = review_path(stored.session, stored.reviewer)  # a name is redacted before it can name a file
    payload = (json.dumps(stored.to_data(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, payload)
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
    """Every live session (pair and record), newest first, with its reviewers."""
    from tutor import paths
    from tutor.services.live import list_sessions

    entries = []
    root = paths.sessions_dir()
    for summary in list_sessions():
        read = _read_reviews(root / summary.id)
        marks = sum(len(review.marks) for review in read.reviews)
        entries.append(SessionEntry(summary, read.reviewers, marks, read.problems))
    return entries


def _read_reviews(folder: Path) -> ReviewsRead:
    from tutor.record.session_trajectory import Review, ReviewFormatError

    where = folder / REVIEWS_DIR
    if not where.is_dir():
        return ReviewsRead(())
    reviews = []
    problems = []
    for path in sorted(where.glob("*.json")):
        try:
            reviews.append(Review.from_data(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{path}: cannot read it ({getattr(error, 'strerror', None) or error}), skipped")
        except json.JSONDecodeError as error:
            problems.append(f"{path}: not valid JSON (line {error.lineno}), skipped")
        except ReviewFormatError as error:
            problems.append(f"{path}: not a session review ({error}), skipped")
    reviews.sort(key=lambda review: review.reviewer.lower())
    return ReviewsRead(tuple(reviews), tuple(problems))
