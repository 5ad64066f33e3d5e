"""One room, one screen (`tutor learn LESSON --facilitate`, issue 16): the service under the screen.
The room's counts per ask and round, the phases of an ask, where the tally file goes, and that
nothing of anyone is graded or kept but the counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import team_results as tr
from tests.helpers.hand_made import make_lesson
from tutor.errors import UserError
from tutor.learn import AskFrame, ReplayError, StepFrame
from tutor.lesson import AskType, save_lesson
from tutor.services.facilitate import (
    CLOSED,
    DISCUSS,
    NO_ASK,
    OPEN,
    REVEALED,
    REVOTE_CLOSED,
    REVOTE_OPEN,
    CountError,
    Facilitation,
    TallyPlace,
    open_facilitation,
    read_count,
    tally_place,
)
from tutor.services.team import TeamError
from tutor.team.tallies import LOCAL_HANDLE, TallyMode, load_tallies, read_tally

LESSON = make_lesson()  # a goal s1, an outcome s4, an intervene s6 (the senior stepped in: test), a choice s7
HIDDEN = "Stop: the test is the requirement."  # s6's own words: never on show before its reveal


def place(root: Path, *, min_group: int = 3) -> TallyPlace:
    root.mkdir(parents=True, exist_ok=True)
    return TallyPlace(root, "m-aaaaaaaa", "Platform team", min_group=min_group)


def to_next_ask(session: Facilitation) -> None:
    while session.view().phase in (NO_ASK, REVEALED) and not session.replay.finished:
        session.next()


def test_a_whole_session_counted_with_a_revote_is_one_tally_file(tmp_path: Path) -> None:
    moments = iter([datetime(2026, 12, 6, 14, 0, tzinfo=UTC), datetime(2026, 12, 6, 14, 0, tzinfo=UTC), datetime(2026, 12, 6, 14, 30, tzinfo=UTC)])
    session = Facilitation(LESSON, place(tmp_path / "team"), now=lambda: next(moments))
    assert session.view().phase == NO_ASK  # the task
    to_next_ask(session)
    view = session.view()
    assert (view.phase, view.ask_type, view.labels, view.round) == (OPEN, AskType.GOAL, (), 0)
    session.record({}, n=7)
    assert session.view().phase == CLOSED and session.view().first is not None and session.view().first.n == 7
    session.reveal()
    saved = session.saved
    assert saved is not None and saved.is_relative_to(tmp_path / "team" / "tallies" / "tests-that-lie")
    to_next_ask(session)
    assert (session.view().ask_type, session.view().labels) == (AskType.OUTCOME, ("works", "fails"))
    session.record({"works": 5, "fails": 2})
    session.discuss()
    assert session.view().phase == DISCUSS
    session.revote()
    view = session.view()
    assert (view.phase, view.round) == (REVOTE_OPEN, 2) and view.second is None
    session.record({"works": 1, "fails": 6})
    view = session.view()
    assert view.phase == REVOTE_CLOSED
    assert view.first is not None and view.first.counts == (("works", 5), ("fails", 2))
    assert view.second is not None and view.second.counts == (("works", 1), ("fails", 6))
    assert (view.first.step, view.first.round, view.second.round) == (4, 1, 2)
    session.reveal()
    revealed = session.view()
    assert revealed.phase == REVEALED and isinstance(revealed.replay.frame, StepFrame)
    assert revealed.first == view.first and revealed.second == view.second  # beside the senior's step
    to_next_ask(session)
    assert session.view().labels[:3] == ("let it run", "step in", "step in: goal")
    session.record({"let it run": 2, "step in: test": 3})
    session.reveal()
    to_next_ask(session)
    session.reveal()  # the choice: revealed without counting
    while not session.replay.finished:
        session.next()
    tally = read_tally(tmp_path / "team", saved)
    assert tally.mode is TallyMode.FACILITATED and tally.handle == "m-aaaaaaaa"
    assert (tally.started, tally.finished) == ("2026-12-06T14:00:00+00:00", "2026-12-06T14:30:00+00:00")
    assert [ask.step for ask in tally.asks] == ["s1", "s4", "s6"]  # s7 was not counted
    assert [[dict(held.counts) for held in ask.rounds] for ask in tally.asks] == [
        [{}],
        [{"works": 5, "fails": 2}, {"works": 1, "fails": 6}],
        [{"let it run": 2, "step in: test": 3}],
    ]
    assert [held.n for held in tally.asks[0].rounds] == [7]
    assert tally.participants == 7  # as many as ever answered one round
    assert load_tallies(tmp_path / "team").tallies == [tally]


def test_nothing_of_a_hidden_step_before_its_reveal_and_no_progress_kept(tmp_path: Path) -> None:
    from tutor import paths

    session = Facilitation(LESSON, place(tmp_path / "team"))
    seen: list[str] = []
    while not session.replay.finished:
        view = session.view()
        seen.append(repr(view))
        if isinstance(view.replay.frame, AskFrame):
            if view.replay.frame.number == 6:
                assert HIDDEN not in "".join(seen)
            session.record({}, n=3) if view.ask_type is AskType.GOAL else session.record({view.labels[0]: 3})
            session.reveal()
        else:
            session.next()
    assert HIDDEN in "".join(seen)  # once revealed, it is shown
    assert not paths.progress_dir().exists(), "nobody's attempt: nothing in progress"


def test_counting_again_replaces_the_round_and_the_form_is_filled_with_it(tmp_path: Path) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team"))
    to_next_ask(session)
    assert session.entered() is None
    session.record({}, n=4)
    session.count_again()
    assert session.view().phase == OPEN and session.entered() == {"n": 4}
    session.record({}, n=5)
    to_next = session.view()
    assert to_next.first is not None and to_next.first.n == 5
    session.reveal()
    to_next_ask(session)
    session.record({"works": 3, "fails": 0})
    session.discuss()
    session.revote()
    session.record({"works": 1, "fails": 2})
    session.count_again()
    assert session.view().phase == REVOTE_OPEN and session.entered() == {"works": 1, "fails": 2}
    session.record({"works": 0, "fails": 3})
    assert session.view().second is not None and session.view().second.counts == (("fails", 3),)  # zeros left out
    session.reveal()
    assert [held.n for held in session.tally().asks[1].rounds] == [3, 3]


def test_a_revote_opened_and_not_counted_is_no_round(tmp_path: Path) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team"))
    to_next_ask(session)
    session.reveal()  # the goal, uncounted
    to_next_ask(session)
    session.record({"works": 3, "fails": 3})
    session.discuss()
    session.revote()
    session.reveal()
    (ask,) = session.tally().asks
    assert ask.step == "s4" and [held.round for held in ask.rounds] == [1]


def test_moves_out_of_turn_are_refused(tmp_path: Path) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team"))
    with pytest.raises(ReplayError):
        session.record({}, n=1)  # the task: no question
    to_next_ask(session)
    with pytest.raises(ReplayError):
        session.next()  # the question is not revealed yet
    for move in (session.discuss, session.revote, session.count_again):
        with pytest.raises(ReplayError):
            move()
    session.record({}, n=3)
    with pytest.raises(ReplayError):
        session.record({}, n=3)  # closed: count again first
    with pytest.raises(ReplayError):
        session.revote()  # a discussion first


@pytest.mark.parametrize(
    ("counts", "n", "message"),
    [
        ({"maybe": 1}, None, "is not an answer to this question"),
        ({"option 0": 1}, None, "is not an answer to this question"),
        ({"works": -1}, None, "a whole number"),
        ({"works": True}, None, "a whole number"),
        ({"works": 100_001}, None, "a whole number"),
        ({"works": 60_000, "fails": 60_000}, None, "more than"),
    ],
)
def test_counts_that_cannot_be_are_one_line(tmp_path: Path, counts: dict, n: int | None, message: str) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team"))
    to_next_ask(session)
    session.reveal()
    to_next_ask(session)
    with pytest.raises(CountError, match=message):
        session.record(counts, n=n)
    assert session.view().phase == OPEN


def test_a_goal_needs_how_many_wrote_one(tmp_path: Path) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team"))
    to_next_ask(session)
    with pytest.raises(CountError, match="how many wrote a goal"):
        session.record({})
    with pytest.raises(CountError):
        session.record({}, n=-3)


def test_read_count() -> None:
    assert [read_count(text, what="works") for text in ("", " 7 ", "0", "100000")] == [0, 7, 0, 100_000]
    for text in ("-1", "1.5", "seven", "٣", "100001"):
        with pytest.raises(CountError, match="works: enter a whole number"):
            read_count(text, what="works")


def test_small_rounds_are_hidden_on_the_view_but_counted_in_the_file(tmp_path: Path) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team", min_group=5))
    to_next_ask(session)
    session.reveal()
    to_next_ask(session)
    session.record({"works": 2, "fails": 2})
    first = session.view().first
    assert first is not None and first.counts is None and first.n == 4
    session.reveal()
    assert dict(session.tally().asks[0].rounds[0].counts) == {"works": 2, "fails": 2}


def test_a_failed_save_says_so_and_the_counts_are_saved_with_the_next(tmp_path: Path) -> None:
    root = tmp_path / "team"
    session = Facilitation(LESSON, place(root))
    (root / "tallies").write_text("not a folder", encoding="utf-8")
    to_next_ask(session)
    session.record({}, n=3)
    session.reveal()
    assert session.saved is None and session.view().problem is not None
    assert "not saved" in session.view().problem and "\n" not in session.view().problem
    (root / "tallies").unlink()
    to_next_ask(session)
    session.record({"works": 3})
    session.reveal()
    assert session.view().problem is None and session.saved is not None
    assert [ask.step for ask in read_tally(root, session.saved).asks] == ["s1", "s4"]


def test_nothing_counted_writes_no_file(tmp_path: Path) -> None:
    session = Facilitation(LESSON, place(tmp_path / "team"))
    session.end()
    assert session.saved is None and not (tmp_path / "team" / "tallies").exists()


# -- where the tallies go


def test_without_a_team_the_tallies_stay_on_this_machine(tmp_path: Path) -> None:
    from tutor import paths

    where = tally_place()
    assert (where.root, where.handle, where.team, where.note) == (paths.home(), LOCAL_HANDLE, None, "")
    session = Facilitation(LESSON, where)
    to_next_ask(session)
    session.record({}, n=3)
    session.reveal()
    assert session.saved is not None and session.saved.is_relative_to(paths.home() / "tallies" / "tests-that-lie")
    assert session.saved.parent.name == LOCAL_HANDLE


def test_the_only_team_joined_keeps_them_with_its_min_group(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=4)
    tr.join(team)
    where = tally_place()
    assert (where.root, where.handle, where.team, where.min_group) == (team.resolve(), "m-aaaaaaaa", "Platform team", 4)
    assert tally_place("Platform team") == where


def test_two_teams_keep_them_here_unless_one_is_named(tmp_path: Path) -> None:
    from tutor import paths
    from tutor.settings import TeamMembership, save_teams

    first = tr.team_folder(tmp_path / "one", name="One")
    second = tr.team_folder(tmp_path / "two", name="Two")
    save_teams([TeamMembership(first.resolve(), "m-aaaaaaaa", "One"), TeamMembership(second.resolve(), "m-bbbbbbbb", "Two")])
    where = tally_place()
    assert where.root == paths.home() and "You are in 2 teams: the counts stay on this machine" in where.note and "--team" in where.note
    named = tally_place("Two")
    assert (named.root, named.handle) == (second.resolve(), "m-bbbbbbbb")
    with pytest.raises(TeamError, match="no team 'Three'"):
        tally_place("Three")


def test_a_team_that_cannot_be_read_keeps_them_here_unless_it_was_named(tmp_path: Path) -> None:
    from tutor import paths

    team = tr.team_folder(tmp_path / "team")
    tr.join(team)
    (team / "team.toml").write_text("name = 3\n", encoding="utf-8")
    where = tally_place()
    assert where.root == paths.home() and where.team is None
    assert where.note.startswith("The counts stay on this machine: cannot read the team at") and "\n" not in where.note
    with pytest.raises(TeamError, match="cannot read the team at"):
        tally_place(str(team))


def test_a_broken_lesson_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    folder.mkdir()
    (folder / "lesson.json").write_text("{", encoding="utf-8")
    with pytest.raises(UserError, match="the lesson is broken") as caught:
        open_facilitation(folder)
    assert "\n" not in str(caught.value)
    save_lesson(LESSON, folder)
    assert open_facilitation(folder).lesson.id == "tests-that-lie"


def test_the_command_line_checks_before_a_screen_opens(tmp_path: Path) -> None:
    from tutor.cli import cli

    folder = tmp_path / "lesson"
    folder.mkdir()
    save_lesson(LESSON, folder)
    runner = CliRunner()
    said = runner.invoke(cli, ["learn", "--facilitate"])
    assert said.exit_code == 1 and "say which lesson to facilitate" in said.output
    said = runner.invoke(cli, ["learn", str(folder), "--team", "x"])
    assert said.exit_code == 1 and "--team is for --facilitate" in said.output
    said = runner.invoke(cli, ["learn", str(folder), "--facilitate"])  # no terminal here
    assert said.exit_code == 1 and "needs a terminal" in said.output
    assert "--facilitate" in runner.invoke(cli, ["learn", "--help"]).output
