"""The layout rules of DESIGN.md hold: import contracts, and heavy libraries stay out of start-up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("textual", "anthropic", "git", "tinydb")


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports is not installed: install the test extra (pip install -e '.[test]')")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(','.join(sorted(m for m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.strip().split(","))


@pytest.mark.parametrize("statement", ["import tutor.lesson, tutor.learn", "import tutor.cli", "import tutor.store", "import tutor.vcs, tutor.vcs.lesson_repo", "import tutor.services.library, tutor.services.lesson_run", "import tutor.services.errors, tutor.services.progress", "import tutor.agent.client, tutor.agent.judge, tutor.agent.mentor, tutor.agent.anthropic_agent"])
def test_core_imports_load_no_heavy_library(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert not [name for name in HEAVY if name in loaded]


def test_help_loads_no_heavy_library() -> None:
    loaded = _loaded_after("from click.testing import CliRunner\nfrom tutor.cli import cli\nCliRunner().invoke(cli, ['validate', '--help'])")
    assert not [name for name in HEAVY if name in loaded]


def test_vcs_error_is_public_and_loads_no_git() -> None:
    loaded = _loaded_after("from tutor.vcs import VcsError\nfrom tutor.vcs._git import VcsError as Own\nassert VcsError is Own")
    assert "git" not in loaded
