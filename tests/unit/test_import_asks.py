"""Placing asks on an imported session (issue 17, items 3 and 5): balanced outcome asks, intervene asks at the senior's steering."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.claude_code_corpus import TRANSCRIPTS, corpus_file
from tests.helpers.claude_code_format import Session
from tutor.lesson import FORMAT, Category
from tutor.lesson.prompts import GOAL_PROMPT, INTERVENE_PROMPT
from tutor.lesson.validate import check_lesson_data
from tutor.record.claude_code import import_claude_code
from tutor.record.claude_code.asks import balanced, guess_category, key_points, place_asks
from tutor.record.claude_code.commands import changes_things, is_check

CATEGORIES = {c.value for c in Category}


# ---------------------------------------------------------------- drafts shaped like real imports


class Draft:
    """Steps as the importer hands them over: ids set, the goal with its goal ask, calls numbered across the session."""

    def __init__(self, goal: str = "Fix the failing cart total test") -> None:
        self.steps: list[dict[str, Any]] = [
            {"id": "goal", "kind": "goal", "text": goal, "ask": {"type": "goal", "prompt": GOAL_PROMPT, "rubric": ["bounds the scope"]}}
        ]
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-{self._n}"

    def agent(self, *calls: tuple[str, dict[str, Any]], text: str = "", hidden: bool = False) -> list[str]:
        ids = [self._id("call") for _ in calls]
        step: dict[str, Any] = {"id": self._id("agent"), "kind": "agent", "text": text,
                                "calls": [{"id": i, "tool": tool, "input": data} for i, (tool, data) in zip(ids, calls, strict=True)]}
        if hidden:
            step["hidden"] = True
        self.steps.append(step)
        return ids

    def run(self, command: str, ok: bool, output: str = "", hidden: bool = False) -> dict[str, Any]:
        (call,) = self.agent(("run", {"command": command}), hidden=hidden)
        return self.result(call, ok, output, hidden=hidden)

    def result(self, call: str, ok: bool, output: str = "", hidden: bool = False) -> dict[str, Any]:
        step: dict[str, Any] = {"id": self._id("result"), "kind": "result", "call": call, "ok": ok,
                                "exit_code": 0 if ok else 1, "output": output}
        if hidden:
            step["hidden"] = True
        self.steps.append(step)
        return step

    def correction(self, text: str, category: str = "approach") -> dict[str, Any]:
        step = {"id": self._id("correction"), "kind": "correction", "category": category, "text": text, "why": ""}
        self.steps.append(step)
        return step

    def prompt(self, text: str) -> dict[str, Any]:
        step = {"id": self._id("prompt"), "kind": "prompt", "text": text}
        self.steps.append(step)
        return step

    def note(self, text: str) -> dict[str, Any]:
        step = {"id": self._id("note"), "kind": "note", "text": text}
        self.steps.append(step)
        return step

    def lesson(self) -> dict[str, Any]:
        return {"format": FORMAT, "id": "imported", "title": "An imported session", "origin": "imported",
                "task": "A Claude Code session.", "steps": self.steps}


def placed(draft: Draft) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    place_asks(draft.steps, notes)
    lesson, problems = check_lesson_data(draft.lesson(), "lesson.json")
    assert problems == [] and lesson is not None
    return draft.steps, notes


def asked(steps: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [s for s in steps if isinstance(s.get("ask"), dict) and s["ask"]["type"] == kind]


def outcome_share(steps: list[dict[str, Any]]) -> tuple[int, int]:
    outcomes = asked(steps, "outcome")
    return sum(not s["ok"] for s in outcomes), sum(s["ok"] for s in outcomes)


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize("command", [
    "pytest -q", "python -m pytest tests/unit", "uv run pytest -x", "npm test", "npm run test:unit", "yarn lint",
    "pnpm build", "cargo test --all", "go vet ./...", "mix test --seed 0 2>&1 | tail -30", "make", "tsc --noEmit",
    "ruff check .", "FOO=1 timeout 120 npx jest src/", "cd app && ./gradlew test", "mypy tutor | head -20",
])
def test_checks_are_read_from_the_program_and_its_subcommand(command: str) -> None:
    assert is_check(command)


@pytest.mark.parametrize("command", [
    "cat > tests/test_cart.py <<'EOF'\nimport pytest\n\ndef test_total():\n    assert total() == 3\nEOF",
    'git commit -m "fix the failing tests and the build"',
    'echo "run pytest and npm test before merging"',
    "python - <<EOF\nimport subprocess; subprocess.run(['pytest'])\nEOF",
    "grep -rn 'pytest' .",
    "ls tests/",
    "npm install",
    'gh pr create --title "make tests pass"',
    'ls "unclosed pytest',
])
def test_words_inside_heredocs_strings_and_echoes_are_not_a_check(command: str) -> None:
    assert not is_check(command)


@pytest.mark.parametrize(("command", "changes"), [
    ("git commit -am 'wip'", True), ("rm -rf build", True), ("npm install left-pad", True), ("sed -i 's/a/b/' x.py", True),
    ("echo hi > notes.txt", True), ("cat > x.py <<'EOF'\nprint(1)\nEOF", True), ("ruff format .", True),
    ("git status", False), ("git diff HEAD~1", False), ("ls -la > /dev/null 2>&1", False), ("pytest -q", False),
    ("sed -n 1,20p x.py", False), ("cat x.py | head", False),
])
def test_consequential_commands(command: str, changes: bool) -> None:
    assert changes_things(command) is changes


# ---------------------------------------------------------------- categories


@pytest.mark.parametrize(("words", "category"), [
    ("don't touch the other files, only the cart module", "scope"),
    ("run the tests first and show me the output", "verify"),
    ("you deleted the failing test instead of fixing the code; add a unit test for the empty cart", "test"),
    ("make sure it works before you commit: reproduce the bug", "verify"),
    ("stop and revert that change", "stop"),
    ("never put the API token in the .env you commit, that's a secret", "safety"),
    ("that flag doesn't exist in this version of the CLI", "fact"),
    ("this is wrong: the total is off by one for an empty cart", "correctness"),
    ("use a dataclass instead of a dict here, a better way to model it", "approach"),
    ("keep the name of the py file but change the pyproject script name", "style"),
    ("that's not what I asked, I want the discount applied per item", "goal"),
])
def test_guess_category_from_the_seniors_words(words: str, category: str) -> None:
    guess, accept = guess_category(words)
    assert guess == category
    assert guess not in accept and set(accept) <= CATEGORIES and len(accept) == len(set(accept))


def test_words_that_say_nothing_accept_every_category() -> None:
    for words in ("", "   ", "hmm", "No."):
        guess, accept = guess_category(words)
        assert {guess, *accept} == CATEGORIES


def test_the_guess_accepts_every_category_the_words_also_point_to() -> None:
    guess, accept = guess_category("stop: you are about to delete the production database")
    assert guess == "safety" and "stop" in accept


@given(st.text(max_size=300))
def test_guess_category_is_total_and_closed(words: str) -> None:
    guess, accept = guess_category(words)
    assert guess in CATEGORIES and guess not in accept and set(accept) <= CATEGORIES
    assert guess_category(words) == (guess, accept)


# ---------------------------------------------------------------- key points


def test_key_points_are_the_seniors_own_phrases() -> None:
    words = ("No, keep the name of the py file but change the pyproject script. Also don't add a new dependency;\n"
             "```toml\n[project.scripts]\nshop = 'shop.cli:main'\n```\nthanks")
    points = key_points(words)
    assert points == ["keep the name of the py file but change the pyproject script.", "Also don't add a new dependency"]


@given(st.text(max_size=600))
def test_key_points_never_invent_words(words: str) -> None:
    points = key_points(words)
    assert len(points) <= 4
    for point in points:
        assert point.strip() and point.removesuffix("…") and len(point) <= 161
        for part in point.removesuffix("…").split():
            assert part in words


# ---------------------------------------------------------------- placing on drafts


def steering_session() -> Draft:
    draft = Draft()
    draft.note("The agent looked around (3 read-only calls).")
    draft.run("pytest -q tests/test_cart.py", ok=False, output="FAILED test_total")
    draft.agent(("edit_file", {"path": "cart.py", "old": "a", "new": "b"}), text="I'll fix the rounding.")
    draft.correction("Don't touch cart.py, only the test fixture is wrong. Change conftest.py instead.")
    draft.agent(("edit_file", {"path": "conftest.py", "old": "1", "new": "2"}))
    draft.correction("", category="stop")  # a bare rejection: no words
    draft.prompt("Use the fixture in tests/conftest.py.")
    for n in range(6):
        draft.run(f"pytest -q -k case{n}", ok=n % 2 == 0)
        draft.run("git status", ok=True)
    (call,) = draft.agent(("run", {"command": "git commit -am 'fix fixture'"}))
    draft.result(call, ok=True)
    draft.run("npm run lint", ok=False)
    draft.correction("run the linter on the whole repo, not just one file")
    return draft


def test_every_correction_after_an_agent_step_is_an_intervene_ask_in_the_seniors_words() -> None:
    steps, notes = placed(steering_session())
    corrections = [s for s in steps if s["kind"] == "correction"]
    assert all(s["ask"]["type"] == "intervene" and s["ask"]["prompt"] == INTERVENE_PROMPT for s in corrections[:2])
    first, bare, after_result = corrections
    assert first["ask"]["key_points"] == ["Don't touch cart.py, only the test fixture is wrong.", "Change conftest.py instead."]
    assert bare["ask"]["key_points"] == [] and {a["category"] for a in bare["ask"]["accept"]} == CATEGORIES - {"stop"}
    assert "ask" not in after_result  # it follows a result, not the agent's proposal: no intervene ask can stand there
    assert len(notes) == 1 and "2 intervene ask(s) where the senior stepped in" in notes[0]


def test_a_guessed_category_accepts_the_near_ones_with_the_same_key_points() -> None:
    draft = Draft()
    draft.agent(("edit_file", {"path": "cart.py", "old": "a", "new": "b"}))
    guess, near = guess_category("don't touch cart.py, only the test fixture")
    step = draft.correction("don't touch cart.py, only the test fixture", category=guess)
    placed(draft)
    accept = step["ask"]["accept"]
    assert {a["category"] for a in accept} == set(near) and all(a["intervene"] is True for a in accept)
    assert all(a["key_points"] == step["ask"]["key_points"] and a["why"] for a in accept)


def test_outcome_asks_are_balanced_and_prefer_the_moments_that_teach() -> None:
    draft = Draft()
    for n in range(40):
        draft.run(f"ls dir{n}", ok=True)
    failing = [draft.run("cargo build", ok=False), draft.run("pytest -q", ok=False), draft.run("./deploy.sh", ok=False)]
    steered = draft.run("pytest -q -k total", ok=True)
    draft.prompt("Good, now the discount.")
    steps, _ = placed(draft)
    failed, passed = outcome_share(steps)
    assert failed == 3 and 3 <= passed <= 5  # 35-65% failing, never all "it works"
    assert all("ask" in s for s in failing) and steered["ask"]["type"] == "outcome"


def test_a_retry_that_ends_as_the_try_before_it_is_asked_last() -> None:
    draft = Draft()
    retries = [draft.run("git commit -m 'feat: x'", ok=False) for _ in range(4)]
    distinct = [draft.run(f"./check{n}.sh", ok=False) for n in range(3)]
    for n in range(40):
        draft.run(f"pytest -k case{n}", ok=True)
    placed(draft)
    def outcome(step: dict[str, Any]) -> bool:
        return step.get("ask", {}).get("type") == "outcome"
    assert outcome(retries[0]) and all(outcome(step) for step in distinct)
    assert sum(map(outcome, retries)) < len(retries)


def test_outcome_asks_are_capped_and_spread_over_a_long_session() -> None:
    draft = Draft()
    for n in range(400):
        draft.run(f"pytest -q -k case{n}", ok=n % 3 != 0)
    steps, _ = placed(draft)
    outcomes = asked(steps, "outcome")
    assert len(outcomes) == 15
    positions = [steps.index(s) for s in outcomes]
    assert positions[0] < len(steps) // 4 and positions[-1] > 3 * len(steps) // 4
    failed, _ = outcome_share(steps)
    assert 0.35 <= failed / 15 <= 0.65


def test_let_it_run_asks_balance_the_corrections() -> None:
    draft = Draft()
    for n in range(30):
        (call,) = draft.agent(("run", {"command": f"git commit -m 'step {n}'"}))
        draft.result(call, ok=True)
        draft.run(f"cat file{n}", ok=True)
    for _ in range(3):
        draft.agent(("write_file", {"path": "x.py", "content": "x"}))
        draft.correction("no, use the existing module")
    steps, _ = placed(draft)
    let_run = [s for s in asked(steps, "intervene") if s["kind"] == "result"]
    assert len(let_run) == 3
    assert all(s["ask"]["key_points"] == [] and "accept" not in s["ask"] for s in let_run)


def test_no_ask_on_hidden_steps_notes_or_steps_that_already_have_one() -> None:
    draft = Draft()
    hidden = [draft.run("pytest -q", ok=False, hidden=True) for _ in range(5)]
    draft.agent(("edit_file", {"path": "a.py", "old": "", "new": ""}), hidden=True)
    draft.correction("stop")
    draft.note("A subagent worked here.")
    chosen = draft.run("pytest", ok=True)
    chosen["ask"] = {"type": "choice", "prompt": "Which?", "options": ["a", "b"], "answer": 0}
    steps, _ = placed(draft)
    assert all("ask" not in s for s in hidden) and all("ask" not in s for s in steps if s["kind"] in ("note", "correction"))
    assert chosen["ask"]["type"] == "choice" and steps[0]["ask"]["type"] == "goal"


def test_placement_is_deterministic() -> None:
    first, second = steering_session(), steering_session()
    assert placed(first) == placed(second)


# ---------------------------------------------------------------- properties


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    draft = Draft()
    commands = st.sampled_from(["pytest -q", "npm test", "ls", "git commit -am x", "make", "python run.py", "cat <<'EOF'\npytest\nEOF"])
    for _ in range(draw(st.integers(1, 60))):
        move = draw(st.sampled_from(["run", "run", "run", "edit", "correct", "bare", "prompt", "note", "hidden", "two"]))
        if move == "run":
            draft.run(draw(commands), ok=draw(st.booleans()))
        elif move == "edit":
            draft.agent(("edit_file", {"path": "a.py", "old": "a", "new": "b"}))
            if draw(st.booleans()):
                draft.result(f"call-{draft._n - 1}", ok=draw(st.booleans()))
        elif move in ("correct", "bare"):
            if draw(st.booleans()):
                draft.agent(("write_file", {"path": "b.py", "content": ""}))
            draft.correction(draw(st.text(max_size=80)) if move == "correct" else "")
        elif move == "prompt":
            draft.prompt("and now the rest")
        elif move == "note":
            draft.note("a note")
        elif move == "hidden":
            draft.run(draw(commands), ok=draw(st.booleans()), hidden=True)
        else:
            calls = draft.agent(("run", {"command": "pytest"}), ("run", {"command": "rm -rf build"}))
            for call in calls:
                draft.result(call, ok=draw(st.booleans()))
    return draft


def shown_run_results(steps: list[dict[str, Any]]) -> tuple[int, int]:
    tools = {c["id"]: c["tool"] for s in steps if s["kind"] == "agent" for c in s.get("calls", [])}
    runs = [s for s in steps if s["kind"] == "result" and not s.get("hidden") and tools[s["call"]] == "run"]
    return sum(not s["ok"] for s in runs), sum(s["ok"] for s in runs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts())
def test_every_placed_ask_is_valid_balanced_and_every_correction_after_an_agent_step_is_asked(draft: Draft) -> None:
    before = copy.deepcopy(draft.steps)
    steps, notes = placed(draft)  # asserts check_lesson_data accepts the result
    assert len(notes) == 1
    failing, passing = shown_run_results(steps)
    failed, passed = outcome_share(steps)
    if failing >= 3 and passing >= 3:
        assert 0.35 <= failed / (failed + passed) <= 0.65
    if failing:
        assert failed >= 1  # never all "it works"
    assert failed + passed <= 15
    for index, step in enumerate(steps):
        if step["kind"] == "correction" and index and steps[index - 1]["kind"] == "agent" and not steps[index - 1].get("hidden"):
            assert step["ask"]["type"] == "intervene"
            words = " ".join(step["text"].split())
            assert all(" ".join(p.removesuffix("…").split()) in words for p in step["ask"]["key_points"])
        if step.get("hidden") or step["kind"] == "note":
            assert "ask" not in step
    # nothing but asks changed, and the goal keeps its own
    assert [{k: v for k, v in s.items() if k != "ask"} for s in steps] == [{k: v for k, v in s.items() if k != "ask"} for s in before]
    assert steps[0]["ask"] == before[0]["ask"]


@given(st.integers(0, 40), st.integers(0, 40), st.integers(2, 15))
def test_balanced_counts(failing: int, passing: int, budget: int) -> None:
    asked_failing, asked_passing = balanced(failing, passing, budget)
    assert asked_failing <= failing and asked_passing <= passing and asked_failing + asked_passing <= budget
    if failing >= 3 and passing >= 3:
        assert 0.35 <= asked_failing / (asked_failing + asked_passing) <= 0.65
    if failing:
        assert asked_failing >= 1


# ---------------------------------------------------------------- transcripts in the real format


def imported(session: Session, tmp_path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    result = import_claude_code(session.write(tmp_path / "session.jsonl"))
    lesson, problems = check_lesson_data(result.lesson_data, "lesson.json")
    assert problems == [] and lesson is not None
    return result.lesson_data["steps"], result.notes


def test_refusals_in_a_real_transcript_are_intervene_asks_in_the_seniors_words(tmp_path: Path) -> None:
    s = Session(version="2.1.20")
    s.user("Rename the CLI entry point to shop")
    use = s.tool_use("Write", file_path="/home/alice/projects/shop/shop_cli.py", content="def main(): ...\n", text="I'll add a new module.")
    s.reject(use, "No, keep the name of the py file but change the pyproject script. Don't add a module")
    use = s.tool_use("Edit", file_path="/home/alice/projects/shop/pyproject.toml", old_string="cli = ", new_string="shop = ")
    s.reject(use)  # a bare refusal: no words
    use = s.tool_use("Edit", file_path="/home/alice/projects/shop/pyproject.toml", old_string="cli = ", new_string="shop = ")
    s.tool_result(use, "The file pyproject.toml has been updated.")
    steps, notes = imported(s, tmp_path)
    corrections = [step for step in steps if step["kind"] == "correction"]
    assert len(corrections) == 2 and all(step["ask"]["type"] == "intervene" for step in corrections)
    worded, bare = corrections
    assert worded["ask"]["key_points"] == ["keep the name of the py file but change the pyproject script.", "Don't add a module"]
    assert bare["ask"]["key_points"] == [] and {a["category"] for a in bare["ask"]["accept"]} | {bare["category"]} == CATEGORIES
    assert any("2 intervene ask(s) where the senior stepped in" in note for note in notes)


def test_the_importers_sentences_for_a_step_in_without_words_are_no_key_points() -> None:
    from tutor.record.claude_code.steps import INTERRUPTED_WITHOUT_WORDS, REFUSED_WITHOUT_WORDS

    for text in (REFUSED_WITHOUT_WORDS, INTERRUPTED_WITHOUT_WORDS, "[Request interrupted by user for tool use]"):
        draft = Draft()
        draft.agent(("run", {"command": "rm -rf build"}))
        step = draft.correction(text, category=guess_category(text)[0])
        placed(draft)
        assert step["ask"]["key_points"] == [] and len(step["ask"]["accept"]) == len(CATEGORIES) - 1


def test_a_real_format_session_whose_failures_carry_no_exit_code_gets_balanced_asks(tmp_path: Path) -> None:
    s = Session(version="1.0.24")
    s.user("Make the cart tests pass")
    for n in range(12):
        use = s.tool_use("Bash", command=f"pytest -q tests/test_cart.py -k case{n}", text=f"Running case {n}.")
        # older Claude Code writes no `Exit code N`: only is_error says the command failed
        s.tool_result(use, "FAILED tests/test_cart.py::test_total" if n % 3 == 0 else "1 passed", is_error=n % 3 == 0)
        use = s.tool_use("Bash", command="cat > notes.md <<'EOF'\nrun pytest and make test\nEOF", text="Noting it down.")
        s.tool_result(use, "")
    steps, _ = imported(s, tmp_path)
    failed, passed = outcome_share(steps)
    assert failed >= 2 and 0.35 <= failed / (failed + passed) <= 0.65
    assert all("pytest" in step["ask"]["prompt"] for step in asked(steps, "outcome"))  # never the heredoc that mentions it


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_corpus_imports_get_valid_balanced_asks(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus_file(name)
    result = import_claude_code(path)
    steps = result.lesson_data["steps"]
    lesson, problems = check_lesson_data(result.lesson_data, name)
    assert problems == [] and lesson is not None
    failing, passing = shown_run_results(steps)
    failed, passed = outcome_share(steps)
    if failing >= 3 and passing >= 3:
        assert 0.35 <= failed / (failed + passed) <= 0.65
    if failing:
        assert failed >= 1
    placed_note = next(note for note in result.notes if note.startswith("placed "))
    with capsys.disabled():
        print(f"\n{name}: {failing} failing and {passing} passing run results; asked {failed} failing, {passed} passing; {placed_note}")
