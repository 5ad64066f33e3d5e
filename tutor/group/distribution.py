"""How a closed round's answers spread: a count per label, hidden below the team's minimum group.

Labels (those of tally files, `tutor.team.tallies`): outcome `works` / `fails`; choice `option 0`, `option 1`, …
(0-based, as a lesson's `answer`); intervene `let it run`, `step in: <category>`, or `step in`
when no category was named. A goal is free text: it has no labels, only its count of answers.
A label no one chose is left out. Fewer answers than the minimum group: no counts at all, so
that in a small group nobody's answer can be told from the spread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tutor.learn.answers import Answer, ChoiceAnswer, GoalAnswer, InterveneAnswer, OutcomeAnswer
from tutor.lesson import AskType, Category
from tutor.team.tallies import FAILS, LET_RUN, MAX_OPTION_INDEX, STEP_IN, WORKS, intervene_label, outcome_label


@dataclass(frozen=True)
class Distribution:
    """One round's spread at one ask. `counts` is None when hidden (fewer than the minimum group)."""

    step: int  # the ask's step number (1-based)
    round: int  # 1: the first vote, 2: the revote
    n: int  # answers given in the round
    counts: tuple[tuple[str, int], ...] | None

    @property
    def hidden(self) -> bool:
        return self.counts is None

    def count(self, label: str) -> int:
        return dict(self.counts or ()).get(label, 0)


def label_of(answer: Answer) -> str | None:
    """The label an answer counts under; None for a goal (free text)."""
    if isinstance(answer, OutcomeAnswer):
        return outcome_label(answer.works)
    if isinstance(answer, ChoiceAnswer):
        return f"option {answer.index}"  # `tallies.choice_label`, without its refusal past a thousand options
    if isinstance(answer, InterveneAnswer):
        return intervene_label(answer.intervene, answer.category if answer.intervene else None)
    assert isinstance(answer, GoalAnswer)
    return None


def labels_for(ask_type: AskType, options: int = 0) -> tuple[str, ...]:
    """Every label an ask of this type can have, in the order they are shown."""
    if ask_type is AskType.OUTCOME:
        return (WORKS, FAILS)
    if ask_type is AskType.CHOICE:
        return tuple(f"option {index}" for index in range(min(options, MAX_OPTION_INDEX + 1)))
    if ask_type is AskType.INTERVENE:
        return (LET_RUN, *(intervene_label(True, category) for category in Category), STEP_IN)
    return ()


def distribution(step: int, round_: int, ask_type: AskType, answers: Iterable[Answer], min_group: int, options: int = 0) -> Distribution:
    """The spread of `answers`; hidden when there are fewer than `min_group` of them."""
    given = list(answers)
    if len(given) < min_group:
        return Distribution(step, round_, len(given), None)
    tallied: dict[str, int] = {}
    for answer in given:
        label = label_of(answer)
        if label is not None:
            tallied[label] = tallied.get(label, 0) + 1
    order = {label: index for index, label in enumerate(labels_for(ask_type, options))}
    counts = tuple(sorted(tallied.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
    return Distribution(step, round_, len(given), counts)
