"""Home paths as real transcripts write them: glued to the words before them, in any script.

A real session opened with `請閱讀/Users/<name>/personal_project/weave/doc.md, 這是我的take home
project`: Chinese puts no space before a path, and the lesson kept the user's name. Each test
writes a transcript in Claude Code's real format, imports it (`import_claude_code`,
`write_imported_lesson`) and reads the `lesson.json` a learner gets: the name is nowhere in it.
Where the path stands alone (after a word of another script than Latin, or a space, a
quote, `:`, `=`...) it is made relative to the session's folder or shown from `~`; where it
is glued to an ASCII letter or digit (it could be the middle of a longer path) only the
name becomes `$USER`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.helpers.claude_code_format import Session
from tests.helpers.imported import imported_lesson
from tutor.record.claude_code.home_paths import relative_paths

NAME = "linhungfan"
HOME = f"/Users/{NAME}"
CWD = f"{HOME}/personal_project/weave"

# What stands glued before a path in prose and commands: words of several scripts, digits, punctuation.
PREFIXES = [
    "請閱讀",  # Chinese (the real prompt)
    "ファイル",  # Japanese
    "파일",  # Korean
    "см.",  # Cyrillic, then a dot
    "αρχείο",  # Greek
    "ملف",  # Arabic
    "read",  # Latin letters
    "é",  # a Latin letter outside ASCII
    "v2",  # a digit
    '"',
    "'",
    "`",
    ":",
    "(",
    "=",
    "",
    "x/",  # the path doubled: `x//Users/...`
    "\\",  # JSON's escaped slash: `\/Users/...`
]



def _session(prompt: str, *, cwd: str = CWD, command: str = "ls", output: str = "ok", said: str = "Done.") -> Session:
    s = Session(cwd=cwd)
    s.user(prompt)
    use = s.tool_use("Bash", command=command, text=said)
    s.tool_result(use, output)
    s.say("All read.")
    s.user("Thanks, now write the summary into NOTES.md")
    s.say("Written.")
    return s


def _goal(data: dict[str, Any]) -> str:
    return next(step["text"] for step in data["steps"] if step["kind"] == "goal")


def test_the_real_prompt_glued_to_chinese_loses_the_users_name() -> None:
    prompt = f"請閱讀{CWD}/doc.md, 這是我的take home project. 請先分析"
    data, text = imported_lesson(_session(prompt))
    assert NAME not in text
    assert _goal(data) == "請閱讀doc.md, 這是我的take home project. 請先分析"  # inside the session's folder: relative


def test_a_session_run_in_the_home_folder_itself_glued_to_chinese() -> None:
    # The real session's folder was the home folder: the path is relative to it.
    data, text = imported_lesson(_session(f"請閱讀{CWD}/doc.md, 這是我的project", cwd=HOME))
    assert NAME not in text
    assert _goal(data) == "請閱讀personal_project/weave/doc.md, 這是我的project"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_prefix_keeps_the_name_in_prompts_agent_text_commands_and_outputs(prefix: str) -> None:
    inside, outside = f"{prefix}{CWD}/src/app.py", f"{prefix}{HOME}/.config/weave/settings.toml"
    s = _session(f"Look at {inside} and {outside}", command=f"cat {inside}; cat {outside}",
                 output=f"read {inside}\nread {outside}\n", said=f"Reading {inside}, then {outside}.")
    data, text = imported_lesson(s)
    assert NAME not in text
    # The name is all that goes: the file's own path is still there for the learner.
    assert "src/app.py" in _goal(data) and ".config/weave/settings.toml" in _goal(data)


@pytest.mark.parametrize("prefix", ["請閱讀", "читай", "한번"])
def test_words_of_another_script_before_a_path_leave_it_whole_a_path(prefix: str) -> None:
    data, _ = imported_lesson(_session(f"{prefix}{CWD}/src/app.py {prefix}{HOME}/.zshrc {prefix}/home/bob/notes.txt", cwd=CWD))
    assert _goal(data) == f"{prefix}src/app.py {prefix}~/.zshrc {prefix}~/notes.txt"


def test_after_an_ascii_letter_only_the_sessions_users_name_goes() -> None:
    # Glued to an ASCII word a path may be the middle of a longer one: kept as written but for the session's user's name.
    prompt = f"read{CWD}/doc.md, see /System/Volumes/Data{HOME}/x.txt and app/users/42/profile and /srv/home/dan/x"
    data, text = imported_lesson(_session(prompt))
    assert NAME not in text
    assert _goal(data) == ("read/Users/$USER/personal_project/weave/doc.md, see /System/Volumes/Data/Users/$USER/x.txt "
                           "and app/users/42/profile and /srv/home/dan/x")


@pytest.mark.parametrize(("cwd", "path"), [
    ("/home/hp_victus/solana/LOKAL", "/home/hp_victus/solana/LOKAL/src/lib.rs"),
    ("C:\\Users\\carol\\shop", "C:\\Users\\carol\\shop\\src\\app.py"),
    ("/home/carol/shop", "/home/carol/shop/src/app.py"),
])
@pytest.mark.parametrize("prefix", ["看", "x", "1", "`", ":"])
def test_linux_and_windows_home_paths_glued_to_text(cwd: str, path: str, prefix: str) -> None:
    name = "hp_victus" if "hp_victus" in cwd else "carol"
    _, text = imported_lesson(_session(f"Fix {prefix}{path} please", cwd=cwd, command=f"cat {prefix}{path}", output=f"{prefix}{path}: ok"))
    assert name not in text.replace("\\\\", "\\")


def test_claude_codes_folder_names_lose_a_name_with_an_underscore_whole() -> None:
    # `hp_victus` is `-home-hp-victus-...` in Claude Code's own folder names: no part of the name is left.
    cwd = "/home/hp_victus/solana-projects/LOKAL"
    s = _session("Read your notes", cwd=cwd, command="ls ~/.claude/projects/-home-hp-victus-solana-projects-LOKAL/memory/",
                 output="/tmp/claude-1000/-home-hp-victus-solana-projects-LOKAL/tasks/b1.output")
    _, text = imported_lesson(s)
    assert "victus" not in text and "hp_victus" not in text


# ---------------------------------------------------------------- properties

_NAMES = st.from_regex(r"[a-z][a-z0-9]{3,11}(?:[_.][a-z0-9]{2,6})?", fullmatch=True).filter(
    lambda name: name not in ("shared", "public", "default", "guest") and name not in "/Users/personal_project/weave/doc.md"
)


@settings(max_examples=400, deadline=None)
@given(name=_NAMES, before=st.text(max_size=12), after=st.text(max_size=12),
       home=st.sampled_from(["/Users/{}", "/home/{}", "C:\\Users\\{}", "C:/Users/{}"]))
def test_any_text_before_or_after_a_home_path_leaves_no_name(name: str, before: str, after: str, home: str) -> None:
    """Whatever stands glued before (and after) a path into the session's user's home, the name does not survive."""
    cwd = home.format(name) + "/personal_project/weave"
    text = before + cwd + "/Ω.md " + before + home.format(name) + "/.zshrc" + after  # `Ω`: no name runs on into the text after
    assume(text.count(name) == 2)  # the name is only in the paths
    assert name not in relative_paths(text, cwd)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.characters(exclude_categories=("Cs",)), name=_NAMES)
@example(prefix="\x07", name="u000")  # found by CI: the JSON text held `\u0007`
def test_any_character_before_a_home_path_leaves_no_name_in_the_lesson(prefix: str, name: str) -> None:
    cwd = f"/Users/{name}/proj"
    path = f"{prefix}{cwd}/doc.md {prefix}/Users/{name}/.zshrc"
    s = _session(f"Read {path}", cwd=cwd, command=f"cat {path}", output=f"{path}\n", said=f"Reading {path}.")
    data, _ = imported_lesson(s)
    # The lesson's strings as read, not its JSON text: a control character is written `\u0007`, and a name such as
    # `u000` is then in the text without being in the lesson.
    assert [text for text in _strings(data) if name in text] == []


def _strings(value: Any) -> list[str]:
    """Every string of a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, inner in value.items() for text in (key, *_strings(inner))]
    if isinstance(value, list):
        return [text for inner in value for text in _strings(inner)]
    return []


