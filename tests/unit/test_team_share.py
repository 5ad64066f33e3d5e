"""`tutor team share SESSION` and reviews across people (issue 15, item 4): a learner shares a session
into the team folder (redacted again, pseudonymous); a teammate finds it in their clone, reviews it into
`reviews/<reviewer>/<learner>/<id>.json`; after a sync the learner sees the reviewer and the marks
beside their own session. Two members are two `$TUTOR_HOME`s with two clones of one bare repository,
synced here with plain git (the lead's `tutor team sync` does this for members)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.live_support import learner_turns, make_user_repo, play_learner_session
from tests.helpers.secret_tokens import TOKENS, secretish
from tutor.cli import cli
from tutor.errors import UserError
from tutor.record.session_trajectory import Mark, new_review
from tutor.services.live import SessionError, journal_path
from tutor.services.session_reviews import (
    OwnSession,
    TeamSession,
    list_session_entries,
    list_team_session_entries,
    load_reviews,
    load_trajectory,
    resolve_session,
    save_review,
)
from tutor.services.team import init_team, join_team
from tutor.services.team_share import share_session
from tutor.settings import load_teams
from tutor.team.sessions import MAX_REVIEW_BYTES, parse_shared_journal

TEAM = "Platform team"


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A git identity and an empty global config: the user's git, as a test can have it."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Member")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "member@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@dataclass
class Member:
    home: Path
    clone: Path
    handle: str = ""


@dataclass
class Team:
    learner: Member
    reviewer: Member
    monkeypatch: pytest.MonkeyPatch

    def be(self, member: Member) -> Member:
        """Act as `member`: their `$TUTOR_HOME` (and so their teams.toml and sessions)."""
        self.monkeypatch.setenv("TUTOR_HOME", str(member.home))
        return member


def sync(member: Member, message: str) -> None:
    """What `tutor team sync` does for this test: commit the member's files, pull the others', push."""
    git("add", "-A", "sessions", "reviews", cwd=member.clone)
    if git("status", "--porcelain", cwd=member.clone).strip():
        git("commit", "-q", "-m", message, cwd=member.clone)
    git("pull", "-q", "--no-rebase", "--no-edit", cwd=member.clone)
    git("push", "-q", "origin", "HEAD", cwd=member.clone)


@pytest.fixture
def team(tmp_path: Path, tutor_home: Path, monkeypatch: pytest.MonkeyPatch) -> Team:
    source = tmp_path / "source"
    init_team(source, TEAM)
    origin = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(source), str(origin))
    members = []
    for name, home in (("learner", tutor_home), ("reviewer", tmp_path / "reviewer-home")):
        home.mkdir(exist_ok=True)
        clone = tmp_path / f"{name}-clone"
        git("clone", "-q", str(origin), str(clone))
        members.append(Member(home, clone))
    made = Team(members[0], members[1], monkeypatch)
    for member in members:
        made.be(member)
        member.handle = join_team(str(member.clone)).membership.handle
    made.be(made.learner)
    return made


async def lived_session(tmp_path: Path) -> tuple[str, Path]:
    repo = make_user_repo(tmp_path)
    return await play_learner_session(repo, learner_turns()), repo


def rewrite_journal(session_id: str, change) -> None:  # noqa: ANN001 - a function of one record
    """Change the learner's journal as an older Tutor (with older redaction rules) might have written it."""
    path = journal_path(session_id)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(change(record)) + "\n" for record in records), encoding="utf-8")


def shared_folder(member: Member, handle: str, session_id: str) -> Path:
    return member.clone / "sessions" / handle / session_id


# -- sharing


