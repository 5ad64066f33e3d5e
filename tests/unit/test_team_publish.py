"""`tutor team publish LESSON` (issue 15, item 2): a lesson copied into the team's curricula,
validated, with an id no other curriculum uses, listed in order in curriculum.toml, redacted,
committed alone with the member's git, and seen by the other members once synced. Publishing
keeps the team's promise that syncing never conflicts: members who publish between syncs each
add a line to curriculum.toml (merged by union), and a lesson folder has one publisher."""

from __future__ import annotations

import base64
import msgspec
import json
import random
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.secret_tokens import TOKENS
from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.team_support import Member, bare_team, git, git_sandbox, new_member
from tutor.cli import cli
from tutor.lesson import io as lesson_io
from tutor.lesson import read_lesson
from tutor.lesson.io import lesson_digest
from tutor.paths import bundled_curricula_dir
from tutor.services.library import load_library
from tutor.services.team import init_team, join_team
from tutor.services.team_publish import PublishError, publish_lesson
from tutor.services.team_sync import sync_team
from tutor.settings import TeamMembership, load_settings, load_teams
from tutor.team import TeamFormatError
from tutor.team.curriculum_toml import new_curriculum_toml, with_lesson_listed
from tutor.team.union_merge import with_union_merge
from tutor.vcs.team_sync import SyncState

BUNDLED = bundled_curricula_dir() / "steering-101"


@pytest.fixture(autouse=True)
def ada(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Member]:
    """The member every test acts as unless it says otherwise: her own home and git identity, no global git config.
    The same person as `bare_team`'s first member."""
    git_sandbox(monkeypatch, tmp_path)
    with Member("Ada", tmp_path / "home-ada", tmp_path / "ada" / "team", monkeypatch).acting() as member:
        yield member


def joined_team(tmp_path: Path, name: str = "Platform team") -> TeamMembership:
    """A team made with `tutor team init`, and this member's clone of it, joined."""
    origin = tmp_path / "team"
    init_team(origin, name)
    clone = tmp_path / "clone"
    git("clone", "-q", str(origin), str(clone))
    return join_team(str(clone)).membership


