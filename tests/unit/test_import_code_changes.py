"""An imported session's code changes: its Write/Edit/MultiEdit calls replayed into commits and a repo.bundle.

Each test replays `FileChange`s (as the import pipeline hands them over) and looks at
the result the way a learner or a reviewer would: `git log` and `git diff` on the
bundle, `tutor validate` on a lesson folder, the diff the lesson screen shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli
from tutor.lesson.io import save_lesson_folder
from tutor.lesson.validate import check_lesson_data
from tutor.record.claude_code.code_changes import (
    MAX_FILE_BYTES,
    CodeHistory,
    FileChange,
    clean_path,
    originals_from_backups,
    replay_changes,
)

CART_V1 = "def total(items):\n    return sum(items)\n"


def write(call_id: str, path: str, content: str, *, original: str | None = None, ok: bool = True) -> FileChange:
    return FileChange(call_id, path, "write", content, (), original, ok)


def edit(call_id: str, path: str, *edits: tuple[str, str] | tuple[str, str, bool], original: str | None = None, ok: bool = True) -> FileChange:
    full = tuple((e[0], e[1], bool(e[2]) if len(e) > 2 else False) for e in edits)
    return FileChange(call_id, path, "edit", None, full, original, ok)


def git(git_dir: Path, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_DIR": str(git_dir)})
    result = subprocess.run(["git", *args], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


_REPOSITORIES: dict[int, Path] = {}  # id(history) -> its chain unbundled, for git to read


def repository(history: CodeHistory) -> Path:
    """The history's whole chain (every commit named by a ref), unbundled into a bare repository git can read."""
    made = _REPOSITORIES.get(id(history))
    if made is None:
        folder = Path(tempfile.mkdtemp(prefix="chain-"))
        (folder / "all.bundle").write_bytes(history.chain.bundle({f"refs/chain/c{n}": c for n, c in enumerate(history.chain.ids)}))
        made = folder / "repo.git"
        git(made, "init", "--quiet", "--bare")
        git(made, "fetch", "--quiet", str(folder / "all.bundle"), "refs/*:refs/*")
        _REPOSITORIES[id(history)] = made
    return made


@pytest.fixture(autouse=True)
def _forget_repositories() -> Iterator[None]:
    yield
    for made in _REPOSITORIES.values():
        shutil.rmtree(made.parent, ignore_errors=True)
    _REPOSITORIES.clear()


def show(history: CodeHistory, commit: str, path: str) -> str:
    return git(repository(history), "show", f"{commit}:{path}")


def changed_lines(history: CodeHistory, before: str, after: str) -> list[str]:
    """The added and removed lines of the diff between two commits, without headers."""
    diff = git(repository(history), "diff", "--no-color", before, after)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def replay(tmp_path: Path, changes: list[FileChange]) -> tuple[CodeHistory | None, list[str]]:
    notes: list[str] = []
    return replay_changes(changes, notes), notes


# ---------------------------------------------------------------- replaying calls


def test_a_write_then_two_edits_give_three_commits_whose_diffs_are_the_edits(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [
        write("call-1", "shop/cart.py", CART_V1),
        edit("call-2", "shop/cart.py", ("sum(items)", "sum(items) * 2")),
        edit("call-3", "shop/cart.py", ("def total", "def grand_total")),
    ])
    assert history is not None and notes == []
    assert list(history.commits) == ["call-1", "call-2", "call-3"]
    log = git(repository(history), "log", "--format=%H %s", history.commits["call-3"]).splitlines()
    assert [line.split(" ", 1)[1] for line in log] == [
        "call-3: edit shop/cart.py", "call-2: edit shop/cart.py", "call-1: write shop/cart.py",
        "start: the files as the transcript first shows them",
    ]
    assert git(repository(history), "ls-tree", "-r", "--name-only", history.base) == ""  # nothing known before the Write
    assert changed_lines(history, history.base, history.commits["call-1"]) == ["+def total(items):", "+    return sum(items)"]
    assert changed_lines(history, history.commits["call-1"], history.commits["call-2"]) == ["-    return sum(items)", "+    return sum(items) * 2"]
    assert changed_lines(history, history.commits["call-2"], history.commits["call-3"]) == ["-def total(items):", "+def grand_total(items):"]


