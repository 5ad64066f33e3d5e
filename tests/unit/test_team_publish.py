"""`tutor team publish LESSON` (issue 15, item 2): a lesson copied into the team's curricula,
validated, with an id no other curriculum uses, listed in order in curriculum.toml, redacted,
committed alone with the member's git, and seen by the other members once pulled."""

from __future__ import annotations

import base64
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.secret_tokens import TOKENS
from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.cli import cli
from tutor.lesson import read_lesson
from tutor.paths import bundled_curricula_dir
from tutor.services.library import load_library
from tutor.services.team import init_team, join_team
from tutor.services.team_publish import PublishError, publish_lesson
from tutor.settings import TeamMembership, load_settings
from tutor.team import TeamFormatError
from tutor.team.curriculum_toml import with_lesson_listed

BUNDLED = bundled_curricula_dir() / "steering-101"


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


def listed(team: TeamMembership) -> list[str]:
    import tomllib

    return tomllib.loads((team.path / "curricula" / "curriculum.toml").read_text(encoding="utf-8"))["lessons"]


def hidden_leftovers(team: TeamMembership) -> list[str]:
    return sorted(child.name for child in (team.path / "curricula").iterdir() if child.name.startswith("."))


def test_a_bundled_lesson_is_copied_with_its_bundle_listed_and_committed(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    published = publish_lesson(BUNDLED / "flaky-sleeps", team)
    copy = team.path / "curricula" / "flaky-sleeps"
    assert published.folder == copy and published.team_name == "Platform team"
    assert not published.updated and published.commit is not None and published.bundle == "repo.bundle"
    assert published.lesson_id == published.source_id == "flaky-sleeps"
    assert sorted(path.name for path in copy.iterdir()) == ["lesson.json", "repo.bundle"]  # not its source/
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
    assert toml.read_text(encoding="utf-8") == (
        '# Our lessons, newest last.\ntitle = "Platform"  # shown in the library\nlessons = ["flaky-sleeps", "example-scope-creep"] # none yet\n'
    )


def test_a_missing_curriculum_toml_is_made(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    git("rm", "-q", "curricula/curriculum.toml", cwd=team.path)
    git("commit", "-q", "-m", "no listing", cwd=team.path)
    assert not (team.path / "curricula").exists()  # not even the folder
    publish_lesson(BUNDLED / "flaky-sleeps", team)
    assert listed(team) == ["flaky-sleeps"]
    assert 'title = "Platform team"' in (team.path / "curricula" / "curriculum.toml").read_text(encoding="utf-8")
    assert "curricula/curriculum.toml" in git("show", "--name-only", "--format=", "HEAD", cwd=team.path).split()


def test_republishing_updates_the_copy_in_place_and_unchanged_commits_nothing(tmp_path: Path) -> None:
    team = joined_team(tmp_path)
    mine = own_lesson(tmp_path, BUNDLED / "flaky-sleeps", "sleepy-tests")
    publish_lesson(mine, team)
    publish_lesson(EXAMPLE_CURRICULUM / "scope-creep", team)
    edit_lesson(mine, lambda data: data.update(title="Sleepy tests, second take"))
    again = publish_lesson(mine, team)
    assert again.updated and again.commit is not None and again.title == "Sleepy tests, second take"
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
    assert committed == ["curricula/curriculum.toml", "curricula/flaky-sleeps/lesson.json", "curricula/flaky-sleeps/repo.bundle"]
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


def test_another_member_sees_it_after_pulling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = tmp_path / "made"
    init_team(made, "Platform team")
    remote = tmp_path / "team.git"
    git("init", "-q", "--bare", str(remote))
    git("push", "-q", str(remote), "HEAD:refs/heads/main", cwd=made)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=remote)
    clones = {}
    for member in ("ann", "bob"):
        clones[member] = tmp_path / f"clone-{member}"
        git("clone", "-q", str(remote), str(clones[member]))
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home-ann"))
    publish_lesson(BUNDLED / "flaky-sleeps", join_team(str(clones["ann"])).membership)
    git("push", "-q", "origin", "HEAD", cwd=clones["ann"])
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home-bob"))
    join_team(str(clones["bob"]))
    git("pull", "-q", "--ff-only", cwd=clones["bob"])
    library = load_library(load_settings().curriculum_roots(), None)
    team_section = next(entry for entry in library.curricula if entry.title == "Team: Platform team")
    assert [entry.folder for entry in team_section.lessons] == ["flaky-sleeps"]
    assert team_section.lessons[0].path == clones["bob"].resolve() / "curricula" / "flaky-sleeps"
    assert read_lesson(team_section.lessons[0].path).ok


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


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('title = "T"\nlessons = []\n', 'title = "T"\nlessons = ["new"]\n'),
        ('title = "T"\nlessons = ["a", "b",]\n', 'title = "T"\nlessons = ["a", "b", "new",]\n'),
        ('title = "T"\nlessons = [\n  "a",  # first\n  "b"  # second ]\n]\n', 'title = "T"\nlessons = [\n  "a",  # first\n  "b",  # second ]\n  "new"\n]\n'),
        ('title = "T"\nlessons = [\n    "a",\n]\n', 'title = "T"\nlessons = [\n    "a",\n    "new",\n]\n'),
        # The same words inside a multi-line string are not the key.
        ('description = """\nlessons = ["x"]\n"""\nlessons = [\'a\']\ntitle = "T"\n', 'description = """\nlessons = ["x"]\n"""\nlessons = [\'a\', "new"]\ntitle = "T"\n'),
        ('title = "T"', 'title = "T"\nlessons = ["new"]\n'),
    ],
)
def test_curriculum_toml_gains_the_lesson_and_nothing_else(before: str, after: str) -> None:
    assert with_lesson_listed(before, "new") == after
    assert with_lesson_listed(after, "new") is None  # listed already: nothing to write


def test_a_broken_curriculum_toml_is_refused_not_rewritten() -> None:
    with pytest.raises(TeamFormatError, match="not valid TOML"):
        with_lesson_listed("lessons = [", "new")
    with pytest.raises(TeamFormatError, match="must be a list"):
        with_lesson_listed('lessons = "a"', "new")
