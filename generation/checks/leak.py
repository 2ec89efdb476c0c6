"""Example leak: the output copies distinctive words of the example copy shown to the model.

A word of the example is distinctive when it is not a common word and not in this product's
facts: "Ferrova" or "skillet" in copy for a kettle came from the example, not from the kettle.
Words are compared by a rough stem (plural "s" dropped), so "skillets" counts too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")

# Function words and the stock words of product copy: a shared "durable" or "everyday" is style,
# not a leak. Kept short on purpose: a word missing here can only over-flag, never hide a brand.
_COMMON_TEXT = """
    the and for with from that this these those your you our their its it's his her they them
    are was were has have had been being will would can could may might must shall should not
    but all any each every both more most many much some such than then there here when where
    which while who whom what why how into onto over under about above after before again also
    just only very well even still yet too out off own same other another one two three first
    make makes made making keep keeps kept take takes taken give gives get gets use uses used
    using look looks feel feels find finds need needs want wants like likes let lets come comes
    goes go going put puts set sets hold holds sit sits fit fits work works stay stays say
    product products item items piece range design designed style styled quality high great
    good best better new easy easily simple simply perfect ideal everyday daily day days time
    times way ways long short small large light little big size sizes colour colours color
    colors available choice choose order today shop buy home life year years people person
    comfort comfortable practical durable sturdy reliable lasting versatile classic modern
    stylish elegant beautiful lovely smart clean cleaning care soft strong tough solid
    compact handy useful convenient features feature featuring benefits made crafted built
    gift gifts enjoy love ready whether without within while through throughout together
    help helps helping right left top bottom side front back inside outside around near
    ever never always often every anyone everyone everything something nothing anything
    description title meta bullet points copy online shoppers search result
"""
COMMON_WORDS = set(_COMMON_TEXT.split())


def stem(word: str) -> str:
    word = word.lower().strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def distinctive_words(example_text: str, facts_text: str) -> set[str]:
    """Stems of the example's words that are neither common nor in the product's facts."""
    known = {stem(word) for word in WORD_RE.findall(facts_text)}
    return {
        stem(word)
        for word in WORD_RE.findall(example_text)
        if stem(word) not in known and stem(word) not in COMMON_WORDS
    }


def facts_text(product) -> str:
    """Everything the product's own copy may say: title, brand, category, attributes, tags."""
    parts = [product.title, product.brand, product.category, " ".join(product.tags or [])]
    for key, value in (product.attributes or {}).items():
        parts.append(f"{key} {value}")
    return " ".join(str(part) for part in parts if part)


def check_leak(text: str, examples: Iterable[str], product) -> list[dict]:
    """One flag per word of `text` that is distinctive in one of `examples` (the example copy
    the model was shown for this draft)."""
    facts = facts_text(product)
    leaked: set[str] = set()
    for example in examples:
        leaked |= distinctive_words(example, facts)
    if not leaked:
        return []
    return [
        {
            "check": "leak",
            "start": match.start(),
            "end": match.end(),
            "text": match.group(0),
            "message": f"“{match.group(0)}” comes from the example copy, not this product.",
        }
        for match in WORD_RE.finditer(text)
        if stem(match.group(0)) in leaked
    ]
