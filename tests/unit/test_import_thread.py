"""Threading a Claude Code session: the conversation as it finally stood, rewinds marked; and the sessions of one file told apart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers.claude_code_corpus import TRANSCRIPTS, corpus_file
from tests.helpers.claude_code_format import Session, text_block
from tutor.cli import cli
from tutor.record.claude_code.common import ClaudeCodeImportError
from tutor.record.claude_code.reading import read_records
from tutor.record.claude_code.sessions import SessionPart, choose_session, split_sessions
from tutor.record.claude_code.thread import REWIND, thread, thread_with_counts

OTHER_ID = "9b1e7c44-2f60-4c1a-8d3e-7a5b6c4d3e21"


def typed(record: dict[str, Any]) -> bool:
    """A prompt the user typed, as the importer's machinery would tell it (enough for these transcripts)."""
    if record.get("type") != "user" or record.get("isMeta") or record.get("isCompactSummary"):
        return False
    content = record["message"]["content"]
    if isinstance(content, list):
        if any(block.get("type") == "tool_result" for block in content):
            return False
        content = " ".join(block.get("text", "") for block in content if block.get("type") == "text")
    return bool(content.strip()) and not content.lstrip().startswith(("<", "[Request interrupted", "This session is being continued"))


def texts(records: list[dict[str, Any]]) -> list[str]:
    """What each record says, in order: a prompt's or a reply's words, a call's tool, a result, a rewind."""
    said = []
    for record in records:
        if record["type"] == REWIND:
            said.append("REWIND: " + " | ".join(texts(record["abandoned"])))
            continue
        message = record.get("message")
        if not isinstance(message, dict):
            said.append(record["type"])
            continue
        content = message["content"]
        if isinstance(content, str):
            said.append(content)
            continue
        for block in content:
            said.append(block.get("text") or block.get("name") or f"result: {block.get('content')}")
    return said


def threaded(s: Session) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    return thread(s.records, notes, is_prompt=typed), notes


def opening(s: Session) -> str:
    s.user("Look at src/names.py")
    s.say("It defines fetchUser and saveUser.")
    return s.last_uuid or ""


# ---------------------------------------------------------------- rewinds


def test_a_rewind_to_ask_the_opposite_keeps_only_the_second_ask_and_marks_the_first() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user everywhere")
    use = s.tool_use("Edit", text="Renaming it.", file_path="src/names.py", old_string="fetchUser", new_string="fetch_user")
    s.tool_result(use, "The file src/names.py has been updated.")
    s.say("Renamed.")
    s.user("Keep the name fetchUser; only fix its docstring", parent=fork)
    s.say("Fixed the docstring; the name stays.")

    records, notes = threaded(s)

    assert texts(records) == [
        "Look at src/names.py", "It defines fetchUser and saveUser.",
        "REWIND: Rename fetchUser to fetch_user everywhere | Renaming it. | Edit | result: The file src/names.py has been updated. | Renamed.",
        "Keep the name fetchUser; only fix its docstring", "Fixed the docstring; the name stays.",
    ]
    marker = records[2]
    assert marker == {"type": REWIND, "abandoned": s.records[2:7]}
    assert notes == ["followed the conversation to where it finally stood: the senior rewound once; "
                     "the 5 record(s) they went back on are left out, each rewind shown where it happened"]


def test_two_rewinds_at_the_same_point_are_two_marks_in_the_order_they_happened() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user")
    s.say("Renamed.")
    s.user("Rename fetchUser to get_user", parent=fork)
    s.say("Renamed it get_user.")
    s.user("Leave the names alone; add type hints", parent=fork)
    s.say("Added type hints.")

    records, _notes = threaded(s)

    assert texts(records) == [
        "Look at src/names.py", "It defines fetchUser and saveUser.",
        "REWIND: Rename fetchUser to fetch_user | Renamed.",
        "REWIND: Rename fetchUser to get_user | Renamed it get_user.",
        "Leave the names alone; add type hints", "Added type hints.",
    ]


