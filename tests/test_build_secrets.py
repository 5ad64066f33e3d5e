"""No planted secret survives a build: not in lesson.json, not in any object of repo.bundle."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from test_redact import TOKENS
from tutor.build.builder import build_lesson
from tutor.build.source import read_source

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SOURCE = '''
id = "leaky"
title = "Leaky"
task = "The settings file holds secrets."

[[steps]]
kind = "goal"
text = "Read the settings; done when printed."
ask = { type = "goal" }

[[steps]]
kind = "agent"
text = "Look at the settings, three ways."
calls = [
  { tool = "run", input = { command = "cat settings.py" } },
  { tool = "read_file", input = { path = "settings.py" } },
  { tool = "run", input = { command = "python -c 'import settings; print(vars(settings))'" } },
]

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "agent"
text = "Copy them to a new file."
calls = [{ tool = "run", input = { command = "cp settings.py copy_of_settings.py && echo copied" } }]

[[steps]]
kind = "result"
expect = "ok"
'''


def test_no_planted_secret_reaches_the_lesson_or_the_bundle(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    secrets = {kind: gens[0](rng) for kind, gens in TOKENS.items()}
    assert len(secrets) >= 15
    source = tmp_path / "leaky" / "source"
    (source / "seed").mkdir(parents=True)
    lines = [f'{kind.replace("-", "_").upper()} = "{value}"' for kind, value in secrets.items()]
    (source / "seed" / "settings.py").write_text("\n".join(lines) + "\n")
    (source / "lesson.toml").write_text(SOURCE)
    build_lesson(read_source(source), source.parent)

    lesson_text = (source.parent / "lesson.json").read_text()
    assert "[REDACTED:" in lesson_text, "the outputs did show the settings, redacted"
    repo = tmp_path / "unbundled"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fetch", "-q", str(source.parent / "repo.bundle"), "refs/*:refs/*"], check=True)
    objects = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"], check=True, capture_output=True).stdout
    assert b"copy_of_settings.py" in objects and b"[REDACTED:" in objects, "the control: the bundle does hold the files"
    for kind, value in secrets.items():
        for fragment in (value, value[-16:]):
            assert fragment not in lesson_text, f"{kind} survived into lesson.json"
            assert fragment.encode() not in objects, f"{kind} survived into repo.bundle"
    assert (source / "seed" / "settings.py").read_text().count("\n") == len(secrets), "the source itself is untouched"
