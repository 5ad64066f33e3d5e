"""How well Tutor's graders agree with hand labels on Steering 101's free-text answers.

    .venv/bin/python benchmarks/grading/bench_grading.py [--claude] [--all] [--dataset PATH] [--curriculum PATH]

`answers.jsonl` (beside this script) holds learner answers to Steering 101's free-text
asks: the intervene asks on correction steps (points: the ask's `key_points`) and the
goal asks (points: the goal step's `criteria`). Each point of each answer is labelled by
hand: covered, partly, missed or contradicted. The points themselves are read from the
lessons at run time, so a reworded point is graded as it now reads; a dataset row whose
number of labels differs from its ask's number of points stops the run (exit 2): its
labels no longer describe the ask.

For every (answer, point) pair the offline matcher (`tutor.learn.matcher.hint`) gives a
verdict: covered (only when sure), unsure, missed or contradicted. Printed:

- Cohen's kappa against the labels, on the classes covered / partly / missed /
  contradicted / unsure (labels never say unsure, the matcher never says partly: each
  counts as a class of its own), and on the two-class question "credited (covered) or not";
- points of opposite-meaning answers called covered (goal: 0) and called contradicted;
- precision (goal: at least 0.95) and recall of the matcher's `covered`;
- the confusion table, labels x verdicts, and a table per style;
- every pair where the matcher says covered and the label does not (`--all`: every
  disagreement).

Exit status: 0 when both goals are met, 1 when one is missed (the figures are printed
anyway), 2 when the dataset does not fit the lessons or `--claude` cannot run.

`--claude` also asks Claude's judge (`tutor.agent.judge.ClaudeJudge`) once per answer, with
what a learner has seen by then (task, revealed steps, the senior's step and why, the
points, the answer), checks its evidence (`tutor.learn.judging.checked`: a quote that is
not in the answer is `unsure`) and prints the same figures for it. It needs an API key
and makes one request per answer (170 today); its figures do not change the exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tutor.learn.judging import JudgeRequest, checked  # noqa: E402
from tutor.learn.matcher import hint  # noqa: E402

HERE = Path(__file__).resolve().parent
DATASET = HERE / "answers.jsonl"
CURRICULUM = ROOT / "curricula" / "steering-101"

LABELS = ("covered", "partly", "missed", "contradicted")
VERDICTS = ("covered", "partly", "missed", "contradicted", "unsure")  # the classes kappa is computed on
STYLES = ("paraphrase", "synonyms", "typos", "short-right", "vague-right-words", "keyword-list", "opposite", "verbatim", "partial", "off-topic")
KINDS = ("intervene", "goal")
FIELDS = {"lesson", "step", "kind", "style", "answer", "labels", "note"}
MIN_PER_ASK = 3
PRECISION_GOAL = 0.95
OUTPUT_CHARS = 1500  # of a result's output or a call's input, in the revealed steps shown to Claude
CLAUDE_WORKERS = 4


@dataclass(frozen=True)
class Ask:
    """One free-text ask of a lesson, with what a judge may see once the learner has answered it."""

    lesson: str
    step: str
    kind: str
    points: tuple[str, ...]
    task: str
    revealed: tuple[str, ...]
    senior: str
    why: str


@dataclass(frozen=True)
class Row:
    line: int
    lesson: str
    step: str
    kind: str
    style: str
    answer: str
    labels: tuple[str, ...]
    note: str


# ------------------------------------------------------------------------------ lessons


def load_asks(curriculum: Path) -> dict[tuple[str, str], Ask]:
    """Every free-text ask of the curriculum: goal asks (points: criteria) and intervene asks on corrections (key points)."""
    asks: dict[tuple[str, str], Ask] = {}
    for file in sorted(curriculum.glob("*/lesson.json")):
        lesson = json.loads(file.read_text(encoding="utf-8"))
        steps = lesson.get("steps", [])
        for index, step in enumerate(steps):
            ask = step.get("ask") or {}
            if ask.get("type") == "goal" and step.get("kind") == "goal":
                points, why = step.get("criteria", []), step.get("annotation") or ""
            elif ask.get("type") == "intervene" and step.get("kind") == "correction" and ask.get("key_points"):
                points, why = ask["key_points"], step.get("why", "")
            else:
                continue
            revealed = tuple(_plain_step(before, hide_annotation=(ask["type"] == "intervene" and at == index - 1)) for at, before in enumerate(steps[:index]) if not before.get("hidden"))
            asks[(lesson["id"], step["id"])] = Ask(lesson["id"], step["id"], ask["type"], tuple(points), lesson.get("task", ""), revealed, step.get("text", ""), why)
    return asks


def _cut(text: str, limit: int = OUTPUT_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _plain_step(step: dict, *, hide_annotation: bool) -> str:
    """A revealed step as plain text, as the learner saw it (the senior's note on the step an intervene ask is about stays hidden)."""
    kind = step.get("kind")
    if kind == "goal":
        lines = [f"The senior's goal: {step.get('text', '')}"]
    elif kind == "prompt":
        lines = [f"The senior's prompt to the agent: {step.get('text', '')}"]
    elif kind == "agent":
        lines = [f"Agent: {step.get('text', '')}".rstrip()]
        lines += [f"  calls {call.get('tool')}: {_cut(json.dumps(call.get('input', {}), ensure_ascii=False))}" for call in step.get("calls", [])]
    elif kind == "result":
        status = "ok" if step.get("ok") else "failed"
        if step.get("exit_code") is not None:
            status += f", exit code {step['exit_code']}"
        lines = [f"Result of {step.get('call')} ({status}):", _cut(step.get("output", ""))]
    elif kind == "correction":
        lines = [f"The senior stepped in ({step.get('category')}): {step.get('text', '')}", f"Why: {step.get('why', '')}"]
    else:
        lines = [f"Note: {step.get('text', '')}"]
    if step.get("annotation") and not hide_annotation:
        lines.append(f"The senior's note: {step['annotation']}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ dataset


def load_rows(dataset: Path, asks: dict[tuple[str, str], Ask]) -> tuple[list[Row], list[str]]:
    """The dataset's rows, and every reason it does not fit the lessons (any reason stops the run)."""
    rows: list[Row] = []
    problems: list[str] = []
    for number, text in enumerate(dataset.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        where = f"{dataset.name}:{number}"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not JSON ({error.msg})")
            continue
        if not isinstance(data, dict) or not {"lesson", "step", "kind", "style", "answer", "labels"} <= set(data) or set(data) - FIELDS:
            problems.append(f"{where}: expected the fields {sorted(FIELDS)} (note optional)")
            continue
        ask = asks.get((data["lesson"], data["step"]))
        labels = data["labels"]
        if ask is None:
            problems.append(f"{where}: {data['lesson']} {data['step']} is not a free-text ask of the curriculum")
        elif data["kind"] != ask.kind:
            problems.append(f"{where}: kind {data['kind']!r}, but {ask.lesson} {ask.step} is a {ask.kind} ask")
        elif not isinstance(labels, list) or len(labels) != len(ask.points):
            problems.append(f"{where}: {len(labels) if isinstance(labels, list) else '?'} labels, but {ask.lesson} {ask.step} has {len(ask.points)} points now: relabel it")
        elif any(label not in LABELS for label in labels):
            problems.append(f"{where}: labels must be among {LABELS}")
        elif data["style"] not in STYLES:
            problems.append(f"{where}: style {data['style']!r} is not among {STYLES}")
        elif data["style"] == "opposite" and ("contradicted" not in labels or "covered" in labels):
            problems.append(f"{where}: an opposite-meaning answer contradicts some point and covers none")
        elif not isinstance(data["answer"], str) or not data["answer"].strip():
            problems.append(f"{where}: empty answer")
        else:
            rows.append(Row(number, data["lesson"], data["step"], data["kind"], data["style"], data["answer"], tuple(labels), data.get("note", "")))
    return rows, problems


# ------------------------------------------------------------------------------ figures


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of (label, verdict) pairs: (observed agreement - chance agreement) / (1 - chance agreement)."""
    total = len(pairs)
    if not total:
        return float("nan")
    observed = sum(1 for label, verdict in pairs if label == verdict) / total
    labels, verdicts = Counter(label for label, _ in pairs), Counter(verdict for _, verdict in pairs)
    chance = sum(labels[c] * verdicts[c] for c in set(labels) | set(verdicts)) / (total * total)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


@dataclass(frozen=True)
class Pair:
    row: Row
    index: int  # of the point
    point: str
    label: str
    verdict: str
    evidence: str


@dataclass(frozen=True)
class Figures:
    kappa: float
    kappa_credited: float
    covered: int  # pairs the grader calls covered
    right_covered: int  # of those, labelled covered
    labelled_covered: int
    opposite_points: int
    opposite_covered: int
    opposite_contradicted: int

    @property
    def precision(self) -> float | None:
        return self.right_covered / self.covered if self.covered else None

    @property
    def recall(self) -> float | None:
        return self.right_covered / self.labelled_covered if self.labelled_covered else None

    def goals_met(self) -> bool:
        return self.opposite_covered == 0 and (self.precision is None or self.precision >= PRECISION_GOAL)


def figures(pairs: list[Pair]) -> Figures:
    credited = [("yes" if p.label == "covered" else "no", "yes" if p.verdict == "covered" else "no") for p in pairs]
    opposite = [p for p in pairs if p.row.style == "opposite"]
    return Figures(
        kappa=kappa([(p.label, p.verdict) for p in pairs]),
        kappa_credited=kappa(credited),
        covered=sum(p.verdict == "covered" for p in pairs),
        right_covered=sum(p.verdict == "covered" and p.label == "covered" for p in pairs),
        labelled_covered=sum(p.label == "covered" for p in pairs),
        opposite_points=len(opposite),
        opposite_covered=sum(p.verdict == "covered" for p in opposite),
        opposite_contradicted=sum(p.verdict == "contradicted" for p in opposite),
    )


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def report(name: str, pairs: list[Pair], columns: tuple[str, ...], show_all: bool) -> Figures:
    result = figures(pairs)
    precision_ok = result.precision is None or result.precision >= PRECISION_GOAL
    print(f"\n== {name}: {len(pairs)} (answer, point) pairs")
    print(f"Cohen's kappa, 5 classes (covered/partly/missed/contradicted/unsure): {result.kappa:.3f}")
    print(f"Cohen's kappa, credited (covered) or not:                          {result.kappa_credited:.3f}")
    print(f"opposite-meaning answers: {result.opposite_points} points, called covered {result.opposite_covered} (goal 0: {'met' if result.opposite_covered == 0 else 'MISSED'}), called contradicted {result.opposite_contradicted}")
    print(f"covered: precision {_ratio(result.precision)} ({result.right_covered}/{result.covered}; goal {PRECISION_GOAL}: {'met' if precision_ok else 'MISSED'}), recall {_ratio(result.recall)} ({result.right_covered}/{result.labelled_covered})")

    print("\nconfusion (rows: hand labels, columns: verdicts)")
    counts = Counter((p.label, p.verdict) for p in pairs)
    print(f"{'':>14}" + "".join(f"{c:>14}" for c in columns) + f"{'total':>8}")
    for label in LABELS:
        print(f"{label:>14}" + "".join(f"{counts[(label, c)]:>14}" for c in columns) + f"{sum(counts[(label, c)] for c in columns):>8}")
    print(f"{'total':>14}" + "".join(f"{sum(counts[(label, c)] for label in LABELS):>14}" for c in columns) + f"{len(pairs):>8}")

    print("\nper style: points; labelled covered; called covered (wrongly); labelled contradicted; called contradicted (of those)")
    for style in STYLES:
        mine = [p for p in pairs if p.row.style == style]
        if not mine:
            continue
        wrong = sum(p.verdict == "covered" and p.label != "covered" for p in mine)
        contra = [p for p in mine if p.label == "contradicted"]
        print(
            f"  {style:<18}{len(mine):>5}{sum(p.label == 'covered' for p in mine):>6}"
            f"{sum(p.verdict == 'covered' for p in mine):>6} ({wrong}){len(contra):>6}"
            f"{sum(p.verdict == 'contradicted' for p in mine):>6} ({sum(p.verdict == 'contradicted' for p in contra)})"
        )

    harmful = [p for p in pairs if p.verdict == "covered" and p.label != "covered"]
    shown = [p for p in pairs if p.verdict != p.label] if show_all else harmful
    title = "every disagreement" if show_all else "covered where the label is not (harmful)"
    print(f"\n{title}: {len(shown)}")
    for p in shown:
        print(f"  {p.row.lesson} {p.row.step} line {p.row.line} [{p.row.style}] point {p.index + 1} {p.point!r}: label {p.label}, {p.verdict}")
        if p.evidence:
            print(f"      evidence: {p.evidence!r}")
        print(f"      answer: {_cut(p.row.answer, 220)!r}")
    return result


# ------------------------------------------------------------------------------ judges


def matcher_pairs(rows: list[Row], asks: dict[tuple[str, str], Ask]) -> list[Pair]:
    pairs = []
    for row in rows:
        for index, point in enumerate(asks[(row.lesson, row.step)].points):
            # As `tutor grade` asks it: a goal's criteria describe a goal, so its words never cover one.
            found = hint(point, row.answer, words_can_cover=row.kind != "goal")
            pairs.append(Pair(row, index, point, row.labels[index], found.verdict.value, found.evidence))
    return pairs


def claude_available() -> str:
    """Why `--claude` cannot run, or the empty string."""
    try:
        from tutor.agent import judge  # noqa: F401
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("tutor"):
            return "--claude: tutor.agent.judge (ClaudeJudge) is not there yet; nothing to ask."
        raise
    if not hasattr(judge, "ClaudeJudge"):
        return "--claude: tutor.agent.judge has no ClaudeJudge yet; nothing to ask."
    from tutor.agent.client import CREDENTIAL_VARIABLES, has_credentials

    if not has_credentials():
        return f"--claude: no API key configured (set one of {', '.join(CREDENTIAL_VARIABLES)})."
    return ""


def request(ask: Ask, answer: str) -> JudgeRequest:
    return JudgeRequest(kind=ask.kind, task=ask.task, revealed=ask.revealed, senior=ask.senior, why=ask.why, points=ask.points, answer=answer)


def claude_pairs(rows: list[Row], asks: dict[tuple[str, str], Ask]) -> tuple[list[Pair], Counter]:
    from tutor.agent.judge import ClaudeJudge
    from tutor.learn.judging import Judge, Judgement, PointVerdict, Verdict

    def one(row: Row) -> tuple[Row, Ask, Judgement | None, str]:
        ask = asks[(row.lesson, row.step)]
        try:
            judgement = ClaudeJudge().judge(request(ask, row.answer))  # one judge per request: an async client stays on its own loop
            if inspect.isawaitable(judgement):
                judgement = asyncio.run(judgement)
        except Exception as error:  # noqa: BLE001 - JudgeUnavailable (timeout, API error, malformed reply): no verdict
            return row, ask, None, getattr(error, "notice", "") or f"{type(error).__name__}: {error}"
        return row, ask, checked(judgement, row.answer, len(ask.points)), ""

    pairs: list[Pair] = []
    judged_by: Counter = Counter()
    notices: Counter = Counter()
    with ThreadPoolExecutor(CLAUDE_WORKERS) as pool:
        for row, ask, judgement, notice in pool.map(one, rows):
            if judgement is None:  # the learner would check it themselves: here every point counts as unsure
                judged_by["unavailable"] += 1
                notices[notice] += 1
                judgement = Judgement(Judge.CLAUDE, tuple(PointVerdict(i, Verdict.UNSURE) for i in range(len(ask.points))))
            else:
                judged_by["claude" if judgement.judge is Judge.CLAUDE and not judgement.notice else f"{judgement.judge.value} (fallback)"] += 1
            for verdict in judgement.points:
                index = verdict.index
                pairs.append(Pair(row, index, ask.points[index], row.labels[index], verdict.verdict.value, verdict.evidence))
    for notice, count in notices.most_common():
        print(f"Claude could not judge {count} answer(s): {notice}")
    return pairs, judged_by


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claude", action="store_true", help="also ask Claude's judge (needs an API key; one request per answer)")
    parser.add_argument("--all", action="store_true", help="list every disagreement, not only wrongly credited points")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--curriculum", type=Path, default=CURRICULUM)
    args = parser.parse_args(argv)

    if args.claude and (why := claude_available()):
        print(why)
        return 2

    asks = load_asks(args.curriculum)
    rows, problems = load_rows(args.dataset, asks)
    if problems:
        print(f"{args.dataset} does not fit the lessons of {args.curriculum}; not running:")
        for problem in problems:
            print(f"  {problem}")
        return 2

    per_ask = Counter((row.lesson, row.step) for row in rows)
    styles = Counter(row.style for row in rows)
    print(f"{len(rows)} answers, {sum(len(row.labels) for row in rows)} points, {len(per_ask)} of {len(asks)} free-text asks of {args.curriculum.name}")
    print("by style: " + ", ".join(f"{style} {styles[style]}" for style in STYLES if styles[style]))
    print("by ask:   " + ", ".join(f"{lesson} {step} ({asks[(lesson, step)].kind}, {len(asks[(lesson, step)].points)} points) {per_ask[(lesson, step)]}" for lesson, step in sorted(asks)))
    for key in sorted(asks):
        if per_ask[key] < MIN_PER_ASK:
            print(f"warning: {key[0]} {key[1]} has {per_ask[key]} answers (fewer than {MIN_PER_ASK}); add some")

    started = time.perf_counter()
    pairs = matcher_pairs(rows, asks)
    elapsed = time.perf_counter() - started
    result = report(f"offline matcher (tutor.learn.matcher.hint, {elapsed * 1000:.0f} ms)", pairs, ("covered", "unsure", "missed", "contradicted"), args.all)

    if args.claude:
        started = time.perf_counter()
        judged, judged_by = claude_pairs(rows, asks)
        name = f"Claude's judge (tutor.agent.judge.ClaudeJudge, {time.perf_counter() - started:.0f} s; judged by: {', '.join(f'{k} {v}' for k, v in judged_by.items())})"
        report(name, judged, ("covered", "partly", "missed", "contradicted", "unsure"), args.all)
        print("(Claude's figures are reported, not held to the goals: the exit status follows the matcher.)")

    print(f"\nmatcher goals: {'met' if result.goals_met() else 'MISSED'}")
    return 0 if result.goals_met() else 1


if __name__ == "__main__":
    sys.exit(main())
