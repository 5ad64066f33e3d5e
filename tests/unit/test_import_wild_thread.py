"""Threading sessions the way real transcripts were written: what a learner sees when the file's order or links are not the tidy ones.

Each case was found importing public transcripts: a tool's result written before the call
it answers, a rewind of the very first prompt, the same point rewound twice, a file whose
records name no parent at all. The sessions are written in Claude Code's real format
(`tests.helpers.claude_code_format`) and imported end to end (`import_claude_code`); the
tests read the lesson's steps as a learner's replay shows them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.claude_code_format import Session
from tutor.lesson.validate import check_lesson_data
from tutor.record.claude_code import import_claude_code

CWD = "/home/alice/projects/shop"


def imported(s: Session, folder: Path, name: str = "session.jsonl") -> tuple[dict[str, Any], list[str]]:
    """The lesson data of the session (checked valid) and the import's notes."""
    result = import_claude_code(s.write(folder / name))
    lesson, problems = check_lesson_data(result.lesson_data, "lesson.json")
    assert problems == [] and lesson is not None
    return result.lesson_data, result.notes


def kinds(data: dict[str, Any]) -> list[str]:
    return [step["kind"] for step in data["steps"]]


def of_kind(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [step for step in data["steps"] if step["kind"] == kind]


def move_before(s: Session, record: dict[str, Any], other: dict[str, Any]) -> None:
    """Write `record` into the file just before `other`, its links untouched (as Claude Code sometimes appends them)."""
    s.records.remove(record)
    s.records.insert(s.records.index(other), record)


# ---------------------------------------------------------------- a result written before its call


def test_a_result_written_before_its_call_is_paired_and_shown_after_the_call(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Run the cart tests and tell me what fails")
    use = s.tool_use("Bash", command="pytest -q tests/test_cart.py", text="Running them.")
    call = s.records[-1]
    result = s.tool_result(use, "FAILED tests/test_cart.py::test_total\n1 failed in 0.04s", is_error=True)
    s.say("test_total fails: the discount is applied twice.")
    move_before(s, result, call)  # the file holds: prompt, result, call (its words, then the tool_use), answer

    data, notes = imported(s, tmp_path)

    assert kinds(data) == ["goal", "agent", "result", "agent"]
    agent, shown = data["steps"][1], data["steps"][2]
    assert agent["text"] == "Running them." and agent["calls"][0]["input"] == {"command": "pytest -q tests/test_cart.py"}
    assert shown["call"] == agent["calls"][0]["id"] and shown["ok"] is False
    assert "FAILED tests/test_cart.py::test_total" in shown["output"]
    assert data["steps"][3]["text"] == "test_total fails: the discount is applied twice."
    assert not any("whose call is not in the transcript" in note or "have no result" in note for note in notes)


def test_a_read_whose_result_stands_before_it_is_described_with_its_result(tmp_path: Path) -> None:
    """The shape of a real session: two reads in a row, the second one's result written before the second call."""
    s = Session(cwd=CWD)
    s.user("Read indicator.md and feedback.md, then update your plan")
    first = s.tool_use("Read", file_path=f"{CWD}/indicator.md")
    s.tool_result(first, "     1\u2192Impact\n     2\u2192Leverage\n     3\u2192Reach")
    second = s.tool_use("Read", file_path=f"{CWD}/feedback.md")
    call = s.records[-1]
    result = s.tool_result(second, "     1\u2192Good framework\n     2\u2192Push back on the threshold")
    s.say("Read both; the threshold was wrong.")
    move_before(s, result, s.records[s.records.index(call) - 1])  # before the first read's result, even

    data, _ = imported(s, tmp_path)

    assert kinds(data) == ["goal", "agent", "note", "agent"]
    looked = data["steps"][2]["text"]
    assert "read `indicator.md` (3 lines)" in looked and "read `feedback.md` (2 lines)" in looked
    assert "no result recorded" not in looked


def test_an_edit_whose_result_stands_before_it_is_replayed_into_the_code(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Fix the total in cart.py")
    read = s.tool_use("Read", file_path=f"{CWD}/cart.py")
    s.tool_result(read, "     1\u2192total = price * 2\n")
    edit = s.tool_use("Edit", file_path=f"{CWD}/cart.py", old_string="price * 2", new_string="price", text="Fixing it.")
    call = s.records[-1]
    result = s.tool_result(edit, f"The file {CWD}/cart.py has been updated successfully.", tool_use_result={
        "filePath": f"{CWD}/cart.py", "oldString": "price * 2", "newString": "price", "originalFile": "total = price * 2\n",
        "structuredPatch": [], "userModified": False, "replaceAll": False})
    s.say("Fixed.")
    move_before(s, result, call)

    data, notes = imported(s, tmp_path)

    shown = next(step for step in of_kind(data, "result") if step["call"] == "call-2")
    assert "commit" in shown and "repo" in data
    assert data["steps"][data["steps"].index(shown) - 1]["calls"] == [
        {"id": "call-2", "tool": "edit_file", "input": {"path": "cart.py", "old": "price * 2", "new": "price"}}]
    assert any("replayed 1 edit(s)" in note for note in notes)


def _a_linear_session() -> Session:
    """A session of one line: prompts, words, a command, parallel calls, an edit; every record after its parent in the file."""
    s = Session(cwd=CWD)
    s.user("Make the cart total right")
    use = s.tool_use("Bash", command="pytest -q", text="Running the tests first.")
    s.tool_result(use, "FAILED tests/test_cart.py::test_total", is_error=True)
    s.assistant({"type": "text", "text": "Looking at both files."},
                {"type": "tool_use", "id": "toolu_grep", "name": "Grep", "input": {"pattern": "total", "path": "src"}},
                {"type": "tool_use", "id": "toolu_read", "name": "Read", "input": {"file_path": f"{CWD}/src/cart.py"}})
    s.tool_result("toolu_grep", "src/cart.py:3: total = price * 2")
    s.tool_result("toolu_read", "     1\u2192def total(price):\n     2\u2192    return price * 2\n")
    use = s.tool_use("Edit", file_path=f"{CWD}/src/cart.py", old_string="price * 2", new_string="price", text="The price is doubled.")
    s.tool_result(use, f"The file {CWD}/src/cart.py has been updated successfully.")
    s.user("Now run the tests again")
    use = s.tool_use("Bash", command="pytest -q")
    s.tool_result(use, "3 passed in 0.05s")
    s.say("All three pass.")
    return s


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(16)))
def test_any_file_order_of_the_same_linked_records_gives_the_same_lesson(tmp_path: Path, order: list[int]) -> None:
    s = _a_linear_session()
    assert len(s.records) == 16
    expected, expected_notes = imported(s, tmp_path, "in-order.jsonl")
    s.records = [s.records[n] for n in order]  # the links are the records' own: only the file's order changes

    data, notes = imported(s, tmp_path, "shuffled.jsonl")

    assert {k: v for k, v in data.items() if k != "created"} == {k: v for k, v in expected.items() if k != "created"}
    assert notes == expected_notes


# ---------------------------------------------------------------- the first prompt rewound


def test_a_rewound_first_prompt_is_told_with_the_goal_never_after_it(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Fix the bug")  # the first prompt has no parent; rewinding to it gives the new one none either
    s.user("Fix the login bug in auth.py: the session cookie expires at once", parent=None)
    use = s.tool_use("Read", file_path=f"{CWD}/auth.py", text="Looking at auth.py.")
    s.tool_result(use, "     1\u2192COOKIE_AGE = 0\n")
    s.say("COOKIE_AGE is 0.")

    data, notes = imported(s, tmp_path)

    assert kinds(data)[:2] == ["goal", "agent"]  # the learner sets the goal, then the agent works: nothing between
    goal = data["steps"][0]["text"]
    assert goal == ("Fix the login bug in auth.py: the session cookie expires at once\n\n"
                    "The senior asked this after rewinding the conversation. At first they had asked:\n\n"
                    "> Fix the bug\n\n(nothing was done on it.)")
    assert not any("rewound" in step["text"] for step in of_kind(data, "note"))
    assert "Fix the bug" not in data["task"]  # told with the goal, once the learner has set theirs: never before
    assert any("rewound once" in note for note in notes)


def test_a_rewound_slash_command_after_session_hooks_is_told_before_its_expansion(tmp_path: Path) -> None:
    """A real session's shape: hook attachments open the chain, `/apply-grant` is rewound to be asked again with words."""
    s = Session(cwd=CWD)
    s.add({"parentUuid": None, "isSidechain": False, "type": "attachment", "uuid": "a0000000-0000-4000-8000-000000000001",
           "attachment": {"type": "hook_success", "hookName": "SessionStart:startup", "content": "", "stdout": "ok"},
           "sessionId": s.session_id, "cwd": CWD, "timestamp": "2026-03-02T09:14:59.000Z"})
    hooks = s.last_uuid
    s.command("/apply-grant", expansion="Help the user apply for a grant.")
    use = s.tool_use("Bash", command="cat ~/.grants/config.json")
    s.tool_result(use, "{}")
    s.command("/apply-grant", "help me apply for the agentic engineering grant", expansion="Help the user apply for a grant.")
    s.records[-2]["parentUuid"] = hooks  # the command the senior typed again hangs where the first one did
    use = s.tool_use("Bash", command="ls grants/")
    s.tool_result(use, "superteam.md")

    data, _ = imported(s, tmp_path)

    assert kinds(data) == ["goal", "agent", "result"]
    goal = data["steps"][0]["text"]
    words, rewound, expansion = goal.index("help me apply"), goal.index("after rewinding"), goal.index("Claude Code expanded")
    assert words < rewound < expansion
    assert "> /apply-grant\n\n(the agent's 1 message(s) and 1 call(s) on it were abandoned.)" in goal
    assert "cat ~/.grants" not in json.dumps(data["steps"])


def test_the_same_point_rewound_twice_tells_both_abandoned_asks_before_the_prompt_asked_instead(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Add a cache to the price lookup")
    s.say("Which store?")
    fork = s.last_uuid
    s.user("Use Redis")
    s.say("Redis added.")
    s.user("Use PostgreSQL", parent=fork)
    s.say("PostgreSQL added.")
    s.user("Use SQLite, nothing to run", parent=fork)
    s.say("SQLite added.")

    data, notes = imported(s, tmp_path)

    assert kinds(data) == ["goal", "agent", "note", "prompt", "agent"]
    assert data["steps"][2]["text"] == (
        "The senior rewound the conversation here twice. They had asked:\n\n> Use Redis\n\n"
        "(the agent's 1 message(s) and 0 call(s) on it were abandoned.) Then they had asked:\n\n> Use PostgreSQL\n\n"
        "(the agent's 1 message(s) and 0 call(s) on it were abandoned.) They then asked instead:")
    assert data["steps"][3]["text"] == "Use SQLite, nothing to run"
    assert any("rewound twice" in note for note in notes)


# ---------------------------------------------------------------- records that name no parent


def _unlinked(prompts: list[str]) -> Session:
    """A session whose records all carry `parentUuid: null` (a log viewer's fixture of Claude Code 1.0), one reply a prompt."""
    s = Session(cwd=CWD, version="1.0.0")
    for n, prompt in enumerate(prompts):
        s.user(prompt)
        if n % 2:
            use = s.tool_use("Bash", command=f"python example_{n}.py")
            s.tool_result(use, f"output {n}")
        s.say(f"Answer {n}.")
    for record in s.records:
        record["parentUuid"] = None
    return s


def test_records_that_name_no_parent_are_one_conversation_in_file_order(tmp_path: Path) -> None:
    prompts = ["Explain Python decorators", "Show one that takes parameters", "Run the example", "Help me write a timing decorator"]
    data, notes = imported(_unlinked(prompts), tmp_path)

    assert data["steps"][0]["text"] == prompts[0]
    assert [step["text"] for step in of_kind(data, "prompt")] == prompts[1:]
    assert [step["text"] for step in of_kind(data, "agent")] == ["Answer 0.", "", "Answer 1.", "Answer 2.", "", "Answer 3."]
    assert not any("rewound" in note or "separate chains" in note for note in notes)
    assert "none of the 12 messages names the one before it (an old or hand-made transcript): kept in file order, " \
           "so a rewind among them cannot be told apart" in notes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="abcdefghij ", min_size=3, max_size=20).filter(lambda t: t.strip()), min_size=1, max_size=6))
