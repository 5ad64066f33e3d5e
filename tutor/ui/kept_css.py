"""Textual's parsed CSS kept between starts: each stylesheet source parsed once a machine, not once a process.

Textual parses every CSS source it meets in every process: Tutor's `tutor.tcss` and the
`DEFAULT_CSS` of each widget class the first time one is mounted (a `Button`'s alone is
~8 ms). On `tutor learn` that was ~30 ms before the first screen could take a key and
~15 ms more when the first question's form appeared. Parsing is a pure function of the
CSS text, where it was read from, its kind, tie-breaker and scope, and the CSS
variables (the theme), so its result is kept: Textual's own in-process cache
(`Stylesheet._parse_rules`) is given a second level on disk, like Python's bytecode
cache for modules. `install` wraps that one method of Textual's `Stylesheet` (Textual is
pinned to one version; `tests/ui/test_kept_css.py` holds the kept rules equal to parsed
ones and the screens drawn the same); every stylesheet, including the fresh ones
Textual makes to re-parse, then asks the kept rules first.

The kept rules live beside Tutor's own bytecode (`tutor/ui/__pycache__`, or under
`PYTHONPYCACHEPREFIX`), for the same reason: they are what this install's code compiles
to, made by its first start, not data of a learner's (`TUTOR_HOME` holds none of it,
and a first lesson opened on a fresh home still finds them); like bytecode they are not
written where Python is told not to write bytecode (`PYTHONDONTWRITEBYTECODE`) or
cannot write. One file a Textual install and Python version, read whole on the first
parse of a process: a table of entries named by the SHA-256 of everything the parse
depends on, each the pickled list of `RuleSet`s. New entries are written when the app
stops (`keep`), merged with what another process kept meanwhile, through a temporary
file renamed over the old one. A source whose text changes gets a new entry; rules
with errors are never kept (Textual reports them as it always does).

Trust: unpickling runs code, so the file is trusted as the bytecode beside it is, and
no more: it is read only if it is a plain file owned by this user (or by root, as a
system-wide install's bytecode is) and writable by no one else, no larger than `LIMIT`, with the digest of its content intact; anything else is ignored
(and parsed afresh). Nothing from a lesson, bundle or transcript is ever written to it:
only the CSS shipped with Tutor and Textual.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

LIMIT = 8 << 20  # far more than every stylesheet of Tutor and Textual (~0.2 MB): a bigger file is not ours
_FORMAT = b"tutor.kept-css/1\n"
_DIGEST = hashlib.sha256().digest_size


class KeptRules:
    """The kept parses in one cache file: looked up by digest, added to, written back once."""

    def __init__(self, path: Path, *, writable: bool = True) -> None:
        self.path = path
        self.writable = writable
        self._entries: dict[str, bytes] | None = None  # read on the first look-up
        self._new: dict[str, bytes] = {}

    def get(self, digest: str) -> Any:
        """The rules kept under `digest` (a fresh copy each time), or None."""
        if self._entries is None:
            self._entries = _read(self.path)
        blob = self._new.get(digest) or self._entries.get(digest)
        if blob is None:
            return None
        import pickle

        try:
            return pickle.loads(blob)  # noqa: S301 - the file passed `_read`'s checks: the user's own, intact
        except Exception:  # noqa: BLE001 - a damaged entry costs a parse, never a start
            return None

    def put(self, digest: str, rules: Any) -> None:
        import pickle

        try:
            self._new[digest] = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - rules that will not pickle are parsed again next time
            return

    def keep(self) -> None:
        """Write the entries added since the file was read, with whatever another process kept meanwhile."""
        if not self._new or not self.writable:
            return
        entries = {**_read(self.path), **self._new}
        if sum(map(len, entries.values())) > LIMIT // 2:  # the sources changed many times: start again from this process's
            entries = dict(self._new)
        payload = msgspec.msgpack.encode(entries)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(_FORMAT + hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)
            return
        self._entries, self._new = entries, {}


def _read(path: Path) -> dict[str, bytes]:
    """The entries of the file at `path`; empty if it is absent, not the user's own, too large or damaged."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return {}
    try:
        if not _private(os.fstat(fd)):  # the file opened, not whatever its name meant a moment before
            return {}
        data = os.read(fd, LIMIT + 1)
    except OSError:
        return {}
    finally:
        os.close(fd)
    head = len(_FORMAT) + _DIGEST
    if len(data) > LIMIT or not data.startswith(_FORMAT) or hashlib.sha256(data[head:]).digest() != data[len(_FORMAT) : head]:
        return {}
    try:
        return msgspec.msgpack.decode(data[head:], type=dict[str, bytes])
    except msgspec.DecodeError:
        return {}


