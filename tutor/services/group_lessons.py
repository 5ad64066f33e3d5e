"""A participant's own copy of a lesson played in a group replay, kept so its missed asks can be reviewed.

By the end of a hosted replay a participant has been sent every step a learner sees: the lesson's
id, title, task, digest and step count in `welcome`, then each step's object, as in `lesson.json`,
in its `reveal`. When the session ends and every step has arrived, those make a lesson of its own
(`tutor.lesson/1` without a repo: `repo.bundle` is not sent, so a result's `commit` is left out;
a review poses its question from the steps, never from the code), kept under
`$TUTOR_HOME/group-lessons/<lesson-id>-<digest12>/lesson.json`. The review queue finds it there
for the cards keyed `group:<digest>` (the participant's attempt key).

Everything in it came from the network and is hostile: only messages already checked by
`tutor.group` go in; the id is a slug before it names a folder; the copy is written atomically in
a staging folder, read back with `tutor.lesson.io.read_lesson` (the format's every check) and only
then put in place. A lesson missing a step is not rebuilt: its asks get no card.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tutor.group import LessonInfo, step_content
from tutor.lesson import AnyStep, Lesson
from tutor.lesson.io import LESSON_FILE, fsync_dir, read_lesson, save_lesson
from tutor.lesson.models import ShapeError, parse
from tutor.lesson.shape import problem_line
from tutor.lesson.untrusted import one_line

GROUP_KEY_PREFIX = "group:"
DIGEST_SHOWN = 12  # hex digits of the digest in a copy's folder name: enough to tell one's own copies apart
_DIGEST = re.compile(r"[0-9a-f]{64}")
# The host's `origin` is not sent; the copy says honestly that it was taken from elsewhere.
COPY_ORIGIN = "imported"


class GroupCopyError(Exception):
    """The copy could not be kept; one line."""


def group_key(digest: str) -> str:
    """The progress key of a participant's attempt, and of the cards posed from their copy."""
    return f"{GROUP_KEY_PREFIX}{digest}"


def copy_folder_name(lesson_id: str, digest: str) -> str:
    return f"{lesson_id}-{digest[:DIGEST_SHOWN]}"


def saw_every_step(info: LessonInfo, steps: Mapping[int, AnyStep]) -> bool:
    return set(steps) == set(range(1, info.steps + 1))


def rebuild_lesson(info: LessonInfo, steps: Mapping[int, AnyStep]) -> Lesson:
    """The learner's lesson from what the host sent; `GroupCopyError` when a step is missing or it is not a lesson."""
    if not saw_every_step(info, steps):
        raise GroupCopyError("not every step of the lesson was shown to you")
    if _DIGEST.fullmatch(info.digest) is None:
        raise GroupCopyError("the lesson's digest is not 64 hex digits")
    data = {
        "format": "tutor.lesson/1",
        "id": info.id,
        "title": info.title,
        "origin": COPY_ORIGIN,
        "task": info.task,
        "steps": [_without_code(step_content(steps[number])) for number in range(1, info.steps + 1)],
    }
    try:
        lesson: Lesson = parse(data, Lesson)
    except ShapeError as error:
        raise GroupCopyError(one_line(f"the steps shown do not make a lesson ({problem_line(data, Lesson, error)})", limit=200)) from None
    return lesson


def _without_code(content: dict[str, Any]) -> dict[str, Any]:
    """A result's `commit` names the code in the host's `repo.bundle`, which is not sent: the copy has no repo."""
    return {key: value for key, value in content.items() if key != "commit"}


def keep_copy(root: Path, info: LessonInfo, steps: Mapping[int, AnyStep]) -> Path:
    """Write the learner's copy under `root` (replacing an earlier copy of the same version); its folder.

    `GroupCopyError` when it cannot be rebuilt, does not read back as a valid lesson, or cannot be written."""
    lesson = rebuild_lesson(info, steps)
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    except OSError as error:
        raise GroupCopyError(f"cannot write to {one_line(str(root), limit=160)} ({one_line(error.strerror or str(error), limit=80)})") from None
    try:
        save_lesson(lesson, staging)
        read = read_lesson(staging)
        if not read.ok or read.lesson is None:
            first = read.problems[0].what if read.problems else "unreadable"
            raise GroupCopyError(one_line(f"the copy does not read back as a lesson ({first})", limit=200))
        target = root / copy_folder_name(read.lesson.id, info.digest)
        target.mkdir(exist_ok=True)
        os.replace(staging / LESSON_FILE, target / LESSON_FILE)
        fsync_dir(target)
        return target
    except OSError as error:
        raise GroupCopyError(f"cannot write to {one_line(str(root), limit=160)} ({one_line(error.strerror or str(error), limit=80)})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def kept_copies(root: Path) -> dict[str, Lesson]:
    """The copies kept under `root`, by the first digits of their digest (a folder that is not a valid copy is passed over)."""
    try:
        folders = sorted(child for child in root.iterdir() if child.is_dir() and not child.name.startswith("."))
    except OSError:
        return {}
    found: dict[str, Lesson] = {}
    for folder in folders:
        lesson_id, _, short = folder.name.rpartition("-")
        if len(short) != DIGEST_SHOWN or not lesson_id:
            continue
        read = read_lesson(folder)
        if read.ok and read.lesson is not None and read.lesson.id == lesson_id:
            found.setdefault(short, read.lesson)
    return found


def copy_for_key(copies: Mapping[str, Lesson], key: str) -> Lesson | None:
    """The kept copy a card keyed `group:<digest>` is posed from (None: not such a key, or no copy)."""
    if not key.startswith(GROUP_KEY_PREFIX):
        return None
    digest = key[len(GROUP_KEY_PREFIX) :]
    if _DIGEST.fullmatch(digest) is None:
        return None
    return copies.get(digest[:DIGEST_SHOWN])
