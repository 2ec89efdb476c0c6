"""Quality checks run on every draft version; results are stored with the version.

Each check returns flags: {"check", "start", "end", "text", "message"} with character offsets
into the text, so pages can highlight the spans (`render_flagged`, which escapes first).

- grounding: every concrete claim (numbers with units, dimensions, years and counts; brands and
  other names; certifications; materials with negation; colours; sizes; product type; origin;
  warranty; compatibility; awards) must be supported by the product's facts, its published copy
  or the shop's voice (closed world, shopllm_site.trust.claims); flags carry the claim's "kind".
- detail: the same closed world at the word level (generation/checks/details.py): a sentence
  with content words that are neither in the facts nor generic copy ("roasts your coffee" on a
  grinder, "cribs and blankets" in a baby gym, made-up words).
- length: per-field limits (SEO title 60, meta description 160, ...).
- banned: the shop's banned phrases.
- repetition: repeated sentences or word runs, degenerate output, leftover chat markup and
  template placeholders ("[tool_name]", "{{ product }}").
- echo: the output copies the prompt's data block ("title: ...", "<brand>...") instead of copy.
- personal_data: contact and payment data (shopllm_site.trust.pii): e-mails, phone numbers,
  street addresses, cards, IBANs, national ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from generation.checks.details import check_details
from generation.checks.leak import check_leak
from generation.models import FIELD_MAX_CHARS, MAX_BULLETS, CopyField
from shopllm_site.trust.claims import Facts, check_claims
from shopllm_site.trust.pii import find_pii


def product_facts(product, voice: str = "") -> Facts:
    """The closed world a draft is checked against: the product's data, its published copy and
    the shop's brand voice (shopllm_site.trust imports no app, so the adapter lives here)."""
    texts = [
        product.description,
        "\n".join(product.bullet_points or []),
        product.seo_title,
        product.meta_description,
    ]
    return Facts.from_values(
        title=product.title,
        brand=product.brand,
        category=product.category,
        attributes=dict(product.attributes or {}),
        tags=list(product.tags or []),
        texts=[text for text in texts if text],
        voice=voice,
    )


def _flag(check: str, start: int, end: int, text: str, message: str) -> dict:
    return {"check": check, "start": start, "end": end, "text": text[start:end], "message": message}


def check_grounding(text: str, facts: Facts) -> list[dict]:
    """Claims the facts do not support (shopllm_site.trust.claims), stored under the check name
    "grounding" that pages, counts and candidate selection know, with the claim's kind."""
    return [{**flag.as_dict(), "check": "grounding"} for flag in check_claims(text, facts)]


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
# Template slots a model copied instead of filling: "[tool_name]", "{{ product }}", "{brand}",
# "lorem ipsum". Real copy has no bracketed identifiers.
PLACEHOLDER_RE = re.compile(
    r"\[\s*[A-Za-z_][\w ]{0,30}\]|\{\{[^{}]{0,40}\}\}|\{[a-z_]{1,30}\}|\blorem ipsum\b",
    re.IGNORECASE,
)
WORD_RE = re.compile(r"\w+")
SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")


def check_repetition(text: str) -> list[dict]:
    flags = []
    if not text.strip():
        return [_flag("repetition", 0, 0, text, "The text is empty.")]
    for match in CHAT_ARTIFACT_RE.finditer(text):
        flags.append(_flag("repetition", match.start(), match.end(), text, "Leftover chat markup."))
    for match in PLACEHOLDER_RE.finditer(text):
        flags.append(
            _flag("repetition", match.start(), match.end(), text, "A template placeholder.")
        )
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


# Copy names people through brands and product lines ("Emma mattress", "Paul Hewitt"), and
# "order" is an ordinary word in it: only contact and payment data is a leak there.
COPY_PII_KINDS = {
    "email": "An e-mail address.",
    "phone": "A phone number.",
    "address": "A street address.",
    "card": "A payment card number.",
    "cvv": "A card security code.",
    "iban": "A bank account (IBAN).",
    "id": "A national id number.",
}


def check_personal_data(text: str) -> list[dict]:
    return [
        _flag("personal_data", start, end, text, COPY_PII_KINDS[kind])
        for kind, start, end in find_pii(text)
        if kind in COPY_PII_KINDS
    ]


CHECK_LABELS = {
    "grounding": "Not grounded in the product facts",
    "detail": "Details not in the product facts",
    "length": "Length",
    "banned": "Banned phrase",
    "repetition": "Repetition or degenerate output",
    "echo": "Copies the prompt instead of writing copy",
    "personal_data": "Personal data",
    "leak": "Copied from the example copy",
}


def run_checks(
    text: str,
    field: str,
    product,
    banned_phrases: Iterable[str] = (),
    examples: Iterable[str] = (),
    voice: str = "",
    facts: Facts | None = None,
) -> dict:
    """All checks for one version: {"flags": [...], "counts": {check: n}, "ok": bool}.
    `examples`: the example copy the model was shown (for the leak check); `voice`: the shop's
    brand voice, which counts as support for claims; `facts`: `product_facts(product, voice)`
    when the caller already built it (checking several candidates of one product)."""
    if facts is None:
        facts = product_facts(product, voice)
    flags = (
        check_grounding(text, facts)
        + check_details(text, facts)
        + check_length(text, field)
        + check_banned(text, banned_phrases)
        + check_repetition(text)
        + check_echo(text, (product.attributes or {}).keys())
        + check_personal_data(text)
        + check_leak(text, examples, product)
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
