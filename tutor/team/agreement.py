"""How much the team agrees, and which asks tell strong learners from the rest. Pure arithmetic.

- `krippendorff_alpha`: Krippendorff's alpha for nominal data, missing values allowed. Coders
  are learners, units are asks; 1 is perfect agreement, 0 what chance would give, below 0
  systematic disagreement. Computed from the coincidence matrix (Krippendorff, *Computing
  Krippendorff's Alpha-Reliability*, 2011): only units with at least two values count, each
  pair of values within a unit weighing 1/(m-1). Undefined (None) when no unit has two values
  or every pairable value is the same (no disagreement could be expected).
- `discrimination`: the upper-minus-lower-third facility difference. Learners are ranked by
  their mean score on the version's *other* asks (so an ask does not rank learners by itself);
  the strongest third's mean score on the ask minus the weakest third's. From -1 to 1: high
  when the ask separates strong learners from weak ones, near 0 when it does not, negative
  when weak learners do better (a flawed ask, or a flawed senior answer).
- `worth_a_look`: the strongest third mostly (more than half of them) got this ask wrong: the
  people who are usually right disagree with the senior, so the senior's answer may be wrong.

Both rankings need `MIN_RANKED` learners, so that a third is at least 3 people; a third is
`len // 3` learners, ties on the rest score broken by handle (random, so no one is favoured).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

MIN_RANKED = 10


def krippendorff_alpha(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Nominal alpha over `units`, each the values the coders gave it (None: that coder gave none)."""
    coincidences: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = Counter(value for value in unit if value is not None)
        pairable = sum(values.values())
        if pairable < 2:
            continue
        for first, first_count in values.items():
            for second, second_count in values.items():
                pairs = first_count * (first_count - 1) if first == second else first_count * second_count
                if pairs:
                    coincidences[(first, second)] = coincidences.get((first, second), 0.0) + pairs / (pairable - 1)
    totals: dict[Hashable, float] = {}
    for (first, _), weight in coincidences.items():
        totals[first] = totals.get(first, 0.0) + weight
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(weight for (first, second), weight in coincidences.items() if first != second)
    expected = (n * n - sum(count * count for count in totals.values())) / (n - 1)
    if expected <= 1e-12:
        return None
    return 1.0 - observed / expected


@dataclass(frozen=True)
class Ranked:
    """One learner's answer to one ask, with where they stand on the version's other asks."""

    handle: str
    score: float  # on this ask
    wrong: bool  # the answer was missed (wrong, or mostly missed points)
    rest: float  # the learner's mean score on the version's other asks


def thirds(ranked: Sequence[Ranked]) -> tuple[list[Ranked], list[Ranked]] | None:
    """(strongest third, weakest third) by rest score; None below `MIN_RANKED` learners."""
    if len(ranked) < MIN_RANKED:
        return None
    third = len(ranked) // 3
    order = sorted(ranked, key=lambda entry: (-entry.rest, entry.handle))
    return order[:third], order[-third:]


def discrimination(ranked: Sequence[Ranked]) -> float | None:
    """The strongest third's mean score on the ask minus the weakest third's; None below `MIN_RANKED`."""
    split = thirds(ranked)
    if split is None:
        return None
    upper, lower = split
    return sum(entry.score for entry in upper) / len(upper) - sum(entry.score for entry in lower) / len(lower)


def worth_a_look(ranked: Sequence[Ranked], min_group: int) -> bool | None:
    """Whether more than half of the strongest third got the ask wrong; None below `MIN_RANKED`
    learners, or when a third is smaller than the team's `min_group` (its figures would show a few people)."""
    split = thirds(ranked)
    if split is None or len(split[0]) < min_group:
        return None
    upper = split[0]
    return 2 * sum(entry.wrong for entry in upper) > len(upper)
