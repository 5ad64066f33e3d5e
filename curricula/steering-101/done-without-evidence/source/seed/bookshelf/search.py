"""Title and author search over the catalogue, one page at a time."""

from dataclasses import dataclass

from .pager import page_label, page_slice

PER_PAGE = 10


@dataclass(frozen=True)
class Book:
    title: str
    author: str


def search(books: list[Book], query: str, page: int = 1) -> tuple[list[Book], str]:
    """The books on `page` whose title or author contains `query`, and the page caption."""
    needle = query.casefold()
    hits = [b for b in books if needle in b.title.casefold() or needle in b.author.casefold()]
    return list(page_slice(hits, page, PER_PAGE)), page_label(page, len(hits), PER_PAGE)
