"""A long lesson checked on another processor while Tutor starts: what `tutor learn LONG-LESSON` waits for.

Reading a lesson (`io.read_lesson`) is decoding it and checking it. For a 10,000-step lesson
that is ~140 ms, and most of it is checking what the lesson's structs cannot: that no key is
repeated, and the rules that span steps. `tutor learn FOLDER` knows its lesson before it
loads anything else, so `start(folder)` reads `lesson.json` (with every check of the read:
a regular file, inside its folder, bounded) and, when the file is long (`AHEAD_BYTES`) and
a second processor is there, hands its bytes to a child Python (`python -m
tutor.lesson.read_ahead FOLDER`) that runs all of `read_lesson`'s checks on them, while
this process loads Textual.

When the app opens the lesson, `read_lesson` takes the read-ahead (`take`): it decodes the
very bytes the child checked straight into the lesson's structs (msgspec, 45-60 ms), then
takes the child's verdict, its problems or none: the same `LessonRead` as reading here.
Should anything be amiss (the child could not start, failed, or said nothing readable; the
structs refuse what the child passed), the lesson is read here, as always.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .io import LessonRead
    from .models import Lesson

AHEAD_BYTES = 1_000_000  # shorter lessons read in a few milliseconds: not worth a process
# A child that has not answered this long after the lesson is wanted is given up on, and the lesson read here: about what
# reading a 16 MB lesson here costs (~0.4 s), so a stalled child never holds the screen much longer than reading would.
VERDICT_SECONDS = 1.0
MOST_VERDICT_BYTES = 4_000_000  # the problems of a lesson of 16 MB fit in far less: more is no verdict

_ahead: dict[Path, ReadAhead] = {}


class ReadAhead:
    """One lesson's bytes, and the child checking them."""

    def __init__(self, folder: Path, raw: bytes, child: subprocess.Popen[bytes]) -> None:
        self.folder = folder
        self.raw = raw
        self.child = child
        # The bytes are the thread's own: `result` lets go of `raw` before the child may have been given them all.
        self._feeder = threading.Thread(target=self._feed, args=(raw,), name="tutor-read-ahead", daemon=True)
        self._feeder.start()

    def _feed(self, raw: bytes) -> None:
        stdin = self.child.stdin
        assert stdin is not None
        try:
            stdin.write(raw)  # the interpreter is free while the pipe takes it
            stdin.close()
        except OSError:
            pass  # the child is gone: `verdict` says so

    def result(self) -> LessonRead | None:
        """The lesson read, as `read_lesson` would read these bytes; None: read it here instead."""
        from .io import LessonRead
        from .problems import Problem

        lesson = _structs(self.raw)
        self.raw = b""  # not held with the lesson
        verdict = self.verdict()
        if verdict is None:
            return None
        if verdict:
            return LessonRead(self.folder, None, [Problem(path, where, what) for path, where, what in verdict])
        if lesson is None:
            return None  # the structs refuse what the checks passed: never seen; the careful read decides
        return LessonRead(self.folder, lesson, [])

    def verdict(self) -> list[tuple[str, str, str]] | None:
        """The child's problems ([] when none); None when it gave no verdict."""
        stdout, child = self.child.stdout, self.child
        assert stdout is not None
        out = bytearray()
        deadline = time.monotonic() + VERDICT_SECONDS
        try:
            while len(out) <= MOST_VERDICT_BYTES:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([stdout], [], [], left)[0]:
                    return None
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
            else:
                return None
            if child.wait(timeout=max(0.0, deadline - time.monotonic())) != 0:
                return None
            found = json.loads(out)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return None
        finally:
            _end(child)
        if not isinstance(found, list) or not all(_is_problem(item) for item in found):
            return None
        return [(path, where, what) for path, where, what in found]


def _is_problem(item: object) -> bool:
    return isinstance(item, list) and len(item) == 3 and all(isinstance(part, str) for part in item)


