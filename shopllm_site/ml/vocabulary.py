"""Closed-vocabulary decoding: the tokens of words a prompt's copy may use keep their scores,
every other token that spells letters loses `penalty` (a finite penalty lets the model still
write a word the list lacks when nothing listed fits; inf forbids it).

Why: a small model invents details ("roasts your own coffee" for a grinder). The checks catch
them afterwards and the sentence is dropped, which leaves many drafts with nothing clean. Steering
decoding toward the words the facts and the plain vocabulary of copy hold makes most candidates
clean in the first place; the checks still judge every word written.

Tokens without letters (digits, punctuation, spaces, line breaks, stray bytes) and the stop
tokens are always allowed. A word is allowed in the forms copy writes it: as given, lower case
and capitalised, after a space or not (sentence starts, after a hyphen or a bullet).
"""

from __future__ import annotations

from typing import Any

# Pieces words are made with that spell nothing on their own ("'s", a plural "s").
ALWAYS_ALLOWED = ("'s", "s", "es", "’s")


class VocabularyMasks:
    """Per-tokenizer caches: which tokens spell letters, and each word's token ids."""

    def __init__(self, tokenizer: Any, vocab_size: int, stop_ids: list[int]):
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.stop_ids = stop_ids
        self._letter_tokens: Any = None
        self._word_ids: dict[str, frozenset[int]] = {}  # a word: the ids of all its forms
        self._piece_ids: frozenset[int] | None = None

    def letter_tokens(self) -> Any:
        """Bool tensor [vocab]: True for tokens that spell at least one letter."""
        import torch

        if self._letter_tokens is None:
            count = min(len(self.tokenizer), self.vocab_size)
            texts = self.tokenizer.batch_decode([[i] for i in range(count)])
            letters = torch.zeros(self.vocab_size, dtype=torch.bool)
            letters[:count] = torch.tensor([any(c.isalpha() for c in text) for text in texts])
            # Ids past the tokenizer (padding of the embedding matrix) are never written.
            letters[count:] = True
            self._letter_tokens = letters
        return self._letter_tokens

    def word_ids(self, words: list[str]) -> list[int]:
        """The token ids of every allowed form of `words`, and of the ALWAYS_ALLOWED pieces."""
        if self._piece_ids is None:
            encoded = self.tokenizer(list(ALWAYS_ALLOWED), add_special_tokens=False)
            self._piece_ids = frozenset(t for ids in encoded["input_ids"] for t in ids)
        missing = [word for word in set(words) if word not in self._word_ids]
        if missing:
            forms = [self._forms(word) for word in missing]
            flat = [form for word_forms in forms for form in word_forms]
            encoded = iter(self.tokenizer(flat, add_special_tokens=False)["input_ids"])
            for word, word_forms in zip(missing, forms, strict=True):
                self._word_ids[word] = frozenset(t for _ in word_forms for t in next(encoded))
        allowed = set(self._piece_ids)
        for word in words:
            allowed |= self._word_ids[word]
        return list(allowed)

    @staticmethod
    def _forms(word: str) -> list[str]:
        """How copy writes a word: as given, lower case, capitalised; after a space or not."""
        bare = {word, word.lower(), word[:1].upper() + word[1:]}
        return [*bare, *(" " + form for form in bare)]

    def penalties(self, vocabularies: list[tuple[str, ...]], penalty: float) -> Any:
        """Float tensor [rows, vocab]: what each row's scores lose per token (0 where allowed).
        Rows with an empty vocabulary are not constrained."""
        import torch

        letters = self.letter_tokens()
        rows = torch.zeros((len(vocabularies), self.vocab_size), dtype=torch.float32)
        built: dict[int, Any] = {}
        for row, words in enumerate(vocabularies):
            if not words:
                continue
            key = id(words)
            if key not in built:
                blocked = letters.clone()
                blocked[self.word_ids(list(words))] = False
                blocked[self.stop_ids] = False
                built[key] = torch.where(blocked, penalty, 0.0)
            rows[row] = built[key]
        return rows
