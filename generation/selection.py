"""Verifier-guided copy: pick the best of several candidates, repair it, or fall back to the facts.

The generator writes several candidates per (product, field) in one batch (the greedy one and a
few samples). Each is cleaned and checked; a candidate's penalty weighs its flags (claims the
facts do not support weigh most) and its fact coverage says how much of the product it uses.
Then, best first, each candidate is repaired at sentence level (sentences or bullets holding a
flag are dropped) and the first clean one with the most coverage wins. When no candidate comes
out clean, the draft is a plain faithful text built from the facts alone, and says so.

The outcome is stored with the version (`checks["selection"]`), so the draft page and the API can
show how many candidates were tried and why the chosen one won.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generation.checks import product_facts, run_checks
from generation.models import FIELD_MAX_CHARS, MAX_BULLETS, CopyField
from generation.prompts import clean_output
from shopllm_site.trust.claims import Facts, fact_coverage

# Greedy first (the model's most likely copy), then samples for variety to choose from. Three
# candidates triple the tokens; batching them with the other products keeps the job fast.
CANDIDATE_TEMPERATURES = (0.0, 0.7, 1.0)
SAMPLING_SEED = 20240611  # sampled candidates repeat across runs: a re-run job writes the same

# How much a flag of each check costs a candidate: unsupported claims and copied example words
# are what a merchant must never publish; length and repetition are blemishes.
FLAG_WEIGHTS = {
    "claims": 10.0,
    "grounding": 10.0,
    "detail": 10.0,
    "leak": 10.0,
    "personal_data": 10.0,
    "echo": 5.0,
    "banned": 5.0,
    "repetition": 3.0,
    "length": 1.0,
}
# A repaired candidate must keep at least this many words to be worth more than the fallback.
MIN_WORDS = {
    CopyField.DESCRIPTION: 12,
    CopyField.BULLET_POINTS: 6,
    CopyField.SEO_TITLE: 3,
    CopyField.META_DESCRIPTION: 8,
}
SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
WORD_RE = re.compile(r"\w+")


@dataclass
class Candidate:
    index: int
    temperature: float
    text: str
    checks: dict
    coverage: float
    penalty: float
    dropped: int = 0  # sentences (or bullets) removed by the repair

    def summary(self) -> dict:
        return {
            "candidate": self.index,
            "temperature": self.temperature,
            "flags": len(self.checks["flags"]),
            "penalty": round(self.penalty, 2),
            "coverage": round(self.coverage, 3),
        }


@dataclass
class Choice:
    text: str
    selection: dict = field(default_factory=dict)

    @property
    def fallback(self) -> bool:
        return bool(self.selection.get("fallback"))


def penalty_of(checks: dict) -> float:
    return sum(FLAG_WEIGHTS.get(flag["check"], 5.0) for flag in checks["flags"])


def units(text: str, field_name: str) -> list[tuple[int, int]]:
    """The pieces a repair may drop: bullets (lines) for bullet points, else sentences."""
    pattern = re.compile(r"[^\n]+") if field_name == CopyField.BULLET_POINTS else SENTENCE_RE
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.group(0).strip()]


def pieces(text: str, field_name: str) -> list[str]:
    """The text of each of `units`, stripped."""
    return [text[start:end].strip() for start, end in units(text, field_name)]


def joined(kept: list[str], field_name: str) -> str:
    """Pieces back into one text: bullets one per line, sentences after a space."""
    return ("\n" if field_name == CopyField.BULLET_POINTS else " ").join(kept)


def repair(text: str, checks: dict, field_name: str) -> tuple[str, int]:
    """The text without the sentences (bullets) that hold a flag, and how many were dropped.
    Flags without a span (start == end: "too many bullets", "degenerate") cannot be repaired
    by dropping a sentence and leave the text as it is."""
    spans = [(f["start"], f["end"]) for f in checks["flags"] if f["end"] > f["start"]]
    kept, dropped = [], 0
    for start, end in units(text, field_name):
        if any(s < end and e > start for s, e in spans):
            dropped += 1
        else:
            kept.append(text[start:end].strip())
    return joined(kept, field_name).strip(), dropped


def choose(
    raws: list[str],
    temperatures: tuple[float, ...] | list[float],
    field_name: str,
    product,
    *,
    length: str = "medium",
    banned_phrases: list[str] = (),
    examples: list[str] = (),
    example_labels: list[str] = (),
    voice: str = "",
    facts: Facts | None = None,
) -> Choice:
    """The copy to store for one (product, field) from its raw candidates, with the reasons.
    `facts`: the product's closed world if the caller has built it (else built here)."""
    if facts is None:  # built once for every candidate and repair
        facts = product_facts(product, voice)

    def assess(index: int, temperature: float, text: str, dropped: int = 0) -> Candidate:
        checks = run_checks(text, field_name, product, banned_phrases, examples, voice, facts=facts)
        return Candidate(
            index,
            temperature,
            text,
            checks,
            fact_coverage(text, facts),
            penalty_of(checks),
            dropped,
        )

    candidates = [
        assess(index, temperature, clean_output(raw, field_name, length) or raw.strip())
        for index, (raw, temperature) in enumerate(zip(raws, temperatures, strict=True))
    ]
    ranked = sorted(candidates, key=lambda c: (c.penalty, -c.coverage, c.index))
    clean = []
    for candidate in ranked:
        if not candidate.checks["flags"]:
            if whole := _without_fragments(candidate, field_name, assess):
                clean.append(whole)
            continue
        text, dropped = repair(candidate.text, candidate.checks, field_name)
        if dropped and len(WORD_RE.findall(text)) >= MIN_WORDS[CopyField(field_name)]:
            repaired = assess(candidate.index, candidate.temperature, text, dropped)
            if not repaired.checks["flags"]:
                clean.append(repaired)
    selection = {
        "candidates": len(candidates),
        "scores": [candidate.summary() for candidate in candidates],
        "examples": list(example_labels),
    }
    if not clean and (pooled := assemble(ranked, field_name, product, assess)):
        selection.update(pooled.pop("selection"))
        return Choice(pooled["text"], selection)
    if not clean:
        worst = min(candidates, key=lambda c: c.penalty) if candidates else None
        flags = len(worst.checks["flags"]) if worst else 0
        text = fallback_copy(product, field_name)
        selection.update(
            chosen=None,
            fallback=True,
            dropped=0,
            coverage=round(fact_coverage(text, facts), 3),
            why=(
                f"None of the {len(candidates)} candidates came out clean, even after dropping "
                f"flagged sentences (the best still had {flags} flag(s)): this plain draft is "
                "built from the product facts only."
            ),
        )
        return Choice(text, selection)
    # Most facts used wins; then fewer sentences dropped, then the greedy (lower) candidate.
    best = max(clean, key=lambda c: (round(c.coverage, 3), -c.dropped, -c.index))
    best, added = _completed(best, field_name, product, assess)
    kind = "greedy" if best.temperature == 0 else f"sampled at temperature {best.temperature:g}"
    repaired = (
        f" after dropping {best.dropped} flagged sentence(s)" if best.dropped else " as written"
    )
    completed = f", with {added} plain sentence(s) from the facts added," if added else ""
    selection.update(
        chosen=best.index,
        fallback=False,
        dropped=best.dropped,
        completed=added,
        coverage=round(best.coverage, 3),
        why=(
            f"Candidate {best.index + 1} of {len(candidates)} ({kind}) passes every check"
            f"{repaired}{completed} and uses {best.coverage:.0%} of the product facts, the most "
            f"of the {len(clean)} clean candidate(s)."
        ),
    )
    return Choice(best.text, selection)