async def test_share_writes_the_journal_redacted_again_and_pseudonymous_under_the_handle(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, repo = await lived_session(tmp_path)
    rng = random.Random(15)
    token = TOKENS["github-token"][0](rng)
    value = secretish(rng, 28)
    # A token the rules of the day when the session was written missed, and a value that is a secret
    # only because today's environment says so (a deploy token set since).
    rewrite_journal(session_id, lambda record: {**record, "text": record["text"] + f" (token {token})"} if record["kind"] == "goal" else record)
    rewrite_journal(session_id, lambda record: {**record, "text": f"deploy with {value}"} if record["kind"] == "stream" else record)
    monkeypatch.setenv("DEPLOY_TOKEN", value)
    assert token in journal_path(session_id).read_text(encoding="utf-8")

    result = CliRunner().invoke(cli, ["team", "share", session_id])
    assert result.exit_code == 0, result.output
    handle = team.learner.handle
    assert result.output == (
        f"Shared session {session_id} with {TEAM} as {handle}; it reaches the team with your next `tutor team sync`.\n"
    )

    folder = shared_folder(team.learner, handle, session_id)
    shared = (folder / "journal.jsonl").read_text(encoding="utf-8")
    assert token not in shared and value not in shared and "[REDACTED:" in shared
    assert token in journal_path(session_id).read_text(encoding="utf-8")  # the member's own journal is left as it was
    # Pseudonymous: no folder of the member's machine, no process of it, no draft of the goal.
    records = parse_shared_journal(shared.encode("utf-8")).records
    assert str(repo) not in shared and str(team.learner.home) not in shared and str(Path.home()) not in shared
    header = records[0]
    assert header["kind"] == "session" and header["repo"] == "user-repo" and "workspace" not in header and "shared_objects" not in header
    assert {"process", "goal_draft"}.isdisjoint(record["kind"] for record in records)
    check = next(record for record in records if record["kind"] == "result" and record["call"] == "check")
    assert check["output"].startswith("<workspace>\n")  # `pwd` printed the workspace: its place is a placeholder

    info = json.loads((folder / "shared.json").read_text(encoding="utf-8"))
    assert info["format"] == "tutor.shared-session/1" and info["session"] == session_id and info["handle"] == handle
    assert info["mode"] == "pair" and info["goal"].startswith("add() returns the sum") and token not in info["goal"]
    assert info["tutor"] and info["shared"].endswith("Z") and info["started"] > 0
    # Nothing is committed: the lead's `tutor team sync` does that.
    assert git("log", "--format=%s", cwd=team.learner.clone).strip() == f"Tutor team {TEAM}"
    assert f"sessions/{handle}/" in git("status", "--porcelain", "--untracked-files=all", cwd=team.learner.clone)


async def test_sharing_again_replaces_the_copy_with_the_session_as_it_is(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    first = share_session(session_id)
    assert not first.replaced
    journal = journal_path(session_id)
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"seq": 999, "at": 1.0, "kind": "prompt", "text": "one more thing to check"}) + "\n")
    again = share_session(session_id)
    assert again.replaced and again.folder == first.folder and again.records == first.records + 1
    assert "one more thing to check" in (again.folder / "journal.jsonl").read_text(encoding="utf-8")
    assert sorted(path.name for path in again.folder.iterdir()) == ["journal.jsonl", "shared.json"]  # no temporary file left
    result = CliRunner().invoke(cli, ["team", "share", session_id, "--team", TEAM])
    assert result.exit_code == 0 and "again" in result.output


async def test_a_session_that_is_not_the_members_is_refused_in_one_line(team: Team) -> None:
    runner = CliRunner()
    for bad in ("20260101-000000-abcdef", "../../etc", "Not-A-Slug"):
        result = runner.invoke(cli, ["team", "share", bad])
        assert result.exit_code == 1 and result.output.count("\n") == 1 and result.output.startswith("tutor: "), result.output
    assert [path.name for path in (team.learner.clone / "sessions").iterdir()] == [".gitkeep"]
    result = runner.invoke(cli, ["team", "share", "x", "--team", "No such team"])
    assert result.exit_code == 1 and "no team 'No such team'" in result.output


