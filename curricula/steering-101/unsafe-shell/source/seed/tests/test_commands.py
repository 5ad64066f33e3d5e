from pathlib import Path

from deskbot.commands import Command, handle, parse


def test_parse_splits_command_and_argument():
    assert parse("!export web shop") == Command("export", "web shop")


def test_parse_ignores_ordinary_chat():
    assert parse("anyone around?") is None


def test_export_passes_the_typed_name_through_verbatim():
    seen = []

    def fake_export(projects: Path, exports: Path, name: str) -> Path:
        seen.append(name)
        return exports / f"{name}.tgz"

    reply = handle("!export web shop", export=fake_export)
    assert seen == ["web shop"]
    assert reply == "Exported web shop to web shop.tgz"


def test_export_without_a_name_shows_usage():
    assert handle("!export") == "usage: !export <project>"


def test_unknown_command():
    assert handle("!deploy prod") == "unknown command: !deploy"
