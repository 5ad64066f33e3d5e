"""Importing a Claude Code transcript into a lesson draft, against reading and parsing the same file bare.

    python benchmarks/bench_import.py [--file PATH] [--megabytes 20] [--repeat 9] [--sizes 0 0.03 0.1 0.3 1 3]

Two transcripts, each measured in the same run against its own baseline:

- the corpus one, 2.7 MB (`/work/shared/corpus/claude-code/session-ae4a77f8.jsonl`, or
  `--file`); skipped with a line when it is absent;
- a generated one of about `--megabytes` MB, written in Claude Code's real format (with
  `tests/helpers/claude_code_format.Session`) into a temporary folder: prompts, streamed
  assistant messages, Bash calls with their output, Read and Edit results carrying the
  file (`toolUseResult.file`, `originalFile`, `structuredPatch`), and the machinery a
  long session is mostly made of (hook and bash `progress` records, file-history
  snapshots). It does not depend on the corpus being present.

Timed, `--repeat` times after one untimed warm-up, alternating which goes first:

- **import**: what `tutor import claude-code FILE --out DIR` does minus the command line:
  `import_claude_code(file)` and `write_imported_lesson(result, out)` (validate, write
  `lesson.json` with fsync) into a fresh temporary folder each time;
- **baseline**: reading the file and `json.loads` of every line, nothing kept: the least
  any importer has to do.

The importer decodes strict lines with msgspec, about three times faster than `json.loads`;
the same reading with msgspec is printed for reference beside the baseline (the ratio is
against `json.loads`, as the issue measured it). Redaction finds its literals and which of
its rules may match with one Hyperscan scan, set up once a process: that setup is measured
apart, in fresh processes, at the end (compiled, or loaded from the cache `tutor import` keeps).

Printed: the medians, the ratio import / baseline (goal: at most 4), and what each part
costs: reading the records (`reading.read_records`), the rest of the draft, and writing;
then one profiled run's own time by part (each importer module, redaction, the
`repo.bundle` (its objects and pack written by `tutor.vcs`; git, should it be started), validating and writing, json; a built-in counts for its caller's part). Peak memory is measured apart (tracemalloc slows what it traces): the peak over
`import_claude_code` + `write_imported_lesson`, as a multiple of the file's size (goal: at
most 3), next to the peak of parsing every line and keeping the records.

Last, the goals by size (`--sizes`, in MB; 0 is a session of two records): for generated transcripts of each size, the
import's time against the same baseline, and its floor: `save_folder` alone of the very bytes the import wrote (the
lesson file and its `repo.bundle` made durable: their fsyncs and the folder's), which any importer that writes durably
pays; and the peak memory beside that of `json.loads` of the lines with the records kept. Where a floor passes a goal
on its own, no importer meets that goal at that size.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

CORPUS = Path("/work/shared/corpus/claude-code/session-ae4a77f8.jsonl")

_WORDS = ("the", "cart", "total", "test", "fails", "because", "discount", "is", "applied", "twice", "when", "coupon",
          "order", "item", "price", "tax", "rounding", "returns", "value", "expected", "module", "function", "update",
          "fixture", "database", "query", "user", "session", "cache", "request", "response", "handler", "config")


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _source(rng: random.Random, lines: int) -> str:
    out = []
    for n in range(lines):
        name = rng.choice(_WORDS)
        out.append(f"    {name}_{n} = compute_{rng.choice(_WORDS)}(order, {rng.randint(0, 999)})  # {rng.choice(_WORDS)}")
    return "def handler(order):\n" + "\n".join(out) + "\n    return order\n"


def generate(path: Path, megabytes: float, seed: int = 17) -> Path:
    """A long Claude Code session of about `megabytes` MB, in the real format (see the module docstring)."""
    from claude_code_format import Session, text_block  # type: ignore[import-not-found]  # tests/helpers, on sys.path above

    rng = random.Random(seed)
    session = Session(cwd="/home/alice/projects/shop", version="2.1.39")
    target = megabytes * 1_000_000
    size = 0
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        def flush() -> None:
            nonlocal size, written
            for record in session.records[written:]:
                line = json.dumps(record, ensure_ascii=False) + "\n"
                out.write(line)
                size += len(line.encode("utf-8"))
            written = len(session.records)

        session.user("Fix the failing cart tests in tests/test_cart.py without changing the public API.")
        turn = 0
        while size < target:
            turn += 1
            for _ in range(rng.randint(2, 6)):  # hooks around each turn, as a configured machine writes them
                session.progress("hook-" + str(turn), {"type": "hook_progress", "hookEvent": "PostToolUse",
                                                       "hookName": "PostToolUse:Bash", "command": "/home/alice/.claude/hooks/notify.sh"})
            name = f"src/shop/{rng.choice(_WORDS)}_{turn % 40}.py"
            original = _source(rng, rng.randint(40, 160))
            read = session.tool_use("Read", text=_prose(rng, 20), file_path=f"/home/alice/projects/shop/{name}")
            numbered = "\n".join(f"{n + 1:6}\u2192{line}" for n, line in enumerate(original.splitlines()))
            session.tool_result(read, numbered, tool_use_result={"type": "text", "file": {"filePath": f"/home/alice/projects/shop/{name}", "content": original, "numLines": original.count("\n"), "startLine": 1, "totalLines": original.count("\n")}})
            old = original.splitlines()[3]
            edit = session.tool_use("Edit", file_path=f"/home/alice/projects/shop/{name}", old_string=old, new_string=old + "  # fixed")
            session.tool_result(edit, f"The file /home/alice/projects/shop/{name} has been updated.", tool_use_result={
                "filePath": f"/home/alice/projects/shop/{name}", "oldString": old, "newString": old + "  # fixed",
                "originalFile": original, "userModified": False, "replaceAll": False,
                "structuredPatch": [{"oldStart": 4, "oldLines": 1, "newStart": 4, "newLines": 1, "lines": ["-" + old, "+" + old + "  # fixed"]}]})
            bash = session.tool_use("Bash", text=_prose(rng, 12), command="pytest -q tests/test_cart.py")
            for second in range(rng.randint(3, 12)):
                session.progress(bash, {"type": "bash_progress", "output": "collecting ...", "fullOutput": "collecting ...\n" * second,
                                        "elapsedTimeSeconds": second, "totalLines": second, "timeoutMs": 120000})
            failed = rng.random() < 0.4
            output = "\n".join(f"tests/test_cart.py::test_{rng.choice(_WORDS)}_{n} {'FAILED' if failed and n == 0 else 'PASSED'}"
                               for n in range(rng.randint(5, 60)))
            session.tool_result(bash, ("Exit code 1\n" if failed else "") + output, is_error=failed,
                                tool_use_result={"stdout": output, "stderr": "", "interrupted": False, "isImage": False})
            session.snapshot(f"msg-{turn}")
            session.say(_prose(rng, rng.randint(20, 120)))
            if turn % 25 == 0:
                session.user([text_block(_prose(rng, 15))])
            flush()
    return path


def bare(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for line in stream:
            if line.strip():
                json.loads(line)
                count += 1
    return count


def bare_kept(path: Path) -> list[Any]:
    with path.open("rb") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _peak(action: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _area(filename: str) -> str:
    """The part of the import a profiled function belongs to."""
    where = filename.replace("\\", "/")
    if "/tutor/record/claude_code/" in where:
        return "importer: " + where.rsplit("/", 1)[-1].removesuffix(".py")
    if "/tutor/redaction/" in where:
        return "redaction"
    if "/tutor/vcs/" in where or "/site-packages/git/" in where or where.endswith(("subprocess.py", "selectors.py")) or "posixsubprocess" in where:
        return "repo.bundle (tutor.vcs, git)"
    if "/tutor/lesson/" in where or "msgspec" in where:
        return "lesson: validate, write"
    if "/json/" in where:
        return "json"
    return "other"


def breakdown(path: Path, scratch: Path) -> None:
    """Where one import's time goes, by part: own time of the functions of each, one profiled run."""
    import cProfile
    import pstats

    from tutor.record.claude_code import import_claude_code, write_imported_lesson

    out = scratch / "lesson-profiled"
    profile = cProfile.Profile()
    profile.enable()
    write_imported_lesson(import_claude_code(path), out)
    profile.disable()
    shutil.rmtree(out)
    totals: dict[str, float] = {}
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_calls, _primitive, own, _cumulative, callers) in stats.items():
        if filename == "~" and callers:  # a built-in: its time is its main caller's part's
            filename = max(callers.items(), key=lambda item: item[1][3])[0][0]
        area = _area(filename)
        totals[area] = totals.get(area, 0.0) + own
    whole = sum(totals.values()) or 1.0
    print("  where the time goes (one profiled run, own time by part; profiling slows Python code more than C):")
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1])[:12]:
        print(f"    {area:46}{seconds * 1000:>9.1f} ms {100 * seconds / whole:>5.1f}%")


