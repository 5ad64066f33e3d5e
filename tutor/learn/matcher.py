"""Tutor's word matcher: hints beside each of the senior's points, never a judge.

It says which of the learner's words match a point, and flags a likely contradiction:
the same words with the opposite polarity ("fix the test, not the code" against "fix the
code, not the test"; "was checked" against "was never checked"). It calls a point
`covered` only when it is sure: the point's own words, in order, one after another, with
the same polarity, inside one sentence of the answer. Everything else that shares words
is `unsure`. A paraphrase is beyond it, and that is the judges' work (Claude, or the
learner's own check); what it must never do is call an opposite meaning a match.

Polarity is read with a plain rule a learner can follow: a negation ("not", "never",
"no", "don't", "without", "instead of", "rather than") turns the words after it negative
until the clause ends (punctuation, or "but", "and", "or", "so", "because").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fuzzy import STOPWORDS, stem, word_matches
from .judging import Verdict

_WORD = re.compile(r"[a-z0-9][a-z0-9_'+.-]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)
_NEGATIONS = frozenset({"not", "no", "never", "without", "nothing", "none", "nobody", "neither", "nor", "cannot", "instead"})
_NEGATING_PAIRS = {("rather", "than")}
_CLAUSE_WORDS = frozenset({"but", "and", "or", "so", "because", "then", "while", "although", "though"})
_CLAUSE_MARKS = re.compile(r"[,;:!?()\n—–]|\.(\s|$)")
_SENTENCE_MARKS = re.compile(r"[;!?\n]|\.(\s|$)")


@dataclass(frozen=True)
class Token:
    stem: str
    negative: bool
    start: int  # character span in the text
    end: int
    sentence: int


@dataclass(frozen=True)
class Hint:
    """What the matcher sees of one point in one answer."""

    verdict: Verdict  # covered (sure), unsure, missed or contradicted
    matched: tuple[str, ...] = ()  # the learner's words that match the point's, as written
    evidence: str = ""  # the stretch of the answer the verdict rests on, as written
    opposite: tuple[str, ...] = ()  # words the point and the answer hold with opposite polarity


def _normal(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def _is_negation(word: str) -> bool:
    return word in _NEGATIONS or word.endswith("n't")


def tokens(text: str) -> list[Token]:
    """The content words of `text`, stemmed, each with its polarity and place."""
    text = _normal(text)
    found: list[Token] = []
    negative = False
    sentence = 0
    previous_end = 0
    previous_word = ""
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        between = text[previous_end : match.start()]
        if _SENTENCE_MARKS.search(between):
            sentence += 1
        if _CLAUSE_MARKS.search(between) or word in _CLAUSE_WORDS:
            negative = False
        previous_end = match.end()
        if _is_negation(word) or (previous_word, word) in _NEGATING_PAIRS:
            negative = not negative
            previous_word = word
            continue
        previous_word = word
        if word in STOPWORDS or word in _CLAUSE_WORDS:
            continue
        found.append(Token(stem(word), negative, match.start(), match.end(), sentence))
    return found


def hint(point: str, answer: str) -> Hint:
    """The matcher's view of one point in the learner's answer."""
    wanted = tokens(point)
    given = tokens(answer)
    if not wanted or not given:
        return Hint(Verdict.MISSED)
    shown = _normal(answer)
    matched_positions = [i for i, token in enumerate(given) if any(word_matches(w.stem, token.stem) for w in wanted)]
    matched = tuple(dict.fromkeys(shown[given[i].start : given[i].end] for i in matched_positions))
    if not matched_positions:
        return Hint(Verdict.MISSED)

    run = _in_order_run(wanted, given)
    if run is not None:
        first, last = given[run[0]], given[run[-1]]
        evidence = shown[first.start : last.end]
        flipped = tuple(shown[given[i].start : given[i].end] for i, w in zip(run, wanted, strict=True) if given[i].negative != w.negative)
        if not flipped:
            return Hint(Verdict.COVERED, matched, evidence)
        return Hint(Verdict.CONTRADICTED, matched, evidence, flipped)

    # Every word of the point in one sentence, in any order: a contradiction shows as words
    # held with the opposite polarity; the same polarity out of order is only a hint.
    for sentence in sorted({given[i].sentence for i in matched_positions}):
        picks = _pick_each(wanted, [i for i in matched_positions if given[i].sentence == sentence], given)
        if picks is None:
            continue
        flipped = tuple(shown[given[i].start : given[i].end] for i, w in picks if given[i].negative != w.negative)
        if flipped:
            first = min(given[i].start for i, _ in picks)
            last = max(given[i].end for i, _ in picks)
            return Hint(Verdict.CONTRADICTED, matched, shown[first:last], flipped)
    return Hint(Verdict.UNSURE, matched)


def _in_order_run(wanted: list[Token], given: list[Token]) -> list[int] | None:
    """Positions in `given` where the point's words stand one after another, in order, in one sentence."""
    size = len(wanted)
    for start in range(len(given) - size + 1):
        window = given[start : start + size]
        if len({token.sentence for token in window}) != 1:
            continue
        if all(word_matches(w.stem, g.stem) for w, g in zip(wanted, window, strict=True)):
            return list(range(start, start + size))
    return None


def _pick_each(wanted: list[Token], positions: list[int], given: list[Token]) -> list[tuple[int, Token]] | None:
    """One distinct answer word for each word of the point, or None when some word has no match."""
    picks: list[tuple[int, Token]] = []
    used: set[int] = set()
    for want in wanted:
        choice = next((i for i in positions if i not in used and word_matches(want.stem, given[i].stem)), None)
        if choice is None:
            return None
        used.add(choice)
        picks.append((choice, want))
    return picks
