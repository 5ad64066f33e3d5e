"""Writing the draft: a Claude Code session's steps become a `tutor.lesson/1` lesson, titled, bounded, redacted and checked.

`draft_lesson` takes the steps the conversation gave (the goal first, asks placed) and what
the transcript says about where the session ran (`Situation`), and makes the lesson data:

- the title is the session's own name (`custom-title`, else `ai-title`, else the latest
  `summary`), else "Claude Code in <project>, <day>": one plain line, never the senior's
  first words (they answer the goal ask);
- the task is the situation (the repository, what the senior had open, the summary of an
  earlier part, the files touched, the size), every piece escaped so no transcript text is
  read as Markdown; a session too short to teach much says so;
- the id is a slug of the title and a suffix from the session id (sessions titled alike
  get ids of their own), without the user names of home folders;
- every field is bounded (`sizes`), and in the same walk paths in home folders become
  relative to the session's folder, else `~/...` (`home_paths`); secrets are redacted, once, over all.

`write_draft` validates that data and writes `lesson.json` (and `repo.bundle`), or raises
`ClaudeCodeImportError` with one line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.lesson import FORMAT, Lesson
from tutor.lesson.io import lesson_bytes, save_folder
from tutor.lesson.limits import MAX_FIELD_CHARS, MAX_GLANCE_CHARS, MAX_LESSON_BYTES, size_text
from tutor.lesson.untrusted import BIDI_NAMES, INVISIBLE_NAMES, one_line
from tutor.lesson.validate import check_lesson_data
from tutor.record.redact import Redactor
from tutor.redaction.paragraphs import Redaction

from .common import ClaudeCodeImportError
from .home_paths import PathRewriter, is_home_folder, relative_paths, user_of
from .sizes import Cuts, bound, bound_steps, longest_string

TITLE_SOURCES = ("custom-title", "ai-title", "summary")  # the user's name for the session first, then Claude Code's
TITLE_LIMIT = 80
SLUG_LIMIT = 48
QUOTE_WORDS = 6  # this many words of the first prompt in a row would give the goal away
SUMMARY_EXCERPT = 600  # characters of a compaction summary shown in the task
MOST_FILES = 8  # files named in the task; the rest are counted
MOST_CONTEXT = 4
TOO_SHORT = "This session is short: there may be little in it to learn from."


@dataclass
class Situation:
    """What the transcript says about where and how the session ran (the conversation fills it)."""

    cwd: str = ""
    branch: str = ""
    created: str | None = None  # the first record's timestamp, ISO 8601
    session_id: str = ""
    titles: dict[str, str] = field(default_factory=dict)  # "custom-title" / "ai-title" / "summary" -> the latest text of each
    context: list[str] = field(default_factory=list)  # what surrounded the first prompt: "had src/app.py open in the IDE"
    continued_from: str | None = None  # the compaction summary, when the session began from one
    files: list[str] = field(default_factory=list)  # files the session touched, relative, in first-touched order
    prompts: int = 0
    calls: int = 0


# ---------------------------------------------------------------- plain text and Markdown

_INVISIBLE = re.compile("[" + "".join(BIDI_NAMES) + "".join(INVISIBLE_NAMES) + r"\U000e0000-\U000e007f]")
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]{0,200})?/?>")
_MARKUP = re.compile(r"[`*#|<>\[\]\\]+|~~+")
# What Markdown reads as markup inside a line (emphasis, code, links, images, tags, entities, tables, strikethrough),
# and what opens a block at the start of one (a heading, a quote, a list item).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>#|~!&])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def plain_line(text: str, limit: int = TITLE_LIMIT) -> str:
    """One line of plain words: no tags, no markup characters, no control, bidi or invisible characters; cut at a word."""
    text = _INVISIBLE.sub("", str(text)[: limit * 20])
    text = one_line(text).replace("\N{REPLACEMENT CHARACTER}", " ")
    text = _MARKUP.sub(" ", _TAG.sub(" ", text))
    text = re.sub(r"\s+", " ", text).strip(" -:;,.")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" -:;,.") + "\N{HORIZONTAL ELLIPSIS}"


def literal(text: str, limit: int = 200) -> str:
    """Text from the transcript placed in the task's Markdown: one line, every Markdown character escaped."""
    cleaned = _MARKDOWN_INLINE.sub(r"\\\1", one_line(_INVISIBLE.sub("", str(text)), limit=limit))
    return _MARKDOWN_BLOCK_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2).isdigit() else m.group(2) + "\\"), cleaned)