def own_lesson(tmp_path: Path, source: Path, lesson_id: str, folder: str | None = None) -> Path:
    """A copy of `source` (lesson.json and its bundle) outside every curriculum, under `lesson_id`."""
    target = tmp_path / "mine" / (folder or lesson_id)
    target.mkdir(parents=True)
    data = json.loads((source / "lesson.json").read_text(encoding="utf-8"))
    data["id"] = lesson_id
    (target / "lesson.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if (source / "repo.bundle").exists():
        shutil.copyfile(source / "repo.bundle", target / "repo.bundle")
    return target


def edit_lesson(folder: Path, change) -> None:
    data = json.loads((folder / "lesson.json").read_text(encoding="utf-8"))
    change(data)
    (folder / "lesson.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def listed(team: TeamMembership | Path) -> list[str]:
    clone = team if isinstance(team, Path) else team.path
    return tomllib.loads((clone / "curricula" / "curriculum.toml").read_text(encoding="utf-8"))["lessons"]


def publisher_file(team: TeamMembership, lesson_id: str) -> str:
    return (team.path / "curricula" / lesson_id / ".publisher").read_text(encoding="utf-8")


def sync_as(member: Member) -> SyncState:
    with member.acting():
        synced = sync_team(load_teams()[0])
    assert synced.sync.state is SyncState.SYNCED, synced.lines()
    return synced.sync.state


def team_section(member: Member) -> list[str]:
    """The lesson folders of the team's section in `member`'s library, each readable."""
    with member.acting():
        library = load_library(load_settings().curriculum_roots(), None)
    (section,) = [entry for entry in library.curricula if entry.title == "Team: Platform team"]
    assert all(entry.lesson is not None and entry.problem is None for entry in section.lessons)
    return [entry.folder for entry in section.lessons]


def hidden_leftovers(team: TeamMembership) -> list[str]:
    return sorted(child.name for child in (team.path / "curricula").iterdir() if child.name.startswith("."))


def test_a_bundled_lesson_is_copied_with_its_bundle_listed_and_committed(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    published = publish_lesson(BUNDLED / "flaky-sleeps", team)
    copy = team.path / "curricula" / "flaky-sleeps"
    assert published.folder == copy and published.team_name == "Platform team"
    assert not published.updated and published.new_version and published.commit is not None and published.bundle == "repo.bundle"
    assert not published.took_over and not published.attributes_added  # `tutor team init` wrote .gitattributes
    assert published.lesson_id == published.source_id == "flaky-sleeps"
    assert sorted(path.name for path in copy.iterdir()) == [".publisher", "lesson.json", "repo.bundle"]  # not its source/
    assert publisher_file(team, "flaky-sleeps") == f"{team.handle}\n"
    assert (copy / "repo.bundle").read_bytes() == (BUNDLED / "flaky-sleeps" / "repo.bundle").read_bytes()
    read = read_lesson(copy)
    assert read.ok and read.lesson is not None and read.lesson.title == published.title
    assert listed(team) == ["flaky-sleeps"]
    assert git("log", "-1", "--format=%H %s", cwd=team.path).strip() == f"{published.commit} Publish lesson flaky-sleeps: {published.title}"
    assert hidden_leftovers(team) == [] and git("status", "--porcelain", cwd=team.path) == ""


def test_curriculum_toml_is_extended_in_order_and_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    toml = team.path / "curricula" / "curriculum.toml"
    toml.write_text('# Our lessons, newest last.\ntitle = "Platform"  # shown in the library\nlessons = [] # none yet\n', encoding="utf-8")
    git("commit", "-q", "-am", "hand-edited", cwd=team.path)
    publish_lesson(BUNDLED / "flaky-sleeps", team)
    publish_lesson(EXAMPLE_CURRICULUM / "scope-creep", team)
    assert listed(team) == ["flaky-sleeps", "example-scope-creep"]
    # The one-line array is rewritten once into one id a line; the rest of the file is as it was.
    assert toml.read_text(encoding="utf-8") == (
        '# Our lessons, newest last.\ntitle = "Platform"  # shown in the library\nlessons = [\n  "flaky-sleeps",\n  "example-scope-creep",\n] # none yet\n'
    )


def test_a_missing_curriculum_toml_is_made(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    git("rm", "-q", "curricula/curriculum.toml", cwd=team.path)
    git("commit", "-q", "-m", "no listing", cwd=team.path)
    assert not (team.path / "curricula").exists()  # not even the folder
    publish_lesson(BUNDLED / "flaky-sleeps", team)
    assert listed(team) == ["flaky-sleeps"]
    assert (team.path / "curricula" / "curriculum.toml").read_text(encoding="utf-8") == new_curriculum_toml("Platform team", ["flaky-sleeps"])
    assert "curricula/curriculum.toml" in git("show", "--name-only", "--format=", "HEAD", cwd=team.path).split()


def test_republishing_updates_the_copy_in_place_and_unchanged_commits_nothing(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    publish_lesson(mine, team)
    publish_lesson(EXAMPLE_CURRICULUM / "scope-creep", team)
    edit_lesson(mine, lambda data: data.update(title="Sleepy tests, second take"))
    again = publish_lesson(mine, team)
    assert again.updated and again.new_version and again.commit is not None and again.title == "Sleepy tests, second take"
    assert not again.took_over and publisher_file(team, "sleepy-tests") == f"{team.handle}\n"  # still hers
    assert listed(team) == ["sleepy-tests", "example-scope-creep"]  # its place is kept
    copy = read_lesson(team.path / "curricula" / "sleepy-tests")
    assert copy.lesson is not None and copy.lesson.title == "Sleepy tests, second take"
    assert git("show", "--name-only", "--format=", "HEAD", cwd=team.path).split() == ["curricula/sleepy-tests/lesson.json"]
    head = git("rev-parse", "HEAD", cwd=team.path)
    unchanged = publish_lesson(mine, team)
    assert unchanged.updated and unchanged.commit is None
    assert git("rev-parse", "HEAD", cwd=team.path) == head
    assert hidden_leftovers(team) == [] and git("status", "--porcelain", cwd=team.path) == ""


def test_an_id_another_curriculum_uses_is_refused_and_a_new_id_publishes_it(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    mine = own_lesson(tmp_path, BUNDLED / "vague-goal", "vague-goal")  # the bundled curriculum has this id
    with pytest.raises(PublishError) as refused:
        publish_lesson(mine, team)
    message = str(refused.value)
    assert "\n" not in message and "'vague-goal'" in message and "--id NEW-ID" in message
    assert str(BUNDLED / "vague-goal") in message
    assert listed(team) == [] and not (team.path / "curricula" / "vague-goal").exists()
    published = publish_lesson(mine, team, new_id="vague-goal-ops")
    assert (published.lesson_id, published.source_id) == ("vague-goal-ops", "vague-goal")
    copy = read_lesson(team.path / "curricula" / "vague-goal-ops")
    assert copy.lesson is not None and copy.lesson.id == "vague-goal-ops"
    assert json.loads((mine / "lesson.json").read_text(encoding="utf-8"))["id"] == "vague-goal"  # the source keeps its id
    assert listed(team) == ["vague-goal-ops"]
    with pytest.raises(PublishError, match="an id is lowercase letters"):
        publish_lesson(mine, team, new_id="../escape")


def test_the_same_id_in_another_team_is_a_clash(tmp_path: Path) -> None:
    first = joined_team(tmp_path / "one", "First")
    second = joined_team(tmp_path / "two", "Second")
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    publish_lesson(mine, first)
    with pytest.raises(PublishError, match=r"already used by .*'First'"):
        publish_lesson(mine, second)


def test_a_lesson_the_team_lists_under_another_folder_is_a_clash_even_as_the_source(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    draft = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests", folder="draft")
    shutil.move(draft, team.path / "curricula" / "draft")
    (team.path / "curricula" / "curriculum.toml").write_text('title = "Platform team"\nlessons = ["draft"]\n', encoding="utf-8")
    # Published as it is, the team would list two lessons of one id: draft/ and sleepy-tests/.
    with pytest.raises(PublishError, match=r"already used by .*curricula/draft"):
        publish_lesson(team.path / "curricula" / "draft", team)
    assert publish_lesson(team.path / "curricula" / "draft", team, new_id="sleepy-tests-2").lesson_id == "sleepy-tests-2"


def test_a_folder_holding_another_lesson_is_never_replaced(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    shutil.copytree(EXAMPLE_CURRICULUM / "scope-creep", team.path / "curricula" / "sleepy-tests")  # unlisted, id example-scope-creep
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    with pytest.raises(PublishError, match="holds another lesson"):
        publish_lesson(mine, team)
    assert read_lesson(team.path / "curricula" / "sleepy-tests").lesson.id == "example-scope-creep"


def test_an_invalid_lesson_is_refused_with_its_problems(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    edit_lesson(mine, lambda data: data.update(title="", level="expert"))
    with pytest.raises(PublishError) as refused:
        publish_lesson(mine, team)
    assert "not a valid lesson (2 problems" in str(refused.value)
    problems = refused.value.problems
    assert len(problems) == 2 and all("\n" not in line for line in problems)
    assert any(line.startswith(f"{mine / 'lesson.json'}: title:") for line in problems)
    assert any(": level:" in line for line in problems)
    assert sorted(path.name for path in (team.path / "curricula").iterdir()) == ["curriculum.toml"]


def test_a_secret_is_redacted_in_the_copy_and_kept_in_the_source(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    token = TOKENS["github-token"][0](random.Random(15))
    encoded = base64.b64encode(f"token={token}".encode()).decode()
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")

    def plant(data: dict) -> None:
        data["steps"][0]["annotation"] = f"I had exported {token} before starting."
        data["task"] += f"\n\nThe CI log said `{encoded}`."  # the same secret, encoded: caught because it was seen plainly

    edit_lesson(mine, plant)
    published = publish_lesson(mine, team)
    assert published.redactions == 2
    copied = (published.folder / "lesson.json").read_text(encoding="utf-8")
    assert token not in copied and encoded not in copied and "[REDACTED:github-token]" in copied
    source = (mine / "lesson.json").read_text(encoding="utf-8")
    assert token in source and encoded in source  # the source is never redacted in place
    assert subprocess.run(["git", "grep", "-q", token, "HEAD"], cwd=team.path, check=False).returncode == 1


def test_the_commit_holds_the_lesson_folder_and_curriculum_toml_alone(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    (team.path / "notes.txt").write_text("mine, untracked", encoding="utf-8")
    with (team.path / "team.toml").open("a", encoding="utf-8") as handle:
        handle.write("# an edit in progress\n")
    git("add", "team.toml", cwd=team.path)  # staged, and still not part of the publish
    publish_lesson(BUNDLED / "flaky-sleeps", team)
    committed = sorted(git("show", "--name-only", "--format=", "HEAD", cwd=team.path).split())
    assert committed == [
        "curricula/curriculum.toml",
        "curricula/flaky-sleeps/.publisher",
        "curricula/flaky-sleeps/lesson.json",
        "curricula/flaky-sleeps/repo.bundle",
    ]
    status = git("status", "--porcelain", cwd=team.path).splitlines()
    assert sorted(status) == ["?? notes.txt", "M  team.toml"]


def test_a_failure_while_writing_leaves_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = joined_team(tmp_path)
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    publish_lesson(mine, team)
    before = (team.path / "curricula" / "sleepy-tests" / "lesson.json").read_bytes()
    edit_lesson(mine, lambda data: data.update(title="Second take"))

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tutor.lesson.io.save_lesson", disk_full)
    with pytest.raises(PublishError, match=r"No space left on device.*as it was"):
        publish_lesson(mine, team)
    assert (team.path / "curricula" / "sleepy-tests" / "lesson.json").read_bytes() == before
    assert hidden_leftovers(team) == [] and git("status", "--porcelain", cwd=team.path) == ""


def test_a_failure_writing_the_listing_puts_everything_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = joined_team(tmp_path)
    toml = (team.path / "curricula" / "curriculum.toml").read_bytes()

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tutor.lesson.io.write_atomic", refused)
    with pytest.raises(PublishError, match="Permission denied"):
        publish_lesson(BUNDLED / "flaky-sleeps", team)
    assert sorted(path.name for path in (team.path / "curricula").iterdir()) == ["curriculum.toml"]
    assert (team.path / "curricula" / "curriculum.toml").read_bytes() == toml


def test_the_published_lesson_is_in_the_teams_library_section(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    publish_lesson(BUNDLED / "flaky-sleeps", team)
    library = load_library(load_settings().curriculum_roots(), None)
    sections = {entry.title: entry for entry in library.curricula}
    lessons = sections["Team: Platform team"].lessons
    assert [entry.folder for entry in lessons] == ["flaky-sleeps"]
    assert lessons[0].lesson is not None and lessons[0].problem is None


def test_the_publish_command(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    runner = CliRunner()
    done = runner.invoke(cli, ["team", "publish", str(BUNDLED / "flaky-sleeps")])
    assert done.exit_code == 0, done.output
    assert f"to the team 'Platform team': {team.path / 'curricula' / 'flaky-sleeps'}" in done.output
    commit = git("rev-parse", "HEAD", cwd=team.path).strip()
    assert f"Committed {commit[:12]}" in done.output and "tutor team sync" in done.output
    assert "No secrets found" in done.output and "repo.bundle is copied as it is" in done.output
    again = runner.invoke(cli, ["team", "publish", str(BUNDLED / "flaky-sleeps"), "--team", "Platform team"])
    assert again.exit_code == 0 and "unchanged since the last publish: nothing committed" in again.output
    mine = own_lesson(tmp_path, BUNDLED / "vague-goal", "vague-goal")
    clash = runner.invoke(cli, ["team", "publish", str(mine)])
    assert clash.exit_code == 1 and clash.output.count("\n") == 1 and "--id NEW-ID" in clash.output
    renamed = runner.invoke(cli, ["team", "publish", str(mine), "--id", "vague-goal-ops"])
    assert renamed.exit_code == 0 and "as vague-goal-ops (its own id is vague-goal)" in renamed.output
    edit_lesson(mine, lambda data: data.update(title=""))
    broken = runner.invoke(cli, ["team", "publish", str(mine), "--id", "other"])
    assert broken.exit_code == 1
    assert broken.output.splitlines()[1:] == [f"{mine / 'lesson.json'}: title: string should have at least 1 character (got '')"]
    assert "publish" in runner.invoke(cli, ["team", "--help"]).output


def test_a_lesson_another_member_published_is_refused_unless_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    hers = own_lesson(tmp_path / "ada", BUNDLED / "flaky-sleeps", "sleepy-tests")
    with ada.acting():
        publish_lesson(hers, load_teams()[0])
    sync_as(ada)
    sync_as(bob)
    his = own_lesson(tmp_path / "bob", BUNDLED / "flaky-sleeps", "sleepy-tests")
    edit_lesson(his, lambda data: data.update(title="Bob's sleepy tests"))
    with bob.acting():
        team = load_teams()[0]
        head = git("rev-parse", "HEAD", cwd=team.path)
        with pytest.raises(PublishError) as refused:
            publish_lesson(his, team)
        message = str(refused.value)
        assert "\n" not in message and ada.handle in message and "--id NEW-ID" in message and "--take-over" in message
        assert git("rev-parse", "HEAD", cwd=team.path) == head and git("status", "--porcelain", cwd=team.path) == ""
        assert publisher_file(team, "sleepy-tests") == f"{ada.handle}\n"
        taken = publish_lesson(his, team, take_over=True)
        assert taken.took_over and taken.previous_publisher == ada.handle and taken.updated and taken.new_version
        assert publisher_file(team, "sleepy-tests") == f"{bob.handle}\n"
        subject = git("log", "-1", "--format=%s", cwd=team.path).strip()
        assert subject == f"Publish lesson sleepy-tests: Bob's sleepy tests (taken over from {ada.handle})"
    sync_as(bob)
    sync_as(ada)
    # Now it is Bob's: Ada's republish is refused in turn, naming him; Bob's own republish is an update.
    edit_lesson(hers, lambda data: data.update(title="Ada's second take"))
    with ada.acting(), pytest.raises(PublishError, match=f"published by {bob.handle}, not you"):
        publish_lesson(hers, load_teams()[0])
    edit_lesson(his, lambda data: data.update(title="Bob's second take"))
    with bob.acting():
        again = publish_lesson(his, load_teams()[0])
    assert again.updated and again.new_version and not again.took_over and again.commit is not None


def test_a_lesson_without_a_recorded_publisher_is_taken_over_on_purpose(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    publish_lesson(mine, team)
    # As a team made before Tutor recorded publishers has it (or a lesson added by hand).
    git("rm", "-q", "curricula/sleepy-tests/.publisher", cwd=team.path)
    git("commit", "-q", "-m", "before publishers", cwd=team.path)
    with pytest.raises(PublishError, match=r"records no publisher .*--id NEW-ID.*--take-over"):
        publish_lesson(mine, team)
    taken = publish_lesson(mine, team, take_over=True)
    assert taken.took_over and taken.previous_publisher is None and not taken.new_version  # the same lesson, now owned
    assert publisher_file(team, "sleepy-tests") == f"{team.handle}\n"
    assert git("log", "-1", "--format=%s", cwd=team.path).strip().endswith("(taken over: no publisher was recorded)")
    (team.path / "curricula" / "sleepy-tests" / ".publisher").write_text("../not a handle\nsecond line\n", encoding="utf-8")
    with pytest.raises(PublishError, match="records no publisher"):
        publish_lesson(mine, team)


def test_a_handle_tutor_did_not_make_is_never_written_into_the_team(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    with pytest.raises(PublishError, match=r"your handle .* is not one Tutor made"):
        publish_lesson(BUNDLED / "flaky-sleeps", msgspec.structs.replace(team, handle="../m-x\nsecond"))
    assert listed(team) == [] and git("status", "--porcelain", cwd=team.path) == ""


def test_the_publisher_file_changes_nothing_for_validate_or_the_version(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    published = publish_lesson(BUNDLED / "flaky-sleeps", team)
    checked = CliRunner().invoke(cli, ["validate", str(team.path / "curricula")])
    assert checked.exit_code == 0, checked.output
    assert "problem" not in checked.output.lower()
    source = read_lesson(BUNDLED / "flaky-sleeps").lesson
    copy = read_lesson(published.folder).lesson
    assert source is not None and copy is not None
    assert lesson_digest(copy) == lesson_digest(source)  # no secret to redact: the team's version is the lesson's own


@pytest.mark.parametrize("first", ["Ada", "Bob"])
@pytest.mark.parametrize("team_made", ["by init", "before union merging"])
def test_two_members_publishing_between_syncs_never_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, team_made: str) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)  # its curriculum.toml lists two lessons on one line
    with ada.acting():
        if team_made == "before union merging":
            git("rm", "--quiet", ".gitattributes", cwd=ada.clone)
        else:
            (ada.clone / "curricula" / "curriculum.toml").write_text(new_curriculum_toml("Platform team", ["vague-goal", "scope-creep"]), encoding="utf-8")
            git("add", "curricula/curriculum.toml", cwd=ada.clone)
        git("commit", "--quiet", "-m", f"a team made {team_made}", cwd=ada.clone)
        git("push", "--quiet", cwd=ada.clone)
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    for member, lesson_id in ((ada, "adas-lesson"), (bob, "bobs-lesson")):
        lesson = own_lesson(tmp_path / member.name, BUNDLED / "flaky-sleeps", lesson_id)
        with member.acting():
            published = publish_lesson(lesson, load_teams()[0])
        assert published.attributes_added is (team_made == "before union merging")
    order = [ada, bob] if first == "Ada" else [bob, ada]
    for member in [*order, order[0]]:  # the first to sync syncs again to pull the second's lesson
        assert sync_as(member) is SyncState.SYNCED
    mine_first = ["adas-lesson", "bobs-lesson"] if first == "Ada" else ["bobs-lesson", "adas-lesson"]
    for member in (ada, bob):
        assert listed(member.clone) == ["vague-goal", "scope-creep", *mine_first]
        assert team_section(member) == ["vague-goal", "scope-creep", *mine_first]
        text = (member.clone / "curricula" / "curriculum.toml").read_text(encoding="utf-8")
        assert text.endswith('lessons = [\n  "vague-goal",\n  "scope-creep",\n' + "".join(f'  "{name}",\n' for name in mine_first) + "]\n")
        assert "curricula/curriculum.toml merge=union" in (member.clone / ".gitattributes").read_text(encoding="utf-8")
        assert git("status", "--porcelain", cwd=member.clone) == ""
    assert git("rev-parse", "HEAD", cwd=ada.clone) == git("rev-parse", "HEAD", cwd=bob.clone)


def test_a_team_made_before_union_merging_gains_it_with_the_publish(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    (team.path / ".gitattributes").write_text("*.png binary\n", encoding="utf-8")
    git("commit", "-q", "-am", "attributes of the team's own", cwd=team.path)
    published = publish_lesson(BUNDLED / "flaky-sleeps", team)
    assert published.attributes_added
    assert (team.path / ".gitattributes").read_text(encoding="utf-8").startswith("*.png binary\n# ")
    assert ".gitattributes" in git("show", "--name-only", "--format=", "HEAD", cwd=team.path).split()
    assert git("check-attr", "merge", "--", "curricula/curriculum.toml", cwd=team.path).strip().endswith("merge: union")
    assert not publish_lesson(EXAMPLE_CURRICULUM / "scope-creep", team).attributes_added  # once


def test_a_failure_writing_gitattributes_puts_the_listing_and_the_lesson_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = joined_team(tmp_path)
    git("rm", "-q", ".gitattributes", cwd=team.path)
    git("commit", "-q", "-m", "a team made before union merging", cwd=team.path)
    toml = (team.path / "curricula" / "curriculum.toml").read_bytes()
    write_atomic = lesson_io.write_atomic

    def refused_for_attributes(target: Path, payload: bytes) -> None:
        if target.name == ".gitattributes":
            raise PermissionError(13, "Permission denied")
        write_atomic(target, payload)

    monkeypatch.setattr("tutor.lesson.io.write_atomic", refused_for_attributes)
    with pytest.raises(PublishError, match=r"Permission denied.*as it was"):
        publish_lesson(BUNDLED / "flaky-sleeps", team)
    assert (team.path / "curricula" / "curriculum.toml").read_bytes() == toml
    assert sorted(path.name for path in (team.path / "curricula").iterdir()) == ["curriculum.toml"]
    assert git("status", "--porcelain", cwd=team.path) == ""


def test_the_publish_command_takes_over_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, ada = bare_team(tmp_path, monkeypatch)
    bob = new_member("Bob", bare, tmp_path, monkeypatch)
    hers = own_lesson(tmp_path / "ada", BUNDLED / "flaky-sleeps", "sleepy-tests")
    with ada.acting():
        assert CliRunner().invoke(cli, ["team", "publish", str(hers)]).exit_code == 0
    sync_as(ada)
    sync_as(bob)
    with bob.acting():
        refused = CliRunner().invoke(cli, ["team", "publish", str(hers)])
        assert refused.exit_code == 1 and refused.output.count("\n") == 1
        assert ada.handle in refused.output and "--id NEW-ID" in refused.output
        taken = CliRunner().invoke(cli, ["team", "publish", str(hers), "--take-over"])
    assert taken.exit_code == 0, taken.output
    assert f"Taken over from {ada.handle} (--take-over): you are its publisher now" in taken.output
    assert "(the same version)" in taken.output  # the same lesson: answers to it still pool together


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('title = "T"\nlessons = []\n', 'title = "T"\nlessons = [\n  "new",\n]\n'),
        ('title = "T"\nlessons = [\n]\n', 'title = "T"\nlessons = [\n  "new",\n]\n'),
        ('title = "T"\nlessons = ["a", "b",]\n', 'title = "T"\nlessons = [\n  "a",\n  "b",\n  "new",\n]\n'),
        # Rewritten into one id a line, each with its comma, its comments kept beside it.
        ('title = "T"\nlessons = [\n  "a",  # first\n  "b"  # second ]\n]\n', 'title = "T"\nlessons = [\n  "a",  # first\n  "b",  # second ]\n  "new",\n]\n'),
        ('title = "T"\nlessons = [ # ours\n "a", "b", # two\n # more to come\n]\n', 'title = "T"\nlessons = [  # ours\n "a",\n "b",  # two\n # more to come\n "new",\n]\n'),
        # Already one id a line: only the new line, indented like the others.
        ('title = "T"\nlessons = [\n    "a",\n\n    # later\n    "b",\n]\n', 'title = "T"\nlessons = [\n    "a",\n\n    # later\n    "b",\n    "new",\n]\n'),
        # The same words inside a multi-line string are not the key.
        ('description = """\nlessons = ["x"]\n"""\nlessons = [\'a\']\ntitle = "T"\n', 'description = """\nlessons = ["x"]\n"""\nlessons = [\n  "a",\n  "new",\n]\ntitle = "T"\n'),
        ('title = "T"', 'title = "T"\nlessons = [\n  "new",\n]\n'),
        ('title = "T"\n[meta]\nowner = "ops"\n', 'title = "T"\nlessons = [\n  "new",\n]\n[meta]\nowner = "ops"\n'),
        ('title = "T"\r\nlessons = ["a"]\r\n', 'title = "T"\r\nlessons = [\r\n  "a",\r\n  "new",\r\n]\r\n'),
    ],
)
def test_curriculum_toml_gains_the_lesson_on_a_line_of_its_own_and_nothing_else(before: str, after: str) -> None:
    assert with_lesson_listed(before, "new") == after
    assert with_lesson_listed(after, "new") is None  # listed already: nothing to write


def test_two_additions_side_by_side_still_parse() -> None:
    """What git's union merge makes of two members' additions: both new lines, one after the other."""
    base = new_curriculum_toml("T", ["a"])
    hers, his = with_lesson_listed(base, "hers"), with_lesson_listed(base, "his")
    assert hers is not None and his is not None
    head, _, closing = base.rpartition("]")
    union = head + hers.removeprefix(head).removesuffix("]" + closing) + his.removeprefix(head)
    assert tomllib.loads(union)["lessons"] == ["a", "hers", "his"]


def test_a_broken_curriculum_toml_is_refused_not_rewritten() -> None:
    with pytest.raises(TeamFormatError, match="not valid TOML"):
        with_lesson_listed("lessons = [", "new")
    with pytest.raises(TeamFormatError, match="must be a list"):
        with_lesson_listed('lessons = "a"', "new")


def test_gitattributes_gain_the_union_lines_once() -> None:
    made = with_union_merge(None)
    assert made is not None
    assert made.splitlines()[1:] == ["curricula/curriculum.toml merge=union", "curricula/*/curriculum.toml merge=union"]
    assert with_union_merge(made) is None
    partial = "*.png binary\ncurricula/curriculum.toml  merge=union text"
    completed = with_union_merge(partial)
    assert completed is not None and completed.startswith(partial + "\n# ")
    assert completed.splitlines()[-1] == "curricula/*/curriculum.toml merge=union"  # only the missing line
    assert with_union_merge(completed) is None


def test_a_clone_that_lost_its_git_is_not_committed_into_the_repository_around_it(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    shutil.rmtree(team.path / ".git")
    git("init", "--quiet", cwd=tmp_path)  # a folder above kept in git
    (tmp_path / "dotfile").write_text("mine\n", encoding="utf-8")
    git("add", "dotfile", cwd=tmp_path)
    git("commit", "--quiet", "-m", "dotfiles", cwd=tmp_path)
    head = git("rev-parse", "HEAD", cwd=tmp_path)
    with pytest.raises(PublishError, match="is not the top of a git clone"):
        publish_lesson(str(own_lesson(tmp_path, BUNDLED / "vague-goal", "my-own-lesson")), team=team)
    assert git("rev-parse", "HEAD", cwd=tmp_path) == head