def test_an_edit_with_the_original_file_puts_the_original_in_the_base(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [edit("call-4", "cart.py", ("sum(items)", "sum(items, 0)"), original=CART_V1)])
    assert history is not None and notes == []
    assert show(history, history.base, "cart.py") == CART_V1
    assert changed_lines(history, history.base, history.commits["call-4"]) == ["-    return sum(items)", "+    return sum(items, 0)"]


def test_an_edit_of_a_file_the_transcript_never_shows_is_skipped_with_a_note(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [
        edit("call-1", "legacy.py", ("a", "b")),
        write("call-2", "new.py", "x = 1\n"),
    ])
    assert history is not None
    assert list(history.commits) == ["call-2"]
    assert len(notes) == 1 and "never shows the file" in notes[0] and "'legacy.py'" in notes[0]
    assert "legacy.py" not in git(repository(history), "ls-tree", "-r", "--name-only", history.commits["call-2"])


def test_nothing_replayable_gives_no_history(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [edit("call-1", "legacy.py", ("a", "b")), write("call-2", "x.py", "y", ok=False)])
    assert history is None
    assert notes and "never shows the file" in notes[0]


def test_a_multiedit_is_one_commit_with_every_edit_in_order(tmp_path: Path) -> None:
    history, _ = replay(tmp_path, [
        write("call-1", "cart.py", CART_V1),
        edit("call-2", "cart.py", ("total", "subtotal"), ("subtotal(items)", "subtotal(items, tax)"), ("sum(items)", "sum(items) + tax")),
    ])
    assert history is not None
    assert show(history, history.commits["call-2"], "cart.py") == "def subtotal(items, tax):\n    return sum(items) + tax\n"
    assert git(repository(history), "rev-parse", history.commits["call-2"] + "^").strip() == history.commits["call-1"]


def test_replace_all_replaces_every_occurrence_and_a_plain_edit_only_the_first(tmp_path: Path) -> None:
    text = "a = 1\nb = a + a\n"
    history, _ = replay(tmp_path, [
        write("call-1", "m.py", text),
        edit("call-2", "m.py", ("a", "x", True)),
        edit("call-3", "m.py", ("x", "y")),
    ])
    assert history is not None
    assert show(history, history.commits["call-2"], "m.py") == "x = 1\nb = x + x\n"
    assert show(history, history.commits["call-3"], "m.py") == "y = 1\nb = x + x\n"


def test_a_failed_or_rejected_edit_changes_nothing(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [
        write("call-1", "cart.py", CART_V1),
        edit("call-2", "cart.py", ("sum(items)", "0"), ok=False),
        edit("call-3", "cart.py", ("items)", "items, start=0)")),
    ])
    assert history is not None and notes == []
    assert "call-2" not in history.commits
    assert show(history, history.commits["call-3"], "cart.py") == "def total(items, start=0):\n    return sum(items)\n"
    assert git(repository(history), "rev-parse", history.commits["call-3"] + "^").strip() == history.commits["call-1"]


def test_an_edit_whose_text_is_missing_makes_the_file_unknown_until_a_write(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [
        write("call-1", "cart.py", CART_V1),
        edit("call-2", "cart.py", ("no such text", "x")),
        edit("call-3", "cart.py", ("sum", "SUM")),  # would apply, but the file is no longer known
        write("call-4", "cart.py", "total = 0\n"),
        edit("call-5", "cart.py", ("0", "1")),
    ])
    assert history is not None
    assert list(history.commits) == ["call-1", "call-4", "call-5"]
    assert any("text they replace is not in the file" in note for note in notes)
    assert any("never shows the file" in note for note in notes)
    assert show(history, history.commits["call-5"], "cart.py") == "total = 1\n"


