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


def _part_word(text: str, found: re.Match) -> tuple[str, int] | None:
    """The part noun up to two modifiers after a quantity ("13 mm keyless chuck"), with its
    end; None when none is there."""
    words = [(found.group("word"), found.end())]
    for more in _MORE_WORDS_RE.finditer(text, found.end()):
        if more.start() != words[-1][1] or len(words) == 3:
            break
        words.append((more.group(1), more.end()))
    for word, end in words:
        if singular(word) in units.PART_WORDS:
            return word, end
        if word.lower() in _PHRASE_STOP:
            return None
    return None


_MORE_WORDS_RE = re.compile(r"[ \t-]+([A-Za-z]+)\b")


def _qualifier_claim(text: str, quantity: units.Quantity, facts: Facts, matching: list):
    """The words right after a quantity may say what it measures: "13 mm weight" (a length is
    no weight), "50 cm of cord" or "13 mm keyless chuck" (the facts' 13 mm is the drilling
    depth). A Claim when that word is not backed, else None."""
    found = units.QUALIFIER_RE.match(text, quantity.end)
    if not found or quantity.dimension not in units.MEASURED_DIMENSIONS:
        return None
    word = found.group("word").lower()
    end = found.end()
    if word not in units.MEASURE_WORDS and (part := _part_word(text, found)):
        word, end = part[0].lower(), part[1]
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


# words that end the noun phrase after a number: "40 grind settings and ...", "... that"
_STOP_TEXT = """
    and or with for to in on at by from that which who is are was were has have had can will
    so but per while when into over under than as plus also each every your its their this
    these those the a an it you we keep keeps let lets give gives make makes deliver delivers
    offer offers provide provides ensure ensures help helps mean means allow allows include
    includes come comes feature features of"""
_PHRASE_STOP = set(_STOP_TEXT.split())
_AFTER_RE = re.compile(r"[ \t-]*(?:of[ \t]+(?:the[ \t]+|its[ \t]+)?)?")
_WORD_AFTER_RE = re.compile(r"([A-Za-z]+)(?:[ \t-]+|$)?")
_BEFORE_RE = re.compile(
    r"((?:[A-Za-z]+[ \t-]+){0,2}[A-Za-z]+)[ \t]*(?::|=|\bof(?:[ \t]+up[ \t]+to)?|\bis|"
    r"\bup[ \t]+to|\bat)?[ \t]*$"
)
_BOUND_WORDS = {w: n for w, n in units.NUMBER_WORDS.items() if n >= 2 and w.isalpha()}
_BOUND_WORDS = {
    w: n for w, n in _BOUND_WORDS.items() if w not in {"double", "dual", "twin", "pair", "triple"}
}
_BOUND_NUMBER_RE = re.compile(
    rf"(?<![\w.,/])(?:{units.NUMBER}|{'|'.join(_BOUND_WORDS)})(?![\w%/])", re.IGNORECASE
)


def _words_after(text: str, end: int) -> tuple[list[str], int]:
    """Up to four words after a number, to the end of its noun phrase, and where they end."""
    position = _AFTER_RE.match(text, end).end()
    words: list[str] = []
    last = end
    while len(words) < 4:
        found = re.match(r"([A-Za-z]+)\b", text[position:])
        if not found or found.group(1).lower() in _PHRASE_STOP:
            break
        words.append(singular(found.group(1)))
        last = position + found.end()
        gap = re.match(r"[ \t-]+", text[last:])
        if not gap:
            break
        position = last + gap.end()
    return words, last


def _named_lines(
    words: list[str], facts: Facts, value: float, quantity: units.Quantity | None, after: bool
) -> list:
    """The attribute lines these words (ending on their head noun) name: all the key's words,
    ending on its last ("adjustable lumbar support"), or after the number the key's part word
    ("250 g hopper"). Only lines that can hold such a number count: one with a quantity of the
    same dimension, a number, or a yes ("lumbar support: yes" has no four)."""
    if not words:
        return []
    head = words[-1]
    named = [
        line
        for line in facts.lines
        if (head == line.words[-1] and set(line.words) <= set(words))
        or (after and head in line.words and head in units.PART_WORDS)
    ]
    if quantity is not None:
        return [
            line
            for line in named
            if any(q.dimension == quantity.dimension for q in line.quantities)
        ]
    return [line for line in named if line.numbers or (line.boolean and value != 1)]