def test_a_rewind_inside_a_compacted_session_follows_the_line_across_the_compaction() -> None:
    s = Session()
    opening(s)
    s.user("Add a cache to fetchUser")
    s.say("Added an LRU cache.")
    s.compact("The user asked for a cache on fetchUser; an LRU cache was added.")
    s.say("Continuing from the summary.")
    fork = s.last_uuid
    s.user("Now make the cache size configurable")
    s.say("It reads CACHE_SIZE.")
    s.user("Drop the cache; it hides stale data", parent=fork)
    s.say("Removed the cache.")

    records, _notes = threaded(s)

    said = texts(records)
    assert said[:4] == ["Look at src/names.py", "It defines fetchUser and saveUser.", "Add a cache to fetchUser", "Added an LRU cache."]
    assert said[4] == "system" and records[4]["subtype"] == "compact_boundary"
    assert said[6:] == ["Continuing from the summary.", "REWIND: Now make the cache size configurable | It reads CACHE_SIZE.",
                        "Drop the cache; it hides stale data", "Removed the cache."]


def test_a_rewind_to_before_the_compaction_leaves_the_compacted_part_out() -> None:
    s = Session()
    fork = opening(s)
    s.user("Add a cache to fetchUser")
    s.say("Added an LRU cache.")
    s.compact("An LRU cache was added to fetchUser.")
    s.say("Continuing.")
    s.user("Rename fetchUser to fetch_user", parent=fork)
    s.say("Renamed.")

    records, _notes = threaded(s)

    said = texts(records)
    assert said[:2] == ["Look at src/names.py", "It defines fetchUser and saveUser."]
    assert said[2].startswith("REWIND: Add a cache to fetchUser | Added an LRU cache. | This session is being continued")
    assert said[3:] == ["Rename fetchUser to fetch_user", "Renamed."]
    assert not any(r.get("subtype") == "compact_boundary" for r in records)


def test_a_rewind_to_the_first_prompt_is_a_second_root_and_leaves_the_first_attempt_out() -> None:
    s = Session()
    s.user("Rename fetchUser to fetch_user")  # the first prompt has no parent
    s.say("Renamed.")
    s.user("Leave the names alone; add type hints", parent=None)
    s.say("Added type hints.")

    records, notes = threaded(s)

    assert texts(records) == ["REWIND: Rename fetchUser to fetch_user | Renamed.", "Leave the names alone; add type hints", "Added type hints."]
    assert len(notes) == 1 and "rewound once" in notes[0]


def test_a_rewind_to_the_first_prompt_of_a_resumed_file_shares_its_missing_parent() -> None:
    """Both prompts point to the same record of the session's earlier file: they are siblings, not one after the other."""
    earlier = "6a7b8c9d-0000-4000-8000-0123456789ab"
    s = Session()
    s.user("Now cache fetchUser", parent=earlier)
    s.say("Cached.")
    s.user("Now add type hints instead", parent=earlier)
    s.say("Added.")

    records, notes = threaded(s)

    assert texts(records) == ["REWIND: Now cache fetchUser | Cached.", "Now add type hints instead", "Added."]
    assert not any("not in the file" in note for note in notes)


def test_branches_without_a_typed_prompt_stay_where_they_stand() -> None:
    """Progress records, a retried reply and the result of one of two parallel calls fork the chain too: they are not rewinds."""
    s = Session()
    s.user("Run the tests and the linter")
    first = s.tool_use("Bash", command="pytest -q")
    first_call = s.last_uuid
    second = s.tool_use("Bash", command="ruff check .")
    s.progress(first)
    s.tool_result(first, "3 passed", parent=first_call)  # Claude Code hangs each parallel result off its own call
    s.tool_result(second, "All checks passed!")
    asked = s.last_uuid
    s.say("API Error: 529 overloaded", isApiErrorMessage=True)
    s.say("Both pass.", parent=asked)

    records, notes = threaded(s)

    assert records == s.records
    assert notes == []


def test_a_typed_prompt_on_a_branch_where_the_line_goes_on_mid_turn_is_kept() -> None:
    """A prompt queued while the agent worked can hang off the chain; the user did not go back on anything."""
    s = Session()
    s.user("Run the tests")
    use = s.tool_use("Bash", command="pytest -q")
    call = s.last_uuid
    s.user("Also check the linter")  # typed while the tests ran
    s.tool_result(use, "3 passed", parent=call)
    s.say("The tests pass; now the linter.")

    records, notes = threaded(s)

    assert records == s.records and notes == []


