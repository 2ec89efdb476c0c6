"""The result types: a claim found in a text, and the flag a failed claim becomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["contradicted", "unsupported"]
KINDS = (
    "number",
    "brand",
    "certification",
    "material",
    "colour",
    "size",
    "product_type",
    "origin",
    "warranty",
    "compatibility",
    "award",
)


@dataclass(frozen=True)
class Claim:
    """A span of the text that states a fact of one kind; `verdict` is None when supported."""

    kind: str
    start: int
    end: int
    verdict: Verdict | None = None
    message: str = ""


@dataclass(frozen=True)
class ClaimFlag:
    kind: str
    start: int
    end: int
    text: str
    message: str
    verdict: Verdict

    def as_dict(self) -> dict:
        """The stored flag format pages render: {"check", "kind", "start", "end", "text",
        "message"}."""
        return {
            "check": "claims",
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
        }


def judged(
    kind: str, start: int, end: int, supported: bool, contradicted: bool, message: str
) -> Claim:
    """A claim with its verdict: supported, else contradicted when the facts say otherwise."""
    if supported:
        return Claim(kind, start, end)
    return Claim(kind, start, end, "contradicted" if contradicted else "unsupported", message)
