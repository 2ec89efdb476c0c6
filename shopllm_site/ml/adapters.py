"""Per-shop model versions over one shared base model: LoRA adapters swapped in place.

A worker keeps ONE base model in memory. A shop's tuned copy model is a small PEFT LoRA adapter
folder (a few MB); the first time a folder is asked for it is loaded onto the base model (peft
injects LoRA layers into the base model's own modules), later swaps only switch which adapter
is active (`set_adapter`), and "no adapter" switches the LoRA layers off (the base model as it
was). Swapping costs milliseconds; `AdapterSet.swap_seconds` records each switch so the bench can
report it.

A version trained with full fine-tuning (small models only) is a whole model folder instead: it
is loaded once as a second model, kept next to the base (at most one such model at a time).

No app is imported here; the caller (generation's pipeline) says which folder to use.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Adapters kept loaded at once (LRU); each is small, but a worker serving many shops should not
# grow without bound.
MAX_LOADED_ADAPTERS = 16
ADAPTER_CONFIG = "adapter_config.json"


def is_adapter_folder(path: str | Path) -> bool:
    return (Path(path) / ADAPTER_CONFIG).exists()


def is_full_model_folder(path: str | Path) -> bool:
    folder = Path(path)
    return (folder / "config.json").exists() and any(folder.glob("*.safetensors"))


def adapter_name(path: str | Path) -> str:
    """A stable peft adapter name for a folder (peft names may not contain dots)."""
    return "v" + hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]


class AdapterSet:
    """The adapters loaded onto one base model, and which one is active.

    `activate(path)` returns the model to run: the base model with the folder's adapter active
    (loaded on first use), the base model with adapters off for `None`, or the full fine-tuned
    model of a full-weights folder. Not thread-safe by itself: the generator calls it under its
    own lock, for the whole generate() call.
    """

    def __init__(self, base_model: Any, *, device: str = "cpu", dtype: Any = None):
        self.base_model = base_model
        self.device = device
        self.dtype = dtype
        self.peft_model: Any = None
        self.loaded: OrderedDict[str, str] = OrderedDict()  # adapter name -> folder
        self.active: str | None = None  # folder of the active adapter, None = base
        self._full: tuple[str, Any] | None = None
        self.swap_seconds: list[float] = []
        self.load_seconds: list[float] = []

    def activate(self, path: str | Path | None) -> Any:
        path = str(path) if path else None
        if path == self.active:
            return self._current_model()
        started = time.perf_counter()
        if path is None:
            self._disable()
            model = self.base_model
        elif is_adapter_folder(path):
            model = self._enable(path)
        elif is_full_model_folder(path):
            self._disable()
            model = self._full_model(path)
        else:
            raise FileNotFoundError(f"No adapter or model in {path}")
        self.active = path
        self.swap_seconds.append(time.perf_counter() - started)
        return model

    def _current_model(self) -> Any:
        if self.active and self._full and self._full[0] == self.active:
            return self._full[1]
        return self.base_model

    def _disable(self) -> None:
        if self.peft_model is not None:
            self.peft_model.base_model.disable_adapter_layers()

    def _enable(self, path: str) -> Any:
        from peft import PeftModel

        name = adapter_name(path)
        if name not in self.loaded:
            started = time.perf_counter()
            if self.peft_model is None:
                # Injects LoRA layers into the base model's modules: the base model object now
                # runs the active adapter, and runs as before with the layers disabled.
                self.peft_model = PeftModel.from_pretrained(
                    self.base_model, path, adapter_name=name, is_trainable=False
                )
            else:
                self.peft_model.load_adapter(path, adapter_name=name, is_trainable=False)
            self.peft_model.to(self.device)
            self.peft_model.eval()
            self.loaded[name] = path
            self.load_seconds.append(time.perf_counter() - started)
            log.info("Loaded adapter %s in %.2f s", path, self.load_seconds[-1])
            self._evict(keep=name)
        self.loaded.move_to_end(name)
        self.peft_model.set_adapter(name)
        self.peft_model.base_model.enable_adapter_layers()
        return self.base_model

    def _evict(self, keep: str) -> None:
        while len(self.loaded) > MAX_LOADED_ADAPTERS:
            name, folder = next(iter(self.loaded.items()))
            if name == keep:
                self.loaded.move_to_end(name)
                continue
            self.peft_model.delete_adapter(name)
            del self.loaded[name]
            if self.active == folder:
                self.active = None

    def _full_model(self, path: str) -> Any:
        if self._full is None or self._full[0] != path:
            from transformers import AutoModelForCausalLM

            self._full = None  # free the previous one first
            model = AutoModelForCausalLM.from_pretrained(path, dtype=self.dtype)
            model.to(self.device)
            model.eval()
            self._full = (path, model)
        return self._full[1]


class AdapterChoice(threading.local):
    """Which adapter folder the current thread asked for (None = the base model)."""

    path: str | None = None


@contextmanager
def with_adapter(generator: Any, path: str | Path | None) -> Iterator[Any]:
    """Run the generator's calls inside the block with the adapter (or full model) in `path`;
    None (no tuned version) is the base model. For a backend that cannot swap adapters (the
    OpenAI-compatible one) a folder is an error rather than silently using the base model."""
    if path is None and not hasattr(generator, "use_adapter"):
        yield generator
        return
    if not hasattr(generator, "use_adapter"):
        raise RuntimeError(
            f"The generator backend {getattr(generator, 'name', generator)!r} cannot load a "
            "tuned model version; use the local backend or roll the version back."
        )
    with generator.use_adapter(path):
        yield generator