def test_a_file_changed_outside_the_agents_edits_is_committed_before_the_call(tmp_path: Path) -> None:
    formatted = CART_V1.replace("sum(items)", "sum( items )")
    history, notes = replay(tmp_path, [
        write("call-1", "cart.py", CART_V1),
        edit("call-2", "cart.py", ("sum( items )", "sum(items) or 0"), original=formatted),
    ])
    assert history is not None
    before = history.before["call-2"]
    assert git(repository(history), "rev-parse", before + "^").strip() == history.commits["call-1"]
    assert changed_lines(history, before, history.commits["call-2"]) == ["-    return sum( items )", "+    return sum(items) or 0"]
    assert any("differed from the replay" in note for note in notes)


def test_an_edit_of_empty_text_creates_the_file(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [edit("call-1", "docs/NOTES.md", ("", "# Notes\n"))])
    assert history is not None and notes == []
    assert show(history, history.commits["call-1"], "docs/NOTES.md") == "# Notes\n"


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.py", "a/../../b.py", ".git/config", "src/.GIT/hooks/x", "C:\\Users\\x.py", "~/x", "a\nb", ""])
def test_absolute_escaping_and_git_paths_are_refused_with_a_note(tmp_path: Path, path: str) -> None:
    history, notes = replay(tmp_path, [write("call-1", path, "x"), write("call-2", "ok.py", "y")])
    assert history is not None and list(history.commits) == ["call-2"]
    assert len(notes) == 1 and "absolute or leaves the session folder" in notes[0]


def test_paths_are_normalised() -> None:
    assert clean_path("./src//app.py") == "src/app.py"
    assert clean_path("src\\app.py") == "src/app.py"
    assert clean_path("a/b/../c.py") == "a/c.py"
    assert clean_path("bad\ud800.py") is None


def test_paths_with_spaces_and_other_scripts_are_stored_as_written(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [write("call-1", "docs/Café notes/überblick — v2.md", "# Ü\n")])
    assert history is not None and notes == []
    listing = git(repository(history), "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", history.commits["call-1"])
    assert listing == "docs/Café notes/überblick — v2.md\n"


def test_binary_and_huge_content_is_skipped_with_a_note(tmp_path: Path) -> None:
    history, notes = replay(tmp_path, [
        write("call-1", "logo.png", "\x89PNG\x00\x00"),
        write("call-2", "dump.sql", "x" * (MAX_FILE_BYTES + 1)),
        write("call-3", "ok.py", "y"),
    ])
    assert history is not None and list(history.commits) == ["call-3"]
    assert any("binary" in note for note in notes) and any("larger than" in note for note in notes)


@pytest.mark.parametrize(("first", "second"), [
    ("src", "src/app.py"), ("src/app.py", "src"), ("a/b/c/d.py", "a/b"), ("a/b", "a/b/c/d.py"), ("a/b/c/d.py", "a"),
])
def test_a_file_where_a_folder_is_is_refused(tmp_path: Path, first: str, second: str) -> None:
    history, notes = replay(tmp_path, [write("call-1", first, "x"), write("call-2", "a/b/c/other.py", "z"), write("call-3", second, "y")])
    assert history is not None and "call-1" in history.commits and "call-3" not in history.commits
    assert any("a file and a folder of the same name" in note for note in notes)


def test_a_start_where_a_file_and_a_folder_share_a_name_keeps_the_first(tmp_path: Path) -> None:
    """Originals shown for `lib/x/y.py` and then for `lib/x`: the start holds the first; the second is not replayed."""
    history, notes = replay(tmp_path, [edit("call-1", "lib/x/y.py", ("1", "2"), original="1\n"), edit("call-2", "lib/x", ("a", "b"), original="a\n"),
                                       edit("call-3", "lib/z.py", ("p", "q"), original="p\n")])
    assert history is not None and set(history.commits) == {"call-1", "call-3"}
    assert git(repository(history), "show", f"{history.base}:lib/x/y.py") == "1\n"
    assert notes == ["code: 1 file change(s) not replayed: a file and a folder of the same name ('lib/x')"]


