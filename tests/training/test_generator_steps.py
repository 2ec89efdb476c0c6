"""The cheap training step computes the loss the whole model does: the LM head on the reply's
positions only, and the top blocks fed from the cached output of the frozen lower ones."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from training.generator_steps import (  # noqa: E402
    IGNORE,
    BatchLoss,
    first_trainable_block,
    token_loss,
)
from training.generator_train import Encoded, batch_order, collate  # noqa: E402


def tiny_lora_model(lora_blocks: list[int]):
    """A small random Llama (4 blocks) with non-zero LoRA weights on `lora_blocks`."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=97,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    model = LlamaForCausalLM(config)
    lora = LoraConfig(
        r=4,
        lora_alpha=8,
        lora_dropout=0.0,
        target_modules=["q_proj", "v_proj", "down_proj"],
        layers_to_transform=lora_blocks,
        init_lora_weights=False,
    )
    return get_peft_model(model, lora)


def padded_batch() -> dict:
    """Rows of different lengths (right padding), labels on each row's last few tokens."""
    items = []
    for length, reply in ((12, 4), (9, 3), (7, 5)):
        ids = [(length * 7 + i * 5) % 90 + 3 for i in range(length)]
        labels = [IGNORE] * (length - reply) + ids[length - reply :]
        items.append(Encoded(ids, labels))
    return collate(items, pad_id=0, device="cpu")


def full_logits_loss(model, batch) -> tuple[float, int]:
    """The plain way: logits for every position, the prompt's labels ignored."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets = batch["labels"][:, 1:]
    loss = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]).float(),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )
    return float(loss), int((targets != IGNORE).sum())


def test_reply_only_head_gives_the_whole_models_loss():
    model = tiny_lora_model([2, 3])
    model.eval()
    batch = padded_batch()
    expected, count = full_logits_loss(model, batch)
    with torch.no_grad():
        loss, tokens = token_loss(model, batch)
    assert tokens == count == 4 + 3 + 5
    assert float(loss) == pytest.approx(expected, rel=1e-5)


def test_cached_lower_blocks_give_the_same_loss_and_gradients():
    model = tiny_lora_model([2, 3])
    model.train()
    decoder = model.get_base_model().model
    assert first_trainable_block(decoder) == 2
    batch = padded_batch()
    expected, _count = full_logits_loss(model, batch)
    model.zero_grad()
    reference, _ = token_loss(model, batch)
    reference.backward()
    reference_grads = {
        name: p.grad.clone() for name, p in model.named_parameters() if p.requires_grad
    }

    batch_loss = BatchLoss(model, budget_bytes=2**20)
    assert batch_loss.caching and batch_loss.start == 2
    for _attempt in range(2):  # the first fills the cache, the second reads it
        model.zero_grad()
        loss, _tokens = batch_loss((0, 1, 2), batch)
        loss.backward()
        assert float(loss) == pytest.approx(expected, rel=1e-5)
        for name, p in model.named_parameters():
            if p.requires_grad:
                assert torch.allclose(p.grad, reference_grads[name], atol=1e-6), name
    assert batch_loss.hits == 1 and len(batch_loss.states) == 1
    # The decoder has all its blocks and its norm back after each call.
    assert len(decoder.layers) == 4 and not isinstance(decoder.norm, torch.nn.Identity)


def test_no_cache_when_every_block_trains_or_the_budget_is_spent():
    model = tiny_lora_model([0, 1, 2, 3])
    assert not BatchLoss(model, budget_bytes=2**20).caching
    model = tiny_lora_model([3])
    batch_loss = BatchLoss(model, budget_bytes=16)  # too small for any batch
    batch = padded_batch()
    first, _ = batch_loss((0,), batch)
    second, _ = batch_loss((0,), batch)
    assert not batch_loss.states and batch_loss.hits == 0
    assert float(first) == pytest.approx(float(second), rel=1e-6)


def test_batches_have_the_same_members_every_epoch_grouped_by_length():
    items = [Encoded([1] * length, [IGNORE] * length) for length in (5, 30, 6, 29)]
    first = batch_order(items, 2, seed=13, epoch=0)
    second = batch_order(items, 2, seed=13, epoch=1)
    assert sorted(map(tuple, first)) == sorted(map(tuple, second))
    assert batch_order(items, 2, seed=13, epoch=1) == second  # a fixed function of the epoch
    for batch in first:
        lengths = [len(items[i].input_ids) for i in batch]
        assert max(lengths) - min(lengths) <= 2
