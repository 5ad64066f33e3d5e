"""Importing a real Claude Code transcript into a lesson draft, against reading and parsing the same file bare.

    python benchmarks/bench_import.py [--file PATH] [--repeat 10]

The transcript is the 2.7 MB one of the shared corpus
(`/work/shared/corpus/claude-code/session-ae4a77f8.jsonl`, or `--file`); the script
says so and exits if it is absent. Timed, `--repeat` times after one untimed warm-up,
alternating which goes first:

- **import**: what `tutor import claude-code FILE --out DIR` does, minus the command
  line: `import_claude_code(file)` (read, pair calls and results, collapse, cut, redact)
  and `write_imported_lesson(result, out)` (validate, write `lesson.json` with fsync)
  into a fresh temporary folder each time;
- **baseline**: reading the file and `json.loads` of every line, nothing kept: the least
  any importer has to do.

Printed: median and best of both, the ratio of the medians, and the import split into
its two halves (building the draft; validating and writing it). The draft is also built,
untimed in the ratio, with a redactor that does nothing, to show what redaction costs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CORPUS = Path("/work/shared/corpus/claude-code/session-ae4a77f8.jsonl")


def bare(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for line in stream:
            if line.strip():
                json.loads(line)
                count += 1
    return count


class _NoRedaction:
    def redact_obj(self, value: object) -> object:
        return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    if not options.file.is_file():
        print(f"skipped: no transcript at {options.file} (give one with --file)")
        return

    from tutor.record.claude_code import import_claude_code, write_imported_lesson

    scratch = Path(tempfile.mkdtemp(prefix="tutor-bench-import-"))
    try:
        base: list[float] = []
        build: list[float] = []
        write: list[float] = []
        steps = lines = 0
        for round_number in range(options.repeat + 1):
            def imported() -> tuple[float, float]:
                nonlocal steps
                out = scratch / f"lesson-{round_number}"
                begin = time.perf_counter()
                result = import_claude_code(options.file)
                middle = time.perf_counter()
                lesson = write_imported_lesson(result, out)
                end = time.perf_counter()
                steps = len(lesson.steps)
                shutil.rmtree(out)
                return middle - begin, end - middle

            def baseline() -> float:
                nonlocal lines
                begin = time.perf_counter()
                lines = bare(options.file)
                return time.perf_counter() - begin

            if round_number % 2:
                (b, w), a = imported(), baseline()
            else:
                a = baseline()
                b, w = imported()
            if round_number:  # the first is a warm-up
                base.append(a * 1000)
                build.append(b * 1000)
                write.append(w * 1000)
        unredacted = []
        for _ in range(options.repeat):
            begin = time.perf_counter()
            import_claude_code(options.file, redactor=_NoRedaction())  # type: ignore[arg-type]
            unredacted.append((time.perf_counter() - begin) * 1000)
        total = [b + w for b, w in zip(build, write)]
        size = options.file.stat().st_size
        print(f"transcript: {options.file.name}, {size / 1e6:.2f} MB, {lines:,} lines; lesson: {steps} steps; {options.repeat} rounds")
        print(f"{'':44}{'median':>10}{'best':>10}")
        print(f"{'baseline: read + json.loads every line':44}{statistics.median(base):>8.1f}ms{min(base):>8.1f}ms")
        print(f"{'import (draft + validate + write)':44}{statistics.median(total):>8.1f}ms{min(total):>8.1f}ms")
        print(f"{'  of which import_claude_code (the draft)':44}{statistics.median(build):>8.1f}ms{min(build):>8.1f}ms")
        print(f"{'  of which write_imported_lesson':44}{statistics.median(write):>8.1f}ms{min(write):>8.1f}ms")
        print(f"{'  (the draft without redaction)':44}{statistics.median(unredacted):>8.1f}ms{min(unredacted):>8.1f}ms")
        print(f"ratio of medians (import / baseline): {statistics.median(total) / statistics.median(base):.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