def test_earlier_edits_of_a_file_first_shown_later_are_in_the_start(tmp_path: Path) -> None:
    shown = "value = 2\n"
    history, notes = replay(tmp_path, [
        edit("call-1", "v.py", ("1", "2")),
        edit("call-2", "v.py", ("2", "3"), original=shown),
    ])
    assert history is not None and list(history.commits) == ["call-2"]
    assert show(history, history.base, "v.py") == shown
    assert changed_lines(history, history.base, history.commits["call-2"]) == ["-value = 2", "+value = 3"]
    assert any("the start shows 'v.py' as the transcript first shows it" in note for note in notes)


def test_content_is_redacted_and_commits_are_the_same_every_time(tmp_path: Path) -> None:
    changes = [write("call-1", "settings.py", "KEY = 'hunter2'\n"), edit("call-2", "settings.py", ("KEY", "API_KEY"))]

    def run(folder: str) -> CodeHistory:
        history = replay_changes(changes, [], redact=lambda texts: [text.replace("hunter2", "[redacted]") for text in texts])
        assert history is not None
        return history

    first, second = run("a"), run("b")
    assert first.commits == second.commits and first.base == second.base
    assert show(first, first.commits["call-2"], "settings.py") == "API_KEY = '[redacted]'\n"


# ---------------------------------------------------------------- the bundle, as a lesson and a learner see it


def lesson_with_code(folder: Path, history: CodeHistory) -> Path:
    """A lesson whose agent writes then edits cart.py; its result steps carry the replayed commits."""
    data = {
        "format": "tutor.lesson/1",
        "id": "imported-cart",
        "title": "Imported cart",
        "origin": "imported",
        "task": "The cart total is wrong.",
        "repo": {"bundle": "repo.bundle", "base": history.base},
        "steps": [
            {"id": "s1", "kind": "goal", "text": "Fix the cart total."},
            {"id": "s2", "kind": "agent", "text": "Writing it.", "calls": [{"id": "call-1", "tool": "write_file", "input": {"path": "cart.py", "content": CART_V1}}]},
            {"id": "s3", "kind": "result", "call": "call-1", "ok": True, "exit_code": 0, "output": "", "commit": history.commits["call-1"]},
            {"id": "s4", "kind": "agent", "text": "Fixing it.", "calls": [{"id": "call-2", "tool": "edit_file", "input": {"path": "cart.py", "old": "sum(items)", "new": "sum(items, 0)"}}]},
            {"id": "s5", "kind": "result", "call": "call-2", "ok": True, "exit_code": 0, "output": "", "commit": history.commits["call-2"]},
        ],
    }
    lesson, problems = check_lesson_data(json.loads(json.dumps(data)), "imported-cart", None)
    assert lesson is not None and not problems, problems
    refs = {"s3": history.commits["call-1"], "s5": history.commits["call-2"]}
    save_lesson_folder(lesson, folder, lambda path: path.write_bytes(history.bundle(refs)))
    return folder


def test_the_bundle_verifies_and_the_lesson_validates(tmp_path: Path) -> None:
    history, _ = replay(tmp_path, [write("call-1", "cart.py", CART_V1), edit("call-2", "cart.py", ("sum(items)", "sum(items, 0)"))])
    assert history is not None
    folder = lesson_with_code(tmp_path / "imported-cart", history)
    bundle = folder / "repo.bundle"
    scratch = tmp_path / "scratch.git"
    git(scratch, "init", "--quiet", "--bare")
    git(scratch, "bundle", "verify", "--quiet", str(bundle))  # fails (and the helper with it) unless the bundle is whole
    heads = git(scratch, "bundle", "list-heads", str(bundle)).split()
    assert set(heads[1::2]) == {"refs/tutor/base", "refs/tutor/steps/s3", "refs/tutor/steps/s5"}
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output


