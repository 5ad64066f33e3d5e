"""Chat commands for the team's build-server bot.

Anyone in the #builds channel can type a command. The bot runs it on the shared build
server as the `deskbot` user, which can read and write every project under /srv/projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import exports

PROJECTS = Path("/srv/projects")
EXPORTS = Path("/srv/exports")

Exporter = Callable[[Path, Path, str], Path]


@dataclass(frozen=True)
class Command:
    name: str
    argument: str


def parse(message: str) -> Command | None:
    """`!export web shop` -> Command("export", "web shop"); a message without a leading `!` -> None."""
    text = message.strip()
    if not text.startswith("!"):
        return None
    name, _, argument = text[1:].partition(" ")
    return Command(name.lower(), argument.strip())


def handle(message: str, export: Exporter = exports.export_project) -> str | None:
    """The bot's reply to a chat message, or None when the message is not a command."""
    command = parse(message)
    if command is None:
        return None
    if command.name == "help":
        return "commands: !export <project>, !help"
    if command.name == "export":
        if not command.argument:
            return "usage: !export <project>"
        archive = export(PROJECTS, EXPORTS, command.argument)
        return f"Exported {command.argument} to {archive.name}"
    return f"unknown command: !{command.name}"
