"""Recording in a real terminal: `tutor record` against the fake Messages API, driven key by key in tmux.

A senior runs one call, corrects the next (category, words, why), annotates the fix and
marks a question on it, lets it run, and saves with ctrl+q then y. The lesson written
validates, replays in `tutor learn`, and holds the correction, the real output and the
snapshots; the user's repository is byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.fake_messages_api import ToolUse, text_reply, tool_reply
from tests.helpers.live_support import fingerprint
from tests.helpers.pair_e2e import FIX, GOAL, RUN_TEST, only_session, printed
from tests.helpers.tmux_driver import Tmux, flat

pytestmark = pytest.mark.e2e

GUT_TEST = ToolUse("toolu_gut", "write_file", {"path": "test_app.py", "content": "print('ok')\n"})
CORRECTION = "Leave the test alone; fix add in app.py."
WHY = "The test encodes the requirement."
NOTE = "One character: the smallest fix."
KEY_POINT = "fix app.py not the test"


def test_record_run_correct_annotate_mark_and_save(tmux: Tmux, keyed_env: dict[str, str], api, repo: Path, tmp_path: Path, tutor_home: Path, run_tutor) -> None:  # noqa: ANN001, F811
    before = fingerprint(repo)
    out = tmp_path / "fix-add-lesson"
    api.enqueue(
        tool_reply("Running the test first.", RUN_TEST),
        tool_reply("It fails; I'll make it pass.", GUT_TEST),
        tool_reply("Fixing the sign in add.", FIX),
        text_reply("Done: add adds."),
    )
    tmux.start("record", "--repo", str(repo), "--task", "add() is broken", "--out", str(out), width=160, height=50)
    tmux.wait_for("Record mode", "ctrl+s: start the agent with this goal")
    tmux.type(GOAL)
    tmux.submit("◆ run  proposed", where="screen")
    tmux.wait_for("$ python3 test_app.py", "At the gate:")
    tmux.press("r")
    tmux.wait_for("◆ write_file  proposed", "add is broken")  # the real output of the real run, then the next proposal

    tmux.press("c")
    tmux.wait_for("What kind of correction? Press its key")
    tmux.press("t")
    tmux.wait_for("Correcting: test", "Your words to the agent · tab: why")
    tmux.type(CORRECTION)
    tmux.press("Tab")
    tmux.wait_for("Why, for learners")  # the hint follows the keyboard: the why field has it
    tmux.type(WHY)
    tmux.submit("◆ edit_file  proposed", where="screen")

    tmux.press("a")
    tmux.wait_for("Annotating the agent's proposal")
    tmux.type(NOTE)
    tmux.submit("✎ Your annotation", where="screen")
    tmux.press("m")
    tmux.wait_for("Which question for learners, here?", "intervene")
    tmux.press("i")
    tmux.wait_for("Intervene question", "The agent is about to do this. Would you let it?")
    tmux.press("Tab")
    tmux.wait_for("Key points, one per line")
    tmux.type(KEY_POINT)
    tmux.submit("? Learners are asked (intervene)", where="screen")
    tmux.press("r")
    tmux.wait_for("Done: add adds.", "The agent is waiting for you")

    tmux.press("C-q")
    tmux.wait_for("Save this recording as a lesson?", "1 question(s) marked")
    tmux.press("y")
    assert tmux.wait_dead(timeout=30) == 0
    shown = flat(printed(tmux))
    assert f"Saved the lesson {out}" in shown and "1 question for learners" in shown

    assert fingerprint(repo) == before, "the user's repository changed"
    checked = run_tutor("validate", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lesson = json.loads((out / "lesson.json").read_text())
    assert lesson["origin"] == "recorded"
    steps = {step["id"]: step for step in lesson["steps"]}
    assert "add is broken" in steps["result-1"]["output"] and steps["result-1"]["ok"] is False
    assert steps["correction-1"]["category"] == "test" and steps["correction-1"]["why"] == WHY
    assert steps["agent-3"]["annotation"] == NOTE
    assert steps["result-2"]["ask"]["key_points"] == [KEY_POINT] and "commit" in steps["result-2"], steps["result-2"]["ask"]
    session_id = only_session(tutor_home)
    journal = (tutor_home / "sessions" / session_id / "journal.jsonl").read_text()
    assert json.loads(journal.splitlines()[-1])["kind"] == "saved"

    # It replays: the learner's first question is the task and the goal, then the senior's steps.
    tmux.start("learn", str(out), width=160, height=50)
    tmux.wait_for("add() is broken")
    tmux.press("q")
    tmux.wait_dead()
