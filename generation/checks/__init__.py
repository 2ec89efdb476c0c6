"""Quality checks run on every draft version; results are stored with the version.

Each check returns flags: {"check", "start", "end", "text", "message"} with character offsets
into the text, so pages can highlight the spans (`render_flagged`, which escapes first).

- grounding: numbers with units (normalised: ml/l, g/kg, mm/cm/m, inches...), materials, colours
  and sizes in the text that contradict or are absent from the product's facts (title, brand,
  category, tags, attributes).
- length: per-field limits (SEO title 60, meta description 160, ...).
- banned: the shop's banned phrases.
- repetition: repeated sentences or word runs, degenerate output, leftover chat markup.
- echo: the output copies the prompt's data block ("title: ...", "<brand>...") instead of copy.
- personal_data: e-mail addresses and phone numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from generation.checks.units import (
    BARE_NUMBER_RE,
    Quantity,
    find_quantities,
    parse_number,
    same_value,
)
from generation.checks.vocabulary import COLOUR_RE, COLOURS, MATERIAL_RE, MATERIALS, SIZE_RE
from generation.models import FIELD_MAX_CHARS, MAX_BULLETS, CopyField


@dataclass
class ProductFacts:
    """Everything the copy may state, as text and as parsed quantities."""

    text: str  # lower-cased facts
    quantities: list[Quantity]
    numbers: set[float]
    materials: set[str]
    colours: set[str]

    @classmethod
    def from_product(cls, product) -> ProductFacts:
        parts = [product.title, product.brand, product.category, " ".join(product.tags or [])]
        for key, value in (product.attributes or {}).items():
            if isinstance(value, list | tuple):
                value = ", ".join(str(item) for item in value)
            parts.append(f"{key}: {value}")
        text = "\n".join(str(part) for part in parts if part)
        return cls.from_text(text)

    @classmethod
    def from_text(cls, text: str) -> ProductFacts:
        quantities = find_quantities(text)
        numbers = {
            value
            for match in BARE_NUMBER_RE.finditer(text)
            if (value := parse_number(match.group("num"))) is not None
        }
        materials = {MATERIALS[m.group(0).lower()] for m in MATERIAL_RE.finditer(text)}
        # "stainless steel" also vouches for "steel"
        if "stainless steel" in materials:
            materials.add("steel")
        colours = {COLOURS[m.group(0).lower()] for m in COLOUR_RE.finditer(text)}
        return cls(text.lower(), quantities, numbers, materials, colours)


def _flag(check: str, start: int, end: int, text: str, message: str) -> dict:
    return {"check": check, "start": start, "end": end, "text": text[start:end], "message": message}


def check_grounding(text: str, facts: ProductFacts) -> list[dict]:
    flags = []
    covered: list[tuple[int, int]] = []
    for quantity in find_quantities(text):
        covered.append((quantity.start, quantity.end))
        if quantity.dimension == "percent" and any(
            same_value(quantity.value, number) for number in facts.numbers
        ):
            continue
        same_dimension = [q for q in facts.quantities if q.dimension == quantity.dimension]
        if any(same_value(quantity.value, q.value) for q in same_dimension):
            continue
        if same_dimension:
            known = ", ".join(sorted({q.text for q in same_dimension}))
            message = f"“{quantity.text}” contradicts the product facts ({known})."
        else:
            message = f"“{quantity.text}” is not in the product facts."
        flags.append(_flag("grounding", quantity.start, quantity.end, text, message))
    for match in BARE_NUMBER_RE.finditer(text):
        if any(start <= match.start() < end for start, end in covered):
            continue
        value = parse_number(match.group("num"))
        # Small counts ("one of 2 sizes") are too common to check; a bigger number must be a fact.
        if value is None or value < 3 or any(same_value(value, n) for n in facts.numbers):
            continue
        flags.append(
            _flag(
                "grounding",
                match.start(),
                match.end(),
                text,
                f"The number {match.group(0)} is not in the product facts.",
            )
        )
    for match in MATERIAL_RE.finditer(text):
        material = MATERIALS[match.group(0).lower()]
        if material not in facts.materials:
            message = f"Material “{match.group(0)}” is not in the product facts."
            flags.append(_flag("grounding", match.start(), match.end(), text, message))
    for match in COLOUR_RE.finditer(text):
        colour = COLOURS[match.group(0).lower()]
        if colour not in facts.colours:
            message = f"Colour “{match.group(0)}” is not in the product facts."
            flags.append(_flag("grounding", match.start(), match.end(), text, message))
    for match in SIZE_RE.finditer(text):
        size = (match.group("named") or match.group("code")).lower()
        if not re.search(rf"\b{re.escape(size)}\b", facts.text):
            message = f"Size “{match.group(0)}” is not in the product facts."
            flags.append(_flag("grounding", match.start(), match.end(), text, message))
    return flags


def check_length(text: str, field: str) -> list[dict]:
    limit = FIELD_MAX_CHARS[CopyField(field)]
    flags = []
    if field == CopyField.BULLET_POINTS:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_BULLETS:
            flags.append(
                _flag("length", 0, 0, text, f"{len(lines)} bullet points; at most {MAX_BULLETS}.")
            )
        offset = 0
        for line in text.splitlines(keepends=True):
            stripped = line.rstrip("\n")
            if len(stripped) > limit:
                flags.append(
                    _flag(
                        "length",
                        offset + limit,
                        offset + len(stripped),
                        text,
                        f"Bullet is {len(stripped)} characters; at most {limit}.",
                    )
                )
            offset += len(line)
    elif len(text) > limit:
        flags.append(
            _flag("length", limit, len(text), text, f"{len(text)} characters; at most {limit}.")
        )
    return flags


def check_banned(text: str, banned_phrases: Iterable[str]) -> list[dict]:
    flags = []
    for phrase in banned_phrases:
        phrase = phrase.strip()
        if not phrase:
            continue
        for match in re.finditer(re.escape(phrase), text, re.IGNORECASE):
            flags.append(
                _flag(
                    "banned",
                    match.start(),
                    match.end(),
                    text,
                    f"“{phrase}” is on the shop's banned list.",
                )
            )
    return flags


CHAT_ARTIFACT_RE = re.compile(
    r"<\|[^|>]*\|>|</?s>|\b(?:assistant|user|system)\s*:|\[/?INST\]", re.IGNORECASE
)
WORD_RE = re.compile(r"\w+")
SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")


def check_repetition(text: str) -> list[dict]:
    flags = []
    if not text.strip():
        return [_flag("repetition", 0, 0, text, "The text is empty.")]
    for match in CHAT_ARTIFACT_RE.finditer(text):
        flags.append(_flag("repetition", match.start(), match.end(), text, "Leftover chat markup."))
    seen: dict[str, int] = {}
    for match in SENTENCE_RE.finditer(text):
        sentence = " ".join(WORD_RE.findall(match.group(0).lower()))
        if len(sentence.split()) < 3:
            continue
        if sentence in seen:
            start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
            flags.append(
                _flag("repetition", start, match.end(), text, "This sentence is repeated.")
            )
        seen[sentence] = match.start()
    words = list(WORD_RE.finditer(text))
    size = 4
    grams: dict[tuple, int] = {}
    flagged_until = -1
    for index in range(len(words) - size + 1):
        gram = tuple(word.group(0).lower() for word in words[index : index + size])
        grams[gram] = grams.get(gram, 0) + 1
        if grams[gram] >= 3 and words[index].start() > flagged_until:
            end = words[index + size - 1].end()
            flags.append(
                _flag(
                    "repetition",
                    words[index].start(),
                    end,
                    text,
                    "These words repeat again and again.",
                )
            )
            flagged_until = end
    if len(words) >= 20 and len({w.group(0).lower() for w in words}) / len(words) < 0.3:
        flags.append(_flag("repetition", 0, 0, text, "Very few distinct words: degenerate."))
    return flags


ECHO_RE = re.compile(
    r"\bproduct[_ ]facts\b|</?[a-z_]+(?::[^>]*)?>"
    r"|^\s*(?:title|brand|category|tags|tone|audience)\s*:",
    re.IGNORECASE | re.MULTILINE,
)


def check_echo(text: str, attribute_names: Iterable[str] = ()) -> list[dict]:
    """Small models often copy the prompt's data block instead of writing copy: tags and labels
    of the block, and lines that are just a product fact ("capacity: 750 ml")."""
    flags = [
        _flag("echo", m.start(), m.end(), text, "Copies the prompt or its data block.")
        for m in ECHO_RE.finditer(text)
        if m.end() > m.start()
    ]
    names = {name.strip() for name in attribute_names if name.strip()}
    names |= {name.replace("_", " ") for name in names}
    if names:
        alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        fact_line = re.compile(
            rf"^[ \t]*(?:[-*•][ \t]*)?(?:{alternatives})[ \t]*:.*$", re.IGNORECASE | re.MULTILINE
        )
        flags += [
            _flag("echo", m.start(), m.end(), text, "Lists a raw fact instead of describing it.")
            for m in fact_line.finditer(text)
            if not any(f["start"] <= m.start() < f["end"] for f in flags)
        ]
    return flags


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}[./]\d{2}[./]\d{4}")
PHONE_RE = re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]{6,}\d(?![\w])")


def check_personal_data(text: str) -> list[dict]:
    flags = [
        _flag("personal_data", m.start(), m.end(), text, "An e-mail address.")
        for m in EMAIL_RE.finditer(text)
    ]
    for match in PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if DATE_RE.search(match.group(0)):
            continue
        if len(digits) >= 8:
            flags.append(
                _flag("personal_data", match.start(), match.end(), text, "A phone number.")
            )
    return flags


CHECK_LABELS = {
    "grounding": "Not grounded in the product facts",
    "length": "Length",
    "banned": "Banned phrase",
    "repetition": "Repetition or degenerate output",
    "echo": "Copies the prompt instead of writing copy",
    "personal_data": "Personal data",
}


def run_checks(text: str, field: str, product, banned_phrases: Iterable[str] = ()) -> dict:
    """All checks for one version: {"flags": [...], "counts": {check: n}, "ok": bool}."""
    facts = ProductFacts.from_product(product)
    flags = (
        check_grounding(text, facts)
        + check_length(text, field)
        + check_banned(text, banned_phrases)
        + check_repetition(text)
        + check_echo(text, (product.attributes or {}).keys())
        + check_personal_data(text)
    )
    flags.sort(key=lambda flag: (flag["start"], flag["end"]))
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag["check"]] = counts.get(flag["check"], 0) + 1
    return {"flags": flags, "counts": counts, "ok": not flags}


def render_flagged(text: str, flags: Iterable[dict]) -> SafeString:
    """The text, escaped, with flagged spans wrapped in <mark class="flag" title="...">."""
    spans = sorted(
        (flag["start"], flag["end"], flag["message"])
        for flag in flags
        if 0 <= flag["start"] < flag["end"] <= len(text)
    )
    merged: list[list] = []
    for start, end, message in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += " " + message
        else:
            merged.append([start, end, message])
    pieces, position = [], 0
    for start, end, message in merged:
        pieces.append(escape(text[position:start]))
        pieces.append(
            f'<mark class="flag" title="{escape(message)}">{escape(text[start:end])}</mark>'
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece is escaped above)