def _without_fragments(candidate: Candidate, field_name: str, assess) -> Candidate | None:
    """The clean candidate without its fragments (a bullet of one word, a sentence of under
    four: "The Inkwell & Co."); None when nothing else is left."""
    if field_name not in (CopyField.DESCRIPTION, CopyField.BULLET_POINTS):
        return candidate
    bullets = field_name == CopyField.BULLET_POINTS
    found = pieces(candidate.text, field_name)
    kept = [p for p in found if len(WORD_RE.findall(p)) >= MIN_UNIT_WORDS[bullets]]
    if len(kept) == len(found):
        return candidate
    if not kept:
        return None
    dropped = candidate.dropped + len(found) - len(kept)
    tidy = assess(candidate.index, candidate.temperature, joined(kept, field_name), dropped)
    return None if tidy.checks["flags"] else tidy


def _completed(best: Candidate, field_name: str, product, assess) -> tuple[Candidate, int]:
    """The winner topped up with fact sentences when it is too short (see `top_up`), if the
    result is still clean; else the winner as it is."""
    kept, added = top_up([p for p in pieces(best.text, field_name) if p], field_name, product)
    if not added:
        return best, 0
    completed = assess(best.index, best.temperature, joined(kept, field_name), best.dropped)
    if completed.checks["flags"]:
        return best, 0
    return completed, added


