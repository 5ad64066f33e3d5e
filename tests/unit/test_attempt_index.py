"""The attempts index: what `tutor progress` and the library read instead of every attempt file.

The index is a cache. Each test checks the view it gives (`read_overview`) against the
attempts themselves (`Progress.attempts`, every file read): after ordinary writes, after the
index went missing, was damaged or went stale (another process wrote without it, a file was
deleted or added by hand), after a crash between an attempt's write and the index's, and
after several processes wrote at once.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap
from msgspec.structs import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.store.attempt_index import INDEX_DIR, TOP_FILE, AttemptIndex, meta_stamp
from tutor.store.errors import StoreError
from tutor.store.overview import LessonProgress, Overview, read_overview
from tutor.store.progress import AttemptRecord, Progress

REPO_ROOT = Path(__file__).resolve().parents[2]
LESSON_IDS = ["tests-that-lie", "scope-creep", "flaky-ci", "secrets"]
# Keys as the library makes them, and None for attempts from before keys (matched by id and curriculum).
KEYS = [None, "bundled:steering-101/{id}", "curriculum:/home/ann/ops/{id}", "team:/teams/acme/{id}"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "progress"


def answer(step: str) -> dict:
    return {"step": step, "type": "outcome", "works": True, "confidence": "high"}


def fill(folder: Path, seed: int, attempts: int = 30) -> None:
    """Attempts at a few lessons under several keys and versions, some finished, some scored, some cards."""
    rng = random.Random(seed)
    with Progress(folder) as store:
        for _ in range(attempts):
            lesson = rng.choice(LESSON_IDS)
            key = rng.choice(KEYS)
            record = store.start_attempt(lesson, rng.choice(["d1", "d2"]), title=f"{lesson} title", total=rng.randint(0, 9),
                                         curriculum=rng.choice([None, "steering-101", "ops"]), key=key.format(id=lesson) if key else None)
            for step in range(rng.randint(0, 4)):
                store.save_answer(record.id, answer(f"s{step}"), score=rng.random())
            if rng.random() < 0.8:
                finished = rng.random() < 0.6
                store.save_position(record.id, cursor=rng.randint(0, 9), frontier=9, finished=finished,
                                    score=rng.choice([None, 0.25, 0.5, 1.0]) if finished else None)
            if rng.random() < 0.3:
                store.save_card({"key": f"{lesson}/s{rng.randint(0, 9)}", "due": rng.choice(["2020-01-01", "2999-01-01"])})


def expected_lesson(records: list[AttemptRecord], lesson_id: str, key: str | None) -> tuple:
    """A lesson's figures the way the library computed them from every attempt before the index."""
    mine = [record for record in records if record.lesson_id == lesson_id and record.belongs_to(lesson_id, key)]
    scores = [record.score for record in mine if record.finished and record.score is not None]
    firsts = {digest: next((r.score for r in mine if r.finished and r.digest == digest), None) for digest in ("d1", "d2", "d3")}
    return (without_answers(mine[-1]) if mine else None, len(mine), max(scores) if scores else None, sum(r.finished for r in mine), firsts)


def without_answers(record: AttemptRecord | None) -> AttemptRecord | None:
    """The index keeps the latest attempt's count of answers as of its last saved position (an answer alone writes no index)."""
    return replace(record, answers=0) if record is not None else None


def figures(standing: LessonProgress) -> tuple:
    return (without_answers(standing.latest), standing.attempts, standing.best, standing.finished, {d: standing.first_score(d) for d in ("d1", "d2", "d3")})


def assert_overview_is_the_store(folder: Path, overview: Overview | None = None) -> None:
    overview = overview or read_overview(folder)
    with Progress(folder) as store:
        records = store.attempts()
        cards = store.cards()
        last = store.last_opened()
    for lesson_id in LESSON_IDS + ["never-started"]:
        for key in KEYS:
            key = key.format(id=lesson_id) if key else None
            assert figures(overview.lesson(lesson_id, key)) == expected_lesson(records, lesson_id, key), (lesson_id, key)
    by_id: dict[str, list[AttemptRecord]] = {}
    for record in records:
        by_id.setdefault(record.lesson_id, []).append(record)
    listed = overview.by_lesson_id()
    assert list(listed) == list(by_id)  # in the order of each lesson's first attempt
    for lesson_id, mine in by_id.items():
        assert figures(listed[lesson_id]) == expected_lesson(mine, lesson_id, None)
    assert overview.attempts == len(records)
    assert list(overview.cards) == cards
    assert overview.due_cards(date(2026, 6, 1)) == [card for card in sorted(cards, key=lambda c: (c["due"], c["key"])) if card["due"] <= "2026-06-01"]
    assert overview.last_opened == last


