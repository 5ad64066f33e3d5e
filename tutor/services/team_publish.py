"""`tutor team publish LESSON` (issue 15): a lesson copied into a team's curricula, and committed.

A senior records a lesson; publishing puts a copy of it in the team's clone, where every member
finds it in their library after the next `tutor team sync`. On the way, the lesson is:

- **validated** with the checks of `tutor validate` (`tutor.lesson.check.check_paths`): an
  invalid lesson is refused with its problems, one line each; warnings do not stop it;
- **unique**: its id (or the one given with `--id`) may be used by no other lesson in any
  curriculum this member has (bundled, their own, configured, every team's), because the
  library and the team's results go by id. The team's own copy of the same id is the one
  exception: publishing again replaces it (a new version);
- **redacted**: every string of `lesson.json` passes through `Redactor.from_environment()`,
  which also learns each secret it finds so that the same secret encoded elsewhere in the
  lesson is caught too. The source is never touched. The repo bundle is copied as it is:
  Tutor has no scanner for a bundle's commits (a lesson Tutor recorded or built had its
  snapshots redacted as they were made);
- **copied whole or not at all**: written into a hidden folder inside `curricula/`, validated
  there, then renamed into `curricula/<id>/`; a failure before the commit leaves the team
  folder as it was;
- **owned**: the lesson folder records its publisher's handle (`tutor.team.publisher`); only
  they republish it, unless another member takes it over on purpose (`take_over`), so a lesson
  folder has one writer;
- **listed** in `curricula/curriculum.toml` (made if missing), on a new line after the lessons
  already there (`tutor.team.curriculum_toml`: the rest of the file is kept as it is), with the
  team's `.gitattributes` completed if needed (`tutor.team.union_merge`): two members who publish
  between syncs both add a line, and git keeps both; and
- **committed** with the member's own git (`tutor.vcs.team_repo.commit_paths`): the lesson
  folder, `curriculum.toml` and (when it gained the union lines) `.gitattributes` alone, never
  anything else in the clone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.lesson.untrusted import one_line
from tutor.settings import Settings, TeamMembership, load_settings
from tutor.team.union_merge import GITATTRIBUTES

from .team import TeamError

if TYPE_CHECKING:
    from tutor.lesson import Lesson

__all__ = ["PublishError", "Published", "publish_lesson"]

_STAGING = ".publishing-"  # a hidden folder in curricula/: never a lesson folder, never committed
_MARKER = "[REDACTED:"


class PublishError(TeamError):
    """A lesson cannot be published; one line, and the lesson's problems (one line each) when it is invalid."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Published:
    lesson_id: str  # the id in the team's copy
    source_id: str  # the id in the source lesson (differs when published with a new id)
    title: str  # the copy's title (redacted), as the library shows it
    team_name: str
    folder: Path  # the copy: <team>/curricula/<id>
    updated: bool  # the team had this lesson already: the copy replaces it
    new_version: bool  # the copy's digest differs from the team's previous copy (always, for a new lesson)
    took_over: bool  # another member's lesson (or one without a recorded publisher) replaced on purpose
    previous_publisher: str | None  # whose it was, when taken over (None: no publisher was recorded)
    attributes_added: bool  # the team's .gitattributes gained the union merge lines, committed with the lesson
    commit: str | None  # None: nothing changed since the last publish, nothing committed
    redactions: int  # secrets replaced by markers in the copy
    bundle: str | None  # the repo bundle's file name, copied as it is (not scanned for secrets)
    warnings: tuple[str, ...]  # `tutor validate`'s warnings about the source; they did not stop it


def _shown(path: Path | str) -> str:
    return one_line(str(path), limit=200)


