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

`covered` is further held back wherever words around the point can turn it: a sentence
that asks ("…?"), concedes ("but", "however"), doubts ("whether", "who cares") or
belittles ("waste", "overkill", "outdated"), or a bare list of words (a keyword list
says nothing). A goal's criteria describe a goal rather than words to find in it, so a
goal is never `covered` by words: only its judges say so (`hint(..., words_can_cover=False)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from .fuzzy import STOPWORDS, stem, word_matches
from .judging import Verdict

_WORD = re.compile(r"[a-z0-9][a-z0-9_'+.-]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)
_NEGATIONS = frozenset({"not", "no", "never", "without", "nothing", "none", "nobody", "neither", "nor", "cannot", "instead"})
_NEGATING_PAIRS = {("rather", "than")}
_CLAUSE_WORDS = frozenset({"but", "and", "or", "so", "because", "then", "while", "although", "though"})
_CLAUSE_MARKS = re.compile(r"[,;:!?()\n—–]|\.(\s|$)")
_SENTENCE_MARKS = re.compile(r"[;!?\n]|\.(\s|$)")
# Words that, anywhere in the sentence, can turn what it says about the point around.
_TURNING = frozenset(
    ["but", "however", "though", "although", "yet", "whether", "unless", "except", "nah", "nope", "who", "cares", "waste", "wasted", "wasting", "overkill", "pointless", "useless", "unnecessary", "needless", "outdated", "obsolete", "stale", "wrong", "silly", "irrelevant", "nonsense", "overblown", "overrated", "instead", "rather"]
)
# Below this share of small words (articles, auxiliaries, prepositions), a sentence is a list of words, not a statement.
MIN_STATEMENT_SMALL_WORDS = 0.15


@dataclass(frozen=True)
class Token:
    stem: str
    negative: bool
    start: int  # character span in the text
    end: int
    sentence: int
    clause: int


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
    sentence = clause = 0
    previous_end = 0
    previous_word = ""
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        between = text[previous_end : match.start()]
        if _SENTENCE_MARKS.search(between):
            sentence += 1
        if _CLAUSE_MARKS.search(between) or word in _CLAUSE_WORDS:
            negative = False
            clause += 1
        previous_end = match.end()
        if _is_negation(word) or (previous_word, word) in _NEGATING_PAIRS:
            negative = not negative
            previous_word = word
            continue
        previous_word = word
        if word in STOPWORDS or word in _CLAUSE_WORDS:
            continue
        found.append(Token(stem(word), negative, match.start(), match.end(), sentence, clause))
    return found


def _sentences(text: str) -> list[str]:
    """The text cut where `tokens` counts a new sentence, so that sentence numbers agree."""
    parts: list[str] = []
    start = 0
    for mark in _SENTENCE_MARKS.finditer(text):
        parts.append(text[start : mark.end()])
        start = mark.end()
    parts.append(text[start:])
    return parts


def _can_be_sure_of(sentence: str) -> bool:
    """Whether a sentence states something plainly enough for its words to count as saying it."""
    if sentence.rstrip().endswith("?"):
        return False
    words = [word.lower() for word in _WORD.findall(sentence)]
    if any(word in _TURNING for word in words):
        return False
    small = sum(word in STOPWORDS for word in words)
    return bool(words) and small / len(words) >= MIN_STATEMENT_SMALL_WORDS


def _statement_sentences(text: str) -> list[bool]:
    """For each sentence of `text`: is it a statement (not a list of words)?"""
    result = []
    for sentence in _sentences(text):
        words = [word.lower() for word in _WORD.findall(sentence)]
        result.append(bool(words) and sum(word in STOPWORDS for word in words) / len(words) >= MIN_STATEMENT_SMALL_WORDS)
    return result


def hint(point: str, answer: str, *, words_can_cover: bool = True) -> Hint:
    """The matcher's view of one point in the learner's answer.

    `words_can_cover=False` (a goal's criteria): never `covered`, only hints.
    """
    wanted = tokens(point)
    given = tokens(answer)
    if not wanted or not given:
        return Hint(Verdict.MISSED)
    shown = _normal(answer)
    sentences = _sentences(shown)
    statements = _statement_sentences(shown)
    matched_positions = [i for i, token in enumerate(given) if any(word_matches(w.stem, token.stem) for w in wanted)]
    matched = tuple(dict.fromkeys(shown[given[i].start : given[i].end] for i in matched_positions))
    if not matched_positions:
        return Hint(Verdict.MISSED)

    run = _in_order_run(wanted, given)
    if run is not None:
        first, last = given[run[0]], given[run[-1]]
        evidence = shown[first.start : last.end]
        flipped = tuple(shown[given[i].start : given[i].end] for i, w in zip(run, wanted, strict=True) if given[i].negative != w.negative)
        if not flipped and words_can_cover and _can_be_sure_of(sentences[first.sentence]) and _same_clauses(run, wanted, given):
            return Hint(Verdict.COVERED, matched, evidence)
        if flipped and statements[first.sentence]:
            return Hint(Verdict.CONTRADICTED, matched, evidence, flipped)
        return Hint(Verdict.UNSURE, matched, evidence)

    # Every word of the point in one sentence, in any order: a contradiction shows as words
    # held with the opposite polarity; the same polarity out of order is only a hint.
    for sentence in sorted({given[i].sentence for i in matched_positions}):
        picks = _pick_each(wanted, [i for i in matched_positions if given[i].sentence == sentence], given)
        if picks is None or not statements[sentence]:
            continue  # a list of words holds no polarity to contradict with
        flipped = tuple(shown[given[i].start : given[i].end] for i, w in picks if given[i].negative != w.negative)
        if flipped:
            begin = min(given[i].start for i, _ in picks)
            end = max(given[i].end for i, _ in picks)
            return Hint(Verdict.CONTRADICTED, matched, shown[begin:end], flipped)
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


def _same_clauses(run: list[int], wanted: list[Token], given: list[Token]) -> bool:
    """The answer's words break into clauses where the point's do, and nowhere else (a comma-separated list is not the point)."""
    return all((given[a].clause != given[b].clause) == (w1.clause != w2.clause) for (a, b), (w1, w2) in zip(pairwise(run), pairwise(wanted), strict=True))


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
