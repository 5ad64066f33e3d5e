"""How long from pressing `n` to the next step on screen, in a 1,000-step lesson with big outputs and diffs?

    python benchmarks/bench_keypress.py [--steps 1000] [--lines 400] [--presses 300] [--size 120x40]

Generates a lesson of `--steps` steps in cycles of: a prompt; an agent step proposing an
`edit_file` whose old and new text make a diff of about `--lines` lines; its result; an
agent step running the tests; a result whose output runs to `--lines` lines. It has no
asks, so `n` walks straight through. The app is the real one, `tutor.cli.make_app(lesson=...)`,
driven in-process by Textual's Pilot (`App.run_test`) on a headless screen of `--size`.

`--presses` presses are timed, spread evenly over the lesson up to its last step. Before
each, the lesson is moved (untimed) so that the press reveals a step never seen before,
as when a learner walks forward: the engine is advanced to the step before, and that
step is shown. Then the clock runs from the key press until the frame shows the new
step's number: `await pilot.press("n")`, then `await pilot.pause()` until it does. That
includes saving the position (fsync), rebuilding the frame (a 400-line output log or a
400-line coloured diff) and the timeline's update.

The baseline, measured in the same run, is the same press in a 3-step lesson with a
short output. It prints median, 95th percentile and maximum of both and their ratio;
the goal is a 95th percentile of at most 50 ms. It also lists the garbage collector's
pauses by generation, those between a key and its paint apart from the others, and the
removed widgets still alive at the end (a leak shows as a number that grows with
`--presses`); `--gc-off` measures without those pauses.

A lesson file holds 16 MB at most: at 10,000 steps only one cycle in every few is big
(the others have 4-line outputs and diffs), and every timed press reveals a step of a
big cycle, so each press has the same work as in the 1,000-step lesson.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def python_module(cycle: int, lines: int, changed: bool) -> list[str]:
    """A Python module of LINES lines; CHANGED rewrites both body lines of every function (half the lines)."""
    out = [f'"""Amount parsing, round {cycle}."""', "", "from decimal import Decimal", ""]
    index = 0
    while len(out) < lines:
        index += 1
        out.append(f"def parse_amount_{index}(text: str) -> Decimal:")
        if changed:
            out.append(f"    text = text.replace('.', '').replace(',', '.')  # round {cycle}: decimal comma")
        else:
            out.append(f"    text = text.replace(',', '')  # thousands separator, case {index}")
        if changed:
            out.append(f"    return Decimal(text.split()[0]).quantize(Decimal('0.01')) * {index % 7 + 1}")
        else:
            out.append(f"    return Decimal(text.split()[0]) * {index % 7 + 1}")
        out.append("")
    return out[:lines]


def test_output(cycle: int, lines: int) -> str:
    out = ["============================= test session starts ==============================",
           "platform linux -- Python 3.12.3, pytest-8.3.2, pluggy-1.5.0", f"collected {lines * 2} items", ""]
    index = 0
    while len(out) < lines - 2:
        index += 1
        if index % 41 == 0:
            out += [f"tests/test_amounts_{index % 13}.py:{index}: AssertionError",
                    f"E   assert Decimal('{index}00') == Decimal('{index}.00')"]
        else:
            out.append(f"tests/test_amounts_{index % 13}.py::test_case_{cycle}_{index} PASSED{' ' * (index % 9)}[{index % 100:3d}%]")
    out += ["=========================== short test summary info ============================",
            f"FAILED tests/test_amounts_{cycle % 13}.py::test_case_{cycle} - AssertionError"]
    return "\n".join(out[:lines])


LESSON_BYTES_AIM = 14_000_000  # a lesson file may hold 16 MB (tutor.lesson.limits): bigger lessons have fewer big cycles


def cycle_steps(n: int, cycle: int, lines: int) -> list[dict]:
    """One cycle of five steps from step number N+1: a prompt, an edit (a diff of about LINES lines), its
    result, a test run, and its result (an output of LINES lines)."""
    half = lines * 2 // 3  # old and new each this long; half their lines differ, so the diff runs to about LINES lines
    edit, run = f"c{cycle}-edit", f"c{cycle}-run"
    path = f"amounts/parse_{cycle % 17}.py"
    return [
        {"id": f"s{n + 1}", "kind": "prompt", "text": f"Round {cycle}: fix the decimal comma in `{path}`, then run the tests."},
        {"id": f"s{n + 2}", "kind": "agent", "text": f"I'll rewrite the parsing helpers in `{path}`.",
         "calls": [{"id": edit, "tool": "edit_file", "input": {
             "path": path,
             "old": "\n".join(python_module(cycle, half, changed=False)) + "\n",
             "new": "\n".join(python_module(cycle, half, changed=True)) + "\n"}}]},
        {"id": f"s{n + 3}", "kind": "result", "call": edit, "ok": True, "output": f"Edited {path}: replaced 1 occurrence."},
        {"id": f"s{n + 4}", "kind": "agent", "text": "Running the whole suite.",
         "calls": [{"id": run, "tool": "run", "input": {"command": "pytest -q"}}]},
        {"id": f"s{n + 5}", "kind": "result", "call": run, "ok": False, "exit_code": 1, "output": test_output(cycle, lines),
         "annotation": "Read the first failure, not the last line."},
    ]


def big_every(steps: int, lines: int) -> int:
    """Every how many cycles one is big (LINES-line outputs and diffs; the others have 4-line ones), for the file to fit."""
    big, small = (len(json.dumps(cycle_steps(0, 1, size), indent=1)) for size in (lines, 4))
    cycles = max(1, steps // 5)
    every = 1
    while cycles * (small + (big - small) / every) > LESSON_BYTES_AIM:
        every += 1
    return every


def in_big_cycle(number: int, every: int) -> bool:
    """Whether step NUMBER (1-based; step 1 is the goal) belongs to a big cycle."""
    return number >= 2 and ((number - 2) // 5 + 1) % every == 0


def big_lesson(steps: int, lines: int, every: int = 1) -> dict:
    data: dict = {
        "format": "tutor.lesson/1",
        "id": "benchmark-keypress",
        "title": "A long session with big outputs",
        "summary": "A thousand steps of edits and test runs, used to time moving from step to step.",
        "author": "bench",
        "created": "2026-11-24T10:00:00Z",
        "level": "advanced",
        "minutes": 120,
        "tags": ["benchmark"],
        "origin": "recorded",
        "task": "Amounts written as `1.234,56 EUR` are parsed wrongly. Fix the parser.",
        "steps": [{"id": "s1", "kind": "goal", "text": "Make `parse_amount` handle decimal commas; keep the tests as they are."}],
    }
    out = data["steps"]
    cycle = 0
    while len(out) < steps:
        cycle += 1
        block = cycle_steps(len(out), cycle, lines if cycle % every == 0 else 4)
        out.extend(block[: steps - len(out)])
    if out[-1]["kind"] in ("agent", "prompt"):
        out[-1] = {"id": out[-1]["id"], "kind": "note", "text": "The end."}
    return data


def snap_to_big(number: int, every: int) -> int:
    """Step NUMBER moved back by whole cycles until it is in a big cycle (step 2 onwards)."""
    while not in_big_cycle(number, every) and number - 5 >= 2:
        number -= 5
    return number


def tiny_lesson() -> dict:
    return {
        "format": "tutor.lesson/1", "id": "benchmark-tiny", "title": "Three steps", "summary": "The baseline.",
        "author": "bench", "created": "2026-11-24T10:00:00Z", "level": "beginner", "origin": "scripted",
        "task": "Run the tests.",
        "steps": [
            {"id": "s1", "kind": "goal", "text": "Run the tests and report."},
            {"id": "s2", "kind": "agent", "text": "Running them.", "calls": [{"id": "c1", "tool": "run", "input": {"command": "pytest -q"}}]},
            {"id": "s3", "kind": "result", "call": "c1", "ok": True, "exit_code": 0, "output": "12 passed in 0.06s"},
        ],
    }


def write_lesson(folder: Path, data: dict) -> Path:
    from tutor.lesson import read_lesson

    folder.mkdir(parents=True)
    (folder / "lesson.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    read = read_lesson(folder)
    if read.lesson is None or read.problems:
        sys.exit(f"the generated lesson is invalid: {[str(p) for p in read.problems][:3]}")
    return folder


def shown_step(app) -> int | None:  # noqa: ANN001
    """The number of the step the lesson screen shows, once its widgets are mounted."""
    from tutor.ui.widgets.step_view import StepView

    views = app.screen.query(StepView)
    if not views:
        return None
    view = views.first()
    return view.number if view.is_mounted and view.children else None


class Painted:
    """Watches the frames Textual paints (`App._display`, headless included): when one shows a given step."""

    def __init__(self, app, pauses: GcPauses | None = None) -> None:  # noqa: ANN001
        self.app = app
        self.pauses = pauses
        self.expected: int | None = None
        self.event = asyncio.Event()
        self.at = 0.0
        original = app._display

        def display(screen, renderable) -> None:  # noqa: ANN001
            original(screen, renderable)
            if renderable is not None and self.expected is not None and shown_step(app) == self.expected:
                self.at = time.perf_counter()
                self.expected = None
                if self.pauses is not None:
                    self.pauses.pressing = False
                self.event.set()

        app._display = display

    async def press_next(self, expected: int) -> float:
        """Seconds from posting the key `n` until the first frame painted with step EXPECTED."""
        from textual import events

        self.event.clear()
        self.expected = expected
        if self.pauses is not None:
            self.pauses.pressing = True
        start = time.perf_counter()
        self.app.post_message(events.Key("n", "n"))
        await asyncio.wait_for(self.event.wait(), timeout=30)
        return self.at - start


async def pilot_press_next(pilot, expected: int) -> float:  # noqa: ANN001
    """Seconds from `await pilot.press("n")` until, after `await pilot.pause()`, step EXPECTED is on screen.

    Pilot waits for the CPU to go idle (in 20 ms sleeps) after a key and in `pause`, so this
    is an upper bound that includes at least three such waits.
    """
    start = time.perf_counter()
    await pilot.press("n")
    await pilot.pause()
    for _ in range(100):
        if shown_step(pilot.app) == expected:
            return time.perf_counter() - start
        await pilot.pause()
    raise RuntimeError(f"step {expected} never showed (the screen shows {shown_step(pilot.app)})")


async def settle(pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    await pilot.pause()


class GcPauses:
    """The garbage collector's pauses, each with its generation and whether a timed press was under way."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float, bool]] = []  # generation, seconds, during a timed press
        self.pressing = False  # set by the timing code between a key and its paint
        self._start = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append((info.get("generation", -1), time.perf_counter() - self._start, self.pressing))