def publish_lesson(
    lesson_ref: str | Path,
    team: TeamMembership | None = None,
    *,
    new_id: str | None = None,
    take_over: bool = False,
    settings: Settings | None = None,
) -> Published:
    """Copy the lesson `lesson_ref` (a lesson folder, its lesson.json, curriculum/lesson or an id) into
    `team`'s curricula (default: the only team joined), under `new_id` if given, and commit it.
    A lesson another member published is replaced only with `take_over`."""
    from tutor.lesson.curriculum import CURRICULUM_FILE
    from tutor.lesson.io import lesson_digest
    from tutor.team import TeamFormatError, TeamLayout, is_safe_slug, read_team_config

    from .team import resolve_team

    settings = settings if settings is not None else load_settings()
    team = team if team is not None else resolve_team(None)
    try:
        team_name = read_team_config(team.path).name
    except TeamFormatError as error:
        raise PublishError(f"cannot publish to {_shown(team.path)}: {error}") from None
    if not is_safe_slug(team.handle):  # it is written into the team folder: never a path or a second line
        raise PublishError(
            f"your handle in {_shown(team.path)} is not one Tutor made ({one_line(team.handle, limit=80)!r}): fix it in your teams.toml (a handle looks like m-k3v9qa2x)"
        )
    source = _source_folder(lesson_ref, settings)
    lesson, warnings = _validated(source)
    lesson_id = lesson.id if new_id is None else new_id
    if not is_safe_slug(lesson_id):
        raise PublishError(f"--id {one_line(lesson_id, limit=80)!r}: an id is lowercase letters, digits and '-', starting with a letter or digit (at most 120)")
    curricula = _curricula_folder(TeamLayout(team.path).curricula)
    destination = curricula / lesson_id
    clash = _other_lesson_with_id(lesson_id, source, destination, [*settings.curriculum_roots(), curricula])
    if clash is not None:
        raise PublishError(f"the id {lesson_id!r} is already used by {clash}: publish under another id with --id NEW-ID")
    previous = _team_copy(destination, lesson_id)
    took_over, previous_publisher = False, None
    if previous is not None:
        previous_publisher = _publisher(destination)
        if previous_publisher != team.handle:
            if not take_over:
                raise PublishError(_not_yours(lesson_id, previous_publisher))
            took_over = True
    listing = curricula / CURRICULUM_FILE
    new_listing = _listing_with(listing, lesson_id, team_name)
    attributes = team.path / GITATTRIBUTES
    new_attributes = _attributes_with_union(attributes, team.path)
    copy, redactions = _redacted(lesson, lesson_id)
    bundle = lesson.repo.bundle if lesson.repo is not None else None
    files = [(path, text) for path, text in ((listing, new_listing), (attributes, new_attributes)) if text is not None]
    _put_in_place(curricula, destination, _Copy(copy, source, bundle, team.handle), files)
    message = f"Publish lesson {lesson_id}: {one_line(copy.title, limit=200)}"
    if took_over:
        message += f" (taken over from {previous_publisher})" if previous_publisher else " (taken over: no publisher was recorded)"
    commit = _commit(team.path, destination, message, with_attributes=new_attributes is not None)
    return Published(
        lesson_id=lesson_id,
        source_id=lesson.id,
        title=copy.title,
        team_name=team_name,
        folder=destination,
        updated=previous is not None,
        new_version=previous is None or lesson_digest(previous) != lesson_digest(copy),
        took_over=took_over,
        previous_publisher=previous_publisher if took_over else None,
        attributes_added=new_attributes is not None,
        commit=commit,
        redactions=redactions,
        bundle=bundle,
        warnings=tuple(warnings),
    )


def _source_folder(lesson_ref: str | Path, settings: Settings) -> Path:
    from tutor.lesson.curriculum import resolve_lesson

    found = resolve_lesson(str(lesson_ref), settings.curriculum_roots())
    if found is None:
        raise PublishError(f"no lesson {one_line(str(lesson_ref), limit=200)!r}: give a lesson folder, or curriculum/lesson (see `tutor` for the library)")
    return found


def _validated(source: Path) -> tuple[Lesson, list[str]]:
    """The source lesson, checked as `tutor validate` checks it; its warnings as `tutor validate` prints them."""
    from tutor.lesson import read_lesson
    from tutor.lesson.check import WARNING, check_paths
    from tutor.lesson.problems import Problem

    report = check_paths([source])
    if not report.ok:
        raise PublishError(_invalid(source, len(report.problems)), [str(problem) for problem in report.problems])
    read = read_lesson(source)  # the lesson itself (check_paths keeps only the verdict); the same checks
    if read.lesson is None or read.problems:
        raise PublishError(_invalid(source, len(read.problems)), [str(problem) for problem in read.problems])
    return read.lesson, [str(Problem(warning.path, warning.where, WARNING + warning.what)) for warning in report.warnings]


