"""How long does reading a big lesson take? `read_lesson` (read, parse, validate) on a 1,000-step lesson.

    python benchmarks/bench_lesson_load.py [--steps 1000] [--output-lines 400] [--repeat 15]

Generates a realistic lesson (goal, prompts, agent steps proposing `run` and
`edit_file` calls, results whose outputs run to a few hundred lines, corrections with
intervene asks, outcome asks, notes), writes it to a temporary folder with
`save_lesson`, and times `read_lesson` over several repetitions. The baseline, measured
in the same run on the same file, is a plain `json.loads` of its text: the ratio says
what validation costs on top of merely parsing the JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.lesson import LESSON_FILE, read_lesson, save_lesson  # noqa: E402
from tutor.lesson.io import decode_json  # noqa: E402
from tutor.lesson.models import Lesson  # noqa: E402
from tutor.lesson.models import parse as parse_lesson  # noqa: E402
from tutor.lesson.validate import check_lesson_data  # noqa: E402

CATEGORIES = ["goal", "scope", "approach", "verify", "test", "correctness", "fact", "safety", "stop", "style"]


def sha(*parts: object) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()


def test_output(cycle: int, lines: int) -> str:
    """A pytest run's output, `lines` lines long, failing now and then."""
    out = ["============================= test session starts ==============================",
           "platform linux -- Python 3.12.3, pytest-8.3.2, pluggy-1.5.0",
           f"rootdir: /home/dev/project-{cycle % 7}", "collected 412 items", ""]
    index = 0
    while len(out) < lines - 3:
        index += 1
        module = f"tests/test_module_{index % 37:02d}.py"
        if index % 53 == 0:
            out += [f"{module}:{40 + index % 200}: in test_case_{index}",
                    f"    assert parse_amount('{index},00 EUR') == Decimal('{index}.00')",
                    f"E   AssertionError: assert Decimal('{index}00') == Decimal('{index}.00')"]
        else:
            out.append(f"{module}::test_case_{index} PASSED{' ' * (index % 9)}[{min(99, index % 100):3d}%]")
    out += ["", "=========================== short test summary info ============================",
            f"FAILED tests/test_module_{cycle % 37:02d}.py::test_case_{cycle} - AssertionError"]
    return "\n".join(out[:lines])