def index_is_current(folder: Path) -> bool:
    return AttemptIndex(folder).current(meta_stamp(folder)) is not None


@pytest.mark.parametrize("seed", range(6))
def test_the_overview_is_what_every_attempt_says(folder: Path, seed: int) -> None:
    fill(folder, seed)
    assert index_is_current(folder)  # kept by the writes themselves: nothing to rebuild
    assert_overview_is_the_store(folder)


def test_the_open_store_gives_the_same_overview(folder: Path) -> None:
    fill(folder, 11)
    with Progress(folder) as store:
        in_memory = store.overview()
    indexed = read_overview(folder)
    assert in_memory.by_lesson_id() == indexed.by_lesson_id()
    assert_overview_is_the_store(folder, in_memory)


def test_nothing_stored_is_an_empty_overview_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    assert read_overview(folder) == Overview()
    assert not folder.exists()
    Progress(folder).close()  # a store with no attempt yet
    assert read_overview(folder).by_lesson_id() == {}


def test_a_newer_store_is_refused_in_one_line(folder: Path) -> None:
    fill(folder, 1, attempts=3)
    meta = json.loads((folder / "meta.json").read_text())
    meta["1"]["schema_version"] = 99
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="newer Tutor"):
        read_overview(folder)


def test_a_missing_index_is_rebuilt(folder: Path) -> None:
    fill(folder, 2)
    shutil.rmtree(folder / INDEX_DIR)
    assert_overview_is_the_store(folder)
    assert index_is_current(folder)


@pytest.mark.parametrize("damage", ["garbage", "empty", "wrong shape", "wrong inside", "a group file"])
def test_a_damaged_index_is_rebuilt(folder: Path, damage: str) -> None:
    fill(folder, 3)
    top = folder / INDEX_DIR / TOP_FILE
    if damage == "garbage":
        top.write_bytes(b"\x00{not json")
    elif damage == "empty":
        top.write_bytes(b"")
    elif damage == "wrong shape":
        top.write_text("[1, 2, 3]")
    elif damage == "wrong inside":
        data = json.loads(top.read_text())
        for group in data["groups"].values():
            group["latest"] = "not a record"
        top.write_text(json.dumps(data))
    else:
        for path in (folder / INDEX_DIR).glob("lesson-*.json"):
            path.write_text("{")
    assert_overview_is_the_store(folder)
    # A writer meeting a damaged group file rebuilds too, and loses nothing.
    with Progress(folder) as store:
        record = store.start_attempt("scope-creep", "d3", title="after", curriculum="steering-101")
        store.save_position(record.id, cursor=1, frontier=1, finished=True, score=0.75)
    assert_overview_is_the_store(folder)
    latest = read_overview(folder).lesson("scope-creep").latest
    assert latest is not None and (latest.id, latest.finished, latest.score) == (record.id, True, 0.75)


