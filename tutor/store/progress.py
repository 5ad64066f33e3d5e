"""A learner's progress: attempts and their answers, review cards. TinyDB behind an atomic, sharded storage.

Layout under `$TUTOR_HOME/progress/`: `meta.json` (schema version, last lesson),
`attempt-<id>.json` per attempt (one `meta` document plus one document per answer),
`reviews.json` (spaced-review cards), `.index/` (the attempts index, see
`attempt_index`: what `tutor progress` and the library read, through
`overview.read_overview`, instead of every attempt). Every public method takes the
cross-process lock, so two Tutors open at once never lose each other's writes.
"""

from __future__ import annotations

import copy
import functools
import os
import secrets
from datetime import date, datetime, UTC
from pathlib import Path
from collections.abc import Callable, MutableMapping
from typing import Any

from tinydb import Query, TinyDB
from tinydb.table import Document, Table

from .attempt_index import AttemptIndex, folder_print, meta_stamp
from .errors import AlreadyAnswered, StoreError
from .lock import FileLock, Held
from .overview import Overview
from .records import ATTEMPT_PREFIX, BUNDLED_KEY, SCHEMA_VERSION, AttemptRecord, int_or, key_curriculum, record_of, state_of
from .resume import hold_attempt
from .sharded_storage import ShardedJSONStorage

__all__ = [
    "ATTEMPT_PREFIX",
    "BUNDLED_KEY",
    "SCHEMA_VERSION",
    "AlreadyAnswered",
    "AttemptRecord",
    "Progress",
    "StoreError",
    "key_curriculum",
]

