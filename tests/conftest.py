"""Shared fixtures. Every test gets its own TUTOR_HOME: nothing is ever written to the real one."""

from __future__ import annotations

import compileall
import os
from pathlib import Path

import pytest

from tests.helpers.support import EXAMPLE_CURRICULUM

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Bytecode for Tutor and the test helpers, once a run (in the controller, before any worker starts): the suite
    starts `tutor` and helper servers several hundred times, and an editable install has no bytecode of its own. With
    PYTHONDONTWRITEBYTECODE set (as on the CI machines) each of those processes compiled every module it imports
    from source, about a tenth of a second each; an installed Tutor never does. Files already compiled are skipped."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        for folder in (ROOT / "tutor", ROOT / "tests" / "helpers"):
            compileall.compile_dir(folder, quiet=2)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker per core and one more. Many tests drive `tutor` in tmux or another process and wait on its
    screen, and a core stands idle through such a wait: on 2 cores, even with three workers, 1.55 of them were busy on
    average. There the suite took 526 s with two workers and 502 s with three (one run each, an hour apart)."""
    return (os.cpu_count() or 1) + 1


@pytest.fixture(autouse=True)
def tutor_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return home


@pytest.fixture
def example_curriculum() -> Path:
    return EXAMPLE_CURRICULUM
