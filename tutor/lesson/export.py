"""A lesson as a readable document: Markdown (and HTML from it), each ask posed before its reveal.

The document is text from outside made safe to read (`tutor.lesson.untrusted`): printed with
`cat` or opened in a browser, it holds no escape sequence, no control character but tab and
newline, and no bidi control (shown as `⟨RLO⟩`); a command shows its invisible characters
too. Raw HTML in lesson text is shown as text, and only http, https and mailto links are
links: in the page by the parser (`tutor.lesson.markdown`), in the `.md` file by writing
them as character references (`inert_markdown`), so that another Markdown renderer shows
them as text too. Paths and commands are code spans that no backtick inside can end.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from .markdown import lesson_markdown_parser
from .untrusted import exact, shown
from .models import (
    AgentStep,
    AnyStep,
    Call,
    ChoiceAsk,
    CorrectionStep,
    GoalAsk,
    GoalStep,
    InterveneAsk,
    Lesson,
    NoteStep,
    PromptStep,
    ResultStep,
)

KIND_TITLES = {
    "goal": "Goal",
    "prompt": "Prompt",
    "agent": "Agent",
    "result": "Result",
    "correction": "Correction",
    "note": "Note",
}


def fence(text: str, info: str = "") -> str:
    """A fenced code block that survives backticks inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{ticks}{info}\n{body}{ticks}"


def code_span(text: str) -> str:
    """An inline code span that shows `text` as written: one line (a blank line would end the span),
    fenced by a longer run of backticks than any inside."""
    text = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _path(value: object) -> str:
    """A path from a lesson, in a code span with every character visible (like a command)."""
    return code_span(exact(str(value)))


# What would be live in a Markdown renderer that allows raw HTML or any link: Tutor's own dialect
# shows these as text, but a `.md` export may be read with another renderer.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])(?!https?://|mailto:)")
_LINK_OPEN = re.compile(r"\]\(\s*<?([^\s)>]*)")
_REFERENCE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*<?([^\s>]*)", re.M)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)  # never across a blank line
_REFERENCE_CHAR = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});")


def inert_markdown(text: str) -> str:
    """Lesson Markdown for a `.md` file: raw HTML and links that are not http, https or mailto made text.

    Code blocks and code spans are left exactly as written. Character references are used (`&lt;`,
    `&#40;`) rather than backslashes, so no backslash the author wrote can undo them.
    """
    from .untrusted import is_safe_link

    def plain(part: str) -> str:
        part = _REFERENCE_CHAR.sub(lambda m: m.group(0) if shown(html.unescape(m.group(0))) == html.unescape(m.group(0)) else "&amp;" + m.group(0)[1:], part)
        part = _TAG_START.sub("&lt;", part)
        part = _LINK_OPEN.sub(lambda m: m.group(0) if is_safe_link(m.group(1)) else "]&#40;" + m.group(0)[2:], part)
        return _REFERENCE.sub(lambda m: m.group(0) if is_safe_link(m.group(3)) else m.group(1) + "&#91;" + m.group(0)[len(m.group(1)) + 1 :], part)

    def prose(block: str) -> str:
        pieces, pos = [], 0
        for match in _CODE_SPAN.finditer(block):
            pieces += [plain(block[pos : match.start()]), match.group(0)]
            pos = match.end()
        return "".join([*pieces, plain(block[pos:])])

    lines = _close_no_fence_early(text).split("\n")
    code_lines: set[int] = set()
    for token in lesson_markdown_parser().parse("\n".join(lines)):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
    out: list[str] = []
    held: list[str] = []
    for number, line in enumerate(lines):
        if number in code_lines:
            if held:
                out.append(prose("\n".join(held)))
                held = []
            out.append(line)
        else:
            held.append(line)
    if held:
        out.append(prose("\n".join(held)))
    return "\n".join(out)


_SENTINEL = "tutor-end-of-text-7f3a9c"


def _close_no_fence_early(text: str) -> str:
    """`text` with every code fence left open made plain text (its opening backtick escaped).

    An open fence runs to the end of the document, over whatever Tutor writes after the lesson's
    text (the end of a reveal, the next step). A fence is open when a line after the text ends up
    inside it.
    """
    for _ in range(20):  # each pass un-fences one; a text opens only so many
        lines = text.split("\n")
        for token in lesson_markdown_parser().parse(text + "\n\n" + _SENTINEL):
            if token.type == "fence" and _SENTINEL in token.content and token.map:
                line = lines[token.map[0]]
                at = line.find(token.markup[:1] * 3)
                if at < 0:
                    return text
                lines[token.map[0]] = line[:at] + "\\" + line[at:]
                text = "\n".join(lines)
                break
        else:
            return text
    return text