def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Every failure of the store is a `StoreError` of one line: the caller keeps going without saving."""

    @functools.wraps(method)
    def guarded(self: Progress, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except OSError as error:
            raise StoreError(f"progress in {self.folder}: {error.strerror or error}") from error
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise StoreError(f"progress in {self.folder} is damaged ({type(error).__name__}: {error})") from error

    return guarded


def _document(table: Table, doc_id: int) -> dict[str, Any]:
    """The document with this id, or an empty one."""
    found = table.get(doc_id=doc_id)
    return found if isinstance(found, dict) else {}


def _seconds(value: Any) -> float | None:
    """A stored answer's `seconds`, or None when absent or not a sane number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
        return None
    return float(value)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Progress:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the progress folder {self.folder}: {error.strerror or error}") from error
        self.warnings: list[str] = []
        self._lock = FileLock(self.folder / ".lock")
        self._index = AttemptIndex(self.folder)
        self._index_off = False  # set when the index cannot be written here: saving goes on without it
        self._open()

    @_guarded
    def _open(self) -> None:
        with self._lock:
            self._storage = ShardedJSONStorage(self.folder, self.warnings)
            self._db = TinyDB(storage=lambda: self._storage)
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
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            raise StoreError(
                f"progress in {self.folder} was written by a newer Tutor (schema {version}); upgrade Tutor to use it"
            )
        if not isinstance(version, int) or isinstance(version, bool):
            # Damaged, not newer: the attempts are in their own files; mark the store as ours again.
            self.warnings.append(f"progress: its schema mark was damaged ({version!r}); repaired")
            meta.update({"schema_version": SCHEMA_VERSION}, doc_ids=[1])

    # -- attempts

    @_guarded
    def start_attempt(
        self, lesson_id: str, digest: str, *, title: str = "", total: int = 0, curriculum: str | None = None, key: str | None = None
    ) -> AttemptRecord:
        attempt_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)
        meta: dict[str, Any] = {
            "kind": "meta",
            "id": attempt_id,
            "lesson": lesson_id,
            "digest": digest,
            "title": title,
            "curriculum": curriculum,
            "key": key,  # which lesson this is: another curriculum's lesson of the same id is another lesson
            "started": _now(),
            "updated": _now(),
            "cursor": 0,
            "frontier": 0,
            "total": total,
            "finished": False,
            "score": None,
        }
        with self._lock:
            before = meta_stamp(self.folder)  # this write rewrites meta.json first (the counter), as the index needs
            # A counter, not the clock, orders attempts: a clock set back must not hide a newer retry.
            store_meta = self._table("meta")
            seq = int_or(_document(store_meta, 1).get("attempt_seq")) + 1
            store_meta.update({"attempt_seq": seq}, doc_ids=[1])
            meta["seq"] = seq
            self._table(ATTEMPT_PREFIX + attempt_id).insert(Document(meta, doc_id=1))
            self._set_last(lesson_id, attempt_id)
            self._index_attempt(attempt_id, before, new_file=True)
        return self._record(meta, 0)

    def _set_last(self, lesson_id: str, attempt_id: str) -> None:
        self._table("meta").update({"last_lesson": lesson_id, "last_attempt": attempt_id}, doc_ids=[1])

    @_guarded
    def hold(self, attempt_id: str) -> Held | None:
        """Hold the attempt open (released with `Held.release`, or when the process ends); None when another Tutor holds it."""
        self._attempt_table(attempt_id)  # it exists
        return hold_attempt(self.folder, attempt_id)

    @_guarded
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
                records.append(self._record(meta, sum(doc.get("kind") == "answer" for doc in docs), name[len(ATTEMPT_PREFIX) :]))
        # Numbered attempts (newer Tutors) in number order, after any older ones in the order they started.
        return sorted(records, key=lambda record: (record.seq, record.started, record.id))

    @_guarded
    def latest_attempt(self, lesson_id: str, key: str | None = None) -> AttemptRecord | None:
        attempts = [record for record in self.attempts(lesson_id) if record.belongs_to(lesson_id, key)]
        return attempts[-1] if attempts else None

    @_guarded
    def last_opened(self) -> tuple[str, str] | None:
        with self._lock:
            doc = _document(self._table("meta"), 1)
        lesson, attempt = doc.get("last_lesson"), doc.get("last_attempt")
        if isinstance(lesson, str) and isinstance(attempt, str) and lesson and attempt:
            return lesson, attempt
        return None

    @staticmethod
    def _record(meta: dict[str, Any], answers: int, table_id: str = "") -> AttemptRecord:
        return record_of(meta, answers, table_id)

    # -- the attempts index (see attempt_index): what `tutor progress` and the library read

    def _index_attempt(self, attempt_id: str, before: list[int] | None, *, new_file: bool = False) -> None:
        """Note the attempt's new state in the index, in the same locked write as the attempt itself.

        `before`: the stamp of meta.json before this write, which rewrote it first. The index is a cache:
        if it cannot be written the attempt is still saved, and readers, finding it stale, rebuild it."""
        if self._index_off:
            return
        docs = self._table(ATTEMPT_PREFIX + attempt_id).all()
        meta = next((doc for doc in docs if doc.get("kind") == "meta"), None)
        try:
            if meta is None:
                self._rebuild_index()  # an attempt without its meta is listed by no one: let the index say so
                return
            record = record_of(meta, sum(doc.get("kind") == "answer" for doc in docs), attempt_id)
            if not self._index.put(record, before=before, after=meta_stamp(self.folder), new_file=new_file):
                self._rebuild_index()
        except (OSError, StoreError):
            self._index_off = True  # the attempt is saved: a reader finds the index stale and reads every attempt
            self._index.forget()

    def _rebuild_index(self) -> None:
        with self._lock:
            records = self.attempts()  # first: a damaged attempt file is set aside before the files are counted
            self._index.rebuild(records, meta_stamp(self.folder), folder_print(self.folder))

    @_guarded
    def rebuild_index(self) -> None:
        """Write the attempts index anew from every attempt file."""
        self._rebuild_index()

    @_guarded
    def refresh_index(self) -> None:
        """Make the attempts index describe the store as it is now: rebuilt when missing, damaged or stale."""
        with self._lock:
            if self._index.current(meta_stamp(self.folder)) is None:
                self._rebuild_index()

    @_guarded
    def overview(self) -> Overview:
        """Where the learner stands (per lesson, cards, last opened), as `tutor.store.overview.read_overview` gives it,
        from this open store."""
        with self._lock:
            return Overview.of(self.attempts(), self.cards(), self.last_opened(), tuple(self.warnings))

    def _attempt_table(self, attempt_id: str) -> Table:
        name = ATTEMPT_PREFIX + attempt_id
        if name not in self._db.tables():
            raise StoreError(f"no attempt {attempt_id!r}")
        return self._table(name)

    @_guarded
    def save_answer(self, attempt_id: str, committed: dict[str, Any], *, score: float | None = None, seconds: float | None = None) -> None:
        """Append one committed answer (`Committed.to_data()`); returns once it is on disk.

        `seconds`: how long the question was on screen before this answer (or skip), see
        `tutor.services.answer_clock`; None (unknown) is not stored, as in answers from before it was kept.
        """
        step_id = committed["step"]
        with self._lock:
            table = self._attempt_table(attempt_id)
            if table.contains((Query().kind == "answer") & (Query().step == step_id)):
                raise AlreadyAnswered(f"step {step_id!r} is already answered in this attempt")
            # A deep copy: the stored document must not share lists or dicts with the caller's data.
            doc = {"kind": "answer", "at": _now(), "score": score, **copy.deepcopy(committed)}
            if seconds is not None:
                doc["seconds"] = seconds
            table.insert(Document(doc, doc_id=self._next_doc_id(table)))
            # The answer replaces its draft in the same write: never both, never neither.
            table.remove((Query().kind == "draft") & (Query().step == step_id))
            # No index write: an answer changes nothing the index shows but a count, kept with the next position.

    @staticmethod
    def _next_doc_id(table: Table) -> int:
        return max((doc.doc_id for doc in table.all()), default=0) + 1

    @_guarded
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

    @_guarded
    def save_position(
        self, attempt_id: str, *, cursor: int, frontier: int, finished: bool, score: float | None = None
    ) -> None:
        with self._lock:
            before = meta_stamp(self.folder)
            table = self._attempt_table(attempt_id)
            meta = table.get(doc_id=1)
            if meta is not None:
                # meta.json first, then the attempt: a crash between them leaves the index visibly stale (see attempt_index).
                self._set_last(str(meta.get("lesson")), attempt_id)
            table.update(
                {"cursor": cursor, "frontier": frontier, "finished": finished, "score": score, "updated": _now()},
                doc_ids=[1],
            )
            self._index_attempt(attempt_id, before)

    @_guarded
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

                def overwrite(stored: MutableMapping[str, Any]) -> None:
                    stored.clear()
                    stored.update(doc)

                table.update(overwrite, doc_ids=[existing[0].doc_id])
            else:
                table.insert(Document(doc, doc_id=self._next_doc_id(table)))

    @_guarded
    def load_state(self, attempt_id: str) -> dict[str, Any]:
        """The attempt as `AttemptState.to_data()` would give it, ready for `AttemptState.from_data`."""
        with self._lock:
            docs = self._attempt_table(attempt_id).all()
        return state_of((doc.doc_id, doc) for doc in docs)

    @_guarded
    def answer_scores(self, attempt_id: str) -> dict[str, float | None]:
        with self._lock:
            docs = self._attempt_table(attempt_id).search(Query().kind == "answer")
        return {str(doc["step"]): doc.get("score") for doc in docs}

    @_guarded
    def answer_seconds(self, attempt_id: str) -> dict[str, float | None]:
        """Each answered step's time from question shown to answer; None where unknown (answers from before it was kept)."""
        with self._lock:
            docs = self._attempt_table(attempt_id).search(Query().kind == "answer")
        return {str(doc["step"]): _seconds(doc.get("seconds")) for doc in docs}

    # -- review cards

    @_guarded
    def cards(self) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(dict(doc)) for doc in self._table("reviews").all()]

    @_guarded
    def due_cards(self, today: date) -> list[dict[str, Any]]:
        return sorted(
            (card for card in self.cards() if str(card.get("due", "")) <= today.isoformat()),
            key=lambda card: (card.get("due", ""), card.get("key", "")),
        )

    @_guarded
    def save_card(self, card: dict[str, Any]) -> None:
        """Insert or replace the card with this `key` (`lesson/step`)."""
        with self._lock:
            table = self._table("reviews")
            existing = table.search(Query().key == card["key"])
            stored = copy.deepcopy(dict(card))
            if existing:

                def replace(doc: MutableMapping[str, Any]) -> None:
                    doc.clear()  # replace the card, so a field the new card lacks does not linger
                    doc.update(stored)

                table.update(replace, doc_ids=[existing[0].doc_id])
            else:
                table.insert(Document(stored, doc_id=self._next_doc_id(table)))

    @_guarded
    def remove_card(self, key: str) -> None:
        with self._lock:
            self._table("reviews").remove(Query().key == key)
