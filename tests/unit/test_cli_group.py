"""`tutor host` and `tutor join` on the command line, before any screen opens: every way to start
wrong is one line and exit 1 (no terminal, a bad code, a host that cannot be reached or refuses, a
bad --bind, a broken lesson, no name)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.group_support import spoiler_lesson_data, write_lesson
from tutor.cli import cli
from tutor.services.group_host import GroupHost

TUTOR = [sys.executable, "-m", "tutor.cli"]


def tutor(*args: str, home: Path, terminal: bool = True) -> subprocess.CompletedProcess[str]:
    """`tutor ARGS` as a person would run it; `terminal`: as if in one (the checks before the screen run, no screen opens)."""
    env = {key: value for key, value in os.environ.items() if key != "TUTOR_FORCE_TUI"}
    env["TUTOR_HOME"] = str(home)
    if terminal:
        env["TUTOR_FORCE_TUI"] = "1"
    return subprocess.run([*TUTOR, *args], capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)


def one_line_refusal(result: subprocess.CompletedProcess[str], *says: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tutor: "), result.stderr
    assert all(said in lines[0] for said in says), lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    return write_lesson(tmp_path / "group-spoilers", spoiler_lesson_data())


@pytest.mark.parametrize("command", ["host", "join"])
def test_both_commands_have_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert "host" in CliRunner().invoke(cli, ["--help"]).output


def test_both_need_a_terminal(lesson: Path, tutor_home: Path) -> None:
    one_line_refusal(tutor("host", str(lesson), home=tutor_home, terminal=False), "hosting needs a terminal")
    one_line_refusal(tutor("join", "127.0.0.1:9/token", "--as", "Ann", home=tutor_home, terminal=False), "joining needs a terminal")


def test_a_bad_code_or_no_host_is_one_line(tutor_home: Path) -> None:
    one_line_refusal(tutor("join", "not-a-code", "--as", "Ann", home=tutor_home), "join code")
    with_no_host = tutor("join", "127.0.0.1:1/AAAAAAAAAAAAAAAAAAAAAA", "--as", "Ann", home=tutor_home)
    one_line_refusal(with_no_host, "cannot reach the host at 127.0.0.1:1")
    one_line_refusal(tutor("join", "127.0.0.1:1/AAAAAAAAAAAAAAAAAAAAAA", "--as", "  ", home=tutor_home), "give a name with --as NAME")


async def test_a_wrong_token_is_refused_by_the_host_in_one_line(lesson: Path, tutor_home: Path) -> None:
    host = GroupHost(lesson)
    code = await host.start()
    try:
        wrong = code.rsplit("/", 1)[0] + "/" + "x" * 22
        env = {**os.environ, "TUTOR_HOME": str(tutor_home), "TUTOR_FORCE_TUI": "1"}
        process = await asyncio.create_subprocess_exec(
            *TUTOR, "join", wrong, "--as", "Ann", env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        one_line_refusal(subprocess.CompletedProcess([], process.returncode or 0, out.decode(), err.decode()), "the host refused: wrong token")
    finally:
        await host.stop()


def test_host_refuses_a_bad_bind_and_a_broken_lesson(lesson: Path, tmp_path: Path, tutor_home: Path) -> None:
    one_line_refusal(tutor("host", str(lesson), "--bind", "nowhere", home=tutor_home), "--bind takes ADDR:PORT")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "lesson.json").write_text(json.dumps({"format": "tutor.lesson/1", "id": "x", "steps": []}), encoding="utf-8")
    result = tutor("host", str(broken), home=tutor_home)
    assert result.returncode == 1 and result.stderr.strip().splitlines()[-1] == "tutor: the lesson is broken; fix the problems above (see `tutor validate`)"
    assert "Traceback" not in result.stderr
