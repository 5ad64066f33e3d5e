"""Split search results into pages for the catalogue's result list."""

from typing import Sequence, TypeVar

T = TypeVar("T")


def page_count(total: int, per_page: int) -> int:
    """How many pages it takes to show `total` results, `per_page` at a time.

    A search with no results still shows one (empty) page.
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    return total // per_page + 1


def page_slice(results: Sequence[T], page: int, per_page: int) -> Sequence[T]:
    """The results shown on `page` (numbered from 1)."""
    if page < 1:
        raise ValueError("pages are numbered from 1")
    start = (page - 1) * per_page
    return results[start : start + per_page]


def page_label(page: int, total: int, per_page: int) -> str:
    """The caption under the result list, e.g. 'Page 2 of 3'."""
    return f"Page {page} of {page_count(total, per_page)}"