# ---------------------------------------------------------------- Claude Code's own folder names


@pytest.mark.parametrize(("cwd", "folder", "shown"), [
    ("/Users/sarthiborkar/Build/FundWise", "-Users-sarthiborkar-Build-FundWise", "-Users-$USER-Build-FundWise"),
    ("/home/hp_victus/solana-projects/LOKAL", "-home-hp-victus-solana-projects-LOKAL", "-home-$USER-solana-projects-LOKAL"),
    ("C:\\Users\\carol\\shop", "C--Users-carol-shop", "C--Users-$USER-shop"),
])
def test_a_project_folder_claude_code_named_keeps_its_name_but_the_users(cwd: str, folder: str, shown: str) -> None:
    # `~/.claude/projects/~-Build-FundWise/` was a folder that never existed: the encoded name stays one, the name made `$USER`.
    s = _session("Read your notes", cwd=cwd, command=f"ls ~/.claude/projects/{folder}/memory/",
                 output=f"Output is being written to: /tmp/claude-501/{folder}/tasks/b1.output\n"
                        f"see ~/.claude/projects/{folder}/memory/MEMORY.md",
                 said=f"Your notes are in ~/.claude/projects/{folder}/memory/.")
    data, text = imported_lesson(s)
    name = cwd.replace("\\", "/").split("/")[2]
    assert name not in text and name.replace("_", "-") not in text
    assert "~-" not in text
    agent = next(step for step in data["steps"] if step["kind"] == "agent")
    assert agent["calls"][0]["input"]["command"] == f"ls ~/.claude/projects/{shown}/memory/"
    assert agent["text"] == f"Your notes are in ~/.claude/projects/{shown}/memory/."
    output = next(step["output"] for step in data["steps"] if step["kind"] == "result")
    assert f"/tmp/claude-501/{shown}/tasks/b1.output" in output


