"""check_claims and fact_coverage: the closed-world check over all claim kinds.

Readers run in priority order and the first to claim a span keeps it: "2-year warranty" is a
warranty claim, not a number; "Made in Italy" is an origin, not a name. Supported claims keep
their span too, so a supported warranty's "2" is not checked again as a bare number.
"""

from __future__ import annotations

from shopllm_site.trust.claims import attributes, names, numbers, phrases
from shopllm_site.trust.claims.claim import Claim, ClaimFlag
from shopllm_site.trust.claims.facts import Facts, words_of
from shopllm_site.trust.claims.units import find_quantities, same_value

READERS = (
    names.check_company_names,  # "Leather Chelsea Co.": a maker the facts do not name
    names.check_brand_parts,  # "Pine" of Willow & Pine is the brand cut short
    phrases.check_warranties,
    phrases.check_awards,
    attributes.check_variety,  # before sizes: "in various sizes" is one claim
    attributes.check_sizes,
    phrases.check_compatibility,
    phrases.check_certifications,
    phrases.check_origins,
    numbers.check_keyword_numbers,
    numbers.check_dimensions,
    numbers.check_bound_numbers,
    numbers.check_quantities,
    numbers.check_counts,
    numbers.check_years,
    numbers.check_bare_numbers,
    attributes.check_colours,
    names.check_product_types,  # before materials: "foam roller" is a type, "cream finish" a colour
    attributes.check_materials,
)


# The last text read and its claims: copy checks ask for the flags (check_claims) and then for the
# spans (claim_spans, the detail check) of the same text against the same facts object.
_last: tuple[str, Facts, tuple[Claim, ...]] | None = None


def _claims(text: str, facts: Facts) -> tuple[Claim, ...]:
    global _last
    last = _last
    if last is not None and last[1] is facts and last[0] == text:
        return last[2]
    claims = _read_claims(text, facts)
    _last = (text, facts, claims)
    return claims


def _read_claims(text: str, facts: Facts) -> tuple[Claim, ...]:
    kept: list[Claim] = []
    taken: list[tuple[int, int]] = []
    for reader in READERS:
        for claim in reader(text, facts):
            if any(s < claim.end and claim.start < e for s, e in taken):
                continue
            kept.append(claim)
            taken.append((claim.start, claim.end))
    kept += names.check_proper_nouns(text, facts, taken)
    return tuple(kept)


def claim_spans(text: str, facts: Facts) -> list[tuple[int, int]]:
    """Where `text` makes a claim of a known kind, supported or not: the words there are judged
    by the claim readers (generation/checks/details.py leaves them alone)."""
    return [(claim.start, claim.end) for claim in _claims(text, facts)]


def check_claims(text: str, facts: Facts) -> list[ClaimFlag]:
    """Every claim in `text` the facts do not support, in text order; empty when faithful."""
    flags = [
        ClaimFlag(
            claim.kind,
            claim.start,
            claim.end,
            text[claim.start : claim.end],
            claim.message,
            claim.verdict,
        )
        for claim in _claims(text, facts)
        if claim.verdict is not None
    ]
    return sorted(flags, key=lambda flag: (flag.start, flag.end))


_STOP = {"the", "and", "with", "for", "of", "a", "an", "in", "on", "to", "yes", "no"}


def _item_used(item: str, text: str, text_words: set[str]) -> bool:
    value = item.split(":", 1)[-1]
    quantities = find_quantities(value)
    if quantities:
        found = find_quantities(text)
        return any(
            q.dimension == f.dimension and same_value(q.value, f.value)
            for q in quantities
            for f in found
        )
    wanted = {w for w in words_of(value) if len(w) > 2 and w not in _STOP}
    if not wanted:
        return False
    return len(wanted & text_words) * 2 >= len(wanted)


def fact_coverage(text: str, facts: Facts) -> float:
    """Share (0..1) of the product's facts (brand and each attribute) the text uses; 0.0 when
    the product has none. A fact counts when its quantity, or half its words, appear."""
    if not facts.items:
        return 0.0
    text_words = words_of(text)
    used = sum(_item_used(item, text, text_words) for item in facts.items)
    return used / len(facts.items)


__all__ = ["check_claims", "claim_spans", "fact_coverage"]
