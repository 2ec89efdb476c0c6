"""Is a word ordinary English? At the start of a sentence or in a Title Case heading a capital
letter says nothing, so "Tackle", "Conquer" or "Reveal" there are words, not brands; only a word
English rarely uses ("Salomon", "Hydrapeak") is read as a name.

The word counts come from pyspellchecker's English frequency list (MIT, inside its wheel),
loaded once per process (~0.5 s). Brands that are also frequent words ("Apple") are still
caught in mid-sentence, where their capital letter gives them away.
"""

from __future__ import annotations

from functools import cache

from shopllm_site.trust.claims.words import singular

# Frequent enough that a capitalised sentence start is probably the word: "revitalize" (500)
# passes, most brand names ("nike" 156, "columbia" 248) do not.
MIN_COUNT = 400


@cache
def _frequencies():
    from spellchecker import SpellChecker  # deferred: the list takes half a second to load

    return SpellChecker(language="en", distance=1).word_frequency


def _forms(word: str) -> set[str]:
    forms = {word, singular(word)}
    for ending, replacement in (
        ("s", ""),
        ("es", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("d", ""),
        ("er", ""),
        ("ers", ""),
    ):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            forms.add(word[: -len(ending)] + replacement)
    return forms


def is_english_word(word: str) -> bool:
    frequencies = _frequencies()
    return any(frequencies[form] >= MIN_COUNT for form in _forms(word.lower()))