def _invalid(source: Path, count: int) -> str:
    from tutor.words import plural

    return f"{_shown(source)} is not a valid lesson ({plural(count, 'problem')}, below): fix it first (see `tutor validate`)"


def _curricula_folder(curricula: Path) -> Path:
    """The team's `curricula/` (made when the lesson is written, if missing); never a link: the copy must land inside the clone."""
    if curricula.is_symlink() or (curricula.exists() and not curricula.is_dir()):
        raise PublishError(f"{_shown(curricula)} is not a folder of the clone (a link or a file): Tutor writes only inside the team's clone")
    return curricula


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _other_lesson_with_id(lesson_id: str, source: Path, destination: Path, roots: list[Path]) -> str | None:
    """Where another lesson with this id is, in words, or None. Not another lesson: the team's own
    copy (it is replaced), and the source itself unless it sits in the team's curricula under
    another folder name (then publishing would give the team two lessons of one id)."""
    from tutor.lesson.curriculum import discover_curricula

    source, destination = _resolved(source), _resolved(destination)
    for curriculum in discover_curricula(roots):
        for read in curriculum.read_lessons():
            if read.lesson is None or read.lesson.id != lesson_id:
                continue
            where = _resolved(read.path)
            if where == destination or (where == source and where.parent != destination.parent):
                continue
            return f"{one_line(read.lesson.title, limit=80)!r} in {one_line(curriculum.title, limit=80)!r} ({_shown(read.path)})"
    return None


def _team_copy(destination: Path, lesson_id: str) -> Lesson | None:
    """The team's copy of this lesson at `destination` (publishing replaces it), or None when there is none.
    A folder there that holds something else is never replaced."""
    from tutor.lesson import read_lesson

    if not os.path.lexists(destination):
        return None
    hint = "publish under another id with --id NEW-ID, or remove that folder from the team"
    if destination.is_symlink() or not destination.is_dir():
        raise PublishError(f"{_shown(destination)} is in the way (not a lesson folder): {hint}")
    read = read_lesson(destination)
    if read.lesson is None:
        raise PublishError(f"{_shown(destination)} holds a broken lesson, not this one: {hint}")
    if read.lesson.id != lesson_id:
        raise PublishError(f"{_shown(destination)} holds another lesson ({read.lesson.id!r}): {hint}")
    return read.lesson


def _publisher(destination: Path) -> str | None:
    """The handle of the member who published the lesson at `destination`, or None when no readable one is recorded."""
    from tutor.lesson.limits import Refused, read_regular
    from tutor.team.publisher import MAX_PUBLISHER_BYTES, PUBLISHER_FILE, publisher_handle

    try:
        raw = read_regular(destination / PUBLISHER_FILE, limit=MAX_PUBLISHER_BYTES, within=destination, name="a .publisher")
    except (Refused, OSError):
        return None
    return publisher_handle(raw)


def _not_yours(lesson_id: str, publisher: str | None) -> str:
    whose = f"was published by {publisher}, not you" if publisher else "records no publisher (published before Tutor recorded one, or added by hand)"
    return f"the team's lesson {lesson_id!r} {whose}: publish yours under another id with --id NEW-ID, or replace it and become its publisher with --take-over"


def _attributes_with_union(attributes: Path, clone: Path) -> str | None:
    """The new text of the clone's `.gitattributes` with the union merge lines; None when it has them."""
    from tutor.lesson.limits import Refused, problem_text, read_regular
    from tutor.team.union_merge import MAX_GITATTRIBUTES_BYTES, with_union_merge

    if not os.path.lexists(attributes):
        return with_union_merge(None)
    try:
        raw = read_regular(attributes, limit=MAX_GITATTRIBUTES_BYTES, within=clone, name="a .gitattributes", place="the team's clone")
        return with_union_merge(raw.decode("utf-8"))
    except (Refused, OSError) as error:
        raise PublishError(f"{_shown(attributes)}: {problem_text(error)}; fix it first") from None
    except UnicodeDecodeError:
        raise PublishError(f"{_shown(attributes)}: not UTF-8 text; fix it first") from None


