"""The loss of one batch, computed cheaply: the LM head only where a label counts, and the frozen
lower blocks run once per batch, not once per epoch.

- Reply-only head: the loss counts the reply's tokens only, so the hidden states are taken from
  the decoder and the LM head (for SmolLM2-135M a 49k-word vocabulary, about a fifth of the model
  per token) runs on the positions whose next-token label counts. The same sum of cross-entropies
  as logits over every position with the prompt's labels ignored; only the work differs.
- Frozen lower blocks: with LoRA on the top `lora_layers` blocks only, the blocks below the first
  trainable one never change during a run, so their output for a batch is the same every epoch.
  The first time a batch is seen, those blocks run without autograd and their output is kept;
  later epochs feed it to the top blocks alone (the rotary positions and the causal/padding mask
  are made by the decoder from the same attention mask, as in a full pass). Exact because the
  batches are a fixed function of the data (generator_train.batch_order: same members every
  epoch, only their order shuffled) and the lower blocks have no dropout (checked); a resumed
  run simply fills the cache again. Kept within a memory budget; batches beyond it run whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

IGNORE = -100


def causal_parts(model: Any) -> tuple[Any, Any]:
    """(the decoder stack, the LM head) of a causal LM, wrapped by peft or not."""
    causal = model.get_base_model() if hasattr(model, "get_base_model") else model
    return causal.model, causal.get_output_embeddings()


def reply_loss(head: Any, hidden: Any, labels: Any) -> tuple[Any, int]:
    """(sum of the reply tokens' losses, their count): position t predicts label t+1, and the
    head runs only on the positions whose next label counts."""
    import torch

    targets = labels[:, 1:]
    keep = targets != IGNORE
    logits = head(hidden[:, :-1][keep]).float()
    loss = torch.nn.functional.cross_entropy(logits, targets[keep], reduction="sum")
    return loss, int(keep.sum())


def token_loss(model: Any, batch: dict) -> tuple[Any, int]:
    """(sum of the reply tokens' losses, their count) for one batch, through the whole model."""
    decoder, head = causal_parts(model)
    return decoder_loss(decoder, head, batch)


def decoder_loss(decoder: Any, head: Any, batch: dict) -> tuple[Any, int]:
    hidden = decoder(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    return reply_loss(head, hidden, batch["labels"])


def first_trainable_block(decoder: Any) -> int:
    """Index of the lowest block with a trainable weight (0 when the embeddings train too)."""
    if any(p.requires_grad for p in decoder.embed_tokens.parameters()):
        return 0
    for index, block in enumerate(decoder.layers):
        if any(p.requires_grad for p in block.parameters()):
            return index
    return len(decoder.layers)


@contextmanager
def only_blocks(decoder: Any, start: int, stop: int, *, final_norm: bool) -> Iterator[None]:
    """The decoder runs blocks [start, stop) only (and its final norm only if asked)."""
    import torch

    layers, norm = decoder.layers, decoder.norm
    decoder.layers = torch.nn.ModuleList(list(layers)[start:stop])
    if not final_norm:
        decoder.norm = torch.nn.Identity()
    try:
        yield
    finally:
        decoder.layers, decoder.norm = layers, norm


class BatchLoss:
    """The training loss of a batch (keyed by its example indices), frozen lower blocks cached."""

    def __init__(self, model: Any, budget_bytes: int):
        self.decoder, self.head = causal_parts(model)
        config = getattr(model, "config", None)
        dropout = max(
            float(getattr(config, "attention_dropout", 0.0) or 0.0),
            float(getattr(config, "hidden_dropout", 0.0) or 0.0),
        )
        self.start = first_trainable_block(self.decoder) if dropout == 0 else 0
        self.stop = len(self.decoder.layers)
        self.budget = budget_bytes
        self.used = 0
        self.states: dict[tuple[int, ...], Any] = {}
        self.hits = 0

    @property
    def caching(self) -> bool:
        return 0 < self.start < self.stop and self.budget > 0

    def __call__(self, key: tuple[int, ...], batch: dict) -> tuple[Any, int]:
        if not self.caching:
            return decoder_loss(self.decoder, self.head, batch)
        hidden = self.states.get(key)
        if hidden is None:
            hidden = self._lower(batch)
            size = hidden.element_size() * hidden.nelement()
            if self.used + size <= self.budget:
                self.states[key] = hidden
                self.used += size
        else:
            self.hits += 1
        with only_blocks(self.decoder, self.start, self.stop, final_norm=True):
            top = self.decoder(
                inputs_embeds=hidden, attention_mask=batch["attention_mask"]
            ).last_hidden_state
        return reply_loss(self.head, top, batch["labels"])

    def _lower(self, batch: dict) -> Any:
        import torch

        with torch.no_grad(), only_blocks(self.decoder, 0, self.start, final_norm=False):
            return self.decoder(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).last_hidden_state