def measure(path: Path, repeat: int, scratch: Path) -> None:
    from tutor.record.claude_code import import_claude_code, write_imported_lesson
    from tutor.record.claude_code.reading import read_records

    base: list[float] = []
    build: list[float] = []
    write: list[float] = []
    steps = lines = 0
    for round_number in range(repeat + 1):
        def imported() -> tuple[float, float]:
            nonlocal steps
            out = scratch / f"lesson-{round_number}"
            begin = time.perf_counter()
            result = import_claude_code(path)
            middle = time.perf_counter()
            lesson = write_imported_lesson(result, out)
            end = time.perf_counter()
            steps = len(lesson.steps)
            # Kept until the end (the scratch folder goes then): removing it here would hand the next round's fsyncs
            # this round's deletions to commit, a cost no single `tutor import` pays.
            return middle - begin, end - middle

        def baseline() -> float:
            nonlocal lines
            begin = time.perf_counter()
            lines = bare(path)
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
    reading: list[float] = []
    for _ in range(repeat):
        begin = time.perf_counter()
        read_records(path, [])
        reading.append((time.perf_counter() - begin) * 1000)

    def whole() -> None:
        out = scratch / "lesson-peak"
        write_imported_lesson(import_claude_code(path), out)
        shutil.rmtree(out)

    size = path.stat().st_size
    peak_import = _peak(whole)
    peak_read = _peak(lambda: read_records(path, []))
    peak_bare = _peak(lambda: bare_kept(path))
    total = [b + w for b, w in zip(build, write)]
    med = statistics.median
    print(f"transcript: {path.name}, {size / 1e6:.2f} MB, {lines:,} lines; lesson: {steps} steps; {repeat} rounds (medians)")
    rows = [
        ("baseline: read + json.loads every line", med(base)),
        ("  for reference: read + msgspec decode every line", _median_of(lambda: bare_msgspec(path), repeat)),
        ("import (draft + validate + write)", med(total)),
        ("  reading the records (read_records)", med(reading)),
        ("  the draft after reading, redaction included", med(build) - med(reading)),
        ("  validating and writing (write_imported_lesson)", med(write)),
    ]
    for label, value in rows:
        print(f"  {label:50}{value:>9.1f} ms")
    print(f"  time: import / baseline = {med(total) / med(base):.2f} (goal: at most 4)")
    print(f"    of which fixed, whatever the transcript: {fixed_cost(scratch, repeat):.1f} ms (a two-record session's "
          "import and durable write: on a short transcript it outweighs the rest)")
    print(f"  peak memory, import + write: {peak_import / 1e6:.1f} MB = {peak_import / size:.2f} x the file (goal: at most 3)")
    print(f"  peak memory, read_records alone: {peak_read / 1e6:.1f} MB = {peak_read / size:.2f} x the file")
    print(f"  peak memory, json.loads of every line, kept: {peak_bare / 1e6:.1f} MB = {peak_bare / size:.2f} x the file")
    breakdown(path, scratch)


