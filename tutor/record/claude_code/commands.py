"""What a shell command does, read from the command itself: a check (tests, a build, a lint), a change, or a look.

Only the command's first line is read (a heredoc's body, a script piped in, is data, not the
command), and only its programs and subcommands count: words inside a quoted string, an
`echo` or a commit message never make `git commit -m "fix tests"` a test run. Every segment
of a pipeline or a `&&` chain is looked at; wrappers (`sudo`, `time`, `npx`, `uv run`,
`python -m`...) and `VAR=value` prefixes are skipped to reach the program that runs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from enum import Enum

_MAX_LINE = 4000  # a longer first line is read this far: what matters is at its start
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "|&", "(", ")", ";;"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = frozenset({"sudo", "time", "nice", "nohup", "env", "command", "exec", "xargs", "npx", "bunx", "pnpx", "stdbuf"})
_RUNNERS = {  # a runner and its word that hands over to another program
    "uv": "run", "poetry": "run", "pipenv": "run", "hatch": "run", "pdm": "run", "rye": "run",
    "bundle": "exec", "dotnet": "tool", "conda": "run",
}

_CHECK_PROGRAMS = frozenset({
    "pytest", "py.test", "tox", "nox", "jest", "vitest", "mocha", "ava", "karma", "playwright", "cypress", "rspec",
    "phpunit", "ctest", "ruff", "mypy", "pyright", "flake8", "pylint", "black", "isort", "eslint", "tslint", "tsc",
    "prettier", "biome", "golangci-lint", "staticcheck", "shellcheck", "rubocop", "clippy-driver", "stylelint",
    "lint-imports", "gofmt", "rustfmt", "bandit", "hadolint", "ktlint", "swiftlint", "make", "gmake", "ninja", "cmake", "bazel",
    "gcc", "g++", "clang", "clang++", "javac", "rustc", "webpack", "vite", "rollup", "esbuild", "turbo", "nx",
    "pre-commit", "typecheck", "vue-tsc", "svelte-check", "deno-lint", "coverage",
})
_CHECK_SUBCOMMANDS = {
    "go": {"test", "build", "vet"},
    "cargo": {"test", "build", "check", "clippy", "nextest", "bench", "fmt"},
    "mix": {"test", "compile", "format", "credo", "dialyzer"},
    "dotnet": {"test", "build"},
    "mvn": {"test", "verify", "compile", "package", "install"},
    "gradle": {"test", "build", "check", "assemble"},
    "./gradlew": {"test", "build", "check", "assemble"},
    "./mvnw": {"test", "verify", "compile", "package"},
    "swift": {"test", "build"},
    "bun": {"test"},
    "deno": {"test", "check", "lint"},
    "rake": {"test", "spec"},
    "next": {"build", "lint"},
    "nuxt": {"build"},
    "flutter": {"test", "analyze", "build"},
    "dart": {"test", "analyze"},
    "zig": {"build", "test"},
    "elixir": set(),
}
_SCRIPT_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})  # `npm run test:unit`, `yarn lint`, `pnpm build`
_SCRIPT_CHECK = re.compile(r"(test|spec|lint|build|check|typecheck|type-check|tsc|compile|e2e|ci|verify|format)", re.I)
_PYTHON_CHECK_MODULES = frozenset({"pytest", "unittest", "mypy", "ruff", "pylint", "flake8", "black", "tox", "nox", "compileall", "py_compile", "doctest", "coverage", "pyright"})

_LOOK_PROGRAMS = frozenset({
    "ls", "cat", "head", "tail", "less", "more", "grep", "egrep", "rg", "ag", "find", "fd", "pwd", "echo", "printf",
    "which", "whereis", "type", "wc", "tree", "du", "df", "file", "stat", "env", "printenv", "sort", "uniq", "jq",
    "diff", "cmp", "awk", "cut", "tr", "date", "whoami", "uname", "ps", "top", "lsof", "nl", "column", "true",
    "false", "test", "[", "sleep", "basename", "dirname", "realpath", "readlink", "md5sum", "sha256sum", "hexdump", "xxd", "od",
})
_GIT_LOOKS = frozenset({"status", "diff", "log", "show", "blame", "grep", "ls-files", "rev-parse", "describe", "shortlog", "reflog", "remote", "config", "branch", "tag"})
_CHANGE_PROGRAMS = frozenset({"rm", "rmdir", "mv", "cp", "mkdir", "touch", "chmod", "chown", "ln", "tee", "dd", "truncate", "patch", "install", "rsync", "wget", "unzip", "tar", "kill", "pkill", "killall", "brew", "apt", "apt-get", "dnf", "yum", "pacman", "gh", "kubectl", "terraform", "helm", "psql", "mysql", "sqlite3", "redis-cli", "shred"})
_CHANGE_SUBCOMMANDS = {
    "git": {"add", "commit", "push", "pull", "checkout", "switch", "reset", "rebase", "merge", "stash", "rm", "mv", "restore", "cherry-pick", "revert", "clean", "apply", "am", "init", "clone", "worktree", "submodule", "fetch"},
    "npm": {"install", "i", "ci", "add", "uninstall", "remove", "publish", "init", "update", "link", "version", "audit"},
    "yarn": {"add", "install", "remove", "upgrade", "init", "publish"},
    "pnpm": {"add", "install", "i", "remove", "update", "init", "publish"},
    "bun": {"add", "install", "remove", "init"},
    "pip": {"install", "uninstall"}, "pip3": {"install", "uninstall"},
    "uv": {"add", "remove", "sync", "pip", "init", "lock", "venv"},
    "poetry": {"add", "remove", "install", "update", "lock", "init", "new"},
    "cargo": {"add", "remove", "install", "new", "init", "update", "publish"},
    "go": {"get", "mod", "install", "generate"},
    "docker": {"run", "build", "rm", "rmi", "compose", "push", "stop", "kill", "exec", "volume", "system", "network"},
    "docker-compose": {"up", "down", "build", "rm", "run", "restart"},
    "sed": set(), "perl": set(),
}


class CommandKind(str, Enum):
    CHECK = "check"  # tests, a build, a lint, a type check: its outcome is worth predicting
    CHANGE = "change"  # writes files, installs, commits, deletes: a consequential call
    LOOK = "look"  # reads and prints only
    OTHER = "other"  # a program not known here (a script, a server): neither


def first_line(command: str) -> str:
    """The command as the shell reads its first line: lines joined where they end in `\\`, a heredoc's body left out."""
    text = command.lstrip()[: _MAX_LINE * 2]  # the rest of a long script is never read
    taken: list[str] = []
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end].rstrip("\r")
        continued = line.endswith("\\") and end >= 0
        taken.append(line[:-1] if continued else line)
        if not continued:
            break
        start = end + 1
    return " ".join(taken)[:_MAX_LINE]