def test_the_learner_sees_the_diff_of_each_edit(tmp_path: Path) -> None:
    from tutor.lesson import read_lesson
    from tutor.services.investigate import commit_before, open_lesson_repo

    history, _ = replay(tmp_path, [write("call-1", "cart.py", CART_V1), edit("call-2", "cart.py", ("sum(items)", "sum(items, 0)"))])
    assert history is not None
    folder = lesson_with_code(tmp_path / "imported-cart", history)
    lesson = read_lesson(folder).lesson
    assert lesson is not None
    repo = open_lesson_repo(lesson, folder)
    # As the lesson screen does (ui/screens/lesson.py, load_step_diff): from the code before the step to the step's.
    before = commit_before(lesson, "s5", repo.steps)
    assert before == history.commits["call-1"]
    diff = repo.diff(before, history.commits["call-2"])
    assert "-    return sum(items)\n+    return sum(items, 0)\n" in diff
    first = repo.diff(commit_before(lesson, "s3", repo.steps) or "", history.commits["call-1"])
    assert "new file mode" in first and "+def total(items):" in first


def test_a_step_id_that_is_not_a_slug_is_refused(tmp_path: Path) -> None:
    history, _ = replay(tmp_path, [write("call-1", "a.py", "x")])
    assert history is not None
    with pytest.raises(ValueError):
        history.bundle({"../main": history.commits["call-1"]})


# ---------------------------------------------------------------- Claude Code's file-history backups


def test_the_first_backup_of_each_tracked_file_is_its_original(tmp_path: Path) -> None:
    backups = tmp_path / "file-history" / "5f0c2a9e"
    backups.mkdir(parents=True)
    (backups / "284b4d4b3c9220c5@v1").write_text(CART_V1)
    (backups / "284b4d4b3c9220c5@v2").write_text("later\n")
    snapshots = [
        {"type": "file-history-snapshot", "snapshot": {"trackedFileBackups": {
            "/home/alice/shop/cart.py": {"backupFileName": "284b4d4b3c9220c5@v1", "version": 1},
            "/home/alice/shop/new.py": {"backupFileName": None, "version": 1},  # did not exist before
            "/etc/passwd": {"backupFileName": "0000000000000000@v1", "version": 1},
            "/home/alice/shop/gone.py": {"backupFileName": "1111111111111111@v1", "version": 1},  # backup not kept
        }}},
        {"type": "file-history-snapshot", "snapshot": {"trackedFileBackups": {
            "/home/alice/shop/cart.py": {"backupFileName": "284b4d4b3c9220c5@v2", "version": 2},
        }}},
    ]

    def relative(path: str) -> str | None:
        prefix = "/home/alice/shop/"
        return path[len(prefix):] if path.startswith(prefix) else None

    assert originals_from_backups(snapshots, backups, relative) == {"cart.py": CART_V1}


# ---------------------------------------------------------------- end to end: a transcript in Claude Code's real format

# Until the importer's pipeline calls `replay_changes` and writes the bundle (issue 17, the lead's
# wiring in draft), an import writes no repo.bundle: these fail, as they must. Strict, so that the
# marker has to go the moment the wiring lands.

CWD = "/home/alice/projects/shop"


def edit_result(path: str, old: str, new: str, original: str) -> dict[str, object]:
    """`toolUseResult` of an Edit as Claude Code 2.x writes it."""
    return {"filePath": path, "oldString": old, "newString": new, "originalFile": original, "structuredPatch": [],
            "userModified": False, "replaceAll": False}


