"""The command palette (ctrl+p): open any lesson, jump to the review queue, run any screen action."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from tutor.lesson.untrusted import one_line


def _literal(text: str) -> str:
    """A lesson's title or key as the palette shows it: Textual reads hits and help as markup, so escaped, on one line."""
    return escape(one_line(text, limit=200))


class LessonCommands(Provider):
    """Every lesson in the library, and the review queue."""

    async def startup(self) -> None:
        worker = self.app.run_worker(self.app.load_library, thread=True, exclusive=False)  # type: ignore[attr-defined]
        self._library = await worker.wait()

    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        commands: list[tuple[str, object, str]] = [("Review queue", app.open_review, "Answer the questions you missed")]  # type: ignore[attr-defined]
        commands.append(("Library", app.action_library, "Back to the list of lessons"))  # type: ignore[attr-defined]
        for entry in self._library.lessons():
            if entry.lesson is None:
                continue
            commands.append(
                (
                    f"Open lesson: {_literal(entry.lesson.title)}",
                    partial(app.open_lesson, entry.path, curriculum=entry.curriculum),  # type: ignore[attr-defined]
                    _literal(f"{entry.ref} · {entry.state_label}"),
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