def _structs(raw: bytes) -> Lesson | None:
    """`raw` decoded into the lesson's structs, as `validate.check_lesson_data` converts them (strict); None if refused."""
    import msgspec

    from .models import Lesson

    try:
        text = raw.decode("utf-8")
        lesson: Lesson = msgspec.json.decode(text[1:] if text.startswith("\ufeff") else text, type=Lesson, strict=True)
    except (UnicodeDecodeError, msgspec.DecodeError, RecursionError, ValueError):
        return None
    return lesson


def _end(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


def _processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def start(folder: Path) -> None:
    """Begin reading the lesson in `folder` ahead, if it is long and a second processor is there; else nothing."""
    from .io import LESSON_FILE
    from .limits import MAX_LESSON_BYTES, Refused, read_regular

    folder = Path(folder)
    if os.name != "posix" or not sys.executable:  # (`verdict` waits on a pipe with `select`; an embedded Python has no executable)
        return
    try:
        if os.stat(folder / LESSON_FILE).st_size < AHEAD_BYTES or _processors() < 2:
            return
        raw = read_regular(folder / LESSON_FILE, limit=MAX_LESSON_BYTES, within=folder, name=f"a {LESSON_FILE}")
        child = subprocess.Popen(
            _child_command(folder), env=_child_environment(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
        )
    except (OSError, Refused, ValueError):
        return  # the read here will say what is wrong
    try:
        ahead = ReadAhead(folder, raw, child)
    except RuntimeError:  # no thread to feed it
        _end(child)
        return
    if not _ahead:
        atexit.register(_abandon)
    _abandon_one(folder)
    _ahead[folder] = ahead


def _child_command(folder: Path) -> list[str]:
    """This Python, checking as this process would: never the working folder's code first on its path (`-P`: a
    `tutor/` or `tutor.py` in a learner's project would be imported, and its verdict believed), and the same limit
    on an integer's digits (a lesson's verdict depends on it)."""
    return [sys.executable, "-P", "-X", f"int_max_str_digits={sys.get_int_max_str_digits()}", "-m", "tutor.lesson.read_ahead", str(folder)]


def _child_environment() -> dict[str, str]:
    """This environment, with the folder this process's `tutor` came from first on the child's path (it runs the same
    code), unless that is a site-packages folder, which the child has anyway: first, its backports of standard
    modules would shadow the standard ones."""
    import site

    here = str(Path(__file__).resolve().parents[2])
    sites = {str(Path(folder).resolve()) for folder in getattr(site, "getsitepackages", list)()}
    found = os.environ.get("PYTHONPATH")
    if here in sites:
        return dict(os.environ)
    return {**os.environ, "PYTHONPATH": here + os.pathsep + found if found else here}


def take(folder: Path) -> ReadAhead | None:
    """The read-ahead of the lesson in `folder`, once: a later read reads the file again."""
    return _ahead.pop(Path(folder), None)


def _abandon_one(folder: Path) -> None:
    ahead = _ahead.pop(folder, None)
    if ahead is not None:
        _end(ahead.child)


def _abandon() -> None:
    for folder in list(_ahead):
        _abandon_one(folder)


def _check(folder: Path) -> None:
    """In the child: every check `read_lesson` makes, on the bytes on standard input; the problems as JSON."""
    from .io import LESSON_FILE, decode_lesson_json
    from .limits import MAX_LESSON_BYTES
    from .validate import check_lesson_data

    raw = sys.stdin.buffer.read(MAX_LESSON_BYTES + 1)
    shown = str(folder / LESSON_FILE)
    data, problem, plain = decode_lesson_json(raw, shown)
    del raw
    problems = [problem] if problem is not None else check_lesson_data(data, shown, folder, plain_json=plain)[1]
    sys.stdout.write(json.dumps([[p.path, p.where, p.what] for p in problems]))


if __name__ == "__main__":
    _check(Path(sys.argv[1]))