def test_writes_by_a_tutor_that_keeps_no_index_are_seen(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process wrote (an older Tutor, or one whose index write failed): the token tells."""
    fill(folder, 4)
    with monkeypatch.context() as patch:
        patch.setattr(Progress, "_index_attempt", lambda self, *args, **kwargs: None)
        with Progress(folder) as old:
            record = old.start_attempt("flaky-ci", "d1", title="from an older Tutor")
            old.save_answer(record.id, answer("s1"))
            old.save_position(record.id, cursor=4, frontier=4, finished=True, score=1.0)
    assert not index_is_current(folder)
    overview = read_overview(folder)
    assert overview.lesson("flaky-ci").latest.id == record.id
    assert_overview_is_the_store(folder, overview)
    assert index_is_current(folder)


def test_an_attempt_file_deleted_or_added_by_hand_is_seen(folder: Path) -> None:
    fill(folder, 5)
    files = sorted(folder.glob("attempt-*.json"))
    files[0].unlink()
    assert not index_is_current(folder)
    assert_overview_is_the_store(folder)
    copied = json.loads(files[1].read_text())
    copied["1"]["id"] = "20990101000000-abcdef"
    (folder / "attempt-20990101000000-abcdef.json").write_text(json.dumps(copied))
    overview = read_overview(folder)
    assert overview.attempts == len(files)  # one deleted, one added
    assert_overview_is_the_store(folder, overview)


def test_a_damaged_attempt_file_is_set_aside_with_the_stores_warning(folder: Path) -> None:
    fill(folder, 6)
    victim = sorted(folder.glob("attempt-*.json"))[0]
    victim.write_text("{half")
    # The file's name did not change, so only the store notices: on its next write it rebuilds.
    with Progress(folder) as store:
        store.rebuild_index()
        assert any(victim.name in warning for warning in store.warnings)
    assert not victim.exists()
    assert_overview_is_the_store(folder)


def test_a_damaged_reviews_file_is_repaired_by_the_store_and_said(folder: Path) -> None:
    fill(folder, 7)
    (folder / "reviews.json").write_text("not json")
    overview = read_overview(folder)
    assert any("reviews.json" in warning for warning in overview.warnings)
    assert overview.cards == ()
    assert_overview_is_the_store(folder)


CRASHER = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[2])
    from tinydb.table import Table
    from tutor.store import attempt_index
    from tutor.store.progress import Progress

    store = Progress(sys.argv[1])
    record = store.start_attempt("tests-that-lie", "d2", title="the crash", key="bundled:steering-101/tests-that-lie")
    store.save_answer(record.id, {"step": "s1", "type": "outcome", "works": True})

    def crash(*args, **kwargs):
        os._exit(9)  # the process dies here: no cleanup, no exception handler

    where = sys.argv[3]
    if where == "before the attempt":  # meta.json is written, the attempt's own update is not
        real_update, calls = Table.update, []

        def update(self, *args, **kwargs):
            calls.append(self.name)
            if self.name.startswith("attempt-"):
                crash()
            return real_update(self, *args, **kwargs)

        Table.update = update
    elif where == "before the index":
        attempt_index.AttemptIndex.put = crash
    else:  # the group file is written, attempts.json is not
        attempt_index.AttemptIndex._write_top = crash
    store.save_position(record.id, cursor=3, frontier=3, finished=True, score=0.5)
    """
)


