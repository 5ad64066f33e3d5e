"""What the app may ask of a screen, stated once: each a Protocol a screen meets by having it.

The app checks them with `plays` (`isinstance`: they are runtime-checkable), never with `getattr`.
"""

from __future__ import annotations

from typing import Protocol, TypeGuard, TypeVar, runtime_checkable

_Role = TypeVar("_Role")
_PLAYED: dict[tuple[type, type], bool] = {}


def plays(node: object, role: type[_Role]) -> TypeGuard[_Role]:
    """`isinstance(node, role)`, remembered for `node`'s class.

    A runtime-checkable Protocol's `isinstance` looks up each of its members every time (35 us on Python 3.11), and
    the app asks on every key, and for each of the footer's keys when it looks for a change. Remembering per class is
    sound for these roles: a screen class gives every instance their members (methods and properties, or attributes
    set in `__init__`, before the app ever asks).
    """
    key = (type(node), role)
    known = _PLAYED.get(key)
    if known is None:
        known = _PLAYED[key] = isinstance(node, role)
    return known


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
