"""Textual's parsed CSS kept between starts (`tutor.ui.kept_css`): read back instead of parsed, drawn the same, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.css.model import RuleSet
from textual.widgets import Static

from tests.helpers.support import EXAMPLE_CURRICULUM
from tests.helpers.ui_support import wait_for_text
from tutor.cli import make_app
from tutor.ui import kept_css

LESSON = EXAMPLE_CURRICULUM / "tests-that-lie"
SIZE = (100, 30)


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Path]:
    """Kept rules in a folder of this test's own (written even where bytecode is not)."""
    folder = tmp_path / "kept"
    kept_css.install(lambda: (folder, True))
    yield folder
    kept_css.install(kept_css.beside_bytecode)


def kept_file(folder: Path) -> Path:
    files = list(folder.glob("kept-css.*.rules"))
    assert len(files) == 1, files
    return files[0]


async def first_screen_of_a_lesson() -> tuple[str, list[str]]:
    """What `tutor learn LESSON` draws first, and every rule its stylesheet holds."""
    app = make_app(lesson=LESSON)
    async with app.run_test(size=SIZE) as pilot:
        text = await wait_for_text(pilot, "Press n")
        rules = [described(rule) for rule in app.stylesheet.rules]
    return text, rules


def described(rule: RuleSet) -> str:
    """A rule as it acts: its selectors, declarations, origin and rank (`RuleSet.css` fails on some of Textual's own rules)."""
    declarations = sorted((name, repr(value)) for name, value in rule.styles.get_rules().items())
    return repr((rule.selectors, declarations, rule.is_default_rules, rule.tie_breaker, sorted(rule.selector_names), sorted(rule.pseudo_classes)))


def refuse_to_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed CSS that was kept")

    monkeypatch.setattr("textual.css.stylesheet.parse", parse)


async def test_a_second_start_parses_no_css_and_draws_the_same(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn, rules = await first_screen_of_a_lesson()
    kept_at = kept_file(kept)
    written = kept_at.read_bytes()

    kept_css.install(lambda: (kept, True))  # as a new process would: the file read afresh
    refuse_to_parse(monkeypatch)
    drawn_again, rules_again = await first_screen_of_a_lesson()

    assert drawn_again == drawn
    assert rules_again == rules and len(rules) > 100
    assert kept_at.read_bytes() == written  # nothing new to keep


class Probe(App[None]):
    CSS = "#probe { width: 7; }"

    def compose(self) -> ComposeResult:
        yield Static("probe", id="probe")


async def probe_width(css: str) -> int:
    Probe.CSS = css
    app = Probe()
    async with app.run_test(size=(40, 5)):
        return app.query_one("#probe").size.width


async def test_css_that_changed_is_parsed_again(kept: Path) -> None:
    assert await probe_width("#probe { width: 7; }") == 7
    kept_css.install(lambda: (kept, True))
    assert await probe_width("#probe { width: 9; }") == 9
    kept_css.install(lambda: (kept, True))
    assert await probe_width("#probe { width: 7; }") == 7  # both kept, each under its own text


class Planted:
    """An entry that would leave a mark if it were ever unpickled."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.mark),))


def plant(path: Path, mark: Path) -> None:
    """Every entry of the kept file replaced by one that runs code, its digest made right again."""
    import hashlib

    import msgspec

    data = path.read_bytes()
    head = len(kept_css._FORMAT) + 32  # noqa: SLF001
    entries = msgspec.msgpack.decode(data[head:], type=dict[str, bytes])
    payload = msgspec.msgpack.encode({digest: pickle.dumps(Planted(mark)) for digest in entries})
    path.write_bytes(kept_css._FORMAT + hashlib.sha256(payload).digest() + payload)  # noqa: SLF001


@pytest.mark.parametrize("spoil", ["writable by the group", "writable by anyone", "damaged", "too large"])
async def test_a_kept_file_not_safely_the_users_own_is_ignored(kept: Path, tmp_path: Path, spoil: str) -> None:
    drawn, _ = await first_screen_of_a_lesson()
    path = kept_file(kept)
    mark = tmp_path / "unpickled"
    plant(path, mark)
    if spoil == "writable by the group":
        path.chmod(0o620)
    elif spoil == "writable by anyone":
        path.chmod(0o602)
    elif spoil == "damaged":
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
    else:
        with path.open("ab") as out:
            out.write(b"\0" * (kept_css.LIMIT + 1))

    kept_css.install(lambda: (kept, True))
    drawn_again, _ = await first_screen_of_a_lesson()

    assert not mark.exists()
    assert drawn_again == drawn
    assert kept_css.KeptRules(path).get(next(iter(_digests(path)), "")) is not None  # written afresh, whole and private
    assert path.stat().st_mode & 0o077 == 0


def _digests(path: Path) -> list[str]:
    return list(kept_css._read(path))  # noqa: SLF001


def test_nothing_is_written_where_bytecode_is_not(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    folder, writable = kept_css.beside_bytecode()
    assert not writable and folder.name == "__pycache__"
    store = kept_css.KeptRules(tmp_path / "kept.rules", writable=writable)
    store.put("a" * 64, ["rules"])
    store.keep()
    assert not (tmp_path / "kept.rules").exists()


def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.rules"
    store = kept_css.KeptRules(real)
    store.put("b" * 64, ["rules"])
    store.keep()
    link = tmp_path / "link.rules"
    link.symlink_to(real)
    assert kept_css.KeptRules(real).get("b" * 64) == ["rules"]
    assert kept_css.KeptRules(link).get("b" * 64) is None


class Themed(App[None]):
    CSS = "#probe { background: $primary; }"

    def compose(self) -> ComposeResult:
        yield Static("probe", id="probe")


async def probe_background(theme: str) -> str:
    app = Themed()
    app.theme = theme
    async with app.run_test(size=(40, 5)):
        return app.query_one("#probe").styles.background.hex


async def test_rules_kept_under_one_theme_are_not_used_under_another(kept: Path) -> None:
    dark = await probe_background("textual-dark")
    kept_css.install(lambda: (kept, True))
    nord = await probe_background("nord")
    assert dark != nord
    kept_css.install(lambda: (kept, True))
    assert await probe_background("nord") == nord