def shop_session(tmp_path: Path) -> Path:
    from tests.helpers.claude_code_format import Session

    s = Session(cwd=CWD, version="2.1.39")
    s.user("The cart total ignores an empty cart; make total([]) return 0 and keep the tests passing.")
    use = s.tool_use("Read", file_path=f"{CWD}/shop/cart.py", text="Let me look at the cart.")
    s.tool_result(use, "     1\tdef total(items):\n     2\t    return sum(items)\n")
    use = s.tool_use("Edit", file_path=f"{CWD}/shop/cart.py", old_string="sum(items)", new_string="sum(items, 0)", replace_all=False,
                     text="Giving sum a start value.")
    s.tool_result(use, f"The file {CWD}/shop/cart.py has been updated.", tool_use_result=edit_result(f"{CWD}/shop/cart.py", "sum(items)", "sum(items, 0)", CART_V1))
    use = s.tool_use("Write", file_path=f"{CWD}/tests/test_cart.py", content="from shop.cart import total\n\n\ndef test_empty():\n    assert total([]) == 0\n",
                     text="Adding a test for the empty cart.")
    s.tool_result(use, f"File created successfully at: {CWD}/tests/test_cart.py",
                  tool_use_result={"type": "create", "filePath": f"{CWD}/tests/test_cart.py", "content": "from shop.cart import total\n\n\ndef test_empty():\n    assert total([]) == 0\n",
                                   "structuredPatch": [], "originalFile": None})
    use = s.tool_use("Edit", file_path=f"{CWD}/shop/legacy.py", old_string="x", new_string="y", replace_all=False, text="And the legacy module.")
    s.tool_result(use, f"The file {CWD}/shop/legacy.py has been updated.")  # older versions: no toolUseResult, so the file is unknown
    use = s.tool_use("Bash", command="pytest -q", text="Running the tests.")
    s.tool_result(use, "1 passed in 0.01s")
    s.say("Done: total([]) is 0 and the new test passes.")
    return s.write(tmp_path / "session.jsonl")


def test_an_imported_session_carries_a_bundle_with_one_commit_per_edit(tmp_path: Path) -> None:
    from tutor.record.claude_code import import_claude_code, write_imported_lesson

    result = import_claude_code(shop_session(tmp_path))
    out = tmp_path / "lesson"
    lesson = write_imported_lesson(result, out)
    assert lesson.repo is not None
    scratch = tmp_path / "scratch.git"
    git(scratch, "init", "--quiet", "--bare")
    git(scratch, "bundle", "verify", "--quiet", str(out / "repo.bundle"))
    git(scratch, "fetch", "--quiet", str(out / "repo.bundle"), "refs/*:refs/*")
    tips = git(scratch, "for-each-ref", "--format=%(objectname)", "refs/tutor/steps/").split()
    subjects = git(scratch, "log", "--format=%s", *tips).splitlines()
    assert len(subjects) == 3  # the start (cart.py as first shown), the edit, the new test; legacy.py is unknown
    assert git(scratch, "show", f"{lesson.repo.base}:shop/cart.py") == CART_V1
    assert any("never shows the file" in note and "legacy.py" in note for note in result.notes)
    assert CliRunner().invoke(cli, ["validate", str(out)]).exit_code == 0


def test_an_imported_lesson_shows_the_learner_the_diff_of_each_edit(tmp_path: Path) -> None:
    from tutor.record.claude_code import import_claude_code, write_imported_lesson
    from tutor.services.investigate import commit_before, open_lesson_repo

    out = tmp_path / "lesson"
    lesson = write_imported_lesson(import_claude_code(shop_session(tmp_path)), out)
    repo = open_lesson_repo(lesson, out)
    diffs = []
    for step_id, commit in repo.steps.items():
        before = commit_before(lesson, step_id, repo.steps)
        assert before is not None
        diffs.append(repo.diff(before, commit))
    assert sum("-    return sum(items)\n+    return sum(items, 0)\n" in diff for diff in diffs) == 1
    assert sum("+def test_empty():" in diff and "shop/cart.py" not in diff for diff in diffs) == 1


def test_an_edit_of_a_windows_file_applies_and_changes_only_its_lines(tmp_path: Path) -> None:
    original = "a = 1\r\nb = 2\r\nc = 3\r\n"
    history, notes = replay(tmp_path, [edit("call-1", "w.py", ("a = 1\nb = 2", "a = 1\nb = 20"), original=original)])
    assert history is not None and notes == []
    assert changed_lines(history, history.base, history.commits["call-1"]) == ["-b = 2", "+b = 20"]
