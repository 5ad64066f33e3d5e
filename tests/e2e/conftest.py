"""Fixtures of the end-to-end tests: `tmux` (a terminal running `tutor`) and `run_tutor` (no terminal).

Every test here is marked `e2e`, and skipped with the reason when tmux or the `tutor`
console script is missing. Deselect them with `-m "not e2e"`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.live_support import make_user_repo
from tests.helpers.pair_e2e import FAKE_KEY, PairAPI
from tests.helpers.support import DATA
from tests.helpers.tmux_driver import TUTOR_BIN, Tmux


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            if shutil.which("tmux") is None:
                item.add_marker(pytest.mark.skip(reason="tmux is not installed: the end-to-end tests drive tutor in a tmux pane"))
            elif not TUTOR_BIN.exists():
                item.add_marker(pytest.mark.skip(reason=f"no `tutor` console script at {TUTOR_BIN}: install the package (pip install -e .)"))


@pytest.fixture
def tutor_env(tutor_home: Path) -> dict[str, str]:
    """The environment `tutor` runs with: a private TUTOR_HOME whose config adds tests/data as a curriculum root."""
    (tutor_home / "config.toml").write_text(f"curricula = [{json.dumps(str(DATA.resolve()))}]\n", encoding="utf-8")
    # COLUMNS and LINES would override the pane's size (pytest-xdist's workers set them to 80x24).
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEXTUAL", "TMUX")) and key not in ("COLUMNS", "LINES")}
    env.update(TUTOR_HOME=str(tutor_home), LANG=env.get("LANG") or "C.UTF-8", TERM="xterm-256color")
    # A lone escape is told from the start of an escape sequence by waiting this long (ms) for
    # more; Textual waits 100 ms, longer than the driver leaves between keys, and `escape` then
    # `p` would read as alt+p. A person leaves far more than 10 ms.
    env["ESCDELAY"] = "10"
    env.pop("ANTHROPIC_API_KEY", None)
    return env


@pytest.fixture
def tmux(tmp_path: Path, tutor_env: dict[str, str]) -> Iterator[Tmux]:
    driver = Tmux(tmp_path, tutor_env)
    try:
        yield driver
    finally:
        driver.kill()


@pytest.fixture
def run_tutor(tutor_env: dict[str, str]):  # noqa: ANN201
    """Run `tutor ARGS` to completion outside tmux (no terminal): returns the CompletedProcess."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TUTOR_BIN), *args], capture_output=True, text=True, timeout=timeout, env=tutor_env, stdin=subprocess.DEVNULL)

    return run


# -- the pair and record tests: a fake Messages API, a user's repository, and a key for it


@pytest.fixture
def api() -> Iterator[PairAPI]:
    with PairAPI() as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_user_repo(tmp_path)


@pytest.fixture
def keyed_env(tutor_env: dict[str, str], tutor_home: Path, api: PairAPI) -> dict[str, str]:
    """`tutor_env` (which the `tmux` fixture runs with) plus a fake key and the fake server's address."""
    for name in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE"):
        tutor_env.pop(name, None)
    tutor_env.update(ANTHROPIC_API_KEY=FAKE_KEY, ANTHROPIC_BASE_URL=api.base_url)
    with (tutor_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write("api_max_retries = 0\n")  # an under-scripted server fails at once, not after back-offs
    return tutor_env
