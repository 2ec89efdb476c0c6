"""clean_text's shortcut for cells that are already clean gives exactly what the full
normalisation gives (a str subclass takes the full path)."""

from __future__ import annotations

import random

from catalog.rules import clean_text


class FullPath(str):
    """Not exactly `str`, so clean_text normalises it the long way."""


ALPHABET = ["a", "Z", "7", " ", "  ", "\t", "\n", "\r", "\x00", "\x1b", "\x7f", "-", "'"]
ALPHABET += ["\u200b", "\u202e", "\ufeff", "e\u0301", "é", "\xa0", "\u2003", "~", ","]


def test_shortcut_matches_the_full_normalisation_on_random_text():
    rng = random.Random(7)
    texts = ["", " ", "SKU-1", " SKU-1", "SKU-1 ", "a  b", "plain text, 19.90"]
    texts += ["".join(rng.choices(ALPHABET, k=rng.randint(1, 12))) for _ in range(3000)]
    for text in texts:
        assert clean_text(text) == clean_text(FullPath(text)), repr(text)
        assert clean_text(text, multiline=True) == clean_text(FullPath(text), multiline=True)


def test_shortcut_keeps_clean_cells_as_they_are():
    assert clean_text("cust-00042") == "cust-00042"
    assert clean_text("2026-05-01T12:30:00Z") == "2026-05-01T12:30:00Z"