def test_a_rewind_whose_new_prompt_comes_after_attachments_is_found() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user")
    s.say("Renamed.")
    attachment = s.add({**s._base("attachment", fork, False), "attachment": {"type": "ide_opened_file", "filename": "src/names.py"}})
    s.user("Add type hints", parent=attachment["uuid"])
    s.say("Added.")

    records, _notes = threaded(s)

    assert texts(records) == ["Look at src/names.py", "It defines fetchUser and saveUser.", "REWIND: Rename fetchUser to fetch_user | Renamed.",
                              "attachment", "Add type hints", "Added."]


def test_an_older_compaction_that_names_no_record_before_it_goes_on_from_the_file_order() -> None:
    s = Session(version="1.0.24")
    fork = opening(s)
    s.user("Add a cache to fetchUser")
    s.say("Added an LRU cache.")
    s.user("This session is being continued from a previous conversation that ran out of context. The cache was added.", parent=None)
    s.say("Continuing.")
    s.user("Rename fetchUser to fetch_user", parent=fork)
    s.say("Renamed.")

    records, notes = threaded(s)

    assert texts(records)[2].startswith("REWIND: Add a cache to fetchUser | Added an LRU cache. | This session is being continued")
    assert len(notes) == 1 and notes[0].startswith("followed the conversation to where it finally stood")


def test_a_snapshot_of_an_abandoned_prompt_goes_with_it() -> None:
    s = Session()
    fork = opening(s)
    abandoned = s.user("Rename fetchUser to fetch_user")
    s.snapshot(abandoned["uuid"])
    s.say("Renamed.")
    kept = s.user("Add type hints", parent=fork)
    s.snapshot(kept["uuid"])

    records, _notes = threaded(s)

    assert [r["messageId"] for r in records if r["type"] == "file-history-snapshot"] == [kept["uuid"]]


def test_sidechain_records_are_kept_in_place_and_never_the_final_leaf() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user")
    s.say("Renamed.")
    s.user("Add type hints", parent=fork)
    use = s.tool_use("Task", description="Check callers", prompt="Find the callers of fetchUser")
    task_call = s.last_uuid
    s.user("Find the callers of fetchUser", parent=None, sidechain=True)
    s.say("Two callers.", sidechain=True)
    s.tool_result(use, "Two callers: api.py, cli.py", parent=task_call)
    s.say("Two callers found.", sidechain=True)  # a subagent's record last in the file

    records, _notes = threaded(s)

    said = texts(records)
    assert said[2] == "REWIND: Rename fetchUser to fetch_user | Renamed."
    assert said[3:] == ["Add type hints", "Task", "Find the callers of fetchUser", "Two callers.",
                        "result: Two callers: api.py, cli.py", "Two callers found."]


# ---------------------------------------------------------------- damaged transcripts


def test_records_without_uuids_are_kept_in_file_order_with_a_note() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user")
    s.say("Renamed.")
    s.user("Add type hints", parent=fork)
    for record in s.records:
        del record["uuid"], record["parentUuid"]

    records, notes = threaded(s)

    assert records == s.records
    assert notes == ["5 message(s) carry no uuid (an old or damaged transcript): kept in file order, so a rewind among them cannot be told apart"]


def test_a_link_to_a_record_never_written_is_bridged_to_the_record_before() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user")
    s.say("Renamed.")
    s.user("Add type hints", parent=fork)
    s.say("Added.")
    s.user("Now run the tests")
    s.records[-1]["parentUuid"] = "0badf00d-0000-4000-8000-000000000000"  # Claude Code lost the record before it
    s.say("They pass.")

    records, notes = threaded(s)

    assert texts(records) == ["Look at src/names.py", "It defines fetchUser and saveUser.", "REWIND: Rename fetchUser to fetch_user | Renamed.",
                              "Add type hints", "Added.", "Now run the tests", "They pass."]
    assert "1 record(s) point to a parent that is not in the file's main chain (one Claude Code did not write): each is joined to the record before it in the file" in notes


