"""Reliability: a process saving answers is killed (SIGKILL) 20 times at random moments.

After every kill the store must open without a warning (an atomic replace never leaves a
half-written table) and hold every answer, position and card the process had reported as
saved. The same folder is used throughout, so the attempts and cards of earlier runs
must survive the later kills too. The writer is tests/store_writer.py.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tutor.store.progress import Progress

from tests.helpers.store_writer import LESSON, answer_text

WRITER = Path(__file__).resolve().parents[1] / "helpers" / "store_writer.py"
KILLS = 20
MAX_DELAY = 0.3  # seconds of saving before the kill
FSYNC_DELAY = 0.003  # a slow disk's fsync, so that most kills land between temp file and rename
SEED = 20261124

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


@dataclass
class Reported:
    """Everything the writers have said was saved, over all runs."""

    answers: dict[str, list[str]] = field(default_factory=dict)  # attempt id -> steps, in order
    positions: dict[str, int] = field(default_factory=dict)  # attempt id -> last reported cursor
    finished: set[str] = field(default_factory=set)
    cards: set[str] = field(default_factory=set)

    def take(self, lines: list[str]) -> None:
        attempt = None
        for line in lines:
            word, _, rest = line.partition(" ")
            if word == "attempt":
                attempt = rest
                self.answers.setdefault(attempt, [])
            elif word == "saved":
                assert attempt is not None, lines
                self.answers[attempt].append(rest)
            elif word == "position":
                self.positions[attempt] = int(rest)
            elif word == "card":
                self.cards.add(rest)
            elif word == "finished":
                self.finished.add(rest)
            else:
                raise AssertionError(f"the writer said {line!r}")


def run_and_kill(folder: Path, delay: float, seed: int) -> tuple[list[str], str]:
    """Start the writer, let it save for `delay` seconds once the store is open, SIGKILL it."""
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(folder), str(seed), str(FSYNC_DELAY)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    lines: list[str] = []
    opened = threading.Event()

    def read() -> None:
        assert writer.stdout is not None
        for line in writer.stdout:  # ends at EOF: after the kill, once the pipe is drained
            lines.append(line.rstrip("\n"))
            opened.set()
        opened.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert opened.wait(timeout=30), "the writer never opened the store"
        time.sleep(delay)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        reader.join(timeout=30)
    assert writer.stderr is not None
    err = writer.stderr.read()
    writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL, f"the writer died by itself ({writer.returncode}): {err}"
    return lines, err


def check(folder: Path, reported: Reported) -> None:
    store = Progress(folder)  # must not raise
    assert store.warnings == [], store.warnings
    on_disk = {record.id: record for record in store.attempts(LESSON)}
    for attempt_id, steps in reported.answers.items():
        assert attempt_id in on_disk, f"attempt {attempt_id} was reported but is gone"
        committed = store.load_state(attempt_id)["committed"]
        saved_steps = [entry["step"] for entry in committed]
        # Every reported answer is there. A run may also have saved one answer it was killed
        # before reporting; the next run goes on after it, so the attempt is always s0, s1, ...
        missing = sorted(set(steps) - set(saved_steps))
        assert not missing, f"attempt {attempt_id} lost reported answers {missing[:5]}"
        assert saved_steps == [f"s{index}" for index in range(len(saved_steps))]
        for entry in committed:
            if entry["answer"]["type"] == "goal":
                assert entry["answer"]["text"] == answer_text(attempt_id, entry["step"])
        record = on_disk[attempt_id]
        assert record.cursor >= reported.positions.get(attempt_id, 0)
        if attempt_id in reported.finished:
            assert record.finished
    cards = {card["key"] for card in store.cards()}
    missing = reported.cards - cards
    assert not missing, f"{len(missing)} reported cards are gone, e.g. {sorted(missing)[:3]}"
    assert store.last_opened() is not None
    store.close()


def test_killing_a_writer_at_random_moments_never_loses_a_saved_answer(tmp_path: Path) -> None:
    folder = tmp_path / "progress"
    rng = random.Random(SEED)
    reported = Reported()
    temp_files_left = 0
    started = time.monotonic()
    for _kill in range(KILLS):
        delay = rng.uniform(0, MAX_DELAY)
        before = {path.name for path in folder.glob(".*.tmp")} if folder.exists() else set()
        lines, _err = run_and_kill(folder, delay, seed=rng.randrange(2**32))
        reported.take(lines)
        # A temp file left behind means this kill landed inside a write, between creating
        # the temp file and renaming it over the table.
        temp_files_left += len({path.name for path in folder.glob(".*.tmp")} - before)
        check(folder, reported)
    elapsed = time.monotonic() - started

    total = sum(len(steps) for steps in reported.answers.values())
    print(
        f"\n{KILLS} kills in {elapsed:.1f}s: {total} answers in {len(reported.answers)} attempts, "
        f"{len(reported.cards)} cards reported and found; {temp_files_left} kills landed mid-write"
    )
    assert total >= KILLS, "the writer hardly wrote anything: the test proves nothing"
    assert temp_files_left >= 3, "too few kills landed inside a write for the test to mean much"
