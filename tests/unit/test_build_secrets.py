"""No planted secret survives a build: not in lesson.json, not in any object of repo.bundle."""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.helpers.secret_tokens import TOKENS
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


# ------------------------------------------- what the author wrote, and encoded outputs


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _encoded_forms(value: str) -> list[str]:
    raw = value.encode()
    forms = [value, value[-16:], raw.hex(), raw.hex().upper(), quote(value, safe="")]
    for offset in range(3):  # the value inside a longer base64 blob, at each alignment
        encoded = base64.b64encode(b"x" * offset + raw).decode()
        forms.append(encoded[2 + offset : -4])
    return [f for f in forms if len(f) >= 12]


def test_secrets_the_author_wrote_are_redacted_everywhere_in_any_encoding(tmp_path: Path) -> None:
    rng = random.Random(20260301)
    picks = ["anthropic-key", "github-token", "stripe-key", "aws-access-key", "slack-token", "openai-key"]
    secrets = {kind: TOKENS[kind][0](rng) for kind in picks}
    a, b, c, d, e, f = secrets.values()
    source = tmp_path / "authored" / "source"
    (source / "seed").mkdir(parents=True)
    (source / "seed" / "README.md").write_text("A project.\n")
    content = f'STRIPE = "{c}"\nAWS = "{d}"\n'
    lesson = f"""
id = "authored"
title = {_toml("Keys like " + a)}
summary = {_toml("Summary mentioning " + b)}
task = {_toml("Rotate " + e)}

[[steps]]
kind = "goal"
text = {_toml("Done when the key " + f + " is gone.")}
ask = {{ type = "goal" }}

[[steps]]
kind = "note"
text = {_toml("A note quoting the token " + b + " and " + a)}
annotation = {_toml("Annotated: " + e)}

[[steps]]
kind = "agent"
text = {_toml("I will write the keys, then print them encoded: " + f)}
calls = [
  {{ tool = "write_file", input = {{ path = "keys.py", content = {_toml(content)} }} }},
  {{ tool = "run", input = {{ command = "base64 keys.py; od -An -tx1 keys.py | tr -d ' \\\\n'; echo; python -c 'import urllib.parse,sys; print(urllib.parse.quote(open(\\"keys.py\\").read(), safe=\\"\\"))'" }} }},
  {{ tool = "run", input = {{ command = {_toml("printf %s " + a + " | base64; echo " + b)} }} }},
]

[[steps]]
kind = "result"
expect = "ok"

[[steps]]
kind = "result"
expect = "ok"
ask = {{ type = "outcome", prompt = {_toml("Will " + f + " print?")} }}

[[steps]]
kind = "result"
expect = "ok"
"""
    (source / "lesson.toml").write_text(lesson)
    build_lesson(read_source(source), source.parent)

    lesson_text = (source.parent / "lesson.json").read_text()
    assert lesson_text.count("[REDACTED:") >= 10, lesson_text
    repo = tmp_path / "unbundled"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fetch", "-q", str(source.parent / "repo.bundle"), "refs/*:refs/*"], check=True)
    objects = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"], check=True, capture_output=True).stdout
    assert b"keys.py" in objects
    # Whitespace removed: `base64` wraps its lines, `od` spaces its bytes.
    flat_lesson = re.sub(r"\s+", "", json.dumps(json.loads(lesson_text), ensure_ascii=False).replace("\\n", ""))
    flat_objects = re.sub(rb"\s+", b"", objects)
    for kind, value in secrets.items():
        for form in _encoded_forms(value):
            assert form not in flat_lesson, f"{kind} survived into lesson.json as {form[:12]}..."
            assert form.encode() not in flat_objects, f"{kind} survived into repo.bundle as {form[:12]}..."
    assert secrets["anthropic-key"] in (source / "lesson.toml").read_text(), "the source itself is untouched"


# --------------------------------------------------------------- private build folders


SMALL = '''
id = "where"
title = "Where"
task = "Where does it run?"

[[steps]]
kind = "goal"
text = "See where."
ask = { type = "goal" }

[[steps]]
kind = "agent"
text = "Look."
calls = [{ tool = "run", input = { command = "pwd; python -c 'import os,stat; print(oct(stat.S_IMODE(os.stat(\\"..\\").st_mode)), os.stat(\\"..\\").st_uid == os.getuid())'" } }]

[[steps]]
kind = "result"
expect = "ok"
'''


def _small_source(root: Path) -> Path:
    source = root / "where" / "source"
    (source / "seed").mkdir(parents=True)
    (source / "seed" / "x.txt").write_text("x\n")
    (source / "lesson.toml").write_text(SMALL)
    return source


@pytest.mark.parametrize("prepared", ["symlink", "open-folder"])
def test_a_prepared_shared_build_folder_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prepared: str) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    elsewhere = tmp_path / "someone-elses"
    elsewhere.mkdir()
    fixed = temp / "tutor-build"
    if prepared == "symlink":
        fixed.symlink_to(elsewhere, target_is_directory=True)
    else:
        fixed.mkdir()
        fixed.chmod(0o777)
        (fixed / "where").symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in temp.iterdir())
    report = build_lesson(read_source(_small_source(tmp_path)), tmp_path / "where")

    assert list(elsewhere.iterdir()) == [], "nothing was built in the prepared folder"
    assert sorted(p.name for p in temp.iterdir()) == before, "the private folder is removed after the build"
    if prepared == "symlink":
        assert fixed.is_symlink()
    output = report.lesson.steps[-1].output
    assert "0o700 True" in output, output  # the folder the build ran in was private, and ours
    assert "/tmp/tutor-build/where" in output and str(temp) not in output, "the private name never reaches the lesson"


def test_each_build_gets_its_own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = tempfile.mkdtemp

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    source = read_source(_small_source(tmp_path))
    one = build_lesson(source, tmp_path / "one")
    two = build_lesson(source, tmp_path / "two")
    builds = [p for p in made if Path(p).name.startswith("tutor-build-")]
    assert len(builds) == 2 and builds[0] != builds[1]
    assert not any(Path(p).exists() for p in builds)
    assert one.lesson.steps[-1].output == two.lesson.steps[-1].output