def call_markdown(call: Call) -> str:
    data: dict[str, Any] = call.input
    tool = call.tool
    if tool == "run" and isinstance(data.get("command"), str):
        return f"`run` ({call.id}):\n\n" + fence(exact(data["command"]), "sh")
    if tool == "edit_file" and isinstance(data.get("path"), str):
        old = str(data.get("old", ""))
        new = str(data.get("new", ""))
        diff = "\n".join([f"--- {data['path']}", f"+++ {data['path']}"] + [f"-{line}" for line in old.splitlines()] + [f"+{line}" for line in new.splitlines()])
        return f"`edit_file` {_path(data['path'])} ({call.id}):\n\n" + fence(diff, "diff")
    if tool == "write_file" and isinstance(data.get("path"), str):
        return f"`write_file` {_path(data['path'])} ({call.id}):\n\n" + fence(str(data.get("content", "")))
    if tool in ("read_file", "list_files") and isinstance(data.get("path"), str):
        return f"`{tool}` {_path(data['path'])} ({call.id})"
    return f"`{tool}` ({call.id}):\n\n" + fence(json.dumps(data, indent=2, ensure_ascii=False), "json")


def step_markdown(step: AnyStep, call: Call | None = None) -> str:
    """The content of one step (what the learner sees once it is revealed)."""
    parts: list[str] = []
    if isinstance(step, GoalStep):
        parts.append(step.text)
        if step.criteria:
            parts.append("Done when:\n\n" + "\n".join(f"- {item}" for item in step.criteria))
    elif isinstance(step, PromptStep):
        parts.append("\n".join("> " + line for line in step.text.splitlines() or [""]))
    elif isinstance(step, AgentStep):
        if step.text:
            parts.append(step.text)
        parts.extend(call_markdown(c) for c in step.calls)
    elif isinstance(step, ResultStep):
        verdict = "worked" if step.ok else "failed"
        code = f", exit code {step.exit_code}" if step.exit_code is not None else ""
        what = code_span(exact(str(call.input.get("command")))) if call and call.tool == "run" and "command" in call.input else f"call {step.call}"
        parts.append(f"{what} {verdict}{code}.")
        if step.output:
            parts.append(fence(step.output, "text"))
        if step.commit:
            parts.append(f"Code after this step: commit `{step.commit[:12]}`.")
    elif isinstance(step, CorrectionStep):
        parts.append(f"**The senior stepped in ({step.category.value}: {step.category.meaning}).**")
        parts.append("\n".join("> " + line for line in step.text.splitlines() or [""]))
        if step.why:
            parts.append(f"Why: {step.why}")
    elif isinstance(step, NoteStep):
        parts.append(step.text)
        if step.details:  # folded under the note on screen; a page has no folds, so it follows under a label
            parts.append("**Details:**\n\n" + step.details)
    return "\n\n".join(part for part in parts if part)


def ask_markdown(step: AnyStep) -> str:
    ask = step.ask
    assert ask is not None
    lines = [f"**Your turn ({ask.type}).** {ask.prompt}"]
    if isinstance(ask, ChoiceAsk):
        lines.append("\n".join(f"{index + 1}. {option}" for index, option in enumerate(ask.options)))
    elif ask.type == "outcome":
        lines.append("Works or fails? And how sure are you?")
    elif ask.type == "intervene":
        lines.append("Let it run, or correct it: which kind of correction, and what would you say?")
    lines.append("*Commit to an answer before you open the reveal.*")
    return "\n\n".join(lines)


def reveal_markdown(step: AnyStep) -> str:
    ask = step.ask
    lines: list[str] = []
    if isinstance(ask, ChoiceAsk):
        lines.append(f"Answer: **{ask.answer + 1}. {ask.options[ask.answer]}**")
        if ask.explain:
            lines.append(ask.explain)
    elif isinstance(ask, InterveneAsk):
        lines.append("The senior **stepped in**." if isinstance(step, CorrectionStep) else "The senior **let it run**.")
        if ask.key_points:
            lines.append("Key points:\n\n" + "\n".join(f"- {point}" for point in ask.key_points))
        for other in ask.accept:
            answer = f"stepping in ({other.category.value})" if other.intervene and other.category else "stepping in" if other.intervene else "letting it run"
            lines.append(f"Also right: **{answer}**. {other.why}")
        if ask.related:
            lines.append("Close to the senior's category: " + ", ".join(category.value for category in ask.related) + ".")
    elif isinstance(ask, GoalAsk):
        points = step.criteria if isinstance(step, GoalStep) and step.criteria else ask.rubric
        if points:
            lines.append("Check your goal against the senior's:\n\n" + "\n".join(f"- [ ] {item}" for item in points))
    return "\n\n".join(lines)


