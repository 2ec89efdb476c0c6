"""The two caches of the model package: loaded models per process, and the GGUF saved once as
safetensors on disk."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

from shopllm_site.ml.devices import quiet_transformers

log = logging.getLogger(__name__)

Model = TypeVar("Model")


class ModelSlot(Generic[Model]):
    """One loaded model per process, built on first use (once, however many threads ask) and
    rebuilt only when the settings it was built from (`key`) change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (key, model) swapped as one tuple, so a reader never pairs one model with another's key.
        self._entry: tuple[Hashable, Model] | None = None

    def get(self, key: Hashable, build: Callable[[], Model]) -> Model:
        entry = self._entry
        if entry is not None and entry[0] == key:
            return entry[1]
        with self._lock:
            if self._entry is None or self._entry[0] != key:
                self._entry = (key, build())
            return self._entry[1]

    def set(self, key: Hashable, model: Model | None) -> None:
        """Install `model` for settings `key` (tests, benchmarks); None forgets the current one."""
        with self._lock:
            self._entry = None if model is None else (key, model)


def is_complete(folder: Path) -> bool:
    return (folder / "config.json").exists() and any(folder.glob("*.safetensors"))


def cache_gguf_as_safetensors(folder: Path, gguf_file: str, cache_folder: Path) -> Path:
    """Dequantize the GGUF once and save model + tokenizer as safetensors in `cache_folder`.

    Written to a temporary folder next to it and renamed into place, so that two processes
    doing this at once never leave a half-written cache (the loser's copy is discarded).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    started = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=gguf_file)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_file)
    # save_pretrained refuses a quantizer-loaded model; the weights are already dequantized.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False
    cache_folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=cache_folder.name + ".tmp-", dir=cache_folder.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        try:
            os.rename(tmp, cache_folder)
        except OSError:
            if not is_complete(cache_folder):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("Cached %s as safetensors in %.1f s", gguf_file, time.perf_counter() - started)
    return cache_folder
