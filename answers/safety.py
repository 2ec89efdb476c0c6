"""What a question may carry into the prompt and the logs.

`redact` removes personal data with `shopllm_site.trust.pii` (names in free text, e-mails also
spelt out, phone numbers, street addresses, cards and CVV, IBANs, order numbers, national ids, and
the asking customer's own name and e-mail) before the question is stored, logged or shown to a
model. `looks_like_injection` spots the common ways a question tries to change the assistant's
task; such a question is answered with an ordinary refusal and never reaches the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopllm_site.trust import pii
from shopllm_site.trust.data_block import looks_like_instruction

MAX_QUESTION_CHARS = 500

INJECTION_PATTERNS = [
    r"\bignore\b.{0,40}\b(instructions?|prompts?|rules|above|previous|everything)\b",
    r"\bdisregard\b.{0,40}\b(instructions?|prompts?|rules|above|previous)\b",
    r"\bforget\b.{0,40}\b(instructions?|prompts?|rules|everything|previous)\b",
    r"\b(new|updated|override|overriding)\s+(instructions?|task|rules|system prompt)\b",
    r"\bsystem\s*prompt\b",
    r"\byou\s+are\s+(now|no longer)\b",
    r"\b(act|behave)\s+as\b",
    r"\bpretend\s+(to\s+be|you)\b",
    r"\b(roleplay|role-play|jailbreak|developer mode|dan mode)\b",
    r"\b(reveal|print|repeat|show)\b.{0,30}\b(prompt|instructions?|system message)\b",
    r"<\s*/?\s*(system|question|facts|im_start|im_end)\b",
    r"<\|[^|>]*\|>",
    r"#{2,}\s*(system|instruction|assistant)",
    r"\b(assistant|system)\s*:",
    r"\bwrite\s+(me\s+)?(a|an)\s+(poem|story|essay|song|code|script)\b",
]
INJECTION = re.compile("|".join(f"(?:{p})" for p in INJECTION_PATTERNS), re.IGNORECASE)


@dataclass
class CleanQuestion:
    text: str
    removed: list[str] = field(default_factory=list)


def normalise(question: str) -> str:
    """One line of printable text, at most MAX_QUESTION_CHARS long."""
    text = "".join(ch if ch.isprintable() else " " for ch in question or "")
    return " ".join(text.split())[:MAX_QUESTION_CHARS]


def redact(question: str, *, customer_name: str = "", customer_email: str = "") -> CleanQuestion:
    """The question without personal data; `removed` lists the kinds that were replaced."""
    cleaned = pii.redact(normalise(question), names=[customer_name], emails=[customer_email])
    return CleanQuestion(text=cleaned.text, removed=cleaned.kinds)


def looks_like_injection(question: str) -> bool:
    """The question's own patterns, or the shared ones every prompt's data is screened with
    (several languages, "when asked…, reply that…")."""
    return bool(INJECTION.search(question or "")) or looks_like_instruction(question or "")
