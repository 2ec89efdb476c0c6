"""What a question may carry into the prompt and the logs.

`redact` replaces emails, phone numbers, card-like numbers and the asking customer's name (when
the question comes with a known customer) before the question is stored, logged or shown to a
model. `looks_like_injection` spots the common ways a question tries to change the assistant's
task; such a question is answered with an ordinary refusal and never reaches the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUESTION_CHARS = 500

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Seven or more digits with the usual separators, optionally after "+": phone and card numbers.
# Plain sizes ("750 ml", "15.6 inch", "2024") have too few digits to match.
PHONE = re.compile(r"(?<![\w.])\+?\d[\d\s().-]{5,}\d(?![\w.])")
SELF_NAME = re.compile(
    r"\b((?i:my name is|i am|i'm|name:|regards,?|thanks,?|cheers,?))\s+"
    r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)",
)

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


def _name_parts(name: str) -> list[str]:
    parts = [part for part in re.split(r"\s+", name.strip()) if len(part) >= 2]
    whole = [name.strip()] if len(parts) > 1 else []
    return whole + sorted(parts, key=len, reverse=True)


def redact(question: str, *, customer_name: str = "", customer_email: str = "") -> CleanQuestion:
    """The question without personal data; `removed` lists the kinds that were replaced."""
    text = normalise(question)
    removed: list[str] = []

    def sub(pattern: re.Pattern, replacement: str, kind: str) -> None:
        nonlocal text
        text, count = pattern.subn(replacement, text)
        if count and kind not in removed:
            removed.append(kind)

    if customer_email:
        sub(re.compile(re.escape(customer_email), re.IGNORECASE), "[email]", "email")
    sub(EMAIL, "[email]", "email")
    sub(PHONE, "[phone]", "phone")
    for part in _name_parts(customer_name or ""):
        sub(re.compile(rf"\b{re.escape(part)}\b", re.IGNORECASE), "[name]", "name")
    sub(SELF_NAME, r"\1 [name]", "name")
    return CleanQuestion(text=text, removed=removed)


def looks_like_injection(question: str) -> bool:
    return bool(INJECTION.search(question or ""))