def _listing_with(listing: Path, lesson_id: str, team_name: str) -> str | None:
    """The new text of the team's `curriculum.toml`, listing the lesson; None when it lists it already."""
    from tutor.lesson.curriculum import is_curriculum
    from tutor.lesson.limits import MAX_CURRICULUM_BYTES, Refused, problem_text, read_regular
    from tutor.team import TeamFormatError
    from tutor.team.curriculum_toml import new_curriculum_toml, with_lesson_listed

    if not os.path.lexists(listing):
        try:
            children = list(listing.parent.iterdir()) if listing.parent.is_dir() else []
        except OSError:
            children = []  # unreadable: writing into it fails next, with its reason
        inner = sorted(child.name for child in children if child.is_dir() and is_curriculum(child))
        if inner:  # a curriculum.toml in curricula/ would hide these from every member's library
            names = one_line(", ".join(inner), limit=120)
            raise PublishError(f"{_shown(listing.parent)} holds curricula of its own ({names}) and no curriculum.toml: add one by hand, listing the lessons in order")
        return new_curriculum_toml(team_name, [lesson_id])
    try:
        raw = read_regular(listing, limit=MAX_CURRICULUM_BYTES, within=listing.parent, name="a curriculum.toml", place="the team's curricula folder")
        text = raw.decode("utf-8")
    except (Refused, OSError) as error:
        raise PublishError(f"{_shown(listing)}: {problem_text(error)}") from None
    except UnicodeDecodeError:
        raise PublishError(f"{_shown(listing)}: not UTF-8 text; fix it first") from None
    try:
        return with_lesson_listed(text, lesson_id, source=str(listing))
    except TeamFormatError as error:
        raise PublishError(str(error)) from None


def _redacted(lesson: Lesson, lesson_id: str) -> tuple[Lesson, int]:
    """The copy: the lesson under `lesson_id`, every string redacted; and how many secrets were replaced."""
    from tutor.lesson.io import lesson_to_data
    from tutor.lesson.validate import check_lesson_data
    from tutor.redaction import Redactor

    data = lesson_to_data(lesson)
    before = _markers(data)
    redactor = Redactor.from_environment().knowing(_strings(data))
    copy_data = redactor.redact_obj(data)
    copy_data["id"] = lesson_id  # a slug, checked; set after redaction so that it is exactly the one asked for
    copy, problems = check_lesson_data(copy_data, f"the copy of {lesson.id}", folder=None)
    if copy is None or problems:
        raise PublishError(f"the redacted copy of {lesson.id!r} does not validate", [str(problem) for problem in problems])
    return copy, _markers(copy_data) - before


def _strings(value: Any) -> list[str]:
    """Every string in a JSON-like value (keys too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _markers(value: Any) -> int:
    return sum(text.count(_MARKER) for text in _strings(value))


@dataclass(frozen=True)
class _Copy:
    """What goes into the lesson folder: the redacted lesson, its bundle (copied from `source`) and its publisher."""

    lesson: Lesson
    source: Path
    bundle: str | None
    publisher: str


def _put_in_place(curricula: Path, destination: Path, copy: _Copy, files: list[tuple[Path, str]]) -> None:
    """Write the copy into a hidden folder of `curricula/`, validate it there, rename it to `destination`
    (the previous version set aside until the other files are written), then write `files` (the
    listing, the attributes). Any failure puts the previous state back: no half lesson, no lesson
    missing from the listing."""
    from tutor.lesson.io import fsync_dir

    try:
        curricula.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{copy.lesson.id}-", dir=curricula))
    except OSError as error:
        raise PublishError(f"cannot write into {_shown(curricula)} ({error.strerror or error})") from None
    previous = staging.with_name(staging.name + "-previous")
    moved = False
    written: list[tuple[Path, bytes | None]] = []  # each file written, and its bytes before (None: it did not exist)
    try:
        _write_copy(staging, copy)
        if os.path.lexists(destination):
            os.rename(destination, previous)
        try:
            os.rename(staging, destination)
            moved = True
            for path, text in files:
                written.append((path, _bytes_before(path)))
                _write_file(path, text)
        except BaseException:
            _put_back(written)
            if moved:
                shutil.rmtree(destination, ignore_errors=True)
            if os.path.lexists(previous):
                os.rename(previous, destination)
            raise
        fsync_dir(curricula)
    except OSError as error:
        raise PublishError(f"cannot write the lesson into {_shown(curricula)} ({error.strerror or error}); the team folder is as it was") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous, ignore_errors=True)


def _bytes_before(path: Path) -> bytes | None:
    """A file's bytes before it is rewritten (to put it back on a failure), or None when absent."""
    from tutor.lesson.limits import MAX_CURRICULUM_BYTES, Refused, problem_text, read_regular
    from tutor.team.union_merge import MAX_GITATTRIBUTES_BYTES

    if not os.path.lexists(path):
        return None
    try:  # read and checked once already: only a change since then lands here
        return read_regular(path, limit=max(MAX_CURRICULUM_BYTES, MAX_GITATTRIBUTES_BYTES), within=path.parent, name=f"a {path.name}")
    except Refused as error:
        raise OSError(f"{path.name} changed while publishing: {problem_text(error)}") from None


