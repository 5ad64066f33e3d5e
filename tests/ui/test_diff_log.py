"""A proposed edit's diff (`DiffLog`): styled as before, every line reachable, only the lines in view drawn, hostile text plain."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tests.helpers.ui_support import wait_until
from tutor.lesson.diffs import file_diff
from tutor.ui.widgets import step_view
from tutor.ui.widgets.step_view import MAX_DIFF_LINES, DiffLog


class Shown(App[None]):
    CSS_PATH = Path(step_view.__file__).parents[1] / "tutor.tcss"  # Tutor's own rules for `.diff`

    def __init__(self, diff: str) -> None:
        super().__init__()
        self.diff = diff

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield DiffLog(self.diff)


def _styles_by_line(app: App[None]) -> dict[str, str]:
    """Each line on screen (its text stripped) with the colour and weight its first cell is drawn in."""
    log = app.query_one(DiffLog)
    out = {}
    for y in range(log.content_region.height):
        strip = log.render_line(y)
        text = strip.text.strip()
        styled = [segment.style for segment in strip if segment.text.strip()]
        if text and styled and styled[0] is not None:
            style = styled[0]
            out[text] = f"{style.color.name if style.color else ''}{' bold' if style.bold else ''}"
    return out


async def test_a_diff_is_drawn_in_its_colours() -> None:
    diff = "\n".join(file_diff("app.py", "a = 1\nb = 2\n", "a = 1\nb = 3\n"))
    app = Shown(diff)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: bool(app.query_one(DiffLog).lines))
        styles = _styles_by_line(app)
    assert styles["-b = 2"] == "red"
    assert styles["+b = 3"] == "green"
    assert next(style for text, style in styles.items() if text.startswith("@@")) == "cyan"
    assert next(style for text, style in styles.items() if text.startswith("+++")).endswith("bold")


async def test_a_long_diff_is_all_there_capped_and_drawn_only_where_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    original = step_view.diff_line_style

    def counted(line: str) -> str:
        drawn.append(line)
        return original(line)

    monkeypatch.setattr(step_view, "diff_line_style", counted)
    old = "".join(f"line {n}\n" for n in range(MAX_DIFF_LINES + 200))
    new = "".join(f"line {n} changed\n" for n in range(MAX_DIFF_LINES + 200))
    app = Shown("\n".join(file_diff("big.py", old, new)))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(DiffLog)
        await wait_until(pilot, lambda: bool(log.lines))
        await pilot.pause()
        lines = list(log.lines)
    assert len(lines) == MAX_DIFF_LINES + 1
    assert lines[-1].endswith("more lines of diff not shown")
    assert 0 < len(set(drawn)) < 60, len(set(drawn))  # the lines in view (its box is 30 high; a repaint draws them again), not 1,500


async def test_hostile_text_in_a_diff_is_plain() -> None:
    hostile = "[bold red]markup[/] \x1b[31mescape\x1b[0m \x07bell"
    app = Shown("\n".join(file_diff("x.py", "safe\n", hostile + "\n")))
    async with app.run_test(size=(100, 24)) as pilot:
        log = app.query_one(DiffLog)
        await wait_until(pilot, lambda: bool(log.lines))
        added = next(line for line in log.lines if line.startswith("+") and "markup" in line)
        on_screen = "".join(log.render_line(y).text for y in range(log.content_region.height))
    assert "\x1b" not in added and "\x07" not in added
    assert "[bold red]markup[/]" in on_screen  # shown as written, not read as markup
    assert "\x1b" not in on_screen


class AtTheGate(Shown):
    def compose(self) -> ComposeResult:
        from tutor.ui.widgets.live import ProposalCard

        with VerticalScroll():
            yield ProposalCard({"id": "call-1", "tool": "edit_file"}, "diff", self.diff, gated=True)


async def test_a_long_proposed_diff_at_the_gate_can_be_read_to_its_last_line() -> None:
    """A `Static` diff was cut at its box's 30 rows: the human deciding on the edit saw only its start."""
    old = "".join(f"value_{n} = {n}\n" for n in range(80))
    new = "".join(f"value_{n} = {n + 1}\n" for n in range(80))
    app = AtTheGate("\n".join(file_diff("settings.py", old, new)))
    async with app.run_test(size=(100, 40)) as pilot:
        log = app.query_one(DiffLog)
        await wait_until(pilot, lambda: bool(log.lines) and log.max_scroll_y > 0)
        assert log.size.height <= 30
        log.scroll_end(animate=False)
        await pilot.pause()
        on_screen = "".join(log.render_line(y).text for y in range(log.content_region.height))
    assert "+value_79 = 80" in on_screen


async def test_each_line_is_drawn_as_textuals_log_draws_it() -> None:
    # A line is drawn as one segment (its style throughout), not laid out as a Rich Text by `Log`: the same cells.
    from rich.segment import Segment
    from textual.widgets import Log

    lines = ["+++ b/app.py", "@@ -1,2 +1,2 @@", "-b = 2\twith a tab", "+b = 3 — and wide 字符", " context", "… 9 more lines of diff not shown"]
    app = Shown("\n".join(lines))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(DiffLog)
        await wait_until(pilot, lambda: len(log.lines) == len(lines))
        style = log.rich_style
        for y in range(len(lines)):
            ours = log._render_line_strip(y, style)  # noqa: SLF001 - the two ways of drawing a line are what is compared
            textuals = Log._render_line_strip(log, y, style)  # noqa: SLF001
            assert ours.cell_length == textuals.cell_length
            assert list(Segment.simplify(ours)) == [segment for segment in Segment.simplify(textuals) if segment.text != "\n"]
