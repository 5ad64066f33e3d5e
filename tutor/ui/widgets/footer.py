"""The footer of every screen: on a narrow terminal it packs its keys tight, so none is cut off.

Textual's footer rebuilds all its keys (a widget each, styled anew) whenever the screen's
bindings may have changed: every focus move and every `refresh_bindings`, several times
while a lesson opens and again on each key that turns a page. This one rebuilds only when
what it shows changed: the keys shown, their labels, which are enabled, and its own layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

# Below this many columns the footer drops its spacing and the palette key (ctrl+p still opens it).
NARROW_COLUMNS = 110


class TutorFooter(Footer):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown: tuple | None = None  # what the keys on screen were built from (None: not built yet)
        self._rebuild_pending = False

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
        # As Footer's, but several changes before the next refresh make one rebuild, and none if the keys are the same.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        shown = self._what_is_shown(self.screen)
        if shown != self._shown:  # not the same keys, labels and states: rebuilt
            self._shown = shown
            await self.recompose()

    def _what_is_shown(self, screen: Screen) -> tuple:
        """Everything the footer's keys are built from (`Footer.compose`), in order."""
        keys = tuple(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        return (keys, self.compact, self.show_command_palette)
