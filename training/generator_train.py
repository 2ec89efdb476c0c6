"""Tuning the copy model on a shop's approved copy: a plain torch loop, resumable.

LoRA by default (peft; one small adapter per shop over the shared base model), full fine-tuning by
setting for small models. The loss counts the reply's tokens only (the prompt is context, not
something to learn to write). Every `checkpoint_every` steps the adapter (or the weights), the
optimizer, the schedule and the curve are written to `<version folder>/checkpoint`, atomically; a
job re-run after its worker died (catalog.jobs re-queues it) loads that and continues from its
step: the batches are a fixed function of (seed, epoch), so the resumed run sees exactly the
batches the lost one had not reached. Cancellation is honoured between steps (the job's progress
report raises JobCancelled).

A step costs little more than the work the loss needs (training/generator_steps.py): the LM head
runs on the reply's positions only, batches hold examples of similar length (little padding),
and the frozen blocks below the LoRA ones run once per batch, not once per epoch: later epochs
feed their cached output to the top blocks alone. The loss is the same either way.

Device and dtype follow the generator's settings (SHOPLLM_GENERATOR_DEVICE / _DTYPE), so a GPU
worker runs the same job unchanged, with whatever base model SHOPLLM_GENERATOR_MODEL names.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from django.conf import settings

from catalog.errors import InvalidInput
from shopllm_site.ml.devices import (
    quiet_transformers,
    resolve_device,
    resolve_dtype,
    use_cpu_threads,
)
from training.generator_data import HELDOUT, TRAIN, CopyExample
from training.generator_steps import IGNORE, BatchLoss, token_loss

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint"
STATE_FILE = "trainer_state.pt"


@dataclass(frozen=True)
class TrainSettings:
    """What a run may be told; stored with the version (ModelVersion.training_settings)."""

    method: str = "lora"  # "lora" or "full"
    rank: int = 16
    # LoRA on the top `lora_layers` transformer blocks only (0 = every block): backward then
    # stops there, which on a CPU roughly halves a step (SmolLM2-135M has 30 blocks).
    lora_layers: int = 8
    alpha: int = 32
    dropout: float = 0.05
    epochs: int = 2
    learning_rate: float = 1e-3  # LoRA; full fine-tuning uses `full_learning_rate`
    full_learning_rate: float = 5e-5
    batch_size: int = 8
    max_length: int = 384
    warmup_share: float = 0.06
    checkpoint_every: int = 10
    seed: int = 13
    eval_products: int = 8  # held-out products drafted with the base and the tuned model
    max_steps: int = 0  # 0 = epochs decide; tests and benches may cap the run
    max_heldout: int = 0  # held-out examples scored for the loss (0 = all of them)
    # Memory for the frozen lower blocks' outputs, kept per batch so that epochs after the
    # first run the top blocks only (training/generator_steps.py); 0 = run every block always.
    cache_mb: int = 1024

    @classmethod
    def from_dict(cls, values: dict | None) -> TrainSettings:
        """Known keys only, each checked; raises InvalidInput naming the bad field."""
        values = dict(values or {})
        values.setdefault("method", settings.SHOPLLM_TRAINING_METHOD)
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise InvalidInput(f"Unknown training settings: {', '.join(sorted(unknown))}.")
        cleaned: dict[str, Any] = {}
        for name, value in values.items():
            kind = type(getattr(cls(), name))
            try:
                cleaned[name] = kind(value)
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"{name} must be a {kind.__name__}.", fields={name: ["Invalid value."]}
                ) from None
        candidate = cls(**cleaned)
        candidate.check()
        return candidate

    def check(self) -> None:
        problems = {}
        if self.method not in ("lora", "full"):
            problems["method"] = "Choose lora or full."
        if self.lora_layers < 0:
            problems["lora_layers"] = "Not negative (0 = every block)."
        if not 1 <= self.rank <= 256:
            problems["rank"] = "Between 1 and 256."
        if not 1 <= self.epochs <= 20:
            problems["epochs"] = "Between 1 and 20."
        if not 0 < self.learning_rate <= 0.1:
            problems["learning_rate"] = "Between 0 and 0.1."
        if not 1 <= self.batch_size <= 256:
            problems["batch_size"] = "Between 1 and 256."
        if not 32 <= self.max_length <= 8192:
            problems["max_length"] = "Between 32 and 8192 tokens."
        if self.checkpoint_every < 1:
            problems["checkpoint_every"] = "At least 1."
        if not 0 <= self.eval_products <= 100:
            problems["eval_products"] = "Between 0 and 100."
        if self.max_steps < 0 or self.max_heldout < 0:
            problems["max_steps"] = "Not negative."
        if self.cache_mb < 0:
            problems["cache_mb"] = "Not negative (0 = no cache)."
        if problems:
            raise InvalidInput(
                "Check the training settings.", fields={k: [v] for k, v in problems.items()}
            )

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def lr(self) -> float:
        return self.full_learning_rate if self.method == "full" else self.learning_rate


# --- Tokenizing -------------------------------------------------------------------------------


@dataclass
class Encoded:
    input_ids: list[int]
    labels: list[int]  # IGNORE on the prompt's tokens


def chat_texts(tokenizer: Any, example: CopyExample) -> tuple[str, str]:
    """(the chat up to the reply, as the generator renders it for the model to answer; the
    whole chat with the reply and its end token)."""
    prompt_text = tokenizer.apply_chat_template(
        example.messages(reply=False), tokenize=False, add_generation_prompt=True
    )
    full_text = tokenizer.apply_chat_template(example.messages(), tokenize=False)
    return prompt_text, full_text


def encode(tokenizer: Any, example: CopyExample, max_length: int) -> Encoded:
    """The chat as the generator renders it; labels only on the reply (and its end token)."""
    prompt_text, full_text = chat_texts(tokenizer, example)
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(full_text, add_special_tokens=False)["input_ids"]
    if full_ids[: len(prompt_ids)] != prompt_ids:  # a template that re-tokenizes the seam
        reply_ids = tokenizer(full_text[len(prompt_text) :], add_special_tokens=False)["input_ids"]
        full_ids = prompt_ids + reply_ids
    reply_ids = full_ids[len(prompt_ids) :]
    # Keep the whole prompt when it fits (else its end); a reply too long is cut at its end.
    prompt_ids = prompt_ids[-(max_length - 8) :]
    input_ids = (prompt_ids + reply_ids)[:max_length]
    labels = ([IGNORE] * len(prompt_ids) + reply_ids)[:max_length]
    return Encoded(input_ids, labels)


def collate(batch: list[Encoded], pad_id: int, device: str) -> dict:
    import torch

    width = max(len(item.input_ids) for item in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, item in enumerate(batch):
        ids[row, : len(item.input_ids)] = torch.tensor(item.input_ids)
        labels[row, : len(item.labels)] = torch.tensor(item.labels)
        mask[row, : len(item.input_ids)] = 1
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "labels": labels.to(device),
    }


def batch_order(items: list[Encoded], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """The epoch's batches as index lists: similar lengths together (little padding), batch
    order shuffled by (seed, epoch) — the same on every run, which is what makes resuming exact."""
    ranked = sorted(range(len(items)), key=lambda index: (len(items[index].input_ids), index))
    batches = [ranked[i : i + batch_size] for i in range(0, len(ranked), batch_size)]
    random.Random(seed * 1000 + epoch).shuffle(batches)
    return batches


def heldout_loss(model: Any, items: list[Encoded], pad_id: int, device: str, batch_size: int):
    """Mean loss per reply token over the held-out set (and its perplexity)."""
    import torch

    if not items:
        return None
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for batch in batch_order(items, batch_size, 0, 0):
            loss, tokens = token_loss(model, collate([items[i] for i in batch], pad_id, device))
            total += float(loss)
            count += tokens
    if was_training:
        model.train()
    mean = total / max(count, 1)
    return {"loss": round(mean, 4), "perplexity": round(math.exp(min(mean, 50)), 3)}


# --- The run ----------------------------------------------------------------------------------


@dataclass
class Progress:
    """What the loop reports after each step (job progress + the version's curve)."""

    step: int
    total_steps: int
    loss: float
    examples_per_s: float
    tokens_per_s: float
    eta_s: float
    elapsed_s: float


def base_model_source() -> str:
    from shopllm_site.ml.local_generator import resolve_model_source

    return resolve_model_source(settings.SHOPLLM_GENERATOR_MODEL, settings.SHOPLLM_MODEL_CACHE_DIR)


def _atomic_replace(tmp: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


class CopyModelTrainer:
    """One training run into `folder`; `run(report)` trains (or resumes) and returns the result.

    `report(progress)` is called after every step; it may raise (JobCancelled) to stop the run,
    which leaves the last checkpoint in place for a later resume.
    """

    def __init__(self, examples: list[CopyExample], folder: Path, train_settings: TrainSettings):
        self.examples = examples
        self.folder = Path(folder)
        self.settings = train_settings
        self.device = resolve_device(settings.SHOPLLM_GENERATOR_DEVICE)
        self.base_source = base_model_source()

    def _load(self) -> tuple[Any, Any]:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        quiet_transformers()
        tokenizer = AutoTokenizer.from_pretrained(self.base_source)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        if self.settings.method == "full" or self.device == "cpu":
            # fp32: AdamW in bf16 loses small updates (full fine-tuning), and CPUs without
            # bf16 units run bf16 backward passes far slower than fp32 (measured here: a bf16
            # step did not finish in the time fp32 did six).
            dtype = torch.float32
        else:
            dtype = resolve_dtype(settings.SHOPLLM_GENERATOR_DTYPE, self.device)
        model = AutoModelForCausalLM.from_pretrained(self.base_source, dtype=dtype)
        model.to(self.device)
        return model, tokenizer

    def _wrap_lora(self, model: Any) -> Any:
        from peft import LoraConfig, PeftModel, get_peft_model

        checkpoint = self.folder / CHECKPOINT
        if (checkpoint / "adapter_config.json").exists():
            return PeftModel.from_pretrained(model, str(checkpoint), is_trainable=True)
        blocks = getattr(model.config, "num_hidden_layers", 0)
        layers = None
        if self.settings.lora_layers and blocks > self.settings.lora_layers:
            layers = list(range(blocks - self.settings.lora_layers, blocks))
        config = LoraConfig(
            r=self.settings.rank,
            lora_alpha=self.settings.alpha,
            lora_dropout=self.settings.dropout,
            target_modules=[
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ],
            layers_to_transform=layers,
            task_type="CAUSAL_LM",
        )
        return get_peft_model(model, config)

    def run(self, report) -> dict:
        import torch

        torch.manual_seed(self.settings.seed)
        use_cpu_threads(settings.SHOPLLM_GENERATOR_THREADS, self.device)
        started = time.perf_counter()
        model, tokenizer = self._load()
        checkpoint = self.folder / CHECKPOINT
        resuming = (checkpoint / STATE_FILE).exists()
        if self.settings.method == "full" and resuming:
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained(str(checkpoint), dtype=torch.float32)
            model.to(self.device)
        max_length = self.settings.max_length
        train_items = [encode(tokenizer, e, max_length) for e in self.examples if e.split == TRAIN]
        heldout_items = [
            encode(tokenizer, e, max_length) for e in self.examples if e.split == HELDOUT
        ]
        if self.settings.max_heldout:
            heldout_items = heldout_items[: self.settings.max_heldout]
        train_items = [item for item in train_items if any(t != IGNORE for t in item.labels)]
        pad_id = tokenizer.pad_token_id
        state: dict = {}
        if resuming:
            state = torch.load(checkpoint / STATE_FILE, map_location="cpu", weights_only=False)
        before = state.get("before") or heldout_loss(
            model, heldout_items, pad_id, self.device, self.settings.batch_size
        )
        if self.settings.method == "lora":
            model = self._wrap_lora(model)
        model.train()
        batch_loss = BatchLoss(model, self.settings.cache_mb * 2**20)
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=self.settings.lr, weight_decay=0.0)
        per_epoch = math.ceil(len(train_items) / self.settings.batch_size)
        total_steps = per_epoch * self.settings.epochs
        if self.settings.max_steps:
            total_steps = min(total_steps, self.settings.max_steps)
        warmup = max(1, int(total_steps * self.settings.warmup_share))

        def schedule(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
        step = 0
        curve: list[dict] = []
        examples_seen = tokens_seen = 0
        train_seconds = 0.0
        if state:
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            step = state["step"]
            curve = state["curve"]
            examples_seen = state.get("examples_seen", 0)
            tokens_seen = state.get("tokens_seen", 0)
            train_seconds = state.get("train_seconds", 0.0)
            log.info("Resuming copy-model training in %s at step %s", self.folder, step)
        resumed_from = step
        load_seconds = time.perf_counter() - started
        while step < total_steps:
            epoch, index = divmod(step, per_epoch)
            size, seed = self.settings.batch_size, self.settings.seed
            batch_ids = batch_order(train_items, size, seed, epoch)
            tick = time.perf_counter()
            batch = collate([train_items[i] for i in batch_ids[index]], pad_id, self.device)
            loss_sum, count = batch_loss(tuple(batch_ids[index]), batch)
            loss = loss_sum / max(count, 1)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            train_seconds += time.perf_counter() - tick
            examples_seen += len(batch_ids[index])
            tokens_seen += int(batch["attention_mask"].sum())
            examples_per_s = examples_seen / max(train_seconds, 1e-9)
            eta = (total_steps - step) * train_seconds / max(step, 1)
            point = {
                "step": step,
                "loss": round(float(loss.detach()), 4),
                "at": round(train_seconds, 2),
                "examples_per_s": round(examples_per_s, 2),
                "eta_s": round(eta, 1),
            }
            curve.append(point)
            if step % self.settings.checkpoint_every == 0 and step < total_steps:
                self._checkpoint(
                    model,
                    {
                        "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(),
                        "step": step,
                        "curve": curve,
                        "before": before,
                        "examples_seen": examples_seen,
                        "tokens_seen": tokens_seen,
                        "train_seconds": train_seconds,
                    },
                )
            report(
                Progress(
                    step=step,
                    total_steps=total_steps,
                    loss=point["loss"],
                    examples_per_s=examples_per_s,
                    tokens_per_s=tokens_seen / max(train_seconds, 1e-9),
                    eta_s=eta,
                    elapsed_s=train_seconds,
                ),
                curve,
            )
        after = heldout_loss(model, heldout_items, pad_id, self.device, self.settings.batch_size)
        self._save_final(model, tokenizer)
        return {
            "steps": total_steps,
            "resumed_from_step": resumed_from,
            "curve": curve,
            "train_examples": len(train_items),
            "heldout_examples": len(heldout_items),
            "examples_per_s": round(examples_seen / max(train_seconds, 1e-9), 2),
            "tokens_per_s": round(tokens_seen / max(train_seconds, 1e-9), 1),
            "train_seconds": round(train_seconds, 1),
            "load_seconds": round(load_seconds, 2),
            "frozen_blocks": batch_loss.start if batch_loss.caching else 0,
            "cached_batches": len(batch_loss.states),
            "cache_hits": batch_loss.hits,
            "heldout_before": before,
            "heldout_after": after,
            "device": self.device,
        }

    def _checkpoint(self, model: Any, state: dict) -> None:
        import torch

        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / (CHECKPOINT + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(str(tmp))
        torch.save(state, tmp / STATE_FILE)
        _atomic_replace(tmp, self.folder / CHECKPOINT)

    def _save_final(self, model: Any, tokenizer: Any) -> None:
        """The adapter (or model) at the folder's top level, where the generator loads it; the
        checkpoint goes (its optimizer state is several times the adapter's size)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / "final.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(str(tmp))
        if self.settings.method == "full":
            tokenizer.save_pretrained(str(tmp))
        for item in tmp.iterdir():
            target = self.folder / item.name
            if target.is_dir():
                shutil.rmtree(target)
            item.replace(target)
        tmp.rmdir()
        (self.folder / "shopllm_version.json").write_text(
            json.dumps({"base_model": self.base_source, "settings": self.settings.as_dict()})
        )
        shutil.rmtree(self.folder / CHECKPOINT, ignore_errors=True)