# Shorter pieces are fragments ("The Inkwell & Co." cut at its full stop), not sentences; a
# bullet may be two words ("60 pieces").
MIN_UNIT_WORDS = {False: 4, True: 2}


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD_RE.findall(text)}


def _near_duplicate(unit: str, kept: list[str]) -> bool:
    words = _words(unit)
    return any(
        len(words & _words(other)) >= 0.6 * min(len(words), len(_words(other))) for other in kept
    )


def assemble(ranked: list[Candidate], field_name: str, product, assess) -> dict | None:
    """When no candidate comes out clean as a whole: the clean sentences (bullets) of all
    candidates, best candidate first, without near-repeats; topped up with plain sentences
    from the facts the model's sentences leave out when they are too few. None when no
    sentence of any candidate is clean (the caller falls back to the facts alone)."""
    limit = FIELD_MAX_CHARS[CopyField(field_name)]
    bullets = field_name == CopyField.BULLET_POINTS
    kept: list[str] = []
    sources: list[int] = []
    for candidate in ranked:
        for unit in pieces(candidate.text, field_name):
            if len(WORD_RE.findall(unit)) < MIN_UNIT_WORDS[bullets] or _near_duplicate(unit, kept):
                continue
            if assess(candidate.index, candidate.temperature, unit).checks["flags"]:
                continue
            if not bullets and len(joined([*kept, unit], field_name)) > limit:
                continue
            kept.append(unit)
            if candidate.index not in sources:
                sources.append(candidate.index)
    if field_name == CopyField.BULLET_POINTS:
        kept = kept[:MAX_BULLETS]
    if not kept:
        return None
    kept, added = top_up(kept, field_name, product)
    text = joined(kept, field_name)
    result = assess(sources[0], ranked[0].temperature, text)
    if result.checks["flags"] or len(WORD_RE.findall(text)) < MIN_WORDS[CopyField(field_name)]:
        return None
    names = " and ".join(str(index + 1) for index in sorted(sources))
    why = (
        f"No candidate passed every check as a whole; this draft keeps the "
        f"{len(kept) - added} clean sentence(s) of candidate(s) {names}"
    )
    why += f" and adds {added} plain sentence(s) from the product facts." if added else "."
    return {
        "text": text,
        "selection": {
            "chosen": sources[0],
            "sources": sorted(sources),
            "assembled": True,
            "completed": added,
            "fallback": False,
            "dropped": 0,
            "coverage": round(result.coverage, 3),
            "why": why + f" It uses {result.coverage:.0%} of the product facts.",
        },
    }


# Fewer bullets than this are topped up with fact bullets: a list of one is no list.
MIN_BULLETS = 3