def _holds(line, value: float, quantity: units.Quantity | None) -> bool:
    if value == int(value) and value in line.numbers:
        return True  # whole numbers are exact: 2021 is no 2023
    if value != int(value) and any(same_value(value, number) for number in line.numbers):
        return True
    return quantity is not None and any(
        q.dimension == quantity.dimension and q.matches(quantity.value, quantity.factor)
        for q in line.quantities
    )


def _part_of_name(text: str, start: int, end: int, facts: Facts) -> bool:
    """ "Roastery 41", "Tempo Run 3": a number the facts hold inside a name."""
    before = re.search(r"([A-Za-z][\w'-]*)[ \t]+$", text[max(0, start - 40) : start])
    return bool(before) and facts.has(f"{before.group(1)} {text[start:end]}")


def check_bound_numbers(text: str, facts: Facts) -> list[Claim]:
    """A number whose own words name a fact line must be that line's: "40 hopper capacity" or
    "a hopper capacity of 40" when 40 is the grind settings, "four adjustable lumbar support".
    A number its own line holds is supported; numbers whose words name no fact line are left to
    the other readers."""
    if not facts.lines:
        return []
    found = units.find_quantities(text)
    spans = []  # (start, end, written value, quantity)
    for q in found:
        raw = re.match(rf"{units.NUMBER}|[A-Za-z]+", q.text)
        value = units.parse_number(raw.group(0)) if raw else None
        if value is not None and q.dimension != "percent":
            spans.append((q.start, q.end, value, q))
    for match in _BOUND_NUMBER_RE.finditer(text):
        if any(q.start <= match.start() < q.end for q in found):
            continue
        value = units.parse_number(match.group(0))
        if value is not None and not _part_of_name(text, match.start(), match.end(), facts):
            spans.append((match.start(), match.end(), value, None))
    claims = []
    for start, end, value, quantity in spans:
        words, claim_end = _words_after(text, end)
        if quantity is not None:
            claim_end = end  # the quantity itself, as the quantity reader would name it
        named = _named_lines(words, facts, value, quantity, after=True)
        claim_start = start
        if not named:
            window = text[max(0, start - 60) : start]
            before = _BEFORE_RE.search(window)
            if before:
                words = [singular(w) for w in re.findall(r"[A-Za-z]+", before.group(1))]
                named = _named_lines(words, facts, value, quantity, after=False)
                claim_start, claim_end = start - len(window) + before.start(1), end
        if not named:
            if quantity is None:
                claims += _misbound_count(text, start, end, value, facts)
            else:
                claims += _quantity_of_another_fact(text, start, end, value, quantity, facts)
            continue
        if any(_holds(line, value, quantity) for line in named):
            if quantity is None and any(line.items == value for line in named):
                # "3 colours" for "colours: sand, sage, charcoal"
                claims.append(Claim("number", claim_start, claim_end))
            continue
        said = ", ".join(f"{line.key}: {line.value}" for line in named)
        message = f"“{text[claim_start:claim_end]}” contradicts the product facts ({said})."
        claims.append(Claim("number", claim_start, claim_end, "contradicted", message))
    return claims


def _named_by(line) -> set[str]:
    """The words that name a fact line's subject: its key's and its value's."""
    return set(line.words) | line.value_words


_WHOLE_MATERIAL_KEYS = {"material", "fabric", "composition", "made"}


