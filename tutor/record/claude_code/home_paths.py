"""Home folders out of an imported lesson: paths made relative to the session's folder, else to `~`.

A transcript names files the way the senior's machine does: `/home/alice/shop/src/app.py`,
`/Users/bob/...`, `C:\\Users\\carol\\...`, `/root/...`. In a lesson those paths say who the
senior is and where they keep their work, and they read worse than the `src/app.py` a
learner sees in the code. So every string of a draft is rewritten:

- inside the session's folder (`cwd`): relative to it (`src/app.py`; the folder itself is `.`);
- elsewhere in a home folder: from `~` (`~/.claude/settings.json`, `~\\AppData\\...`).

A path is one where it stands alone: after a space, a quote, a bracket, `=`, `:`, or glued to a word
of another script than Latin (`請閱讀/Users/alice/proj/doc.md`: Chinese and Japanese put no space
between words and paths). After an ASCII letter, digit or path character it may be the middle of
a longer path (`/srv/home/dan`, `app/users/42`), left as it is; but the name of the session's own
user (the one its folder is in) is never left: wherever it follows `home`, `Users` or `Settings`
and a separator (`read/Users/alice/x`, `/System/Volumes/Data/Users/alice/x`, JSON's
`\\/Users\\/alice`, `C:\\\\Users\\\\alice`), the name alone becomes `$USER`, what a shell would
read as the user's name, the path otherwise as written.

Claude Code also names a session's own folders after its working folder, every character
but letters and digits made a dash (`~/.claude/projects/-home-alice-shop/`,
`/tmp/claude-1000/-home-alice-shop/tasks/...`). Such a name is one folder's, not a path to
shorten: the user's name in it becomes `$USER` (`~/.claude/projects/-home-$USER-shop/`), the
name Claude Code gives that folder on any machine, never a folder's that does not exist (`~-shop`)
and never a real one's (no encoded name holds a `$`). `-root` names no one and is kept.

A long listing (`ls -l`: `-rw-r--r--  1 alice alice  882 Feb 12 15:13 mix.exs`) names the
owner and group of each file: a person's name unless it is one of the system's accounts
(`root`, `staff`, `www-data`, `_www`...), and a transcript made anonymous elsewhere still
shows it there. Those columns become `user`.

The user names found on the way (`alice`, from `/home/alice`) are collected, so that the
lesson's id, made from its title, can leave them out too.
"""

from __future__ import annotations

import re
from typing import Any

from tutor.redaction.searching import AtLineStarts, places

# What may stand right before a path: not a character that would make it the middle of a longer one. A letter of
# another script than Latin is not one: Chinese and Japanese put no space between a word and a path (`請閱讀/Users/...`).
_BEFORE = r"(?:(?<=file://)|(?<![\w.~/\\-])|(?<=[^\x00-\x7f]))"
# One name in a path: up to a separator, a space, a quote or a character that ends a path in prose or a command.
_NAME = r"[^/\\\s\"'`:;,|<>()\[\]{}*?=&$]+"
# `/home/<user>`, `/Users/<user>`, `C:\Users\<user>` (either slash), Git Bash's `/c/Users/<user>`, WSL's `/mnt/c/Users/<user>`.
_HOME = re.compile(
    _BEFORE
    # POSIX homes as written (`/users/42` is a web route, not a home); Windows' in any case, as Windows reads them.
    + r"(?P<home>(?:/home|/Users|/export/home|(?i:(?:[A-Za-z]:|/[A-Za-z]|/mnt/[A-Za-z])[\\/](?:Users|Documents and Settings)))"
    + r"[\\/](?P<user>" + _NAME + r")|/root)"
    + r"(?P<rest>[\\/][^\s\"'`|<>]*)?(?=$|[^\w.-])",
)
# Where a home path can be: each literal found (fast, by `str.find`), a path is tried at the few places
# before it where one could start (`/mnt/c/Users` starts 7 before `Users`). Trying the pattern at every
# position of a long output instead would cost a hundred times more.
_HOME_ANCHORS = ("/home", "/root", "Users", "users", "USERS", "Settings", "settings", "SETTINGS")
_ANCHOR_PARTS = ("/home", "/root", "sers", "SERS", "ettings", "ETTINGS")  # each anchor holds one of these
assert all(any(part in anchor for part in _ANCHOR_PARTS) for anchor in _HOME_ANCHORS)
_BACK = 24  # the farthest a home path starts before its anchor ("C:\\Documents and Settings" is the longest)
# A folder Claude Code named after a home folder, every character but a letter or a digit made a dash:
# `-home-alice`, `-Users-bob`, `C--Users-carol`, `-root`, as a path's part (after a separator, a space or a quote).
# A user name with a dash, a dot or an underscore in it is cut there in such a name: its first part is taken.
_ENCODED_HOME = re.compile(
    r"(?:(?<=[/\\\s\"'`=:])|^)(?:(?:-home|-Users|[A-Za-z]--Users)-(?P<user>[A-Za-z0-9]+)|-root)(?=-|$|[/\\\s\"'`])",
    re.MULTILINE,
)
# The session's own user's name after `home`, `Users` or `Settings` and separators (any, and any number: `\\/`, `\\\\`),
# wherever that stands (see `PathRewriter._owner_named`); the name not followed by more of a longer one.
_OWNER_NAMED = r"(?i:home|users|settings)[\\/]++(?P<user>{user})(?![A-Za-z0-9_-])(?!\.[A-Za-z0-9_-])"
OWNER = "$USER"  # what the session's user's name becomes where the path around it is kept as written
# Accounts and groups that are the system's, not a person's: kept in a listing.
_SYSTEM_ACCOUNTS = frozenset({
    "root", "wheel", "staff", "admin", "daemon", "bin", "sys", "adm", "nobody", "nogroup", "users", "www-data", "docker",
    "sudo", "everyone", "messagebus", "syslog", "mail", "postgres", "mysql", "redis", "node", "ubuntu", "vscode", "runner",
})
# A line of a long listing (`ls -l`): mode, links, then the owner and group columns.
_LISTING_LINE = re.compile(r"(?m)^(?P<lead>[-dlcbpsDL][rwxsStTl-]{9}[.+@]?[ \t]+\d+[ \t]+)(?P<owner>\S+)(?P<gap>[ \t]+)(?P<group>\S+)(?=[ \t])")
_LISTING_LINES = AtLineStarts(_LISTING_LINE)  # the same, not tried at every place of a text
# Folders under /Users or /home that belong to nobody in particular.
_SHARED = frozenset({"shared", "public", "default", "all users", "default user", "guest"})