def test_a_chain_broken_near_its_end_still_keeps_everything_and_finds_the_rewind() -> None:
    """Real sessions lose most of their chain this way: only the last few records reach the leaf through the links."""
    s = Session()
    fork = opening(s)
    s.user("Rename fetchUser to fetch_user")
    s.say("Renamed.")
    s.user("Add type hints", parent=fork)
    for n in range(30):
        s.say(f"Step {n}.")
    s.records[-2]["parentUuid"] = None  # a second root, near the end: the leaf's own chain covers two records
    s.records[-2].pop("logicalParentUuid", None)

    records, notes = threaded(s)

    said = texts(records)
    assert said[2] == "REWIND: Rename fetchUser to fetch_user | Renamed."
    assert len(records) == len(s.records) - 1  # the two abandoned records out, one rewind record in
    assert "the file holds 2 separate chains of the same session: each followed on its own, kept in file order" in notes


def test_a_resumed_session_pointing_into_another_file_is_no_broken_chain() -> None:
    s = Session()
    s.user("Continue with the cache", parent="6a7b8c9d-0000-4000-8000-0123456789ab")
    s.say("Picking up the cache work.")

    records, notes = threaded(s)

    assert records == s.records and notes == []


@pytest.mark.parametrize("shape", ["loop", "self"])
def test_a_cycle_of_links_never_hangs_and_loses_nothing(shape: str) -> None:
    s = Session()
    opening(s)
    s.user("Add type hints")
    s.say("Added.")
    if shape == "loop":
        s.records[0]["parentUuid"] = s.records[3]["uuid"]  # the first record's parent is the last: a loop of four
    else:
        s.records[2]["parentUuid"] = s.records[2]["uuid"]

    notes: list[str] = []
    started = time.monotonic()
    records, counts = thread_with_counts(s.records, notes, is_prompt=typed)

    assert time.monotonic() - started < 1
    assert records == s.records
    assert counts.on_line + counts.side_branches + counts.unlinked == len(s.records)
    if shape == "loop":
        assert notes == ["the records' parent links form 1 cycle(s): cut where each closes"]


def test_an_exact_copy_of_a_record_is_kept_once_and_other_content_under_the_same_uuid_kept_in_place() -> None:
    s = Session()
    opening(s)
    s.user("Add type hints")
    s.add(json.loads(json.dumps(s.records[2])))  # the same record written twice
    s.add({**s.records[1], "message": {**s.records[1]["message"], "content": [text_block("Another reply.")]}})

    records, notes = threaded(s)

    assert texts(records) == ["Look at src/names.py", "It defines fetchUser and saveUser.", "Add type hints", "Another reply."]
    assert "left out 1 exact copy(ies) of an earlier record (the same uuid and content)" in notes
    assert "1 record(s) reuse an earlier record's uuid with other content: kept in file order, outside the chain" in notes


def test_twenty_thousand_records_thread_quickly_without_recursion() -> None:
    s = Session()
    fork = opening(s)
    s.user("Rewound away")
    s.say("Gone.")
    s.user("Process every file", parent=fork)
    while len(s.records) < 20_000:
        use = s.tool_use("Read", file_path=f"src/f{len(s.records)}.py")
        s.tool_result(use, "x = 1")

    started = time.monotonic()
    records, counts = thread_with_counts(s.records, [], is_prompt=typed)

    assert time.monotonic() - started < 5  # linear: well under a second on a laptop
    assert counts.on_line == len(s.records) - 2 and counts.abandoned == 2 and counts.rewinds == 1
    assert len(records) == len(s.records) - 1
    started = time.monotonic()
    assert len(split_sessions(s.records)) == 1
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------- the corpus


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_corpus_transcripts_keep_every_prompt_of_the_final_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus_file(name)
    records = read_records(path, [])
    notes: list[str] = []
    result, counts = thread_with_counts(records, notes, is_prompt=typed)

    kept = {id(r) for r in result}
    abandoned = {id(a) for r in result if r["type"] == REWIND for a in r["abandoned"]}
    final_line = _naive_final_line(records)
    assert all(id(r) in kept for r in final_line if typed(r))
    left_out = [r for r in records if id(r) not in kept]
    assert all(id(r) in abandoned or r["type"] in ("progress", "system", "attachment", "file-history-snapshot") for r in left_out)
    assert len(result) - counts.rewinds == counts.on_line + counts.side_branches + counts.unlinked
    with capsys.disabled():
        print(f"\n{name}: {len(records)} records, {counts.threaded} threaded ({counts.on_line} on the final line, "
              f"{counts.abandoned} rewound), {counts.in_file_order} in file order ({counts.side_branches} on side branches, "
              f"{counts.unlinked} outside the chain); notes: {notes}")


