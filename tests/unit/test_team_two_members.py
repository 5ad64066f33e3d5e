"""Issue 15's first "must show": two members (two `$TUTOR_HOME`s, two clones of one bare
repository) take lessons and sync in interleaved order, several times: no conflict, no lost
result, the report counts both; a lesson one publishes appears in the other's library after
sync; a session one shares and the other reviews appears reviewed for the first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.live_support import learner_turns, make_user_repo, play_learner_session
from tests.helpers.team_support import STEERING, Member, bare_team, git_sandbox, new_member, take_lesson
from tutor.cli import cli
from tutor.record.session_trajectory import Mark, new_review
from tutor.services.session_reviews import list_session_entries, list_team_session_entries, load_reviews, load_trajectory, save_review
from tutor.services.library import load_library
from tutor.settings import load_settings
from tutor.team import load_results


@pytest.fixture(autouse=True)
def _git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    git_sandbox(monkeypatch, tmp_path)


def tutor(member: Member, *args: str) -> str:
    """`tutor ARGS` as this member; its output (it must succeed)."""
    with member.acting():
        done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert done.exit_code == 0, f"tutor {' '.join(args)} as {member.name}: {done.output}"
    return done.output


def sync(member: Member) -> None:
    said = tutor(member, "team", "sync")
    assert said.splitlines()[0].endswith(": synced"), said


def library_titles(member: Member) -> set[str]:
    with member.acting():
        library = load_library(load_settings().curriculum_roots(), None)
    return {entry.title for curriculum in library.curricula if curriculum.path.is_relative_to(member.clone) for entry in curriculum.lessons}


def a_lesson_of_my_own(tmp_path: Path, lesson_id: str, title: str) -> Path:
    """A senior's own lesson, outside every curriculum: a bundled lesson under a new id and title."""
    folder = tmp_path / "drafts" / lesson_id
    shutil.copytree(STEERING / "hand-rolled-dates", folder)
    data = json.loads((folder / "lesson.json").read_text(encoding="utf-8"))
    data["id"], data["title"] = lesson_id, title
    (folder / "lesson.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def test_two_members_interleave_lessons_and_syncs_without_conflict_or_loss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch, lessons=("vague-goal", "scope-creep"))
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    lessons = ("vague-goal", "scope-creep")
    attempts: dict[str, set[str]] = {"Ada": set(), "Bob": set()}
    # Interleaved: each round, both take a lesson; who syncs first alternates, and one member
    # sometimes syncs twice in a row or takes a second lesson before syncing.
    plan = [
        ("Ada", "take", 0), ("Bob", "take", 0), ("Ada", "sync", None), ("Bob", "sync", None),
        ("Bob", "take", 1), ("Ada", "take", 1), ("Bob", "sync", None), ("Ada", "take", 0), ("Ada", "sync", None),
        ("Bob", "sync", None), ("Bob", "take", 1), ("Ada", "sync", None), ("Bob", "sync", None), ("Ada", "sync", None),
    ]
    members = {"Ada": ada, "Bob": bob}
    for who, action, lesson in plan:
        member = members[who]
        if action == "take":
            assert lesson is not None
            attempts[who].add(take_lesson(member, member.clone / "curricula" / lessons[lesson]))
        else:
            sync(member)
    for member in (ada, bob):
        pool = load_results(member.clone)
        assert pool.problems == []
        by_handle = {handle: {r.attempt for r in pool.results if r.handle == handle} for handle in (ada.handle, bob.handle)}
        assert by_handle == {ada.handle: attempts["Ada"], bob.handle: attempts["Bob"]}, f"{member.name}'s clone lost a result"
    # The report, from either clone, counts both members on each lesson.
    for member in (ada, bob):
        report = json.loads(tutor(member, "team", "report", "--format", "json"))
        learners = {entry["lesson"]: entry["learners"] for entry in report["lessons"]}
        assert learners == {"vague-goal": 2, "scope-creep": 2}


def test_a_published_lesson_appears_in_the_other_members_library_after_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch, lessons=("vague-goal",))
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    draft = a_lesson_of_my_own(tmp_path, "our-date-bug", "Our date bug, retold")
    assert "Our date bug, retold" not in library_titles(bob)
    said = tutor(ada, "team", "publish", str(draft))
    assert "our-date-bug" in said
    sync(ada)
    assert "Our date bug, retold" not in library_titles(bob)  # not before Bob syncs
    sync(bob)
    assert "Our date bug, retold" in library_titles(bob)
    # Bob takes it and syncs; Ada sees his result after her next sync.
    attempt = take_lesson(bob, bob.clone / "curricula" / "our-date-bug")
    sync(bob)
    sync(ada)
    assert attempt in {result.attempt for result in load_results(ada.clone, lesson="our-date-bug").results}


async def test_a_shared_session_reviewed_by_one_appears_reviewed_for_the_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch, lessons=("vague-goal",))
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    with ada.acting():
        session_id = await play_learner_session(make_user_repo(tmp_path), learner_turns())
    assert "sync" in tutor(ada, "team", "share", session_id)
    sync(ada)
    sync(bob)
    with bob.acting():
        [entry] = list_team_session_entries().entries
        assert entry.id == session_id and entry.reviewers == ()
        trajectory = load_trajectory(entry.ref)
        corrected = next(step for step in trajectory.steps if step.call is not None and step.call.decision == "corrected")
        review = new_review(session_id, bob.handle, seen_seq=trajectory.last_seq).with_mark(Mark(corrected.id, "test", "Right call: the test is the requirement."))
        save_review(review, session=entry.ref)
    with ada.acting():
        [own] = list_session_entries()
        assert own.reviewers == ()  # not before Bob syncs and Ada pulls
    sync(bob)
    sync(ada)
    with ada.acting():
        [own] = list_session_entries()
        assert own.id == session_id and own.reviewers == (bob.handle,) and own.marks == 1
        [mark] = load_reviews(session_id).reviews[0].marks
        step = load_trajectory(session_id).find(mark.step)
        assert step is not None and step.call is not None and step.call.decision == "corrected"
        assert mark.comment == "Right call: the test is the requirement."