def test_the_folder_of_a_session_run_by_root_names_no_one_and_is_kept() -> None:
    s = _session("Read your notes", cwd="/root/shop", command="ls ~/.claude/projects/-root-shop/", output="/tmp/claude-0/-root-shop/tasks/x")
    data, _ = imported_lesson(s)
    output = next(step["output"] for step in data["steps"] if step["kind"] == "result")
    assert output == "/tmp/claude-0/-root-shop/tasks/x"


@pytest.mark.parametrize("route", ["GET /users/42/profile", "fetch(\"/users/7/orders\")", "GET /USERS/me"])
def test_a_web_route_named_users_or_home_is_kept_as_written(route: str) -> None:
    """POSIX home folders are `/Users/<name>` and `/home/<name>` as written: `/users/42` is a route, not a home."""
    data, _ = imported_lesson(_session(f"Why does {route} return 500?", command=f"echo {route}", output=route))
    assert route in _goal(data)
    escaped = json.dumps(route)[1:-1]  # as it stands inside the JSON of a step
    assert sum(escaped in json.dumps(step) for step in data["steps"]) >= 2  # the prompt, the command and its output


def test_a_json_escaped_path_inside_the_folder_is_made_relative_whole() -> None:
    """JSON text printed by a command writes `\\/` for `/`: the path inside the session's folder loses all of its
    separators before the file's, not one character of them (it came out as `/src\\/a.py`)."""
    escaped = CWD.replace("/", "\\/") + "\\/src\\/app.py"
    data, text = imported_lesson(_session("Read the config", command="cat out.json", output='{"file": "' + escaped + '"}'))
    assert NAME not in text
    output = next(step["output"] for step in data["steps"] if step["kind"] == "result")
    assert output == '{"file": "src\\/app.py"}'