@pytest.mark.parametrize("where", ["before the attempt", "before the index", "before attempts.json"])
def test_a_crash_between_the_attempt_and_the_index_leaves_a_correct_view(folder: Path, tmp_path: Path, where: str) -> None:
    fill(folder, 8)
    script = tmp_path / "crasher.py"
    script.write_text(CRASHER)
    done = subprocess.run([sys.executable, str(script), str(folder), str(REPO_ROOT), where], capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr
    assert not index_is_current(folder)
    overview = read_overview(folder)
    latest = overview.lesson("tests-that-lie", "bundled:steering-101/tests-that-lie").latest
    assert latest is not None and latest.title == "the crash"
    # What the attempt file holds, whichever it is: the position was saved, or not at all.
    assert (latest.finished, latest.cursor) == ((False, 0) if where == "before the attempt" else (True, 3))
    assert_overview_is_the_store(folder, overview)


WORKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from tutor.store.progress import Progress

    folder, name = sys.argv[1], sys.argv[2]
    store = Progress(folder)
    for number in range(6):
        record = store.start_attempt("lesson-" + name, "d1", title=name, key="bundled:x/lesson-" + name)
        for index in range(8):
            store.save_answer(record.id, {"step": f"s{index}", "type": "outcome", "works": True}, score=1.0)
        store.save_position(record.id, cursor=8, frontier=8, finished=number % 2 == 0, score=number / 10)
    """
)


@pytest.mark.slow
def test_four_processes_writing_at_once_lose_nothing_in_the_index(folder: Path, tmp_path: Path) -> None:
    Progress(folder).close()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    names = ["p0", "p1", "p2", "p3"]
    workers = [subprocess.Popen([sys.executable, str(script), str(folder), name, str(REPO_ROOT)], stderr=subprocess.PIPE, text=True) for name in names]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    assert index_is_current(folder)  # every write kept it current: the last writer's token is in it
    overview = read_overview(folder)
    for name in names:
        standing = overview.lesson(f"lesson-{name}", f"bundled:x/lesson-{name}")
        assert (standing.attempts, standing.finished, standing.best) == (6, 3, 0.4)
        assert standing.latest is not None and standing.latest.answers == 8 and standing.latest.score == 0.5
    assert_overview_is_the_store(folder, overview)


def test_reading_a_current_index_loads_no_tinydb(folder: Path) -> None:
    fill(folder, 9)
    code = f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); from tutor.store.overview import read_overview; " \
           f"o = read_overview({str(folder)!r}); print(o.attempts, 'tinydb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert out == ["30", "False"]


def lines_as_before(folder: Path) -> list[str]:
    """What `tutor progress` printed when it read every attempt (its code before the index), for comparison."""
    from tutor.words import plural

    with Progress(folder) as store:
        attempts = store.attempts()
        by_lesson: dict[str, list] = {}
        for attempt in attempts:
            by_lesson.setdefault(attempt.lesson_id, []).append(attempt)
        width = max(len(lesson_id) for lesson_id in by_lesson)
        lines = []
        for lesson_id, records in by_lesson.items():
            latest = records[-1]
            best = max((r.score for r in records if r.finished and r.score is not None), default=None)
            if latest.finished:
                state = f"done, {latest.score:.0%}" if latest.score is not None else "done"
            else:
                state = f"in progress, step {max(latest.cursor, 1)} of {latest.total}" if latest.total else "in progress"
            extra = f"  best {best:.0%}" if best is not None and len(records) > 1 else ""
            lines.append(f"{lesson_id:<{width}}  {state}  ({plural(len(records), 'attempt')}){extra}  {latest.title}".rstrip())
        due = store.due_cards(date.today())
        lines += ["", f"Review queue: {len(due)} due of {plural(len(store.cards()), 'card')}" + (" (`tutor review`)" if due else "")]
    return lines


@pytest.mark.parametrize("seed", range(3))
def test_tutor_progress_prints_what_it_printed_before_the_index(tutor_home: Path, seed: int) -> None:
    from tutor import paths
    from tutor.cli import cli

    folder = paths.progress_dir()
    fill(folder, 100 + seed)
    result = CliRunner().invoke(cli, ["progress"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == lines_as_before(folder)


@pytest.mark.parametrize("later", ["a new attempt", "a position", "a finished attempt"])
def test_an_index_older_than_meta_json_is_not_trusted(folder: Path, tmp_path: Path, later: str) -> None:
    """After a power cut the index (never fsynced) may be older than meta.json and the attempts (fsynced)."""
    fill(folder, 12)
    shutil.copytree(folder / INDEX_DIR, tmp_path / "old-index")
    with Progress(folder) as store:
        latest = store.attempts()[-1]
        if later == "a new attempt":
            store.start_attempt("secrets", "d3", title="after the index")
        else:
            store.save_position(latest.id, cursor=7, frontier=8, finished=later == "a finished attempt", score=0.125)
    shutil.rmtree(folder / INDEX_DIR)
    shutil.copytree(tmp_path / "old-index", folder / INDEX_DIR)
    assert not index_is_current(folder)
    assert_overview_is_the_store(folder)


def test_the_latest_attempts_count_of_answers_is_kept_with_its_position(folder: Path) -> None:
    with Progress(folder) as store:
        record = store.start_attempt("scope-creep", "d1")
        for step in range(3):
            store.save_answer(record.id, answer(f"s{step}"))
        assert read_overview(folder).lesson("scope-creep").latest.answers == 0  # an answer alone writes no index
        store.save_position(record.id, cursor=3, frontier=3, finished=False)
        assert read_overview(folder).lesson("scope-creep").latest.answers == 3
        assert store.overview().lesson("scope-creep").latest.answers == 3


def test_where_the_index_cannot_be_written_every_attempt_is_read(folder: Path) -> None:
    fill(folder, 13)
    shutil.rmtree(folder / INDEX_DIR)
    (folder / INDEX_DIR).write_text("not a folder")  # the index's place is taken: it cannot be written
    with Progress(folder) as store:
        record = store.start_attempt("flaky-ci", "d1", title="saved all the same")
    overview = read_overview(folder)
    assert overview.lesson("flaky-ci").latest == record
    assert_overview_is_the_store(folder, overview)