def test_share_without_a_team_says_to_join_one() -> None:
    result = CliRunner().invoke(cli, ["team", "share", "20260101-000000-abcdef"])
    assert result.exit_code == 1 and "tutor team join" in result.output and result.output.count("\n") == 1


async def test_share_refuses_to_write_through_a_link_a_teammate_committed(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (team.learner.clone / "sessions" / team.learner.handle).symlink_to(elsewhere)
    with pytest.raises(UserError, match="symbolic link"):
        share_session(session_id)
    assert list(elsewhere.iterdir()) == []


# -- reviews across people


async def test_a_shared_session_reviewed_by_one_appears_reviewed_for_the_other(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    share_session(session_id)
    assert list_team_session_entries().entries == ()  # a member's own share is not a team session to them
    sync(team.learner, "share")

    team.be(team.reviewer)
    sync(team.reviewer, "nothing yet")
    assert list_session_entries() == []  # the learner's session is not the reviewer's own
    listed = list_team_session_entries()
    [entry] = listed.entries
    assert listed.problems == () and entry.problems == ()
    ref = entry.ref
    assert isinstance(ref, TeamSession) and ref.learner == team.learner.handle and ref.team_name == TEAM
    assert entry.summary.goal.startswith("add() returns the sum") and entry.summary.mode == "pair" and entry.reviewers == ()
    assert resolve_session(session_id) == ref == resolve_session(f"{team.learner.handle}/{session_id}")

    trajectory = load_trajectory(ref)
    bad = next(step for step in trajectory.steps if step.call is not None and step.call.call_id == "bad")
    assert bad.call.decision == "corrected" and bad.call.prediction == {"outcome": "works", "confidence": "high"}
    review = new_review(session_id, team.reviewer.handle, seen_seq=trajectory.last_seq).with_mark(Mark(bad.id, "test", "The test is the requirement."))
    _, path = save_review(review, session=ref)
    assert path == team.reviewer.clone / "reviews" / team.reviewer.handle / team.learner.handle / f"{session_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["reviewer"] == team.reviewer.handle and data["session"] == session_id and data["marks"][0]["step"] == bad.id
    [entry] = list_team_session_entries().entries
    assert entry.reviewers == (team.reviewer.handle,) and entry.marks == 1
    sync(team.reviewer, "review")

    team.be(team.learner)
    [own] = list_session_entries()
    assert own.reviewers == ()  # not yet: the review is in the team's repository, not the learner's clone
    sync(team.learner, "pull the review")
    [own] = list_session_entries()
    assert own.id == session_id and own.reviewers == (team.reviewer.handle,) and own.marks == 1 and own.problems == ()
    read = load_reviews(session_id)
    [mark] = read.reviews[0].marks
    assert mark.step == bad.id and mark.category == "test" and mark.comment == "The test is the requirement."
    step = load_trajectory(session_id).find(mark.step)
    assert step is not None and step.call is not None and step.call.decision == "corrected"  # the mark sits beside the learner's decision


async def test_a_signed_team_review_keeps_one_file_per_reviewer(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    share_session(session_id)
    sync(team.learner, "share")
    team.be(team.reviewer)
    sync(team.reviewer, "pull")
    ref = resolve_session(session_id)
    _, unsigned = save_review(new_review(session_id, team.reviewer.handle), session=ref)
    stored, signed = save_review(new_review(session_id, "Sam Senior").with_mark(Mark("goal-2", "goal", "vague")), session=ref)
    assert signed == unsigned and stored.reviewer == "Sam Senior"
    assert [review.reviewer for review in load_reviews(ref).reviews] == ["Sam Senior"]


async def test_review_session_names_a_teammates_session_by_id_or_handle_and_id(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    share_session(session_id)
    sync(team.learner, "share")
    team.be(team.reviewer)
    sync(team.reviewer, "pull")
    runner = CliRunner()
    for name in (session_id, f"{team.learner.handle}/{session_id}"):
        result = runner.invoke(cli, ["review-session", name])
        assert result.exit_code == 1 and "needs a terminal" in result.output  # found: only the terminal is missing
    for bad in (f"m-nobody00/{session_id}", "Bad/Name", "no-such-session"):
        result = runner.invoke(cli, ["review-session", bad])
        assert result.exit_code == 1 and result.output.count("\n") == 1, result.output

    # Two teammates shared sessions of one id: the plain id is ambiguous, HANDLE/ID is not.
    shared = team.reviewer.clone / "sessions"
    twin = shared / "m-twin0000" / session_id
    shutil.copytree(shared / team.learner.handle / session_id, twin)
    (twin / "shared.json").write_text((twin / "shared.json").read_text(encoding="utf-8").replace(team.learner.handle, "m-twin0000"), encoding="utf-8")
    with pytest.raises(SessionError, match="HANDLE/ID"):
        resolve_session(session_id)
    assert resolve_session(f"m-twin0000/{session_id}").learner == "m-twin0000"
    # The learner's own id stays theirs, whatever teammates share.
    team.be(team.learner)
    assert resolve_session(session_id) == OwnSession(session_id)


# -- hostile team folders


async def test_bad_review_files_in_the_team_folder_are_one_line_each(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    share_session(session_id)
    reviews = team.learner.clone / "reviews"
    me = team.learner.handle

    def place(reviewer: str) -> Path:
        folder = reviews / reviewer / me
        folder.mkdir(parents=True)
        return folder / f"{session_id}.json"

    good = new_review(session_id, "m-good0000").with_mark(Mark("goal-2", "goal", "Say what done means.")).to_data()
    place("m-good0000").write_text(json.dumps(good), encoding="utf-8")
    place("m-torn0000").write_text('{"format": "tutor.session-review/1", "reviewer": ', encoding="utf-8")
    place("m-huge0000").write_text(json.dumps({**good, "comment": "x" * MAX_REVIEW_BYTES}), encoding="utf-8")
    place("m-deep0000").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    place("m-other000").write_text(json.dumps({**good, "session": "another-session"}), encoding="utf-8")
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(good), encoding="utf-8")
    place("m-link0000").symlink_to(outside)
    place("m-link1111").symlink_to(reviews / "m-good0000" / me / f"{session_id}.json")  # a link inside counts twice: refused too
    os.mkfifo(place("m-fifo0000"))
    (reviews / "m-dir00000").mkdir()
    (reviews / "m-dir00000" / me).symlink_to(reviews / "m-good0000" / me)
    (reviews / "Not A Handle" / me).mkdir(parents=True)
    (reviews / "Not A Handle" / me / f"{session_id}.json").write_text(json.dumps(good), encoding="utf-8")
    (reviews / "m-weird000" / me).mkdir(parents=True)
    (reviews / "m-weird000" / me / f"{session_id}.json").write_text(
        json.dumps({**good, "reviewer": "Eve\n\x1b[31mred\x1b[0m"}), encoding="utf-8"
    )

    [entry] = list_session_entries()
    assert len(entry.reviewers) == 2 and entry.reviewers[1] == "m-good0000" and entry.marks == 2
    assert entry.reviewers[0].startswith("Eve") and "\n" not in entry.reviewers[0] and "\x1b" not in entry.reviewers[0]  # one line, no escape
    assert len(entry.problems) == 9, entry.problems
    assert all("\n" not in problem and len(problem) < 500 for problem in entry.problems)
    shown = " | ".join(entry.problems)
    for expected in ("m-torn0000", "m-huge0000", "m-deep0000", "another session", "m-link0000", "m-link1111", "m-fifo0000", "m-dir00000", "Not A Handle"):
        assert expected in shown, expected
    read = load_reviews(session_id)
    assert len(read.reviews) == 2 and len(read.problems) == 9


async def test_a_hostile_shared_journal_is_read_bounded_and_reported(team: Team, tmp_path: Path) -> None:
    team.be(team.reviewer)
    folder = team.reviewer.clone / "sessions" / "m-hostile0" / "20260101-000000-abcdef"
    folder.mkdir(parents=True)
    lines = [
        json.dumps({"seq": 1, "at": 1.0, "kind": "session", "id": "20260101-000000-abcdef", "mode": "pair", "task": "t"}),
        json.dumps({"seq": 2, "at": 2.0, "kind": "goal", "text": "a goal\x1b]8;;http://x\x07"}),
        "not json",
        "[" * 5000 + "]" * 5000,
        json.dumps({"seq": 3, "kind": "assistant", "calls": "not a list"}),
        json.dumps([1, 2, 3]),
        *(json.dumps({"seq": 10 + n, "kind": "result", "call": {"odd": n}}) for n in range(50)),
    ]
    (folder / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    listed = list_team_session_entries()
    [entry] = listed.entries
    assert entry.summary.mode == "?" and any("shared.json" in problem for problem in entry.problems)  # no summary: one line
    trajectory = load_trajectory("m-hostile0/20260101-000000-abcdef")
    assert trajectory.steps[0].kind == "goal"
    assert len(trajectory.problems) <= 10 and all("\n" not in problem for problem in trajectory.problems)
    assert any("not JSON" in problem for problem in trajectory.problems)

    # A journal that is a link, or too large, cannot be opened: one line.
    outside = tmp_path / "outside.jsonl"
    outside.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    (folder / "journal.jsonl").unlink()
    (folder / "journal.jsonl").symlink_to(outside)
    with pytest.raises(SessionError, match="symbolic link"):
        load_trajectory("m-hostile0/20260101-000000-abcdef")
    (folder / "journal.jsonl").unlink()
    with (folder / "journal.jsonl").open("wb") as big:
        big.truncate(65 * 1024 * 1024)
    with pytest.raises(SessionError, match="at most 64 MiB"):
        load_trajectory("m-hostile0/20260101-000000-abcdef")


async def test_a_review_is_never_written_through_a_link_a_teammate_committed(team: Team, tmp_path: Path) -> None:
    session_id, _ = await lived_session(tmp_path)
    share_session(session_id)
    sync(team.learner, "share")
    team.be(team.reviewer)
    sync(team.reviewer, "pull")
    ref = resolve_session(session_id)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (team.reviewer.clone / "reviews" / team.reviewer.handle).symlink_to(elsewhere)
    with pytest.raises(SessionError, match="symbolic link"):
        save_review(new_review(session_id, team.reviewer.handle), session=ref)
    assert list(elsewhere.iterdir()) == []
    assert load_teams()[0].handle == team.reviewer.handle


async def test_after_tutor_team_sync_the_learner_sees_the_teammates_review(team: Team, tmp_path: Path) -> None:
    """The same, through `tutor team sync` itself: it commits the member's share and reviews alone, pulls and pushes."""
    from tutor.services.team_sync import sync_team

    def synced(member: Member) -> None:
        [membership] = load_teams()
        result = sync_team(membership)
        assert result.kept and result.sync.state.name == "SYNCED", result.lines()

    session_id, _ = await lived_session(tmp_path)
    result = CliRunner().invoke(cli, ["team", "share", session_id])
    assert result.exit_code == 0, result.output
    synced(team.learner)

    team.be(team.reviewer)
    synced(team.reviewer)
    ref = resolve_session(session_id)
    save_review(new_review(session_id, team.reviewer.handle).with_mark(Mark("goal-2", "goal", "Say what done means.")), session=ref)
    synced(team.reviewer)

    team.be(team.learner)
    synced(team.learner)
    [own] = list_session_entries()
    assert own.reviewers == (team.reviewer.handle,) and own.marks == 1
    assert load_reviews(session_id).reviews[0].marks[0].comment == "Say what done means."