def _quantity_of_another_fact(
    text: str, start: int, end: int, value: float, quantity: units.Quantity, facts: Facts
) -> list[Claim]:
    """ "780 g of duck down" when 780 g is the weight and duck down the fill: the quantity
    names what another fact line holds, and the line holding the quantity is about something
    else. Words of the title ("30 ml of vitamin C serum") are the product itself."""
    after = re.match(
        r"[ \t]+of[ \t]+(?:the[ \t]+|its[ \t]+)?((?:[A-Za-z-]+[ \t]*){1,3})", text[end:]
    )
    if not after:
        return []
    phrase = {singular(word) for word in re.findall(r"[a-z]+", after.group(1).lower())}
    title = {singular(word) for word in re.findall(r"[a-z]+", facts.identity.lower())}
    holders = [line for line in facts.lines if _holds(line, value, quantity)]
    if not holders or phrase & title:
        return []
    if any(phrase & _named_by(line) for line in holders):
        return []
    for line in facts.lines:
        if set(line.words) & _WHOLE_MATERIAL_KEYS:
            continue  # "1.5 m of polyester webbing": what the whole product is made of
        if line not in holders and line.value_words and line.value_words <= phrase:
            claim_end = end + after.end(1)
            keys = " and ".join(holder.key for holder in holders)
            message = (
                f"“{text[start:claim_end].strip()}”: in the product facts {text[start:end]} is the "
                f"{keys}, and {line.value} is the {line.key}."
            )
            return [Claim("number", start, claim_end, "contradicted", message)]
    return []


_COUNT_KEYS = {"piece", "pc", "pcs", "item", "count", "quantity", "pack", "set", "unit", "number"}


def _misbound_count(text: str, start: int, end: int, value: float, facts: Facts) -> list[Claim]:
    """A count of things the facts name, with a number the facts give only for something
    else: "15 additional weights" when 15 is the increments. Only a plural head counts
    ("2-person tent" is a modifier), and only numbers the facts hold in attribute lines alone
    (a number in the title or tags may belong to anything)."""
    if value < 2 or value != int(value) or text[end : end + 1] == "-":
        return []
    after = re.match(r"[ \t]+((?:[A-Za-z-]+[ \t]+){0,2}?)[\"“]?([A-Za-z]+s)\b", text[end:])
    if not after:
        return []
    plural = after.group(2).lower()
    head = singular(plural)
    modifiers = after.group(1).lower().split()
    if head == plural or any(word in _PHRASE_STOP for word in modifiers):
        return []
    if not ({head, plural} & facts.words):
        return []
    holders = [line for line in facts.lines if _holds(line, value, None)]
    number = text[start:end]
    named = {
        units.parse_number(m.group("num")) for m in units.BARE_NUMBER_RE.finditer(facts.identity)
    }
    if not holders or value in named:
        return []
    phrase = {head, *modifiers}
    for line in holders:
        if set(line.words) & _COUNT_KEYS:
            return []  # "pieces: 50" counts whatever the product is made of
        if phrase & _named_by(line):
            return []
    claim_end = end + after.end()
    keys = ", ".join(f"{line.key}: {line.value}" for line in holders)
    message = f"“{text[start:claim_end]}”: the product facts give {number} for {keys}."
    return [Claim("number", start, claim_end, "contradicted", message)]


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


_CURRENCY_RE = re.compile(r"[£$€¥]\s?$")


def check_bare_numbers(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for match in units.BARE_NUMBER_RE.finditer(text):
        value = units.parse_number(match.group("num"))
        money = _CURRENCY_RE.search(text, max(0, match.start() - 2), match.start())
        if value is None or (value < 3 and not money) or _RATIO_RE.match(text, match.end()):
            continue  # small bare numbers ("1 of 2") are not facts, amounts ("£2") are
        if match.start() > 0 and text[match.start() - 1] == "/":
            continue
        if money:
            supported = _known_amount(value, facts)
            message = f"The amount {match.group(0)} is not a price in the product facts."
        else:
            supported = _known_number(value, facts)
            message = f"The number {match.group(0)} is not in the product facts."
        claims.append(judged("number", match.start(), match.end(), supported, False, message))
    return claims


_PRICE_KEY_RE = re.compile(r"\b(price|cost|rrp|msrp|fee|deposit|saving|discount)s?\b")


def _known_amount(value: float, facts: Facts) -> bool:
    """An amount of money is backed by a price-like attribute ("price: 2.50") or by an amount
    the facts' text writes with a currency sign, never by another number ("sleeps 2")."""
    if any(
        _PRICE_KEY_RE.search(line.key) and any(same_value(value, n) for n in line.numbers)
        for line in facts.lines
    ):
        return True
    written = (
        units.parse_number(match.group("num"))
        for match in units.BARE_NUMBER_RE.finditer(facts.text)
        if _CURRENCY_RE.search(facts.text, max(0, match.start() - 2), match.start())
    )
    return any(amount is not None and same_value(value, amount) for amount in written)
