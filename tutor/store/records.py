"""What an attempt is, as the store hands it out: no TinyDB here, so a read-only view can use it cheaply."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import msgspec

SCHEMA_VERSION = 1
ATTEMPT_PREFIX = "attempt-"
BUNDLED_KEY = "bundled:"

# How attempts are ordered, oldest first: (seq, started, id). See `Progress.attempts`.
SortKey = tuple[int, str, str]


def key_curriculum(key: str) -> str | None:
    """The curriculum folder's name in a lesson key (`bundled:steering-101/…`, `curriculum:/path/to/ops/…`)."""
    kind, _, rest = key.partition(":")
    if kind not in ("bundled", "curriculum") or "/" not in rest:
        return None
    return rest.rsplit("/", 1)[0].rsplit("/", 1)[-1]


def int_or(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


class AttemptRecord(msgspec.Struct, frozen=True):
    id: str
    lesson_id: str
    digest: str
    title: str
    curriculum: str | None
    started: str
    updated: str
    cursor: int
    frontier: int
    total: int
    finished: bool
    score: float | None
    answers: int
    seq: int = 0  # the store's counter when the attempt started (0: from before counting)
    key: str | None = None  # the lesson's identity (`tutor.services.lesson_keys.lesson_key`); None: from before keys

    def belongs_to(self, lesson_id: str, key: str | None) -> bool:
        """Whether this attempt is at the lesson `key` (of id `lesson_id`)."""
        if key is None or self.key is not None:
            return self.key == key if key is not None else self.lesson_id == lesson_id
        # From before keys: the same id, and the same curriculum when one was noted (else a bundled lesson).
        if self.lesson_id != lesson_id:
            return False
        return key_curriculum(key) == self.curriculum if self.curriculum else key.startswith(BUNDLED_KEY)

    @property
    def in_progress(self) -> bool:
        return not self.finished

    @property
    def order(self) -> SortKey:
        """Numbered attempts (newer Tutors) in number order, after any older ones in the order they started."""
        return (self.seq, self.started, self.id)


def record_of(meta: dict[str, Any], answers: int, table_id: str = "") -> AttemptRecord:
    """An attempt as stored (its `meta` document); a damaged field reads as its default rather than stopping everything."""
    score = meta.get("score")
    curriculum = meta.get("curriculum")
    return AttemptRecord(
        id=str(meta.get("id") or table_id),
        lesson_id=str(meta.get("lesson", "")),
        digest=str(meta.get("digest", "")),
        title=str(meta.get("title", "")),
        curriculum=curriculum if isinstance(curriculum, str) else None,
        started=str(meta.get("started", "")),
        updated=str(meta.get("updated", "")),
        cursor=int_or(meta.get("cursor")),
        frontier=int_or(meta.get("frontier")),
        total=int_or(meta.get("total")),
        finished=meta.get("finished") is True,
        score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
        answers=answers,
        seq=int_or(meta.get("seq")),
        key=meta.get("key") if isinstance(meta.get("key"), str) else None,
    )


def meta_of(record: AttemptRecord) -> dict[str, Any]:
    """The record in the shape of its `meta` document (plus `answers`): `record_of(meta_of(r), r.answers) == r`."""
    return {
        "id": record.id,
        "lesson": record.lesson_id,
        "digest": record.digest,
        "title": record.title,
        "curriculum": record.curriculum,
        "key": record.key,
        "started": record.started,
        "updated": record.updated,
        "cursor": record.cursor,
        "frontier": record.frontier,
        "total": record.total,
        "finished": record.finished,
        "score": record.score,
        "seq": record.seq,
        "answers": record.answers,
    }


def state_of(docs: Iterable[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """An attempt's documents (doc id, document), as stored, as `AttemptState.to_data()` would give the attempt.

    The one reading of an attempt file: the store's (`Progress.load_state`) and the one without TinyDB that a
    lesson resumes from before the store is open (`tutor.store.resume`)."""
    ordered = sorted(docs, key=lambda entry: entry[0])
    meta: dict[str, Any] = next((doc for _, doc in ordered if doc.get("kind") == "meta"), {})
    committed = []
    for _, doc in ordered:
        if doc.get("kind") != "answer":
            continue
        entry = {"step": doc.get("step"), "skipped": bool(doc.get("skipped"))}
        # Copies: the documents may be the store's cache, which a caller must not be able to change.
        if "answer" in doc:
            entry["answer"] = copy.deepcopy(doc["answer"])
        if doc.get("judgement") is not None:
            entry["judgement"] = copy.deepcopy(doc["judgement"])
        committed.append(entry)
    drafts = {str(doc.get("step")): copy.deepcopy(doc.get("draft")) for _, doc in ordered if doc.get("kind") == "draft"}
    state = {
        "version": 1,
        "lesson": meta.get("lesson", ""),
        "digest": meta.get("digest", ""),
        "cursor": meta.get("cursor", 0),
        "frontier": meta.get("frontier", 0),
        "finished": meta.get("finished", False),
        "committed": committed,
    }
    if drafts:
        state["drafts"] = drafts
    return state