def detached_widgets(app, *, refreeze: bool) -> int:  # noqa: ANN001
    """Widgets still alive though no longer in the app's DOM (after a full collection).

    Frozen objects (`gc.freeze`) are invisible to `gc.get_objects`, and never collected:
    they are unfrozen first, so a frame frozen while on screen and removed since counts.
    REFREEZE puts what lives back out of the collector's way, as the app had it."""
    from textual.widget import Widget

    gc.unfreeze()
    gc.collect()
    count = sum(1 for obj in gc.get_objects() if isinstance(obj, Widget) and not obj.is_attached)
    if refreeze:
        gc.freeze()
    return count


async def time_presses(lesson: Path, starts: list[int], size: tuple[int, int], pilot_every: int = 5) -> dict:
    """Time `n` from each frame in STARTS (step numbers, 1 = the first step).

    Before each press the lesson is put, untimed, on that frame: forward by the engine
    alone (so the press reveals a step never seen before, as when walking forward), or
    back with `go` when the frame was already passed. Every press is timed to the painted
    frame; every PILOT_EVERY-th start is also timed the Pilot way (back, then `n` again).
    """
    from tutor.cli import make_app

    app = make_app(lesson=lesson)
    painted: list[float] = []
    piloted: list[float] = []
    collector = GcPauses()
    async with app.run_test(size=size) as pilot:
        watcher = Painted(app, collector)
        await settle(pilot)
        screen = app.screen
        run = screen.run
        leaked_before = detached_widgets(app, refreeze=True)

        async def put_on(frame: int) -> None:
            if run.replay.cursor == frame:
                return
            if run.replay.frontier > frame:
                run.replay.go(frame)
            while run.replay.cursor < frame:
                run.replay.next()  # the engine only: untimed and unsaved (the timed press saves)
            await screen.show_view()
            await settle(pilot)

        with collector:
            for index, start in enumerate(starts):
                await put_on(start)
                painted.append(await watcher.press_next(start + 1))
                await settle(pilot)
                if index % pilot_every == 0:
                    await put_on(start)
                    piloted.append(await pilot_press_next(pilot, start + 1))
        leaked = detached_widgets(app, refreeze=False) - leaked_before
    return {"painted": painted, "pilot": piloted, "gc": collector.pauses, "leaked": leaked}