def code(text: str, limit: int = 120) -> str:
    """A name (a branch, a file) as inline code, which Markdown shows as written; escaped text when it holds a backtick."""
    cleaned = one_line(_INVISIBLE.sub("", str(text)), limit=limit).strip()
    return f"`{cleaned}`" if cleaned and "`" not in cleaned else literal(cleaned, limit)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+(?:['’.-]\w+)*", text.lower())


def quotes(text: str, source: str, run: int = QUOTE_WORDS) -> bool:
    """Whether `text` repeats `run` words in a row of `source` (the first prompt): it would give the goal away."""
    if not source:
        return False
    said = _words(source[:200_000])
    if len(said) < run:
        return False
    runs = {tuple(said[i : i + run]) for i in range(len(said) - run + 1)}
    words = _words(text)
    return any(tuple(words[i : i + run]) in runs for i in range(len(words) - run + 1))


def _without_quotes(text: str, source: str) -> str:
    """`text` with every sentence that repeats the first prompt left out."""
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    return " ".join(s for s in sentences if s.strip() and not quotes(s, source)).strip()


# ---------------------------------------------------------------- title and id


def _day(created: str | None) -> str:
    match = re.match(r"(\d{4}-\d{2}-\d{2})", created or "")
    return match.group(1) if match else ""


def project_name(cwd: str) -> str:
    """The session's folder as a project name; "the home folder" when it ran right in one (its name is the user's)."""
    if not cwd.strip():
        return ""
    if is_home_folder(cwd):
        return "the home folder"
    return plain_line(re.split(r"[\\/]", cwd.strip().rstrip("/\\"))[-1], 60)


def title_of(situation: Situation, first_prompt: str) -> tuple[str, str]:
    """The lesson's title and where it came from (a record kind, or "project")."""
    for kind in TITLE_SOURCES:
        text = plain_line(situation.titles.get(kind) or "")
        if text and not quotes(text, first_prompt):
            return text, kind
    project, day = project_name(situation.cwd), _day(situation.created)
    title = f"Claude Code in {project}" if project else "A Claude Code session"
    return (f"{title}, {day}" if day else title), "project"


def slug(text: str, users: Collection[str] = (), limit: int = SLUG_LIMIT) -> str:
    """A slug of `text`, without the user names in `users` (as whole words)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    for user in users:
        name = re.findall(r"[a-z0-9]+", user.lower())
        if not name:
            continue
        i = 0
        while i + len(name) <= len(words):
            if words[i : i + len(name)] == name:
                del words[i : i + len(name)]
            else:
                i += 1
    kept: list[str] = []
    for word in words:
        if len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    return "-".join(kept) or (words[0][:limit] if words else "")


def lesson_id(title: str, situation: Situation, first_prompt: str, users: set[str]) -> str:
    """A slug of the title and a short suffix that is the same for each import of one session, and differs between sessions."""
    base = slug(title, users) or "claude-code-session"
    seed = situation.session_id or "\n".join([situation.cwd, situation.created or "", first_prompt[:10_000]])
    return f"{base}-{hashlib.sha256(seed.encode('utf-8', 'replace')).hexdigest()[:6]}"


# ---------------------------------------------------------------- the task

_CONTINUED = re.compile(r"^\s*This session is being continued from a previous conversation[^\n]*\n", re.I)
_THINKING = re.compile(r"<analysis>.*?(?:</analysis>|$)", re.S | re.I)
_PREAMBLE = re.compile(r"^\s*(?:Analysis:|Summary:|Let me [^\n]*|The conversation is summari[sz]ed below:)\s*$", re.I | re.M)
_REQUEST = re.compile(r"Primary Request and Intent|Initial Request", re.I)


def summary_excerpt(summary: str, limit: int = SUMMARY_EXCERPT) -> str:
    """The part of a compaction summary that states the earlier task, as one line of plain words.

    Claude Code's summaries open with a preamble and, often, the model's own analysis; the
    "Primary Request and Intent" section (older: "Initial Request") is what the senior wanted.
    """
    text = _THINKING.sub(" ", _CONTINUED.sub("", summary[: limit * 40]))
    request = _REQUEST.search(text)
    if request is not None:
        text = text[request.start():]
    text = _PREAMBLE.sub(" ", text)
    text = re.sub(r"</?[A-Za-z][\w-]*>|[`*#]+", " ", text)
    text = re.sub(r"\s+", " ", one_line(_INVISIBLE.sub("", text), limit=limit * 2))
    return re.sub(r" ([:;,.])", r"\1", text).strip()



def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def too_short(prompts: int, calls: int) -> bool:
    """A session with no tool call, or a single prompt and fewer than three calls, has little to replay."""
    return calls == 0 or (prompts <= 1 and calls < 3)


def task_of(situation: Situation, title: str, title_source: str, first_prompt: str, *, prompts: int, calls: int, asks_goal: bool) -> str:
    """The situation the senior faced, in Markdown, without their first words."""
    project, day = project_name(situation.cwd), _day(situation.created)
    where = f"in the **{literal(project, 60)}** project" if project and project != "the home folder" else \
        ("in the senior's home folder" if project else "in a project")
    if situation.branch.strip():
        where += f" (git branch {code(situation.branch, 80)})"
    when = f" on {day}" if day else ""
    size = f"{_plural(prompts, 'prompt')} from the senior, {_plural(calls, 'tool call')} by the agent"
    parts = [f"A Claude Code session {where}{when}: {size}."]
    if title_source != "project":
        named = "the senior named it" if title_source == "custom-title" else "Claude Code titled it"
        parts.append(f"{named[0].upper()}{named[1:]}: *{literal(title, 100)}*.")
    # each said once, in the order first seen (a prompt queued three times while the agent worked is one fact)
    context = list(dict.fromkeys(c for c in situation.context if c.strip() and not quotes(c, first_prompt)))
    if context:
        shown = "; ".join(literal(c, 160) for c in context[:MOST_CONTEXT])
        parts.append(f"When the senior wrote their first request, they {shown}.")
    if situation.continued_from:
        excerpt = _without_quotes(summary_excerpt(situation.continued_from), first_prompt)
        if excerpt:
            parts.append("It went on from an earlier conversation, which Claude Code summarised as:\n\n> "
                         + literal(excerpt, SUMMARY_EXCERPT))
    if situation.files:
        files = ", ".join(code(f, 100) for f in situation.files[:MOST_FILES])
        more = f", and {_plural(len(situation.files) - MOST_FILES, 'other file')}" if len(situation.files) > MOST_FILES else ""
        parts.append(f"The session touched {files}{more}.")
    if too_short(prompts, calls):
        parts.append(f"*{TOO_SHORT}*")
    if asks_goal:
        parts.append("The senior's first request to the agent is hidden: set the goal yourself. "
                     "Their words are the first step, shown once you have answered.")
    else:
        parts.append("The senior's words are the first step.")
    task = "\n\n".join(parts)
    return task if len(task) <= MAX_GLANCE_CHARS else task[: MAX_GLANCE_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"


# ---------------------------------------------------------------- the draft


def _asks_for_the_goal_first(steps: list[dict[str, Any]]) -> bool:
    first = next((step.get("ask") for step in steps if isinstance(step.get("ask"), dict)), None)
    return isinstance(first, dict) and first.get("type") == "goal"


def _first_prompt(steps: list[dict[str, Any]]) -> str:
    first = next((s for s in steps if s.get("kind") in ("goal", "prompt")), None)
    return str(first.get("text") or "") if first else ""


def draft_lesson(steps: list[dict[str, Any]], situation: Situation, notes: list[str], *, redactor: Redactor | Redaction) -> dict[str, Any]:
    """The lesson data for these steps: titled, with the situation as its task, bounded, home paths made relative, redacted.

    Adds to `notes` what it cut and left out, and a warning when the session is too short to teach much.
    """
    if not steps:
        raise ClaudeCodeImportError("the session has no steps to make a lesson of")
    cwd = situation.cwd or ""
    cuts = Cuts()
    paths = PathRewriter(cwd)
    bounded = bound_steps(steps, cuts, rewrite=paths.text)
    users = paths.users
    # A title is cut to a line before the draft is redacted: redact it whole first, so no part of a secret is kept.
    titles = {kind: redactor.redact(str(text)[:2_000]) for kind, text in situation.titles.items() if kind in TITLE_SOURCES}
    situation_texts = relative_paths({"titles": titles, "context": list(situation.context),
                                      "continued_from": situation.continued_from or "", "files": list(situation.files)}, cwd)
    shown = Situation(cwd=situation.cwd, branch=situation.branch, created=situation.created, session_id=situation.session_id,
                      titles=situation_texts["titles"], context=situation_texts["context"],
                      continued_from=situation_texts["continued_from"] or None, files=situation_texts["files"],
                      prompts=situation.prompts, calls=situation.calls)
    owner = user_of(cwd)
    if owner:
        users.add(owner)
    users.update(_local_users())

    first_prompt = _first_prompt(bounded)
    prompts = max(situation.prompts, sum(1 for s in bounded if s.get("kind") in ("goal", "prompt")))
    calls = max(situation.calls, sum(len(s.get("calls") or []) for s in bounded if s.get("kind") == "agent"))
    asks_goal = _asks_for_the_goal_first(bounded)
    title, source = title_of(shown, first_prompt)
    task = task_of(shown, title, source, first_prompt, prompts=prompts, calls=calls, asks_goal=asks_goal)

    data: dict[str, Any] = {
        "format": FORMAT,
        "id": "",
        "title": title or "A Claude Code session",
        "summary": f"Imported from a Claude Code session: {_plural(prompts, 'prompt')}, {_plural(calls, 'tool call')}. "
                   "A draft: add annotations and asks with `tutor annotate`.",
        "created": one_line(situation.created, limit=64) if situation.created else None,
        "level": "intermediate",
        "minutes": max(5, min(120, len(bounded) // 4)),
        "tags": ["claude-code", "imported"],
        "origin": "imported",
        "task": task,
        "steps": bounded,
    }
    if data["created"] is None:
        del data["created"]
    # A secret's marker is longer than a short secret: rare, bound again. Only what redaction changed can have grown.
    if isinstance(redactor, Redaction):
        redactor.redact_in_place(data)  # the draft is this function's own: redacted without a copy
        grown = redactor.longest_change()
    else:
        data = redactor.redact_obj(data)
        grown = longest_string(data)
    if grown > MAX_FIELD_CHARS:
        data = bound(data, cuts)
    data["title"] = plain_line(data["title"]) or "A Claude Code session"
    data["id"] = lesson_id(data["title"], situation, first_prompt, users)

    notes.extend(cuts.notes())
    if source == "project":
        notes.append("the title and task name the project, not the first prompt (it is the goal learners are asked "
                     "to set); write the situation the senior faced into `task` in lesson.json")
    if too_short(prompts, calls):
        notes.append(f"the session is short ({_plural(prompts, 'prompt')}, {_plural(calls, 'tool call')}): "
                     "there may be little in it to learn from")
    return data


def _local_users() -> set[str]:
    """The name of whoever runs the import: a transcript is usually their own."""
    import getpass

    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):
        return set()
    return {name} if name and name.lower() not in ("root", "user", "runner") else set()


def write_draft(data: dict[str, Any], out: Path, *, bundle: bytes | None = None) -> Lesson:
    """Validate the draft and write `lesson.json` into `out` (with `bundle` as `repo.bundle`, when given).

    Raises `ClaudeCodeImportError` with one line when the draft would not validate or cannot be written.
    """
    if bundle is not None and not isinstance(data.get("repo"), dict):
        raise ClaudeCodeImportError("the draft has a repo.bundle but no `repo` (base commit) to name it")
    if bundle is None and isinstance(data.get("repo"), dict):
        raise ClaudeCodeImportError("the draft names a repo but no repo.bundle was made for it")
    # Plain JSON by construction, so not encoded once more to find out: the records were decoded with NaN and
    # Infinity made null and lone surrogates U+FFFD (`json_values`), and every string and number of the steps bounded
    # (`sizes` repairs both again); what the draft adds is its own text. A lone surrogate would still fail below.
    lesson, problems = check_lesson_data(data, str(out / "lesson.json"), folder=None, plain_json=True)
    if lesson is None or problems:
        first = str(problems[0]) if problems else "invalid"
        raise ClaudeCodeImportError(f"the imported draft would not validate: {first}")
    # Encoded once: the text measured is the text written (the indenting encoder is the slow part of writing).
    try:
        payload = lesson_bytes(lesson)
    except UnicodeEncodeError:
        raise ClaudeCodeImportError("the imported draft holds text that is not Unicode (a lone surrogate)") from None
    if len(payload) > MAX_LESSON_BYTES:
        raise ClaudeCodeImportError(f"the imported draft would be {size_text(len(payload))}; a lesson.json may be at most {size_text(MAX_LESSON_BYTES)}")
    try:
        save_folder(payload, out, bundle)
    except OSError as error:
        raise ClaudeCodeImportError(f"cannot write {out}: {error.strerror or error}") from None
    return lesson
