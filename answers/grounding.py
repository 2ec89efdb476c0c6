"""Checks that a generated answer says nothing the cited facts do not say.

The embedded model is tiny and will happily invent ("The bottle is BPA free."), so an answer is
published only if every claim in it is backed by the facts it was given:

- every number, and every number-with-unit pair, appears in the facts;
- every material and colour word appears in the facts;
- every other content word appears in the facts or the product title, or is a neutral phrasing
  word (a small allow-list): words from the question do NOT count, so that the model cannot
  simply affirm the shopper's premise;
- yes/no: when a cited fact is a yes/no fact, the answer's polarity (negated or not) matches it;
  an explicit "yes" with no yes/no fact behind it needs every number of the question in the facts;
- it cites at least one fact (a [n] marker, or else the facts sharing its content words).

Anything failing goes to the extractive answer (the cited evidence) or to "don't know"; so does
a thin answer, one that repeats no content word or figure of its cited facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?", re.IGNORECASE)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
MARKER = re.compile(r"\[(\d{1,2})\]")
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twelve": "12",
    "dozen": "12",
    "hundred": "100",
}
UNITS = {
    "ml": "ml",
    "millilitre": "ml",
    "milliliter": "ml",
    "l": "l",
    "litre": "l",
    "liter": "l",
    "cl": "cl",
    "oz": "oz",
    "ounce": "oz",
    "g": "g",
    "gram": "g",
    "kg": "kg",
    "kilogram": "kg",
    "lb": "lb",
    "pound": "lb",
    "mm": "mm",
    "cm": "cm",
    "centimetre": "cm",
    "centimeter": "cm",
    "m": "m",
    "metre": "m",
    "meter": "m",
    "in": "inch",
    "inch": "inch",
    "inche": "inch",
    "w": "w",
    "watt": "w",
    "v": "v",
    "volt": "v",
    "mah": "mah",
    "h": "h",
    "hour": "h",
    "hr": "h",
    "minute": "min",
    "min": "min",
    "day": "day",
    "year": "year",
    "month": "month",
    "eur": "eur",
    "usd": "usd",
    "gbp": "gbp",
    "percent": "%",
    "degree": "degree",
}
MATERIALS = {
    "steel",
    "stainless",
    "aluminium",
    "aluminum",
    "plastic",
    "glass",
    "bamboo",
    "wood",
    "wooden",
    "cotton",
    "polyester",
    "nylon",
    "leather",
    "silicone",
    "ceramic",
    "titanium",
    "copper",
    "wool",
    "merino",
    "linen",
    "rubber",
    "cork",
    "carbon",
    "iron",
    "tritan",
    "bpa",
    "latex",
    "down",
    "fleece",
    "polypropylene",
    "polycarbonate",
    "gore-tex",
    "goretex",
    "vinyl",
    "canvas",
    "denim",
    "silk",
}
COLOURS = {
    "black",
    "white",
    "red",
    "blue",
    "green",
    "yellow",
    "orange",
    "purple",
    "pink",
    "grey",
    "gray",
    "brown",
    "beige",
    "navy",
    "silver",
    "gold",
    "teal",
}
NEGATIONS = {"not", "no", "never", "without", "cannot", "isn", "doesn", "don", "aren", "won", "nt"}
YES = {"yes", "true", "y"}
NO = {"no", "false", "n"}
# Neutral words that carry no product claim.
ALLOWED = {
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "for", "with", "by", "at",
    "from", "as", "is", "are", "was", "be", "been", "it", "its", "this", "that", "these",
    "those", "there", "here", "you", "your", "we", "our", "us", "they", "them", "their", "can",
    "could", "will", "would", "should", "may", "might", "do", "does", "did", "has", "have",
    "had", "so", "also", "very", "just", "up", "about", "which", "what", "product", "item",
    "answer", "question", "fact", "facts", "according", "detail", "details", "listed", "says",
    "say",
    "stated", "states", "yes", "no", "not", "comes", "come", "made", "make", "use", "used",
    "using", "put", "hold", "holds", "fit", "fits", "available", "offer", "offers", "include",
    "includes", "including", "feature", "features", "weighs", "weigh", "measures", "measure",
    "suitable", "keep", "keeps", "contain", "contains", "capacity", "size", "i", "s", "t",
    "one", "all", "any", "some", "both", "each", "per", "only", "than", "into", "if", "when",
    "shop", "store", "model", "version", "nt", "isn", "doesn", "don", "aren", "won", "cannot",
}  # fmt: skip


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if len(word) > 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _number(token: str) -> str:
    token = token.replace(",", ".")
    try:
        value = float(token)
    except ValueError:
        return token
    return f"{value:g}"


def words(text: str) -> list[str]:
    text = re.sub(r"(\d)([a-zA-Z])", r"\1 \2", text.replace("’", "'").lower())
    return [_stem(w) for w in WORD.findall(text)]


def numbers(text: str) -> set[str]:
    found = {_number(n) for n in NUMBER.findall(text)}
    found |= {NUMBER_WORDS[w] for w in words(text) if w in NUMBER_WORDS}
    return found


def quantities(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs: "750 ml", "15.6-inch", "24 hours"."""
    pairs = set()
    for match in re.finditer(r"(\d+(?:[.,]\d+)?)\s*-?\s*([a-z%]+)", text.lower()):
        unit = UNITS.get(_stem(match.group(2))) or ("%" if match.group(2) == "%" else None)
        if unit:
            pairs.add((_number(match.group(1)), unit))
    return pairs