def _header(lesson: Lesson) -> list[str]:
    meta = [lesson.level.value]
    if lesson.minutes:
        meta.append(f"{lesson.minutes} min")
    meta.append(f"origin: {lesson.origin.value}")
    if lesson.author:
        meta.append(f"by {lesson.author}")
    if lesson.tags:
        meta.append("tags: " + ", ".join(lesson.tags))
    out = [f"# {lesson.title}", "*" + " · ".join(meta) + "*"]
    if lesson.summary:
        out.append(lesson.summary)
    out.append("## The task\n\n" + lesson.task)
    return out


def _sections(lesson: Lesson) -> list[tuple[int, str, str | None, str]]:
    """(number, heading, ask or None, revealed body) for every step, in order."""
    sections = []
    latest: dict[str, Call] = {}
    steps = lesson.for_learners().steps
    held_note = ""  # an agent step's note, held until the intervene ask that judges it is revealed
    for number, step in enumerate(steps, 1):
        if isinstance(step, AgentStep):
            latest = {c.id: c for c in step.calls}
        call = latest.get(step.call) if isinstance(step, ResultStep) else None
        body = step_markdown(step, call)
        following = steps[number] if number < len(steps) else None
        judged_next = isinstance(step, AgentStep) and following is not None and isinstance(following.ask, InterveneAsk)
        if step.annotation and judged_next:
            held_note = _note(step.annotation, about="the proposal above")
        elif step.annotation:
            body += "\n\n" + _note(step.annotation)
        ask = None
        if step.ask is not None:
            ask = ask_markdown(step)
            body = "\n\n".join(part for part in (body, reveal_markdown(step), held_note if isinstance(step.ask, InterveneAsk) else "") if part)
            if isinstance(step.ask, InterveneAsk):
                held_note = ""
        sections.append((number, f"## Step {number} · {KIND_TITLES[step.kind]}", ask, body))
    return sections


def _note(annotation: str, about: str = "") -> str:
    heading = f"**Senior's note on {about}:** " if about else "**Senior's note:** "
    return "\n".join("> " + line for line in (heading + annotation).splitlines())


def lesson_markdown(lesson: Lesson) -> str:
    out = [inert_markdown(part) for part in _header(lesson)]
    for number, heading, ask, body in _sections(lesson):
        heading, ask, body = inert_markdown(heading), (inert_markdown(ask) if ask is not None else None), inert_markdown(body)
        if ask is None:
            out.append(f"{heading}\n\n{body}")
        else:
            out.append(f"{heading}\n\n{ask}\n\n<details>\n<summary>Reveal step {number}</summary>\n\n{body}\n\n</details>")
    return shown("\n\n".join(out) + "\n")


def lesson_html(lesson: Lesson) -> str:
    """A standalone page. Lesson text is rendered with raw HTML disabled: a lesson cannot inject script."""
    from html import escape

    md = lesson_markdown_parser()
    parts = [md.render(shown("\n\n".join(_header(lesson))))]
    for number, heading, ask, body in _sections(lesson):
        ask, body = (shown(ask) if ask is not None else None), shown(body)
        parts.append(md.render(heading))
        if ask is None:
            parts.append(md.render(body))
        else:
            parts.append(md.render(ask))
            parts.append(f"<details>\n<summary>Reveal step {number}</summary>\n{md.render(body)}</details>\n")
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(shown(lesson.title))}</title>\n"
        "<style>body{max-width:46rem;margin:2rem auto;padding:0 1rem;font:16px/1.5 system-ui,sans-serif}"
        "pre{background:#f4f4f4;padding:.75rem;overflow:auto}details{border:1px solid #ccc;padding:.5rem 1rem;margin:1rem 0}"
        "summary{cursor:pointer;font-weight:600}blockquote{border-left:3px solid #999;margin-left:0;padding-left:1rem;color:#333}"
        "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}</style>\n"
        f"</head>\n<body>\n{''.join(parts)}</body>\n</html>\n"
    )
