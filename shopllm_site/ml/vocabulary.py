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
        self._word_ids: dict[str, tuple[int, ...]] = {}

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
        """The token ids of every allowed form of `words` (cached per form)."""
        forms = {piece for piece in ALWAYS_ALLOWED}
        for word in words:
            for form in (word, word.lower(), word[:1].upper() + word[1:]):
                forms.add(form)
                forms.add(" " + form)
        missing = [form for form in forms if form not in self._word_ids]
        if missing:
            encoded = self.tokenizer(missing, add_special_tokens=False)["input_ids"]
            for form, ids in zip(missing, encoded, strict=True):
                self._word_ids[form] = tuple(ids)
        return sorted({token for form in forms for token in self._word_ids[form]})

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
