"""The generator protocol, its decoding knobs, and the process-wide generator chosen by settings.

`get_generator()` is THE way any app gets the language model: the backend named by
SHOPLLM_GENERATOR_BACKEND ("local": a transformers causal LM in this process; "openai": an
OpenAI-compatible server), built once per process on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from shopllm_site.ml.cache import ModelSlot


@dataclass(frozen=True)
class GenerationParams:
    """Decoding knobs. temperature 0 means greedy (deterministic); seed applies when sampling.

    repetition_penalty (1.0 = off) and no_repeat_ngram_size (0 = off) curb the loops small models
    fall into; the local backend applies them to the generated tokens only (not the prompt, so
    the copy may still repeat the product's facts). Backends that cannot honour them (the
    OpenAI-compatible one, for now) ignore them.

    examples: earlier (user, assistant) exchanges put before each prompt in the chat (few-shot
    examples, the same for every prompt of the call). Empty by default.

    Per-prompt overrides, for one batch that mixes products and candidates (verifier-guided
    copy samples several candidates per product in the same batch): prompt_examples holds one
    examples tuple per prompt (replacing `examples`), prompt_temperatures one temperature per
    prompt (0 = greedy for that prompt; replacing `temperature`). Empty = not used; when set,
    their length must equal the number of prompts.

    prompt_vocabularies: per prompt, the words its copy may use (empty tuple: any); tokens of
    other words lose vocabulary_penalty from their scores (inf forbids them). Backends that
    cannot (the OpenAI-compatible one) ignore it: the copy checks judge every word anyway.
    """

    max_new_tokens: int = 160
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    examples: tuple[tuple[str, str], ...] = ()
    prompt_examples: tuple[tuple[tuple[str, str], ...], ...] = ()
    prompt_temperatures: tuple[float, ...] = ()
    prompt_vocabularies: tuple[tuple[str, ...], ...] = ()
    vocabulary_penalty: float = 0.0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        if self.temperature < 0:
            raise ValueError("temperature must not be negative")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.repetition_penalty < 1:
            raise ValueError("repetition_penalty must be at least 1 (1 = off)")
        if self.no_repeat_ngram_size < 0:
            raise ValueError("no_repeat_ngram_size must not be negative (0 = off)")
        if any(temperature < 0 for temperature in self.prompt_temperatures):
            raise ValueError("prompt_temperatures must not be negative")
        if self.vocabulary_penalty < 0:
            raise ValueError("vocabulary_penalty must not be negative (0 = off)")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0 and not any(self.prompt_temperatures)

    def check_prompt_count(self, count: int) -> None:
        """Per-prompt overrides must match the prompts one to one."""
        for name in ("prompt_examples", "prompt_temperatures", "prompt_vocabularies"):
            values = getattr(self, name)
            if values and len(values) != count:
                raise ValueError(f"{name} has {len(values)} entries for {count} prompts")

    def examples_for(self, index: int) -> tuple[tuple[str, str], ...]:
        return self.prompt_examples[index] if self.prompt_examples else self.examples

    def temperature_for(self, index: int) -> float:
        return self.prompt_temperatures[index] if self.prompt_temperatures else self.temperature

    def vocabulary_for(self, index: int) -> tuple[str, ...]:
        """The words prompt `index` may use; empty = any (also when the penalty is off)."""
        if not self.vocabulary_penalty or not self.prompt_vocabularies:
            return ()
        return self.prompt_vocabularies[index]


@runtime_checkable
class Generator(Protocol):
    """Turns chat prompts (one user message each) into completions, one per prompt, in order."""

    name: str

    def generate(
        self, prompts: list[str], params: GenerationParams, *, system: str | None = None
    ) -> list[str]: ...


class GeneratorError(RuntimeError):
    """The model server failed or answered something unexpected."""


_generators: ModelSlot[Generator] = ModelSlot()


def _settings_key() -> tuple:
    from django.conf import settings

    return (
        settings.SHOPLLM_GENERATOR_BACKEND,
        settings.SHOPLLM_GENERATOR_MODEL,
        settings.SHOPLLM_GENERATOR_DEVICE,
        settings.SHOPLLM_GENERATOR_DTYPE,
        settings.SHOPLLM_GENERATOR_BATCH_SIZE,
        settings.SHOPLLM_GENERATOR_THREADS,
        settings.SHOPLLM_OPENAI_BASE_URL,
        settings.SHOPLLM_OPENAI_MODEL,
    )


def build_generator() -> Generator:
    """A new generator from the current settings (loads the model; prefer `get_generator`)."""
    from django.conf import settings

    backend = settings.SHOPLLM_GENERATOR_BACKEND
    if backend == "openai":
        from shopllm_site.ml.openai_generator import OpenAICompatibleGenerator

        return OpenAICompatibleGenerator(
            base_url=settings.SHOPLLM_OPENAI_BASE_URL,
            api_key=settings.SHOPLLM_OPENAI_API_KEY,
            model=settings.SHOPLLM_OPENAI_MODEL,
        )
    if backend == "local":
        from shopllm_site.ml.local_generator import LocalGenerator

        return LocalGenerator.from_settings()
    raise ValueError(f"Unknown generator backend {backend!r}")


def get_generator() -> Generator:
    """The process-wide generator; built on first use, rebuilt only if the settings change."""
    return _generators.get(_settings_key(), build_generator)


def set_generator(generator: Generator | None) -> None:
    """Install a generator for this process (tests, benchmarks); None forgets the current one."""
    _generators.set(_settings_key(), generator)
