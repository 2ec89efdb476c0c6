"""Closed-world claim check: every concrete claim in generated text must be supported by the
product's facts (title, brand, category, attributes, tags, existing copy) or the shop's brand
voice.

    facts = Facts.from_values(title="Trail Bottle", attributes={"capacity": "750 ml"})
    check_claims("Holds 1 litre.", facts)   # [ClaimFlag(kind="number", ..., "contradicted")]
    fact_coverage("Holds 750 ml.", facts)   # 1.0

Claim kinds (`ClaimFlag.kind`): number (units, dimensions, years, counts), brand (and other
proper nouns), certification, material (with negation), colour, size, product_type, origin,
warranty, compatibility, award.
"""

from shopllm_site.trust.claims.check import check_claims, claim_spans, fact_coverage
from shopllm_site.trust.claims.claim import KINDS, ClaimFlag
from shopllm_site.trust.claims.facts import Facts

__all__ = ["KINDS", "ClaimFlag", "Facts", "check_claims", "claim_spans", "fact_coverage"]
