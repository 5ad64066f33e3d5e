"""A learner's progress: attempts and their answers, review cards. TinyDB behind an atomic, sharded storage.

Layout under `$TUTOR_HOME/progress/`: `meta.json` (schema version, last lesson),
`attempt-<id>.json` per attempt (one `meta` document plus one document per answer),
`reviews.json` (spaced-review cards). Every public method takes the cross-process
lock, so two Tutors open at once never lose each other's writes.
"""

from __future__ import annotations

import copy
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.table import Document, Table

from .lock import FileLock
from .sharded_storage import ShardedJSONStorage

SCHEMA_VERSION = 1
ATTEMPT_PREFIX = "attempt-"


class StoreError(Exception):
    """Progress cannot be used (written by a newer Tutor, or the folder is unusable)."""


class AlreadyAnswered(StoreError):
    """Answers are final: a second answer to the same ask in one attempt is refused."""


@dataclass(frozen=True)
class AttemptRecord:
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

    @property
    def in_progress(self) -> bool:
        return not self.finished


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Progress:
    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the progress folder {self.folder}: {error.strerror or error}") from error
        self.warnings: list[str] = []
        self._lock = FileLock(self.folder / ".lock")
        with self._lock:
            self._storage = ShardedJSONStorage(self.folder, self.warnings)
            self._db = TinyDB(storage=lambda: self._storage)  # type: ignore[arg-type]
            self._check_schema()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers

    def _table(self, name: str) -> Table:
        table = self._db.table(name, cache_size=0)
        # TinyDB caches the next document id per table; another process may have inserted since.
        table._next_id = None  # noqa: SLF001
        return table

    def _check_schema(self) -> None:
        meta = self._table("meta")
        doc = meta.get(doc_id=1)
        if doc is None:
            meta.insert(Document({"schema_version": SCHEMA_VERSION, "created": _now()}, doc_id=1))
            return
        version = doc.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise StoreError(
                f"progress in {self.folder} was written by a newer Tutor (schema {version}); upgrade Tutor to use it"
            )

    # -- attempts

    def start_attempt(
        self, lesson_id: str, digest: str, *, title: str = "", total: int = 0, curriculum: str | None = None
    ) -> AttemptRecord:
        attempt_id = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)
        meta = {
            "kind": "meta",
            "id": attempt_id,
            "lesson": lesson_id,
            "digest": digest,
            "title": title,
            "curriculum": curriculum,
            "started": _now(),
            "updated": _now(),
            "cursor": 0,
            "frontier": 0,
            "total": total,
            "finished": False,
            "score": None,
        }
        with self._lock:
            self._table(ATTEMPT_PREFIX + attempt_id).insert(Document(meta, doc_id=1))
            self._set_last(lesson_id, attempt_id)
        return self._record(meta, 0)

    def _set_last(self, lesson_id: str, attempt_id: str) -> None:
        self._table("meta").update({"last_lesson": lesson_id, "last_attempt": attempt_id}, doc_ids=[1])

    def attempts(self, lesson_id: str | None = None) -> list[AttemptRecord]:
        """All attempts (or one lesson's), oldest first."""
        with self._lock:
            names = [name for name in self._db.tables() if name.startswith(ATTEMPT_PREFIX)]
            records = []
            for name in names:
                docs = self._table(name).all()
                meta = next((doc for doc in docs if doc.get("kind") == "meta"), None)
                if meta is None or (lesson_id is not None and meta.get("lesson") != lesson_id):
                    continue
                records.append(self._record(meta, sum(doc.get("kind") == "answer" for doc in docs)))
        return sorted(records, key=lambda record: (record.started, record.id))

    def latest_attempt(self, lesson_id: str) -> AttemptRecord | None:
        attempts = self.attempts(lesson_id)
        return attempts[-1] if attempts else None

    def last_opened(self) -> tuple[str, str] | None:
        with self._lock:
            doc = self._table("meta").get(doc_id=1) or {}
        if doc.get("last_lesson") and doc.get("last_attempt"):
            return str(doc["last_lesson"]), str(doc["last_attempt"])
        return None

    @staticmethod
    def _record(meta: dict[str, Any], answers: int) -> AttemptRecord:
        return AttemptRecord(
            id=str(meta["id"]),
            lesson_id=str(meta.get("lesson", "")),
            digest=str(meta.get("digest", "")),
            title=str(meta.get("title", "")),
            curriculum=meta.get("curriculum"),
            started=str(meta.get("started", "")),
            updated=str(meta.get("updated", "")),
            cursor=int(meta.get("cursor", 0) or 0),
            frontier=int(meta.get("frontier", 0) or 0),
            total=int(meta.get("total", 0) or 0),
            finished=bool(meta.get("finished", False)),
            score=meta.get("score"),
            answers=answers,
        )

    def _attempt_table(self, attempt_id: str) -> Table:
        name = ATTEMPT_PREFIX + attempt_id
        if name not in self._db.tables():
            raise StoreError(f"no attempt {attempt_id!r}")
        return self._table(name)

    def save_answer(self, attempt_id: str, committed: dict[str, Any], *, score: float | None = None) -> None:
        """Append one committed answer (`Committed.to_data()`); returns once it is on disk."""
        step_id = committed["step"]
        with self._lock:
            table = self._attempt_table(attempt_id)
            if table.contains((Query().kind == "answer") & (Query().step == step_id)):
                raise AlreadyAnswered(f"step {step_id!r} is already answered in this attempt")
            # A deep copy: the stored document must not share lists or dicts with the caller's data.
            doc = {"kind": "answer", "at": _now(), "score": score, **copy.deepcopy(committed)}
            table.insert(Document(doc, doc_id=self._next_doc_id(table)))
            # The answer replaces its draft in the same write: never both, never neither.
            table.remove((Query().kind == "draft") & (Query().step == step_id))

    @staticmethod
    def _next_doc_id(table: Table) -> int:
        return max((doc.doc_id for doc in table.all()), default=0) + 1

    def save_judgement(self, attempt_id: str, step_id: str, judgement: dict[str, Any], *, score: float | None = None) -> None:
        """Store how an answer's points were judged (`Judgement.to_data()`), beside the answer. Once."""
        with self._lock:
            table = self._attempt_table(attempt_id)
            answer = Query()
            matches = table.search((answer.kind == "answer") & (answer.step == step_id))
            if not matches:
                raise StoreError(f"step {step_id!r} has no answer to judge")
            if matches[0].get("judgement") is not None:
                raise AlreadyAnswered(f"the answer to step {step_id!r} is already judged")
            table.update({"judgement": copy.deepcopy(judgement), "score": score}, doc_ids=[matches[0].doc_id])

    def save_position(
        self, attempt_id: str, *, cursor: int, frontier: int, finished: bool, score: float | None = None
    ) -> None:
        with self._lock:
            table = self._attempt_table(attempt_id)
            table.update(
                {"cursor": cursor, "frontier": frontier, "finished": finished, "score": score, "updated": _now()},
                doc_ids=[1],
            )
            meta = table.get(doc_id=1)
            if meta is not None:
                self._set_last(str(meta.get("lesson")), attempt_id)

    def save_draft(self, attempt_id: str, step_id: str, draft: dict[str, Any] | None) -> None:
        """Keep (or, with None, drop) the unsubmitted answer to one question; one document per question."""
        with self._lock:
            table = self._attempt_table(attempt_id)
            entry = Query()
            if table.contains((entry.kind == "answer") & (entry.step == step_id)):
                return  # answered since: the draft is spent
            existing = table.search((entry.kind == "draft") & (entry.step == step_id))
            if draft is None:
                if existing:
                    table.remove(doc_ids=[doc.doc_id for doc in existing])
                return
            doc = {"kind": "draft", "step": step_id, "at": _now(), "draft": copy.deepcopy(draft)}
            if existing:
                table.update(lambda stored: (stored.clear(), stored.update(doc)), doc_ids=[existing[0].doc_id])
            else:
                table.insert(Document(doc, doc_id=self._next_doc_id(table)))

    def load_state(self, attempt_id: str) -> dict[str, Any]:
        """The attempt as `AttemptState.to_data()` would give it, ready for `AttemptState.from_data`."""
        with self._lock:
            docs = self._attempt_table(attempt_id).all()
        meta = next((doc for doc in docs if doc.get("kind") == "meta"), {})
        answers = sorted((doc for doc in docs if doc.get("kind") == "answer"), key=lambda doc: doc.doc_id)
        committed = []
        for doc in answers:
            entry = {"step": doc.get("step"), "skipped": bool(doc.get("skipped"))}
            # Copies: the documents are the store's cache, which a caller must not be able to change.
            if "answer" in doc:
                entry["answer"] = copy.deepcopy(doc["answer"])
            if doc.get("judgement") is not None:
                entry["judgement"] = copy.deepcopy(doc["judgement"])
            committed.append(entry)
        drafts = {str(doc.get("step")): copy.deepcopy(doc.get("draft")) for doc in docs if doc.get("kind") == "draft"}
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

    def answer_scores(self, attempt_id: str) -> dict[str, float | None]:
        with self._lock:
            docs = self._attempt_table(attempt_id).search(Query().kind == "answer")
        return {str(doc["step"]): doc.get("score") for doc in docs}

    # -- review cards

    def cards(self) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(dict(doc)) for doc in self._table("reviews").all()]

    def due_cards(self, today: date) -> list[dict[str, Any]]:
        return sorted(
            (card for card in self.cards() if str(card.get("due", "")) <= today.isoformat()),
            key=lambda card: (card.get("due", ""), card.get("key", "")),
        )

    def save_card(self, card: dict[str, Any]) -> None:
        """Insert or replace the card with this `key` (`lesson/step`)."""
        with self._lock:
            table = self._table("reviews")
            existing = table.search(Query().key == card["key"])
            stored = copy.deepcopy(dict(card))
            if existing:

                def replace(doc: dict[str, Any]) -> None:
                    doc.clear()  # replace the card, so a field the new card lacks does not linger
                    doc.update(stored)

                table.update(replace, doc_ids=[existing[0].doc_id])
            else:
                table.insert(Document(stored, doc_id=self._next_doc_id(table)))

    def remove_card(self, key: str) -> None:
        with self._lock:
            self._table("reviews").remove(Query().key == key)