def polarity_of_fact(fact: str) -> str | None:
    """ "yes"/"no" for a yes/no fact ("dishwasher safe: yes", "Q: ... A: No, ..."), else None."""
    lowered = fact.lower().strip()
    match = re.match(r"^[^:]{1,80}:\s*(yes|no|true|false)\b\.?$", lowered)
    if match:
        return "yes" if match.group(1) in YES else "no"
    match = re.search(r"\ba:\s*(yes|no)\b", lowered)
    if match:
        return match.group(1)
    return None


def polarity_of_answer(answer: str) -> str:
    tokens = words(answer.replace("n't", " nt"))
    if "yes" in tokens:
        return "yes"
    if (tokens and tokens[0] in NO) or any(token in NEGATIONS for token in tokens):
        return "no"
    return "yes"


def explicit_polarity(answer: str) -> str | None:
    tokens = words(answer)
    if tokens and tokens[0] == "no":
        return "no"
    if "yes" in tokens:
        return "yes"
    return None


@dataclass
class Grounding:
    ok: bool
    cited: list[int] = field(default_factory=list)  # 0-based fact positions
    problems: list[str] = field(default_factory=list)
    answer: str = ""  # the answer without citation markers
    # True when the answer repeats none of the cited facts' words ("Yes, it is."): whatever it
    # says rests on allow-listed words alone, so it is not published (the evidence is, instead).
    thin: bool = False


def check(answer: str, facts: list[str], *, question: str = "", title: str = "") -> Grounding:
    """Whether `answer` is backed by `facts` (numbered from 1 in the prompt)."""
    problems: list[str] = []
    clean = " ".join(MARKER.sub("", answer).split()).strip()
    clean = re.sub(r"\s+([.,;!?])", r"\1", clean)
    if not clean:
        return Grounding(ok=False, problems=["empty answer"])
    if len(clean) > 400:
        problems.append("answer too long")
    if re.search(r"https?://|www\.|@", clean):
        problems.append("answer contains a link or address")

    cited = sorted({int(n) - 1 for n in MARKER.findall(answer) if 1 <= int(n) <= len(facts)})
    answer_words = set(words(clean))
    claim_words = answer_words - ALLOWED - set(NUMBER_WORDS)
    if not cited:
        # No markers: the facts that share a claim word or a number with the answer.
        answer_numbers = numbers(clean)
        cited = [
            index
            for index, fact in enumerate(facts)
            if (claim_words & set(words(fact))) or (answer_numbers & numbers(fact))
        ]
    if not cited and explicit_polarity(clean):
        # A bare "Yes." answers with the best-ranked yes/no fact, if there is one.
        cited = [i for i, fact in enumerate(facts) if polarity_of_fact(fact)][:1]
    if not cited:
        problems.append("cites no fact")
    # Closed world over the CITED facts: a claim backed only by another fact in the prompt
    # (an uncited one) is not supported by the evidence the answer shows.
    support_text = " ".join(facts[index] for index in cited) if cited else ""
    support_words = set(words(support_text)) | set(words(title))

    missing_numbers = numbers(clean) - numbers(support_text)
    if missing_numbers:
        problems.append(f"numbers not in the facts: {', '.join(sorted(missing_numbers))}")
    missing_quantities = quantities(clean) - quantities(support_text)
    if missing_quantities:
        shown = ", ".join(f"{n} {u}" for n, u in sorted(missing_quantities))
        problems.append(f"quantities not in the facts: {shown}")
    for vocabulary, kind in ((MATERIALS, "materials"), (COLOURS, "colours")):
        missing = (answer_words & vocabulary) - support_words
        if missing:
            problems.append(f"{kind} not in the facts: {', '.join(sorted(missing))}")
    unsupported = sorted(
        word
        for word in claim_words - support_words
        if not NUMBER.fullmatch(word) and word not in UNITS
    )
    if unsupported:
        problems.append(f"words not in the facts: {', '.join(unsupported[:8])}")

    boolean_facts = [
        (index, polarity_of_fact(facts[index]))
        for index in cited
        if polarity_of_fact(facts[index]) is not None
    ]
    relevant = [
        (index, polarity)
        for index, polarity in boolean_facts
        if (set(words(facts[index].split(":")[0])) - ALLOWED) & answer_words
    ]
    boolean_facts = relevant or boolean_facts[:1]
    if boolean_facts:
        answer_polarity = polarity_of_answer(clean)
        if any(polarity != answer_polarity for _, polarity in boolean_facts):
            problems.append("yes/no contradicts the facts")
    elif explicit_polarity(clean) == "yes":
        unbacked = numbers(question) - numbers(support_text)
        if unbacked:
            problems.append("says yes to a figure the facts do not give")

    cited_words = set(words(support_text)) - ALLOWED - YES - NO
    thin = not (claim_words & cited_words)
    return Grounding(ok=not problems, cited=cited, problems=problems, answer=clean, thin=thin)
