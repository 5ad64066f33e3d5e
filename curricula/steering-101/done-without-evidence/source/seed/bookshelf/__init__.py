"""bookshelf: the search pages of the city library's online catalogue."""
