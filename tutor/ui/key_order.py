"""Keys act in the order they were typed, each on what the key before it left.

Textual hands a key to the widget focused when the key arrives, and looks up that key's
bindings only once it has climbed back from there to the app, a message queue at a time.
So a key typed close behind another (a fast typist, or a busy machine) can go to a field
that the first key was about to leave: after `tab`, the typing went to the field left behind.

`KeyOrder` hands the app one key at a time. A key given to a widget is followed into it by
`KeySettled`, which climbs the same way behind it: once that reaches the app, the key has
been handled (or stopped on its way), and the next key goes. Keys also wait while the screen
cannot take them yet (`HoldsKeys`: still opening, a frame being replaced).
"""

from __future__ import annotations

import time

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.message import Message

# Quitting never waits behind a screen that is still opening.
KEYS_NEVER_HELD = frozenset({"ctrl+q", "ctrl+c"})
# A key's `KeySettled` is lost if the widget it went to is removed on its way (a frame replaced, a screen
# left): seen at the next key, looked for this often while keys wait, and given up on after GIVE_UP seconds.
LOOK_AGAIN = 0.1
GIVE_UP = 1.0


@dataclass
class KeySettled(Message):
    """The key numbered `number` has been through the widget it was given to and its ancestors."""

    number: int


class KeyOrder:
    """The app's typed keys, handed on one at a time (see the module's docstring)."""

    def __init__(self, app: Any, deliver: Callable[[events.Key], Awaitable[None]], screen_holds_keys: Callable[[], bool]) -> None:
        self.app = app
        self._deliver = deliver  # Textual's own handling of a key that arrives at the app
        self._screen_holds_keys = screen_holds_keys
        self.held: list[events.Key] = []
        self._sent = 0  # keys given to a widget so far; the last one's number
        self._in_flight: tuple[int, Any, float] | None = None  # (number, widget, when) of the key not yet settled
        self._replaying = False
        self._looking = False

    def _may_send(self) -> bool:
        if self._in_flight is not None and not self._in_flight[1].is_attached:
            self._in_flight = None  # its widget was removed (a screen left), and its KeySettled with it
        return self._in_flight is None and not self._screen_holds_keys()

    async def receive(self, event: events.Key) -> None:
        """A key typed: handled now, or kept until those before it have been and the screen can take it."""
        if event.key in KEYS_NEVER_HELD:
            await self._deliver(event)
            return
        if self.held and self._may_send():
            await self.replay()
        if self.held or not self._may_send():
            self.held.append(events.Key(event.key, event.character))
            self._look_for_lost_key()
            return
        await self._send(event)

    async def _send(self, event: events.Key) -> None:
        await self._deliver(event)
        if event.is_forwarded:  # given to a widget (not run at once by a priority binding)
            target = self.app.focused or self.app.screen
            self._sent += 1
            self._in_flight = (self._sent, target, time.monotonic())
            if not target.post_message(KeySettled(self._sent)):
                self._in_flight = None  # a widget no longer taking messages: the key went nowhere

    def settled(self, message: KeySettled) -> None:
        """A key's `KeySettled` reached the app: the next key may go."""
        if self._in_flight is not None and self._in_flight[0] == message.number:
            self._in_flight = None
            self.release()

    def release(self) -> None:
        """Hand on the keys that waited, if the screen can take them now (a screen calls this when ready)."""
        if self.held and not self._replaying:
            self._replaying = True
            self.app.call_later(self.replay)

    async def replay(self) -> None:
        try:
            while self.held and self._may_send():
                await self._send(self.held.pop(0))
        finally:
            self._replaying = False

    def _look_for_lost_key(self) -> None:
        if self._in_flight is not None and not self._looking:
            self._looking = True
            self.app.set_timer(LOOK_AGAIN, self._look_again)

    def _look_again(self) -> None:
        self._looking = False
        if self._in_flight is not None and time.monotonic() - self._in_flight[2] > GIVE_UP:
            self._in_flight = None
        if self._may_send():  # which also forgets a key whose widget was removed
            self.release()
        elif self.held:
            self._look_for_lost_key()