def _inside_a_longer_path(text: str, start: int) -> bool:
    """Whether what starts at `start` is the middle of a longer path or name (`/srv/home/alice`), as `_BEFORE` says."""
    if start == 0:
        return False
    before = text[start - 1]
    if before == "/":
        return not text.endswith("file://", 0, start)
    return before.isascii() and (before.isalnum() or before in "_.~\\-")


def user_of(path: str) -> str | None:
    """The user whose home folder `path` is in (`alice` for `/home/alice/shop`), or None."""
    match = _HOME.match(path.strip())
    if match is None:
        return None
    user = match.group("user")
    if user is None:
        return "root"
    return None if user.lower() in _SHARED else user


def is_home_folder(path: str) -> bool:
    """Whether `path` is a home folder itself (`/home/alice`, `C:\\Users\\alice\\`), not a project inside one."""
    match = _HOME.fullmatch(path.strip())
    return match is not None and not (match.group("rest") or "").strip("/\\")


class PathRewriter:
    """Rewrites the paths of one session's strings; remembers the user names it met."""

    def __init__(self, cwd: str) -> None:
        self.users: set[str] = set()
        cwd = cwd.strip()
        trimmed = cwd.rstrip("/\\") if len(cwd.rstrip("/\\")) > 2 else ""
        self._inside: re.Pattern[str] | None = None
        self._windows = False
        self._last = ""  # the folder's last part: a string without it cannot name the folder, and is skipped fast
        self._owner_named: re.Pattern[str] | None = None  # the session's user's name in a path, wherever it stands
        self._encoded_home = _ENCODED_HOME
        if trimmed and trimmed not in ("/", "~"):
            # The folder as written, with either separator (Windows paths come both ways), case-insensitive on Windows.
            windows = re.match(r"^[A-Za-z]:", trimmed) is not None
            parts = re.split(r"[\\/]+", trimmed)
            self._windows, self._last = windows, parts[-1].lower() if windows else parts[-1]
            body = r"[\\/]+".join(re.escape(part) for part in parts)
            # No lookbehind: a pattern that starts with literal text is found fast; what comes before is checked after.
            self._inside = re.compile(
                "(?:" + body + r")(?P<rest>[\\/][^\s\"'`|<>]*)?(?=$|[^\w.-])",
                re.IGNORECASE if windows else 0,
            )
            user = user_of(trimmed)
            if user:
                self.users.add(user)
                if user != "root":
                    self._owner_named = re.compile(_OWNER_NAMED.format(user=re.escape(user)))
                    encoded = re.sub(r"[^A-Za-z0-9]", "-", user)
                    if encoded != user:  # `hp_victus` is `-home-hp-victus-...` in Claude Code's folder names: all of it
                        pattern = _ENCODED_HOME.pattern.replace("(?P<user>", "(?P<user>" + re.escape(encoded) + "|", 1)
                        self._encoded_home = re.compile(pattern, re.MULTILINE)

    def text(self, text: str) -> str:
        if "-home-" in text or "-Users-" in text or "-root" in text:
            text = self._encoded_home.sub(self._encoded_from_home, text)
        text = self.listings(text)
        if "/" not in text and "\\" not in text:
            return text  # no path at all: most strings, skipped fast
        if self._inside is not None and self._last in (text.lower() if self._windows else text):
            text = self._inside.sub(self._relative, text)
        return self._homes(text)

    def _encoded_from_home(self, match: re.Match[str]) -> str:
        user = match.group("user")
        if user is None:  # `-root`: no one's name
            self.users.add("root")
            return match.group(0)
        if user.lower() in _SHARED:
            return match.group(0)
        self.users.add(user)
        return match.string[match.start() : match.start("user")] + OWNER

    @staticmethod
    def listings(text: str) -> str:
        """`text` with the owner and group columns of its long listings made `user` where they name a person."""
        if "r-" not in text and "rw" not in text:  # no file mode: no listing (most strings, skipped fast)
            return text
        return _LISTING_LINES.sub(_listed_anonymously, text)

    @staticmethod
    def _relative(match: re.Match[str]) -> str:
        if _inside_a_longer_path(match.string, match.start()):
            return match.group(0)  # the middle of a longer path (`/srv/home/alice/shop`), not the session's folder
        rest = match.group("rest") or ""
        return rest.lstrip("/\\") if rest.strip("/\\") else "."  # every separator after the folder: JSON writes `\/`, `\\`

    def _homes(self, text: str) -> str:
        for part in _ANCHOR_PARTS:  # most strings hold no anchor: one pass a part, nothing kept (a loop: no generator)
            if part in text:
                break
        else:
            return text
        anchors = sorted({at for anchor in _HOME_ANCHORS for at in places(text, anchor)})
        if not anchors:
            return text
        out: list[str] = []
        done = 0
        owner = self._owner_named
        for anchor in anchors:
            if anchor < done:
                continue
            for start in range(max(done, anchor - _BACK), anchor + 1):
                match = _HOME.match(text, start)
                if match is not None:
                    out.append(text[done:start])
                    out.append(self._from_home(match))
                    done = match.end()
                    break
            else:
                if owner is None:
                    continue
                # No path stands alone here (`read/Users/alice/x`, `/System/Volumes/Data/Users/alice`): the session's
                # user's name is not kept all the same; `home`, `Users`, `Settings` not the end of a longer word.
                word = anchor + 1 if text.startswith("/", anchor) else anchor
                named = owner.match(text, word)
                if named is not None and not (word > 0 and text[word - 1].isascii() and text[word - 1].isalpha()):
                    out.append(text[done : named.start("user")])
                    out.append(OWNER)
                    done = named.end()
        out.append(text[done:])
        return "".join(out)

    def _from_home(self, match: re.Match[str]) -> str:
        user = match.group("user")
        if user is not None and user.lower() in _SHARED:
            return match.group(0)
        self.users.add(user or "root")
        return "~" + (match.group("rest") or "")

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string (dict keys too) rewritten; iterative, so depth costs nothing."""
        if isinstance(value, str):
            return self.text(value)
        if not isinstance(value, (dict, list)):
            return value
        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
        while stack:
            item, parent, key = stack.pop()
            if isinstance(item, dict):
                copy: dict[Any, Any] = {}
                parent[key] = copy
                for child_key, child in item.items():
                    new_key = self.text(child_key) if isinstance(child_key, str) else child_key
                    copy[new_key] = None
                    stack.append((child, copy, new_key))
            elif isinstance(item, list):
                copied: list[Any] = [None] * len(item)
                parent[key] = copied
                stack.extend((child, copied, index) for index, child in enumerate(item))
            else:
                parent[key] = self.text(item) if isinstance(item, str) else item
        return root[0]


def _listed_anonymously(match: re.Match[str]) -> str:
    owner, group = (name if name in _SYSTEM_ACCOUNTS or name.startswith("_") or name.isdigit() else "user"
                    for name in (match.group("owner"), match.group("group")))
    return match.group("lead") + owner + match.group("gap") + group


def relative_paths(value: Any, cwd: str) -> Any:
    """`value` (a string, or dicts and lists of them) with paths in the session's folder made relative, other home paths from `~`."""
    return PathRewriter(cwd).value(value)
