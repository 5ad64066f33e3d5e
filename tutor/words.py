"""Counting words for people: "1 step", "2 steps". One owner for plurals, so no screen says "1 steps"."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` and the noun that agrees with it: plural(1, "step") == "1 step"."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
