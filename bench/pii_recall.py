"""Personal data removal: recall per kind on planted items, false positives on product questions
without personal data, and time per question; the previous regex redactor side by side.

    .venv/bin/python bench/pii_recall.py [--show-misses]

An item counts as removed when neither its text nor any of its distinctive parts (a surname, a
street name, a group of four digits, a postcode) is left in the redacted question. A product
question counts as a false positive when anything in it was replaced.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pii_eval_set import CASES, HELD_OUT, PRODUCT_QUESTIONS  # noqa: E402
from shopllm_site.trust.pii import KINDS, redact  # noqa: E402

# Parts of an item that do not identify anyone on their own.
GENERIC = {
    "street", "st", "road", "lane", "avenue", "terrace", "rue", "de", "la", "le", "du", "des",
    "calle", "via", "piazza", "corso", "bis", "apt", "box", "postfach", "at", "dot", "punkt",
    "com", "fr", "gmail", "web", "gmx", "outlook", "place",
}  # fmt: skip

# The redactor before issue 10 (answers/safety.py at a73f664), for the side-by-side figures.
OLD_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
OLD_PHONE = re.compile(r"(?<![\w.])\+?\d[\d\s().-]{5,}\d(?![\w.])")
OLD_SELF_NAME = re.compile(
    r"\b((?i:my name is|i am|i'm|name:|regards,?|thanks,?|cheers,?))\s+"
    r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)",
)


def previous_redact(text: str) -> str:
    text = OLD_EMAIL.sub("[email]", text)
    text = OLD_PHONE.sub("[phone]", text)
    return OLD_SELF_NAME.sub(r"\1 [name]", text)


def current_redact(text: str) -> str:
    return redact(text).text


def parts(value: str) -> list[str]:
    """The distinctive parts of a planted item."""
    words = re.findall(r"[^\W_]+", value)
    return [
        word
        for word in words
        if word.lower() not in GENERIC and (len(word) >= 3 or (word.isalpha() and len(words) == 1))
    ]


def removed(value: str, redacted: str) -> bool:
    if value.lower() in redacted.lower():
        return False
    return not any(
        re.search(rf"(?<![^\W_]){re.escape(part)}(?![^\W_])", redacted, re.IGNORECASE)
        for part in parts(value)
    )


def evaluate(redactor, show_misses: bool, cases=CASES, clean=PRODUCT_QUESTIONS) -> dict:
    hits, totals, misses = Counter(), Counter(), []
    started = time.perf_counter()
    for question, items in cases:
        redacted = redactor(question)
        for kind, value in items:
            totals[kind] += 1
            if removed(value, redacted):
                hits[kind] += 1
            else:
                misses.append((kind, value, redacted))
    per_question_ms = (time.perf_counter() - started) / len(cases) * 1000
    false_positives = [q for q in clean if redactor(q) != q]
    if show_misses:
        for kind, value, redacted in misses:
            print(f"  missed {kind}: {value!r} in {redacted!r}")
        for question in false_positives:
            print(f"  false positive: {question!r} -> {redactor(question)!r}")
    return {
        "recall": {kind: hits[kind] / totals[kind] for kind in KINDS},
        "overall": sum(hits.values()) / sum(totals.values()),
        "totals": totals,
        "false_positives": len(false_positives),
        "ms": per_question_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    current_redact("warm up: +49 30 12345678")  # phonenumbers loads its metadata lazily
    old = evaluate(previous_redact, False)
    new = evaluate(current_redact, args.show_misses)
    items = sum(new["totals"].values())
    print(f"{len(CASES)} questions, {items} planted items; {len(PRODUCT_QUESTIONS)} product "
          "questions without personal data")  # fmt: skip
    print(f"{'kind':<10}{'items':>6}{'previous':>10}{'now':>8}")
    for kind in KINDS:
        print(
            f"{kind:<10}{new['totals'][kind]:>6}{old['recall'][kind]:>10.2f}"
            f"{new['recall'][kind]:>8.2f}"
        )
    print(f"{'overall':<10}{items:>6}{old['overall']:>10.2f}{new['overall']:>8.2f}")
    print(
        f"false positives on product questions: previous {old['false_positives']}, "
        f"now {new['false_positives']} of {len(PRODUCT_QUESTIONS)}"
    )
    print(f"time per question: previous {old['ms']:.2f} ms, now {new['ms']:.2f} ms")
    old_held = evaluate(previous_redact, False, HELD_OUT, ())
    held = evaluate(current_redact, args.show_misses, HELD_OUT, ())
    print(
        f"held-out set ({sum(held['totals'].values())} items written after the rules, untuned): "
        f"recall previous {old_held['overall']:.2f}, now {held['overall']:.2f}"
    )


if __name__ == "__main__":
    main()
