"""`RuleMentor`: the offline mentor, pure and synchronous, built on the goal lint's transparent cues.

Always available, and what `claude.ClaudeMentor` falls back to when Claude fails or its
reply is malformed.
"""

from __future__ import annotations

import re

from tutor.learn.goal_lint import lint_goal
from tutor.lesson.taxonomy import Category

from .comment import MAX_QUESTIONS, MentorComment, _plain

# What a goal may lack, as shown to the learner (RuleMentor's `missing`).
MISSING_DONE = "how you will know it is done"
MISSING_SCOPE = "what the agent should leave alone"
MISSING_CONCRETE = "something concrete: a file, function, command or error"
# What a correction may lack.
MISSING_MESSAGE = "a message to the agent"
MISSING_SPECIFIC = "what exactly in the proposal is wrong"
MISSING_INSTEAD = "what the agent should do instead"
MISSING_FIT = "words that match the chosen category"
MISSING_CATEGORY = "a category from the list"



_WORD = re.compile(r"[a-z0-9_]+(?:['.][a-z0-9_]+)*")
_TOKEN = re.compile(r"[\w./()-]+")
_STOPWORDS = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from",
        "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "it's", "let", "me", "my", "no",
        "not", "of", "on", "or", "our", "so", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "those", "to", "up", "us", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "why", "will", "with", "would", "you", "your", "yours", "also", "just", "only", "should", "must",
        "need", "want", "make", "sure", "please", "agent", "code", "file", "files", "change", "changes",
    ]
)

_INSTEAD_CUES = re.compile(
    r"\b(instead|rather|use|using|try|revert|roll ?back|go back|restore|undo|reset|first|start (by|with)|"
    r"should|must|need(s)? to|please|let'?s|make|fix|keep|leave|only|run|check|read|look|ask|show|explain|"
    r"write|add|remove|delete|replace|rename|move|call|stop)\b",
    re.IGNORECASE,
)

_CATEGORY_CUES: dict[Category, re.Pattern[str]] = {
    Category.GOAL: re.compile(
        r"\b(goal|intent|intended|want(ed)?|asked|ask(ing)? for|meant|problem|actually|trying to|point|purpose|requirement|need)\b",
        re.IGNORECASE,
    ),
    Category.SCOPE: re.compile(
        r"\b(scope|only|just|unrelated|not asked|outside|extra|leave|don'?t touch|do not touch|too (much|many|big|broad)|"
        r"separate|later|focus|stick to|limit)\b",
        re.IGNORECASE,
    ),
    Category.APPROACH: re.compile(
        r"\b(approach|design|plan|instead|rather|simpler|architecture|pattern|structure|won'?t (scale|work|hold)|"
        r"hack|workaround|better way|alternative|abstraction)\b",
        re.IGNORECASE,
    ),
    Category.VERIFY: re.compile(
        r"\b(verify|run|test|tests|reproduce|repro|measure|benchmark|evidence|show|prove|check|confirm|output|"
        r"before claiming|actually works?|logs?)\b",
        re.IGNORECASE,
    ),
    Category.TEST: re.compile(
        r"\b(tests?|assert(ion)?s?|expected|expectation|fixture|coverage|spec|skip(ped)?|xfail|mock(ed)?|gam(e|ed|ing)|"
        r"cheat|regression)\b",
        re.IGNORECASE,
    ),
    Category.CORRECTNESS: re.compile(
        r"\b(bug|wrong|incorrect|off[- ]by[- ]one|edge cases?|null|none|empty|overflow|race|breaks?|broken|crash(es)?|"
        r"error|fails?|missing|forgot|handle|case|returns?)\b",
        re.IGNORECASE,
    ),
    Category.FACT: re.compile(
        r"\b(exist|exists|doesn'?t exist|does not exist|no such|api|flag|option|version|docs?|documentation|"
        r"hallucinat\w*|made up|invented|real|deprecated|signature|parameter|argument|method)\b",
        re.IGNORECASE,
    ),
    Category.SAFETY: re.compile(
        r"\b(rm|delete|deletes|deleting|drop|destroy|destructive|wipe|overwrite|force|--force|secret|secrets|key|keys|"
        r"password|token|credentials?|prod(uction)?|danger(ous)?|unsafe|risk(y)?|security|permission|sudo|chmod|"
        r"backup|irreversible|undo|injection|exposed?|leak)\b",
        re.IGNORECASE,
    ),
    Category.STOP: re.compile(
        r"\b(stop|halt|revert|roll ?back|go back|back to|checkpoint|undo|reset|restore|abandon|start over|"
        r"known[- ]good|last good|throw away|discard)\b",
        re.IGNORECASE,
    ),
    Category.STYLE: re.compile(
        r"\b(style|convention(s)?|naming|names?|format(ting)?|lint(er)?|pep ?8|consistent|consistency|idiom(atic)?|"
        r"existing|like the rest|pattern|readab(le|ility)|type hints?|docstrings?)\b",
        re.IGNORECASE,
    ),
}

