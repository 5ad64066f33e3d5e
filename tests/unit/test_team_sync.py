"""`tutor team sync` (issue 15, item 3): a member's result files written from their progress, their
own files committed alone, pulled with a rebase and pushed with their own git; offline, refused
and conflicting syncs say so in one line and lose nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.team_support import STEERING, bare_team, git, git_sandbox, new_member, take_lesson
from tutor.cli import cli
from tutor.services.team_sync import sync_team, teams_to_sync
from tutor.settings import load_teams
from tutor.team import load_results, read_result
from tutor.vcs.team_sync import SyncState


@pytest.fixture(autouse=True)
def _git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git_sandbox(monkeypatch, tmp_path)


def sync_as(member) -> object:  # noqa: ANN001
    with member.acting():
        (team,) = load_teams()
        return sync_team(team)


def test_a_finished_lesson_becomes_one_result_file_pushed_to_the_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    attempt = take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    assert len(synced.results.written) == 1
    (path,) = synced.results.written
    result = read_result(path)
    assert (result.lesson, result.handle, result.attempt) == ("vague-goal", ada.handle, attempt)
    assert path.relative_to(ada.clone).parts[:2] == ("results", "vague-goal")
    # On the remote: the result and nothing else of this member's home.
    pushed = git("ls-tree", "-r", "--name-only", "main", cwd=bare).split()
    assert str(path.relative_to(ada.clone)) in pushed
    # Syncing again writes nothing new and makes no commit.
    head = git("rev-parse", "HEAD", cwd=ada.clone)
    again = sync_as(ada)
    assert again.sync.state is SyncState.SYNCED and again.results.written == [] and again.results.unchanged == 1
    assert git("rev-parse", "HEAD", cwd=ada.clone) == head


def test_words_are_shared_only_when_the_team_allows_and_the_member_opted_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    texts = [answer.text for answer in read_result(synced.results.written[0]).answers]
    assert texts and all(text is None for text in texts)
    runner = CliRunner()
    with ada.acting():
        said = runner.invoke(cli, ["team", "words", "on"])
        assert said.exit_code == 0 and "not shared" in said.output and "does not allow" in said.output
        toml = ada.clone / "team.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("share_words = false", "share_words = true"), encoding="utf-8")
        git("commit", "--quiet", "-am", "share words", cwd=ada.clone)
        assert "So your words are shared" in runner.invoke(cli, ["team", "words"]).output
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    written = sync_as(ada).results.written
    shared = [answer.text for path in written for answer in read_result(path).answers if answer.text]
    assert shared, "a goal answer's words, shared once the team allows it and the member opted in"


def test_two_members_syncing_in_turn_never_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    take_lesson(bob, bob.clone / "curricula" / "vague-goal")
    assert sync_as(ada).sync.state is SyncState.SYNCED
    # Bob has not pulled Ada's commit: his push races hers and is pulled, rebased and pushed.
    bobs = sync_as(bob)
    assert bobs.sync.state is SyncState.SYNCED and bobs.sync.pulled == 1
    adas = sync_as(ada)
    assert adas.sync.pulled == 1
    for member in (ada, bob):
        handles = {result.handle for result in load_results(member.clone).results}
        assert handles == {ada.handle, bob.handle}


def test_offline_keeps_the_work_committed_for_the_next_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    gone = bare.with_name("moved.git")
    bare.rename(gone)
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.OFFLINE, synced.lines()
    assert "kept for the next sync" in synced.lines()[0]
    assert synced.sync.committed is not None
    assert git("status", "--porcelain", cwd=ada.clone) == ""
    gone.rename(bare)
    back = sync_as(ada)
    assert back.sync.state is SyncState.SYNCED
    assert any(name.startswith("results/vague-goal/") for name in git("ls-tree", "-r", "--name-only", "main", cwd=bare).split())


def test_a_refused_push_says_so_in_one_line_and_keeps_the_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.REFUSED, synced.lines()
    assert "refused" in synced.lines()[0] and "\n" not in synced.lines()[0]
    assert synced.sync.committed is not None
    with ada.acting():
        said = CliRunner().invoke(cli, ["team", "sync"])
    assert said.exit_code == 0, said.output  # the work is safe in a commit: not a failure


def test_a_hand_edited_conflict_is_reported_and_nothing_is_discarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    # Both rename the team by hand in team.toml (curriculum.toml merges by union: see test_team_publish).
    for member, name in ((ada, "Ada's name"), (bob, "Bob's name")):
        toml = member.clone / "team.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('name = "Platform team"', f'name = "{name}"'), encoding="utf-8")
        with member.acting():
            git("commit", "--quiet", "-am", f"{member.name} renames the team by hand", cwd=member.clone)
    assert sync_as(ada).sync.state is SyncState.SYNCED
    take_lesson(bob, bob.clone / "curricula" / "vague-goal")
    bobs = sync_as(bob)
    assert bobs.sync.state is SyncState.CONFLICT, bobs.lines()
    assert bobs.sync.files == ["team.toml"]
    assert "nothing discarded" in bobs.lines()[0]
    # Bob's clone is as it was: his edit and his result, both committed; no rebase left half done.
    assert "Bob's name" in (bob.clone / "team.toml").read_text(encoding="utf-8")
    assert any(name.startswith("results/") for name in git("ls-tree", "-r", "--name-only", "HEAD", cwd=bob.clone).split())
    assert git("status", "--porcelain", cwd=bob.clone) == ""
    with bob.acting():
        said = CliRunner().invoke(cli, ["team", "sync"])
    assert said.exit_code == 1 and "conflict" in said.output


def test_changes_by_hand_not_committed_block_the_pull_but_not_the_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    (ada.clone / "team.toml").write_text((ada.clone / "team.toml").read_text(encoding="utf-8") + "# a note\n", encoding="utf-8")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.BLOCKED and synced.sync.files == ["team.toml"]
    assert synced.sync.committed is not None  # the member's own files are committed all the same
    assert "# a note" in (ada.clone / "team.toml").read_text(encoding="utf-8")


def test_a_member_commits_only_files_under_their_own_handle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    stray = ada.clone / "results" / "vague-goal" / "0123456789ab" / "m-someone" / "x.json"
    stray.parent.mkdir(parents=True)
    stray.write_text("{}", encoding="utf-8")
    (ada.clone / "notes.txt").write_text("mine, by hand", encoding="utf-8")
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.SYNCED
    committed = git("show", "--name-only", "--format=", "HEAD", cwd=ada.clone).split()
    assert committed and all(f"/{ada.handle}/" in name for name in committed)


def test_results_of_a_changed_lesson_are_counted_not_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    lesson = ada.clone / "curricula" / "vague-goal" / "lesson.json"
    data = json.loads(lesson.read_text(encoding="utf-8"))
    data["title"] += " (revised)"
    lesson.write_text(json.dumps(data), encoding="utf-8")
    with ada.acting():
        git("commit", "--quiet", "-am", "revise", cwd=ada.clone)
    synced = sync_as(ada)
    assert synced.results.written == [] and synced.results.lesson_changed == 1
    assert "no longer has" in synced.lines()[1]


def test_no_team_joined_is_one_clear_line(tmp_path: Path) -> None:
    said = CliRunner().invoke(cli, ["team", "sync"])
    assert said.exit_code == 1 and "joined no team" in said.output
    with pytest.raises(Exception, match="joined no team"):
        teams_to_sync(None)


def test_bundled_lessons_are_not_team_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, STEERING / "vague-goal")  # the bundled copy: another lesson, not the team's
    assert sync_as(ada).results.written == []


def test_a_team_whose_clone_is_gone_is_reported_and_the_others_still_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.services.team import join_team, init_team

    _, ada = bare_team(tmp_path, monkeypatch)
    with ada.acting():
        other = tmp_path / "other-team"
        init_team(other, "Other team")
        join_team(str(other))
        shutil.rmtree(other)
        take_lesson(ada, ada.clone / "curricula" / "vague-goal")
        said = CliRunner().invoke(cli, ["team", "sync"])
    assert said.exit_code == 1
    lines = said.output.splitlines()
    assert lines[0] == "Platform team: synced"
    assert any(line.startswith("Other team: not synced: ") for line in lines)


def test_a_detached_head_is_refused_before_anything_is_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    git("checkout", "--quiet", "--detach", cwd=ada.clone)
    head = git("rev-parse", "HEAD", cwd=ada.clone)
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.BLOCKED and "detached HEAD" in synced.lines()[0]
    # No commit a later checkout would leave behind: the member's files wait in the working tree.
    assert synced.sync.committed is None and git("rev-parse", "HEAD", cwd=ada.clone) == head
    (written,) = synced.results.written
    git("checkout", "--quiet", "main", cwd=ada.clone)
    assert written.is_file()
    assert sync_as(ada).sync.state is SyncState.SYNCED
    assert str(written.relative_to(ada.clone)) in git("ls-tree", "-r", "--name-only", "main", cwd=bare).split()


def test_a_branch_the_team_does_not_have_is_not_pushed_as_a_new_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    git("checkout", "--quiet", "-b", "my-notes", cwd=ada.clone)  # a branch of their own, with no upstream
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.BLOCKED, synced.lines()
    assert "origin has no branch my-notes (it has main)" in synced.lines()[0]
    assert "git branch --set-upstream-to=origin/main" in synced.lines()[0]
    assert git("branch", "--list", "--format=%(refname:short)", cwd=bare).split() == ["main"]  # no branch nobody pulls
    assert synced.sync.committed is not None  # kept on the member's branch for the next sync
    git("branch", "--quiet", "--set-upstream-to=origin/main", cwd=ada.clone)
    assert sync_as(ada).sync.state is SyncState.SYNCED
    assert any(name.startswith("results/vague-goal/") for name in git("ls-tree", "-r", "--name-only", "main", cwd=bare).split())


def test_a_remote_and_a_branch_of_other_names_sync_through_the_upstream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    git("remote", "rename", "origin", "team", cwd=ada.clone)
    git("branch", "--quiet", "-m", "main", "trunk", cwd=ada.clone)
    with ada.acting():
        git("push", "--quiet", "-u", "team", "trunk", cwd=ada.clone)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    assert any(name.startswith("results/vague-goal/") for name in git("ls-tree", "-r", "--name-only", "trunk", cwd=bare).split())


def test_a_team_started_in_a_clone_of_an_empty_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.team_support import Member
    from tutor.services.team import init_team, join_team

    bare = tmp_path / "empty.git"
    git("init", "--quiet", "--bare", str(bare))
    ada = Member("Ada", tmp_path / "home-ada", tmp_path / "ada" / "team", monkeypatch)
    with ada.acting():
        said = CliRunner().invoke(cli, ["team", "join", bare.as_uri(), "--into", str(ada.clone)])
        assert said.exit_code == 1 and said.stderr.count("\n") == 1, said.output
        assert f"cloned into {ada.clone}, which is not a team folder" in said.stderr and f"tutor team init {ada.clone}" in said.stderr
        init_team(ada.clone, "Fresh team")  # as the line says
        join_team(str(ada.clone))
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    assert "team.toml" in git("ls-tree", "-r", "--name-only", "main", cwd=bare).split()
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    assert (bob.clone / "team.toml").is_file()


def test_results_are_never_written_through_a_link_a_teammate_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    outside = tmp_path / "outside"
    outside.mkdir()
    (ada.clone / "results" / "vague-goal").symlink_to(outside, target_is_directory=True)
    with ada.acting():  # as it arrives with a pull
        git("add", "results/vague-goal", cwd=ada.clone)
        git("commit", "--quiet", "-m", "a link where results go", cwd=ada.clone)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert list(outside.iterdir()) == []
    assert synced.results.written == []
    (warning,) = [line for line in synced.lines() if line.startswith("  warning: ")]
    assert "is a symbolic link" in warning and "not shared" in warning


def test_a_link_to_the_members_results_does_not_stop_their_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    assert sync_as(ada).sync.state is SyncState.SYNCED
    (ada.clone / "results" / "mirror").symlink_to("vague-goal", target_is_directory=True)  # results/mirror/<digest12>/<handle> is theirs, seen again
    with ada.acting():
        git("add", "results/mirror", cwd=ada.clone)
        git("commit", "--quiet", "-m", "a teammate's link into the results", cwd=ada.clone)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    assert len([name for name in git("ls-tree", "-r", "--name-only", "main", cwd=bare).split() if name.startswith("results/vague-goal/")]) == 2


def test_long_words_still_make_a_result_file_every_teammate_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.learn.answers import GoalAnswer, InterveneAnswer
    from tutor.lesson import AskType, Category

    from tests.helpers.team_support import right_ish

    _, ada = bare_team(tmp_path, monkeypatch)
    toml = ada.clone / "team.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("share_words = false", "share_words = true"), encoding="utf-8")
    with ada.acting():
        git("commit", "--quiet", "-am", "share words", cwd=ada.clone)
        assert CliRunner().invoke(cli, ["team", "words", "on"]).exit_code == 0
    pasted = "😀" * 150_000  # a learner who pasted a long log as their answer

    def wordy(ask_type: AskType, number: int) -> object:
        if ask_type is AskType.GOAL:
            return GoalAnswer(pasted)
        if ask_type is AskType.INTERVENE:
            return InterveneAnswer(intervene=True, category=Category.SCOPE, text=pasted)
        return right_ish(ask_type, number)

    take_lesson(ada, ada.clone / "curricula" / "vague-goal", wordy)
    (path,) = sync_as(ada).results.written
    result = read_result(path)  # what a teammate's Tutor reads: not refused
    texts = [answer.text for answer in result.answers if answer.text is not None]
    assert texts and all(len(text) <= 100_000 for text in texts)
    assert len([answer for answer in result.answers if answer.type in (AskType.GOAL, AskType.INTERVENE)]) == 3


def test_a_clone_that_lost_its_git_is_not_synced_into_the_repository_around_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ada = bare_team(tmp_path, monkeypatch)
    shutil.rmtree(ada.clone / ".git")
    around = ada.clone.parent  # a folder above kept in git (a home folder's dotfiles, say)
    with ada.acting():
        git("init", "--quiet", cwd=around)
        (around / "dotfile").write_text("mine\n", encoding="utf-8")
        git("add", "dotfile", cwd=around)
        git("commit", "--quiet", "-m", "dotfiles", cwd=around)
    head = git("rev-parse", "HEAD", cwd=around)
    take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    with ada.acting():
        said = CliRunner().invoke(cli, ["team", "sync"])
    assert said.exit_code == 1
    assert said.output.startswith("Platform team: not synced: ") and "is not the top of a git clone" in said.output
    assert git("rev-parse", "HEAD", cwd=around) == head  # nothing committed in the repository around it


def test_an_untracked_file_where_a_teammates_file_goes_is_named_not_called_a_refused_push(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    (ada.clone / "notes").mkdir()
    (ada.clone / "notes" / "plan.md").write_text("Ada's plan\n", encoding="utf-8")
    with ada.acting():
        git("add", "notes", cwd=ada.clone)
        git("commit", "--quiet", "-m", "notes", cwd=ada.clone)
    sync_as(ada)
    (bob.clone / "notes").mkdir()
    (bob.clone / "notes" / "plan.md").write_text("Bob's own, never added\n", encoding="utf-8")
    take_lesson(bob, bob.clone / "curricula" / "vague-goal")
    synced = sync_as(bob)
    assert synced.sync.state is SyncState.BLOCKED, synced.lines()
    assert "not synced" in synced.lines()[0] and "move them away" in synced.lines()[0]
    assert synced.sync.files == ["notes/plan.md"] and "  notes/plan.md" in synced.lines()
    assert (bob.clone / "notes" / "plan.md").read_text(encoding="utf-8") == "Bob's own, never added\n"
    (bob.clone / "notes" / "plan.md").unlink()
    assert sync_as(bob).sync.state is SyncState.SYNCED


def test_looking_through_a_finished_attempt_again_shares_nothing_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.paths import progress_dir
    from tutor.store.progress import Progress

    _, ada = bare_team(tmp_path, monkeypatch)
    attempt = take_lesson(ada, ada.clone / "curricula" / "vague-goal")
    (path,) = sync_as(ada).results.written
    before = path.read_bytes()
    import tutor.store.progress as store

    monkeypatch.setattr(store, "_now", lambda: "2031-01-02T03:04:05.000000Z")  # the browsing happens years later
    with ada.acting(), Progress(progress_dir()) as progress:
        (record,) = [record for record in progress.attempts() if record.id == attempt]
        progress.save_position(attempt, cursor=1, frontier=record.frontier, finished=True, score=record.score)  # browsing: a later save
        assert [r.updated for r in progress.attempts() if r.id == attempt] != [record.updated]
    again = sync_as(ada)
    assert again.results.written == [] and again.sync.committed is None
    assert path.read_bytes() == before


def test_the_members_tallies_are_sent_and_a_teammates_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.lesson.io import lesson_digest, load_lesson
    from tutor.lesson.taxonomy import AskType
    from tutor.team.tallies import TallyAsk, TallyFile, TallyMode, TallyRound, load_tallies, timestamp, write_tally

    bare, ada = bare_team(tmp_path, monkeypatch)
    digest = lesson_digest(load_lesson(ada.clone / "curricula" / "vague-goal"))

    def tally(handle: str, session: str) -> TallyFile:
        rounds = (TallyRound(1, 4, {"works": 3, "fails": 1}), TallyRound(2, 4, {"works": 1, "fails": 3}))
        return TallyFile("vague-goal", digest, handle, session, TallyMode.FACILITATED, timestamp(), timestamp(), 4, (TallyAsk("s1", AskType.OUTCOME, rounds),))

    mine = write_tally(ada.clone, tally(ada.handle, "20261206120000-aaaaaa"))
    theirs = write_tally(ada.clone, tally("m-someone", "20261206120000-bbbbbb"))  # another member's folder: never Ada's to commit
    synced = sync_as(ada)
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    pushed = git("ls-tree", "-r", "--name-only", "main", cwd=bare).split()
    assert str(mine.relative_to(ada.clone)) in pushed
    assert str(theirs.relative_to(ada.clone)) not in pushed
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    assert [read.handle for read in load_tallies(bob.clone).tallies] == [ada.handle]
    # A tally removed is a removal committed too: her folder stays hers, tracked or not.
    mine.unlink()
    assert sync_as(ada).sync.state is SyncState.SYNCED
    assert str(mine.relative_to(ada.clone)) not in git("ls-tree", "-r", "--name-only", "main", cwd=bare).split()


async def test_a_group_replays_answers_are_shared_as_the_team_lessons_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: a participant's answers in a hosted replay are a normal attempt (keyed by the host's
    lesson version) that `tutor team sync` shares when the team has that version of the lesson."""
    from tests.helpers.group_support import Changes, some_answer
    from tutor.paths import progress_dir
    from tutor.services.group_client import GroupClient
    from tutor.services.group_host import GroupHost

    bare, ada = bare_team(tmp_path, monkeypatch, lessons=("vague-goal",))
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    changes = Changes()
    host = GroupHost(ada.clone / "curricula" / "vague-goal", min_group=1, on_change=changes)
    code = await host.start()
    with bob.acting():
        client = GroupClient(code, "Bob", on_change=changes, progress_folder=progress_dir())
        await client.connect()
        while host.view.phase != "ended":
            if host.view.phase == "open":
                step = host.view.step_number
                await changes.until(lambda: client.view.ask is not None and client.view.step_number == step, "the ask at Bob's")
                await client.answer(some_answer(client.view.ask))
                await changes.until(lambda: host.view.answered == 1, "Bob's answer at the host")
            host.advance()
        await changes.until(lambda: client.view.phase == "ended", "the end at Bob's")
        await client.settled()
        await host.stop()
        await client.leave()
    synced = sync_as(bob)
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    (path,) = synced.results.written
    result = read_result(path)
    assert (result.lesson, result.handle, result.attempt) == ("vague-goal", bob.handle, client.view.attempt_id)
    assert result.answers and all(not answer.skipped for answer in result.answers)
