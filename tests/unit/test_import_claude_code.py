"""`tutor import claude-code`: real Claude Code transcripts become lesson drafts that validate."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers.claude_code_corpus import corpus_file

from tutor.cli import cli
from tutor.lesson import read_lesson
from tutor.lesson.validate import check_lesson_data
from tutor.record.claude_code import ClaudeCodeImportError, import_claude_code, write_imported_lesson

TRANSCRIPTS = ["tool_heavy.jsonl", "session-ae4a77f8.jsonl"]  # the two that make full lessons

ANTHROPIC_KEY = "sk-ant-api03-" + "Zq8xW2vN5mK7pL3rT9yB4cF6hJ1dG0sA" * 3 + "-AbCdEfGh"
PASSWORD = "Tr0ub4dor-and-3-horses"



# ---------------------------------------------------------------- synthetic transcripts


def _user(text: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "user", "isSidechain": False, "cwd": "/home/u/proj", "uuid": "u", "message": {"role": "user", "content": text}, **extra}


def _assistant(msg_id: str, *blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "assistant", "isSidechain": False, "cwd": "/home/u/proj", "uuid": "a",
            "message": {"id": msg_id, "role": "assistant", "content": list(blocks)}, **extra}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _use(use_id: str, name: str, **data: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": use_id, "name": name, "input": data}


def _result(use_id: str, content: Any, is_error: bool = False, **extra: Any) -> dict[str, Any]:
    return _user([{"type": "tool_result", "tool_use_id": use_id, "content": content, "is_error": is_error}], **extra)


def _write(tmp_path: Path, records: list[Any], name: str = "session.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _synthetic() -> list[Any]:
    return [
        {"type": "file-history-snapshot", "messageId": "x", "snapshot": {}},
        {"type": "progress", "data": {"type": "hook_progress"}, "isSidechain": False},
        _user("Fix the failing slug test without touching the test."),
        _assistant("msg_1", _text("Let me run the tests first.")),
        _assistant("msg_1", _use("toolu_1", "Bash", command="pytest -q", description="run tests")),
        _result("toolu_1", f"Exit code 1\nFAILED test_slug.py::test_digits\nANTHROPIC_API_KEY={ANTHROPIC_KEY}", is_error=True),
        _assistant("msg_2", _use("toolu_2", "Read", file_path="/home/u/proj/settings.py")),
        _result("toolu_2", f'     1\u2192DEBUG = True\n     2\u2192password = "{PASSWORD}"\n'),
        _assistant("msg_3", _text("The regex drops digits; I'll fix it."),
                   _use("toolu_3", "Edit", file_path="/home/u/proj/slug.py", old_string='r"[a-z]+"', new_string='r"[a-z0-9]+"')),
        _result("toolu_3", "The file /home/u/proj/slug.py has been updated successfully."),
        _assistant("msg_4", _use("toolu_4", "TodoWrite", todos=[{"content": "fix", "status": "done"}])),
        _result("toolu_4", "Todos have been modified successfully."),
        {"type": "assistant", "isSidechain": True, "message": {"id": "msg_side", "content": [_use("toolu_s", "Read", file_path="x")]}},
        _user([_text("[Request interrupted by user]")]),
        _user("<local-command-caveat>Caveat: ...</local-command-caveat>", isMeta=True),
        _user("Now run the whole suite."),
        _assistant("msg_5", _use("toolu_5", "Bash", command="pytest -q")),
        _result("toolu_5", "3 passed"),
        {"type": "system", "subtype": "turn_duration"},
    ]


# ---------------------------------------------------------------- the real corpus


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_corpus_transcript_imports_into_a_valid_lesson(name: str, tmp_path: Path) -> None:
    result = import_claude_code(corpus_file(name))
    data = result.lesson_data
    lesson, problems = check_lesson_data(data, name)
    assert problems == [] and lesson is not None
    assert data["origin"] == "imported"
    assert data["steps"][0]["kind"] == "goal" and data["steps"][0]["ask"]["type"] == "goal"
    assert len(data["steps"]) <= 500  # the edits' results carry their commits now

    # every result answers a call of the agent step before it (the validator checks it; this says it plainly)
    calls: set[str] = set()
    for step in data["steps"]:
        if step["kind"] == "agent":
            calls = {c["id"] for c in step.get("calls", [])}
        elif step["kind"] == "result":
            assert step["call"] in calls

    write_imported_lesson(result, tmp_path / "lesson")
    read = read_lesson(tmp_path / "lesson")
    assert read.lesson is not None and read.problems == []
    assert read.lesson.title == data["title"]
    assert ("repo" in data) == (tmp_path / "lesson" / "repo.bundle").is_file()  # the edits replayed, where they could be


def test_real_edit_becomes_edit_file_with_a_diff() -> None:
    data = import_claude_code(corpus_file("session-ae4a77f8.jsonl")).lesson_data
    edits = [c for s in data["steps"] if s["kind"] == "agent" for c in s.get("calls", []) if c["tool"] == "edit_file"]
    assert edits
    call = edits[0]
    assert not call["input"]["path"].startswith("/")  # made relative to the session's folder
    diff = list(difflib.unified_diff(call["input"]["old"].splitlines(), call["input"]["new"].splitlines(), lineterm=""))
    assert any(line.startswith("+") and not line.startswith("+++") for line in diff)
    tools = {c["tool"] for s in data["steps"] for c in s.get("calls", [])}
    assert {"run", "edit_file", "write_file", "read_file"} <= tools


def test_long_session_collapses_read_only_runs_and_skips_machinery() -> None:
    result = import_claude_code(corpus_file("session-ae4a77f8.jsonl"))
    notes = " ".join(result.notes)
    assert "collapsed" in notes and "progress" in notes
    assert any(s["kind"] == "note" and "looked around" in s["text"] for s in result.lesson_data["steps"])


# ---------------------------------------------------------------- synthetic transcripts


def test_synthetic_transcript_maps_tools_and_pairs_results(tmp_path: Path) -> None:
    result = import_claude_code(_write(tmp_path, _synthetic()))
    data = result.lesson_data
    assert check_lesson_data(data, "x")[1] == []
    steps = data["steps"]
    assert steps[0]["text"] == "Fix the failing slug test without touching the test."
    assert steps[0]["kind"] == "goal" and steps[0]["ask"]["type"] == "goal"
    assert "slug test" not in data["task"] and "slug test" not in data["title"]  # the goal is the first question's answer
    first_agent = steps[1]
    assert first_agent["kind"] == "agent" and first_agent["text"] == "Let me run the tests first."
    assert first_agent["calls"][0] == {"id": "call-1", "tool": "run", "input": {"command": "pytest -q", "description": "run tests"}}
    run_result = steps[2]
    assert run_result["kind"] == "result" and run_result["ok"] is False and run_result["exit_code"] == 1
    read_call = steps[3]["calls"][0]
    assert read_call["tool"] == "read_file" and read_call["input"]["path"] == "settings.py"
    assert steps[4]["output"].startswith("DEBUG = True")  # Claude Code's line numbers are gone
    edit = next(c for s in steps for c in s.get("calls", []) if c["tool"] == "edit_file")
    assert edit["input"] == {"path": "slug.py", "old": 'r"[a-z]+"', "new": 'r"[a-z0-9]+"'}
    assert not any(c["tool"] == "TodoWrite" for s in steps for c in s.get("calls", []))  # a checklist note instead
    assert any(s["kind"] == "note" and "to-do" in s["text"] for s in steps)
    kinds = [s["kind"] for s in steps]
    assert kinds.count("prompt") == 1
    texts = [s["text"] for s in steps if s["kind"] == "note"]
    assert any("interrupted" in t for t in texts)
    assert not any("msg_side" in json.dumps(s) for s in steps)  # a sidechain with no Task call to stand at is left out
    assert not any("Caveat" in json.dumps(s) for s in steps)
    last = steps[-1]
    assert last["kind"] == "result" and last["ok"] is True and last["exit_code"] == 0
    assert last["ask"]["type"] == "outcome"


def test_planted_secrets_do_not_survive(tmp_path: Path) -> None:
    result = import_claude_code(_write(tmp_path, _synthetic()))
    text = json.dumps(result.lesson_data)
    assert ANTHROPIC_KEY not in text and ANTHROPIC_KEY[:30] not in text
    assert PASSWORD not in text
    assert "[REDACTED:" in text
    write_imported_lesson(result, tmp_path / "out")
    saved = (tmp_path / "out" / "lesson.json").read_text(encoding="utf-8")
    assert ANTHROPIC_KEY[:30] not in saved and PASSWORD not in saved


def test_secret_in_the_prompt_and_title_is_redacted(tmp_path: Path) -> None:
    records = [_user(f"use key {ANTHROPIC_KEY} to deploy"), _assistant("m", _text("ok"))]
    data = import_claude_code(_write(tmp_path, records)).lesson_data
    assert ANTHROPIC_KEY[:30] not in json.dumps(data)
    assert check_lesson_data(data, "x")[1] == []


def test_streamed_records_sharing_a_message_id_are_grouped(tmp_path: Path) -> None:
    records = [
        _user("Tidy the README."),
        _assistant("msg_A", _text("First I read it.")),
        _assistant("msg_A", _text("Then I rewrite it.")),
        _assistant("msg_A", _use("t1", "Bash", command="wc -l README.md")),
        _assistant("msg_A", _use("t2", "Bash", command="ls")),
        _result("t1", "10 README.md"),
        _result("t2", "README.md"),
    ]
    steps = import_claude_code(_write(tmp_path, records)).lesson_data["steps"]
    agents = [s for s in steps if s["kind"] == "agent"]
    assert len(agents) == 1
    assert agents[0]["text"] == "First I read it.\n\nThen I rewrite it."
    assert [c["id"] for c in agents[0]["calls"]] == ["call-1", "call-2"]
    assert [s["call"] for s in steps if s["kind"] == "result"] == ["call-1", "call-2"]


def test_corrupt_lines_are_skipped_with_a_note(tmp_path: Path) -> None:
    records = ["{not json", _user("Say hello."), "[1, 2]", _assistant("m", _text("hello")), '{"type": "user", "mess']
    result = import_claude_code(_write(tmp_path, records))
    assert any("corrupt" in note and "3" in note for note in result.notes)
    assert check_lesson_data(result.lesson_data, "x")[1] == []


@pytest.mark.parametrize(
    "content",
    ["just some text\nnot json at all\n", '{"name": "a package.json"}\n', "", "\x00\x01\x02binary"],
)
def test_a_file_that_is_not_a_transcript_gives_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ClaudeCodeImportError, match="not a Claude Code transcript"):
        import_claude_code(path)


def test_missing_file_and_folder_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ClaudeCodeImportError, match="no such file"):
        import_claude_code(tmp_path / "nope.jsonl")
    with pytest.raises(ClaudeCodeImportError, match="folder"):
        import_claude_code(tmp_path)


def test_a_transcript_without_a_prompt_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ClaudeCodeImportError, match="no prompt"):
        import_claude_code(_write(tmp_path, [_assistant("m", _text("hi"))]))


def test_long_output_is_capped_with_a_note(tmp_path: Path) -> None:
    records = [_user("Print a lot."), _assistant("m", _use("t", "Bash", command="seq 5000")),
               _result("t", "\n".join(str(n) for n in range(5000)))]
    result = import_claude_code(_write(tmp_path, records))
    output = result.lesson_data["steps"][-1]["output"]
    assert len(output.splitlines()) <= 402 and "cut by the importer" in output
    assert any("cut" in note for note in result.notes)


# ---------------------------------------------------------------- the command


def test_cli_imports_a_transcript(tmp_path: Path) -> None:
    source = _write(tmp_path, _synthetic())
    out = tmp_path / "lesson"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "claude-code", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "steps" in result.output and str(out) in result.output
    assert read_lesson(out).problems == []
    again = runner.invoke(cli, ["import", "claude-code", str(source), "--out", str(out)])
    assert again.exit_code == 1 and "already holds a lesson" in again.output
    forced = runner.invoke(cli, ["import", "claude-code", str(source), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output


def test_cli_default_out_is_the_title_slug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _write(tmp_path, _synthetic())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["import", "claude-code", str(source)])
    assert result.exit_code == 0, result.output
    folders = [p for p in tmp_path.iterdir() if (p / "lesson.json").is_file()]
    assert len(folders) == 1 and re.fullmatch(r"claude-code-in-proj-[0-9a-f]{6}", folders[0].name)


def test_cli_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("hello\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "claude-code", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("tutor: ") and "not a Claude Code transcript" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(cli, ["import", "claude-code", "--help"]).exit_code == 0


# ---------------------------------------------------------------- transcripts this importer has never seen


def _mutated(record: Any, rng: Any) -> Any:
    """The record with some fields dropped or swapped for values of the wrong type, as other versions might write them."""
    if isinstance(record, dict):
        out: dict[str, Any] = {}
        for key, value in record.items():
            roll = rng.random()
            if roll < 0.05:
                continue
            out[key] = rng.choice([None, 3, "x", [], {}, True, [1], {"a": 1}]) if roll < 0.09 else _mutated(value, rng)
        return out
    if isinstance(record, list):
        return [_mutated(value, rng) for value in record if rng.random() > 0.05]
    return record


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_damaged_and_unfamiliar_transcripts_give_a_lesson_or_one_clear_error(name: str, tmp_path: Path) -> None:
    """Real records with fields dropped or of the wrong type, unknown record kinds, a torn last line: never a crash."""
    import random

    lines = corpus_file(name).read_text(encoding="utf-8").splitlines()
    rng = random.Random(20261124)
    outcomes = {"lesson": 0, "error": 0}
    for trial in range(12):
        chosen = lines[: rng.randint(20, 600)]  # from the start, where the first prompt is
        damaged = [json.dumps(_mutated(json.loads(line), rng)) for line in chosen if line.strip()]
        damaged.append(json.dumps({"type": "a-kind-from-the-future", "payload": {"x": 1}}))
        if trial % 3 == 0:
            damaged.append(damaged[-2][: len(damaged[-2]) // 2])  # a torn last line
        path = tmp_path / f"t{trial}.jsonl"
        path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
        try:
            result = import_claude_code(path)
        except ClaudeCodeImportError as error:
            assert "\n" not in str(error) and str(path) in str(error)
            outcomes["error"] += 1
            continue
        lesson = write_imported_lesson(result, tmp_path / f"lesson{trial}")
        assert read_lesson(tmp_path / f"lesson{trial}").ok and lesson.origin.value == "imported"
        outcomes["lesson"] += 1
    assert outcomes["lesson"] >= 6, outcomes  # damage mostly leaves a usable lesson, not an error


@pytest.mark.parametrize(
    "record",
    [
        {"type": ["user"], "message": {"content": "hi"}},
        {"type": "user", "message": {"content": [{"type": {"x": 1}}, {"type": "text", "text": 3}]}},
        {"type": "assistant", "message": {"id": ["m"], "content": [{"type": "tool_use", "name": {"n": 1}, "input": []}]}},
        {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": ["x"], "content": {"a": 1}}]}},
        {"type": "assistant", "message": "not a dict"},
    ],
    ids=["type-a-list", "block-type-a-dict", "tool-name-a-dict", "result-id-a-list", "message-a-string"],
)
def test_a_record_of_the_wrong_shape_is_skipped_not_a_crash(record: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    prompt = _user("Make the tests pass.")
    path.write_text("\n".join(json.dumps(r) for r in (prompt, record, _assistant("m1", _text("Done.")))) + "\n", encoding="utf-8")
    result = import_claude_code(path)
    assert [s["kind"] for s in result.lesson_data["steps"]][:1] == ["goal"]


# ---------------------------------------------------------------- the goal is not given away


def _words_of(prompt: str) -> list[str]:
    """Runs of five words of the prompt: any of them in the task would quote the senior."""
    words = prompt.split()
    return [" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))]


def test_the_first_prompt_is_the_goal_not_the_task_or_title(tmp_path: Path) -> None:
    goal = "Make the invoice export skip cancelled orders and keep the CSV header unchanged."
    records = [
        _user(goal, gitBranch="fix/export", timestamp="2026-03-02T09:15:00.000Z"),
        _assistant("m1", _text("I'll look at the exporter."), _use("t1", "Bash", command="pytest -q")),
        _result("t1", "1 failed"),
        _user("Now run the full suite."),
        _assistant("m2", _use("t2", "Bash", command="pytest -q")),
        _result("t2", "4 passed"),
    ]
    result = import_claude_code(_write(tmp_path, records))
    data = result.lesson_data
    assert data["steps"][0] == {"id": "goal", "kind": "goal", "text": goal, "ask": data["steps"][0]["ask"]}
    assert data["steps"][0]["ask"]["type"] == "goal"
    shown_first = " ".join([data["title"], data["summary"], data["task"]])
    for run in _words_of(goal):
        assert run not in shown_first
    # the situation, said without the senior's words
    assert data["title"] == "Claude Code in proj, 2026-03-02"
    assert re.fullmatch(r"claude-code-in-proj-2026-03-02-[0-9a-f]{6}", data["id"])  # a session's own suffix: titles alike, ids apart
    task = data["task"]
    assert "**proj**" in task and "`fix/export`" in task and "2026-03-02" in task
    assert "2 prompts from the senior, 2 tool calls by the agent" in task
    assert "first request to the agent is hidden: set the goal yourself" in task
    assert any("not the first prompt" in note for note in result.notes)
    assert check_lesson_data(data, "x")[1] == []


def test_a_session_without_a_folder_still_gets_a_neutral_task(tmp_path: Path) -> None:
    records = [{"type": "user", "message": {"role": "user", "content": "Rename the `util` module to `helpers` everywhere."}},
               {"type": "assistant", "message": {"id": "m", "role": "assistant", "content": [_text("On it.")]}}]
    data = import_claude_code(_write(tmp_path, records)).lesson_data
    assert data["title"] == "A Claude Code session" and re.fullmatch(r"a-claude-code-session-[0-9a-f]{6}", data["id"])
    assert data["task"].startswith("A Claude Code session in a project: 1 prompt from the senior, 0 tool calls by the agent.")
    assert "util" not in data["task"] + data["title"]


def test_a_folder_name_cannot_inject_markdown(tmp_path: Path) -> None:
    records = [_user("Fix the build.", cwd="/home/u/**bold**`x`[link](y)"), _assistant("m", _text("ok"))]
    data = import_claude_code(_write(tmp_path, records)).lesson_data
    first_line = data["task"].splitlines()[0]
    assert "`x`" not in first_line and "[link]" not in first_line and "**bold**" not in first_line
    assert "**bold x link (y)**" in first_line  # the folder's name in words, inside the task's own emphasis


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_corpus_task_and_title_do_not_quote_the_first_prompt(name: str) -> None:
    data = import_claude_code(corpus_file(name)).lesson_data
    goal = data["steps"][0]
    assert goal["kind"] == "goal" and goal["ask"]["type"] == "goal"
    shown_first = " ".join([data["title"], data["summary"], data["task"]])
    for run in _words_of(goal["text"]):
        assert run not in shown_first, run
    assert "set the goal yourself" in data["task"]
