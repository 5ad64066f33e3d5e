"""The team report's arithmetic (`tutor.team.agreement`): Krippendorff's alpha checked against the
`krippendorff` package (a test-only reference: Tutor never imports it) on random data and on
Krippendorff's own worked example; discrimination and the senior's-look flag by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

krippendorff = pytest.importorskip("krippendorff")

from tutor.team.agreement import MIN_RANKED, Ranked, discrimination, krippendorff_alpha, thirds, worth_a_look  # noqa: E402

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example: 4 coders,
# 12 units, missing values; alpha = 0.743.
NAN = math.nan
WORKED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def units_of(coders: list[list[float]]) -> list[list[int | None]]:
    """Coders x units (NaN missing), as the package takes it, turned into units of values (None missing)."""
    return [[None if math.isnan(value) else int(value) for value in unit] for unit in zip(*coders, strict=True)]


def reference(coders: list[list[float]]) -> float | None:
    """The package's alpha; None where it is undefined (it raises, or gives NaN)."""
    try:
        with np.errstate(all="ignore"):  # 0/0 where it is undefined: NaN, told apart below
            value = float(krippendorff.alpha(reliability_data=np.array(coders, dtype=float), level_of_measurement="nominal"))
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(value) else value


def test_krippendorffs_worked_example() -> None:
    assert krippendorff_alpha(units_of(WORKED)) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(units_of(WORKED)) == pytest.approx(reference(WORKED))


def test_by_hand() -> None:
    # Two coders, three units: (a, a), (a, b), (b, b). Coincidences: o_aa = 2, o_ab = o_ba = 1, o_bb = 2;
    # n_a = n_b = 3, n = 6. Observed disagreement 2; expected (36 - 9 - 9) / 5 = 18/5; alpha = 1 - 2 / 3.6 = 4/9.
    assert krippendorff_alpha([["a", "a"], ["a", "b"], ["b", "b"]]) == pytest.approx(4 / 9)
    # A unit with one value is not pairable and changes nothing.
    assert krippendorff_alpha([["a", "a"], ["a", "b"], ["b", "b"], ["b", None]]) == pytest.approx(4 / 9)
    assert krippendorff_alpha([["a", "a"], ["b", "b"]]) == pytest.approx(1.0)


def test_undefined_cases() -> None:
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([["a", None], [None, "b"]]) is None  # nothing pairable
    assert krippendorff_alpha([["a", "a"], ["a", "a", "a"]]) is None  # one value only: no disagreement to expect


coder_rows = st.integers(min_value=2, max_value=6).flatmap(
    lambda coders: st.integers(min_value=1, max_value=8).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=3)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(coder_rows)
def test_alpha_agrees_with_the_reference(rows: list[list[int | None]]) -> None:
    coders = [[NAN if value is None else float(value) for value in row] for row in rows]
    mine = krippendorff_alpha(units_of(coders))
    theirs = reference(coders)
    if mine is None:
        assert theirs is None or not math.isfinite(theirs)
    else:
        assert theirs is not None
        assert mine == pytest.approx(theirs, abs=1e-9)


def ranked(rest_and_score: list[tuple[float, float]]) -> list[Ranked]:
    return [Ranked(handle=f"m-{number:08d}", score=score, wrong=score < 0.5, rest=rest) for number, (rest, score) in enumerate(rest_and_score)]


def test_discrimination_by_hand() -> None:
    # 12 learners: a third is 4. By rest score, the strongest four scored 1, 1, 1, 0 on the ask (mean 0.75);
    # the weakest four 0, 0, 1, 0 (mean 0.25): discrimination 0.5. The middle four do not count.
    learners = ranked([
        (0.95, 1.0), (0.9, 1.0), (0.85, 1.0), (0.8, 0.0),
        (0.6, 0.0), (0.55, 1.0), (0.5, 0.0), (0.45, 1.0),
        (0.3, 0.0), (0.2, 0.0), (0.1, 1.0), (0.0, 0.0),
    ])
    assert discrimination(learners) == pytest.approx(0.5)
    upper, lower = thirds(learners) or ([], [])
    assert [entry.rest for entry in upper] == [0.95, 0.9, 0.85, 0.8]
    assert [entry.rest for entry in lower] == [0.3, 0.2, 0.1, 0.0]
    assert worth_a_look(learners, 3) is False  # 1 of the strongest 4 got it wrong
    assert worth_a_look(learners, 5) is None  # a third of 4 is below a min_group of 5: not told


def test_a_seniors_look_when_the_strongest_mostly_disagree() -> None:
    # 10 learners: a third is 3; the strongest three got it wrong twice, more than half.
    learners = ranked([(0.9, 0.0), (0.8, 0.0), (0.7, 1.0)] + [(0.5, 1.0)] * 4 + [(0.1, 1.0)] * 3)
    assert worth_a_look(learners, 3) is True
    assert discrimination(learners) == pytest.approx(1 / 3 - 1.0)


def test_below_ten_learners_nothing_is_told() -> None:
    learners = ranked([(0.1 * number, 1.0) for number in range(MIN_RANKED - 1)])
    assert discrimination(learners) is None and worth_a_look(learners, 1) is None
    assert discrimination(ranked([(0.1 * number, 1.0) for number in range(MIN_RANKED)])) == pytest.approx(0.0)


def test_ties_on_rest_are_broken_by_handle() -> None:
    # Everyone has the same rest score: the thirds are the first and last handles, whatever the input order.
    learners = ranked([(0.5, 1.0 if number < 4 else 0.0) for number in range(12)])
    assert discrimination(list(reversed(learners))) == pytest.approx(1.0)
