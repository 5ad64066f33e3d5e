"""Issue 17, end to end: each way real sessions came out unfaithful, on a transcript written in Claude Code's real format.

Every test imports through the command a senior runs (`tutor import claude-code`), then
checks the written lesson with `tutor validate` and reads `lesson.json` as a learner's
replay would. The numbers are the issue's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers.claude_code_format import Session, image_block, text_block
from tutor.cli import cli

HOME = "/home/alice"
CWD = f"{HOME}/projects/shop"


def _import(path: Path, out: Path, *args: str) -> tuple[dict[str, Any], str]:
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "claude-code", str(path), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    checked = runner.invoke(cli, ["validate", str(out)])
    assert checked.exit_code == 0, checked.output
    return json.loads((out / "lesson.json").read_text(encoding="utf-8")), result.output


def _steps(data: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    return [s for s in data["steps"] if kind is None or s["kind"] == kind]


def _all_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def _work(s: Session, n: int = 3) -> None:
    """Some ordinary agent work: a test run and an edit."""
    for k in range(n):
        use = s.tool_use("Bash", command=f"pytest -q tests/test_cart.py::test_{k}", text=f"Checking case {k}.")
        s.tool_result(use, f"1 passed in 0.0{k}s")


# ---------------------------------------------------------------- 1. a session that opens with a slash command


def test_1_a_session_opened_by_a_slash_command_keeps_its_goal_and_work(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.command("/orchestrator", "create TODO app by Next.js", expansion="You orchestrate subagents.\n\nTask: $ARGUMENTS\n" * 3)
    use = s.tool_use("Bash", command="npx create-next-app todo --yes", text="Scaffolding the app.")
    s.tool_result(use, "Success! Created todo")
    _work(s)
    s.user("Thanks! Please update CLAUDE.md")
    s.say("Done.")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    goal = _steps(data, "goal")[0]
    assert goal["text"].startswith("/orchestrator create TODO app by Next.js")
    assert any("create-next-app" in json.dumps(step) for step in _steps(data, "agent"))
    assert [p["text"] for p in _steps(data, "prompt")] == ["Thanks! Please update CLAUDE.md"]


def test_1_a_session_whose_only_request_is_init_is_imported_not_refused(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.command("/init", expansion="Please analyze this codebase and create a CLAUDE.md file, which will be given to future instances.")
    use = s.tool_use("Write", file_path=f"{CWD}/CLAUDE.md", content="# CLAUDE.md\n\nRun `make test`.\n", text="Writing CLAUDE.md.")
    s.tool_result(use, f"File created successfully at: {CWD}/CLAUDE.md")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert _steps(data, "goal")[0]["text"].startswith("/init")
    assert "CLAUDE.md" in _steps(data, "goal")[0]["text"]  # what /init asked of the agent is shown with it


# ---------------------------------------------------------------- 2. machine-injected text is not the senior's prompt


def test_2_task_notifications_are_one_note_not_prompts(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Run the load test in the background and tell me when the p95 is under 200 ms")
    use = s.tool_use("Bash", command="./load.sh", run_in_background=True)
    s.tool_result(use, "Command running in background with ID: bash_1")
    for k in range(6):
        s.user(f"<task-notification>\n<task-id>bash_{k}</task-id>\n<status>completed</status>\n"
               f"<summary>Background command \"./load.sh\" completed (exit code 0)</summary>\n</task-notification>")
        s.say("Waiting.")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert not _steps(data, "prompt")
    assert not any("<task-notification>" in s["text"] for s in data["steps"] if "text" in s)
    background = [n for n in _steps(data, "note") if "ackground" in n["text"]]
    assert len(background) == 1 and background[0]["text"].count("load.sh") == 6


def test_2_ide_wrappers_are_context_and_the_real_request_is_the_goal(tmp_path: Path) -> None:
    selection = "\n".join(f"    line_{n} = {n}" for n in range(620))
    s = Session(cwd=CWD, version="2.0.31")
    s.user([
        text_block(f"<ide_opened_file>The user opened the file {CWD}/src/cart.py in the IDE. This may or may not be related to the current task.</ide_opened_file>"),
        text_block(f"<ide_selection>The user selected the lines 1 to 620 from {CWD}/src/cart.py:\n{selection}\n\nThis may or may not be related to the current task.</ide_selection>"),
        text_block("Why does the cart total ignore the discount?"),
    ])
    _work(s, 1)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert _steps(data, "goal")[0]["text"] == "Why does the cart total ignore the discount?"
    assert "<ide_" not in _all_text(data) and "line_300" not in _all_text(data)
    assert not data["title"].startswith("<")
    assert "cart.py" in data["task"]  # the file the senior had open is part of the situation


def test_2_system_reminders_and_hook_output_are_not_shown(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Fix the rounding in src/cart.py\n\n<system-reminder>The user has hooks configured.</system-reminder>")
    use = s.tool_use("Read", file_path=f"{CWD}/src/cart.py")
    s.tool_result(use, "     1\ttotal = round(x)\n\n<system-reminder>\nWhenever you read a file, consider whether it is malware.\n</system-reminder>\n")
    use = s.tool_use("Bash", command="make check")
    s.tool_result(use, "ok")
    s.user("Stop hook feedback:\n[~/.claude/stop.sh]: remember to run the linter")
    s.say("Ran it.")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    text = _all_text(data)
    assert "system-reminder" not in text and "malware" not in text
    assert not any("Stop hook" in p["text"] for p in _steps(data, "prompt"))
    assert _steps(data, "goal")[0]["text"] == "Fix the rounding in src/cart.py"


def test_2_a_compaction_summary_keeps_its_words(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Migrate the cart to Decimal")
    _work(s, 2)
    s.compact("1. Primary Request: migrate every money amount in the cart to Decimal, keeping the API.")
    s.user("Go on with the tax module")
    _work(s, 1)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert any("money amount in the cart to Decimal" in n["text"] for n in _steps(data, "note"))
    assert [p["text"] for p in _steps(data, "prompt")] == ["Go on with the tax module"]


# ---------------------------------------------------------------- 3. the senior's steering is kept as steering


def test_3_a_rejected_call_with_the_users_reason_is_a_correction_with_an_intervene_ask(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Rename the CLI entry point to shop")
    _work(s, 1)
    use = s.tool_use("Bash", command="git mv shop_cli.py shop.py", text="I'll rename the module.")
    s.reject(use, "keep the name of the py file but change the pyproject script entry instead")
    use = s.tool_use("Edit", file_path=f"{CWD}/pyproject.toml", old_string='shop-cli = "shop_cli:main"', new_string='shop = "shop_cli:main"')
    s.tool_result(use, f"The file {CWD}/pyproject.toml has been updated successfully.")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    steps = data["steps"]
    at = next(n for n, step in enumerate(steps) if step["kind"] == "correction")
    correction = steps[at]
    assert "keep the name of the py file" in correction["text"]
    assert steps[at - 1]["kind"] == "agent" and "git mv" in json.dumps(steps[at - 1]["calls"])
    assert correction["ask"]["type"] == "intervene"
    assert "user interrupted" not in _all_text(data)


def test_3_a_plain_rejection_followed_by_words_is_a_correction_in_those_words(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Speed up the product listing")
    use = s.tool_use("Bash", command="rm -rf node_modules && npm install", text="Let me reinstall everything.")
    s.reject(use)
    s.user("no, profile the query first; the slow part is the N+1 in listing.py")
    _work(s, 1)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    corrections = _steps(data, "correction")
    assert len(corrections) == 1 and "profile the query first" in corrections[0]["text"]
    assert not any("profile the query" in p["text"] for p in _steps(data, "prompt"))
    assert corrections[0]["ask"]["type"] == "intervene"


# ---------------------------------------------------------------- 4. rewinds


def test_4_a_rewind_shows_the_final_branch_and_a_note_of_the_abandoned_one(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Add a cache to the price lookup")
    _work(s, 1)
    fork = s.last_uuid
    s.user("Store the cache in PostgreSQL")
    use = s.tool_use("Bash", command="psql -c 'create table cache()'")
    s.tool_result(use, "CREATE TABLE")
    s.user("Store the cache in SQLite, not a server", parent=fork)  # the senior rewound and asked the opposite
    use = s.tool_use("Bash", command="sqlite3 cache.db 'create table cache(k, v)'")
    s.tool_result(use, "")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert [p["text"] for p in _steps(data, "prompt")] == ["Store the cache in SQLite, not a server"]
    assert "psql" not in json.dumps(_steps(data, "agent"))
    rewound = [n for n in _steps(data, "note") if "rewound" in n["text"]]
    assert len(rewound) == 1 and "PostgreSQL" in rewound[0]["text"]
    prompt_at = next(n for n, step in enumerate(data["steps"]) if step["kind"] == "prompt")
    assert data["steps"][prompt_at - 1] is not None and "rewound" in data["steps"][prompt_at - 1]["text"]


# ---------------------------------------------------------------- 5. outcome asks are balanced


def test_5_outcome_asks_are_balanced_without_exit_codes_and_ignore_heredoc_text(tmp_path: Path) -> None:
    s = Session(cwd=CWD, version="1.0.24")
    s.user("Make the test suite green")
    for k in range(12):
        use = s.tool_use("Bash", command=f"pytest -q tests/test_{k}.py")
        if k % 3 == 0:
            s.tool_result(use, f"FAILED tests/test_{k}.py::test_x - AssertionError", is_error=True)  # 1.0.x: no "Exit code N"
        else:
            s.tool_result(use, "3 passed in 0.12s")
    for k in range(4):
        use = s.tool_use("Bash", command=f"cat > notes_{k}.md <<'EOF'\nrun pytest and make test before merging\nEOF")
        s.tool_result(use, "")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    calls = {c["id"]: c for step in _steps(data, "agent") for c in step.get("calls", [])}
    asked = [step for step in _steps(data, "result") if (step.get("ask") or {}).get("type") == "outcome"]
    assert len(asked) >= 4
    failing = sum(1 for step in asked if not step["ok"])
    assert 0.35 <= failing / len(asked) <= 0.65, [(step["ok"], calls[step["call"]]["input"]["command"]) for step in asked]
    assert not any("<<" in calls[step["call"]]["input"]["command"] for step in asked)


# ---------------------------------------------------------------- 6. subagents


def test_6_a_subagent_transcript_is_refused_naming_its_parent_session(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Find where the discount is applied", sidechain=True, agentId="a1b2c3d")
    s.tool_use("Grep", pattern="discount", path=CWD, sidechain=True, agentId="a1b2c3d")
    path = s.write(tmp_path / "agent-a1b2c3d.jsonl")
    result = CliRunner().invoke(cli, ["import", "claude-code", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "subagent" in lines[0] and s.session_id[:8] in lines[0]


def test_6_a_subagent_in_the_subagents_folder_is_a_collapsible_group_where_its_task_stands(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Find and fix where the discount is lost")
    task = s.tool_use("Task", description="Find discount code", prompt="Find where discounts are applied to the cart total", subagent_type="Explore")
    s.tool_result(task, "The discount is applied in src/cart.py:42 after rounding.",
                  tool_use_result={"agentId": "a1b2c3d", "status": "completed", "totalToolUseCount": 2,
                                   "content": [{"type": "text", "text": "The discount is applied in src/cart.py:42."}]})
    _work(s, 1)
    path = s.write(tmp_path / "proj" / f"{s.session_id}.jsonl")
    agent = Session(cwd=CWD, session_id=s.session_id)
    agent.user("Find where discounts are applied to the cart total", sidechain=True, agentId="a1b2c3d")
    use = agent.tool_use("Grep", pattern="discount", path=CWD, sidechain=True, agentId="a1b2c3d")
    agent.tool_result(use, "src/cart.py:42: total = round(total) - discount", sidechain=True, agentId="a1b2c3d")
    agent.assistant(text_block("It is applied after rounding, at src/cart.py:42."), sidechain=True, agentId="a1b2c3d")
    agent.write(tmp_path / "proj" / s.session_id / "subagents" / "agent-a1b2c3d.jsonl")
    data, _ = _import(path, tmp_path / "out")
    steps = data["steps"]
    task_at = next(n for n, step in enumerate(steps) if step["kind"] == "agent" and any(c["tool"] == "Task" for c in step.get("calls", [])))
    group = steps[task_at + 1]
    assert group["kind"] == "note" and "subagent" in group["text"].lower()
    assert "src/cart.py:42" in group["details"] and "discount" in group["details"]
    assert steps[task_at + 2]["kind"] == "result"  # the subagent's report, after its work


# ---------------------------------------------------------------- 7. noise


def test_7_todos_are_a_checklist_line_numbers_and_api_errors_are_not_shown_as_text(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user([image_block()])
    s.user("Tidy the cart module as in the screenshot")
    use = s.tool_use("TodoWrite", todos=[{"content": "Split cart.py", "status": "completed", "activeForm": "Splitting"},
                                         {"content": "Add tests", "status": "pending", "activeForm": "Adding tests"}])
    s.tool_result(use, "Todos have been modified successfully.")
    use = s.tool_use("TaskCreate", subject="Split cart.py", description="into cart/ and pricing/", activeForm="Splitting")
    s.tool_result(use, "Task #1 created successfully: Split cart.py")
    use = s.tool_use("ToolSearch", query="select:NotebookEdit")
    s.tool_result(use, [{"type": "tool_reference", "tool_name": "NotebookEdit"}])
    use = s.tool_use("Read", file_path=f"{CWD}/src/cart.py")
    s.tool_result(use, "     1\timport decimal\n     2\t\n     3\tdef total(items):\n")
    use = s.tool_use("Bash", command="make test")
    s.tool_result(use, "ok")
    s.assistant(text_block("API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}"), isApiErrorMessage=True)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    text = _all_text(data)
    assert '"todos"' not in text and "activeForm" not in text and "tool_reference" not in text
    assert not any(c["tool"] in ("TodoWrite", "TaskCreate") for step in _steps(data, "agent") for c in step.get("calls", []))
    checklist = next(n for n in _steps(data, "note") if "to-do" in n["text"])
    assert "[x] Split cart.py" in checklist["details"] and "[ ] Add tests" in checklist["details"]
    assert not any("API Error" in step["text"] for step in _steps(data, "agent"))
    assert any("529" in n["text"] or "overloaded" in n["text"] for n in _steps(data, "note"))
    assert "[image]" not in data["title"] and "\\u2192" not in text
    assert not re.search(r"\b1\\timport", text)


# ---------------------------------------------------------------- 8. titles, ids, paths, size


def test_8_titles_come_from_the_session_and_ids_never_collide_or_name_the_user(tmp_path: Path) -> None:
    ids = set()
    for n in range(5):
        s = Session(cwd=HOME, session_id=f"5f0c2a9e-7d41-4e4b-9a57-{n:012d}")
        s.user("help me apply for the agentic wallet grant")
        _work(s, 2)
        s.title("ai-title", "Drafting an agentic wallet grant application")
        data, _ = _import(s.write(tmp_path / f"s{n}.jsonl"), tmp_path / f"out{n}")
        assert data["title"] == "Drafting an agentic wallet grant application"
        assert "alice" not in data["id"]
        ids.add(data["id"])
    assert len(ids) == 5


def test_8_a_title_that_quotes_the_first_prompt_is_not_used(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("help me apply for the agentic wallet grant before friday")
    _work(s, 2)
    s.title("ai-title", "Help me apply for the agentic wallet grant")  # it would answer the goal ask before it is asked
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert "agentic wallet" not in data["title"].lower()


def test_8_home_paths_are_made_relative_and_a_huge_prompt_is_capped(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Summarise this log:\n" + "x" * 7_000_000)  # under the 8 MiB a record may take
    use = s.tool_use("Bash", command=f"cat {CWD}/logs/app.log {HOME}/.config/shop/settings.toml")
    s.tool_result(use, f"read {CWD}/logs/app.log\nread {HOME}/.config/shop/settings.toml")
    _work(s, 2)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert (tmp_path / "out" / "lesson.json").stat().st_size < 2_000_000
    assert "alice" not in _all_text(data)
    assert "logs/app.log" in _all_text(data)


def test_8_a_session_too_short_to_teach_is_warned_about(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("hi")
    s.say("Hello! How can I help?")
    _, output = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert "short" in output.lower()


# ---------------------------------------------------------------- 9. inputs seen in the wild


def _session_for_inputs() -> Session:
    s = Session(cwd=CWD)
    s.user("Fix the cart total")
    _work(s, 2)
    return s


def test_9_a_utf16_transcript_imports(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes("\n".join(_session_for_inputs().lines()).encode("utf-16"))
    data, _ = _import(path, tmp_path / "out")
    assert _steps(data, "goal")[0]["text"] == "Fix the cart total"


def test_9_pretty_printed_records_import(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps(r, indent=2) for r in _session_for_inputs().records) + "\n", encoding="utf-8")
    data, _ = _import(path, tmp_path / "out")
    assert len(_steps(data, "result")) == 2


def test_9_a_lone_surrogate_and_a_nan_do_not_fail_the_import(tmp_path: Path) -> None:
    s = _session_for_inputs()
    lines = s.lines()
    lines.append(json.dumps(s.user("and the \ud800 euro sign")).replace('"parentUuid"', '"costUSD": NaN, "parentUuid"'))
    use = s.tool_use("Bash", command="make test")
    lines += s.lines()[-1:]
    result = s.tool_result(use, "ok")
    lines.append(json.dumps(result).replace('"uuid"', '"durationMs": Infinity, "uuid"'))
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, _ = _import(path, tmp_path / "out")
    assert any("euro sign" in p["text"] for p in _steps(data, "prompt"))


def test_9_repeated_tool_ids_keep_every_call(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Run both checks")
    use = s.tool_use("Bash", command="make lint", use_id="call_0")
    s.tool_result(use, "lint ok")
    use = s.tool_use("Bash", command="make test", use_id="call_0")
    s.tool_result(use, "FAILED test_cart", is_error=True)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    commands = [c["input"]["command"] for step in _steps(data, "agent") for c in step.get("calls", [])]
    assert commands == ["make lint", "make test"]
    assert [r["ok"] for r in _steps(data, "result")] == [True, False]


def test_9_concatenated_sessions_are_not_merged(tmp_path: Path) -> None:
    first = Session(cwd=CWD, session_id="11111111-0000-4000-8000-000000000001")
    first.user("Fix the cart total")
    _work(first, 1)
    second = Session(cwd=CWD, session_id="22222222-0000-4000-8000-000000000002", start="2026-03-03T10:00:00")
    second.user("Write the changelog")
    _work(second, 1)
    path = tmp_path / "both.jsonl"
    path.write_text("\n".join(first.lines() + second.lines()) + "\n", encoding="utf-8")
    data, output = _import(path, tmp_path / "out")
    assert _steps(data, "goal")[0]["text"] == "Fix the cart total" and not _steps(data, "prompt")
    assert "2 sessions" in output and "--session" in output
    data, _ = _import(path, tmp_path / "out2", "--session", "2")
    assert _steps(data, "goal")[0]["text"] == "Write the changelog"


# ---------------------------------------------------------------- 10. the goal ask is not spoiled


def _runs_of_six(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[n:n + 6]) for n in range(len(words) - 5)}


def test_10_the_task_is_the_situation_and_the_senior_words_wait_for_the_reveal(tmp_path: Path) -> None:
    s = Session(cwd=CWD, git_branch="fix/discount")
    words = "Make the checkout apply the loyalty discount before tax and add a regression test for it"
    s.user(words)
    _work(s, 3)
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert _steps(data, "goal")[0]["text"] == words
    assert not _runs_of_six(words) & (_runs_of_six(data["task"]) | _runs_of_six(data["title"]))
    assert "shop" in data["task"]


# ---------------------------------------------------------------- the code changes


def test_the_sessions_edits_are_replayed_into_a_bundle_with_a_commit_per_edit(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Apply the discount before rounding")
    use = s.tool_use("Write", file_path=f"{CWD}/src/cart.py", content="def total(x, d):\n    return round(x) - d\n")
    s.tool_result(use, f"File created successfully at: {CWD}/src/cart.py")
    use = s.tool_use("Edit", file_path=f"{CWD}/src/cart.py", old_string="round(x) - d", new_string="round(x - d)", text="Fixing the order.")
    s.tool_result(use, f"The file {CWD}/src/cart.py has been updated successfully.")
    use = s.tool_use("Bash", command="pytest -q")
    s.tool_result(use, "1 passed")
    data, _ = _import(s.write(tmp_path / "s.jsonl"), tmp_path / "out")
    assert (tmp_path / "out" / "repo.bundle").is_file() and data["repo"]["base"]
    committed = [step for step in _steps(data, "result") if step.get("commit")]
    assert len(committed) == 2


# ---------------------------------------------------------------- every feature at once, damaged


def _rich_session(tmp_path: Path) -> tuple[Session, Path]:
    """One session using every shape the importer knows, with a subagent file beside it."""
    s = Session(cwd=CWD)
    s.title("summary", "Cart discount work")
    s.command("/orchestrator", "fix the cart discount", expansion="You orchestrate.\n$ARGUMENTS")
    s.user([text_block(f"<ide_opened_file>The user opened the file {CWD}/src/cart.py in the IDE.</ide_opened_file>"), text_block("start with cart.py")])
    task = s.tool_use("Task", description="Find discount", prompt="Find where the discount is applied", subagent_type="Explore")
    s.tool_result(task, "In src/cart.py:42.", tool_use_result={"agentId": "a1b2c3d", "status": "completed"})
    todo = s.tool_use("TodoWrite", todos=[{"content": "fix", "status": "in_progress", "activeForm": "fixing"}])
    s.tool_result(todo, "Todos have been modified successfully.")
    write = s.tool_use("Write", file_path=f"{CWD}/src/cart.py", content="def total(x, d):\n    return round(x) - d\n")
    s.tool_result(write, "File created successfully")
    edit = s.tool_use("Edit", file_path=f"{CWD}/src/cart.py", old_string="round(x) - d", new_string="round(x - d)")
    s.tool_result(edit, "The file has been updated successfully.", tool_use_result={"originalFile": "def total(x, d):\n    return round(x) - d\n"})
    run = s.tool_use("Bash", command="pytest -q")
    s.progress(run)
    s.tool_result(run, "Exit code 1\nFAILED", is_error=True)
    refused = s.tool_use("Bash", command="git push --force")
    s.reject(refused, "never force-push main")
    fork = s.last_uuid
    s.user("now use floats")
    s.say("OK, floats.")
    s.user("no: keep Decimal", parent=fork)
    s.compact("Primary Request: the cart discount.")
    s.user("<task-notification><summary>Background command done</summary></task-notification>")
    s.say("Waiting.")
    s.assistant(text_block("API Error: 500"), isApiErrorMessage=True)
    s.user([text_block("[Request interrupted by user]")])
    s.user("stop and run the linter")
    lint = s.tool_use("Bash", command="ruff check .")
    s.tool_result(lint, "All checks passed!")
    path = s.write(tmp_path / "proj" / f"{s.session_id}.jsonl")
    agent = Session(cwd=CWD, session_id=s.session_id)
    agent.user("Find where the discount is applied", sidechain=True, agentId="a1b2c3d")
    grep = agent.tool_use("Grep", pattern="discount", sidechain=True, agentId="a1b2c3d")
    agent.tool_result(grep, "src/cart.py:42", sidechain=True)
    agent.write(tmp_path / "proj" / s.session_id / "subagents" / "agent-a1b2c3d.jsonl")
    return s, path


def test_a_session_using_every_shape_imports_whole(tmp_path: Path) -> None:
    _, path = _rich_session(tmp_path)
    data, _ = _import(path, tmp_path / "out")
    kinds = {step["kind"] for step in data["steps"]}
    assert {"goal", "agent", "result", "correction", "note", "prompt"} <= kinds
    assert any(step.get("details") for step in data["steps"])  # the subagent's group
    assert (tmp_path / "out" / "repo.bundle").is_file()
    assert "floats" not in json.dumps([s for s in data["steps"] if s["kind"] in ("prompt", "agent")])  # rewound away


def _damaged(value: Any, rng: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < 0.04:
                continue
            out[key] = rng.choice([None, 3, "x", [], {}, True, [1], {"a": 1}, float("nan")]) if roll < 0.1 else _damaged(item, rng)
        return out
    if isinstance(value, list):
        return [_damaged(item, rng) for item in value if rng.random() > 0.04]
    return value


@pytest.mark.parametrize("seed", range(25))
def test_a_damaged_session_gives_a_lesson_or_one_clear_line(seed: int, tmp_path: Path) -> None:
    """Fields dropped or of the wrong type anywhere (as other versions, or damage, write them): never a traceback."""
    import random

    s, path = _rich_session(tmp_path)
    rng = random.Random(seed)
    path.write_text("\n".join(json.dumps(_damaged(r, rng)) for r in s.records) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "claude-code", str(path), "--out", str(tmp_path / "out")])
    if result.exit_code == 0:
        checked = CliRunner().invoke(cli, ["validate", str(tmp_path / "out")])
        assert checked.exit_code == 0, checked.output
    else:
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("tutor: "), result.output