_SETUP = """
import sys, time
from pathlib import Path
from tutor.redaction import needles
needles.kept_in = (lambda: Path(sys.argv[1])) if sys.argv[1] else None
begin = time.perf_counter()
assert needles._the_scanner() is not None
print((time.perf_counter() - begin) * 1000)
"""


def setup_cost(scratch: Path) -> None:
    """The redaction scanner's setup, paid once a process (before the first long text): not in the rounds above,
    which follow a warm-up. Measured in fresh processes: with no cache, the first with an empty cache folder
    (compiled and kept, as the first `tutor import` on a machine), then one that loads what was kept."""
    cache = scratch / "scanner-cache"

    def once(folder: str) -> float:
        done = subprocess.run([sys.executable, "-c", _SETUP, folder], capture_output=True, text=True, check=True, cwd=ROOT)
        return float(done.stdout.strip())

    try:
        import hyperscan  # noqa: F401
    except ImportError:
        print("redaction scanner: hyperscan is not installed; each rule is searched in Python")
        return
    plain = statistics.median(once("") for _ in range(3))
    first = once(str(cache))
    kept = statistics.median(once(str(cache)) for _ in range(3))
    print(f"redaction scanner setup, once a process: {plain:.1f} ms compiled; with `tutor import`'s cache: "
          f"{first:.1f} ms the first time (compiled and kept), {kept:.1f} ms after (loaded)")


def fixed_cost(scratch: Path, repeat: int) -> float:
    """The median time of importing and writing a session of one prompt and one reply: what every import pays (the
    files written and made durable, the folder's fsync) beside what grows with the transcript."""
    from tutor.record.claude_code import import_claude_code, write_imported_lesson

    path = _two_records(scratch)
    rounds = iter(range(1_000_000))

    def once() -> None:
        write_imported_lesson(import_claude_code(path), scratch / "fixed" / f"lesson-{next(rounds)}")  # kept: see `measure`

    once()
    return _median_of(once, max(repeat, 5))


