"""Number claims: dimensions, quantities with units, counts, years and bare numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shopllm_site.trust.claims import units
from shopllm_site.trust.claims.claim import Claim, judged
from shopllm_site.trust.claims.units import same_value

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


def check_quantities(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for quantity in units.find_quantities(text):
        if quantity.dimension == "percent":
            supported = _known_number(quantity.value, facts)
            same = []
        else:
            same = [q for q in facts.quantities if q.dimension == quantity.dimension]
            if quantity.dimension == "length":
                same += [q for q in facts.lengths if q not in same]
            supported = any(q.matches(quantity.value, quantity.factor) for q in same)
        if same:
            known = ", ".join(sorted({q.text for q in same}))
            message = f"“{quantity.text}” contradicts the product facts ({known})."
        else:
            message = f"“{quantity.text}” is not in the product facts."
        claims.append(
            judged("number", quantity.start, quantity.end, supported, bool(same), message)
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
