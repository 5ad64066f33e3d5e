"""`tutor team init|join|list` (issue 15): the team folder made and committed with the user's git,
joined from a clone or a URL, memberships with a random handle per team, the team's lessons in the library."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.support import EXAMPLE_CURRICULUM
from tutor.cli import cli
from tutor.errors import UserError
from tutor.services.library import lesson_key, load_library
from tutor.services.team import init_team, join_team, joined_teams
from tutor.settings import load_settings, load_teams


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


def made_team(tmp_path: Path, name: str = "Platform team") -> Path:
    team = tmp_path / "team"
    init_team(team, name)
    return team


def test_init_makes_the_layout_and_commits_it(tmp_path: Path) -> None:
    team = made_team(tmp_path)
    assert (team / "team.toml").read_text(encoding="utf-8").count('name = "Platform team"') == 1
    # An empty lessons array over two lines: each lesson published is a line of its own before the `]`.
    assert (team / "curricula" / "curriculum.toml").read_text(encoding="utf-8") == (
        'title = "Platform team"\ndescription = "The lessons of Platform team."\nlessons = [\n]\n'
    )
    for sub in ("results", "sessions", "reviews"):
        assert (team / sub / ".gitkeep").is_file()
    assert git("log", "--format=%s", cwd=team).strip() == "Tutor team Platform team"
    tracked = set(git("ls-files", cwd=team).split())
    assert tracked == {".gitattributes", "team.toml", "curricula/curriculum.toml", "results/.gitkeep", "sessions/.gitkeep", "reviews/.gitkeep"}
    assert git("status", "--porcelain", cwd=team) == ""


def test_init_has_git_merge_the_lessons_lists_by_union(tmp_path: Path) -> None:
    team = made_team(tmp_path)
    lines = (team / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "never conflicts" in lines[0]  # why, for whoever reads the file
    assert lines[1:] == ["curricula/curriculum.toml merge=union", "curricula/*/curriculum.toml merge=union"]
    asked = ["curricula/curriculum.toml", "curricula/ops/curriculum.toml", "team.toml", "curricula/x/lesson.json"]
    said = git("check-attr", "merge", "--", *asked, cwd=team).splitlines()
    assert said == [
        "curricula/curriculum.toml: merge: union",
        "curricula/ops/curriculum.toml: merge: union",
        "team.toml: merge: unspecified",
        "curricula/x/lesson.json: merge: unspecified",
    ]


def test_init_commits_in_an_existing_repository_only_its_own_files(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    git("init", "-q", cwd=team)
    (team / "notes.txt").write_text("mine, not staged", encoding="utf-8")
    (team / ".gitattributes").write_text("*.png binary", encoding="utf-8")  # the repository's own, no newline at the end
    init_team(team, 'A "quoted" \\ name')
    assert "notes.txt" not in git("ls-files", cwd=team).split()
    attributes = (team / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert attributes[0] == "*.png binary" and attributes[-2:] == ["curricula/curriculum.toml merge=union", "curricula/*/curriculum.toml merge=union"]
    assert git("show", "HEAD:.gitattributes", cwd=team).splitlines() == attributes
    assert git("log", "--format=%s", cwd=team).strip() == 'Tutor team A "quoted" \\ name'
    with pytest.raises(UserError, match=r"already has a team\.toml"):
        init_team(team, "Again")


def test_init_refuses_a_gitattributes_that_is_a_link_before_writing_anything(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    outside = tmp_path / "elsewhere"
    outside.write_text("* text\n", encoding="utf-8")
    (team / ".gitattributes").symlink_to(outside)
    with pytest.raises(UserError, match=r"\.gitattributes") as refused:
        init_team(team, "Platform team")
    assert "\n" not in str(refused.value)
    assert sorted(path.name for path in team.iterdir()) == [".gitattributes"]  # no team.toml: init can run again
    assert outside.read_text(encoding="utf-8") == "* text\n"


def test_join_a_clone_records_a_handle_and_keeps_other_settings(tmp_path: Path, tutor_home: Path) -> None:
    team = made_team(tmp_path)
    config = tutor_home / "config.toml"
    config.write_text('# mine\ntheme = "textual-light"  # kept\n', encoding="utf-8")
    clone = tmp_path / "mine"
    git("clone", "-q", str(team), str(clone))
    joined = join_team(str(clone))
    assert not joined.already and not joined.cloned
    assert joined.membership.path == clone.resolve()
    assert joined.membership.handle.startswith("m-")
    assert load_teams() == [joined.membership]
    assert join_team(str(clone)).membership.handle == joined.membership.handle  # joining again keeps it
    assert len(load_teams()) == 1
    assert config.read_text(encoding="utf-8") == '# mine\ntheme = "textual-light"  # kept\n'
    settings = load_settings()
    assert settings.theme == "textual-light" and settings.warnings == []
    assert clone.resolve() / "curricula" in settings.curriculum_roots()
    assert [name for _membership, name in joined_teams()] == ["Platform team"]


def test_two_members_get_different_handles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = made_team(tmp_path)
    handles = []
    for member in ("ann", "bob"):
        monkeypatch.setenv("TUTOR_HOME", str(tmp_path / f"home-{member}"))
        clone = tmp_path / f"clone-{member}"
        git("clone", "-q", str(team), str(clone))
        handles.append(join_team(str(clone)).membership.handle)
        assert (tmp_path / f"home-{member}" / "teams.toml").is_file()
    assert handles[0] != handles[1]


def test_join_refuses_a_folder_that_is_not_a_team_clone(tmp_path: Path, tutor_home: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UserError, match="is not a git clone") as refused:
        join_team(str(plain))
    assert "\n" not in str(refused.value)
    team = made_team(tmp_path)
    with pytest.raises(UserError, match="is not a git clone"):
        join_team(str(team / "results"))  # inside a clone is not a clone
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    with pytest.raises(UserError, match="not a team folder") as refused:
        join_team(str(repo))
    assert "\n" not in str(refused.value)
    assert not (tutor_home / "teams.toml").exists()


def test_join_by_url_clones_with_the_users_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = made_team(tmp_path)
    bare = tmp_path / "team.git"
    git("clone", "-q", "--bare", str(team), str(bare))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    joined = join_team(bare.as_uri())
    assert joined.cloned and joined.membership.path == (here / "team").resolve()
    assert (here / "team" / "team.toml").is_file()
    # Into a folder that exists and is not empty: refused before git runs.
    with pytest.raises(UserError, match="not empty"):
        join_team(bare.as_uri())
    into = tmp_path / "elsewhere" / "t"
    assert join_team(bare.as_uri(), dest=into).membership.path == into.resolve()
    assert len(load_teams()) == 2


def test_the_library_lists_the_teams_lessons_in_their_own_section(tmp_path: Path) -> None:
    team = made_team(tmp_path)
    shutil.rmtree(team / "curricula")
    shutil.copytree(EXAMPLE_CURRICULUM, team / "curricula")
    git("add", "--", "curricula", cwd=team)
    git("commit", "-q", "-m", "lessons", cwd=team)
    clone = tmp_path / "clone"
    git("clone", "-q", str(team), str(clone))
    join_team(str(clone))
    library = load_library(load_settings().curriculum_roots(), None)
    sections = {entry.title: entry for entry in library.curricula}
    assert "Team: Platform team" in sections
    lessons = sections["Team: Platform team"].lessons
    assert [entry.folder for entry in lessons] == ["tests-that-lie", "scope-creep"]
    first = lessons[0]
    assert first.lesson is not None
    assert lesson_key(first.path, first.lesson.id) == f"team:{clone.resolve()}/{first.lesson.id}"
    assert lesson_key(EXAMPLE_CURRICULUM / "tests-that-lie", first.lesson.id).startswith("curriculum:")


def test_the_team_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    made = runner.invoke(cli, ["team", "init", "t", "--name", "Ops"])
    assert made.exit_code == 0, made.output
    empty = runner.invoke(cli, ["team", "list"])
    assert "No teams joined yet" in empty.output
    git("clone", "-q", "t", "c", cwd=tmp_path)
    joined = runner.invoke(cli, ["team", "join", "c"])
    assert joined.exit_code == 0 and "your handle there is m-" in joined.output
    listed = runner.invoke(cli, ["team", "list"])
    assert "'Ops'" in listed.output and str((tmp_path / "c").resolve()) in listed.output
    refused = runner.invoke(cli, ["team", "join", "nowhere"])
    assert refused.exit_code == 1 and refused.output.count("\n") == 1 and "no such folder" in refused.output
    assert "team" in runner.invoke(cli, ["--help"]).output
