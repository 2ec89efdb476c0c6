"""Model outputs that look like answers but say nothing, which must never be published.

Seen from the default model: "The answer is: 2007", "The answer is: The answer is: The answer
is:", a bare "750 ml" that names no subject, the shopper's question repeated back, and the
"[removed]" marker of a neutralised fact. Each is caught here before any grounding check, because
the grounding check only asks whether words are backed by facts, and these often are.
"""

from __future__ import annotations

import re

from answers.grounding import UNITS, words

# Artefacts of the prompt or of chat templates in the output.
ARTEFACT = re.compile(
    r"\bthe (?:correct |right |final )?answer (?:is|would be)\b|^\s*(?:answer|a)\s*:"
    r"|\bthe fact is\b|\baccording to (?:the )?fact\b"
    r"|\[removed\]|<\s*/?\s*\w+\s*>|<\|[^>]*\|>|\bfact number\b|\bquestion tags?\b"
    r"|\bas an ai\b|\blanguage model\b",
    re.IGNORECASE,
)
# Words that, with numbers and units, can make up a reply while naming nothing.
FILLER = {
    "it", "its", "is", "are", "was", "the", "a", "an", "this", "that", "about", "around",
    "approximately", "approx", "roughly", "only", "just", "of", "yes", "no", "x", "by",
}  # fmt: skip
NUMBER_TOKEN = re.compile(r"^\d+(?:[.,]\d+)?$")
MIN_REPEAT_WORDS = 3


def _repeats_a_fragment(tokens: list[str]) -> bool:
    """Whether some run of MIN_REPEAT_WORDS or more words occurs twice."""
    seen: set[tuple[str, ...]] = set()
    for start in range(len(tokens) - MIN_REPEAT_WORDS + 1):
        gram = tuple(tokens[start : start + MIN_REPEAT_WORDS])
        if gram in seen:
            return True
        seen.add(gram)
    return False


def _is_bare_figure(tokens: list[str]) -> bool:
    """Only numbers, units and filler: "2007", "750 ml", "It is 24."."""
    has_number = any(NUMBER_TOKEN.match(token) for token in tokens)
    rest = [
        token
        for token in tokens
        if not NUMBER_TOKEN.match(token) and token not in UNITS and token not in FILLER
    ]
    return has_number and not rest


def _echoes(tokens: list[str], question: str) -> bool:
    """The question's own words given back with nothing added: no new word, no figure, no yes or
    no ("Yes, it is dishwasher safe." answers "Is it dishwasher safe?"; "The capacity is" does
    not answer "What is the capacity?")."""
    said = set(tokens)
    if said & {"yes", "no", "not", "nt"} or any(NUMBER_TOKEN.match(token) for token in said):
        return False
    return not (said - set(words(question)) - FILLER)


def non_answer_reason(text: str, question: str = "") -> str | None:
    """Why `text` is not an answer worth publishing, or None when it may be one."""
    stripped = " ".join((text or "").split())
    tokens = words(re.sub(r"\[\d{1,2}\]", " ", stripped))
    if not tokens:
        return "empty"
    if ARTEFACT.search(stripped):
        return "prompt or template artefact"
    if _repeats_a_fragment(tokens):
        return "repeated fragment"
    if _is_bare_figure(tokens):
        return "bare figure without a subject"
    if stripped.rstrip().endswith("?") or (question and _echoes(tokens, question)):
        return "echo of the question"
    return None


def is_non_answer(text: str, question: str = "") -> bool:
    """True for outputs that must never be published (see the module docstring)."""
    return non_answer_reason(text, question) is not None
