"""Materials (with negation: "no plastic", "BPA-free"), colours (each one in a list) and sizes
(bed, clothing, shoe, EU/US/UK)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shopllm_site.trust.claims.claim import Claim, judged
from shopllm_site.trust.claims.vocabulary import (
    ALPHA_SIZES,
    AMBIGUOUS_COLOURS,
    BED_CONTEXT,
    BED_SIZES,
    COLOUR_CONTEXT,
    COLOURS,
    FREE_ONLY,
    MATERIAL_PARENTS,
    MATERIALS,
    NOT_COLOUR_AFTER,
    alternation,
    key_of,
)
from shopllm_site.trust.claims.words import PRODUCT_TYPE_RE, singular

if TYPE_CHECKING:
    from shopllm_site.trust.claims.facts import Facts

_MATERIAL = alternation(MATERIALS)
_NEGATION = (
    r"(?:no|zero|without|free\s+(?:of|from)|contains\s+no|non|not\s+made\s+(?:of|from|with))"
)
NEGATED_RE = re.compile(
    rf"\b{_NEGATION}[\s-]+(?:added\s+|harmful\s+|real\s+)?(?P<a>{_MATERIAL})\b"
    rf"|\b(?P<b>{_MATERIAL})[\s-]?free\b",
    re.IGNORECASE,
)
MATERIAL_RE = re.compile(rf"\b(?:{_MATERIAL})\b", re.IGNORECASE)
# "feather-light", "crystal clear", "glass of wine": the word is not a material there
_NOT_MATERIAL_AFTER = re.compile(r"[ \t-]*(?:light|weight|clear|of\b)", re.IGNORECASE)
COLOUR_RE = re.compile(rf"\b(?:{alternation(COLOURS)})\b", re.IGNORECASE)
# neighbours on the same line: facts are "key: value" lines
WORD_AFTER_RE = re.compile(r"[ \t-]*([A-Za-z]+)")
WORD_BEFORE_RE = re.compile(r"([A-Za-z]+)[ \t:,-]*$")


def _with_parents(materials: set[str]) -> set[str]:
    found = set(materials)
    for material in materials:
        found |= MATERIAL_PARENTS.get(material, set())
    return found


def _material_mentions(text: str) -> tuple[list[tuple[int, int, str, bool]], list]:
    """(start, end, material, negated) for every material named, negated ones first claimed."""
    mentions = []
    taken: list[tuple[int, int]] = []
    for match in NEGATED_RE.finditer(text):
        name = match.group("a") or match.group("b")
        mentions.append((match.start(), match.end(), MATERIALS[key_of(name)], True))
        taken.append((match.start(), match.end()))
    for match in MATERIAL_RE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        material = MATERIALS[key_of(match.group(0))]
        if material in FREE_ONLY or _NOT_MATERIAL_AFTER.match(text, match.end()):
            continue
        mentions.append((match.start(), match.end(), material, False))
    return mentions, taken


def materials_in(text: str) -> tuple[set[str], set[str]]:
    """(materials the text names, materials it says the product is free of)."""
    mentions, _ = _material_mentions(text)
    positive = _with_parents({m for _, _, m, negated in mentions if not negated})
    free_of = {m for _, _, m, negated in mentions if negated}
    return positive, free_of


def check_materials(text: str, facts: Facts) -> list[Claim]:
    claims = []
    mentions, _ = _material_mentions(text)
    for start, end, material, negated in mentions:
        span = text[start:end]
        if negated:
            contradicted = material in facts.materials
            message = (
                f"“{span}” contradicts the product facts, which name {material}."
                if contradicted
                else f"“{span}”: the product facts do not say it is free of {material}."
            )
            claims.append(
                judged("material", start, end, material in facts.free_of, contradicted, message)
            )
            continue
        contradicted = material in facts.free_of or bool(facts.materials)
        known = ", ".join(sorted(facts.materials - {"metal"})) or "none"
        message = (
            f"Material “{span}” is not in the product facts (materials: {known})."
            if facts.materials
            else f"Material “{span}” is not in the product facts."
        )
        if material in facts.free_of:
            message = f"Material “{span}” contradicts the product facts (free of {material})."
        claims.append(
            judged("material", start, end, material in facts.materials, contradicted, message)
        )
    return claims


def _neighbour_words(text: str, start: int, end: int) -> tuple[str, str]:
    before = WORD_BEFORE_RE.search(text[max(0, start - 40) : start])
    after = WORD_AFTER_RE.match(text, end)
    return (before.group(1).lower() if before else "", after.group(1).lower() if after else "")


def _is_colour(text: str, start: int, end: int, colour: str) -> bool:
    before, after = _neighbour_words(text, start, end)
    if after in NOT_COLOUR_AFTER or (colour == "black" and after == "friday"):
        return False
    if colour not in AMBIGUOUS_COLOURS:
        return True
    # an ambiguous word is a colour next to colour words, materials, product types, or "in"
    window = text[max(0, start - 30) : min(len(text), end + 40)]
    others = [m for m in COLOUR_RE.finditer(window) if key_of(m.group(0)) not in AMBIGUOUS_COLOURS]
    return (
        bool(others)
        or before in ("in", "colour", "color", "shade")
        or after in COLOUR_CONTEXT
        or key_of(after) in MATERIALS
        or PRODUCT_TYPE_RE.match(after) is not None
    )


def colour_mentions(text: str, facts_side: bool = False) -> list[tuple[int, int, str]]:
    found = []
    for match in COLOUR_RE.finditer(text):
        colour = COLOURS[key_of(match.group(0))]
        if facts_side or _is_colour(text, match.start(), match.end(), colour):
            found.append((match.start(), match.end(), colour))
    return found


def colours_in(text: str, facts_side: bool = False) -> set[str]:
    colours = set()
    for _, _, colour in colour_mentions(text, facts_side):
        colours.add(colour)
        colours |= {COLOURS[word] for word in colour.split() if word in COLOURS}
    return colours


def check_colours(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for start, end, colour in colour_mentions(text):
        parts = {COLOURS[word] for word in colour.split() if word in COLOURS}
        supported = colour in facts.colours or bool(parts & facts.colours)
        known = ", ".join(sorted(facts.colours))
        message = (
            f"Colour “{text[start:end]}” is not one of the product's colours ({known})."
            if facts.colours
            else f"Colour “{text[start:end]}” is not in the product facts."
        )
        if supported and (bound := _colour_of_a_part(text, start, end, colour, facts)):
            claims.append(bound)
            continue
        claims.append(judged("colour", start, end, supported, bool(facts.colours), message))
    return claims


_COLOUR_KEYS = {"colour", "color", "colours", "colors", "shade", "finish", "colourway"}


def _colour_of_a_part(text: str, start: int, end: int, colour: str, facts: Facts):
    """A colour the facts give only to a part ("switches: brown") said of something else: "a
    brown finish" for a keyboard with brown switches. None when the colour is the product's (a
    colour line, the title, tags) or the words after it name its part."""
    if colour in colours_in(facts.identity, facts_side=True):
        return None
    holders = [line for line in facts.lines if colour in colours_in(line.value, facts_side=True)]
    if not holders or any(set(line.key.lower().split()) & _COLOUR_KEYS for line in holders):
        return None
    parts = {singular(word) for line in holders for word in line.words}
    parts |= {word for line in holders for word in line.value_words}
    following = [singular(w.lower()) for w in re.findall(r"[A-Za-z]+", text[end : end + 40])[:2]]
    if not following or parts & set(following):
        return None
    said = ", ".join(f"{line.key}: {line.value}" for line in holders)
    message = f"Colour “{text[start:end]}”: the product facts give it to a part only ({said})."
    return Claim("colour", start, end, "contradicted", message)


# --- sizes ---------------------------------------------------------------------------------
ALPHA_ORDER = ["xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "4xl", "5xl"]
_BED = alternation(BED_SIZES)
BED_RE = re.compile(rf"\b(?P<size>{_BED})(?:[\s-]*(?:size[d]?))?\b", re.IGNORECASE)
_UNAMBIGUOUS_BED = {"queen", "king", "california king", "cal king", "super king", "twin xl"}
_CODE = r"(?:XXS|XS|XXXL|XXL|XL|[2-5]XL|S|M|L)"
_SYSTEM = r"(?:EU|US|UK|FR|IT|JP)"
_NUM_SIZE = r"\d{1,2}(?:[.,]5)?"
_SIZE_TOKEN = (
    rf"(?:{_SYSTEM}\s?(?:(?:men'?s|women'?s|kids'?)\s)?{_NUM_SIZE}|{_CODE}|{_NUM_SIZE}"
    r"|extra[\s-]small|extra[\s-]large|small|medium|large|one size|petite|plus)"
)
SIZE_LIST_RE = re.compile(
    rf"\b(?:[Ss]izes?|SIZES?)\s*:?\s*(?:(?:from|in|of|range|ranging\s+from)\s+)?(?P<list>{_SIZE_TOKEN}(?:\s*(?:,|/|–|-|to|and|or|&)\s*"
    rf"{_SIZE_TOKEN})*)\b"
)
CODE_RE = re.compile(r"(?<![\w-])(?:XXS|XS|XXXL|XXL|XL|[2-5]XL)(?![\w-])")
SYSTEM_SIZE_RE = re.compile(
    rf"(?<![\w-])(?P<system>{_SYSTEM})\s?(?:(?:men'?s|women'?s|kids'?)\s)?(?P<num>{_NUM_SIZE})"
    r"(?![\w]|[.,]\d)"
)
# "S, M and L", "M/L", "S to XL": a run of letter sizes names sizes without the word "size"
_ANY_CODE = r"(?:XXS|XS|XXXL|XXL|XL|[2-5]XL|S|M|L)"
CODE_RUN_RE = re.compile(
    rf"(?<![\w'’-]){_ANY_CODE}(?:[ \t]*(?:,|/|\band\b|\bor\b|\bto\b|-)[ \t]*{_ANY_CODE})+"
    r"(?![\w'’-])"
)
ONE_SIZE_RE = re.compile(r"\bone[\s-]size(?:[\s-]fits[\s-](?:all|most))?\b", re.IGNORECASE)
TOKEN_RE = re.compile(rf"{_SIZE_TOKEN}", re.IGNORECASE)


def _token_key(token: str) -> tuple[str, str] | None:
    token = token.strip()
    system = re.match(
        rf"({_SYSTEM})\s?(?:(?:men'?s|women'?s|kids'?)\s)?({_NUM_SIZE})$", token, re.IGNORECASE
    )
    if system:
        return (system.group(1).lower(), system.group(2).replace(",", "."))
    if re.fullmatch(_NUM_SIZE, token):
        return ("num", token.replace(",", "."))
    alpha = ALPHA_SIZES.get(key_of(token))
    return ("alpha", alpha) if alpha else None


def _expand(keys: list[tuple[str, str]], text: str) -> set[tuple[str, str]]:
    """'XS-XL' on the facts side vouches for every size between."""
    found = set(keys)
    if len(keys) == 2 and re.search(r"–|-|\bto\b", text):
        (fa, a), (fb, b) = keys
        if fa == fb == "alpha" and a in ALPHA_ORDER and b in ALPHA_ORDER:
            i, j = ALPHA_ORDER.index(a), ALPHA_ORDER.index(b)
            found |= {("alpha", size) for size in ALPHA_ORDER[i : j + 1]}
        elif fa == fb:
            try:
                low, high = float(a), float(b)
            except ValueError:
                return found
            step = 0.5  # shoe ranges include the half sizes
            value = low
            while value <= high and high - low <= 40:
                found.add((fa, f"{value:g}"))
                value += step
    return found


def size_list(value: str) -> set[tuple[str, str]]:
    """Sizes in an attribute value like 'S, M, L' or 'EU 38-46' or 'Queen'."""
    keys = []
    for token in re.split(r"\s*(?:,|/|;|–|\bto\b|\band\b|\bor\b|-(?=\s*[A-Za-z0-9]))\s*", value):
        if not token:
            continue
        bed = BED_RE.fullmatch(token.strip())
        if bed:
            keys.append(("bed", BED_SIZES[key_of(bed.group("size"))]))
        elif (key := _token_key(token)) is not None:
            if key[0] == "num" and keys and keys[-1][0] not in ("num", "alpha", "bed"):
                key = (keys[-1][0], key[1])  # "US 7-13": 13 is a US size too
            keys.append(key)
    return _expand(keys, value)


def size_mentions(text: str, facts_side: bool = False) -> list[tuple[int, int, set]]:
    found: list[tuple[int, int, set]] = []

    def add(start: int, end: int, keys: set) -> None:
        if keys and not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, keys))

    for match in BED_RE.finditer(text):
        size = BED_SIZES[key_of(match.group("size"))]
        before, after = _neighbour_words(text, match.start(), match.end())
        sized = match.group(0).lower().rstrip("d").endswith("size")
        if (
            (key_of(match.group("size")) in _UNAMBIGUOUS_BED and after != "of")
            or sized
            or after in BED_CONTEXT
            or before in ("size", "sizes")
            or facts_side
            and (before == "size")
        ):
            add(match.start(), match.end(), {("bed", size)})
    for match in SIZE_LIST_RE.finditer(text):
        for token in TOKEN_RE.finditer(match.group("list")):
            key = _token_key(token.group(0))
            start = match.start("list") + token.start()
            if key and (key[0] != "alpha" or token.group(0).strip()):
                add(start, start + len(token.group(0)), {key})
    for match in SYSTEM_SIZE_RE.finditer(text):
        add(
            match.start(),
            match.end(),
            {(match.group("system").lower(), match.group("num").replace(",", "."))},
        )
    for run in CODE_RUN_RE.finditer(text):
        for code in re.finditer(_ANY_CODE, run.group(0)):
            start = run.start() + code.start()
            add(start, start + len(code.group(0)), {("alpha", ALPHA_SIZES[code.group(0).lower()])})
    for match in CODE_RE.finditer(text):
        add(match.start(), match.end(), {("alpha", ALPHA_SIZES[match.group(0).lower()])})
    for match in ONE_SIZE_RE.finditer(text):
        add(match.start(), match.end(), {("alpha", "one size")})
    return sorted(found, key=lambda item: item[0])


def sizes_in(text: str, facts_side: bool = False) -> set[tuple[str, str]]:
    sizes: set[tuple[str, str]] = set()
    for _, _, keys in size_mentions(text, facts_side):
        sizes |= keys
    return sizes


def _family(key: tuple[str, str]) -> str:
    return key[0] if key[0] in ("bed", "alpha") else "number"


def check_sizes(text: str, facts: Facts) -> list[Claim]:
    claims = []
    facts_numbers = {value for system, value in facts.sizes if _family((system, value)) == "number"}
    for start, end, keys in size_mentions(text):
        key = next(iter(keys))
        if _family(key) == "number":
            supported = (
                key in facts.sizes
                or ("num", key[1]) in facts.sizes
                or (key[0] == "num" and key[1] in facts_numbers)
            )
        else:
            supported = key in facts.sizes
        same_family = [k for k in facts.sizes if _family(k) == _family(key)]
        known = ", ".join(
            sorted(" ".join(k).replace("alpha ", "").replace("num ", "") for k in same_family)
        )
        message = (
            f"Size “{text[start:end]}” contradicts the product's sizes ({known})."
            if same_family
            else f"Size “{text[start:end]}” is not in the product facts."
        )
        claims.append(judged("size", start, end, supported, bool(same_family), message))
    return claims


# "Available in various sizes", "comes in a range of colours", "a variety of different types
# and sizes", "at any size": a claim that the product comes in several options, which facts
# with one size (or colour, or material), or none, do not support.
_OPTIONS = (
    r"sizes|colou?rs|lengths|shapes|styles|finishes|shades|materials|types|designs|models"
    r"|versions|patterns|flavou?rs|scents|options|variants"
)
VARIETY_RE = re.compile(
    r"\b(?:(?:available|comes?|coming|offered|sold|made|choose)\s+(?:from|in|for|with)\s+)?"
    r"(?:various|multiple|several|many|different|numerous|lots\s+of|all|any|every|"
    r"a\s+(?:wide\s+|large\s+|broad\s+|great\s+)?(?:range|variety|choice|selection)\s+of"
    r"(?:\s+(?:different|various))?)\s+"
    rf"(?:[a-z]+\s+)?(?P<first>{_OPTIONS}|size|colou?r)\b"
    rf"(?:\s+(?:and|or|&)\s+(?P<second>{_OPTIONS}))?",
    re.IGNORECASE,
)
_ANY_RE = re.compile(r"^(?:all|any|every)\b", re.IGNORECASE)


def _variety_kind(noun: str) -> str:
    if noun.startswith(("colo", "shade")):
        return "colour"
    if noun.startswith(("size", "length", "shape")):
        return "size"
    if noun.startswith("material"):
        return "material"
    return "product_type"


def _known_options(kind: str, facts: Facts) -> int:
    """How many colours, sizes or materials the facts give (0 for other kinds of option)."""
    known = {"colour": facts.colours, "size": facts.sizes, "material": facts.materials}
    return len(known.get(kind, ()))


def _offers(noun: str, facts: Facts) -> bool:
    """The facts offer several of these, or say so themselves ("available in 6 colours")."""
    plural = noun if noun.endswith("s") else noun + "s"
    return (
        _known_options(_variety_kind(noun), facts) >= 2
        or plural in facts.words
        or noun in facts.words
    )


def _of_this_product(text: str, match: re.Match, facts: Facts) -> bool:
    """ "different types" alone, or "of" the product ("different types of writing pens")."""
    after = re.match(r"\s+of\s+((?:[A-Za-z'-]+\s*){1,3})", text[match.end() :])
    if not after:
        return True
    words = {singular(word.lower()) for word in re.findall(r"[A-Za-z]+", after.group(1))}
    title = re.findall(r"[A-Za-z]+", facts.identity.split("\n", 1)[0].lower())
    heads = {singular(key.split()[-1]) for key in facts.head_types if key.split()}
    return bool(words & (heads | {singular(word) for word in title[-1:]}))


def check_variety(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for match in VARIETY_RE.finditer(text):
        first = match.group("first").lower()
        modifier = match.group(0)[: match.start("first") - match.start()].split()
        if _ANY_RE.match(match.group(0)) and len(modifier) > 1:
            continue  # "all skin types" says who it suits, not that it comes in options
        if _variety_kind(first) == "product_type" and not _of_this_product(text, match, facts):
            continue  # "different types of yoga": uses, not versions of the product
        nouns = [first] + ([match.group("second").lower()] if match.group("second") else [])
        missing = [noun for noun in nouns if not _offers(noun, facts)]
        kind = _variety_kind(missing[0] if missing else first)
        one = _known_options(kind, facts) == 1
        message = (
            f"“{match.group(0)}”: the product facts give one {kind}."
            if one
            else f"“{match.group(0)}”: the product facts list no choice of {', '.join(missing)}."
        )
        claims.append(judged(kind, match.start(), match.end(), not missing, one, message))
    return claims
