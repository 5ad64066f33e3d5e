"""A process that saves answers as fast as it can, for tests/test_store_crash.py to kill.

    python tests/store_writer.py FOLDER [SEED [FSYNC_DELAY]]

Opens the progress store in FOLDER, resumes the unfinished attempt at the crash lesson
(or starts one), and loops: save an answer, now and then a position or a review card.
After each save has *returned* it prints one line and flushes stdout, so every line the
parent has read names something the store promised was on disk:

    attempt <id>           the attempt being written (printed once it exists)
    saved <step>           save_answer(<step>) returned
    position <cursor>      save_position(cursor=<cursor>) returned
    card <key>             save_card(<key>) returned
    finished <id>          the attempt is full and was marked finished; a new one follows

Answers carry a couple of kilobytes of text, so an attempt file grows to a few hundred
kilobytes and each save rewrites it: a kill has a real chance of landing mid-write.
FSYNC_DELAY (seconds, default 0) makes every fsync of a file that long, as on a slow
disk: the time between creating a table's temp file and renaming it over the table
becomes most of each save, so most kills land inside a write.
"""

from __future__ import annotations

import os
import random
import stat
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tutor.learn import Committed, GoalAnswer, OutcomeAnswer  # noqa: E402
from tutor.lesson import Confidence  # noqa: E402
from tutor.store.progress import Progress  # noqa: E402

LESSON = "crash-lesson"
PER_ATTEMPT = 100  # answers before an attempt is finished and a new one started
PADDING = "The agent proposes to rewrite the expected value in the test; I would stop it. " * 24  # ~2 KB


def answer_text(attempt_id: str, step: str) -> str:
    """What the answer to `step` says; the test recomputes it to check the saved words."""
    return f"{attempt_id}/{step}: {PADDING}"


def committed(attempt_id: str, index: int) -> dict:
    step = f"s{index}"
    if index % 3 == 2:
        return Committed(step, OutcomeAnswer(index % 2 == 0, Confidence.LOW)).to_data()
    return Committed(step, GoalAnswer(answer_text(attempt_id, step), Confidence.HIGH)).to_data()


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def current_attempt(store: Progress) -> tuple[str, int]:
    latest = store.latest_attempt(LESSON)
    if latest is not None and latest.in_progress:
        return latest.id, latest.answers
    record = store.start_attempt(LESSON, "digest-" + "0" * 57, title="Crash lesson", total=PER_ATTEMPT)
    return record.id, 0


def slow_fsync(delay: float) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            time.sleep(delay)

    os.fsync = fsync


def main() -> None:
    folder = sys.argv[1]
    rng = random.Random(sys.argv[2] if len(sys.argv) > 2 else None)
    if len(sys.argv) > 3 and float(sys.argv[3]) > 0:
        slow_fsync(float(sys.argv[3]))
    store = Progress(folder)
    attempt_id, index = current_attempt(store)
    say(f"attempt {attempt_id}")
    while True:
        if index >= PER_ATTEMPT:
            store.save_position(attempt_id, cursor=index, frontier=index, finished=True, score=0.5)
            say(f"finished {attempt_id}")
            attempt_id, index = current_attempt(store)
            say(f"attempt {attempt_id}")
        store.save_answer(attempt_id, committed(attempt_id, index), score=rng.random())
        say(f"saved s{index}")
        index += 1
        roll = rng.random()
        if roll < 0.2:
            store.save_position(attempt_id, cursor=index, frontier=index, finished=False)
            say(f"position {index}")
        elif roll < 0.35:
            key = f"{LESSON}/{attempt_id}-s{index - 1}"
            store.save_card({"key": key, "lesson": LESSON, "step": f"s{index - 1}", "due": "2026-01-01", "pad": PADDING})
            say(f"card {key}")


if __name__ == "__main__":
    main()
