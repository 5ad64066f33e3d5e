"""Shared fixtures. Every test gets its own TUTOR_HOME: nothing is ever written to the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM


@pytest.fixture(autouse=True)
def tutor_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return home


@pytest.fixture
def example_curriculum() -> Path:
    return EXAMPLE_CURRICULUM
