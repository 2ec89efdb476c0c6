"""Contrastive fine-tuning of the sentence encoder on a shop's pairs (a plain torch loop).

The loss is the multiple-negatives ranking loss of sentence-transformers: in a batch of
(anchor, positive) pairs every other positive is a negative for an anchor; the cosine scores,
times `scale`, go through a cross-entropy whose right answer is the anchor's own positive. It is
taken both ways (anchor -> positive and back), since co-purchase and co-view pairs have no
direction. Two rows of a batch sharing a text would punish a right match, so such columns are
masked out.

Hard negatives: batches are made of runs of `hard_negatives` pairs from one group (a product
category), so each anchor meets a few texts of its own category (a coffee scale's question next
to a baking scale's fact) besides the random rest of the batch; 0 or 1 is a plain shuffle.

No masked-language-model warm-up: the packaged all-MiniLM-L6-v2 ships the sentence encoder
without its MLM head, and a head trained from nothing in a short run teaches the encoder noise.

The device comes from SHOPLLM_ENCODER_DEVICE ("auto" = CUDA when there is a card), so the same
job runs unchanged on a GPU worker. Weights are saved as safetensors with the tokenizer, a folder
that `TransformerEncoder.load` reads like the packaged model.
"""

from __future__ import annotations

import logging
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from training.encoder_data import Pair

log = logging.getLogger(__name__)

MAX_HELDOUT_PAIRS = 256


@dataclass
class EncoderTrainSettings:
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 5e-5
    max_length: int = 128
    warmup_share: float = 0.1
    scale: float = 20.0
    weight_decay: float = 0.01
    max_steps: int = 0  # 0: the epochs decide
    seed: int = 0
    hard_negatives: int = 8  # pairs of one category kept together in a batch (module doc)

    @classmethod
    def from_dict(cls, values: dict | None) -> EncoderTrainSettings:
        known = {k: v for k, v in (values or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)

    def total_steps(self, n_pairs: int) -> int:
        per_epoch = n_pairs // self.batch_size + (1 if n_pairs % self.batch_size >= 2 else 0)
        steps = per_epoch * self.epochs
        return min(steps, self.max_steps) if self.max_steps else steps


@dataclass
class StepReport:
    step: int
    total: int
    loss: float
    examples_per_s: float
    tokens_per_s: float
    elapsed_s: float
    eta_s: float

    def as_point(self) -> dict:
        return {
            "step": self.step,
            "loss": round(self.loss, 4),
            "at": round(self.elapsed_s, 2),
            "examples_per_s": round(self.examples_per_s, 1),
            "tokens_per_s": round(self.tokens_per_s, 0),
            "eta_s": round(self.eta_s, 1),
        }


@dataclass
class TrainResult:
    model: Any
    tokenizer: Any
    device: str
    steps: int = 0
    examples: int = 0
    tokens: int = 0
    seconds: float = 0.0
    curve: list[dict] = field(default_factory=list)
    heldout_before: float | None = None
    heldout_after: float | None = None

    def throughput(self) -> dict:
        seconds = max(self.seconds, 1e-9)
        return {
            "steps": self.steps,
            "examples": self.examples,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 2),
            "examples_per_s": round(self.examples / seconds, 1),
            "tokens_per_s": round(self.tokens / seconds, 0),
            "device": self.device,
        }


def load_trainable(path: str, device: str) -> tuple[Any, Any]:
    """The transformer and tokenizer of an encoder folder, ready to train on `device`."""
    from transformers import AutoModel, AutoTokenizer

    from shopllm_site.ml.devices import quiet_transformers

    quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).to(device)
    return model, tokenizer


def embed_batch(model, tokenizer, texts: list[str], device: str, max_length: int):
    """Mean-pooled unit vectors (a torch tensor, with grad when enabled) and the token count."""
    import torch

    tokens = tokenizer(
        [text if text.strip() else " " for text in texts],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    ).to(device)
    hidden = model(**tokens).last_hidden_state
    mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1), int(tokens["attention_mask"].sum())


def batch_loss(model, tokenizer, batch: list[Pair], device: str, settings: EncoderTrainSettings):
    """The symmetric multiple-negatives ranking loss of one batch, and its token count."""
    import torch

    anchors, anchor_tokens = embed_batch(
        model, tokenizer, [p.anchor for p in batch], device, settings.max_length
    )
    positives, positive_tokens = embed_batch(
        model, tokenizer, [p.positive for p in batch], device, settings.max_length
    )
    scores = anchors @ positives.T * settings.scale
    # A column whose text equals the row's own positive (or whose anchor equals the row's
    # anchor) is not a negative: mask it, keeping the diagonal.
    same = torch.tensor(
        [
            [
                i != j and (a.positive == b.positive or a.anchor == b.anchor)
                for j, b in enumerate(batch)
            ]
            for i, a in enumerate(batch)
        ],
        device=scores.device,
    )
    scores = scores.masked_fill(same, float("-inf"))
    labels = torch.arange(len(batch), device=scores.device)
    loss = (
        torch.nn.functional.cross_entropy(scores, labels)
        + torch.nn.functional.cross_entropy(scores.T, labels)
    ) / 2
    return loss, anchor_tokens + positive_tokens


