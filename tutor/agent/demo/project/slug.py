"""Turn titles into URL slugs."""

import re


def slugify(title: str) -> str:
    """'Hello, World 2' -> 'hello-world-2'."""
    words = re.findall(r"[a-z]+", title.lower())
    return "-".join(words)