def _private(info: os.stat_result) -> bool:
    """Owned by this user or root and writable by no one else (what a file must be to be unpickled).

    A file someone else put in its place is theirs, whatever the folder allows, so the file is enough.
    """
    owners = (os.getuid(), 0) if hasattr(os, "getuid") else (info.st_uid,)
    return info.st_uid in owners and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


# ------------------------------------------------------------------ the hook into Textual

_store: KeptRules | None = None  # the kept rules in use, opened on the first parse after `install`
_folder: Callable[[], tuple[Path, bool]] | None = None
_variables: tuple[object, str] | None = None  # the last variables mapping seen and its digest


def install(folder: Callable[[], tuple[Path, bool]] | None = None) -> None:
    """Give Textual's stylesheets the kept rules (read when first needed); Textual is hooked once a process.

    `folder()`: where the file is and whether it may be written; None: the folder chosen
    before, or else beside Tutor's bytecode. Choosing another first keeps what was parsed.
    """
    global _store, _folder
    from textual.css.stylesheet import Stylesheet

    if folder is not None or _folder is None:
        keep()
        _store, _folder = None, folder if folder is not None else beside_bytecode
    parse_rules = Stylesheet._parse_rules  # noqa: SLF001 - the one place Textual is hooked; it is pinned exactly
    if getattr(parse_rules, "kept", False):
        return

    def kept_parse_rules(
        self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False, tie_breaker: int = 0, scope: str = ""
    ) -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope)
        if key in self._parse_cache:
            return self._parse_cache[key]
        store = _opened()
        digest = hashlib.sha256(repr((_variables_digest(self._variables), key)).encode("utf-8", "surrogatepass")).hexdigest()
        rules = store.get(digest)
        if rules is not None:
            self._parse_cache[key] = rules
            return rules
        rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        if not any(rule.errors for rule in rules):
            store.put(digest, rules)
        return rules

    kept_parse_rules.kept = True  # type: ignore[attr-defined]
    Stylesheet._parse_rules = kept_parse_rules  # type: ignore[method-assign]  # noqa: SLF001


def keep() -> None:
    """Write what this process parsed that was not kept yet (the app calls it as it stops)."""
    if _store is not None:
        _store.keep()


def _opened() -> KeptRules:
    global _store
    if _store is None:
        where, writable = (_folder or beside_bytecode)()
        _store = KeptRules(where / f"kept-css.{_install_name()}.rules", writable=writable)
    return _store


def beside_bytecode() -> tuple[Path, bool]:
    """Where Python keeps the bytecode of this package's modules, and whether it may write there."""
    here = Path(__file__).resolve().parent
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix).joinpath(*here.parts[1:]), not sys.dont_write_bytecode
    return here / "__pycache__", not sys.dont_write_bytecode


def _variables_digest(variables: dict[str, str]) -> str:
    global _variables
    if _variables is None or _variables[0] is not variables:
        text = repr(sorted(variables.items()))
        _variables = (variables, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return _variables[1]


def _install_name() -> str:
    """This Textual install and Python version: a kept parse is only read back by the code that made it."""
    import textual

    package = Path(textual.__file__).parent
    versions = []
    try:
        with os.scandir(package.parent) as entries:
            versions = sorted(e.name for e in entries if e.name.startswith("textual-") and e.name.endswith((".dist-info", ".egg-info")))
    except OSError:
        pass
    try:
        changed = os.stat(package / "css" / "parse.py").st_mtime_ns
    except OSError:
        changed = 0
    where = f"{package}|{'|'.join(versions)}|{changed}|{sys.version}"
    return f"textual-{sys.implementation.cache_tag}-{hashlib.sha256(where.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"