def size_table(scratch: Path, repeat: int, sizes: list[float]) -> None:
    """The goals across transcript sizes, beside the two floors no importer goes under: writing the lesson durably
    (`save_folder` of the very bytes the import wrote: the files, their fsyncs and the folder's) and, for memory,
    `json.loads` of the lines with the records kept. Size 0 is the two-record session of `fixed_cost`."""
    from tutor.lesson.io import lesson_bytes, save_folder
    from tutor.record.claude_code import import_claude_code, write_imported_lesson

    rounds = iter(range(1_000_000))
    print("the goals by size (medians; floor: the lesson's durable write alone, and json.loads of the lines kept):")
    print(f"  {'size':>9} {'baseline':>9} {'import':>9} {'ratio':>6} {'floor':>8} {'floor/base':>10}   "
          f"{'memory':>7} {'json kept':>9}")
    for megabytes in sizes:
        path = _two_records(scratch) if megabytes <= 0 else generate(scratch / f"size-{megabytes}" / "session.jsonl", megabytes)
        size = path.stat().st_size
        base: list[float] = []
        full: list[float] = []
        floor: list[float] = []
        lesson = write_imported_lesson(import_claude_code(path), scratch / f"sized-{next(rounds)}")  # warm-up
        payload, bundle = lesson_bytes(lesson), None
        for turn in range(repeat):
            def imported() -> float:
                nonlocal bundle
                begin = time.perf_counter()
                result = import_claude_code(path)
                write_imported_lesson(result, scratch / f"sized-{next(rounds)}")  # kept: see `measure`
                bundle = result.bundle
                return time.perf_counter() - begin

            def written() -> float:
                begin = time.perf_counter()
                save_folder(payload, scratch / f"floor-{next(rounds)}", bundle)
                return time.perf_counter() - begin

            def parsed() -> float:
                begin = time.perf_counter()
                bare(path)
                return time.perf_counter() - begin

            order = [(base, parsed), (full, imported), (floor, written)]
            for times, run in order[turn % 3:] + order[: turn % 3]:  # each goes first in turn
                times.append(run() * 1000)

        def whole() -> None:
            write_imported_lesson(import_claude_code(path), scratch / f"sized-{next(rounds)}")

        med = statistics.median
        memory, kept = _peak(whole) / size, _peak(lambda: bare_kept(path)) / size
        print(f"  {size / 1e6:>6.3f} MB {med(base):>6.2f} ms {med(full):>6.2f} ms {med(full) / med(base):>5.2f}x "
              f"{med(floor):>5.2f} ms {med(floor) / med(base):>9.2f}x   {memory:>6.2f}x {kept:>8.2f}x")
    print("  (ratio and memory: the goals, at most 4x the baseline and 3x the file; where the floor's own ratio or "
          "json's kept records pass a goal, no importer that writes durably and reads every line can meet it)")


def _two_records(scratch: Path) -> Path:
    """A session of one prompt and one reply, in Claude Code's format: the least an import reads."""
    from claude_code_format import Session  # type: ignore[import-not-found]  # tests/helpers, on sys.path above

    session = Session(cwd="/home/alice/projects/shop", version="2.1.39")
    session.user("Make the cart total round half up, and say which test shows it.")
    session.say("Done: `total()` rounds with ROUND_HALF_UP; tests/test_cart.py::test_rounding covers it.")
    path = scratch / "fixed" / "session.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in session.records), encoding="utf-8")
    return path


def bare_msgspec(path: Path) -> None:
    """The baseline with the decoder the importer uses for strict lines (msgspec): what parsing alone costs at best."""
    import msgspec

    decode = msgspec.json.Decoder().decode
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    decode(line)
                except (msgspec.DecodeError, RecursionError):
                    json.loads(line)  # as the importer does: a line msgspec refuses is read by json


def _median_of(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        run()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--file", type=Path, default=CORPUS)
    parser.add_argument("--megabytes", type=float, default=20.0, help="size of the generated transcript (0: none)")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--sizes", type=float, nargs="*", default=[0, 0.03, 0.1, 0.3, 1, 3],
                        help="generated transcripts (MB; 0: two records) for the table of the goals by size (none: no table)")
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="tutor-bench-import-"))
    print(_load("before"))
    try:
        if options.file.is_file():
            from tutor.record.claude_code import ClaudeCodeImportError

            try:
                measure(options.file, options.repeat, scratch)
            except ClaudeCodeImportError as error:  # a transcript the importer refuses: its one line, as `tutor import` says it
                print(f"not measured: the importer refuses {options.file.name}: {error}")
        else:
            print(f"skipped the corpus transcript: none at {options.file} (give one with --file)")
        if options.megabytes > 0:
            generated = generate(scratch / "generated" / "session.jsonl", options.megabytes)
            print()
            measure(generated, options.repeat, scratch)
        if options.sizes:
            print()
            size_table(scratch, options.repeat, options.sizes)
        print()
        setup_cost(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(_load("after"))


def _load(when: str) -> str:
    """The machine's load (1, 5, 15 minutes) beside its processors: the ratios are only as steady as it is quiet."""
    import os

    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return f"load {when}: unknown"
    return f"load {when}: {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} processor(s)"


if __name__ == "__main__":
    main()
