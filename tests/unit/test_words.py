from hypothesis import given, strategies as st

from tutor.words import plural


def test_one_is_singular_and_the_rest_plural() -> None:
    assert plural(1, "step") == "1 step"
    assert plural(0, "step") == "0 steps"
    assert plural(2, "question") == "2 questions"
    assert plural(3, "query", "queries") == "3 queries"


@given(st.integers(min_value=0, max_value=10**6))
def test_the_count_is_always_shown_as_given(count: int) -> None:
    assert plural(count, "step").split()[0] == str(count)
    assert plural(count, "step").endswith("step" if count == 1 else "steps")
