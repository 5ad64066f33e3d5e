"""The footer of every screen: on a narrow terminal it packs its keys tight, so none is cut off.

Textual's footer rebuilds all its keys (a widget each, styled anew) whenever the screen's
bindings may have changed: every focus move and every `refresh_bindings`, several times
while a lesson opens and again on each key that turns a page. This one rebuilds only when
what it shows changed: the keys shown, their labels, which are enabled, and its own layout.

What it shows is noted as it composes, not before: a rebuild waits for the old keys to be
removed, and a screen can hide its keys meanwhile (a lesson does while one step replaces
another). Noted any earlier, the footer believed it showed keys it had not drawn, and the
next change back to them drew nothing. Each change asks for a rebuild of its own (a
rebuild whose keys are the same costs one comparison): one rebuild standing for several
could be lost with its callback, which Textual queues on whatever screen is current then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

# Below this many columns the footer drops its spacing and the palette key (ctrl+p still opens it).
NARROW_COLUMNS = 110


class TutorFooter(Footer):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown: tuple | None = None  # what the keys on screen were built from (None: not built yet)

    def on_mount(self) -> None:
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(self.app.size.width)

    def _fit(self, columns: int) -> None:
        narrow = columns < NARROW_COLUMNS
        self.compact = narrow  # the keys follow this one without a rebuild
        if self.show_command_palette == narrow:
            self.show_command_palette = not narrow
            if self._shown is not None:  # built already: the palette key comes or goes now, not at the next change of keys
                self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer's, but no rebuild if the keys are the same.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        if self.is_attached and self._what_is_shown(self.screen) != self._shown:  # not the same keys, labels and states
            await self.recompose()

    def compose(self) -> ComposeResult:
        self._shown = self._what_is_shown(self.screen) if self._bindings_ready else None
        yield from super().compose()

    def _what_is_shown(self, screen: Screen) -> tuple:
        """Everything the footer's keys are built from (`Footer.compose`), in order."""
        keys = tuple(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        return (keys, self.compact, self.show_command_palette)
