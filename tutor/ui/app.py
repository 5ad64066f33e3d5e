"""The Tutor app: the library, lessons, the review queue, and the keys that hold them together."""

from __future__ import annotations

import sys

from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.errors import UserError

from .key_order import KeyOrder, KeySettled
from .roles import HoldsKeys, KeepsDrafts, SettlesQuitting, Transitions, plays
from .start import LibraryStart, PairStart, RecordStart, Start

if TYPE_CHECKING:
    from tutor.services.live import LiveSession


def _lesson_commands() -> type:
    from .commands import LessonCommands  # the palette's module loads when the palette opens

    return LessonCommands


class TutorApp(App[None]):
    CSS_PATH = "tutor.tcss"
    TITLE = "Tutor"
    COMMANDS = App.COMMANDS | {_lesson_commands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit Tutor (your progress is saved)"),
        Binding("question_mark", "help", "Keys", id="help", tooltip="Show every key"),
    ]

    def __init__(self, start: Start | None = None, *, settings: Any = None, judge: Any = None) -> None:
        """`start`: what opens first (tutor.ui.start; the library by default). `judge`: who judges
        free-text answers (by default from the `grading` setting)."""
        from . import kept_css

        kept_css.install()  # CSS parsed by an earlier start is read back, not parsed again
        super().__init__()
        self.start: Start = start if start is not None else LibraryStart()
        self._judge = judge
        self._judge_chosen = judge is not None
        self.saved_lesson: Any = None  # what `tutor record` wrote, for the command line to report
        self.pair_session: LiveSession | None = None  # the demo session the no-key screen started, for the command line to report
        if settings is None:
            from tutor.settings import load_settings

            settings = load_settings()
        self.settings = settings
        self._opening: Any = None  # tutor.services.progress.ProgressOpening: the learner's progress, opened when first needed
        # Keys pressed while the screen cannot act on them yet (a lesson still opening, a frame being replaced) or
        # while the key before is still on its way: handed on, in order, once it can.
        self._key_order = KeyOrder(self, super().on_event, self._screen_holds_keys)

    # -- the boundary for text from outside (see tutor.ui.plain): guards that hold whatever a caller passed

    def notify(self, message: Any, *, title: str = "", severity: Any = "information", timeout: float | None = None, markup: bool = True) -> None:
        """Every notification shown as plain text: Tutor's notifications carry error messages, paths and titles from outside.

        Tutor writes no markup in a notification, so none is read: `[/]` in a lesson's name is
        shown as written and `[@click=…]` is not an action. Controls and escapes are made
        visible, and a long message is cut.
        """
        from tutor.lesson.untrusted import LINE_LIMIT, shown

        text = message.plain if hasattr(message, "plain") else str(message)
        super().notify(shown(text, limit=LINE_LIMIT), title=shown(str(title), limit=200), severity=severity, timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Any:
        """The header's title and sub-title (a lesson's title, a session's id) as plain text on one line."""
        from tutor.lesson.untrusted import one_line

        return super().format_title(one_line(str(title), limit=200), one_line(str(sub_title), limit=200))

    async def _broker_event(self, event_name: str, event: events.Event, default_namespace: Any) -> bool:
        """No click runs an action written in text (`[@click=app.screenshot(...)]`): Tutor's own text holds none.

        Textual would run the action a style's `@click` meta names; text from outside is never
        markup (tutor.ui.plain), and this holds even for text that slipped through. Buttons,
        bindings and widgets' own click handlers are untouched. Markdown links, which Textual
        makes such actions, do nothing either: lesson links are inert.
        """
        return False

    # -- errors a user can act on: caught here, once

    def _handle_exception(self, error: Exception) -> None:
        """A `UserError` that reaches Textual is one line to the user, never a traceback.

        From a worker (slow work: git, files, the network) it is a notification and Tutor goes
        on. From a message handler Textual cannot go on (that screen's message loop has ended),
        so Tutor exits with that one line and return code 1. Anything else is a bug: Textual's
        traceback. A private Textual method, like `_broker_event`: safe while Textual is pinned.
        """
        from textual.worker import WorkerFailed

        cause = error.error if isinstance(error, WorkerFailed) else error
        if isinstance(cause, UserError):
            if cause is not error:
                self.notify(str(cause), severity="error", timeout=10)
                return
            from .plain import plain

            self.exit(return_code=1, message=plain(f"tutor: {cause}"))
            return
        super()._handle_exception(error)

    # -- keys typed before the screen can take them, or close behind another (tutor.ui.key_order)

    def _screen_holds_keys(self) -> bool:
        screen = self.screen
        # Before the first screen of Tutor is up, only Textual's empty default screen is there.
        return screen.id == "_default" or (plays(screen, HoldsKeys) and screen.holds_keys)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._key_order.receive(event)
            return
        await super().on_event(event)

    def on_key_settled(self, message: KeySettled) -> None:
        self._key_order.settled(message)

    async def _on_resize(self, event: events.Resize) -> None:
        """A report of the size the app already has changes nothing (Textual's handler, pinned, then one fix).

        The terminal's first report of its size arrives after the start-up's own and says the
        same. Textual sees the size is unchanged but keeps the report all the same, and once
        idle hands it to the screen, which lays everything out again: 20-40 ms of restyling
        and repainting just as the first key arrives, which then waits. Such a report is
        dropped here; any other goes on to Textual's handler (Textual calls each class's).
        """
        if self._size == event.size and self._resize_timer is None:
            event.stop()
            event.prevent_default()

    def release_keys(self) -> None:
        """The screen can act now: hand it the keys that waited (a screen calls this when ready)."""
        self._key_order.release()

    # -- start-up

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        for warning in self.settings.warnings:
            self.notify(warning, severity="warning", timeout=8)
        from .first_screen import open_first_screen

        # Once the app is mounted, not while: Textual holds every paint until then (its start-up batch), so a first
        # screen pushed here had its first whole frame drawn and thrown away, then showed a part-drawn one (the
        # library without its bar, ~40 ms before the rest). Keys typed meanwhile wait (`_screen_holds_keys`).
        self.call_later(open_first_screen, self, self.start)

    def watch_theme(self, theme: str) -> None:
        if self.is_running and theme != self.settings.theme:  # the learner's choice, not a caller's set-up before the app runs
            self.settings.theme = theme
            try:
                from tutor.settings import save_setting

                save_setting("theme", theme)
            except OSError as error:
                self.notify(f"Could not remember the theme: {error}", severity="warning")

    # -- services

    @property
    def progress_opening(self) -> Any:
        """The learner's progress store, to be opened when first needed (`tutor.services.progress.ProgressOpening`):
        opening it loads TinyDB and reads every attempt, which no first screen waits for."""
        if self._opening is None:
            from tutor import paths
            from tutor.services.progress import ProgressOpening

            def unusable(error: str) -> None:
                self.call_from_anywhere(self.notify, f"{error}. Progress will not be saved this time.", severity="error", timeout=15)

            self._opening = ProgressOpening(paths.progress_dir(), on_error=unusable)
        return self._opening

    @property
    def progress(self) -> Any:
        """The learner's progress store, opened on first use (here: slow; a screen opens it in a worker through
        `progress_opening`); None (with a warning) if unusable."""
        return self.progress_opening.open()

    @property
    def judge(self) -> Any:
        """Claude's judge of free-text answers, or None: then the learner checks their own answer."""
        if not self._judge_chosen:
            from tutor.services.judging import judge_for_settings

            self._judge = judge_for_settings(self.settings)
            self._judge_chosen = True
        return self._judge

    def call_from_anywhere(self, callback: Any, *args: Any, **kwargs: Any) -> None:
        import threading

        if threading.get_ident() == self._thread_id:
            callback(*args, **kwargs)
        else:
            self.call_from_thread(callback, *args, **kwargs)

    def list_library(self, *, indexed_only: bool = False) -> Any:
        """The library's curricula and lessons from the lesson index, without the learner's states (fast: no progress);
        `indexed_only`: None unless every lesson is current in the index (then nothing is read in full)."""
        from tutor.services.library import list_library

        return list_library(self.settings.curriculum_roots(), indexed_only=indexed_only)

    def library_progress(self, library: Any) -> Any:
        """`library` with the learner's states, reviews due, last lesson and team standings (reads progress: in a worker)."""
        from tutor.services.library import read_learner_overview, with_progress

        overview, warnings = read_learner_overview()
        return with_progress(library, overview, warnings=warnings)

    def library_progress_at_once(self, library: Any) -> Any:
        """`library` with the learner's states when they can be had at once (see `progress_at_once`), else None."""
        from tutor.services.library import progress_at_once

        return progress_at_once(library)

    def load_library(self) -> Any:
        """The whole library: listed, then with the learner's states."""
        return self.library_progress(self.list_library())

    # -- navigation

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        self._size_classes_on(screen)
        return super().push_screen(screen, *args, **kwargs)

    def switch_screen(self, screen: Any) -> Any:
        self._size_classes_on(screen)
        return super().switch_screen(screen)

    def _size_classes_on(self, screen: object) -> None:
        """Give a screen about to be shown the classes of the terminal's size (`-narrow`, `-wide`) now.

        Textual gives them when the screen handles its first Resize, which comes after its
        first frame: that frame was drawn as if neither applied, and then every widget was
        restyled and drawn again (~20-40 ms, the wait of a key typed at once). Textual's own
        rule (`Screen._get_breakpoint_classes`, pinned) is applied earlier.
        """
        if not isinstance(screen, Screen):
            return
        width, height = self.size
        horizontal = (self.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is None else screen.HORIZONTAL_BREAKPOINTS) or []
        vertical = (self.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is None else screen.VERTICAL_BREAKPOINTS) or []
        classes = dict.fromkeys((name for _, name in [*horizontal, *vertical]), False)
        for name in (*screen._get_breakpoint_classes(width, horizontal), *screen._get_breakpoint_classes(height, vertical)):  # noqa: SLF001
            classes[name] = True
        screen.update_classes(classes, update=False)

    def open_lesson(self, path: Path, *, curriculum: str | None = None, root: bool = False, replace: bool = False) -> None:
        from tutor.lesson import read_lesson
        from tutor.services.lesson_run import LessonRun, SaveFailed

        from .screens.gc_pacing import out_of_the_collectors_way
        from .screens.lesson import LessonScreen

        with out_of_the_collectors_way():
            read = read_lesson(path)
        if read.lesson is None or read.problems:
            if root:  # `tutor learn BROKEN`: nothing to show; say why on the way out
                from .plain import plain

                lines = [str(problem) for problem in read.problems] or [f"{path}: unreadable"]
                self.exit(return_code=1, message=plain("\n".join([*lines, "tutor: the lesson is broken; fix the problems above (see `tutor validate`)"])))
                return
            problem = str(read.problems[0]) if read.problems else "unreadable"
            self.notify(f"Cannot open this lesson: {problem}", severity="error", timeout=10)
            return
        try:
            from tutor.services.lesson_keys import lesson_key

            # The store is opened once the lesson is on screen and something is to be written (LessonScreen).
            run = LessonRun(read.lesson, None, curriculum=curriculum, key=lesson_key(read.path, read.lesson.id), opening=self.progress_opening)
        except SaveFailed as error:
            self.notify(str(error), severity="error")
            return
        screen = LessonScreen(run, title=read.lesson.title, lesson_path=read.path)
        if replace:
            self.switch_screen(screen)
        else:
            self._show(screen, root)

    def open_pair(self, session: Any, mentor: Any = None) -> None:
        from .screens.pair import PairScreen

        self.sub_title = f"pair · {session.id}"
        screen = PairScreen(session, mentor=mentor)
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def start_demo_pair(self) -> None:
        """The no-key screen's way out: a scripted session on the bundled demo project."""
        from tutor.services.live import SessionError, start_session

        try:
            session = start_session(mode="pair", settings=self.settings, demo=True)
        except SessionError as error:
            self.notify(f"Cannot start the demo: {error}", severity="error", timeout=10)
            return
        self.pair_session = session
        self.open_pair(session)

    def on_unmount(self) -> None:
        from . import kept_css

        kept_css.keep()
        started = self.start.session if isinstance(self.start, (PairStart, RecordStart)) else None
        for session in (started, self.pair_session):
            if session is not None:
                session.close()

    def open_session_review(self, session: Any, reviewer: str | None = None, *, root: bool = False) -> None:
        """Review `session`: an id as `tutor review-session` takes it (`ID`, `HANDLE/ID`) or a
        `tutor.services.session_reviews.SessionRef` (own or a teammate's); reviewer None: read only."""
        from .screens.session_review import open_session_review

        open_session_review(self, session, reviewer, root=root)

    def open_review(self, root: bool = False) -> None:
        from tutor.services.reviews import ReviewQueue, ReviewSession

        from .screens.review import ReviewScreen

        # The due cards are read without the store; it is opened once the screen is up (`store_opening`).
        queue = ReviewQueue(None, self.settings.curriculum_roots(), opening=self.progress_opening)
        if queue.progress is None and not queue.store_pending:
            self.notify("The review queue needs your progress, which cannot be opened.", severity="error")
            return
        session = ReviewSession(queue)
        self._show(ReviewScreen(session, title="Review"), root)

    def _show(self, screen: Screen, root: bool) -> None:
        # The library stays at the bottom; a lesson or review opened from another one replaces it.
        if root or len(self.screen_stack) <= 1 or _is_library(self.screen):
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def action_library(self) -> None:
        from .screens.library import LibraryScreen

        if any(isinstance(screen, LibraryScreen) for screen in self.screen_stack):
            while not isinstance(self.screen, LibraryScreen):
                self.pop_screen()
        elif len(self.screen_stack) > 1:
            self.switch_screen(LibraryScreen())
        else:
            self.push_screen(LibraryScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("quit", "help") and plays(self.screen, Transitions) and self.screen.transitioning:
            return False  # a "q" typed while a question appears was meant for its text field
        if action == "quit":
            from .screens.confirm import Confirm

            if isinstance(self.screen, Confirm):
                return False  # a question on screen is answered with y or n, not by quitting under it
        return True

    async def action_quit(self) -> None:
        # A screen with something to settle first (a recording to save or not) answers quitting itself.
        screen = self.screen
        if plays(screen, SettlesQuitting):
            screen.action_finish()
            return
        if plays(screen, KeepsDrafts) and screen.unsent_draft():
            from .screens.confirm import Confirm

            def answered(leave: bool | None) -> None:
                if leave:
                    screen.save_drafts()
                    self.exit()

            question = "Your answer is drafted but not submitted. Quit now? The draft is kept for when you come back."
            self.push_screen(Confirm(question, yes="quit (the draft is kept)"), answered)
            return
        await super().action_quit()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- command palette: every action of the current screen

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen or active.node is self:
                continue
            seen.add(binding.action)
            node = active.node
            yield SystemCommand(
                binding.description,
                binding.tooltip or f"{binding.description} ({key})",
                lambda node=node, action=binding.action: self.run_action(action, node),
            )
        yield SystemCommand("Keys", "Show every key of Tutor", self.action_help)


def _is_library(screen: Screen) -> bool:
    """Whether `screen` is the library. Its module is imported only when the library is first shown (`tutor learn`
    never shows it unless asked, and importing it costs a tenth of a second): before that, no screen is one."""
    library = sys.modules.get("tutor.ui.screens.library")
    return library is not None and isinstance(screen, library.LibraryScreen)