def _naive_final_line(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records from the last main-chain message back through the links that resolve (the test's own walk)."""
    by_uuid: dict[str, dict[str, Any]] = {}
    for record in records:
        if isinstance(record.get("uuid"), str) and not record.get("isSidechain"):
            by_uuid.setdefault(record["uuid"], record)
    leaf = next(r for r in reversed(records) if r.get("type") in ("user", "assistant") and not r.get("isSidechain") and "uuid" in r)
    line, seen = [leaf], {id(leaf)}
    while True:
        parent = line[-1].get("parentUuid") or line[-1].get("logicalParentUuid")
        up = by_uuid.get(parent) if isinstance(parent, str) else None
        if up is None or id(up) in seen:
            return line
        seen.add(id(up))
        line.append(up)


# ---------------------------------------------------------------- sessions in one file


def two_sessions(tmp_path: Path) -> Path:
    first = Session()
    first.user("Fix the failing test in test_cart.py")
    first.say("Fixed.")
    second = Session(session_id=OTHER_ID, start="2026-03-03T10:00:00")
    second.title("ai-title", "Add a coupon field")
    second.user("Add a coupon field to the checkout form")
    use = second.tool_use("Bash", command="npm test")
    second.tool_result(use, "Exit code 1\nFAIL checkout.test.js", is_error=True)
    second.say("The test fails; fixing it.")
    path = tmp_path / "both.jsonl"
    path.write_text("\n".join(first.lines() + second.lines()) + "\n", encoding="utf-8")
    return path


def test_two_concatenated_sessions_are_two_parts(tmp_path: Path) -> None:
    records = read_records(two_sessions(tmp_path), [])

    parts = split_sessions(records)

    assert [(p.session_id, p.first_prompt, p.prompts, p.messages) for p in parts] == [
        (Session.session_id, "Fix the failing test in test_cart.py", 1, 2),
        (OTHER_ID, "Add a coupon field to the checkout form", 1, 4),
    ]
    assert [len(p.records) for p in parts] == [2, 5]  # the second session's title goes with it
    assert parts[1].records[0]["type"] == "ai-title"


def test_the_first_session_is_imported_by_default_with_a_note_naming_the_others(tmp_path: Path) -> None:
    parts = split_sessions(read_records(two_sessions(tmp_path), []))
    notes: list[str] = []

    assert choose_session(parts, None, notes) is parts[0]
    assert notes == [
        'the file holds 2 sessions (1: 5f0c2a9e, "Fix the failing test in test_cart.py", 1 prompt(s), 2 message(s); '
        '2: 9b1e7c44, "Add a coupon field to the checkout form", 1 prompt(s), 4 message(s)); imported the first; '
        "`--session 2` imports the second (a number from 1 to 2, or the start of a session id)"
    ]


@pytest.mark.parametrize("choice", ["2", "9b1e", "9B1E7C44-2f60"])
def test_a_session_is_chosen_by_number_or_by_the_start_of_its_id(tmp_path: Path, choice: str) -> None:
    parts = split_sessions(read_records(two_sessions(tmp_path), []))
    notes: list[str] = []

    assert choose_session(parts, choice, notes) is parts[1]
    assert notes == ['imported session 2 of the 2 in the file (2: 9b1e7c44, "Add a coupon field to the checkout form", 1 prompt(s), 4 message(s))']


@pytest.mark.parametrize(("choice", "error"), [
    ("3", "--session 3: the file holds 2 sessions; give a number from 1 to 2, or the start of a session id"),
    ("0", "--session 0: the file holds 2 sessions; give a number from 1 to 2, or the start of a session id"),
    ("abc", "--session abc: no session of the file has an id starting so (its sessions: 5f0c2a9e, 9b1e7c44)"),
    ("\x1b[31mred", "--session �red: no session of the file has an id starting so (its sessions: 5f0c2a9e, 9b1e7c44)"),
])
def test_a_session_that_is_not_in_the_file_is_one_clear_line(tmp_path: Path, choice: str, error: str) -> None:
    parts = split_sessions(read_records(two_sessions(tmp_path), []))

    with pytest.raises(ClaudeCodeImportError) as raised:
        choose_session(parts, choice, [])

    assert str(raised.value) == error


def test_a_single_session_is_one_part_without_a_note() -> None:
    s = Session()
    s.command("/init", expansion="Please analyze this codebase and create a CLAUDE.md file")
    s.say("Created CLAUDE.md.")
    notes: list[str] = []

    parts = split_sessions(s.records)

    assert len(parts) == 1 and parts[0].first_prompt == "/init" and parts[0].records == s.records
    assert choose_session(parts, None, notes) is parts[0] and notes == []


def test_a_resumed_session_whose_first_records_carry_the_older_id_is_one_part() -> None:
    older = Session()
    older.user("Add a cache to fetchUser")
    older.say("Added.")
    resumed = Session(session_id=OTHER_ID)
    for record in older.records:  # Claude Code copied the older session's records; the new ones chain into them
        resumed.add(dict(record))
    resumed.user("Make its size configurable")
    resumed.say("It reads CACHE_SIZE.")

    parts = split_sessions(resumed.records)

    assert len(parts) == 1
    assert parts[0].session_id == OTHER_ID and parts[0].prompts == 2 and parts[0].first_prompt == "Add a cache to fetchUser"
    notes: list[str] = []
    assert thread(resumed.records, notes, is_prompt=typed) == resumed.records and notes == []


def test_a_session_continued_from_a_compaction_under_a_new_id_is_one_part() -> None:
    s = Session()
    s.user("Add a cache to fetchUser")
    s.say("Added.")
    continued = Session(session_id=OTHER_ID, start="2026-03-02T11:00:00")
    continued.compact("The user asked for a cache on fetchUser.")
    continued.records[0]["logicalParentUuid"] = None  # older versions named no record before the summary
    continued.say("Continuing.")

    parts = split_sessions(s.records + continued.records)

    assert len(parts) == 1 and parts[0].prompts == 1


def test_a_part_where_nobody_typed_anything_goes_with_the_next_session() -> None:
    stray = Session()
    stray.say("Resuming.")
    s = Session(session_id=OTHER_ID)
    s.user("Add a coupon field")
    s.say("Added.")

    parts = split_sessions(stray.records + s.records)

    assert len(parts) == 1 and parts[0].session_id == OTHER_ID and len(parts[0].records) == 3


def test_records_without_a_session_id_never_start_a_session() -> None:
    s = Session()
    s.user("Fix the failing test")
    s.say("Fixed.")
    s.user("Now run the whole suite")
    s.say("3 passed.")
    for record in s.records:
        del record["sessionId"], record["uuid"], record["parentUuid"]

    parts = split_sessions(s.records)

    assert len(parts) == 1 and parts[0].records == s.records and parts[0].prompts == 2


def test_a_hostile_first_prompt_is_one_plain_capped_line() -> None:
    s = Session(session_id="\x1b[2J\x1b]0;pwned\x07")
    s.user("\x1b]52;c;ZXZpbA==\x07Fix\nthe\u202e test " + "x" * 500)

    part: SessionPart = split_sessions(s.records)[0]

    assert "\x1b" not in part.first_prompt and "\n" not in part.first_prompt and "\u202e" not in part.first_prompt
    assert len(part.first_prompt) <= 60 and part.first_prompt.endswith("…")
    assert "\x1b" not in part.describe(1) and "\x07" not in part.describe(1)


def test_the_cli_imports_the_session_asked_for(tmp_path: Path) -> None:
    source = two_sessions(tmp_path)
    out = tmp_path / "lesson"

    result = CliRunner().invoke(cli, ["import", "claude-code", str(source), "--out", str(out), "--session", "2"])

    assert result.exit_code == 0, result.output
    lesson = json.loads((out / "lesson.json").read_text(encoding="utf-8"))
    goal = next(step for step in lesson["steps"] if step["kind"] == "goal")
    assert "coupon field" in goal["text"]
    assert "imported session 2 of the 2 in the file" in result.output

    refused = CliRunner().invoke(cli, ["import", "claude-code", str(source), "--out", str(tmp_path / "other"), "--session", "7"])
    assert refused.exit_code != 0
    assert "--session 7: the file holds 2 sessions; give a number from 1 to 2, or the start of a session id" in refused.output
