"""Writing an imported draft (`tutor.record.claude_code.draft`): title, id, task, home paths, sizes, redaction, validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tutor.lesson import read_lesson
from tutor.lesson.limits import MAX_FIELD_CHARS
from tutor.lesson.markdown import lesson_markdown_parser
from tutor.lesson.validate import MAX_DEPTH, check_lesson_data, json_depth_exceeds, lesson_warnings
from tests.helpers.claude_code_corpus import corpus_file
from tests.helpers.claude_code_format import Session, text_block
from tutor.record.claude_code import import_claude_code, write_imported_lesson
from tutor.record.claude_code.common import ClaudeCodeImportError, ImportResult
from tutor.record.claude_code.draft import Situation, draft_lesson, literal, summary_excerpt, write_draft
from tutor.record.claude_code.home_paths import PathRewriter, is_home_folder, relative_paths, user_of
from tutor.record.claude_code.sizes import Cuts, bound_steps, cut_text, json_size
from tutor.record.redact import Redactor

GOAL = "Make the invoice export skip cancelled orders and keep the CSV header unchanged for the accounting team."
ANTHROPIC_KEY = "sk-ant-api03-" + "Zq8xW2vN5mK7pL3rT9yB4cF6hJ1dG0sA" * 3 + "-AbCdEfGh"
GOAL_ASK = {"type": "goal", "prompt": "What goal would you give the agent?", "rubric": ["bounds the scope"]}


def _steps(goal: str = GOAL, *, calls: int = 3, prompts: int = 2, output: str = "4 passed", command: str = "pytest -q") -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"id": "goal", "kind": "goal", "text": goal, "ask": dict(GOAL_ASK)}]
    for n in range(1, calls + 1):
        steps.append({"id": f"agent-{n}", "kind": "agent", "text": "Running the tests.",
                      "calls": [{"id": f"call-{n}", "tool": "run", "input": {"command": command}}]})
        steps.append({"id": f"result-{n}", "kind": "result", "call": f"call-{n}", "ok": True, "exit_code": 0, "output": output})
    for n in range(2, prompts + 1):
        steps.append({"id": f"prompt-{n}", "kind": "prompt", "text": "Now run the full suite."})
    return steps


def _situation(**given: Any) -> Situation:
    values: dict[str, Any] = {"cwd": "/home/alice/projects/shop", "branch": "fix/export", "created": "2026-03-02T09:15:00.000Z",
                              "session_id": "5f0c2a9e-7d41-4e4b-9a57-3c1d2b8e6f10", "prompts": 2, "calls": 3}
    values.update(given)
    return Situation(**values)


def _draft(steps: list[dict[str, Any]] | None = None, situation: Situation | None = None,
           notes: list[str] | None = None) -> dict[str, Any]:
    return draft_lesson(steps if steps is not None else _steps(), situation or _situation(),
                        notes if notes is not None else [], redactor=Redactor())


def _valid_without_warnings(data: dict[str, Any]) -> None:
    lesson, problems = check_lesson_data(data, "lesson.json")
    assert problems == [] and lesson is not None
    assert lesson_warnings(lesson, "lesson.json") == []


def _runs(text: str, words: int = 6) -> list[str]:
    said = text.split()
    return [" ".join(said[i : i + words]) for i in range(max(1, len(said) - words + 1))]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize(("titles", "expected"), [
    ({"custom-title": "Invoice export fix", "ai-title": "Skip cancelled orders", "summary": "CSV work"}, "Invoice export fix"),
    ({"ai-title": "Skip cancelled orders", "summary": "CSV work"}, "Skip cancelled orders"),
    ({"summary": "CSV export work"}, "CSV export work"),
    ({}, "Claude Code in shop, 2026-03-02"),
])
def test_the_title_is_the_sessions_own_name_first(titles: dict[str, str], expected: str) -> None:
    data = _draft(situation=_situation(titles=titles))
    assert data["title"] == expected
    _valid_without_warnings(data)


def test_a_title_is_one_plain_line_without_markup_or_control_characters() -> None:
    hostile = "<ide_opened_file>Fix **the** `export`\u202e [link](http://x)\x1b]0;owned\x07\n# heading" + " word" * 60
    data = _draft(situation=_situation(titles={"ai-title": hostile}))
    title = data["title"]
    assert "\n" not in title and len(title) <= 80
    for bad in ("<", ">", "*", "`", "[", "]", "#", "\u202e", "\x1b", "\x07"):
        assert bad not in title
    assert title.startswith("Fix the export")


def test_a_title_that_quotes_the_first_prompt_is_not_used() -> None:
    data = _draft(situation=_situation(titles={"custom-title": GOAL, "ai-title": "Cancelled orders in the export"}))
    assert data["title"] == "Cancelled orders in the export"


# ---------------------------------------------------------------- ids


def test_five_sessions_titled_alike_get_five_ids_and_one_session_keeps_its_id() -> None:
    ids = {_draft(situation=_situation(session_id=f"session-{n}", titles={"ai-title": "Help me apply for the agentic role"}))["id"]
           for n in range(5)}
    assert len(ids) == 5
    assert all(i.startswith("help-me-apply-for-the-agentic-role-") for i in ids)
    again = _draft(situation=_situation(session_id="session-0", titles={"ai-title": "Help me apply for the agentic role"}))["id"]
    assert again in ids


def test_a_session_without_an_id_still_gets_a_stable_distinct_id() -> None:
    first = _draft(situation=_situation(session_id=""))["id"]
    assert first == _draft(situation=_situation(session_id=""))["id"]
    assert first != _draft(_steps("Another goal entirely, written for a different session of work."), _situation(session_id=""))["id"]


@pytest.mark.parametrize("cwd", ["/home/alice", "/Users/alice/", "C:\\Users\\alice"])
def test_a_session_run_in_a_home_folder_names_no_user(cwd: str) -> None:
    data = _draft(situation=_situation(cwd=cwd))
    assert "alice" not in data["id"] and "alice" not in data["title"] and "alice" not in data["task"]
    assert "home folder" in data["title"]
    _valid_without_warnings(data)


def test_user_names_of_home_paths_never_reach_the_id() -> None:
    steps = _steps(command="cat /home/bob/notes.txt")
    data = _draft(steps, _situation(cwd="/home/alice/shop", titles={"custom-title": "Alice and Bob fix the shop"}))
    assert data["title"] == "Alice and Bob fix the shop"
    assert data["id"].startswith("and-fix-the-shop-")


# ---------------------------------------------------------------- home paths


def test_home_paths_become_relative_to_the_session_folder_or_home() -> None:
    cwd = "/home/alice/projects/shop"
    assert relative_paths("cat /home/alice/projects/shop/src/app.py", cwd) == "cat src/app.py"
    assert relative_paths("cd /home/alice/projects/shop && ls", cwd) == "cd . && ls"
    assert relative_paths("ls /home/alice/projects/shopping/x", cwd) == "ls ~/projects/shopping/x"
    assert relative_paths("cat /home/alice/.claude/settings.json", cwd) == "cat ~/.claude/settings.json"
    assert relative_paths("see /Users/bob/code/a.py", cwd) == "see ~/code/a.py"
    assert relative_paths("type C:\\Users\\carol\\proj\\a.txt", cwd) == "type ~\\proj\\a.txt"
    assert relative_paths("/root/.bashrc and /rootfs/x and /var/home/dan/x", cwd) == "~/.bashrc and /rootfs/x and /var/home/dan/x"
    assert relative_paths("/Users/Shared/data.csv", cwd) == "/Users/Shared/data.csv"
    assert relative_paths("open file:///home/erin/x.html", cwd) == "open file://~/x.html"


def test_a_windows_session_folder_is_matched_with_either_slash_and_any_case() -> None:
    cwd = "C:\\Users\\alice\\shop"
    assert relative_paths("dir C:\\users\\ALICE\\shop\\src", cwd) == "dir src"
    assert relative_paths("code C:/Users/alice/shop/src/app.py", cwd) == "code src/app.py"


def test_every_string_of_every_step_is_walked_keys_included() -> None:
    rewriter = PathRewriter("/tmp/w")
    value, users = rewriter.value({"/home/zed/k": ["/home/zed/x", {"deep": ["/Users/quinn/y"]}], "n": 3}), rewriter.users
    assert value == {"~/k": ["~/x", {"deep": ["~/y"]}], "n": 3}
    assert users == {"zed", "quinn"}
    assert user_of("/home/alice/shop") == "alice" and user_of("/srv/shop") is None
    assert is_home_folder("/home/alice/") and not is_home_folder("/home/alice/shop")


def test_home_paths_in_commands_outputs_prompts_and_notes_are_rewritten() -> None:
    steps: list[dict[str, Any]] = [
        {"id": "goal", "kind": "goal", "text": "Look at /home/alice/shop/src/app.py please", "ask": dict(GOAL_ASK)},
        {"id": "agent-1", "kind": "agent", "text": "Reading C:\\Users\\alice\\shop\\README.md",
         "calls": [{"id": "call-1", "tool": "run", "input": {"command": "cat /home/alice/shop/src/app.py ~/x /home/alice/.zshrc"}}]},
        {"id": "result-1", "kind": "result", "call": "call-1", "ok": False, "exit_code": 1,
         "output": "Traceback: File \"/home/alice/shop/src/app.py\", line 3\n/Users/alice/lib/python3.12/site.py"},
        {"id": "note-1", "kind": "note", "text": "The senior looked at /home/alice/shop/docs"},
        {"id": "prompt-1", "kind": "prompt", "text": "Also check C:\\Users\\alice\\Desktop\\todo.txt"},
    ]
    data = _draft(steps, _situation(cwd="/home/alice/shop"))
    assert "alice" not in json.dumps(data)
    assert data["steps"][1]["calls"][0]["input"]["command"] == "cat src/app.py ~/x ~/.zshrc"
    assert data["steps"][2]["output"].startswith('Traceback: File "src/app.py", line 3\n~/lib/')
    assert data["steps"][3]["text"].endswith("looked at docs")
    assert data["steps"][4]["text"] == "Also check ~\\Desktop\\todo.txt"


def test_claude_codes_own_folder_names_say_no_user() -> None:
    steps: list[dict[str, Any]] = [
        {"id": "goal", "kind": "goal", "text": "Start the server", "ask": dict(GOAL_ASK)},
        {"id": "agent-1", "kind": "agent", "text": "", "calls": [{"id": "call-1", "tool": "run", "input": {"command": "mix phx.server"}}]},
        {"id": "result-1", "kind": "result", "call": "call-1", "ok": True, "exit_code": 0,
         "output": "Output is being written to: /tmp/claude-1000/-home-alice-projects-shop/tasks/b1.output\n"
                   "see ~/.claude/projects/-home-alice-projects-shop/5f0c.jsonl; run `tool --home-alice-mode`"},
    ]
    data = _draft(steps, _situation(cwd="/home/alice/projects/shop"))
    output = data["steps"][2]["output"]
    assert "/tmp/claude-1000/-home-$USER-projects-shop/tasks/b1.output" in output and "~/.claude/projects/-home-$USER-projects-shop/" in output
    assert "--home-alice-mode" in output  # an option that only looks alike is left as it is
    # A session folder that does not name its owner (made anonymous): Claude Code's folder names still do.
    anonymous = _draft(steps, _situation(cwd="/home/USER/projects/shop"))
    assert "/tmp/claude-1000/-home-$USER-projects-shop/tasks/b1.output" in anonymous["steps"][2]["output"]
    windows = _draft(steps[:2] + [{**steps[2], "output": "C:\\Users\\alice\\.claude\\projects\\C--Users-alice-shop\\x.jsonl"}],
                     _situation(cwd="C:\\Users\\alice\\shop"))
    assert "alice" not in json.dumps(windows["steps"])


def test_a_long_listing_names_no_owner() -> None:
    listing = ("total 64\ndrwxrwxr-x  5 alice alice  4096 Feb 12 15:13 .\n-rw-r--r--  1 alice staff   882 Feb 12 15:13 mix.exs\n"
               "lrwxrwxrwx  1 root  root     11 Feb 12 15:13 link -> mix.exs\n-rw-r--r--@ 1 alice alice 11356 Feb 12 15:13 alice.md\n")
    steps: list[dict[str, Any]] = [
        {"id": "goal", "kind": "goal", "text": "List the project", "ask": dict(GOAL_ASK)},
        {"id": "agent-1", "kind": "agent", "text": "", "calls": [{"id": "call-1", "tool": "run", "input": {"command": "ls -la"}}]},
        {"id": "result-1", "kind": "result", "call": "call-1", "ok": True, "exit_code": 0, "output": listing},
        {"id": "result-2", "kind": "note", "text": "-rw-r--r-- 1 alice alice 882 Feb 12 15:13 mix.exs"},
    ]
    data = _draft(steps, _situation(cwd="/home/alice/shop"))
    output = data["steps"][2]["output"]
    assert "drwxrwxr-x  5 user user  4096" in output and "1 user staff   882" in output and "1 root  root" in output
    assert "alice" not in output.replace("alice.md", "")
    assert "alice.md" in output  # a file's own name is its name: only the owner and group columns change
    assert data["steps"][3]["text"].startswith("-rw-r--r-- 1 user user 882")
    # A session folder that does not name its owner (a transcript made anonymous): the listing still did.
    data = _draft(steps, _situation(cwd="/home/USER/shop"))
    assert "1 user staff   882" in data["steps"][2]["output"] and "5 user user  4096" in data["steps"][2]["output"]


# ---------------------------------------------------------------- sizes


def test_a_50_mb_prompt_gives_a_small_valid_lesson_with_a_note(tmp_path: Path) -> None:
    notes: list[str] = []
    huge = "Please fix this. " + "the log says it failed again " * (50 * 1024 * 1024 // 29)
    data = _draft(_steps(huge), notes=notes)
    assert 19_000 < len(data["steps"][0]["text"]) <= 20_000
    assert "characters in all; the rest was cut by the importer" in data["steps"][0]["text"]
    assert any("cut 1 long prompt" in note for note in notes)
    lesson = write_draft(data, tmp_path / "out")
    size = (tmp_path / "out" / "lesson.json").stat().st_size
    assert size < 300 * 1024
    read = read_lesson(tmp_path / "out")
    assert read.ok and lesson_warnings(read.lesson, "x") == []  # type: ignore[arg-type]
    assert read.lesson is not None and read.lesson.id == lesson.id


def test_outputs_and_inputs_stay_under_the_field_limit() -> None:
    steps = _steps(output="x" * (MAX_FIELD_CHARS * 3), command="echo " + "y" * (MAX_FIELD_CHARS * 2))
    data = _draft(steps)
    assert all(len(s) <= MAX_FIELD_CHARS for s in _strings(data))
    _valid_without_warnings(data)


def test_a_long_session_is_cut_harder_then_shortened_to_fit_its_budget() -> None:
    steps = _steps(calls=60, output="z " * 60_000)
    cuts = Cuts()
    bounded = bound_steps(steps, cuts, budget=600_000)
    assert sum(json_size(step) for step in bounded) <= 600_000
    assert cuts.other > 0 and cuts.limits[1] < 100_000
    cuts = Cuts()
    bounded = bound_steps(steps, cuts, budget=60_000)
    assert cuts.left_out > 0 and bounded[-1]["kind"] == "note" and "left out" in bounded[-1]["text"]
    assert len({step["id"] for step in bounded}) == len(bounded)
    assert any("left out the last" in note for note in cuts.notes())


def test_a_cut_falls_at_a_space_and_says_how_long_the_text_was() -> None:
    text = "word " * 1000
    cut, left = cut_text(text, 1000)
    assert len(cut) <= 1000 and left > 0
    assert cut.split("\n\n")[0].endswith("word") and "5,000 characters in all" in cut
    assert cut_text("short", 10) == ("short", 0)


def test_deep_nesting_lone_surrogates_and_nan_make_a_valid_lesson() -> None:
    deep: Any = "bottom"
    for _ in range(60):
        deep = {"d": [deep]}
    steps = _steps()
    steps[1]["calls"][0]["input"] = {"command": "ls", "payload": deep, "ratio": float("nan"), "odd": "a\ud800b"}
    steps[0]["text"] = GOAL + " \udcff"
    notes: list[str] = []
    data = _draft(steps, notes=notes)
    assert not json_depth_exceeds(data, MAX_DEPTH)
    _valid_without_warnings(data)
    assert any("nested deeper" in note for note in notes) and any("lone surrogates" in note for note in notes)


# ---------------------------------------------------------------- the task


def test_the_situation_says_each_thing_once() -> None:
    queued = "typed while the agent was working"
    data = _draft(situation=_situation(context=[queued, queued, "attached an image", queued]))
    assert data["task"].count(queued) == 1 and "attached an image" in data["task"]
    assert data["task"].index(queued) < data["task"].index("attached an image")


def test_the_task_is_the_situation_never_the_first_prompt() -> None:
    summary = ("This session is being continued from a previous conversation that ran out of context.\n\n"
               "Analysis:\nLet me chronologically analyze the conversation:\n\n"
               f"1. Primary Request and Intent: The user said: {GOAL} They also wanted the export tested.")
    situation = _situation(titles={"ai-title": "Cancelled orders"}, context=["had src/export_csv.py open in the IDE"],
                           continued_from=summary, files=["src/export_csv.py", "tests/test_export.py"])
    data = _draft(situation=situation)
    task = data["task"]
    for run in _runs(GOAL):
        assert run not in task and run not in data["title"] and run not in data["summary"]
    assert "**shop**" in task and "`fix/export`" in task and "2026-03-02" in task
    assert "2 prompts from the senior, 3 tool calls by the agent" in task
    assert "src/export\\_csv.py open in the IDE" in task
    assert "They also wanted the export tested" in task and "The user said" not in task
    assert "chronologically" not in task
    assert "`src/export_csv.py`, `tests/test_export.py`" in task
    assert "Claude Code titled it: *Cancelled orders*" in task
    assert "first request to the agent is hidden: set the goal yourself" in task
    assert data["steps"][0]["text"] == GOAL  # the senior's exact words stay for the reveal


def test_a_compaction_summary_gives_its_request_in_plain_words() -> None:
    excerpt = summary_excerpt("<analysis>thinking aloud</analysis>\n<summary>\n1. **Primary Request and Intent**: the user "
                              "asked for `OTEL` tracing.\n2. Key concepts</summary>")
    assert excerpt.startswith("Primary Request and Intent: the user asked for OTEL tracing.")
    assert "thinking aloud" not in excerpt and "<" not in excerpt and "*" not in excerpt


def test_many_files_are_counted_not_listed() -> None:
    task = _draft(situation=_situation(files=[f"src/m{n}.py" for n in range(20)]))["task"]
    assert "`src/m7.py`, and 12 other files." in task and "m8.py" not in task


def _inline_kinds(markdown: str) -> list[str]:
    kinds = []
    for token in lesson_markdown_parser().parse(markdown):
        kinds.append(token.type)
        kinds.extend(child.type for child in token.children or [])
    return kinds


def test_nothing_from_the_transcript_is_read_as_markdown() -> None:
    hostile = "**bold** _em_ `code` [link](https://x.test) ![img](https://x.test/i.png) <b>tag</b> &#x202E; # h | t |"
    calm = _draft(situation=_situation(context=["had a.py open"], files=["a.py"], continued_from="Primary Request: fix it"))
    wild = _draft(situation=_situation(
        cwd=f"/srv/{hostile.replace('/', '')}", branch="`main`" + hostile, titles={"ai-title": hostile},
        context=["1. " + hostile, "- " + hostile], files=[hostile, "a`b.py"], continued_from="> " + hostile))
    kinds = _inline_kinds(wild["task"])
    for kind in ("link_open", "image", "html_inline", "html_block", "heading_open", "table_open", "bullet_list_open", "ordered_list_open"):
        assert kind not in kinds
    assert kinds.count("strong_open") == _inline_kinds(calm["task"]).count("strong_open")
    assert kinds.count("em_open") == _inline_kinds(calm["task"]).count("em_open") + 1  # the title, set in italics
    assert literal("1. first") == "1\\. first"


@pytest.mark.parametrize(("prompts", "calls", "short"), [(1, 0, True), (3, 0, True), (1, 2, True), (1, 3, False), (2, 1, False)])
def test_a_session_too_short_to_teach_is_flagged(prompts: int, calls: int, short: bool) -> None:
    notes: list[str] = []
    data = _draft(_steps(calls=calls, prompts=prompts), _situation(prompts=prompts, calls=calls), notes)
    assert ("session is short" in data["task"]) is short
    assert any("the session is short" in note for note in notes) is short
    _valid_without_warnings(data)


# ---------------------------------------------------------------- redaction and writing


def test_secrets_are_redacted_everywhere_and_the_id_follows_the_redacted_title() -> None:
    steps = _steps(command=f"curl -H 'x-api-key: {ANTHROPIC_KEY}' https://api.anthropic.com")
    data = _draft(steps, _situation(titles={"custom-title": f"Rotate {ANTHROPIC_KEY}"}))
    text = json.dumps(data)
    assert ANTHROPIC_KEY not in text and ANTHROPIC_KEY[:30] not in text
    assert "REDACTED" in data["title"] and data["id"].startswith("rotate-redacted")
    _valid_without_warnings(data)


def test_drafting_does_not_change_the_steps_it_was_given() -> None:
    steps = _steps(command="cat /home/alice/projects/shop/a.py")
    before = copy.deepcopy(steps)
    _draft(steps)
    assert steps == before


def test_write_draft_writes_a_lesson_and_its_bundle(tmp_path: Path) -> None:
    data = _draft()
    data["repo"] = {"bundle": "repo.bundle", "base": "3f786850e387550fdab836ed7e6dc881de23001b"}
    write_draft(data, tmp_path / "out", bundle=b"# v2 git bundle\n")
    assert (tmp_path / "out" / "repo.bundle").read_bytes() == b"# v2 git bundle\n"
    assert json.loads((tmp_path / "out" / "lesson.json").read_text())["repo"]["base"].startswith("3f78")


def test_write_draft_refuses_an_invalid_draft_with_one_line(tmp_path: Path) -> None:
    data = _draft()
    data["steps"][2]["call"] = "call-99"
    with pytest.raises(ClaudeCodeImportError) as error:
        write_draft(data, tmp_path / "out")
    assert "would not validate" in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "out" / "lesson.json").exists()
    with pytest.raises(ClaudeCodeImportError, match=r"no repo\.bundle"):
        write_draft({**_draft(), "repo": {"bundle": "repo.bundle", "base": "3f786850e387550fdab836ed7e6dc881de23001b"}}, tmp_path / "o2")


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ClaudeCodeImportError, match="cannot write"):
        write_draft(_draft(), blocker / "out")


# ---------------------------------------------------------------- on transcripts in Claude Code's real format


def _import(session: Session, tmp_path: Path, name: str = "session.jsonl") -> tuple[dict[str, Any], list[str]]:
    result = import_claude_code(session.write(tmp_path / name), redactor=Redactor())
    return result.lesson_data, result.notes


def _worked(session: Session, prompt: str = GOAL) -> Session:
    session.user(prompt)
    for command, output in (("pytest -q", "1 failed"), ("sed -n 1,20p src/export.py", "def export(): ..."), ("pytest -q", "4 passed")):
        use = session.tool_use("Bash", command=command, text="Checking.")
        session.tool_result(use, output)
    session.say("Done: cancelled orders are skipped.")
    return session


@pytest.mark.parametrize(("kinds", "expected"), [
    (("summary", "ai-title", "custom-title"), "Named by the senior"),
    (("summary", "ai-title"), "Titled by Claude Code"),
    (("summary",), "The latest summary"),
])
def test_a_real_transcript_is_titled_by_its_own_records(tmp_path: Path, kinds: tuple[str, ...], expected: str) -> None:
    session = _worked(Session(cwd="/home/alice/projects/shop"))
    texts = {"summary": "The latest summary", "ai-title": "Titled by Claude Code", "custom-title": "Named by the senior"}
    if "summary" in kinds:
        session.add({"type": "summary", "summary": "An older summary", "leafUuid": session.last_uuid})
    for kind in kinds:
        session.title(kind, texts[kind])
    data, _ = _import(session, tmp_path)
    assert data["title"] == expected
    _valid_without_warnings(data)


def test_five_real_sessions_titled_alike_get_five_ids(tmp_path: Path) -> None:
    ids = set()
    for n in range(5):
        session = _worked(Session(cwd="/home/alice/projects/shop", session_id=f"5f0c2a9e-7d41-4e4b-9a57-3c1d2b8e6f1{n}"))
        session.title("ai-title", "Help me apply for the agentic role")
        data, _ = _import(session, tmp_path / str(n))
        ids.add(data["id"])
    assert len(ids) == 5 and all(i.startswith("help-me-apply-for-the-agentic-role-") for i in ids)


def test_a_real_session_in_a_home_folder_keeps_user_names_out_of_paths_and_the_id(tmp_path: Path) -> None:
    session = Session(cwd="/home/alice/projects/shop")
    session.user("Look at /home/alice/projects/shop/src/app.py and C:\\Users\\alice\\notes.txt please, then fix it")
    use = session.tool_use("Bash", command="cat /home/alice/projects/shop/src/app.py /home/alice/.bashrc", text="Reading.")
    session.tool_result(use, "Traceback: File \"/home/alice/projects/shop/src/app.py\", line 3\nC:\\Users\\alice\\AppData\\x.py")
    use = session.tool_use("Bash", command="pytest -q", text="Testing.")
    session.tool_result(use, "4 passed")
    data, _ = _import(session, tmp_path)
    everything = json.dumps(data)
    assert "/home/alice" not in everything and "Users\\\\alice" not in everything and "alice" not in data["id"]
    commands = [c["input"].get("command") for s in data["steps"] if s["kind"] == "agent" for c in s.get("calls", [])]
    assert "cat src/app.py ~/.bashrc" in commands
    assert any('File "src/app.py", line 3\n~\\AppData' in s.get("output", "") for s in data["steps"])
    assert data["steps"][0]["text"].startswith("Look at src/app.py and ~\\notes.txt")


def test_a_huge_real_prompt_gives_a_small_valid_lesson(tmp_path: Path) -> None:
    session = _worked(Session(), prompt="Fix the export. " + "The log says it failed again. " * 200_000)  # 6 MB, one record
    data, notes = _import(session, tmp_path)
    assert len(data["steps"][0]["text"]) <= 20_000 and any("cut 1 long prompt" in note for note in notes)
    write_imported_lesson(ImportResult(data, notes), tmp_path / "out")
    assert (tmp_path / "out" / "lesson.json").stat().st_size < 300 * 1024
    read = read_lesson(tmp_path / "out")
    assert read.ok and read.lesson is not None and lesson_warnings(read.lesson, "x") == []


def test_a_real_session_too_short_to_teach_is_flagged(tmp_path: Path) -> None:
    session = Session()
    session.user("Rename the helpers module to utils everywhere in the project please.")
    session.say("Sure, which helpers module do you mean?")
    data, notes = _import(session, tmp_path)
    assert "session is short" in data["task"] and any("the session is short" in note for note in notes)


def test_a_real_task_says_the_situation_and_never_quotes_the_first_prompt(tmp_path: Path) -> None:
    session = Session(cwd="/home/alice/projects/shop", git_branch="fix/export")
    session.compact("1. Primary Request and Intent: make invoices exportable as CSV files for the accountants.")
    session.user([
        text_block("<ide_opened_file>The user opened the file /home/alice/projects/shop/src/export.py in the IDE. "
                   "This may or may not be related to the current task.</ide_opened_file>"),
        text_block(GOAL),
    ])
    for command in ("pytest -q", "pytest -q tests/test_export.py", "ruff check ."):
        use = session.tool_use("Bash", command=command, text="Running.")
        session.tool_result(use, "ok")
    session.title("ai-title", "Invoice CSV export")
    data, _ = _import(session, tmp_path)
    task = data["task"]
    for run in _runs(GOAL):
        assert run not in task and run not in data["title"]
    assert next(s for s in data["steps"] if s["kind"] == "goal")["text"] == GOAL
    assert "**shop**" in task and "`fix/export`" in task and "make invoices exportable as CSV files" in task
    assert "src/export.py" in task and "/home/alice" not in task
    _valid_without_warnings(data)


def test_the_corpus_transcripts_write_valid_lessons_without_warnings(tmp_path: Path) -> None:
    for name in ("tool_heavy.jsonl", "session-ae4a77f8.jsonl"):
        path = corpus_file(name)
        result = import_claude_code(path, redactor=Redactor())
        assert "user" not in result.lesson_data["id"].split("-")  # /home/USER in the transcript
        write_imported_lesson(result, tmp_path / name)
        read = read_lesson(tmp_path / name)
        assert read.ok and read.lesson is not None and lesson_warnings(read.lesson, "x") == []
        assert "/home/USER/projects" not in (tmp_path / name / "lesson.json").read_text(encoding="utf-8")


def test_write_draft_refuses_a_draft_larger_than_a_lesson_may_be(tmp_path: Path) -> None:
    data = _draft(_steps(calls=1))
    for n in range(2, 175):  # 173 outputs of 98,000 characters: more than 16 MiB, each field under the warning
        data["steps"].append({"id": f"agent-{n}", "kind": "agent", "calls": [{"id": f"call-{n}", "tool": "run", "input": {"command": "cat big"}}]})
        data["steps"].append({"id": f"result-{n}", "kind": "result", "call": f"call-{n}", "ok": True, "output": "é" * 98_000})
    with pytest.raises(ClaudeCodeImportError, match="may be at most 16 MiB"):
        write_draft(data, tmp_path / "out")
    assert not (tmp_path / "out" / "lesson.json").exists()


def test_the_size_written_is_the_size_measured(tmp_path: Path) -> None:
    from tutor.lesson.io import lesson_to_data
    from tutor.record.claude_code.sizes import indented_size

    lesson = write_draft(_draft(), tmp_path / "out")
    assert indented_size(lesson_to_data(lesson)) + 1 == (tmp_path / "out" / "lesson.json").stat().st_size


def test_listing_owners_are_made_anonymous_line_by_line_as_the_pattern_does() -> None:
    """The listing lines are looked for from the first line and each newline: what the `^` pattern's substitution did."""
    import random

    from tutor.record.claude_code.home_paths import _LISTING_LINE, PathRewriter, _listed_anonymously

    pieces = ["-rw-r--r--  1 alice staff  12 Jan 1 a.py", "drwxr-xr-x 3 bob bob 96 x", "lrwxrwxrwx 1 root root 7 l -> t",
              "total 8", "", " -rw-r--r-- 1 eve eve 1 not a listing start", "rw-", "r- x", "\t", "-rw-r--r--+ 2 carol wheel 3 y"]
    rng = random.Random(7)
    for _ in range(400):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert PathRewriter.listings(text) == _LISTING_LINE.sub(_listed_anonymously, text)
