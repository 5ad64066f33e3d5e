import pytest

from bookshelf.pager import page_count, page_label, page_slice


def test_a_few_results_fit_on_one_page():
    assert page_count(7, 10) == 1


def test_a_partly_filled_last_page_counts():
    assert page_count(25, 10) == 3


def test_no_results_still_show_one_page():
    assert page_count(0, 10) == 1
    assert page_label(1, 0, 10) == "Page 1 of 1"


def test_per_page_must_be_positive():
    with pytest.raises(ValueError):
        page_count(5, 0)


def test_second_page_holds_the_next_results():
    assert page_slice(list(range(25)), 2, 10) == list(range(10, 20))


def test_last_page_holds_the_remainder():
    assert page_slice(list(range(25)), 3, 10) == [20, 21, 22, 23, 24]