def test_unlinked_records_keep_every_prompt_in_order(tmp_path: Path, prompts: list[str]) -> None:
    data, notes = imported(_unlinked(prompts), tmp_path)

    asked = [data["steps"][0]["text"]] + [step["text"] for step in of_kind(data, "prompt")]
    assert asked == [prompt.strip() for prompt in prompts]
    assert [step["text"] for step in of_kind(data, "agent") if step["text"]] == [f"Answer {n}." for n in range(len(prompts))]
    assert not any("rewound" in note or "separate chains" in note for note in notes)


@pytest.mark.parametrize("first_parent", [None, "6a7b8c9d-0000-4000-8000-0123456789ab"])
def test_a_rewind_is_still_found_where_the_file_links_its_records(tmp_path: Path, first_parent: str | None) -> None:
    """Two prompts hanging from the same start are a rewind, as long as the file links its records at all."""
    s = Session(cwd=CWD)
    s.user("Rename fetchUser to fetch_user", parent=first_parent)
    s.say("Renamed.")
    s.user("Leave the names alone; add type hints", parent=first_parent)
    s.say("Added type hints.")

    data, notes = imported(s, tmp_path)

    assert kinds(data) == ["goal", "agent"]
    assert data["steps"][0]["text"].startswith("Leave the names alone; add type hints\n\nThe senior asked this after rewinding")
    assert any("rewound once" in note for note in notes)