def make_lesson(steps: int, output_lines: int) -> dict:
    data: dict = {
        "format": "tutor.lesson/1",
        "id": "benchmark-big-lesson",
        "title": "A long session: parsing amounts with locales",
        "summary": "A recorded session of about a thousand steps, used to time loading.",
        "author": "bench",
        "created": "2026-11-24T10:00:00Z",
        "level": "advanced",
        "minutes": 120,
        "tags": ["benchmark", "parsing"],
        "origin": "recorded",
        "task": "Amounts written as `1.234,56 EUR` are parsed wrongly. Fix the parser, keep the tests honest.",
        "repo": {"bundle": "repo.bundle", "base": sha("base")},
        "steps": [
            {"id": "s1", "kind": "goal", "text": "Make `parse_amount` handle decimal commas; add tests for each locale.",
             "criteria": ["names the failing input", "says how we will know it is done"],
             "ask": {"type": "goal", "prompt": "What goal would you give the agent?",
                     "rubric": ["says how we will know it is done", "bounds the scope"]}},
        ],
    }
    out = data["steps"]
    cycle = 0
    while len(out) < steps:
        cycle += 1
        n = len(out)
        run, edit = f"c{cycle}-run", f"c{cycle}-edit"
        block = [
            {"id": f"s{n + 1}", "kind": "prompt", "text": f"Round {cycle}: run the tests and show me what fails."},
            {"id": f"s{n + 2}", "kind": "agent", "text": "I'll run the test suite first.",
             "calls": [{"id": run, "tool": "run", "input": {"command": "pytest -q tests/"}}]},
            {"id": f"s{n + 3}", "kind": "result", "call": run, "ok": False, "exit_code": 1,
             "output": test_output(cycle, output_lines), "commit": sha("run", cycle),
             **({"ask": {"type": "outcome", "prompt": "Will the tests pass?"}} if cycle % 2 else {})},
            {"id": f"s{n + 4}", "kind": "agent", "text": "The expected value in the test looks wrong; I'll update it.",
             "calls": [{"id": edit, "tool": "edit_file",
                        "input": {"path": f"tests/test_module_{cycle % 37:02d}.py",
                                  "old": f"Decimal('{cycle}.00')", "new": f"Decimal('{cycle}00')"}}]},
        ]
        if cycle % 3:
            category = CATEGORIES[cycle % len(CATEGORIES)]
            block.append({"id": f"s{n + 5}", "kind": "correction", "category": category,
                          "text": "Stop: the test encodes the requirement. Fix the parser instead.",
                          "why": "Changing the expected value makes the suite green and the bug permanent.",
                          "annotation": "This is the moment to step in.",
                          "ask": {"type": "intervene", "prompt": "The agent is about to run this. Would you let it?",
                                  "key_points": ["the test encodes the requirement", "fix the code, not the test"]}})
        else:
            block.append({"id": f"s{n + 5}", "kind": "result", "call": edit, "ok": True, "exit_code": 0,
                          "output": "edited 1 file", "commit": sha("edit", cycle),
                          "ask": {"type": "intervene", "prompt": "Would you let it?", "key_points": []}})
        if cycle % 4 == 0:
            block.append({"id": f"s{n + 6}", "kind": "note", "text": "Notice how the agent reached for the test first.",
                          "ask": {"type": "choice", "prompt": "What should come next?",
                                  "options": ["fix the parser", "update the test", "stop"], "answer": 0,
                                  "explain": "The parser is wrong."}})
        out.extend(block[: steps - len(out)])
    if out[-1]["kind"] == "agent":  # keep the lesson valid if it was cut after an agent step
        out[-1] = {"id": out[-1]["id"], "kind": "note", "text": "The end."}
    return data


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--output-lines", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    data = make_lesson(args.steps, args.output_lines)
    lesson = parse_lesson(data, Lesson)
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as temp:
        folder = Path(temp) / "big-lesson"
        save_lesson(lesson, folder)
        (folder / "repo.bundle").write_bytes(b"")  # the validator checks that it exists
        file = folder / LESSON_FILE
        raw = file.read_bytes()
        text = raw.decode("utf-8")

        result = read_lesson(folder)
        if not result.ok:
            sys.exit("the generated lesson does not validate:\n" + "\n".join(map(str, result.problems[:10])))

        base = timings(lambda: json.loads(text), args.repeat)
        full = timings(lambda: read_lesson(folder), args.repeat)
        decoded, _ = decode_json(raw, str(file))
        parse = timings(lambda: decode_json(raw, str(file)), args.repeat)
        check = timings(lambda: check_lesson_data(decoded, str(file), folder), args.repeat)

    asks = sum(1 for step in lesson.steps if step.ask is not None)
    kinds: dict[str, int] = {}
    for step in lesson.steps:
        kinds[step.kind] = kinds.get(step.kind, 0) + 1
    print(f"lesson: {len(lesson.steps)} steps ({', '.join(f'{k} {v}' for k, v in kinds.items())}), {asks} asks")
    print(f"file:   {len(raw) / 1e6:.2f} MB ({len(raw):,} bytes) as saved by save_lesson")
    print(f"runs:   {args.repeat} timed repetitions each, after one warm-up\n")
    print(f"{'':34}{'median':>11}{'p95':>12}")
    rows = [
        ("json.loads (baseline)", base),
        ("read_lesson (read+parse+validate)", full),
        ("  of which decode_json", parse),
        ("  of which check_lesson_data", check),
    ]
    for name, values in rows:
        print(f"{name:34}{ms(statistics.median(values))}  {ms(p95(values))}")
    print(f"\nread_lesson / json.loads (medians): {statistics.median(full) / statistics.median(base):.1f}x")


if __name__ == "__main__":
    main()
