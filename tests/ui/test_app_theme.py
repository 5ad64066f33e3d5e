"""The theme the learner picks is remembered only while the app runs (`TutorApp.watch_theme`)."""

from __future__ import annotations

from pathlib import Path

from tutor.settings import load_settings
from tutor.ui.app import TutorApp


def test_a_theme_set_before_the_app_runs_is_not_saved(tutor_home: Path) -> None:
    app = TutorApp(settings=load_settings())
    app.theme = "nord"  # a caller setting up the app, not the learner choosing
    assert app.settings.theme != "nord"
    assert not (tutor_home / "config.toml").exists()


async def test_a_theme_chosen_while_running_is_saved(tutor_home: Path) -> None:
    app = TutorApp(settings=load_settings())
    async with app.run_test() as pilot:
        app.theme = "nord"
        await pilot.pause()
        assert app.settings.theme == "nord"
    assert 'theme = "nord"' in (tutor_home / "config.toml").read_text(encoding="utf-8")