# A question per category that pushes the learner one step further, without the answer.
_CATEGORY_QUESTION: dict[Category, str] = {
    Category.GOAL: "What did the agent seem to think the goal was, and where does that differ from yours?",
    Category.SCOPE: "Which part of this change was asked for, and which part was not?",
    Category.APPROACH: "What would go wrong later if the agent carried on with this plan?",
    Category.VERIFY: "What evidence would convince you, and what result would make you doubt the change?",
    Category.TEST: "Which requirement should the test protect, and does this proposal still protect it?",
    Category.CORRECTNESS: "Which input or case would show the problem, and how could the agent see it for itself?",
    Category.FACT: "How could you or the agent check that this really exists before relying on it?",
    Category.SAFETY: "What is the worst this could do if it ran as proposed, and could it be undone?",
    Category.STOP: "Which checkpoint is known to be good, and how would you confirm the agent is back there?",
    Category.STYLE: "Which existing code in the project shows the convention the agent should follow?",
}

_SHORT_GOAL_WORDS = 6


class RuleMentor:
    """Deterministic, offline comments from visible rules (the goal lint and a few cues)."""

    def on_goal(self, goal: str, task: str = "") -> MentorComment:
        """Comment on a learner's goal contract; `task` (what the learner was shown) is optional."""
        goal = _plain(goal)
        task = _plain(task)
        if not goal:
            return MentorComment(
                about="goal",
                summary="There is no goal yet, so the agent would have to guess what you want.",
                questions=(
                    "What should be true when the agent has finished?",
                    "How would you check that yourself, without taking the agent's word for it?",
                    "What should the agent leave alone while it works?",
                ),
                checkable=False,
                bounded=False,
                missing=(MISSING_DONE, MISSING_SCOPE, MISSING_CONCRETE),
                source="rules",
            )
        checks = {check.name: check.passed for check in lint_goal(goal)}
        done, scope, concrete = checks.get("done", False), checks.get("scope", False), checks.get("concrete", False)
        words = len(goal.split())
        short = words < _SHORT_GOAL_WORDS
        repeats = _repeats(goal, task)

        has = [text for ok, text in ((done, "says how you will know it is done"), (scope, "bounds the scope"),
                                     (concrete, "names something concrete")) if ok]
        lacks = [text for ok, text in ((done, "say how you will know it is done"), (scope, "say what to leave alone"),
                                       (concrete, "name a file, function, command or error")) if not ok]
        first = ""
        if repeats:
            first = "Your goal mostly restates the task."
        elif short:
            first = f"At {words} word{'s' if words != 1 else ''}, your goal leaves the agent a lot to guess."
        if not lacks:
            second = "It says how you will know it is done, bounds the scope and names something concrete."
            if not first:
                second = "Your goal says how you will know it is done, bounds the scope and names something concrete."
        elif not has:
            second = f"It does not yet {_join(lacks, 'or')}." if first else f"Your goal does not yet {_join(lacks, 'or')}."
        else:
            subject = "It" if first else "Your goal"
            second = f"{subject} {_join(has, 'and')}, but does not yet {_join(lacks, 'or')}."

        questions: list[str] = []
        if repeats:
            questions.append("What does your goal add to the task that the agent could check its work against?")
        elif short:
            questions.append("If the agent read only these few words, what might it reasonably do that you would not want?")
        if not done:
            questions.append("When the agent says it is finished, what would you run or look at to believe it?")
        if not scope:
            questions.append("What should the agent leave untouched while it does this?")
        if not concrete:
            questions.append("Which file, function, command or error message is this about?")
        if not questions:
            questions = [
                "If the agent meets this goal to the letter, what could still be wrong?",
                "Which check would you run first, and what result would make you stop the agent?",
            ]
        missing = tuple(text for ok, text in ((done, MISSING_DONE), (scope, MISSING_SCOPE), (concrete, MISSING_CONCRETE)) if not ok)
        return MentorComment(
            about="goal",
            summary=f"{first} {second}".strip(),
            questions=tuple(questions[:MAX_QUESTIONS]),
            checkable=done,
            bounded=scope,
            missing=missing,
            source="rules",
        )

    def on_correction(self, category: str, message: str, proposal: str) -> MentorComment:
        """Comment on a correction: its `category` (a `Category` value), the learner's `message` to the
        agent, and the agent's `proposal` it answers (plain text: the tool and its input)."""
        message = _plain(message)
        proposal = _plain(proposal)
        cat = _category(category)
        name = cat.value if cat else _plain(str(category))[:40]
        questions: list[str] = []
        missing: list[str] = []

        if cat is None:
            missing.append(MISSING_CATEGORY)
            questions.append("Which of the ten correction categories names why you stopped the agent?")

        if not message:
            missing += [MISSING_MESSAGE, MISSING_INSTEAD]
            questions += ["What in this proposal made you stop it?", "What should the agent do next instead?"]
            if cat is not None:
                questions.append(_CATEGORY_QUESTION[cat])
            return MentorComment(
                about="correction",
                summary="You stopped the agent without telling it why or what to do instead, so it can only guess.",
                questions=tuple(questions[:MAX_QUESTIONS]),
                checkable=None,
                bounded=None,
                missing=tuple(missing),
                source="rules",
            )

        specific = _is_specific(message, proposal)
        instead = bool(_INSTEAD_CUES.search(message))
        fits = bool(cat and _CATEGORY_CUES[cat].search(message))
        if cat is Category.STOP and fits:
            instead = True  # "stop and go back to the checkpoint" is the instruction

        has: list[str] = []
        lacks: list[str] = []
        if specific:
            has.append("points at something specific")
        else:
            lacks.append("point at what exactly is wrong")
            missing.append(MISSING_SPECIFIC)
        if instead:
            has.append("says what to do instead")
        else:
            lacks.append("say what to do instead")
            missing.append(MISSING_INSTEAD)
        if cat is not None:
            if fits:
                has.append(f"reads as a '{name}' correction")
            else:
                lacks.append(f"read as a '{name}' correction ({cat.meaning})")
                missing.append(MISSING_FIT)

        if cat is None:
            first = f"'{name}' is not one of the correction categories."
        elif cat is Category.SAFETY:
            first = "Stopping a risky action is the most important call a reviewer makes."
        elif cat is Category.STOP:
            first = "Stopping and going back is a strong move when the trajectory has gone wrong."
        else:
            first = ""
        if not lacks:
            second = f"Your correction {_join(has, 'and')}."
        elif not has:
            second = f"Your correction does not yet {_join(lacks, 'or')}."
        else:
            second = f"Your correction {_join(has, 'and')}, but does not yet {_join(lacks, 'or')}."

        # Stop and safety first ask about the risk; the others first about the gaps in the message.
        if cat is Category.SAFETY:
            questions.append(_CATEGORY_QUESTION[Category.SAFETY])
            if not instead:
                questions.append("Is there a safe way to get what the agent was after, and how would it show you it is safe?")
            else:
                questions.append("What would a safe version of this step have to guarantee before it runs?")
        elif cat is Category.STOP:
            questions.append("What did you see that made going back safer than carrying on?")
            questions.append(_CATEGORY_QUESTION[Category.STOP])
        if not specific:
            questions.append("Which part of the proposal (a line, a path, a command) is the problem?")
        if not instead:
            questions.append("After reading your message, what would the agent do next, and is that what you want?")
        if cat is not None and not fits:
            questions.append(f"You chose '{name}', which means {cat.meaning}: where does your message say so?")
        if cat is not None and cat not in (Category.SAFETY, Category.STOP):
            questions.append(_CATEGORY_QUESTION[cat])
        return MentorComment(
            about="correction",
            summary=f"{first} {second}".strip(),
            questions=tuple(_unique(questions)[:MAX_QUESTIONS]),
            checkable=None,
            bounded=None,
            missing=tuple(missing),
            source="rules",
        )


