"""Bulk copy generation: the job path against one product at a time, identical settings.

The job path is what a "generate_copy" job does per chunk of products (generation.pipeline:
draft_copy with CandidateBatch: each product's prompt once per candidate temperature, each with
its own example exchange, the copy's logits processors, one generate() call per chunk of
SHOPLLM_GENERATOR_BATCH_SIZE products, then checks and selection). The baselines send the very
same (prompt, example, temperature, decoding) rows one generate() call at a time ("one row at a
time"), and one product (its candidates together) per call ("one product at a time"). Prints
tokens/s of each (time inside generate()), the ratios, and the job path's time per draft (checks
and selection included), for each batch size and dtype asked for (default: the job's dtype), with
the load average; also model load time cold (GGUF) vs cached (safetensors).

    .venv/bin/python bench/generation_throughput.py --products 8 --skip-cold --threads 1 \
        --batch-sizes 8 24 --skip-product-arm
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench.products_heldout import HELDOUT_PRODUCTS  # noqa: E402
from catalog.models import Product  # noqa: E402
from generation.examples import builtin_example  # noqa: E402
from generation.pipeline import CandidateBatch, draft_copy  # noqa: E402
from generation.prompts import SYSTEM_MESSAGE, PromptOptions  # noqa: E402
from generation.selection import CANDIDATE_TEMPERATURES  # noqa: E402
from shopllm_site.ml import GenerationParams  # noqa: E402
from shopllm_site.ml.cache import cache_gguf_as_safetensors  # noqa: E402
from shopllm_site.ml.devices import resolve_dtype  # noqa: E402
from shopllm_site.ml.local_generator import (  # noqa: E402
    DEFAULT_GGUF,
    LocalGenerator,
    default_model_folder,
)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def row_params(params: GenerationParams, index: int) -> GenerationParams:
    """The settings of row `index` of a batch, for a call that sends that row alone."""
    return replace(
        params,
        prompt_examples=(params.prompt_examples[index],),
        prompt_temperatures=(params.prompt_temperatures[index],),
        prompt_vocabularies=_rows(params.prompt_vocabularies, [index]),
    )


def _rows(values: tuple, rows) -> tuple:
    """Per-prompt values of these rows (empty when the batch sets none)."""
    return tuple(values[i] for i in rows) if values else ()


def generate_counted(generator: LocalGenerator, prompts, params) -> int:
    generator.generate(prompts, params, system=SYSTEM_MESSAGE)
    return generator.last_token_count


def baselines(
    generator: LocalGenerator, chunks: list[CandidateBatch], per_product: int, product_arm: bool
) -> dict:
    arms: dict[str, tuple[int, float]] = {}
    # One row (product x candidate) per generate() call: the naive loop.
    started, tokens = time.perf_counter(), 0
    for batch in chunks:
        for index, prompt in enumerate(batch.prompts):
            tokens += generate_counted(generator, [prompt], row_params(batch.params, index))
    arms["one row at a time"] = (tokens, time.perf_counter() - started)
    if not product_arm:
        return arms
    # One product (its candidates together) per call.
    started, tokens = time.perf_counter(), 0
    for batch in chunks:
        for first in range(0, len(batch.prompts), per_product):
            rows = range(first, first + per_product)
            params = replace(
                batch.params,
                prompt_examples=tuple(batch.params.prompt_examples[i] for i in rows),
                prompt_temperatures=tuple(batch.params.prompt_temperatures[i] for i in rows),
                prompt_vocabularies=_rows(batch.params.prompt_vocabularies, rows),
            )
            tokens += generate_counted(generator, [batch.prompts[i] for i in rows], params)
    arms["one product at a time"] = (tokens, time.perf_counter() - started)
    return arms


class TimedGenerator:
    """The generator as the job calls it, counting the time and tokens of its generate() calls."""

    def __init__(self, generator: LocalGenerator):
        self.generator = generator
        self.name = generator.name
        self.tokens = 0
        self.seconds = 0.0

    def generate(self, prompts, params, *, system=None):
        started = time.perf_counter()
        texts = self.generator.generate(prompts, params, system=system)
        self.seconds += time.perf_counter() - started
        self.tokens += self.generator.last_token_count
        return texts


def job_path(generator: LocalGenerator, products, field, options, batch_size: int) -> tuple:
    """What a job does with SHOPLLM_GENERATOR_BATCH_SIZE = batch_size: chunks of that many
    products through draft_copy (one generate() call each, candidates, checks, selection).
    Returns (tokens, seconds inside generate(), seconds per draft in all)."""
    timed_generator = TimedGenerator(generator)
    started = time.perf_counter()
    for start in range(0, len(products), batch_size):
        chunk = products[start : start + batch_size]
        examples = [builtin_example(product, field) for product in chunk]
        draft_copy(timed_generator, chunk, field, options, examples)
    per_draft = (time.perf_counter() - started) / len(products)
    return timed_generator.tokens, timed_generator.seconds, per_draft


def load_average() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=8)
    parser.add_argument(
        "--batch-sizes",
        type=int,
        nargs="+",
        default=[settings.SHOPLLM_GENERATOR_BATCH_SIZE],
        help="values of SHOPLLM_GENERATOR_BATCH_SIZE to run the job path with (products per job "
        "chunk and rows per forward pass); the baselines run once",
    )
    parser.add_argument(
        "--generator-batch",
        type=int,
        default=0,
        help="rows per forward pass inside generate(), if not the batch size",
    )
    parser.add_argument("--field", default="meta_description")
    parser.add_argument("--length", default="medium")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--dtypes", nargs="+", help="default: SHOPLLM_GENERATOR_DTYPE, as the job resolves it"
    )
    parser.add_argument("--skip-cold", action="store_true", help="skip the GGUF cold load")
    parser.add_argument(
        "--skip-product-arm", action="store_true", help="skip the one-product-at-a-time baseline"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0 = one per core)"
    )
    args = parser.parse_args()

    import torch

    if not args.dtypes:
        resolved = resolve_dtype(settings.SHOPLLM_GENERATOR_DTYPE, args.device)
        args.dtypes = [str(resolved).removeprefix("torch.")]
    if args.threads:
        torch.set_num_threads(args.threads)
    products = [Product(**row) for row in HELDOUT_PRODUCTS[: args.products]]
    options = PromptOptions(length=args.length)
    candidates = len(CANDIDATE_TEMPERATURES)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpus {os.cpu_count()}")
    print(
        f"{len(products)} held-out products x {candidates} candidates, field {args.field} "
        f"(length {args.length}); {load_average()}"
    )

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            _, cold_s = timed(
                lambda: cache_gguf_as_safetensors(
                    default_model_folder(), DEFAULT_GGUF, Path(tmp) / "model"
                )
            )
        print(f"load cold (GGUF dequantize + write safetensors cache): {cold_s:.1f} s")

    # The baselines send each row (or product) alone: chunking does not change them.
    examples = [builtin_example(product, args.field) for product in products]
    chunks = [CandidateBatch.build(products, args.field, options, examples)]
    params = chunks[0].params
    print(
        f"decoding: max_new_tokens {params.max_new_tokens}, temperatures "
        f"{CANDIDATE_TEMPERATURES}, repetition_penalty {params.repetition_penalty}, "
        f"no_repeat_ngram_size {params.no_repeat_ngram_size}, one example exchange per row"
    )

    for dtype in args.dtypes:
        generator, load_s = timed(
            lambda dtype=dtype: LocalGenerator.load(
                "default",
                cache_dir=settings.SHOPLLM_MODEL_CACHE_DIR,
                device=args.device,
                dtype=dtype,
                batch_size=args.generator_batch or args.batch_sizes[0],
                threads=args.threads,
            )
        )
        print(f"\n[{dtype}] load cached (safetensors): {load_s:.2f} s")
        generator.generate(["warm up"], GenerationParams(max_new_tokens=4))
        arms = baselines(generator, chunks, candidates, not args.skip_product_arm)
        for name, (tokens, seconds) in arms.items():
            print(
                f"[{dtype}] {name:22}: {tokens / seconds:6.1f} tok/s "
                f"({tokens} tokens in {seconds:.1f} s); {load_average()}"
            )
        for batch_size in args.batch_sizes:
            generator.batch_size = args.generator_batch or batch_size
            tokens, seconds, per_draft = job_path(
                generator, products, args.field, options, batch_size
            )
            rate = tokens / seconds
            ratios = ", ".join(
                f"{rate / (arm_tokens / arm_seconds):.1f}x {name}"
                for name, (arm_tokens, arm_seconds) in arms.items()
            )
            print(
                f"[{dtype}] job path, batch {batch_size} ({generator.batch_size} rows per "
                f"forward): {rate:6.1f} tok/s ({tokens} tokens in {seconds:.1f} s) = {ratios}; "
                f"time per draft ({candidates} candidates, checks, selection) {per_draft:.2f} s; "
                f"{load_average()}"
            )


if __name__ == "__main__":
    main()
