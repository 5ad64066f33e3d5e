"""Widgets drawn a line at a time work their style out once per drawing, and still draw in the style they have now."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.dom import DOMNode

from tests.helpers.ui_support import wait_until
from tutor.ui.widgets.step_view import OutputLog

OUTPUT = "\n".join(f"line {n} of what the command printed" for n in range(60))


class Host(App[None]):
    CSS = "OutputLog { height: 20; }"

    def compose(self) -> ComposeResult:
        yield OutputLog(OUTPUT)


async def test_a_command_output_works_its_style_out_once_per_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        log = app.query_one(OutputLog)
        await wait_until(pilot, lambda: log.line_count == 60, "the output written")
        worked_out: list[object] = []
        style_of = DOMNode.rich_style.fget
        assert style_of is not None

        def counted(node: DOMNode) -> object:
            if node is log:
                worked_out.append(node)
            return style_of(node)

        monkeypatch.setattr(DOMNode, "rich_style", property(counted))
        log.refresh()
        strips = log.render_lines(log.size.region)
        assert len(strips) == 20 and "line 19 of what" in strips[19].text
        assert len(worked_out) == 1, f"worked out {len(worked_out)} times for 20 lines"


async def test_a_command_output_draws_in_the_style_it_has_now() -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        log = app.query_one(OutputLog)
        await wait_until(pilot, lambda: log.line_count == 60, "the output written")
        app.set_focus(None)
        await pilot.pause()
        log.refresh()
        blurred = {segment.style for segment in log.render_lines(log.size.region)[0]}
        log.focus()
        await wait_until(pilot, lambda: log.has_focus, "the output focused")
        log.refresh()
        focused = {segment.style for segment in log.render_lines(log.size.region)[0]}
        assert blurred != focused, "the focused output was drawn in the style it had before"
