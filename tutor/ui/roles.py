"""What the app may ask of a screen, stated once: each a Protocol a screen meets by having it.

The app checks them with `isinstance` (they are runtime-checkable), never with `getattr`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class HoldsKeys(Protocol):
    """A screen that may not take keys yet (still opening, a frame being replaced).

    While `holds_keys` is true the app keeps typed keys, in order; the screen calls
    `app.release_keys()` once it can act on them.
    """

    @property
    def holds_keys(self) -> bool: ...


@runtime_checkable
class Transitions(Protocol):
    """A screen between two frames: a `q` or `?` typed now was meant for the question coming up."""

    transitioning: bool


@runtime_checkable
class SettlesQuitting(Protocol):
    """A screen with something to settle before Tutor quits (a recording to save or not): quitting is its call."""

    def action_finish(self) -> None: ...


@runtime_checkable
class KeepsDrafts(Protocol):
    """A screen holding typed answers not yet submitted: quitting asks first, then keeps them."""

    def unsent_draft(self) -> bool: ...

    def save_drafts(self) -> None: ...