# ---------------------------------------------------------------- background tasks that report again and again


def notify(s: Session, task: str, summary: str, event: str | None = None) -> None:
    """A background task's notification, as Claude Code 2.1 writes it into the conversation."""
    body = f"<task-notification>\n<task-id>{task}</task-id>\n<summary>{summary}</summary>\n"
    body += (f"<event>{event}</event>\n" if event is not None else "") + "</task-notification>"
    s.user(body, origin={"kind": "task-notification"})


def test_a_monitors_events_are_one_line_saying_how_many_and_the_last(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("Fetch the PRs and build the dashboard")
    use = s.tool_use("Monitor", command="python -u src/fetch.py | grep --line-buffered chunk", description="Search-based fetch")
    s.tool_result(use, "Monitor started (task btkze6lgq, timeout 900000ms). You will be notified on each event.")
    for page in range(1, 5):
        notify(s, "btkze6lgq", 'Monitor event: "Search-based fetch"', f"chunk 2026-03-30..2026-04-06 page {page}: +50 (cumulative {50 * page}/619)")
    notify(s, "bkzv7ang6", 'Background command "Run the linter" completed (exit code 0)')
    notify(s, "btkze6lgq", 'Monitor event: "Search-based fetch"', "DONE " + "x" * 300)
    use = s.tool_use("Bash", command="ls data/raw")
    s.tool_result(use, "prs.json")
    notify(s, "btkze6lgq", 'Monitor event: "Search-based fetch"', "saved 619 PRs")
    s.say("The data is in.")

    data, _ = imported(s, tmp_path)

    notes = [step["text"] for step in of_kind(data, "note") if step["text"].startswith("Background")]
    assert len(notes) == 2
    first, second = (note.split("\n\n", 1)[1].splitlines() for note in notes)
    assert len(first) == 2
    assert first[0].startswith('- Monitor event: "Search-based fetch" (5 events; the last: DONE xxx')
    assert first[0].endswith("…)") and len(first[0]) < 260  # the last event, cut short
    assert first[1] == '- Background command "Run the linter" completed (exit code 0)'
    assert second == ['- Monitor event: "Search-based fetch": saved 619 PRs']


def test_stopping_a_background_task_shows_claude_codes_message_not_its_json(tmp_path: Path) -> None:
    s = Session(cwd=CWD)
    s.user("The fetch is too slow: stop it")
    use = s.tool_use("TaskStop", task_id="byo17lgri")
    said = f"Successfully stopped task: byo17lgri (cd {CWD} && python -u src/fetch.py)"
    s.tool_result(use, json.dumps({"message": said, "task_id": "byo17lgri", "task_type": "local_bash", "command": "python -u src/fetch.py"}),
                  tool_use_result={"message": said, "task_id": "byo17lgri"})
    s.say("Stopped.")

    data, _ = imported(s, tmp_path)

    assert [step["output"] for step in of_kind(data, "result")] == ["Successfully stopped task: byo17lgri (cd . && python -u src/fetch.py)"]
