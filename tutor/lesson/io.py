"""Reading and writing lesson folders: `lesson.json` (+ `repo.bundle`), and the lesson digest."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from .limits import MAX_LESSON_BYTES, Refused, problem_text, read_regular
from .problems import LessonError, Problem

if TYPE_CHECKING:
    from .models import Lesson

# The models load when a lesson is read: writing a file atomically (`write_atomic`, which the
# progress store uses) must not cost `tutor progress` the lesson format.

LESSON_FILE = "lesson.json"


class LessonRead(msgspec.Struct):
    """What reading one lesson folder gave: the lesson, or the problems that stopped it."""

    path: Path  # the lesson folder
    lesson: Lesson | None
    problems: list[Problem] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lesson is not None and not self.problems


def lesson_folder(path: Path) -> Path:
    """A lesson is named by its folder or by its `lesson.json` (whatever that turns out to be: a
    `lesson.json` that is a FIFO, a device or a link out of the folder is named, then refused)."""
    return path.parent if path.name == LESSON_FILE and os.path.lexists(path) and not (path / LESSON_FILE).exists() else path


def read_lesson(path: str | os.PathLike[str]) -> LessonRead:
    """Read and validate a lesson; never raises for bad input.

    `lesson.json` must be a regular file inside the lesson folder, of at most
    `MAX_LESSON_BYTES`: it is checked before it is opened and read with a hard cap
    (`tutor.lesson.limits`), so a FIFO, `/dev/zero` or a link out of the folder is one
    problem line, never a hang or a crash.
    """
    folder = lesson_folder(Path(path))
    # A read begun ahead (`tutor learn LONG-LESSON`, `read_ahead`): only where that module was loaded to begin one.
    ahead = sys.modules.get(f"{__package__}.read_ahead")
    begun = ahead.take(folder) if ahead is not None else None
    if begun is not None:
        read: LessonRead | None = begun.result()
        if read is not None:
            return read
    file = folder / LESSON_FILE
    shown = str(file)
    if not folder.exists():
        return LessonRead(folder, None, [Problem(str(folder), "", "no such file or folder")])
    if not folder.is_dir():
        return LessonRead(folder, None, [Problem(str(folder), "", f"not a lesson: name a lesson folder or its {LESSON_FILE}")])
    if not os.path.lexists(file):
        return LessonRead(folder, None, [Problem(str(folder), "", f"no {LESSON_FILE} here")])
    try:
        raw = read_regular(file, limit=MAX_LESSON_BYTES, within=folder, name=f"a {LESSON_FILE}")
    except (Refused, OSError) as error:
        return LessonRead(folder, None, [Problem(shown, "", problem_text(error))])
    data, problem, plain = decode_lesson_json(raw, shown)
    del raw  # the file's bytes are not held while the lesson is validated
    if problem:
        return LessonRead(folder, None, [problem])
    from .validate import check_lesson_data

    lesson, problems = check_lesson_data(data, shown, folder, plain_json=plain)
    return LessonRead(folder, lesson, problems)


def decode_json(raw: bytes, shown: str) -> tuple[Any, Problem | None]:
    data, problem, _ = decode_lesson_json(raw, shown)
    return data, problem


# The start of an escaped surrogate, `\ud800` to `\udfff`: only an escape can put half a character in decoded text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def decode_lesson_json(raw: bytes, shown: str) -> tuple[Any, Problem | None, bool]:
    """The decoded JSON, or the problem; and whether the text was plain JSON (no NaN or Infinity, no escaped
    surrogate), so that its data need not be encoded again to find what JSON lets through (`check_lesson_data`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, Problem(shown, "", f"not UTF-8 (invalid byte at offset {error.start})"), False
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():  # not `strip()`: a copy of a long lesson's text, to learn what its first byte says
        return None, Problem(shown, "", "the file is empty; a lesson is a JSON object"), False
    fast = decode_without_duplicates(text)
    if fast is not None:
        return fast[0], None, True
    constants: list[str] = []

    def constant(name: str) -> float:
        constants.append(name)
        return float(name.replace("Infinity", "inf"))

    data, problem = _decoded(text, shown, constant)
    plain = (problem is None and not constants and ("\\u" not in text or _SURROGATE_ESCAPE.search(text) is None)
             and _BEYOND_FLOATS.search(text) is None)
    return data, problem, plain


# A number `json` may make an infinity of (1e400, or 400 digits): msgspec refuses those, `json` does not, and the data is
# then checked for what JSON lets through. Also found in a string, or for 1e100: then the check finds nothing.
_BEYOND_FLOATS = re.compile(r"[eE][+]?\d{3}|\d{300}")


# An escaped colon: the one way a colon in a string is not written as a colon (see `decode_without_duplicates`).
_COLON_ESCAPE = re.compile(r"\\u003[aA]")


def decode_without_duplicates(text: str) -> tuple[Any] | None:
    """`text` decoded by msgspec (in a third of the time `json.loads` takes with the duplicate-key check; with the
    count below, a 10,000-step lesson's text in ~72 ms against ~94), when that gives the very same data: the JSON is valid, holds no NaN, Infinity, lone surrogate or number out of range
    (msgspec refuses each), and no object repeats a key. None otherwise, and `_decoded` decides, with its message.

    msgspec keeps a repeated key's last value silently; the colons tell. Each key is followed by one colon, and a
    colon inside a string is written as itself (never escaped, unless as `\\u003a`: such a text is left to `json`).
    So the text holds one colon per key plus the colons of its strings, and the data written again compactly by
    msgspec (which escapes no colon) holds one per key it kept plus the colons of the strings it kept. A repeated
    key drops at least itself: fewer colons. Equal counts, no key was dropped."""
    if _COLON_ESCAPE.search(text) is not None:  # (a search for "\\u" first takes longer than the search itself)
        return None
    try:
        data = msgspec.json.decode(text)
        kept = _colons_written(data)
    except (msgspec.DecodeError, msgspec.EncodeError, RecursionError, OverflowError, ValueError):
        return None  # msgspec's ValidationError (a number out of range) is a ValueError
    if kept != text.count(":"):
        return None
    return (data,)


def _colons_written(data: Any) -> int:
    """The colons in msgspec's compact JSON of `data`, written an item of each top-level value at a time: the whole
    at once would hold a second copy of a long lesson (~10 MB for 10,000 steps) for as long as it took to count."""
    encode = msgspec.json.encode
    if type(data) is not dict:
        return encode(data).count(b":")
    colons = encode(dict.fromkeys(data)).count(b":")  # each key's, and any in the keys
    for value in data.values():
        if type(value) is list:
            colons += sum(encode(item).count(b":") for item in value)
        else:
            colons += encode(value).count(b":")
    return colons


def _decoded(text: str, shown: str, constant: Callable[[str], float]) -> tuple[Any, Problem | None]:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=constant), None
    except RecursionError:  # what msgspec decodes a few levels deeper is refused by the check of depth: the same words
        from .validate import MAX_DEPTH

        return None, Problem(shown, "", f"nesting deeper than {MAX_DEPTH} levels; refusing to read it")
    except json.JSONDecodeError as error:
        return None, Problem(shown, f"line {error.lineno} column {error.colno}", f"not valid JSON: {error.msg}")
    except _DuplicateKey as error:
        return None, Problem(shown, "", f"the key {error.key!r} appears twice in one object; the second would silently replace the first")
    except ValueError as error:  # e.g. an integer literal with more digits than Python will convert
        return None, Problem(shown, "", f"not valid JSON: {str(error).split(':')[0]}")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key if len(key) <= 60 else key[:57] + "..."


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a repeated key (which would silently drop the senior's words)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def load_lesson(path: str | os.PathLike[str]) -> Lesson:
    """Read a lesson or raise `LessonError` with every problem."""
    result = read_lesson(path)
    if result.lesson is None or result.problems:
        raise LessonError(result.problems)
    return result.lesson


def lesson_to_data(lesson: Lesson) -> dict[str, Any]:
    from .models import to_data

    data: dict[str, Any] = to_data(lesson)
    return data


def dump_lesson(lesson: Lesson) -> str:
    """The canonical text of `lesson.json`: model key order, 2-space indent, UTF-8, final newline."""
    data = lesson_to_data(lesson)
    fast = _indented(data)
    return fast.decode("utf-8") if fast is not None else json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def lesson_bytes(lesson: Lesson) -> bytes:
    """`dump_lesson`'s text as UTF-8 (a lone surrogate, which no valid lesson holds, raises `UnicodeEncodeError`)."""
    data = lesson_to_data(lesson)
    fast = _indented(data)
    return fast if fast is not None else (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _indented(data: Any) -> bytes | None:
    """The canonical text made by msgspec's encoder and indenter (Python's indenting encoder is pure Python: several
    times slower on a long lesson); None where msgspec cannot (an integer beyond 64 bits, a lone surrogate): `json`
    writes those as it always did. Both write the same text but for how a float is spelled (`1e-05` there, `0.00001`
    here: the same number)."""
    import msgspec  # noqa: PLC0415  # loaded with the lesson models anyway

    try:
        return msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n"
    except (msgspec.EncodeError, OverflowError, UnicodeEncodeError):
        return None


def save_lesson(lesson: Lesson, folder: str | os.PathLike[str]) -> Path:
    """Write `lesson.json` atomically (temp file, fsync, rename) so a crash never leaves half a lesson."""
    target_dir = Path(folder)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / LESSON_FILE
    write_atomic(target, lesson_bytes(lesson))
    return target


def save_lesson_folder(lesson: Lesson, out: Path, write_bundle: Callable[[Path], object] | None = None) -> None:
    """Write `lesson.json` (and, through `write_bundle(path)`, `repo.bundle`) next to `out` and swap them in
    (`save_folder`)."""
    save_folder(lesson_bytes(lesson), out, write_bundle)


def save_folder(payload: bytes, out: Path, bundle: bytes | Callable[[Path], object] | None = None) -> None:
    """`payload` as `out/lesson.json`, and `bundle` as `out/repo.bundle` (its bytes, or `bundle(path)` writing it), so
    that a failure or a crash never leaves half a lesson: each is made under a temporary name of its own in `out` and
    fsynced, then both are renamed over their names, and `out` is fsynced so that the renames are on disk too."""
    import secrets

    out.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    made_lesson, made_bundle = out / f".{LESSON_FILE}.{token}.tmp", out / f".repo.bundle.{token}.tmp"
    try:
        if bundle is None:
            _write_new(made_lesson, payload)
        else:
            # Each file's fsync waits on the disk: the bundle is written and flushed beside lesson.json, not before
            # it, so the two waits overlap (a journaling file system commits both at once).
            errors: list[BaseException] = []
            writer = threading.Thread(target=_write_bundle, args=(made_bundle, bundle, errors), name="tutor-bundle")
            writer.start()
            try:
                _write_new(made_lesson, payload)
            finally:
                writer.join()
            if errors:
                raise errors[0]
            os.replace(made_bundle, out / "repo.bundle")
        os.replace(made_lesson, out / LESSON_FILE)
        fsync_dir(out)
    finally:
        for made in (made_lesson, made_bundle):  # left only by a failure
            with contextlib.suppress(FileNotFoundError):
                made.unlink()


def _write_bundle(path: Path, bundle: bytes | Callable[[Path], object], errors: list[BaseException]) -> None:
    """`bundle` (its bytes, or what writes it) as `path`, on disk when this returns; a failure is put in `errors`."""
    try:
        if isinstance(bundle, bytes):
            _write_new(path, bundle)
        else:
            bundle(path)
            _fsync_file(path)
    except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, raised there
        errors.append(error)


def _write_new(path: Path, data: bytes) -> None:
    """`data` as the new file `path` (a name of its own: it must not exist), on disk when this returns."""
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def write_atomic(target: Path, payload: bytes, *, durable: bool = True) -> None:
    """`payload` as `target`, whole or not at all (temp file, then `os.replace`). `durable=False`
    skips the fsyncs: for a cache that is rebuilt when lost, written on a path a person waits on."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes the file private (0600); a lesson or config is an ordinary file.
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        fsync_dir(target.parent)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def lesson_digest(lesson: Lesson) -> str:
    """A content hash of the lesson, independent of formatting: answers remember which version they were given on.

    The hash of `json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` in UTF-8. msgspec
    writes the same bytes several times faster (keys sorted by code point, as UTF-8 bytes sort; the same escapes),
    but for how a float is spelled: a lesson with a float (only a call's input can hold one) is hashed by `json`.
    """
    import msgspec  # noqa: PLC0415  # loaded with the lesson models anyway

    data = lesson_to_data(lesson)
    if not any(_holds_float(call.input) for step in lesson.steps for call in getattr(step, "calls", ())):
        try:
            return hashlib.sha256(msgspec.json.encode(data, order="sorted")).hexdigest()
        except (msgspec.EncodeError, OverflowError, UnicodeEncodeError):
            pass  # an integer beyond 64 bits: json's text
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _holds_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False
