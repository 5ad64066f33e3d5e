"""`tutor pair`, `tutor record` and `tutor review-session`: live sessions with the agent, and seniors' reviews of them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..words import plural
from . import TutorError, _interactive, _settings, cli, echo, make_app


@cli.command()
@click.option("--repo", type=click.Path(path_type=Path), help="The git repository to work on (Tutor never writes to it: the agent works in a private copy; its commands run sandboxed where bubblewrap runs, else with your permissions).")
@click.option("--task", default="", help="What the session is about (shown to you and the agent; your goal contract comes first).")
@click.option("--demo", is_flag=True, help="Pair with a scripted agent on a bundled sample project (no API key needed).")
@click.option("--resume", "resume_id", metavar="ID", help="Continue session ID where it stopped (see --list).")
@click.option("--list", "list_sessions", is_flag=True, help="List your sessions and exit.")
@click.option("--lesson", "lesson_id", metavar="ID", help="Write session ID as a lesson draft (origin: recorded) and exit.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="With --lesson: the lesson folder to write (default ./session-ID).")
def pair(repo: Path | None, task: str, demo: bool, resume_id: str | None, list_sessions: bool, lesson_id: str | None, out: Path | None) -> None:
    """Work live with the agent: set the goal, then predict before every action runs.

    Before each write or command the agent proposes, press w (works) or f (fails),
    1 2 3 for your confidence, then r to let it run or c to correct it. The
    session is journaled as it happens under $TUTOR_HOME/sessions, so nothing is
    lost and `tutor pair --resume ID` continues it.

    Needs ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL is honoured, as by the SDK); without
    one, Tutor offers the scripted demo.
    """
    _live(mode="pair", repo=repo, task=task, demo=demo, resume_id=resume_id, list_sessions=list_sessions, lesson_id=lesson_id, out=out)


@cli.command()
@click.option("--repo", type=click.Path(path_type=Path), help="The git repository to work on (Tutor never writes to it: the agent works in a private copy, files it ignores, like .env, left out; its commands run sandboxed where bubblewrap runs, else with your permissions).")
@click.option("--task", default="", help="The situation, as learners will read it first (your goal comes next).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="The lesson folder to write on saving (default: a new lesson in your curriculum, $TUTOR_HOME/curricula/recorded).")
@click.option("--demo", is_flag=True, help="Record with a scripted agent on a bundled sample project (no API key needed), to try recording out.")
@click.option("--resume", "resume_id", metavar="ID", help="Continue recording ID where it stopped, after a crash or a quit (see --list).")
@click.option("--list", "list_sessions", is_flag=True, help="List your sessions and exit.")
def record(repo: Path | None, task: str, out: Path | None, demo: bool, resume_id: str | None, list_sessions: bool) -> None:
    """Record a live session with the agent as a lesson learners replay.

    Set the goal (ctrl+s); at each write or command the agent proposes, r lets it
    run and c corrects it (a category key, your message, why, ctrl+s). a annotates
    the current step, m marks a question for learners on it. ctrl+q asks whether
    to save: y writes the lesson (lesson.json + repo.bundle, origin: recorded), n
    keeps only the journal. Every step is journaled as it happens, so after a
    crash `tutor record --resume ID` loses nothing.
    """
    _live(mode="record", repo=repo, task=task, demo=demo, resume_id=resume_id, list_sessions=list_sessions, lesson_id=None, out=out)


def _live(*, mode: str, repo: Path | None, task: str, demo: bool, resume_id: str | None, list_sessions: bool, lesson_id: str | None, out: Path | None) -> None:
    """`tutor pair` and `tutor record`: one engine, two screens."""
    from ..services.live import SessionError, resume_session, start_session

    command = f"tutor {mode}"
    if repo is not None:
        # Before anything else (the no-key screen, the terminal check): a wrong --repo is the first thing to hear.
        from ..vcs import VcsError
        from ..vcs.workspace import check_repository

        try:
            check_repository(repo)
        except VcsError as error:
            raise TutorError(str(error)) from None
    if list_sessions:
        _print_sessions()
        return
    if lesson_id:
        _session_to_lesson(lesson_id, out)
        return
    chosen = sum(bool(x) for x in (repo is not None, demo, resume_id))
    if chosen != 1:
        raise TutorError(f"give one of --repo PATH, --demo or --resume ID (see `{command} --help`)")
    if out is not None and (out / "lesson.json").exists():
        raise TutorError(f"{out} already holds a lesson; choose another --out")
    if not _interactive():
        raise TutorError(f"{mode} mode needs a terminal")
    settings = _settings()
    from ..agent.client import KEY_HELP, has_credentials

    needs_key = not demo
    session = None
    if resume_id:
        try:
            from ..services.live import is_demo_session, session_records

            records = session_records(resume_id)
        except SessionError as error:
            raise TutorError(str(error)) from None
        needs_key = not is_demo_session(records)
    if needs_key and not has_credentials():
        if resume_id or mode == "record":
            raise TutorError(f"{'resuming' if resume_id else 'recording'} needs an API key. {KEY_HELP} (`{command} --demo` needs none.)")
        from ..ui.start import NoKeyStart

        app = make_app(NoKeyStart(KEY_HELP), settings=settings)
        app.run()
        demo_session = app.pair_session
        if demo_session is not None:
            echo(f"Session {demo_session.id} is kept. Continue it with: tutor pair --resume {demo_session.id}")
        sys.exit(app.return_code or 0)
    try:
        if resume_id:
            session = resume_session(resume_id, settings=settings, mode=mode)
        else:
            # Its workspace (git) is made once the screen is up and the human starts (`LiveSession.prepare`).
            session = start_session(mode=mode, settings=settings, repo=repo, task=task, demo=demo, later=True)
    except SessionError as error:
        raise TutorError(str(error)) from None
    mentor = None
    if mode == "pair" and not demo and session.state.header.get("agent") != "demo":
        from ..agent.mentor import mentor_for

        mentor = mentor_for()
    from ..ui.start import PairStart, RecordStart

    app = make_app(PairStart(session, mentor) if mode == "pair" else RecordStart(session, out), settings=settings)
    try:
        app.run()
    finally:
        session.close()
    if not session.ready:  # its workspace could not be made (said on the way out): there is no session to keep
        sys.exit(app.return_code or 1)
    saved = app.saved_lesson
    if saved is not None:
        echo(f"Saved the lesson {saved.folder} ({plural(saved.steps, 'step')}, {plural(saved.asks, 'question')} for learners).")
        for warning in saved.warnings:
            echo(f"note: {warning}", err=True)
        echo(f"Replay it with `tutor learn {saved.folder}`; refine it with `tutor annotate {saved.folder}`.")
    else:
        echo(f"Session {session.id} is kept. Continue it with: {command} --resume {session.id}")
    sys.exit(app.return_code or 0)


def _session_to_lesson(session_id: str, out: Path | None) -> None:
    from ..record.session_lesson import LessonDraftError, write_session_lesson
    from ..services.live import SessionError, session_records, session_workspace
    from ..vcs import VcsError

    try:
        records = session_records(session_id)
        workspace = session_workspace(records)
        slug = "session-" + "".join(ch if ch.isalnum() else "-" for ch in session_id.lower())
        target = out or Path.cwd() / slug
        write_session_lesson(records, workspace, target, lesson_id=slug, author=_settings().learner)
    except (SessionError, LessonDraftError, VcsError) as error:
        raise TutorError(str(error)) from None
    echo(f"Wrote the lesson draft {target} (check it with `tutor validate {target}`; replay it with `tutor learn {target}`).")


def _print_sessions() -> None:
    import time

    from ..services.live import list_sessions

    sessions = list_sessions()
    if not sessions:
        echo("No sessions yet. Start one with `tutor pair --repo PATH` or `tutor pair --demo`.")
        return
    for summary in sessions:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.started)) if summary.started else "?"
        about = summary.goal or summary.task or "(no goal yet)"
        about = about.splitlines()[0][:70]
        echo(f"{summary.id}  {when}  {summary.mode:<6} {summary.phase:<7} {about}")
        echo(f"{'':22}{summary.tally}")


@cli.command("review-session")
@click.argument("session_id", metavar="ID")
@click.option("--reviewer", metavar="NAME", help="Who is reviewing; the review is saved under this name. Default: the learner name in your settings (for a teammate's shared session: your handle in that team).")
def review_session(session_id: str, reviewer: str | None) -> None:
    """Review a live session ID: mark where you would have intervened.

    ID is one of your sessions (see `tutor pair --list`) or one a teammate shared with a team
    you joined (listed in the library; HANDLE/ID picks one when two teammates shared sessions
    of the same id). The session is shown step by step, each agent action with the learner's
    prediction and decision beside it. j/k (or the arrows) move between steps; i marks "I
    would have intervened here" with a category key and what you would have said; d removes
    a mark; ctrl+s saves the review. It is kept next to the session (never in its journal),
    and the learner sees it from the library. A teammate's session is reviewed under your
    handle in that team unless you sign with --reviewer NAME; your review reaches them with
    your next `tutor team sync`.
    """
    from ..services.live import SessionError
    from ..services.session_reviews import TeamSession, load_trajectory, resolve_session

    try:
        session = resolve_session(session_id)
        load_trajectory(session)
    except SessionError as error:
        raise TutorError(str(error)) from None
    settings = _settings()
    if reviewer is not None:
        name = reviewer.strip()
    else:
        name = session.team.handle if isinstance(session, TeamSession) else settings.learner.strip()
    if not name:
        raise TutorError("say who is reviewing: --reviewer NAME")
    if not _interactive():
        raise TutorError("reviewing a session needs a terminal")
    from ..ui.start import SessionReviewStart

    app = make_app(SessionReviewStart(session.reference, name), settings=settings)
    app.run()
    sys.exit(app.return_code or 0)
