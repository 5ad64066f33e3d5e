"""A screen drawn from a live service's view (a group replay's host or client).

The service calls its `on_change` as often as messages arrive; the screen redraws once per burst,
and every redraw goes through the screen's own message queue, so two redraws never interleave
their mounts. Subclasses implement `rebuild` and call `follow()` from their `on_mount`.
"""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.screen import Screen

from ..start import ChangeRelay


class FollowingScreen(Screen):
    class Changed(Message):
        """The service's view changed."""

    def __init__(self, changes: ChangeRelay | None = None) -> None:
        """`changes`: the relay the service's `on_change` calls (`tutor.ui.start.ChangeRelay`)."""
        super().__init__()
        self.changes = changes
        self._refresh_due = False

    def follow(self) -> None:
        """Start redrawing on the service's changes, and draw once now."""
        if self.changes is not None:
            self.changes.listen(self._session_changed)
        self._session_changed()

    def on_unmount(self) -> None:
        if self.changes is not None:
            self.changes.listen(None)

    def _session_changed(self) -> None:
        if not self._refresh_due:
            self._refresh_due = True
            self.post_message(self.Changed())

    @on(Changed)
    async def _changed(self) -> None:
        self._refresh_due = False
        await self.rebuild()

    async def rebuild(self) -> None:
        raise NotImplementedError
