"""Typo-tolerant word matching, used to tell which key points a learner's words cover.

Deliberately simple and explainable: content words, a light stemmer, and an edit
distance that grows with word length. A learner can see exactly why a point counted.
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "then", "else", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there", "here", "i", "you", "we", "they", "he", "she", "them", "us", "our", "your", "my", "me", "do", "does", "did", "doing", "not", "no", "so", "than", "too", "very", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "just", "also", "into", "onto", "out", "up", "about", "over", "under", "again", "only", "own", "same", "such", "what", "which", "who", "whom", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "have", "has", "had", "having", "let", "lets", "let's", "i'd", "i'll", "i'm", "we'd", "we'll", "we're", "it's", "that's", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "shouldn't", "can't", "couldn't"]
)
# Negations carry meaning in a correction ("do not touch the test"); keep them as content.
NEGATIONS = frozenset({"not", "no", "don't", "dont", "never", "without", "instead"})

_WORD = re.compile(r"[a-z0-9][a-z0-9_'+.-]*[a-z0-9]|[a-z0-9]")
_SUFFIXES = ("ization", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    result = []
    for word in words(text):
        if word in NEGATIONS:
            result.append("not")
        elif word not in STOPWORDS:
            result.append(stem(word))
    return result


@lru_cache(maxsize=65536)
def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition counts as one edit), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def tolerance(word: str) -> int:
    """Edits allowed for a word of this length: none for short words, where typos change meaning."""
    if len(word) <= 4:
        return 0  # "best" is not a typo of "test"
    if len(word) <= 7:
        return 1
    return 2


def word_matches(expected: str, given: str) -> bool:
    if expected == given:
        return True
    if min(len(expected), len(given)) >= 5 and (expected.startswith(given) or given.startswith(expected)):
        return True
    limit = tolerance(expected)
    if limit == 0 and len(expected) == 4 and sorted(expected) == sorted(given):
        return edit_distance(expected, given, 1) <= 1  # a swapped pair ("tset") is a typo; "best" is another word
    return limit > 0 and edit_distance(expected, given, limit) <= limit


def coverage(key_point: str, answer_words: list[str], threshold: float = 0.6) -> bool:
    """A key point is covered when most of its content words appear (allowing typos) in the answer."""
    expected = list(dict.fromkeys(content_words(key_point)))
    if not expected:
        return False
    given = set(answer_words)
    hits = sum(1 for word in expected if any(word_matches(word, candidate) for candidate in given))
    return hits / len(expected) >= threshold