def _category(category: object) -> Category | None:
    try:
        return Category(str(getattr(category, "value", category)).strip().lower())
    except ValueError:
        return None


def _repeats(goal: str, task: str) -> bool:
    """Whether the goal adds (almost) no words of substance to the task."""
    if not task:
        return False
    goal_words = [word for word in _WORD.findall(goal.lower()) if word not in _STOPWORDS and len(word) > 2]
    if len(goal_words) < 3:
        return False
    task_words = set(_WORD.findall(task.lower()))
    new = [word for word in goal_words if word not in task_words]
    return len(new) <= len(goal_words) * 0.15


def _is_specific(message: str, proposal: str) -> bool:
    """The message names something concrete (the goal lint's cue) or a distinctive token of the proposal."""
    if any(check.name == "concrete" and check.passed for check in lint_goal(message)):
        return True
    ours = _distinctive(proposal)
    return bool(ours and ours & _distinctive(message))


def _distinctive(text: str) -> set[str]:
    tokens = set()
    for raw in _TOKEN.findall(text.lower()):
        token = raw.strip(".,;:()-")
        if len(token) >= 3 and token not in _STOPWORDS and not token.isdigit():
            tokens.add(token)
    return tokens


def _join(items: list[str], last: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {last} {items[1]}"
    return f"{', '.join(items[:-1])}, {last} {items[-1]}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
