"""Render release notes as the plain-text email customers receive.

Many mail clients show plain text exactly as sent, so no line may be longer than WIDTH.
"""

from shipnote._vendor import tinytext

WIDTH = 72
SECTIONS = ("Added", "Changed", "Fixed")


def subject(product: str, version: str, headline: str) -> str:
    """The email subject: product, version and a headline shortened to fit."""
    head = f"{product} {version}: "
    return head + tinytext.shorten(headline, WIDTH - len(head))


def bullet(text: str, width: int = WIDTH) -> list[str]:
    """One release-note item as a "- " bullet, whitespace collapsed."""
    return ["- " + " ".join(text.split())]


def render_email(product: str, version: str, notes: dict[str, list[str]]) -> str:
    """The email body: one block per non-empty section, in SECTIONS order."""
    blocks = [f"{product} {version} is out. Here is what changed."]
    for section in SECTIONS:
        items = notes.get(section) or []
        if not items:
            continue
        lines = [section, "-" * len(section)]
        for item in items:
            lines.extend(bullet(item))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
