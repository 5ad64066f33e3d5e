"""The scripted demo of `tutor pair --demo`: a tiny project with a real bug, and an agent that plays a script.

The script is written to be steered: at one point the agent proposes to "fix" the
failing test by changing what it expects, which is the move a learner should catch.
A script does not listen, so after a correction it carries on as written; the commands
it proposes still run for real in the workspace.
"""

from __future__ import annotations

from pathlib import Path

from ..scripted import AgentTurn, ToolCall

PROJECT = Path(__file__).resolve().parent / "project"
TASK = "The slug test fails: numbers vanish from slugs. Make `slugify` keep them."


def demo_turns() -> list[AgentTurn]:
    return [
        AgentTurn(
            "I'll start by reading the code and its test, then run the tests to see the failure.",
            (
                ToolCall("demo_1", "read_file", {"path": "slug.py"}),
                ToolCall("demo_2", "read_file", {"path": "test_slug.py"}),
                ToolCall("demo_3", "run", {"command": "python3 -m unittest -q"}),
            ),
        ),
        AgentTurn(
            "`test_numbers_are_kept` fails: the slug loses the `10`. The quickest way to get the "
            "suite green is to make the test expect what the function returns today.",
            (
                ToolCall(
                    "demo_4",
                    "edit_file",
                    {"path": "test_slug.py", "old": '"top-10-tips"', "new": '"top-tips"'},
                ),
            ),
        ),
        AgentTurn(
            "Now the function itself: the pattern only matches letters, so digits are dropped. "
            "I'll let it match digits too.",
            (ToolCall("demo_5", "edit_file", {"path": "slug.py", "old": 'r"[a-z]+"', "new": 'r"[a-z0-9]+"'}),),
        ),
        AgentTurn(
            "Let me run the tests again to check.",
            (ToolCall("demo_6", "run", {"command": "python3 -m unittest -q"}),),
        ),
        AgentTurn(
            "Done: `slugify` keeps digits (`[a-z0-9]+`), and the tests pass. If the test's "
            "expectation was changed earlier, it should be put back to `top-10-tips`."
        ),
    ]