def top_up(kept: list[str], field_name: str, product) -> tuple[list[str], int]:
    """`kept` (sentences or bullets of model copy) with plain fact sentences (bullets) added
    for facts they leave out, when they are too few: under MIN_WORDS words, or under
    MIN_BULLETS bullets; a title or meta description is never topped up with sentences.
    Returns (units, how many were added)."""
    if field_name not in (CopyField.DESCRIPTION, CopyField.BULLET_POINTS):
        return kept, 0
    bullets = field_name == CopyField.BULLET_POINTS
    short = len(WORD_RE.findall(" ".join(kept))) < MIN_WORDS[CopyField(field_name)]
    if not short and not (bullets and len(kept) < MIN_BULLETS):
        return kept, 0
    limit = FIELD_MAX_CHARS[CopyField(field_name)]
    kept, added = list(kept), 0
    for unit in [u.strip() for u in fallback_units(product, field_name)]:
        if bullets and len(kept) >= MIN_BULLETS and not short:
            break
        if _near_duplicate(unit, kept) or fact_words_used(unit, kept):
            continue
        if bullets and len(kept) >= MAX_BULLETS:
            break
        if not bullets and len(joined([*kept, unit], field_name)) > limit:
            break
        kept.append(unit)
        added += 1
        short = len(WORD_RE.findall(" ".join(kept))) < MIN_WORDS[CopyField(field_name)]
    return kept, added


def fact_words_used(unit: str, kept: list[str]) -> bool:
    """The fact sentence's value ("Its material is organic cotton.": "organic cotton") is
    already said by the kept sentences."""
    value = unit.split(" is ", 1)[-1] if " is " in unit else unit.split(" – ", 1)[-1]
    wanted = _words(value) - {"the", "and", "a", "of"}
    said = _words(" ".join(kept))
    return bool(wanted) and wanted <= said


# --- The plain faithful fallback ----------------------------------------------------------------


def _attribute_items(product) -> list[tuple[str, str]]:
    items = []
    for key, value in (product.attributes or {}).items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        value = str(value).strip()
        if value and str(key).strip():
            items.append((str(key).strip().replace("_", " "), value))
    return items


def _named(product) -> str:
    """The title, with the brand in front unless the title already names it."""
    title = product.title.strip()
    brand = (product.brand or "").strip()
    if brand and brand.lower() not in title.lower():
        return f"{brand} {title}"
    return title


def _fit(parts: list[str], limit: int, joiner: str) -> str:
    """As many leading parts as fit in `limit` characters (the first always, trimmed)."""
    text = parts[0][:limit].strip()
    for part in parts[1:]:
        if len(text) + len(joiner) + len(part) > limit:
            break
        text += joiner + part
    return text


def fallback_units(product, field_name: str) -> list[str]:
    """The plain fact sentences (bullets) of `fallback_copy`, for topping up model copy."""
    attributes = _attribute_items(product)
    if field_name == CopyField.BULLET_POINTS:
        limit = FIELD_MAX_CHARS[CopyField.BULLET_POINTS]
        bullets = [f"{key[:1].upper()}{key[1:]} – {value}" for key, value in attributes]
        return [bullet[:limit].strip() for bullet in bullets]
    return [f"Its {key} is {value}." for key, value in attributes]


def fallback_copy(product, field_name: str) -> str:
    """Copy that states the facts and nothing else, one template per field."""
    attributes = _attribute_items(product)
    name = _named(product)
    if field_name == CopyField.BULLET_POINTS:
        bullets = fallback_units(product, field_name)
        if not bullets:
            bullets = [name]
        return "\n".join(bullets[:MAX_BULLETS])
    if field_name == CopyField.SEO_TITLE:
        parts = [name] + [value for _, value in attributes[:1]]
        return _fit(parts, FIELD_MAX_CHARS[CopyField.SEO_TITLE], " – ")
    if field_name == CopyField.META_DESCRIPTION:
        parts = [f"{name}."] + [f"{key[:1].upper()}{key[1:]} {value}." for key, value in attributes]
        return _fit(parts, FIELD_MAX_CHARS[CopyField.META_DESCRIPTION] - 5, " ")
    sentences = [f"The {name}."]
    leaf = (product.category or "").split(">")[-1].strip()
    if leaf:
        sentences = [f"The {name} is part of our {leaf.lower()} range."]
    sentences += fallback_units(product, field_name)
    return _fit(sentences, FIELD_MAX_CHARS[CopyField.DESCRIPTION], " ")
