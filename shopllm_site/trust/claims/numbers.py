"""Number claims: dimensions, quantities with units, counts, years and bare numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shopllm_site.trust.claims import units
from shopllm_site.trust.claims.claim import Claim, judged
from shopllm_site.trust.claims.units import same_value
from shopllm_site.trust.claims.words import singular

if TYPE_CHECKING:
    from shopllm_site.trust.claims.facts import Facts

_RATIO_RE = re.compile(r"\s*/\s*\d")


def _known_number(value: float, facts: Facts) -> bool:
    if value == int(value):
        return value in facts.numbers
    return any(same_value(value, number) for number in facts.numbers)


def check_dimensions(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for dims in units.find_dimensions(text):
        if dims.has_unit:
            wrong = [
                v
                for v, factor in zip(dims.values, dims.factors, strict=True)
                if v is None or not any(known.matches(v, factor) for known in facts.lengths)
            ]
        else:
            wrong = [v for v in dims.values if v is None or not _known_number(v, facts)]
        message = (
            f"Dimensions “{dims.text}” do not match the product facts."
            if facts.lengths
            else f"Dimensions “{dims.text}” are not in the product facts."
        )
        claims.append(
            judged("number", dims.start, dims.end, not wrong, bool(facts.lengths), message)
        )
    return claims


def check_keyword_numbers(text: str, facts: Facts) -> list[Claim]:
    """ "SPF 50" must match an SPF in the facts, not any 50 ("volume: 50 ml")."""
    claims = []
    for match in units.KEYWORD_NUMBER_RE.finditer(text):
        key, value = match.group("key").lower(), float(match.group("num"))
        known = sorted(v for k, v in facts.keyed_numbers if k == key)
        message = (
            f"“{match.group(0)}” contradicts the product facts "
            f"({', '.join(f'{key.upper()} {v:g}' for v in known)})."
            if known
            else f"“{match.group(0)}” is not in the product facts."
        )
        claims.append(
            judged("number", match.start(), match.end(), value in known, bool(known), message)
        )
    return claims


def _qualifier_claim(text: str, quantity: units.Quantity, facts: Facts, matching: list):
    """The word right after a quantity may say what it measures: "13 mm weight" (a length is
    no weight), "50 cm of cord" (the facts' 50 cm is the blade). A Claim when that word is not
    backed, else None."""
    found = units.QUALIFIER_RE.match(text, quantity.end)
    if not found or quantity.dimension not in units.MEASURED_DIMENSIONS:
        return None
    word = found.group("word").lower()
    end = found.end()
    measure = units.MEASURE_WORDS.get(word)
    if measure is not None:
        if measure == quantity.dimension or (measure == "mass" and "weight" in quantity.dimension):
            return None
        return judged(
            "number",
            quantity.start,
            end,
            False,
            True,
            f"“{text[quantity.start : end]}”: {quantity.text} is not a {word} measure.",
        )
    part = singular(word)
    if part not in units.PART_WORDS or part in facts.type_heads or part in facts.identity_words:
        return None  # "a 15 m hose" measures a garden hose itself
    if any(part in facts.line_words(q.start) for q in matching):
        return None
    contradicted = any(
        part in facts.line_words(q.start)
        for q in facts.quantities + facts.lengths
        if q.dimension == quantity.dimension
    )
    message = (
        f"“{text[quantity.start : end]}” contradicts the product facts (another {part} size)."
        if contradicted
        else f"“{text[quantity.start : end]}”: the product facts give no {part} size."
    )
    return judged("number", quantity.start, end, False, contradicted, message)


def check_quantities(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for quantity in units.find_quantities(text):
        if quantity.dimension == "percent":
            # a % must match a % in the facts, not any number ("increments: 15")
            supported = any(same_value(quantity.value, p) for p in facts.percents)
            same = [q for q in facts.quantities if q.dimension == "percent"]
            contradicted = bool(facts.percents)
            matching = []
        else:
            same = [q for q in facts.quantities if q.dimension == quantity.dimension]
            if quantity.dimension == "length":
                same += [q for q in facts.lengths if q not in same]
            matching = [q for q in same if q.matches(quantity.value, quantity.factor)]
            supported = bool(matching)
            contradicted = bool(same)
        if supported and (claim := _qualifier_claim(text, quantity, facts, matching)):
            claims.append(claim)
            continue
        if same:
            known = ", ".join(sorted({q.text for q in same}))
            message = f"“{quantity.text}” contradicts the product facts ({known})."
        else:
            message = f"“{quantity.text}” is not in the product facts."
        claims.append(
            judged("number", quantity.start, quantity.end, supported, contradicted, message)
        )
    return claims


def check_counts(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for count in units.find_counts(text):
        known = facts.counts.get(count.noun, set())
        if known:
            supported = count.number in known
        elif count.number == 1:
            # "one drawer" is what a facts line mentioning a drawer already says
            supported = count.noun in facts.words
        else:
            supported = count.number in facts.numbers and count.noun in facts.words
        message = (
            f"“{count.text}” contradicts the product facts ({', '.join(map(str, sorted(known)))} "
            f"{count.noun})."
            if known
            else f"“{count.text}”: the product facts do not give this count."
        )
        claims.append(judged("number", count.start, count.end, supported, bool(known), message))
    return claims


def check_years(text: str, facts: Facts) -> list[Claim]:
    years = {n for n in facts.numbers if n == int(n) and 1900 <= n <= 2099}
    claims = []
    for match in units.YEAR_RE.finditer(text):
        value = float(match.group("num"))
        message = (
            f"The year {match.group(0)} contradicts the product facts "
            f"({', '.join(str(int(y)) for y in sorted(years))})."
            if years
            else f"The year {match.group(0)} is not in the product facts."
        )
        # years are exact: 2019 is not "close to" 2010
        claims.append(
            judged("number", match.start(), match.end(), value in years, bool(years), message)
        )
    return claims


def check_bare_numbers(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for match in units.BARE_NUMBER_RE.finditer(text):
        value = units.parse_number(match.group("num"))
        if value is None or value < 3 or _RATIO_RE.match(text, match.end()):
            continue  # small bare numbers ("1 of 2") are not facts; counts check those
        if match.start() > 0 and text[match.start() - 1] == "/":
            continue
        message = f"The number {match.group(0)} is not in the product facts."
        claims.append(
            judged(
                "number", match.start(), match.end(), _known_number(value, facts), False, message
            )
        )
    return claims
