"""Details: every word of copy that could say something about the product must come from its facts.

The claim readers (shopllm_site.trust.claims) know the kinds of claim a shopper relies on
(numbers, brands, materials, certifications, ...). A small model also invents details that fit
no kind: a coffee grinder that "roasts", a cutting board "for sharpening", containers to keep
"out at sea", headphones "with earbuds", "cribs and blankets" in a baby gym, made-up words. This
check closes the world at the word level: a content word that is neither in the product's facts
(title, brand, category, attributes, tags, published copy, the shop's brand voice; any form of
the word: "washing" is backed by "washable") nor in GENERIC_WORDS below is an unsupported
detail. GENERIC_WORDS is what copy may say of any product without stating a fact: function
words, praise ("perfect", "luxurious"), and the plain verbs and nouns of selling ("designed",
"offers", "everyday", "home"). Words that state properties a product may lack ("waterproof",
"lightweight", "soft", "organic", "cordless") are deliberately not in it.

Flags mark the words; repair (generation/selection.py) drops the sentence or bullet holding them.
"""

from __future__ import annotations

import re

from generation.checks.vocabulary import GENERIC_WORDS
from shopllm_site.trust.claims import Facts, claim_spans
from shopllm_site.trust.claims.units import MEASURE_WORDS
from shopllm_site.trust.claims.words import NUMBER_WORDS, PRODUCT_TYPES, singular

WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?(?:-[A-Za-z]+(?:['’][A-Za-z]+)?)*")
# Endings stripped to compare forms: "washing"/"washable"/"washes" -> "wash".
_ENDINGS = (
    "ically",
    "ations",
    "ation",
    "ness",
    "ment",
    "ments",
    "ably",
    "ibly",
    "able",
    "ible",
    "ing",
    "ings",
    "ful",
    "ily",
    "ly",
    "ies",
    "ied",
    "ier",
    "iest",
    "est",
    "ers",
    "er",
    "ed",
    "es",
    "s",
    "y",
    "e",
)


def stem(word: str) -> str:
    """A crude common root: enough to match "washable" with "wash", "comfortably" with
    "comfort", never to tell words apart (only used to find support, never to flag)."""
    word = word.lower().replace("’", "'")
    word = word.removesuffix("'s")
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]  # "fitted" -> "fitt" -> "fit"
    return word


def _known(word: str, fact_stems: set[str], facts: Facts) -> bool:
    if "-" in word and word.lower() not in GENERIC_WORDS:
        # "eye-catching", "BPA-free": every part known ("ASICS-inspired" is not)
        parts = [part for part in word.split("-") if len(part) > 1]
        return all(_known(part, fact_stems, facts) for part in parts)
    base = word.lower().replace("’", "'").removesuffix("'s")
    forms = {base, singular(base)}
    if forms & GENERIC_WORDS or forms & facts.words:
        return True
    roots = forms | {stem(form) for form in forms}
    return bool(roots & fact_stems or roots & _GENERIC_STEMS)


_GENERIC_STEMS = {stem(word) for word in GENERIC_WORDS}


# Judged elsewhere: number words by the number claims. A unit is judged with its number (inside
# a claim span); a unit without one ("in just over an hour") is a detail like any other word.
_CLAIM_WORDS = set(NUMBER_WORDS) | set(MEASURE_WORDS)


def unsupported_words(text: str, facts: Facts) -> list[tuple[int, int, str]]:
    """(start, end, word) for each content word the facts and the generic vocabulary lack,
    outside the claims the claim readers judge (shopllm_site.trust.claims.claim_spans)."""
    fact_stems = {stem(word) for word in facts.words if word.isalpha()} | facts.words
    fact_stems |= {stem(name) for name, key in PRODUCT_TYPES.items() if key in facts.types}
    claimed = claim_spans(text, facts)
    found = []
    for match in WORD_RE.finditer(text):
        word = match.group(0)
        if len(word) < 3 or word.lower() in _CLAIM_WORDS:
            continue
        if _known(word, fact_stems, facts):
            continue
        if any(s <= match.start() and match.end() <= e for s, e in claimed):
            continue
        found.append((match.start(), match.end(), word))
    return found


def check_details(text: str, facts: Facts) -> list[dict]:
    """One flag per run of unsupported words ("cribs and blankets" is one): the page marks the
    words, and repair drops the sentence that holds them."""
    runs: list[list[int]] = []
    for start, end, _word in unsupported_words(text, facts):
        if runs and re.fullmatch(r"[\s,]*(?:(?:and|or|&)\s+)?", text[runs[-1][1] : start]):
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [
        {
            "check": "detail",
            "start": start,
            "end": end,
            "text": text[start:end],
            "message": f"“{text[start:end]}”: the product facts do not say this.",
        }
        for start, end in runs
    ]


def copy_vocabulary(facts: Facts) -> tuple[str, ...]:
    """The words the detail check accepts without a second look, for closed-vocabulary
    decoding (shopllm_site/ml/vocabulary.py): the facts' words as written, their type's other
    names, and the generic vocabulary of copy."""
    words = {match.group(0) for match in WORD_RE.finditer(facts.text)}
    words |= {name for name, key in PRODUCT_TYPES.items() if key in facts.types and " " not in name}
    return tuple(sorted(words | GENERIC_WORDS))
