"""`tutor team report --format json|html`: the JSON for scripts, the standalone HTML page (no script,
no reference to anything outside it, not even `http` in its bytes), the command line's refusals and
problem lines, and no Textual on these paths."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import team_results as tr
from tests.helpers.hand_made import make_lesson
from tutor.cli import cli
from tutor.lesson import Confidence, lesson_digest
from tutor.settings import TeamMembership, save_teams
from tutor.team import load_results
from tutor.team.report import build_report
from tutor.team.report_html import report_html

ROOT = Path(__file__).resolve().parents[2]
URL = "http://evil.example/x.js"
HOSTILE_TITLE = f"<script>alert(1)</script> see {URL} \x1b]52;c;aGk=\x07"
# The only markup the page is made of: no script, no link, no image, no object, no form.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "section", "table", "thead", "tbody", "tr", "th", "td", "div", "span", "ul", "li", "svg", "text", "rect"}


def hostile_lesson():  # noqa: ANN201 - a Lesson
    lesson = make_lesson(title=HOSTILE_TITLE, task=f"Read {URL}")
    steps = list(lesson.steps)
    index = lesson.index_of("s7")
    note = steps[index]
    assert note.ask is not None
    ask = note.ask.replaced(prompt="Which? HTTPS://up.example <img src=x onerror=alert(1)>", options=[f"see {URL}", "<a href='//x'>x</a>", "hTtP plain"])
    steps[index] = note.replaced(ask=ask)
    return lesson.replaced(steps=steps)


@pytest.fixture
def hostile_team(tmp_path: Path) -> Path:
    team = tr.team_folder(tmp_path / "team", min_group=1, name=f"Team {URL}")
    lesson = hostile_lesson()
    tr.publish(team, lesson)
    digest = lesson_digest(lesson)
    for number in range(3):
        answers = [tr.goal(0.6, points=("covered",)), tr.outcome(number == 0, Confidence.HIGH), tr.intervene(number > 0, None), tr.choice(number % 3)]
        answers = [replace(answer, text=f"see {URL} <script>") for answer in answers]
        tr.write(team, tr.result(tr.handle(number), answers, digest=digest))
    save_teams([TeamMembership(team, "m-aaaaaaaa", "Team")])
    return team


class Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_inert(page: str) -> Markup:
    raw = page.encode("utf-8")
    assert b"http" not in raw.lower()
    assert b"<script" not in raw.lower()
    assert b"src=" not in raw.lower() and b"href=" not in raw.lower()
    assert b"url(" not in raw.lower() and b"@import" not in raw.lower()
    assert b"\x1b" not in raw and b"\x07" not in raw
    markup = Markup()
    markup.feed(page)
    assert markup.tags <= ALLOWED_TAGS, markup.tags - ALLOWED_TAGS
    assert not {name for name in markup.attributes if name in ("src", "href", "xlink:href", "action", "style") or name.startswith("on")}
    return markup


def test_the_page_is_standalone_and_inert(hostile_team: Path) -> None:
    pool = load_results(hostile_team)
    from tutor.services.team_report import lessons_by_digest

    report = build_report(pool, 1, lessons_by_digest(hostile_team / "curricula", {digest for _, digest in pool.versions()}))
    page = report_html(report, team=f"Team {URL}")
    markup = check_inert(page)
    shown = "".join(markup.text)
    # What came from outside is there, as text: the hostile title, the URL (read back from its character reference), the options.
    assert "<script>alert(1)</script> see http://evil.example/x.js" in shown
    assert "<a href='//x'>x</a>" in shown and "hTtP plain" in shown
    assert "<svg" in page and "</svg>" in page  # the spreads are drawn inline
    assert "see http://evil.example/x.js <script>" not in shown  # the team's words are not on the page


def test_a_hidden_spread_says_so_on_the_page(tmp_path: Path) -> None:
    team = tr.team_folder(tmp_path / "team", min_group=3)
    tr.publish(team)
    tr.write(team, tr.result(tr.handle(0), [tr.choice(1)]))
    page = report_html(build_report(load_results(team), 3, {}))
    check_inert(page)
    assert "hidden: fewer than 3 answers" in page and "<svg" not in page


def test_cli_json(hostile_team: Path) -> None:
    result = CliRunner().invoke(cli, ["team", "report", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (lesson,) = data["lessons"]
    assert lesson["lesson"] == "tests-that-lie" and lesson["learners"] == 3
    assert "\x1b" not in result.stdout and lesson["title"].startswith("<script>")
    assert [ask["step"] for ask in lesson["asks"]] == ["s1", "s4", "s6", "s7"]
    assert result.stderr == ""


def test_cli_html_to_a_file_and_to_standard_output(hostile_team: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["team", "report", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "Wrote team-report.html" in result.stdout
    check_inert((tmp_path / "team-report.html").read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, ["team", "report", "tests-that-lie", "--format", "html", "-o", "-"])
    assert result.exit_code == 0, result.output
    check_inert(result.stdout)
    assert result.stdout.startswith("<!DOCTYPE html>")
    result = CliRunner().invoke(cli, ["team", "report", "--format", "html", "-o", str(tmp_path / "page.html")])
    assert result.exit_code == 0 and (tmp_path / "page.html").is_file()


def test_cli_refusals(hostile_team: Path) -> None:
    result = CliRunner().invoke(cli, ["team", "report", "--format", "json", "-o", "x.html"])
    assert result.exit_code == 1 and "-o/--output is for --format html" in result.stderr
    result = CliRunner().invoke(cli, ["team", "report"])  # no terminal under the runner
    assert result.exit_code == 1 and "needs a terminal; use --format json or --format html" in result.stderr
    result = CliRunner().invoke(cli, ["team", "report", "--format", "json", "--team", "Nobody"])
    assert result.exit_code == 1 and result.stderr.startswith("tutor: no team 'Nobody'")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("output_format", ["json", "html"])
def test_cli_a_lesson_with_no_results_says_so_on_stderr(hostile_team: Path, output_format: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["team", "report", "no-such-lesson", "--format", output_format, "-o" if output_format == "html" else "--team", str(tmp_path / "p.html") if output_format == "html" else "Team"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "tutor: no result for the lesson no-such-lesson in the team's results yet (a `tutor team sync` brings new ones)\n"
    if output_format == "json":
        assert json.loads(result.stdout)["lessons"] == []
    result = CliRunner().invoke(cli, ["team", "report", "tests-that-lie", "--format", "json"])
    assert result.exit_code == 0 and result.stderr == ""


def test_cli_problems_go_to_stderr_capped(hostile_team: Path) -> None:
    folder = next((hostile_team / "results").rglob("*.json")).parent
    for number in range(12):
        (folder / f"bad-{number:02d}.json").write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["team", "report", "--format", "json"])
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 11 and lines[-1] == "tutor: and 2 more"
    assert all("bad-" in line and "must be a JSON object" in line for line in lines[:-1])
    assert json.loads(result.stdout)["lessons"][0]["learners"] == 3  # the good files are still read


@pytest.mark.parametrize("output_format", ["json", "html"])
def test_json_and_html_load_no_textual(hostile_team: Path, output_format: str, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from tutor.cli import cli\n"
        f"cli.main(['team', 'report', '--format', {output_format!r}, '-o' if {output_format!r} == 'html' else '--team', "
        f"{str(tmp_path / 'page.html')!r} if {output_format!r} == 'html' else 'Team'], standalone_mode=False)\n"
        "print('TEXTUAL LOADED' if any(name == 'textual' or name.startswith('textual.') for name in sys.modules) else 'NO TEXTUAL', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("NO TEXTUAL")


def test_the_documented_json_has_the_keys_tutor_prints(hostile_team: Path) -> None:
    """docs/team-format.md's example of `--format json` (the `json report` block) and the real output: the same keys."""
    doc = (ROOT / "docs" / "team-format.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json report\n(.*?)```", doc, flags=re.DOTALL)
    documented = json.loads(block)
    printed = json.loads(CliRunner().invoke(cli, ["team", "report", "--format", "json"]).stdout)
    assert set(documented) == set(printed)
    assert set(documented["lessons"][0]) == set(printed["lessons"][0])
    outcome = next(ask for ask in printed["lessons"][0]["asks"] if ask["type"] == "outcome")
    (example,) = documented["lessons"][0]["asks"]
    assert set(example) == set(outcome)
    assert set(example["distribution"]) == set(outcome["distribution"])
