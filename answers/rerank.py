"""A lexical reranking of retrieved facts: the encoder's cosine plus a bonus for facts that name
what the question asks about.

MiniLM ranks "weight: 320 g" and "capacity: 750 ml" of the same bottle close together for "How
heavy is it?" (both embed the title). A fact whose name or text holds a word of the question, or
of the question's usual wording for that attribute ("heavy" -> weight), is more likely to be the
evidence. Measured in bench/answers_quality.py (with and without, side by side).
"""

from __future__ import annotations

from dataclasses import replace

from answers.grounding import words
from answers.retrieval import Hit

# Question wording -> the words facts use for it.
SYNONYMS = {
    "heavy": {"weight", "weigh"},
    "weigh": {"weight"},
    "light": {"weight"},
    "big": {"size", "dimension", "capacity", "volume"},
    "large": {"size", "dimension", "capacity", "volume"},
    "small": {"size", "dimension"},
    "tall": {"height", "dimension"},
    "high": {"height"},
    "wide": {"width", "dimension"},
    "long": {"length", "life", "hour", "runtime"},
    "hold": {"capacity", "volume"},
    "fit": {"size", "fit", "compatible", "compatibility"},
    "made": {"material", "origin", "made"},
    "material": {"material", "fabric", "made"},
    "colour": {"colour", "color"},
    "color": {"colour", "color"},
    "wash": {"washable", "dishwasher", "care", "machine"},
    "clean": {"care", "washable", "dishwasher"},
    "battery": {"battery", "runtime", "charge"},
    "charge": {"charging", "charge", "battery"},
    "ship": {"shipping", "delivery", "ship"},
    "deliver": {"shipping", "delivery"},
    "return": {"return", "returns", "refund"},
    "warranty": {"warranty", "guarantee"},
    "guarantee": {"warranty", "guarantee"},
    "waterproof": {"waterproof", "water", "rating", "ip"},
    "water": {"waterproof", "water"},
    "cost": {"price"},
    "price": {"price"},
    "expensive": {"price"},
    "stock": {"availability", "stock"},
    "available": {"availability"},
    "where": {"origin", "made"},
    "old": {"age"},
    "age": {"age"},
}
# Question words that say nothing about which fact is wanted.
STOP = {
    "is", "are", "it", "its", "this", "that", "the", "a", "an", "do", "does", "can", "i", "you",
    "your", "what", "how", "which", "will", "of", "for", "to", "in", "on", "with", "my", "me",
    "have", "has", "there", "be", "much", "many", "any", "and", "or", "if", "did", "was",
    "would", "should", "could", "they", "we", "at", "by", "from", "when", "who", "why", "so",
    "product", "item", "one", "get", "come", "need", "use", "about", "also", "than", "more",
}  # fmt: skip
NAME_BONUS = 0.15  # a question word in the fact's name ("weight" in "weight: 320 g")
TEXT_BONUS = 0.07  # a question word anywhere else in the fact


def question_terms(question: str, title: str = "") -> set[str]:
    """The question's content words and their usual fact wording, without the title's words."""
    asked = set(words(question)) - STOP - set(words(title))
    terms = set(asked)
    for word in asked:
        terms |= SYNONYMS.get(word, set())
    return terms


def rerank(question: str, hits: list[Hit], title: str = "") -> list[Hit]:
    """`hits` with a lexical bonus added to their scores, best first."""
    terms = question_terms(question, title)
    if not terms:
        return hits
    rescored = []
    for hit in hits:
        if hit.text.startswith("Q: ") and " A: " in hit.text:
            # An FAQ entry is named by its question.
            name, _, rest = hit.text[3:].partition(" A: ")
        elif ":" in hit.text[:60]:
            name, _, rest = hit.text.partition(":")
        else:
            name, rest = "", hit.text
        if terms & set(words(name)):
            bonus = NAME_BONUS
        elif terms & set(words(rest)):
            bonus = TEXT_BONUS
        else:
            bonus = 0.0
        rescored.append(replace(hit, score=hit.score + bonus))
    return sorted(rescored, key=lambda hit: -hit.score)