def _write_file(path: Path, text: str) -> None:
    from tutor.lesson.io import write_atomic

    write_atomic(path, text.encode("utf-8"))


def _put_back(written: list[tuple[Path, bytes | None]]) -> None:
    """Each written file as it was, the last written first; best effort (the error that got us here is the one reported)."""
    from tutor.lesson.io import write_atomic

    for path, before in reversed(written):
        try:
            if before is None:
                if os.path.lexists(path):
                    os.unlink(path)
            else:
                write_atomic(path, before)
        except OSError:
            pass


def _write_copy(staging: Path, copy: _Copy) -> None:
    from tutor.lesson import read_lesson
    from tutor.lesson.io import fsync_dir, save_lesson
    from tutor.team.publisher import PUBLISHER_FILE, publisher_text

    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp's folder is private; a lesson folder is an ordinary one
    if copy.bundle is not None:
        _copy_bundle(copy.source / copy.bundle, staging / copy.bundle)
    save_lesson(copy.lesson, staging)
    with open(staging / PUBLISHER_FILE, "x", encoding="utf-8") as out:
        out.write(publisher_text(copy.publisher))
    fsync_dir(staging)
    check = read_lesson(staging)
    if not check.ok:
        raise PublishError(f"the copy of {copy.lesson.id!r} does not validate", [str(problem) for problem in check.problems])


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _copy_bundle(source: Path, target: Path) -> None:
    """The bundle's bytes, as they are: a regular file inside the source folder, streamed, within the limit."""
    from tutor.lesson.limits import CHUNK, MAX_BUNDLE_BYTES, Refused, open_regular, problem_text, size_text

    try:
        with open_regular(source, limit=MAX_BUNDLE_BYTES, within=source.parent, name="a lesson's bundle") as stream, open(target, "xb") as out:
            copied = 0
            while chunk := stream.read(CHUNK):
                copied += len(chunk)
                if copied > MAX_BUNDLE_BYTES:
                    raise Refused(f"grew past {size_text(MAX_BUNDLE_BYTES)} while being copied")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except Refused as error:
        raise PublishError(f"{_shown(source)}: {problem_text(error)}") from None


def _commit(clone: Path, destination: Path, message: str, *, with_attributes: bool) -> str | None:
    from tutor.lesson.curriculum import CURRICULUM_FILE
    from tutor.vcs import VcsError
    from tutor.vcs.team_repo import commit_paths

    folder = destination.relative_to(clone).as_posix()
    listing = (destination.parent / CURRICULUM_FILE).relative_to(clone).as_posix()
    paths = [folder, listing, GITATTRIBUTES] if with_attributes else [folder, listing]
    try:
        return commit_paths(clone, message, paths)
    except VcsError as error:
        raise PublishError(f"the lesson is in {_shown(destination)} but is not committed ({error}): run the command again once git can commit") from None