# One token of a shell line: an operator, or a word made of plain characters, escapes and quoted strings.
_TOKEN = re.compile(
    r"""\s*(?:(&&|\|\||;;|\|&|&>>|&>|>>|>\||>&|<&|<<<|<<|[;|&()<>])"""
    r"""|((?:[^\s'"\\;|&()<>]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+))""",
    re.S,
)
_QUOTED = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.)""", re.S)


def _unquote(word: str) -> str:
    return _QUOTED.sub(lambda m: m.group(1) if m.group(1) is not None else (m.group(2) if m.group(2) is not None else m.group(3)), word)


def _words(line: str) -> list[str]:
    """The line's words and operators, quotes removed, as the shell splits them (a regex, not shlex: ten times faster on a long session).

    A quote that never closes ends the line: what follows it is one string, not commands.
    """
    words: list[str] = []
    position = 0
    while position < len(line):
        match = _TOKEN.match(line, position)
        if match is None:
            rest = line[position:].strip()
            if rest:
                words.append(rest)
            break
        if match.end() == position:
            break
        operator, word = match.groups()
        if operator or word:
            words.append(operator or _unquote(word))
        position = match.end()
    return words


def _segments(line: str) -> list[tuple[list[str], bool]]:
    """Each simple command of the line: its words (redirect targets dropped) and whether it writes a file by redirection."""
    segments: list[tuple[list[str], bool]] = []
    words: list[str] = []
    writes = False
    tokens = _words(line)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in _SEPARATORS:
            if words or writes:
                segments.append((words, writes))
            words, writes = [], False
        elif token in _REDIRECTS or token in {"<", "<<", "<<<", ">&", "<&"}:
            target = tokens[index + 1] if index + 1 < len(tokens) else ""
            if token in _REDIRECTS and not target.startswith("/dev/") and not (words and words[-1].isdigit() and token == ">&"):
                writes = True
            if words and words[-1].isdigit():
                words.pop()  # the `2` of `2>&1`
            index += 1  # the target (a file, a descriptor, a heredoc's delimiter) is not a word of the command
        else:
            words.append(token)
        index += 1
    if words or writes:
        segments.append((words, writes))
    return segments


def _program(words: list[str]) -> list[str]:
    """The words from the program that really runs: past assignments, wrappers and runners."""
    index = 0
    while index < len(words):
        word = words[index]
        if _ASSIGNMENT.match(word):
            index += 1
        elif word in _WRAPPERS:
            index += 1
            while index < len(words) and (words[index].startswith("-") or words[index].replace(".", "").isdigit()):
                index += 1  # `timeout 60`, `nice -n 10`
        elif word == "timeout" or (word in _RUNNERS and index + 1 < len(words) and words[index + 1] == _RUNNERS[word]):
            index += 2
        else:
            break
    return words[index:]


def _name(word: str) -> str:
    """`/usr/bin/python3.12` -> `python3.12`, but `./gradlew` stays itself."""
    return word if word.startswith("./") else word.rsplit("/", 1)[-1]


def _subcommand(words: list[str]) -> str:
    return next((word for word in words[1:] if not word.startswith("-")), "")


def _segment_kind(words: list[str], writes: bool) -> CommandKind:
    words = _program(words)
    if not words:
        return CommandKind.CHANGE if writes else CommandKind.OTHER
    program, sub = _name(words[0]), _subcommand(words)
    if program in {"black", "isort", "prettier", "ruff", "gofmt", "rustfmt"} and _formats(words):
        return CommandKind.CHANGE  # a formatter run to rewrite files, not to check them
    if program in _CHECK_PROGRAMS:
        return CommandKind.CHECK
    if sub in _CHECK_SUBCOMMANDS.get(program, ()):
        return CommandKind.CHECK
    if program in _SCRIPT_RUNNERS:
        script = words[2] if sub == "run" and len(words) > 2 else sub
        if sub in ("test", "t") or (_SCRIPT_CHECK.search(script) and sub not in _CHANGE_SUBCOMMANDS.get(program, ())):
            return CommandKind.CHECK
    if re.fullmatch(r"python[0-9.]*|py", program) and len(words) > 2 and words[1] == "-m" and words[2] in _PYTHON_CHECK_MODULES:
        return CommandKind.CHECK
    if writes or program in _CHANGE_PROGRAMS or sub in _CHANGE_SUBCOMMANDS.get(program, ()):
        return CommandKind.CHANGE
    if program in ("sed", "perl") and any(word.startswith(("-i", "-pi")) for word in words[1:]):
        return CommandKind.CHANGE
    if program in ("curl",) and any(word in ("-o", "-O", "--output", "-X", "--request", "-d", "--data") for word in words[1:]):
        return CommandKind.CHANGE
    if program in _LOOK_PROGRAMS or program in ("sed", "perl", "curl") or (program == "git" and sub in _GIT_LOOKS):
        return CommandKind.LOOK
    if program == "cd":
        return CommandKind.LOOK
    return CommandKind.OTHER


def _formats(words: list[str]) -> bool:
    """`black .` and `ruff format` rewrite files; `black --check` and `ruff check` only check."""
    if any(word in ("--check", "--diff", "-c", "--list-different", "-l") for word in words[1:]):
        return False
    if _name(words[0]) in ("gofmt", "rustfmt"):
        return "-w" in words or _name(words[0]) == "rustfmt"
    return _name(words[0]) != "ruff" or _subcommand(words) == "format"


def command_kinds(command: object) -> frozenset[CommandKind]:
    """The kinds of the simple commands on the command's first line (empty for no command)."""
    if not isinstance(command, str) or not command.strip():
        return frozenset()
    return _line_kinds(first_line(command))


@lru_cache(maxsize=4096)  # a session runs the same few commands again and again
def _line_kinds(line: str) -> frozenset[CommandKind]:
    return frozenset(_segment_kind(words, writes) for words, writes in _segments(line))


def is_check(command: object) -> bool:
    """A test run, a build, a lint or a type check, as the command itself says (never words in its strings)."""
    return CommandKind.CHECK in command_kinds(command)


def changes_things(command: object) -> bool:
    """The command writes, installs, commits, deletes or moves something: letting it run is a decision."""
    return CommandKind.CHANGE in command_kinds(command)