def heldout_loss(
    model, tokenizer, pairs: list[Pair], device: str, settings: EncoderTrainSettings
) -> float | None:
    """The mean loss over held-out pairs in fixed batches (None with fewer than two pairs); a
    fixed sample of MAX_HELDOUT_PAIRS when there are more."""
    import torch

    if len(pairs) > MAX_HELDOUT_PAIRS:
        pairs = random.Random(0).sample(pairs, MAX_HELDOUT_PAIRS)
    batches = [
        pairs[start : start + settings.batch_size]
        for start in range(0, len(pairs), settings.batch_size)
    ]
    batches = [batch for batch in batches if len(batch) >= 2]
    if not batches:
        return None
    was_training = model.training
    model.eval()
    total = 0.0
    with torch.inference_mode():
        for batch in batches:
            loss, _ = batch_loss(model, tokenizer, batch, device, settings)
            total += float(loss)
    model.train(was_training)
    return total / len(batches)


def epoch_order(pairs: list[Pair], run: int, rng: random.Random) -> list[Pair]:
    """The pairs shuffled, then (with `run` > 1) cut into runs of up to `run` pairs of one
    group, the runs shuffled and joined: batches cut from the result hold same-group runs."""
    order = list(pairs)
    rng.shuffle(order)
    if run <= 1:
        return order
    by_group: dict[str, list[Pair]] = {}
    for pair in order:
        by_group.setdefault(pair.group, []).append(pair)
    runs = [
        members[start : start + run]
        for members in by_group.values()
        for start in range(0, len(members), run)
    ]
    rng.shuffle(runs)
    return [pair for chunk in runs for pair in chunk]


def _batches(pairs: list[Pair], settings: EncoderTrainSettings):
    rng = random.Random(settings.seed)
    for _ in range(settings.epochs):
        order = epoch_order(pairs, settings.hard_negatives, rng)
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            if len(batch) >= 2:
                yield batch


def train(
    base_path: str,
    pairs: list[Pair],
    settings: EncoderTrainSettings,
    *,
    device: str = "cpu",
    threads: int = 0,
    heldout: list[Pair] | None = None,
    on_step: Callable[[StepReport], None] | None = None,
) -> TrainResult:
    """Fine-tune the encoder in `base_path` on `pairs`; `on_step` hears every step (it may
    raise to stop, e.g. when the job was cancelled). With `heldout`, the loss on those pairs is
    measured before and after."""
    import torch

    from shopllm_site.ml.devices import use_cpu_threads

    torch.manual_seed(settings.seed)
    use_cpu_threads(threads, device)
    model, tokenizer = load_trainable(base_path, device)
    model.train()
    total = settings.total_steps(len(pairs))
    result = TrainResult(model=model, tokenizer=tokenizer, device=device)
    if heldout:
        result.heldout_before = heldout_loss(model, tokenizer, heldout, device, settings)
    if total == 0:
        model.eval()
        result.heldout_after = result.heldout_before
        return result
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    warmup = max(1, int(total * settings.warmup_share))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    started = time.perf_counter()
    for batch in _batches(pairs, settings):
        loss, tokens = batch_loss(model, tokenizer, batch, device, settings)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        result.steps += 1
        result.examples += len(batch)
        result.tokens += tokens
        elapsed = time.perf_counter() - started
        report = StepReport(
            step=result.steps,
            total=total,
            loss=float(loss.detach()),
            examples_per_s=result.examples / max(elapsed, 1e-9),
            tokens_per_s=result.tokens / max(elapsed, 1e-9),
            elapsed_s=elapsed,
            eta_s=elapsed / result.steps * (total - result.steps),
        )
        result.curve.append(report.as_point())
        if on_step is not None:
            on_step(report)
        if result.steps >= total:
            break
    result.seconds = time.perf_counter() - started
    model.eval()
    if heldout:
        result.heldout_after = heldout_loss(model, tokenizer, heldout, device, settings)
    log.info("Encoder trained: %s", result.throughput())
    return result


def save_model(result: TrainResult, folder: Path) -> str:
    """Write the adapted encoder to `folder` (through a temporary sibling renamed into place,
    so a reader never sees half a model); returns the folder as a string."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=folder.parent))
    try:
        result.model.save_pretrained(tmp, safe_serialization=True)
        result.tokenizer.save_pretrained(tmp)
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(folder)


def mean_loss(curve: list[dict], last: int = 0) -> float | None:
    points = curve[-last:] if last else curve
    values = [point["loss"] for point in points if math.isfinite(point.get("loss", math.nan))]
    return sum(values) / len(values) if values else None
