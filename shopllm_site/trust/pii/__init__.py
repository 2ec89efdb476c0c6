"""Personal data removal for everything people type: shopper questions before they are stored or
shown to a model, model output before it is saved, and log records before they are written.

    redact("Card 4111 1111 1111 1111, I'm Anna Schmidt")
    -> Redaction(text="Card [card], I'm [name]",
                 found=[("card", "4111 1111 1111 1111"), ("name", "Anna Schmidt")])

Kinds and placeholders: [name] [email] [phone] [address] [card] [cvv] [iban] [order] [id].

Why these libraries and not Presidio: presidio-analyzer needs spaCy and a spaCy model for its
name recogniser, and no official spaCy model installs from PyPI (only unofficial re-uploads), so
here it would run its pattern recognisers only — which wrap the same `phonenumbers` library and
the same checksums that `python-stdnum` provides — while pulling spaCy and its stack into the web
process. `phonenumbers` (Google's libphonenumber metadata) and `python-stdnum` (IBAN, Luhn, national
ids) are small, pure Python, kept up to date, and need nothing at run time. What no library covers
for these languages offline — names without a model, street addresses in five languages, order
numbers, spelt-out e-mails — is written here as rules and measured by bench/pii_recall.py on
planted items and on PII-free product questions (product text such as "size 42", "model 2019",
"SKU AB-1234", "1200 W" or prices must stay).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from shopllm_site.trust.pii.addresses import find_addresses
from shopllm_site.trust.pii.names import find_names
from shopllm_site.trust.pii.numbers import find_numbers

KINDS = ("name", "email", "phone", "address", "card", "cvv", "iban", "order", "id")
# When spans of different kinds overlap, the merged span takes the kind of its longest member;
# on a tie, the more specific kind (a checksum-valid IBAN over a phone number that lies in it).
PRIORITY = {"iban": 0, "card": 1, "id": 2, "email": 3, "cvv": 4, "order": 5, "address": 6,
            "phone": 7, "name": 8}  # fmt: skip
# What may stand between two parts of one address: commas, and a town ("221B Baker Street,
# London NW1 6XE").
ADDRESS_GAP = re.compile(r"[\s,]*(?:[A-ZÀ-Þ][\w'’-]+[\s,]+){0,2}")


@dataclass
class Redaction:
    text: str
    found: list[tuple[str, str]] = field(default_factory=list)  # (kind, original text)

    @property
    def kinds(self) -> list[str]:
        """The kinds removed, each once, in order of first appearance."""
        return list(dict.fromkeys(kind for kind, _ in self.found))


def _spans(text: str, names: Iterable[str], emails: Iterable[str]) -> list[tuple[str, int, int]]:
    spans = list(find_numbers(text)) + list(find_addresses(text))
    spans += [("name", start, end) for start, end in find_names(text, names)]
    for email in emails:
        if email:
            for match in re.finditer(re.escape(email), text, re.IGNORECASE):
                spans.append(("email", match.start(), match.end()))
    return [span for span in spans if span[2] > span[1]]


def _merge(spans: list[tuple[str, int, int]], text: str) -> list[tuple[str, int, int]]:
    """Overlapping spans become one; address parts next to each other ("Hauptstraße 5,
    10115 Berlin") become one address."""
    merged: list[tuple[str, int, int, int]] = []  # kind, start, end, length of the kind's span
    for kind, start, end in sorted(spans, key=lambda span: (span[1], -span[2])):
        if merged:
            last_kind, last_start, last_end, last_length = merged[-1]
            joins_address = kind == last_kind == "address" and ADDRESS_GAP.fullmatch(
                text[last_end:start]
            )
            if start < last_end or joins_address:
                length = end - start
                better = (length, -PRIORITY[kind]) > (last_length, -PRIORITY[last_kind])
                merged[-1] = (
                    kind if better else last_kind,
                    last_start,
                    max(end, last_end),
                    length if better else last_length,
                )
                continue
        merged.append((kind, start, end, end - start))
    return [(kind, start, end) for kind, start, end, _ in merged]


def find_pii(
    text: str, *, names: Iterable[str] = (), emails: Iterable[str] = ()
) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each piece of personal data in `text`, in order, not overlapping."""
    return _merge(_spans(text or "", names, emails), text or "")


def redact(text: str, *, names: Iterable[str] = (), emails: Iterable[str] = ()) -> Redaction:
    """`text` with personal data replaced by placeholders ("[email]"); `names` and `emails` are
    known ones (the asking customer's) removed wherever they appear, in any case."""
    text = text or ""
    found = find_pii(text, names=names, emails=emails)
    pieces, position = [], 0
    for kind, start, end in found:
        pieces += [text[position:start], f"[{kind}]"]
        position = end
    pieces.append(text[position:])
    return Redaction("".join(pieces), [(kind, text[start:end]) for kind, start, end in found])


def contains_pii(text: str) -> bool:
    return bool(_spans(text or "", (), ()))


class RedactingFilter(logging.Filter):
    """A handler filter that writes log records with personal data removed from the message and
    its arguments (installed on every handler in settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call: the handler reports it as usual
            return True
        cleaned = redact(message)
        if cleaned.found:
            record.msg, record.args = cleaned.text, None
        return True
