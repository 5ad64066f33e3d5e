"""`KeyOrder`: typed keys reach the app one at a time and in order, and a key whose widget vanished holds no others."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events

from tutor.ui.key_order import KeyOrder, KeySettled


class Widget:
    """Where a key goes: it keeps the `KeySettled` posted behind the key, as a widget's message queue would."""

    def __init__(self) -> None:
        self.is_attached = True
        self.queue: list[KeySettled] = []

    def post_message(self, message: KeySettled) -> bool:
        self.queue.append(message)
        return True


class App:
    def __init__(self) -> None:
        self.screen = self.focused = Widget()
        self.timers: list[Any] = []
        self.later: list[Any] = []
        self.holding = False

    def set_timer(self, _delay: float, callback: Any) -> None:
        self.timers.append(callback)

    def call_later(self, callback: Any) -> None:
        self.later.append(callback)


def keys_order() -> tuple[App, KeyOrder, list[str]]:
    app, delivered = App(), []

    async def deliver(event: events.Key) -> None:
        delivered.append(event.key)
        if not event.key.startswith("ctrl+"):  # ctrl+ keys stand for priority bindings: run at once, not handed on
            event._set_forwarded()

    return app, KeyOrder(app, deliver, lambda: app.holding), delivered


async def run_later(app: App) -> None:
    while app.later:
        await app.later.pop(0)()


async def settle(app: App, order: KeyOrder, widget: Widget | None = None) -> None:
    """A widget (the focused one by default) and its ancestors handle what they were given; its `KeySettled` reaches the app."""
    widget = widget or app.focused
    while widget.queue:
        order.settled(widget.queue.pop(0))
        await run_later(app)


async def test_a_key_typed_behind_another_waits_until_that_one_has_been_handled() -> None:
    app, order, delivered = keys_order()
    await order.receive(events.Key("tab", None))
    await order.receive(events.Key("enter", "\r"))
    assert delivered == ["tab"], "enter went out while tab was still on its way"
    left, app.focused = app.focused, Widget()  # what tab did, once handled
    await settle(app, order, left)
    assert delivered == ["tab", "enter"]


async def test_a_key_whose_widget_was_removed_holds_the_next_one_only_until_that_is_seen() -> None:
    app, order, delivered = keys_order()
    await order.receive(events.Key("a", "a"))
    await order.receive(events.Key("b", "b"))
    assert delivered == ["a"] and len(app.timers) == 1
    app.focused.is_attached = False  # then removed, its queue (and the KeySettled in it) with it
    app.focused = Widget()
    app.timers.pop()()
    await run_later(app)
    assert delivered == ["a", "b"]


async def test_a_key_typed_after_the_widget_of_the_one_before_was_removed_goes_at_once() -> None:
    app, order, delivered = keys_order()
    await order.receive(events.Key("escape", None))
    app.focused.is_attached = False  # the key left the screen: its widgets are gone, and its KeySettled
    app.focused = Widget()
    await order.receive(events.Key("down", None))
    assert delivered == ["escape", "down"] and not app.timers


async def test_a_key_run_at_once_by_a_priority_binding_holds_nothing_and_quitting_never_waits() -> None:
    _app, order, delivered = keys_order()
    await order.receive(events.Key("ctrl+s", None))
    await order.receive(events.Key("x", "x"))
    await order.receive(events.Key("ctrl+q", None))
    assert delivered == ["ctrl+s", "x", "ctrl+q"]


async def test_keys_typed_while_the_screen_holds_them_go_once_it_releases_them() -> None:
    app, order, delivered = keys_order()
    app.holding = True
    await order.receive(events.Key("n", "n"))
    assert delivered == []
    app.holding = False
    order.release()
    await run_later(app)
    assert delivered == ["n"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["type", "settle", "lose", "hold", "release"]), max_size=40))
async def test_every_key_typed_is_handed_on_once_in_the_order_typed(moves: list[str]) -> None:
    app, order, delivered = keys_order()
    typed: list[str] = []
    for move in moves:
        if move == "type":
            typed.append(f"k{len(typed)}")
            await order.receive(events.Key(typed[-1], None))
        elif move == "settle":
            await settle(app, order)
        elif move == "lose":
            app.focused.queue.clear()
            app.focused.is_attached = False
            app.focused = Widget()
        else:
            app.holding = move == "hold"
            order.release()
        await run_later(app)
        assert delivered == typed[: len(delivered)]
    app.holding = False
    order.release()
    for _ in range(len(typed) + 1):  # the rest, each key settled or found lost in turn
        await run_later(app)
        await settle(app, order)
        for timer in [*app.timers]:
            app.timers.remove(timer)
            app.focused.is_attached = False
            timer()
            app.focused = Widget()
        await run_later(app)
    assert delivered == typed