def describe(label: str, times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"  {label:36} {median * 1000:7.1f} ms {p95 * 1000:8.1f} ms {max(ordered) * 1000:8.1f} ms   ({len(ordered)} presses)")
    return median, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=400, help="lines of each result's output, and of each edit's diff")
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--size", default="120x40", help="screen size, COLUMNSxROWS")
    parser.add_argument("--pilot-every", type=int, default=5, metavar="K", help="also time every K-th press the Pilot way")
    parser.add_argument("--gc-off", action="store_true", help="switch the garbage collector off: the latency without its pauses")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.lower().split("x"))
    if args.presses > args.steps - 1:
        sys.exit("--presses must be less than --steps")

    with tempfile.TemporaryDirectory(prefix="tutor-bench-keypress-") as scratch:
        os.environ["TUTOR_HOME"] = str(Path(scratch) / "home")  # progress goes here, never to the real home
        os.environ.pop("ANTHROPIC_API_KEY", None)
        every = big_every(args.steps, args.lines)
        data = big_lesson(args.steps, args.lines, every)
        big = write_lesson(Path(scratch) / "big", data)
        tiny = write_lesson(Path(scratch) / "tiny", tiny_lesson())
        steps = len(data["steps"])
        # Evenly spread over 2..steps, always including the last step.
        # Each moved to the same place in the nearest big cycle at or before it: every press reveals big content.
        spread = [round(2 + i * (steps - 2) / (args.presses - 1)) for i in range(args.presses)]
        targets = sorted({snap_to_big(target, every) for target in spread})

        from tutor.ui.widgets.step_view import edit_diff
        from tutor.lesson import read_lesson

        lesson = read_lesson(big).lesson
        assert lesson is not None
        diff_lines = max(len(edit_diff(call).splitlines()) for step in lesson.steps if step.kind == "agent" for call in step.calls if call.tool == "edit_file")
        size_mb = (big / "lesson.json").stat().st_size / 1e6
        print(f"Key press `n` to the next step on screen (Textual Pilot, headless {size[0]}x{size[1]})")
        print(f"  lesson: {steps} steps, no asks, {size_mb:.1f} MB; outputs of {args.lines} lines, diffs of up to {diff_lines} lines")
        if every > 1:
            print(f"  (one cycle of five steps in {every} is big, the others have 4-line outputs and diffs, so that the file fits")
            print(f"  in {LESSON_BYTES_AIM / 1e6:.0f} MB; every timed press reveals a step of a big cycle, spread over the whole lesson)")
        print("  baseline: the same press in a 3-step lesson with a one-line output")

        started = time.perf_counter()
        if args.gc_off:
            gc.disable()
            print("  the garbage collector is off (--gc-off)")
        asyncio.run(time_presses(tiny, [1, 2] * 3, size))  # warm-up: imports, CSS
        tiny_starts = [1 + index % 2 for index in range(len(targets))]
        small = asyncio.run(time_presses(tiny, tiny_starts, size, args.pilot_every))
        large = asyncio.run(time_presses(big, [target - 1 for target in targets], size, args.pilot_every))
        elapsed = time.perf_counter() - started

    print("\nFrom the key to the first frame painted with the new step (the key posted to the app; `App._display` watched):")
    print(f"  {'':36} {'median':>10} {'p95':>11} {'max':>11}")
    base_median, base_p95 = describe("baseline, 3-step lesson", small["painted"])
    median, p95 = describe(f"{steps}-step lesson", large["painted"])
    by_kind: dict[str, list[float]] = {}
    for target, spent in zip(targets, large["painted"]):
        step = data["steps"][target - 1]
        label = step["kind"]
        if step["kind"] == "agent" and step["calls"] and step["calls"][0]["tool"] == "edit_file":
            label += " with a diff"
        if step["kind"] == "result" and len(step.get("output", "").splitlines()) > 50:
            label += f" with {args.lines} lines"
        by_kind.setdefault(label, []).append(spent)
    for label, times in sorted(by_kind.items()):
        describe(f"  revealing a {label}", times)
    describe("  in the first tenth of the lesson", large["painted"][: max(1, len(targets) // 10)])
    describe("  in the last tenth of the lesson", large["painted"][len(targets) * 9 // 10 :])
    print(f"\n  ratio of medians: {median / base_median:.2f}   ratio of p95: {p95 / base_p95:.2f}")
    verdict = "meets" if p95 <= 0.050 else "misses"
    print(f"  p95 {p95 * 1000:.1f} ms: {verdict} the goal of at most 50 ms")

    print("\nThe garbage collector's pauses by generation: between a key and its paint (on the key path), and elsewhere")
    print("(idle, or while the benchmark moved the lesson untimed); then the removed widgets still alive at the end:")
    for label, result in (("baseline, 3-step lesson", small), (f"{steps}-step lesson", large)):
        print(f"  {label}: {result['leaked']} removed widgets still alive")
        for generation in (0, 1, 2):
            for where, pressing in (("on the key path", True), ("elsewhere", False)):
                pauses = [spent for gen, spent, during in result["gc"] if gen == generation and during is pressing]
                if pauses:
                    print(f"    generation {generation}, {where:16} {len(pauses):5} pauses, median {statistics.median(pauses) * 1000:6.2f} ms, "
                          f"longest {max(pauses) * 1000:7.2f} ms, in all {sum(pauses) * 1000:7.1f} ms")

    print(f"\nEvery {args.pilot_every}th press timed again the Pilot way (`await pilot.press('n')`, `await pilot.pause()`, until the")
    print("step shows). Pilot waits for the CPU to idle in 20 ms sleeps, at least three times: upper bounds.")
    print(f"  {'':36} {'median':>10} {'p95':>11} {'max':>11}")
    pilot_base, _ = describe("baseline, 3-step lesson", small["pilot"])
    pilot_median, _ = describe(f"{steps}-step lesson", large["pilot"])
    print(f"  ratio of medians: {pilot_median / pilot_base:.2f}")
    print(f"\n({elapsed:.0f} s in all)")


if __name__ == "__main__":
    main()
