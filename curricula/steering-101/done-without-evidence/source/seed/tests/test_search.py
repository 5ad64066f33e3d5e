from bookshelf.search import Book, search

BOOKS = [Book(f"Earthsea, volume {n}", "Ursula K. Le Guin") for n in range(1, 13)] + [
    Book("The Dispossessed", "Ursula K. Le Guin"),
    Book("Kindred", "Octavia E. Butler"),
]


def test_search_matches_author_ignoring_case():
    books, label = search(BOOKS, "le guin")
    assert len(books) == 10
    assert label == "Page 1 of 2"


def test_second_page_has_the_rest():
    books, label = search(BOOKS, "le guin", page=2)
    assert [b.title for b in books] == ["Earthsea, volume 11", "Earthsea, volume 12", "The Dispossessed"]
    assert label == "Page 2 of 2"
